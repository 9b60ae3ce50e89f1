import { expect } from "chai";
import { SERVICE_ROLE_ARN } from "../support/local-aws.js";
import { hostileCase } from "./support/hostile-cases.js";
import { HostileWorld } from "./support/hostile-world.js";

/*
 * Stacks FlightDeck did not create, named and tagged to look
 * like its own: another tool's, or another deployment's with the same
 * prefix. None is reconciled, deleted or counted; each is logged.
 */

const OURS = {
  USER: "alice",
  CLUSTER: "c1",
  ManagedBy: "flightdeck",
  FlightDeckDeployment: "fdtest",
};

describe("hostile: foreign stacks and other deployments", function () {
  this.timeout(30_000);
  let world: HostileWorld;
  beforeEach(async () => {
    world = await new HostileWorld().start();
  });
  afterEach(async () => world.stop());

  const lookalikes: Array<[string, Record<string, string>, string | undefined]> = [
    ["a stack of another tool with a matching name and USER tag", { USER: "alice" }, undefined],
    [
      "another deployment's stack with the same prefix",
      { ...OURS, FlightDeckDeployment: "other" },
      SERVICE_ROLE_ARN,
    ],
    [
      "a fully tagged stack built with another role",
      OURS,
      "arn:aws:iam::111122223333:role/someone-else",
    ],
  ];

  for (const [what, tags, roleArn] of lookalikes) {
    hostileCase("foreign stacks", `a .cf-create never reconciles ${what}`, async () => {
      const foreign = world.aws.cfn.addStack("fd-alice-c1", { tags, roleArn });
      foreign.outputs = { LoginIp: "198.51.100.66" };
      await world.asUser("alice", () =>
        world.upload("home/alice/c1.cf-create", '{"ComputeSpotPrice": "0.10"}'),
      );
      const home = await world.home("alice");
      expect(home).not.to.have.property("c1.cf-created");
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/not one of FlightDeck's/);
      expect(world.aws.cfn.callsOf("CreateStack")).to.have.length(0);
      world.expectLogged(/not FlightDeck's/);
    });

    hostileCase("foreign stacks", `a .cf-delete never deletes ${what}`, async () => {
      const foreign = world.aws.cfn.addStack("fd-alice-c1", { tags, roleArn });
      await world.asUser("alice", () => world.upload("home/alice/c1.cf-delete", ""));
      expect(foreign.status).to.equal("CREATE_COMPLETE");
      expect(world.aws.cfn.callsOf("DeleteStack")).to.have.length(0);
      expect((await world.failure("alice", "c1")).join(" ")).to.match(/not one of FlightDeck's/);
      world.expectLogged(/not FlightDeck's/);
    });

    hostileCase("foreign stacks", `a status event of ${what} is ignored and logged`, async () => {
      world.aws.cfn.addStack("fd-alice-c1", { tags, roleArn });
      await world.asUser("alice", async () => {
        await world.aws.statusEvent("fd-alice-c1", { to: "create" });
        await world.aws.statusEvent("fd-alice-c1", { to: "delete", status: "DELETE_COMPLETE" });
      });
      expect(await world.home("alice")).to.deep.equal({});
      expect(world.aws.cfn.callsOf("DeleteStack")).to.have.length(0);
      world.expectLogged(/not FlightDeck's/);
    });
  }

  hostileCase(
    "foreign stacks",
    "another deployment's DELETE_COMPLETE frees no slot of this one",
    async () => {
      await world.upload("home/alice/c1.cf-create", '{"ComputeSpotPrice": "0.10"}');
      const ours = world.aws.cfn.live("fd-alice-c1");
      expect(ours).not.to.equal(undefined);
      const other = world.aws.cfn.addStack("fd-alice-c1", {
        tags: { ...OURS, FlightDeckDeployment: "other" },
        roleArn: SERVICE_ROLE_ARN,
        status: "DELETE_COMPLETE",
      });
      await world.asUser("alice", () =>
        world.aws.deleteHandler(
          {
            source: "aws.cloudformation",
            "detail-type": "CloudFormation Stack Status Change",
            detail: {
              "stack-id": other.stackId,
              "status-details": { status: "DELETE_COMPLETE" },
            },
          },
          world.aws.context(),
        ),
      );
      const item = await world.aws.registryItem("alice");
      expect(Object.keys(item?.["clusters"]?.M ?? {})).to.deep.equal(["c1"]);
    },
  );

  hostileCase(
    "foreign stacks",
    "a slot whose name another tool's stack took is freed by the quota's self-check",
    async () => {
      // An hour-old slot for c9, whose own stack is gone; a foreign stack holds the name.
      await world.aws.putRegistryItem({
        user: { S: "alice" },
        clusters: {
          M: {
            c9: {
              M: {
                acquiredAt: { N: String(Date.now() - 3_600_000) },
                vcpus: { N: "6" },
                token: { S: "t9" },
              },
            },
            c8: {
              M: {
                acquiredAt: { N: String(Date.now() - 3_600_000) },
                vcpus: { N: "6" },
                token: { S: "t8" },
              },
            },
          },
        },
        vcpus: { N: "12" },
      });
      world.aws.cfn.addStack("fd-alice-c9", { tags: { USER: "alice" } });
      world.aws.cfn.addStack("fd-alice-c8", {
        tags: { ...OURS, CLUSTER: "c8" },
        roleArn: SERVICE_ROLE_ARN,
      });
      await world.asUser("alice", () =>
        world.upload(
          "home/alice/c1.cf-create",
          '{"ComputeSpotPrice": "0.10", "ComputeMaxNodes": 2}',
        ),
      );
      expect(world.aws.cfn.live("fd-alice-c1")).not.to.equal(undefined);
      const item = await world.aws.registryItem("alice");
      expect(Object.keys(item?.["clusters"]?.M ?? {}).sort()).to.deep.equal(["c1", "c8"]);
      world.expectLogged(/freed a slot whose stack is gone/);
    },
  );
});
