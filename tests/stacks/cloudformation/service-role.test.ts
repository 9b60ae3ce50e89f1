import { expect } from "chai";
import { Testing } from "cdktf";
import type { CfnTemplate } from "../../../functions/shared/cfn-template.js";
import { ServiceRole } from "../../../stacks/cloudformation/service-role.js";
import { GRANTS_BY_TYPE } from "../../../stacks/cloudformation/service-role-grants.js";
import {
  managedPolicyArns,
  serviceRoleStatements,
  ServiceRoleTemplateError,
  ssmParameterArns,
  templateProblems,
} from "../../../stacks/cloudformation/service-role-permissions.js";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { ACCOUNT, decide, identityPolicy, policiesIn } from "../support/policies.js";
import {
  FIXTURE_SCOPE,
  FIXTURE_TEMPLATE_PATH,
  fixtureSettings,
  onlyResource,
  synthFlightDeck,
  synthScope,
  unescapeTerraform,
} from "../support/synth.js";

const fixture = loadClusterTemplate(FIXTURE_TEMPLATE_PATH).template;
/** The default template before the network was shared: each cluster built its own VPC. */
const OWN_NETWORK_TEMPLATE_PATH = "tests/fixtures/templates/cluster-own-network.json";
const BOUNDARY = "arn:aws:iam::123456789012:policy/flightdeck/fdtest-node-boundary";
const context = {
  scope: FIXTURE_SCOPE,
  stackPrefix: "fd",
  deployment: "fdtest",
  nodeBoundaryArn: BOUNDARY,
  ssmParameterArns: [],
};
const withResource = (id: string, resource: CfnTemplate["Resources"][string]): CfnTemplate => ({
  ...fixture,
  Resources: { ...fixture.Resources, [id]: resource },
});

describe("ServiceRole", () => {
  const synthesized = synthScope((scope) => {
    new ServiceRole(scope, "service", {
      roleName: "fd-cloudformation",
      scope: FIXTURE_SCOPE,
      statements: serviceRoleStatements(fixture, context),
    });
  });

  it("is trusted by CloudFormation only", () => {
    const role = onlyResource(synthesized, "aws_iam_role");
    expect(JSON.parse(unescapeTerraform(String(role["assume_role_policy"])))).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TrustedService",
          Effect: "Allow",
          Principal: { Service: "cloudformation.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("lives at the root path, outside the /flightdeck/ path it may manage", () => {
    expect(
      Testing.toHaveResourceWithProperties(synthesized, "aws_iam_role", {
        name: "fd-cloudformation",
      }),
    ).to.equal(true);
    expect(onlyResource(synthesized, "aws_iam_role")["path"]).to.equal(undefined);
  });
});

describe("the service role's permissions for a template", () => {
  it("grants for every resource type the template uses, and for no other", () => {
    const noSecret: CfnTemplate = {
      ...fixture,
      Resources: Object.fromEntries(
        Object.entries(fixture.Resources).filter(
          ([, r]) => r.Type !== "AWS::SecretsManager::Secret",
        ),
      ),
    };
    const actions = (template: CfnTemplate) =>
      serviceRoleStatements(template, context).flatMap((s) => [...s.Action]);
    expect(actions(fixture)).to.include("secretsmanager:CreateSecret");
    expect(actions(noSecret)).not.to.include("secretsmanager:CreateSecret");
  });

  it("refuses a resource type it has no grants for", () => {
    const template = withResource("Bucket", { Type: "AWS::S3::Bucket" });
    expect(templateProblems(template)).to.deep.equal([
      "Bucket is an AWS::S3::Bucket, which the service role cannot create; add its permissions to stacks/cloudformation/service-role-grants.ts.",
    ]);
    expect(() => serviceRoleStatements(template, context)).to.throw(ServiceRoleTemplateError);
  });

  it("refuses roles and instance profiles outside /flightdeck/", () => {
    const role = fixture.Resources["NodeRole"];
    const template = withResource("NodeRole", {
      ...role,
      Type: "AWS::IAM::Role",
      Properties: { ...role?.Properties, Path: "/" },
    });
    expect(templateProblems(template)).to.deep.equal(['NodeRole must set "Path": "/flightdeck/".']);
  });

  it("refuses a secret whose name does not start with the stack name", () => {
    const template = withResource("MungeKey", {
      Type: "AWS::SecretsManager::Secret",
      Properties: {},
    });
    expect(templateProblems(template)).to.deep.equal([
      'MungeKey must set "Name": {"Fn::Sub": "${AWS::StackName}-…"}.',
    ]);
  });

  it("refuses a fixed Auto Scaling group name outside the stack's", () => {
    const template = withResource("Compute", {
      Type: "AWS::AutoScaling::AutoScalingGroup",
      Properties: { AutoScalingGroupName: "compute" },
    });
    expect(templateProblems(template)).to.deep.equal([
      "Compute: AutoScalingGroupName must start with ${AWS::StackName}.",
    ]);
  });

  it("may attach exactly the AWS managed policies the template lists", () => {
    const role = fixture.Resources["NodeRole"];
    const template = withResource("NodeRole", {
      Type: "AWS::IAM::Role",
      Properties: {
        ...role?.Properties,
        ManagedPolicyArns: [
          { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore" },
        ],
      },
    });
    expect(managedPolicyArns(template, "aws")).to.deep.equal([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
    const attach = serviceRoleStatements(template, context).find(
      (s) => s.Sid === "AttachListedManagedPolicies",
    );
    expect(attach?.Condition).to.deep.equal({
      ArnEquals: {
        "iam:PolicyARN": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        "iam:PermissionsBoundary": BOUNDARY,
      },
    });
    expect(serviceRoleStatements(fixture, context).map((s) => s.Sid)).not.to.include(
      "AttachListedManagedPolicies",
    );
  });

  it("resolves the AMI's public SSM parameter, the deployment's override of it, and the deployment's own parameters", () => {
    const settings = {
      ...fixtureSettings(),
      defaults: {
        ImageId:
          "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
      },
    };
    expect(ssmParameterArns(fixture, FIXTURE_SCOPE, policyFromSettings(settings))).to.deep.equal([
      "arn:aws:ssm:eu-west-2:*:parameter/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
      "arn:aws:ssm:eu-west-2:*:parameter/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
      "arn:aws:ssm:eu-west-2:123456789012:parameter/flightdeck/fdtest/*",
    ]);
  });

  it("names each statement once, with one set of resources per name", () => {
    const everything: CfnTemplate = {
      Resources: Object.fromEntries(
        Object.keys(GRANTS_BY_TYPE).map((type, i) => [`R${i}`, { Type: type, Properties: {} }]),
      ),
    };
    // Only the naming rules fail here; the merge itself must not throw.
    const problems = templateProblems(everything);
    expect(problems).to.have.length.above(0);
    expect(problems.every((p) => /Path|Name|PermissionsBoundary/.test(p))).to.equal(true);
    const allowed: CfnTemplate = {
      Resources: Object.fromEntries(
        Object.keys(GRANTS_BY_TYPE)
          .filter((type) => !/IAM::Role|IAM::InstanceProfile|SecretsManager/.test(type))
          .map((type, i) => [`R${i}`, { Type: type, Properties: {} }]),
      ),
    };
    const sids = serviceRoleStatements(allowed, context).map((s) => s.Sid);
    expect(new Set(sids).size).to.equal(sids.length);
  });
});

describe("the service role (simulated)", () => {
  const policy = identityPolicy(synthFlightDeck(), "fdtest-cloudformation");
  const principal = `arn:aws:iam::${ACCOUNT}:role/fdtest-cloudformation`;
  const as = (action: string, resource: string, context: Record<string, string> = {}) =>
    decide(policy, { principal, action, resource, context });
  const ec2 = (resource: string) => `arn:aws:ec2:eu-west-2:${ACCOUNT}:${resource}`;

  const bounded = { "iam:PermissionsBoundary": BOUNDARY };
  const tagged = {
    "aws:ResourceTag/ManagedBy": "flightdeck",
    "aws:ResourceTag/FlightDeckDeployment": "fdtest",
  };

  it("can create node roles and instance profiles under /flightdeck/ only", async () => {
    expect(
      await as(
        "iam:CreateRole",
        `arn:aws:iam::${ACCOUNT}:role/flightdeck/fd-alice-c1-NodeRole-X`,
        bounded,
      ),
    ).to.equal("Allowed");
    expect(
      await as("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/fd-alice-c1-NodeRole-X`, bounded),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as(
        "iam:CreateInstanceProfile",
        `arn:aws:iam::${ACCOUNT}:instance-profile/flightdeck/p`,
      ),
    ).to.equal("Allowed");
    expect(
      await as("iam:CreateInstanceProfile", `arn:aws:iam::${ACCOUNT}:instance-profile/p`),
    ).to.equal("ImplicitlyDenied");
  });

  it("cannot change its own policy or any role outside /flightdeck/", async () => {
    expect(await as("iam:PutRolePolicy", principal)).to.equal("ImplicitlyDenied");
    expect(await as("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/fdtest-cf-create`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("passes node roles to EC2 only", async () => {
    const node = `arn:aws:iam::${ACCOUNT}:role/flightdeck/node`;
    expect(await as("iam:PassRole", node, { "iam:PassedToService": "ec2.amazonaws.com" })).to.equal(
      "Allowed",
    );
    expect(
      await as("iam:PassRole", node, { "iam:PassedToService": "lambda.amazonaws.com" }),
    ).to.equal("ImplicitlyDenied");
    expect(
      await as("iam:PassRole", principal, { "iam:PassedToService": "ec2.amazonaws.com" }),
    ).to.equal("ImplicitlyDenied");
  });

  it("creates or changes a node role only with the deployment's permissions boundary", async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/flightdeck/fd-alice-c1-NodeRole-X`;
    for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy"]) {
      expect(await as(action, role, bounded), action).to.equal("Allowed");
      expect(await as(action, role), `${action} without a boundary`).to.equal("ImplicitlyDenied");
      expect(
        await as(action, role, {
          "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess`,
        }),
        `${action} with another boundary`,
      ).to.equal("ImplicitlyDenied");
    }
    for (const action of ["iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"]) {
      expect(await as(action, role, bounded), action).to.equal("ImplicitlyDenied");
    }
  });

  it("terminates, deletes and detaches only what carries this deployment's tags", async () => {
    const destructive: Array<[string, string]> = [
      ["ec2:TerminateInstances", ec2("instance/i-1")],
      ["ec2:DeleteVpc", ec2("vpc/vpc-1")],
      ["ec2:DeleteSubnet", ec2("subnet/subnet-1")],
      ["ec2:DeleteSecurityGroup", ec2("security-group/sg-1")],
      ["ec2:DeleteInternetGateway", ec2("internet-gateway/igw-1")],
      ["ec2:DetachInternetGateway", ec2("internet-gateway/igw-1")],
      ["ec2:DeleteRouteTable", ec2("route-table/rtb-1")],
      ["ec2:DeleteRoute", ec2("route-table/rtb-1")],
      ["ec2:ReleaseAddress", ec2("elastic-ip/eipalloc-1")],
      ["ec2:DeletePlacementGroup", ec2("placement-group/pg-1")],
    ];
    for (const [action, resource] of destructive) {
      expect(await as(action, resource, tagged), action).to.equal("Allowed");
      expect(await as(action, resource), `${action} untagged`).to.equal("ImplicitlyDenied");
      expect(
        await as(action, resource, { ...tagged, "aws:ResourceTag/FlightDeckDeployment": "other" }),
        `${action} of another deployment`,
      ).to.equal("ImplicitlyDenied");
    }
  });

  it("creates security groups only in the deployment's VPC, which carries its tag", async () => {
    const vpc = ec2("vpc/vpc-0123456789abcdef0");
    const ours = { "aws:ResourceTag/FlightDeckDeployment": "fdtest" };
    expect(await as("ec2:CreateSecurityGroup", ec2("security-group/*"))).to.equal("Allowed");
    expect(await as("ec2:CreateSecurityGroup", vpc, ours)).to.equal("Allowed");
    expect(await as("ec2:CreateSecurityGroup", vpc), "an untagged VPC").to.equal(
      "ImplicitlyDenied",
    );
    expect(
      await as("ec2:CreateSecurityGroup", vpc, { "aws:ResourceTag/FlightDeckDeployment": "other" }),
      "another deployment's VPC",
    ).to.equal("ImplicitlyDenied");
  });

  it("builds no network of a cluster's own: no VPC, subnet, gateway or route", async () => {
    const creates: Array<[string, string]> = [
      ["ec2:CreateVpc", ec2("vpc/*")],
      ["ec2:CreateSubnet", ec2("subnet/*")],
      ["ec2:CreateInternetGateway", ec2("internet-gateway/*")],
      ["ec2:AttachInternetGateway", ec2("internet-gateway/igw-1")],
      ["ec2:CreateRouteTable", ec2("route-table/*")],
      ["ec2:CreateRoute", ec2("route-table/rtb-1")],
      ["ec2:AssociateRouteTable", ec2("route-table/rtb-1")],
      ["ec2:ModifyVpcAttribute", ec2("vpc/vpc-1")],
    ];
    for (const [action, resource] of creates) {
      expect(await as(action, resource, tagged), action).to.equal("ImplicitlyDenied");
    }
    const withVpc = withResource("Vpc", { Type: "AWS::EC2::VPC", Properties: {} });
    expect(templateProblems(withVpc)).to.deep.equal([
      "Vpc is an AWS::EC2::VPC, which the service role cannot create; add its permissions to stacks/cloudformation/service-role-grants.ts.",
    ]);
  });

  it("still deletes, cleanly, a stack created with a network of its own before the upgrade", async () => {
    // Each network resource of the old default template, and what CloudFormation calls to delete it.
    const deletes: Record<string, Array<[string, string]>> = {
      "AWS::EC2::VPC": [
        ["ec2:DeleteVpc", ec2("vpc/vpc-1")],
        ["ec2:DescribeVpcs", "*"],
      ],
      "AWS::EC2::Subnet": [
        ["ec2:DeleteSubnet", ec2("subnet/subnet-1")],
        ["ec2:DescribeSubnets", "*"],
      ],
      "AWS::EC2::InternetGateway": [
        ["ec2:DeleteInternetGateway", ec2("internet-gateway/igw-1")],
        ["ec2:DescribeInternetGateways", "*"],
      ],
      "AWS::EC2::VPCGatewayAttachment": [
        ["ec2:DetachInternetGateway", ec2("internet-gateway/igw-1")],
        ["ec2:DetachInternetGateway", ec2("vpc/vpc-1")],
      ],
      "AWS::EC2::RouteTable": [
        ["ec2:DeleteRouteTable", ec2("route-table/rtb-1")],
        ["ec2:DescribeRouteTables", "*"],
      ],
      "AWS::EC2::Route": [["ec2:DeleteRoute", ec2("route-table/rtb-1")]],
      "AWS::EC2::SubnetRouteTableAssociation": [
        ["ec2:DisassociateRouteTable", ec2("route-table/rtb-1")],
        ["ec2:DisassociateRouteTable", ec2("subnet/subnet-1")],
      ],
    };
    const old = loadClusterTemplate(OWN_NETWORK_TEMPLATE_PATH).template;
    const types = new Set(Object.values(old.Resources).map((r) => r.Type));
    const gone = [...types].filter((type) => !Object.hasOwn(GRANTS_BY_TYPE, type)).sort();
    expect(gone).to.deep.equal(Object.keys(deletes).sort());
    for (const type of gone) {
      for (const [action, resource] of deletes[type] ?? []) {
        const context = resource === "*" ? {} : tagged;
        expect(await as(action, resource, context), `${type}: ${action}`).to.equal("Allowed");
        if (resource !== "*") {
          expect(await as(action, resource), `${type}: ${action} untagged`).to.equal(
            "ImplicitlyDenied",
          );
        }
      }
    }
    // The resources the old template shares with today's are deleted as today's are.
    for (const type of [...types].filter((t) => Object.hasOwn(GRANTS_BY_TYPE, t))) {
      expect(loadClusterTemplate("template/cluster.json").template.Resources, type).to.satisfy(
        (resources: CfnTemplate["Resources"]) =>
          Object.values(resources).some((r) => r.Type === type),
      );
    }
  });

  it("is trusted by CloudFormation acting for the deployment's own account only", () => {
    const trust = policiesIn(synthFlightDeck()).find(
      (p) => p.kind === "trust" && p.owner === "fdtest-cloudformation",
    );
    expect(trust?.document.Statement[0]?.Condition).to.deep.equal({
      StringEquals: { "aws:SourceAccount": "123456789012" },
    });
  });

  it("can launch and terminate instances in the deployment's region only", async () => {
    expect(await as("ec2:RunInstances", ec2("instance/*"))).to.equal("Allowed");
    expect(await as("ec2:TerminateInstances", ec2("instance/i-1"), tagged)).to.equal("Allowed");
    expect(await as("ec2:RunInstances", `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("manages only secrets named after FlightDeck stacks", async () => {
    const secret = (name: string) =>
      `arn:aws:secretsmanager:eu-west-2:${ACCOUNT}:secret:${name}-AbCdEf`;
    expect(await as("secretsmanager:CreateSecret", secret("fd-alice-c1-munge-key"))).to.equal(
      "Allowed",
    );
    expect(await as("secretsmanager:DeleteSecret", secret("prod/database-password"))).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as("secretsmanager:GetSecretValue", secret("fd-alice-c1-munge-key"))).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("manages only Auto Scaling groups of FlightDeck stacks", async () => {
    const group = (name: string) =>
      `arn:aws:autoscaling:eu-west-2:${ACCOUNT}:autoScalingGroup:0f2c:autoScalingGroupName/${name}`;
    expect(
      await as("autoscaling:DeleteAutoScalingGroup", group("fd-alice-c1-compute"), tagged),
    ).to.equal("Allowed");
    expect(await as("autoscaling:DeleteAutoScalingGroup", group("fd-alice-c1-compute"))).to.equal(
      "ImplicitlyDenied",
    );
    expect(await as("autoscaling:DeleteAutoScalingGroup", group("web-frontend"), tagged)).to.equal(
      "ImplicitlyDenied",
    );
  });

  it("cannot read or write S3 objects", async () => {
    expect(
      await as("s3:GetObject", "arn:aws:s3:::fdtest-users-123456789012-eu-west-2/home/alice/x"),
    ).to.equal("ImplicitlyDenied");
  });
});
