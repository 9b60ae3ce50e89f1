import { expect } from "chai";
import { templateUrlFor } from "../../../functions/shared/template-url.js";

describe("templateUrlFor", () => {
  it("gives the virtual-hosted URL of the template object", () => {
    expect(
      templateUrlFor("fd-customizer", "flightdeck/templates/cluster-abc.json", "eu-west-2"),
    ).to.equal(
      "https://fd-customizer.s3.eu-west-2.amazonaws.com/flightdeck/templates/cluster-abc.json",
    );
  });

  it("uses the China partition's domain in a cn- region", () => {
    expect(templateUrlFor("b", "t.json", "cn-north-1")).to.equal(
      "https://b.s3.cn-north-1.amazonaws.com.cn/t.json",
    );
  });

  it("encodes each key segment but keeps the slashes", () => {
    expect(templateUrlFor("b", "a dir/c+1.json", "us-east-1")).to.equal(
      "https://b.s3.us-east-1.amazonaws.com/a%20dir/c%2B1.json",
    );
  });
});
