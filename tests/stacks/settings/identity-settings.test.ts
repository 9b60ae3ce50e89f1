import { expect } from "chai";
import { decodeSettings, loadSettings } from "../../../stacks/settings/settings.js";

const KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN9pMV6GMxvmwLjJolLOIuP1k3T9fQKx0iQv2U96FMdl alice@laptop";
const minimal = { name: "flightdeck", region: "eu-west-2", accessNetwork: "203.0.113.0/24" };
const tagged = { source: "principal-tag", tag: "flightdeck-user" };
const problems = (json: unknown): string[] => {
  const decoded = decodeSettings(json);
  return decoded._tag === "Left" ? decoded.left : [];
};

describe("the identity setting", () => {
  it("loads the SSO example, keyed by a session tag", () => {
    const settings = loadSettings("settings/sso-example.json");
    expect(settings.identity).to.deep.equal(tagged);
    expect(settings.users.map((u) => [u.id, u.login])).to.deep.equal([
      ["alice@example.com", "alice_example_com"],
      ["Bob.Jones@example.com", "bjones"],
    ]);
  });

  it("accepts both sources", () => {
    expect(problems({ ...minimal, identity: { source: "iam-user" } })).to.deep.equal([]);
    expect(problems({ ...minimal, identity: tagged })).to.deep.equal([]);
  });

  it("names what is wrong with the source or the tag key", () => {
    expect(problems({ ...minimal, identity: { source: "sso" } })).to.deep.equal([
      'identity must be {"source": "iam-user"} or {"source": "principal-tag", "tag": "<session tag key>"} (got {"source":"sso"}).',
    ]);
    expect(problems({ ...minimal, identity: { source: "principal-tag" } })).to.deep.equal([
      "identity.tag is required.",
    ]);
    for (const tag of ["aws:username", "team/user", "has space", "${x}", "", "k".repeat(129)]) {
      expect(problems({ ...minimal, identity: { source: "principal-tag", tag } }), tag)
        .to.have.length(1)
        .and.to.match(/^identity\.tag must be a session tag key/);
    }
    expect(problems({ ...minimal, identity: { source: "iam-user", tag: "x" } })[0]).to.match(
      /"tag" is not a known setting here/,
    );
  });

  it("refuses, under a session tag, a user id no tag value can hold", () => {
    expect(
      problems({ ...minimal, identity: tagged, users: [{ id: "a+b=c,d", sshPublicKey: KEY }] }),
    ).to.deep.equal([
      'users: "a+b=c,d" cannot be the value of session tag flightdeck-user: use 1 to 64 letters, digits or + = . @ _ - (a tag value cannot hold a comma).',
    ]);
    expect(
      problems({ ...minimal, users: [{ id: "a+b=c,d", sshPublicKey: KEY }] }),
      "an IAM user may",
    ).to.deep.equal([]);
  });

  it("refuses iamUsers under a session tag: there is no group to add them to", () => {
    expect(problems({ ...minimal, identity: tagged, iamUsers: ["alice"] })[0]).to.match(
      /^iamUsers: with identity principal-tag there is no users' group/,
    );
  });
});
