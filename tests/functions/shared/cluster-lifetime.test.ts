import { expect } from "chai";
import fc from "fast-check";
import {
  decideExtension,
  DEFAULT_EXTEND_HOURS,
  DEFAULT_MAX_LIFETIME_HOURS,
  expiredReason,
  isoTime,
  lifetimeFor,
  sweepActionFor,
  type LifetimePolicy,
} from "../../../functions/shared/cluster-lifetime.js";
import type { ClusterSlot } from "../../../functions/shared/cluster-registry.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { basePolicy } from "../../support/policies.js";

const HOUR = 3600e3;
const lifetime: LifetimePolicy = { lifetimeHours: 4, maxLifetimeHours: 8, extendHours: 2 };
const slot = (extra: Partial<ClusterSlot> = {}): ClusterSlot => ({
  acquiredAt: 0,
  vcpus: 4,
  token: "t",
  expiresAt: 4 * HOUR,
  ...extra,
});

describe("cluster lifetime", () => {
  it("takes the user's lifetime limits over the deployment's, and defaults to one week", () => {
    const policy = basePolicy({
      limits: { lifetimeHours: 24, maxLifetimeHours: 72 },
      users: { bob: { limits: { maxLifetimeHours: 12, extendHours: 3 } } },
    });
    expect(lifetimeFor(policy, "alice" as UserId)).to.deep.equal({
      lifetimeHours: 24,
      maxLifetimeHours: 72,
      extendHours: DEFAULT_EXTEND_HOURS,
    });
    // A lifetime above the user's maximum is cut to it.
    expect(lifetimeFor(policy, "bob" as UserId)).to.deep.equal({
      lifetimeHours: 12,
      maxLifetimeHours: 12,
      extendHours: 3,
    });
    expect(lifetimeFor(basePolicy(), "carol" as UserId)).to.deep.equal({
      lifetimeHours: DEFAULT_MAX_LIFETIME_HOURS,
      maxLifetimeHours: DEFAULT_MAX_LIFETIME_HOURS,
      extendHours: DEFAULT_EXTEND_HOURS,
    });
  });

  it("refuses a lifetime limit that is not a whole number of hours, naming it", () => {
    expect(() => basePolicy({ limits: { maxLifetimeHours: "a week" } })).to.throw(
      /maxLifetimeHours/,
    );
  });

  it("sweeps nothing before the warning hour, warns within it once per expiry, and expires at the expiry", () => {
    expect(sweepActionFor(slot(), lifetime, 3 * HOUR - 1)).to.deep.equal({ kind: "none" });
    expect(sweepActionFor(slot(), lifetime, 3 * HOUR)).to.deep.equal({
      kind: "warn",
      expiresAt: 4 * HOUR,
    });
    expect(sweepActionFor(slot({ warnedFor: 4 * HOUR }), lifetime, 3.5 * HOUR)).to.deep.equal({
      kind: "none",
    });
    // Extended after the warning: warned again before the new expiry.
    expect(
      sweepActionFor(slot({ warnedFor: 4 * HOUR, expiresAt: 6 * HOUR }), lifetime, 5.5 * HOUR),
    ).to.deep.equal({ kind: "warn", expiresAt: 6 * HOUR });
    expect(sweepActionFor(slot({ warnedFor: 4 * HOUR }), lifetime, 4 * HOUR)).to.deep.equal({
      kind: "expire",
      expiresAt: 4 * HOUR,
      lifetimeHours: 4,
    });
  });

  it("gives a slot taken before expiries were kept its creation plus the lifetime", () => {
    expect(sweepActionFor(slot({ expiresAt: undefined }), lifetime, 4 * HOUR)).to.deep.include({
      kind: "expire",
      lifetimeHours: 4,
    });
  });

  it("grants an extension within the maximum lifetime, from the current expiry", () => {
    expect(decideExtension(slot(), lifetime, 3, HOUR)).to.deep.equal({
      granted: true,
      expiresAt: 7 * HOUR,
      latestExpiry: 8 * HOUR,
    });
    expect(decideExtension(slot(), lifetime, 4, HOUR)).to.deep.include({ granted: true });
  });

  it("refuses an extension beyond the maximum lifetime, naming it and what is left", () => {
    const refused = decideExtension(slot(), lifetime, 5, HOUR);
    expect(refused).to.deep.include({
      granted: false,
      expiresAt: 4 * HOUR,
      latestExpiry: 8 * HOUR,
    });
    expect(refused.granted === false && refused.reason).to.equal(
      "Extending by 5 hours would pass your maximum cluster lifetime of 8 hours (it ends at 1970-01-01T08:00Z); you can extend by at most 4 hours.",
    );
    const atLimit = decideExtension(slot({ expiresAt: 8 * HOUR }), lifetime, 1, HOUR);
    expect(atLimit.granted === false && atLimit.reason).to.match(
      /cannot be extended further; copy your results out before it expires\.$/,
    );
  });

  it("never extends past the maximum lifetime, whatever is asked and whenever", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8760 }),
        fc.integer({ min: 0, max: 8 * HOUR }),
        fc.integer({ min: 0, max: 8 * HOUR }),
        (hours, expiresAt, now) => {
          const decision = decideExtension(slot({ expiresAt }), lifetime, hours, now);
          return !decision.granted || decision.expiresAt <= 8 * HOUR;
        },
      ),
    );
  });

  it("formats moments in UTC without a clock, as Date would", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444799000 }), (ms) => {
        expect(isoTime(ms)).to.equal(`${new Date(ms).toISOString().slice(0, 19)}Z`);
      }),
    );
  });

  it("says why an expired cluster was deleted", () => {
    expect(expiredReason(1)).to.equal("it reached its maximum lifetime of 1 hour");
    expect(expiredReason(72)).to.equal("it reached its maximum lifetime of 72 hours");
  });
});
