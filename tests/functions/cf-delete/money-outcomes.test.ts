import { DescribeStackEventsCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { handleDeleteOutcome } from "../../../functions/cf-delete/delete-outcome.js";
import { handleExtendRequest } from "../../../functions/cf-delete/extend-request.js";
import { parseLifetimeBody } from "../../../functions/shared/lifetime-files.js";
import { monthOf } from "../../../functions/shared/money.js";
import { deleteTokenFor } from "../../../functions/shared/request-tokens.js";
import { parseUsageReport } from "../../../functions/shared/usage-files.js";
import {
  body,
  harness,
  s3Record,
  stack,
  stackIdOf,
  statusEvent,
  type Harness,
} from "../../support/handler-harness.js";
import { testMoney } from "../../support/money-fakes.js";
import { basePolicy } from "../../support/policies.js";

/*
 * cf-delete's answers with money: `.cf-deleted` says what the cluster cost
 * (its spend accrued one last time from what EC2 shows, and made final), and
 * an extension is refused once a budget is spent or when the cluster's most
 * until its new expiry would pass what is left.
 */

const HOUR = 3_600_000;
const id = stackIdOf("fd-alice-c1");

describe("cf-delete with money", () => {
  let h: Harness;
  let world: ReturnType<typeof testMoney>;
  const deps = () => ({ ...h.deleteDeps, money: async () => world.money });
  const month = monthOf(Date.now());

  beforeEach(() => {
    h = harness({
      policy: basePolicy({
        limits: { monthlyBudget: "20", maxLifetimeHours: "168", extendHours: "24" },
        users: { alice: {} },
      }),
    });
    world = testMoney();
  });
  afterEach(() => h.restore());

  describe("a DELETE_COMPLETE", () => {
    /** CloudFormation reports the user's own delete of c1 complete. */
    const deleteCompletes = async () => {
      h.cfn
        .on(DescribeStacksCommand)
        .resolves({ Stacks: [stack("fd-alice-c1", "DELETE_COMPLETE")] });
      h.cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
      await handleDeleteOutcome(
        deps(),
        statusEvent("fd-alice-c1", "DELETE_COMPLETE", deleteTokenFor(id, "delete")),
      );
    };

    it("says in .cf-deleted what the cluster cost, and makes its record final", async () => {
      const start = Date.now() - 2 * HOUR;
      h.registry.slots.set(
        "alice",
        new Map([["c1", { acquiredAt: start, vcpus: 4, token: "t", stackId: id }]]),
      );
      world.records.now = Date.now();
      world.records.add({
        stackId: id,
        id: "i-master",
        type: "r4.large",
        launchedAt: start,
        endedAt: Date.now() - 60_000,
      });
      await deleteCompletes();
      const deleted = h.written()["home/alice/c1.cf-deleted"] ?? "";
      // 1 h 59 min of an r4.large at $0.156.
      expect(deleted).to.include(
        "It cost about $0.31 in all, by FlightDeck's estimate (AWS's list prices for its instances and disks; data transfer, public IPv4 addresses, your home's EFS storage and taxes are not counted).",
      );
      expect((await world.ledger.cluster("alice", id))?.final).to.equal(true);
      const usage = parseUsageReport(h.written()["home/alice/flightdeck-usage.json"] ?? "");
      expect(usage?.clusters).to.deep.equal([{ cluster: "c1", usd: 0.31, running: false }]);
    });

    it("still reports the deletion when the cost cannot be worked out", async () => {
      world.records.stackInstances = async () => {
        throw Object.assign(new Error("Rate exceeded"), { name: "RequestLimitExceeded" });
      };
      await deleteCompletes();
      expect(h.written()["home/alice/c1.cf-deleted"]).to.match(
        /^Cluster "c1" has been deleted\.\n/,
      );
      expect(h.written()["home/alice/c1.cf-deleted"]).to.not.include("cost");
      expect(h.recorder.messages()).to.include("the cluster's final cost could not be computed");
    });
  });

  describe("a .cf-extend", () => {
    const extend = async (text: string) => {
      h.s3
        .on(GetObjectCommand, { Key: "home/alice/c1.cf-extend" })
        .resolves({ Body: body(text), ContentLength: text.length });
      await handleExtendRequest(deps(), s3Record("home/alice/c1.cf-extend", { versionId: "x1" }));
      return parseLifetimeBody(h.written()["home/alice/c1.cf-extended"] ?? "");
    };
    beforeEach(async () => {
      const now = Date.now();
      h.registry.slots.set(
        "alice",
        new Map([
          [
            "c1",
            {
              acquiredAt: now - HOUR,
              vcpus: 4,
              token: "t",
              stackId: id,
              expiresAt: now + 5 * HOUR,
            },
          ],
        ]),
      );
      await world.ledger.openCluster({
        user: "alice",
        cluster: "c1",
        stackId: id,
        createdAt: now - HOUR,
        maxPerHour: 0.5,
      });
    });

    it("is granted when the cluster's most until its new expiry fits what is left", async () => {
      await world.ledger.setClusterSpend("alice", month, id, "c1", 2);
      // 5 + 24 hours at $0.50 is $14.50; $18 is left.
      expect((await extend(`{"hours": 24}`))?.granted).to.equal(true);
    });

    it("is refused when the cluster's most until its new expiry would pass what is left", async () => {
      await world.ledger.setClusterSpend("alice", month, id, "c1", 8);
      const answer = await extend(`{"hours": 24}`);
      expect(answer?.granted).to.equal(false);
      expect(answer?.reason).to.equal(
        `Running until the new expiry (29 hours from now) may cost up to $14.50 ($0.50/hour), more than the $12.00 left of your monthly budget of $20.00 for ${month} ($8.00 spent so far, by FlightDeck's estimate).`,
      );
      expect(h.registry.slots.get("alice")?.get("c1")?.extendedBy).to.equal(undefined);
    });

    it("is refused once the budget is spent, naming the spend and the budget", async () => {
      await world.ledger.setClusterSpend("alice", month, id, "c1", 20.5);
      const answer = await extend("");
      expect(answer?.granted).to.equal(false);
      expect(answer?.reason).to.match(
        /^Your monthly budget of \$20\.00 for \d{4}-\d\d is spent \(\$20\.50 so far/,
      );
    });
  });
});
