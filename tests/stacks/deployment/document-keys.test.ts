import { expect } from "chai";
import { documentKeys, sha256Hex } from "../../../stacks/deployment/document-keys.js";

describe("documentKeys", () => {
  it("names the template by the hash it is given and the policy by the hash of its text", () => {
    expect(documentKeys("abc", "{}")).to.deep.equal({
      template: "flightdeck/templates/cluster-abc.json",
      policy: `flightdeck/policy-${sha256Hex("{}")}.json`,
    });
  });

  it("gives a changed policy a new key, so a create in flight never sees it change", () => {
    expect(documentKeys("abc", '{"a":1}').policy).not.to.equal(
      documentKeys("abc", '{"a":2}').policy,
    );
  });

  it("hashes the text's UTF-8 bytes", () => {
    expect(sha256Hex("")).to.equal(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});
