import { expect } from "chai";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import {
  expiringFile,
  extendedFile,
  parseExtendRequest,
  parseLifetimeBody,
} from "../../../functions/shared/lifetime-files.js";
import { TRIGGER_SUFFIXES } from "../../../functions/shared/result-files.js";

const alice = "alice" as UserId;
const c1 = "c1" as ClusterName;
const HOUR = 3600e3;

describe("lifetime files", () => {
  it("warns in .cf-expiring with the expiry, in words and in its JSON line", () => {
    const file = expiringFile(alice, c1, 4 * HOUR);
    expect(file.key).to.equal("home/alice/c1.cf-expiring");
    expect(file.body.split("\n")[0]).to.equal(
      'Cluster "c1" reaches its maximum lifetime at 1970-01-01T04:00Z and will then be deleted.',
    );
    expect(parseLifetimeBody(file.body)).to.deep.equal({
      flightdeck: "cf-expiring",
      cluster: "c1",
      expiresAt: "1970-01-01T04:00:00Z",
    });
  });

  it("answers .cf-extend in .cf-extended: the new expiry, or the refusal and the expiry that stands", () => {
    const granted = extendedFile(alice, c1, {
      granted: true,
      expiresAt: 6 * HOUR,
      latestExpiry: 8 * HOUR,
    });
    expect(granted.body.split("\n")[0]).to.equal('Cluster "c1" now expires at 1970-01-01T06:00Z.');
    const refused = extendedFile(alice, c1, {
      granted: false,
      expiresAt: 4 * HOUR,
      latestExpiry: 8 * HOUR,
      reason: "Too long.",
    });
    expect(refused.body.split("\n")[0]).to.equal(
      'Cluster "c1" was not extended: Too long. It still expires at 1970-01-01T04:00Z.',
    );
    expect(parseLifetimeBody(refused.body)).to.deep.include({
      granted: false,
      reason: "Too long.",
    });
    // Neither ever starts a handler.
    for (const key of [granted.key, refused.key, expiringFile(alice, c1, 0).key]) {
      expect(
        TRIGGER_SUFFIXES.some((suffix) => key.endsWith(suffix)),
        key,
      ).to.equal(false);
    }
  });

  it('reads an empty .cf-extend as the default and {"hours": N} as N', () => {
    expect(parseExtendRequest("")).to.deep.equal({});
    expect(parseExtendRequest(" \n")).to.deep.equal({});
    expect(parseExtendRequest('{"hours": 12}')).to.deep.equal({ hours: 12 });
    expect(parseExtendRequest('{"hours": "12"}')).to.deep.equal({ hours: 12 });
  });

  it("refuses any other .cf-extend in words a user can act on", () => {
    expect(parseExtendRequest("twelve")).to.deep.equal({
      problems: ['The .cf-extend file must be empty or JSON such as {"hours": 24}.'],
    });
    for (const body of ['{"hours": 0}', '{"hours": 1.5}', '{"hours": 99999}', '{"hours": -1}']) {
      expect(JSON.stringify(parseExtendRequest(body)), body).to.match(
        /hours must be a whole number of hours from 1 to 8760/,
      );
    }
    expect(JSON.stringify(parseExtendRequest('{"days": 2}'))).to.match(/days/);
  });

  it("ignores text that is not a lifetime record", () => {
    expect(parseLifetimeBody("hello\n")).to.equal(undefined);
    expect(parseLifetimeBody('{"flightdeck":"cf-failed","cluster":"c1"}')).to.equal(undefined);
  });
});
