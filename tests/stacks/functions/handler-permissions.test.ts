import { expect } from "chai";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import {
  createHandlerStatements,
  needsInstanceLookup,
} from "../../../stacks/functions/handler-permissions.js";
import { ACCOUNT, asRole, decide, identityPolicy } from "../support/policies.js";
import { FIXTURE_SCOPE, FIXTURE_TEMPLATE_PATH, synthFlightDeck } from "../support/synth.js";

/*
 * The two execution roles, as synthesized, under IAM's rules. Requests are
 * made as the Lambda's role; the context carries what the SDK call would.
 */
describe("the handlers' execution roles (simulated)", () => {
  const synthesized = synthFlightDeck();
  const create = identityPolicy(synthesized, "fdtest-cf-create");
  const remove = identityPolicy(synthesized, "fdtest-cf-delete");
  const users = "arn:aws:s3:::fdtest-users-123456789012-eu-west-2";
  const customizer = "arn:aws:s3:::fdtest-customizer-123456789012-eu-west-2";
  const stack = (name: string) => `arn:aws:cloudformation:eu-west-2:${ACCOUNT}:stack/${name}/0f2c`;
  const serviceRole = `arn:aws:iam::${ACCOUNT}:role/fdtest-cloudformation`;
  const outputs = (JSON.parse(synthesized) as { output: Record<string, { value: string }> }).output;
  const templateKey = String(outputs["template_key"]?.value);
  const templateUrl = `https://fdtest-customizer-123456789012-eu-west-2.s3.eu-west-2.amazonaws.com/${templateKey}`;
  const createStackContext = {
    "cloudformation:RoleArn": serviceRole,
    "cloudformation:TemplateUrl": templateUrl,
  };
  const asCreate = asRole("fdtest-cf-create", create);
  const asDelete = asRole("fdtest-cf-delete", remove);
  const table = (name: string) => `arn:aws:dynamodb:eu-west-2:${ACCOUNT}:table/${name}`;

  describe("both", () => {
    it("read and conditionally update the cluster registry, and no other table", async () => {
      for (const asRole of [asCreate, asDelete]) {
        for (const action of ["dynamodb:GetItem", "dynamodb:UpdateItem"]) {
          expect(await asRole(action, table("fdtest-clusters"))).to.equal("Allowed");
          expect(await asRole(action, table("payroll"))).to.equal("ImplicitlyDenied");
        }
        for (const action of ["dynamodb:DeleteTable", "dynamodb:PutItem", "dynamodb:DeleteItem"]) {
          expect(await asRole(action, table("fdtest-clusters"))).to.equal("ImplicitlyDenied");
        }
      }
    });

    it("only cf-delete, which runs the lifetime sweep, may Scan the registry, and no other table", async () => {
      expect(await asDelete("dynamodb:Scan", table("fdtest-clusters"))).to.equal("Allowed");
      expect(await asDelete("dynamodb:Scan", table("payroll"))).to.equal("ImplicitlyDenied");
      expect(await asCreate("dynamodb:Scan", table("fdtest-clusters"))).to.equal(
        "ImplicitlyDenied",
      );
    });
  });

  describe("cf-create", () => {
    it("can create fd-* stacks through the service role, from FlightDeck's template", async () => {
      expect(
        await asCreate("cloudformation:CreateStack", stack("fd-alice-c1"), createStackContext),
      ).to.equal("Allowed");
    });

    it("cannot create a stack outside the fd- prefix", async () => {
      expect(
        await asCreate("cloudformation:CreateStack", stack("prod-database"), createStackContext),
      ).to.equal("ImplicitlyDenied");
      expect(
        await asCreate("cloudformation:CreateStack", stack("fdx-alice-c1"), createStackContext),
      ).to.equal("ImplicitlyDenied");
    });

    it("cannot create a stack with another role, or with none (its own powers)", async () => {
      const otherRole = {
        ...createStackContext,
        "cloudformation:RoleArn": `arn:aws:iam::${ACCOUNT}:role/admin`,
      };
      expect(
        await asCreate("cloudformation:CreateStack", stack("fd-alice-c1"), otherRole),
      ).to.equal("ImplicitlyDenied");
      const noRole = { "cloudformation:TemplateUrl": templateUrl };
      expect(await asCreate("cloudformation:CreateStack", stack("fd-alice-c1"), noRole)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("cannot create a stack from another template", async () => {
      const otherTemplate = {
        ...createStackContext,
        "cloudformation:TemplateUrl": "https://evil.s3.amazonaws.com/t.json",
      };
      expect(
        await asCreate("cloudformation:CreateStack", stack("fd-alice-c1"), otherTemplate),
      ).to.equal("ImplicitlyDenied");
    });

    it("can describe and clean up fd-* stacks, and list none: the registry counts clusters", async () => {
      expect(await asCreate("cloudformation:DescribeStacks", stack("fd-alice-c1"))).to.equal(
        "Allowed",
      );
      expect(await asCreate("cloudformation:DescribeStackEvents", stack("fd-alice-c1"))).to.equal(
        "Allowed",
      );
      expect(await asCreate("cloudformation:DeleteStack", stack("fd-alice-c1"))).to.equal(
        "Allowed",
      );
      expect(await asCreate("cloudformation:ListStacks", "*")).to.equal("ImplicitlyDenied");
      expect(await asCreate("cloudformation:DeleteStack", stack("prod-database"))).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("cannot run EC2 instances or create roles directly", async () => {
      expect(
        await asCreate("ec2:RunInstances", `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-1`),
      ).to.equal("ImplicitlyDenied");
      expect(
        await asCreate("iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/flightdeck/x`),
      ).to.equal("ImplicitlyDenied");
    });

    it("can pass only the service role, and only to CloudFormation", async () => {
      const toCfn = { "iam:PassedToService": "cloudformation.amazonaws.com" };
      expect(await asCreate("iam:PassRole", serviceRole, toCfn)).to.equal("Allowed");
      expect(
        await asCreate("iam:PassRole", serviceRole, { "iam:PassedToService": "ec2.amazonaws.com" }),
      ).to.equal("ImplicitlyDenied");
      expect(await asCreate("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`, toCfn)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("reads trigger files (by version) but writes only .cf-created and .cf-failed", async () => {
      expect(await asCreate("s3:GetObject", `${users}/home/alice/c1.cf-create`)).to.equal(
        "Allowed",
      );
      expect(await asCreate("s3:GetObjectVersion", `${users}/home/alice/c1.cf-create`)).to.equal(
        "Allowed",
      );
      expect(await asCreate("s3:PutObject", `${users}/home/alice/c1.cf-created`)).to.equal(
        "Allowed",
      );
      expect(await asCreate("s3:PutObject", `${users}/home/alice/c1.cf-failed`)).to.equal(
        "Allowed",
      );
    });

    it("cannot write a trigger file (.cf-create or .cf-delete), so it cannot trigger itself", async () => {
      expect(await asCreate("s3:PutObject", `${users}/home/alice/c1.cf-create`)).to.equal(
        "ImplicitlyDenied",
      );
      expect(await asCreate("s3:PutObject", `${users}/home/alice/c1.cf-delete`)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("cannot read users' other files", async () => {
      expect(await asCreate("s3:GetObject", `${users}/home/alice/thesis.pdf`)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("checks provisioning by listing exactly <prefix>/<user>/configure.d/user.sh, nothing wider", async () => {
      expect(
        await asCreate("s3:ListBucket", customizer, {
          "s3:prefix": "customizer/alice/configure.d/user.sh",
        }),
      ).to.equal("Allowed");
      expect(await asCreate("s3:ListBucket", customizer, { "s3:prefix": "customizer/" })).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("reads the template and policy objects but no customizer script", async () => {
      expect(await asCreate("s3:GetObject", `${customizer}/${templateKey}`)).to.equal("Allowed");
      expect(
        await asCreate("s3:GetObject", `${customizer}/customizer/alice/configure.d/user.sh`),
      ).to.equal("ImplicitlyDenied");
    });

    it("sends email only from the configured sender identity", async () => {
      const sender = `arn:aws:ses:eu-west-1:${ACCOUNT}:identity/flightdeck@hpc.test`;
      expect(
        await asCreate("ses:SendEmail", sender, { "ses:FromAddress": "flightdeck@hpc.test" }),
      ).to.equal("Allowed");
      expect(
        await asCreate("ses:SendEmail", `arn:aws:ses:eu-west-1:${ACCOUNT}:identity/ceo@hpc.test`, {
          "ses:FromAddress": "ceo@hpc.test",
        }),
      ).to.equal("ImplicitlyDenied");
    });

    it("writes logs only to its own log group", async () => {
      const own = `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:/aws/lambda/fdtest-cf-create:log-stream:2024/01/01`;
      const other = `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:/aws/lambda/payroll:log-stream:2024/01/01`;
      expect(await asCreate("logs:PutLogEvents", own)).to.equal("Allowed");
      expect(await asCreate("logs:PutLogEvents", other)).to.equal("ImplicitlyDenied");
    });

    it("parks failed events in the dead-letter queue only", async () => {
      expect(
        await asCreate(
          "sqs:SendMessage",
          `arn:aws:sqs:eu-west-2:${ACCOUNT}:fdtest-handler-failures`,
        ),
      ).to.equal("Allowed");
      expect(await asCreate("sqs:SendMessage", `arn:aws:sqs:eu-west-2:${ACCOUNT}:orders`)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("receive and delete uploads from their own upload queue only, and send it none", async () => {
      const queue = (name: string) => `arn:aws:sqs:eu-west-2:${ACCOUNT}:${name}`;
      for (const [asRole, own, other] of [
        [asCreate, "fdtest-create-uploads", "fdtest-delete-uploads"],
        [asDelete, "fdtest-delete-uploads", "fdtest-create-uploads"],
      ] as const) {
        for (const action of [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:GetQueueAttributes",
        ]) {
          expect(await asRole(action, queue(own)), `${action} on ${own}`).to.equal("Allowed");
          expect(await asRole(action, queue(other)), `${action} on ${other}`).to.equal(
            "ImplicitlyDenied",
          );
        }
        expect(await asRole("sqs:SendMessage", queue(own))).to.equal("ImplicitlyDenied");
        expect(await asRole("sqs:PurgeQueue", queue(own))).to.equal("ImplicitlyDenied");
      }
    });
  });

  describe("cf-delete", () => {
    it("can delete and watch fd-* stacks only", async () => {
      expect(await asDelete("cloudformation:DeleteStack", stack("fd-alice-c1"))).to.equal(
        "Allowed",
      );
      expect(await asDelete("cloudformation:DescribeStacks", stack("fd-alice-c1"))).to.equal(
        "Allowed",
      );
      expect(await asDelete("cloudformation:DeleteStack", stack("prod-database"))).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("cannot create stacks", async () => {
      expect(
        await asDelete("cloudformation:CreateStack", stack("fd-alice-c1"), createStackContext),
      ).to.equal("ImplicitlyDenied");
    });

    it("cannot pass any role", async () => {
      expect(
        await asDelete("iam:PassRole", serviceRole, {
          "iam:PassedToService": "cloudformation.amazonaws.com",
        }),
      ).to.equal("ImplicitlyDenied");
    });

    it("writes .cf-deleted, .cf-failed and the lifetime files, never a trigger; reads only the two triggers it handles", async () => {
      for (const suffix of [".cf-deleted", ".cf-failed", ".cf-extended", ".cf-expiring"]) {
        expect(await asDelete("s3:PutObject", `${users}/home/alice/c1${suffix}`), suffix).to.equal(
          "Allowed",
        );
      }
      for (const suffix of [".cf-delete", ".cf-create", ".cf-extend"]) {
        expect(await asDelete("s3:PutObject", `${users}/home/alice/c1${suffix}`), suffix).to.equal(
          "ImplicitlyDenied",
        );
      }
      // An idle master's note in a .cf-delete, and a .cf-extend's hours.
      for (const suffix of [".cf-delete", ".cf-extend"]) {
        expect(await asDelete("s3:GetObject", `${users}/home/alice/c1${suffix}`), suffix).to.equal(
          "Allowed",
        );
      }
      for (const key of ["c1.cf-create", "c1.cf-created", "thesis.pdf"]) {
        expect(await asDelete("s3:GetObject", `${users}/home/alice/${key}`), key).to.equal(
          "ImplicitlyDenied",
        );
      }
    });

    it("removes the stale files of a deleted cluster", async () => {
      for (const suffix of [".cf-delete", ".cf-created", ".cf-failed"]) {
        expect(await asDelete("s3:DeleteObject", `${users}/home/alice/c1${suffix}`)).to.equal(
          "Allowed",
        );
      }
      expect(await asDelete("s3:DeleteObject", `${users}/home/alice/thesis.pdf`)).to.equal(
        "ImplicitlyDenied",
      );
    });

    it("cannot read the cluster template", async () => {
      expect(await asDelete("s3:GetObject", `${customizer}/${templateKey}`)).to.equal(
        "ImplicitlyDenied",
      );
    });
  });

  describe("cf-create without a LoginIp output in the template", () => {
    const template = loadClusterTemplate(FIXTURE_TEMPLATE_PATH).template;
    const withoutOutputs = { ...template, Outputs: {} };

    it("needs the instance lookup only when the output is missing", () => {
      expect(needsInstanceLookup(template)).to.equal(false);
      expect(needsInstanceLookup(withoutOutputs)).to.equal(true);
    });

    it("may then describe the stack's resources and EC2 instances, and nothing more", async () => {
      const statements = createHandlerStatements({
        scope: FIXTURE_SCOPE,
        stackPrefix: "fd",
        userBucket: "users",
        customizerBucket: "customizer",
        policyKey: "p.json",
        logGroupName: "/aws/lambda/fd-cf-create",
        deadLetterQueueArn: `arn:aws:sqs:eu-west-2:${ACCOUNT}:dlq`,
        uploadQueueArn: `arn:aws:sqs:eu-west-2:${ACCOUNT}:fd-create-uploads`,
        registryTableArn: `arn:aws:dynamodb:eu-west-2:${ACCOUNT}:table/fd-clusters`,
        customizerPrefix: "customizer",
        templateKey: "t.json",
        templateUrl: "https://customizer.s3.eu-west-2.amazonaws.com/t.json",
        serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/svc`,
        ssmParameterArns: [],
        needsInstanceLookup: true,
      });
      const policy = {
        Version: "2012-10-17",
        Statement: statements.map((s) => ({ ...s })),
      } as Parameters<typeof decide>[0];
      const asCreate = (action: string, resource: string) =>
        decide(policy, { principal: `arn:aws:iam::${ACCOUNT}:role/c`, action, resource });
      expect(
        await asCreate("cloudformation:DescribeStackResources", stack("fd-alice-c1")),
      ).to.equal("Allowed");
      expect(await asCreate("ec2:DescribeInstances", "*")).to.equal("Allowed");
      expect(await asCreate("cloudformation:DescribeStackResources", stack("prod"))).to.equal(
        "ImplicitlyDenied",
      );
    });
  });
});
