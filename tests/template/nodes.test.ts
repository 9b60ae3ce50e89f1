import { expect } from "chai";
import { templateProblems } from "../../stacks/cloudformation/service-role-permissions.js";
import { COMPUTE_GROUP_NAME, MASTER_RESOURCE } from "../../template/node-common.js";
import {
  decoded,
  isObject,
  properties,
  resources,
  walk,
  type Json,
  type JsonObject,
} from "./cluster-template-support.js";

/* The cluster's nodes and their IAM (template/nodes.ts). */

describe("the default template's nodes", () => {
  it("waits for one signal from the master within 30 minutes", () => {
    expect((resources[MASTER_RESOURCE] as JsonObject)["CreationPolicy"]).to.deep.equal({
      ResourceSignal: { Count: 1, Timeout: "PT30M" },
    });
  });

  it("requires IMDSv2 on the master and the compute nodes", () => {
    const imdsv2 = {
      HttpTokens: "required",
      HttpEndpoint: "enabled",
      HttpPutResponseHopLimit: 1,
    };
    const master = properties(MASTER_RESOURCE)["LaunchTemplate"] as JsonObject;
    const masterTemplate = String((master["LaunchTemplateId"] as JsonObject)["Ref"]);
    for (const name of [masterTemplate, "ComputeLaunchTemplate"]) {
      expect(
        (properties(name)["LaunchTemplateData"] as JsonObject)["MetadataOptions"],
        name,
      ).to.deep.include(imdsv2);
    }
  });

  it("lets only compute nodes read their instance tags (their Slurm node name) from the metadata", () => {
    const options = (name: string) =>
      (properties(name)["LaunchTemplateData"] as JsonObject)["MetadataOptions"] as JsonObject;
    expect(options("ComputeLaunchTemplate")["InstanceMetadataTags"]).to.equal("enabled");
    expect(options("MasterLaunchTemplate")).not.to.have.property("InstanceMetadataTags");
  });

  it("caps the compute group at ComputeMaxNodes, under its fixed name, and leaves its size to the master", () => {
    expect(properties("ComputeGroup")).to.deep.include({
      AutoScalingGroupName: { "Fn::Sub": COMPUTE_GROUP_NAME },
      MinSize: "0",
      MaxSize: { Ref: "ComputeMaxNodes" },
    });
    // Unset, it starts at MinSize and no stack update resets what the master set.
    expect(properties("ComputeGroup")).not.to.have.property("DesiredCapacity");
  });

  it("keeps IAM unnamed and least-privilege: no wildcard actions, * only for Describe", () => {
    const statements: JsonObject[] = [];
    for (const [name, resource] of Object.entries(resources)) {
      if (!isObject(resource) || !String(resource["Type"]).startsWith("AWS::IAM::")) continue;
      for (const key of ["RoleName", "InstanceProfileName", "ManagedPolicyName"]) {
        expect(properties(name), name).not.to.have.property(key);
      }
      walk(resource, (node) => {
        if (node["Effect"] !== undefined && node["Action"] !== "sts:AssumeRole")
          statements.push(node);
      });
    }
    expect(statements.length).to.be.greaterThan(5);
    for (const statement of statements) {
      const actions = [statement["Action"] as Json].flat().map(String);
      for (const action of actions) expect(action).to.match(/^[a-z0-9]+:[A-Za-z]+$/);
      if (statement["Resource"] === "*") {
        for (const action of actions) expect(action).to.match(/:Describe/);
      }
    }
  });

  it("fits what the deployment's CloudFormation service role may create", () => {
    expect(templateProblems(decoded())).to.deep.equal([]);
  });

  it("lets nodes read only the default and the owner's customizer folders", () => {
    const s3: Json[] = [];
    walk(resources, (node) => {
      const action = node["Action"];
      // The master's one write, its own .cf-delete, is node-iam.test.ts's to prove.
      if (typeof action === "string" && action.startsWith("s3:") && action !== "s3:PutObject")
        s3.push(node);
    });
    const expected = ["${CustomizerPrefix}/default/*", "${CustomizerPrefix}/${FlightProfiles}/*"];
    expect(s3).to.have.length(4);
    for (const statement of s3 as JsonObject[]) {
      if (statement["Action"] === "s3:GetObject") {
        expect(statement["Resource"]).to.deep.equal(
          expected.map((p) => ({
            "Fn::Sub": `arn:\${AWS::Partition}:s3:::\${CustomizerBucket}/${p}`,
          })),
        );
      } else {
        expect(statement["Condition"]).to.deep.equal({
          StringLike: { "s3:prefix": expected.map((p) => ({ "Fn::Sub": p })) },
        });
      }
    }
  });

  it("lets the master write only its own .cf-delete (idle deletion) and the owner's results of this cluster (flightdeck-sync)", () => {
    const puts: Json[] = [];
    walk(resources, (node) => {
      if (node["Action"] === "s3:PutObject") puts.push(node);
    });
    expect(puts).to.deep.equal([
      {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: {
          "Fn::Sub":
            "arn:${AWS::Partition}:s3:::${FlightDeckBucket}/${UserHomePrefix}/${ClusterName}.cf-delete",
        },
      },
      {
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: {
          "Fn::Sub":
            "arn:${AWS::Partition}:s3:::${FlightDeckBucket}/${UserHomePrefix}/results/${ClusterName}/*",
        },
      },
    ]);
  });
});
