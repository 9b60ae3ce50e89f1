import { expect } from "chai";
import { loadSettings } from "../../../stacks/settings/settings.js";
import { MINIMAL_SETTINGS, settingsProblems, SSH_KEY } from "../../support/settings-decoding.js";

const tagged = { source: "principal-tag", tag: "flightdeck-user" };

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
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, identity: { source: "iam-user" } }),
    ).to.deep.equal([]);
    expect(settingsProblems({ ...MINIMAL_SETTINGS, identity: tagged })).to.deep.equal([]);
  });

  it("names what is wrong with the source or the tag key", () => {
    expect(settingsProblems({ ...MINIMAL_SETTINGS, identity: { source: "sso" } })).to.deep.equal([
      'identity must be {"source": "iam-user"} or {"source": "principal-tag", "tag": "<session tag key>"} (got {"source":"sso"}).',
    ]);
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, identity: { source: "principal-tag" } }),
    ).to.deep.equal(["identity.tag is required."]);
    for (const tag of ["aws:username", "team/user", "has space", "${x}", "", "k".repeat(129)]) {
      expect(
        settingsProblems({ ...MINIMAL_SETTINGS, identity: { source: "principal-tag", tag } }),
        tag,
      )
        .to.have.length(1)
        .and.to.match(/^identity\.tag must be a session tag key/);
    }
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, identity: { source: "iam-user", tag: "x" } })[0],
    ).to.match(/"tag" is not a known setting here/);
  });

  it("refuses, under a session tag, a user id no tag value can hold", () => {
    expect(
      settingsProblems({
        ...MINIMAL_SETTINGS,
        identity: tagged,
        users: [{ id: "a+b=c,d", sshPublicKey: SSH_KEY }],
      }),
    ).to.deep.equal([
      'users: "a+b=c,d" cannot be the value of session tag flightdeck-user: use 1 to 64 letters, digits or + = . @ _ - (a tag value cannot hold a comma).',
    ]);
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, users: [{ id: "a+b=c,d", sshPublicKey: SSH_KEY }] }),
      "an IAM user may",
    ).to.deep.equal([]);
  });

  it("refuses iamUsers under a session tag: there is no group to add them to", () => {
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, identity: tagged, iamUsers: ["alice"] })[0],
    ).to.match(/^iamUsers: with identity principal-tag there is no users' group/);
  });
});
