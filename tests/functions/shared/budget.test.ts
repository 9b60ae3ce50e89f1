import { expect } from "chai";
import {
  budgetRules,
  createBudgetRefusal,
  decideBudget,
  extensionBudgetRefusal,
  standingOf,
} from "../../../functions/shared/budget.js";
import { decodePolicy, limitsFor } from "../../../functions/shared/deployment-policy.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { isLeft } from "fp-ts/lib/Either.js";
import { basePolicy } from "../../support/policies.js";

/*
 * Budgets' pure decisions: where a month's spend stands, what the sweep does
 * about it, and the refusals users read (each names the spend and the budget).
 */

describe("budgets", () => {
  it("stands ok below 80 %, warns from 80 %, is spent from 100 %", () => {
    expect(standingOf(79.99, 100, 0.8)?.level).to.equal("ok");
    expect(standingOf(80, 100, 0.8)?.level).to.equal("warning");
    expect(standingOf(100, 100, 0.8)).to.deep.equal({
      budget: 100,
      spent: 100,
      left: 0,
      level: "spent",
    });
    expect(standingOf(5, undefined, 0.8)).to.equal(undefined);
  });

  it("takes the grace and the warning's share from the settings, an hour and 80 % unless set", () => {
    expect(budgetRules(undefined)).to.deep.equal({
      graceMs: 3_600_000,
      warnShare: 0.8,
      deploymentBudget: undefined,
    });
    expect(
      budgetRules({ graceMinutes: "15", warnPercent: "90", monthlyBudget: "2000" }),
    ).to.deep.equal({
      graceMs: 900_000,
      warnShare: 0.9,
      deploymentBudget: 2000,
    });
  });

  it("warns once per budget, starts one grace when spent, lifts it when no longer spent", () => {
    const warning = standingOf(85, 100, 0.8);
    const spent = standingOf(101, 100, 0.8);
    expect(decideBudget(warning, {}, 0, 60)).to.deep.equal({ warn: true, lift: false });
    expect(decideBudget(warning, { warnedFor: 100 }, 0, 60)).to.deep.equal({
      warn: false,
      lift: false,
    });
    // A raised budget warns anew.
    expect(decideBudget(standingOf(170, 200, 0.8), { warnedFor: 100 }, 0, 60).warn).to.equal(true);
    expect(decideBudget(spent, { warnedFor: 100 }, 1000, 60)).to.deep.equal({
      warn: false,
      lift: false,
      stopAt: 1060,
    });
    expect(decideBudget(spent, { stopAt: 500 }, 1000, 60)).to.deep.equal({
      warn: false,
      lift: false,
      stopAt: undefined,
    });
    expect(decideBudget(standingOf(101, 500, 0.8), { stopAt: 500 }, 1000, 60).lift).to.equal(true);
    expect(decideBudget(undefined, { stopAt: 500 }, 1000, 60).lift).to.equal(true);
  });

  it("refuses a create whose most over its lifetime passes what is left, and says what the budget covers", () => {
    const standing = standingOf(95, 100, 0.8)!;
    expect(
      createBudgetRefusal("yours", standing, "2026-12", {
        lifetime: 4.9,
        lifetimeHours: 10,
        perHour: 0.49,
      }),
    ).to.equal(undefined);
    expect(
      createBudgetRefusal("the deployment's", standing, "2026-12", {
        lifetime: 20,
        lifetimeHours: 10,
        perHour: 2,
      }),
    ).to.equal(
      "This cluster may cost up to $20.00 over its 10-hour lifetime ($2.00/hour), more than the $5.00 left of the deployment's monthly budget of $100.00 for 2026-12 ($95.00 spent so far, by FlightDeck's estimate); ask for fewer or cheaper nodes (that budget covers about 2 hours of this one), or ask your administrator.",
    );
  });

  it("refuses an extension once spent, or when the rate until the new expiry passes what is left", () => {
    const standing = standingOf(90, 100, 0.8)!;
    expect(
      extensionBudgetRefusal("yours", standing, "2026-12", { perHour: 1, hours: 10 }),
    ).to.equal(undefined);
    expect(
      extensionBudgetRefusal("yours", standing, "2026-12", { perHour: 1, hours: 10.5 }),
    ).to.match(/^Running until the new expiry \(11 hours from now\) may cost up to \$10\.50/);
    expect(
      extensionBudgetRefusal("yours", standingOf(100, 100, 0.8)!, "2026-12", {
        perHour: 0,
        hours: 1,
      }),
    ).to.match(/^Your monthly budget of \$100\.00 for 2026-12 is spent/);
  });

  it("reads budgets from the policy, per user over the deployment's, and refuses a malformed one", () => {
    const policy = basePolicy({
      limits: { monthlyBudget: 300 },
      users: { alice: { limits: { monthlyBudget: "500.50" } } },
      budgets: { monthlyBudget: "2000", graceMinutes: 30 },
    });
    expect(policy.limits.monthlyBudget).to.equal("300");
    expect(limitsFor(policy, "alice" as UserId).monthlyBudget).to.equal("500.50");
    expect(limitsFor(policy, "bob" as UserId).monthlyBudget).to.equal("300");
    expect(policy.budgets).to.deep.equal({ monthlyBudget: "2000", graceMinutes: "30" });
    const bad = decodePolicy({
      ...policy,
      limits: { monthlyBudget: "lots" },
      budgets: { grace: 1 },
    });
    expect(isLeft(bad) && bad.left.join(" ")).to.match(/monthly budget in USD, such as 500/);
    expect(isLeft(bad) && bad.left.join(" ")).to.match(/"grace" is not a known setting here/);
  });
});
