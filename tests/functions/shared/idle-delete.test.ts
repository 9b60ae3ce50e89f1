import { expect } from "chai";
import { decodeTemplate } from "../../../functions/shared/cfn-template.js";
import { decodeConfig } from "../../../functions/shared/cluster-config.js";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { idleDeleteOf } from "../../../functions/shared/idle-delete.js";
import { mergeTemplate } from "../../../functions/shared/template-merge.js";
import { rightOf } from "../../support/either.js";
import { basePolicy } from "../../support/policies.js";
import { template } from "../../template/cluster-template-support.js";

describe("idle deletion", () => {
  it("reads an idle master's .cf-delete, and says why in words", () => {
    expect(idleDeleteOf('{"reason":"idle","minutes":30}')).to.deep.equal({
      minutes: 30,
      reason: "it was idle for 30 minutes (no jobs and nobody logged in)",
    });
  });

  it("takes anything else for a plain delete", () => {
    for (const body of [
      "",
      "please",
      "null",
      "[]",
      '{"reason":"idle"}',
      '{"reason":"idle","minutes":"30"}',
      '{"reason":"idle","minutes":0}',
      '{"reason":"idle","minutes":1.5}',
      '{"reason":"idle","minutes":99999}',
      '{"reason":"bored","minutes":30}',
    ]) {
      expect(idleDeleteOf(body), body).to.equal(undefined);
    }
  });

  describe("IdleDeleteMinutes in the merge, with the default template", () => {
    const cluster = rightOf(decodeTemplate(template));
    const merge = (config: Record<string, unknown>, limits: Record<string, unknown> = {}) =>
      mergeTemplate({
        template: cluster,
        policy: basePolicy({ limits, defaults: { AccessNetwork: "203.0.113.0/24" } }),
        user: "alice" as UserId,
        cluster: "c1" as ClusterName,
        config: rightOf(decodeConfig(config)),
        requestId: "v1",
      });
    const value = (plan: ReturnType<typeof merge>, key: string) =>
      plan._tag === "Right"
        ? plan.right.parameters.find((p) => p.ParameterKey === key)?.ParameterValue
        : plan.left.join(" ");

    it("sets the users' bucket and the owner's home for the master's one key, whatever the config", () => {
      const plan = merge({});
      expect(value(plan, "FlightDeckBucket")).to.equal("flightdeck-users");
      expect(value(plan, "UserHomePrefix")).to.equal("home/alice");
      expect(value(plan, "IdleDeleteMinutes")).to.equal(undefined); // the template's default
      expect(() => rightOf(decodeConfig({ UserHomePrefix: "home/bob" }))).to.throw(
        /UserHomePrefix/,
      );
    });

    it("allows IdleDeleteMinutes up to the admin's maximum, and refuses above it naming the limit", () => {
      expect(
        value(merge({ IdleDeleteMinutes: 30 }, { maxIdleDeleteMinutes: 60 }), "IdleDeleteMinutes"),
      ).to.equal("30");
      expect(value(merge({ IdleDeleteMinutes: 90 }, { maxIdleDeleteMinutes: 60 }), "x")).to.equal(
        "IdleDeleteMinutes is 90 minutes, above your limit of 60 minutes; ask your administrator to raise it.",
      );
    });

    it("refuses 0 (never) unless the admin allows it", () => {
      expect(value(merge({ IdleDeleteMinutes: 0 }), "x")).to.match(
        /^IdleDeleteMinutes is 0 \(never delete the cluster when idle\), which your administrator does not allow/,
      );
      expect(
        value(merge({ IdleDeleteMinutes: 0 }, { allowNeverIdleDelete: true }), "IdleDeleteMinutes"),
      ).to.equal("0");
    });
  });
});
