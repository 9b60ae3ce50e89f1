import { isWildcardOnlyAction } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import {
  ACCOUNT,
  decide,
  expectResourcesFit,
  type FoundPolicy,
} from "../stacks/support/policies.js";
import { NODE_TAG_KEY } from "../../functions/shared/template-contract.js";
import { nodeBoundaryStatements } from "../../stacks/cloudformation/node-boundary.js";
import { policyDocument } from "../../stacks/iam/policy-document.js";
import { COMPUTE_GROUP_NAME, FALLBACK_GROUP_NAME } from "../../template/node-common.js";
import {
  evaluateConditions,
  resolveValue,
  type StackScope,
} from "../support/rehearsal/template-resolver.js";
import { parameterValues, section, template, type JsonObject } from "./cluster-template-support.js";

/*
 * The node roles under IAM's own rules (@cloud-copilot/iam-simulate), as a
 * stack of the template creates them: the master may size and shrink its
 * own cluster's compute group and name that group's instances with the node
 * tag, and nothing of another cluster's; compute nodes gain nothing. The
 * rehearsal authorizes every real call the same way.
 */

const REGION = "eu-west-2";
const USER_BUCKET = "flightdeck-users-eu-west-2";
const userObject = (key: string) => `arn:aws:s3:::${USER_BUCKET}/${key}`;
const groupArn = (stack: string, name = COMPUTE_GROUP_NAME) =>
  `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:autoScalingGroupName/${name.replace("${AWS::StackName}", stack)}`;
const instanceArn = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`;

/** A role's identity policies as a stack named `stack` would create them. */
function rolePolicies(roleName: string, stack: string): FoundPolicy["document"] {
  const resources = section(template, "Resources");
  const base = {
    parameters: parameterValues(template, {
      AccessUsername: "alice",
      FlightProfiles: "alice",
      ClusterName: "c1",
      CustomizerBucket: "flightdeck-customizer-eu-west-2",
      FlightDeckBucket: USER_BUCKET,
      UserHomePrefix: "home/alice",
    }),
    pseudo: {
      "AWS::Region": REGION,
      "AWS::AccountId": ACCOUNT,
      "AWS::StackName": stack,
      "AWS::StackId": `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stack}/1`,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
    },
    mappings: section(template, "Mappings"),
    resources: {
      MungeKeySecret: {
        ref: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${stack}-munge-key-AbCdEf`,
        attributes: {},
      },
      NodeHostKeySecret: {
        ref: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${stack}-node-host-key-GhIjKl`,
        attributes: {},
      },
      [roleName]: { ref: `${stack}-${roleName}`, attributes: {} },
    },
    availabilityZones: [`${REGION}a`],
  };
  const scope: StackScope = { ...base, conditions: evaluateConditions(template, base) };
  const statements: unknown[] = [];
  for (const resource of Object.values(resources) as JsonObject[]) {
    const properties = resource["Properties"] as JsonObject;
    if (resource["Type"] === "AWS::IAM::Role" && resource === resources[roleName]) {
      for (const policy of properties["Policies"] as JsonObject[]) {
        statements.push(
          ...((resolveValue(policy["PolicyDocument"], scope) as JsonObject)[
            "Statement"
          ] as unknown[]),
        );
      }
    }
    const roles = JSON.stringify(properties?.["Roles"] ?? []);
    if (resource["Type"] === "AWS::IAM::Policy" && roles.includes(`"${roleName}"`)) {
      statements.push(
        ...((resolveValue(properties["PolicyDocument"], scope) as JsonObject)[
          "Statement"
        ] as unknown[]),
      );
    }
  }
  return { Version: "2012-10-17", Statement: statements as FoundPolicy["document"]["Statement"] };
}

const master = rolePolicies("MasterRole", "fd-alice-c1");
const compute = rolePolicies("ComputeRole", "fd-alice-c1");
const as =
  (policy: FoundPolicy["document"], role: string) =>
  (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide(policy, {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/fd-alice-c1-${role}-ABC/i-0123456789abcdef0`,
      action,
      resource,
      context,
    });
const byMaster = as(master, "MasterRole");
const byCompute = as(compute, "ComputeRole");
/** The context of CreateTags on an instance of group `group` (or of none), adding `keys`. */
const tagging = (group: string | undefined, keys: string[]) => ({
  ...(group === undefined ? {} : { "aws:ResourceTag/aws:autoscaling:groupName": group }),
  "aws:TagKeys": keys,
  ...Object.fromEntries(keys.map((key) => [`aws:RequestTag/${key}`, "compute-1"])),
});

describe("the node roles (simulated)", () => {
  describe("the master's idle watcher", () => {
    it("may put exactly its own cluster's .cf-delete in its owner's home", async () => {
      expect(await byMaster("s3:PutObject", userObject("home/alice/c1.cf-delete"))).to.equal(
        "Allowed",
      );
    });

    it("may put no other key: another cluster's, another user's, another suffix, a sub-folder, another bucket", async () => {
      for (const key of [
        "home/alice/c2.cf-delete",
        "home/bob/c1.cf-delete",
        "home/alice/c1.cf-create",
        "home/alice/c1.cf-deleted",
        "home/alice/c1.cf-extend",
        "home/alice/x/c1.cf-delete",
        "home/alice/c1.cf-delete.bak",
        "home/alice/",
        "customizer/alice/configure.d/user.sh",
      ]) {
        expect(await byMaster("s3:PutObject", userObject(key)), key).to.equal("ImplicitlyDenied");
      }
      expect(
        await byMaster("s3:PutObject", "arn:aws:s3:::someone-elses-bucket/home/alice/c1.cf-delete"),
      ).to.equal("ImplicitlyDenied");
    });

    it("may not read, list, delete or tag anything in the users' bucket, nor may compute nodes write", async () => {
      const own = userObject("home/alice/c1.cf-delete");
      for (const action of [
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:PutObjectAcl",
        "s3:PutObjectTagging",
      ]) {
        expect(await byMaster(action, own), action).to.equal("ImplicitlyDenied");
      }
      expect(await byMaster("s3:ListBucket", `arn:aws:s3:::${USER_BUCKET}`)).to.equal(
        "ImplicitlyDenied",
      );
      expect(await byCompute("s3:PutObject", own)).to.equal("ImplicitlyDenied");
    });
  });

  describe("the master's compute node manager", () => {
    it("may size and shrink its own cluster's compute groups, the on-demand fallback's too", async () => {
      for (const action of ["SetDesiredCapacity", "TerminateInstanceInAutoScalingGroup"]) {
        expect(await byMaster(`autoscaling:${action}`, groupArn("fd-alice-c1")), action).to.equal(
          "Allowed",
        );
        expect(
          await byMaster(`autoscaling:${action}`, groupArn("fd-alice-c1", FALLBACK_GROUP_NAME)),
          action,
        ).to.equal("Allowed");
        // Not a group of another cluster whose name starts like this one's.
        expect(
          await byMaster(`autoscaling:${action}`, groupArn("fd-alice-c1-compute")),
          action,
        ).to.equal("ImplicitlyDenied");
      }
    });

    it("may not touch another cluster's group, nor raise its own group's MaxSize", async () => {
      for (const action of ["SetDesiredCapacity", "TerminateInstanceInAutoScalingGroup"]) {
        expect(await byMaster(`autoscaling:${action}`, groupArn("fd-bob-c1")), action).to.equal(
          "ImplicitlyDenied",
        );
      }
      expect(
        await byMaster("autoscaling:UpdateAutoScalingGroup", groupArn("fd-alice-c1")),
      ).to.equal("ImplicitlyDenied");
    });

    it("may describe groups and their scaling activities, which take no resource", async () => {
      for (const action of ["DescribeAutoScalingGroups", "DescribeScalingActivities"]) {
        expect(await byMaster(`autoscaling:${action}`, "*"), action).to.equal("Allowed");
        expect(await isWildcardOnlyAction("autoscaling", action), action).to.equal(true);
      }
    });

    it("may name its own groups' instances with the node tag", async () => {
      for (const group of ["fd-alice-c1-compute", "fd-alice-c1-compute-on-demand"]) {
        expect(
          await byMaster("ec2:CreateTags", instanceArn("i-0a1"), tagging(group, [NODE_TAG_KEY])),
          group,
        ).to.equal("Allowed");
      }
    });

    it("may not tag another cluster's instances, an instance outside a group, or with another key", async () => {
      const cases: Array<[string, Record<string, string | string[]>]> = [
        ["another cluster's instance", tagging("fd-bob-c1-compute", [NODE_TAG_KEY])],
        ["an instance in no group (the master itself)", tagging(undefined, [NODE_TAG_KEY])],
        ["another tag key", tagging("fd-alice-c1-compute", ["Name"])],
        [
          "the node tag and another",
          tagging("fd-alice-c1-compute", [NODE_TAG_KEY, "aws-cost-center"]),
        ],
      ];
      for (const [name, context] of cases) {
        expect(await byMaster("ec2:CreateTags", instanceArn("i-0b2"), context), name).to.equal(
          "ImplicitlyDenied",
        );
      }
    });

    it("may not launch, list or terminate instances directly", async () => {
      for (const [action, resource] of [
        ["ec2:RunInstances", instanceArn("*")],
        ["ec2:TerminateInstances", instanceArn("i-0a1")],
        ["ec2:DescribeInstances", "*"],
      ] as const) {
        expect(await byMaster(action, resource), action).to.equal("ImplicitlyDenied");
      }
    });
  });

  it("stays inside the deployment's permissions boundary, which allows no DescribeInstances", async () => {
    const boundary = policyDocument(
      nodeBoundaryStatements({
        scope: { partition: "aws", region: REGION, account: ACCOUNT },
        stackPrefix: "fd",
        customizerBucket: "flightdeck-customizer-eu-west-2",
        customizerPrefix: "customizer",
        userBucket: USER_BUCKET,
      }),
    ) as FoundPolicy["document"];
    const byBoundary = as(boundary, "MasterRole");
    const calls: Array<[string, string, Record<string, string | string[]>?]> = [
      ["autoscaling:SetDesiredCapacity", groupArn("fd-alice-c1")],
      ["autoscaling:TerminateInstanceInAutoScalingGroup", groupArn("fd-alice-c1")],
      ["autoscaling:DescribeAutoScalingGroups", "*"],
      ["autoscaling:DescribeScalingActivities", "*"],
      ["ec2:CreateTags", instanceArn("i-0a1"), tagging("fd-alice-c1-compute", [NODE_TAG_KEY])],
      ["s3:PutObject", userObject("home/alice/c1.cf-delete")],
      ["s3:PutObject", userObject("home/alice/results/c1/run1/answer.txt")],
    ];
    for (const [action, resource, context] of calls) {
      expect(await byMaster(action, resource, context), `role: ${action}`).to.equal("Allowed");
      expect(await byBoundary(action, resource, context), `boundary: ${action}`).to.equal(
        "Allowed",
      );
    }
    expect(await byBoundary("ec2:DescribeInstances", "*")).to.equal("ImplicitlyDenied");
    // The boundary lets a node put only results and .cf-delete files in the
    // users' bucket, and read none.
    for (const key of ["home/alice/c1.cf-create", "home/alice/notes.txt"]) {
      expect(await byBoundary("s3:PutObject", userObject(key)), key).to.equal("ImplicitlyDenied");
    }
    expect(await byBoundary("s3:GetObject", userObject("home/alice/c1.cf-delete"))).to.equal(
      "ImplicitlyDenied",
    );
    expect(
      await byBoundary(
        "ec2:CreateTags",
        instanceArn("i-0a1"),
        tagging("fd-alice-c1-compute", ["Name"]),
      ),
    ).to.equal("ImplicitlyDenied");
  });

  describe("flightdeck-sync on the master", () => {
    it("may write the user's results of this cluster", async () => {
      for (const key of ["home/alice/results/c1/answer.txt", "home/alice/results/c1/run/a/b.log"]) {
        expect(await byMaster("s3:PutObject", userObject(key)), key).to.equal("Allowed");
      }
    });

    // Its own cluster's .cf-delete is the idle watcher's, proven above.
    it("may write nothing else: another user's or cluster's results, trigger or result files, other buckets", async () => {
      for (const [what, resource] of [
        ["another user's results", userObject("home/bob/results/c1/answer.txt")],
        ["another cluster's results", userObject("home/alice/results/c2/answer.txt")],
        ["a cluster named like a prefix of this one", userObject("home/alice/results/c10/x")],
        ["another cluster's delete trigger", userObject("home/alice/c2.cf-delete")],
        ["a create trigger", userObject("home/alice/c2.cf-create")],
        ["a result file", userObject("home/alice/c1.cf-created")],
        ["the results folder itself", userObject("home/alice/results/c1")],
        [
          "the customizer bucket",
          "arn:aws:s3:::flightdeck-customizer-eu-west-2/customizer/alice/configure.d/user.sh",
        ],
        ["another bucket", "arn:aws:s3:::someone-else/home/alice/results/c1/x"],
      ] as const) {
        expect(await byMaster("s3:PutObject", resource), what).to.equal("ImplicitlyDenied");
      }
      expect(await byMaster("s3:ListBucket", `arn:aws:s3:::${USER_BUCKET}`)).to.equal(
        "ImplicitlyDenied",
      );
      for (const action of ["s3:GetObject", "s3:DeleteObject", "s3:PutObjectAcl"]) {
        expect(
          await byMaster(action, userObject("home/alice/results/c1/answer.txt")),
          action,
        ).to.equal("ImplicitlyDenied");
      }
    });

    it("is not given to compute nodes", async () => {
      expect(
        await byCompute("s3:PutObject", userObject("home/alice/results/c1/answer.txt")),
      ).to.equal("ImplicitlyDenied");
    });
  });

  it("names only real actions, each on resources of a type it acts on", async () => {
    await expectResourcesFit({ kind: "identity", owner: "MasterRole", document: master });
    await expectResourcesFit({ kind: "identity", owner: "ComputeRole", document: compute });
  });

  it("gives compute nodes none of it", async () => {
    expect(await byCompute("autoscaling:SetDesiredCapacity", groupArn("fd-alice-c1"))).to.equal(
      "ImplicitlyDenied",
    );
    expect(await byCompute("autoscaling:DescribeAutoScalingGroups", "*")).to.equal(
      "ImplicitlyDenied",
    );
    expect(
      await byCompute(
        "ec2:CreateTags",
        instanceArn("i-0a1"),
        tagging("fd-alice-c1-compute", [NODE_TAG_KEY]),
      ),
    ).to.equal("ImplicitlyDenied");
    expect(
      await byCompute(
        "cloudformation:SignalResource",
        `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/fd-alice-c1/1`,
      ),
    ).to.equal("ImplicitlyDenied");
  });
});
