import { expect } from "chai";
import { readFileSync } from "node:fs";
import { parseFailureBody } from "../../functions/shared/result-files.js";
import { FakeEc2Pricing } from "../support/fake-ec2-pricing.js";
import { fixtureJson, fixturePath } from "../support/fixtures.js";
import { LocalAws } from "../support/local-aws.js";
import { localPolicy } from "../support/local-policy.js";

/*
 * The built Lambda bundles (dist/functions), run against s3rver on loopback
 * with CloudFormation and SES played by a fake on the AWS Query protocol.
 * Each test drives S3 events as S3 would send them (key URL-encoded), then
 * the stack-status events CloudFormation would send through EventBridge.
 */

const seedExample = readFileSync(fixturePath("configs/seed-example.json"), "utf8");
const policy = localPolicy({
  limits: { maxComputeNodes: 30, maxClusters: 3 },
  users: { alice: { email: "alice@example.org" } },
  tags: { Project: "flightdeck-tests" },
});

describe("the built Lambda bundles over real S3 (s3rver)", function () {
  this.timeout(30_000);
  let aws: LocalAws;

  beforeEach(async () => {
    aws = new LocalAws({
      policy,
      template: fixtureJson("templates/seed-like.json"),
      provisioned: ["alice", "carol"],
    });
    await aws.start();
  });
  afterEach(async () => aws.stop());

  const create = async (key: string, body: string) => aws.deliver(await aws.upload(key, body));
  const remove = async (key: string) => aws.deliver(await aws.upload(key, ""));
  const reasons = (text: string | undefined) => parseFailureBody(text ?? "")?.reasons;

  it("turns the seed's example into a cluster and reports its login IP", async () => {
    await create("home/alice/c1.cf-create", seedExample);
    const stack = aws.cfn.live("fd-alice-c1");
    expect(stack?.parameters).to.include({
      AccessUsername: "alice",
      FlightProfiles: "alice",
      ComputeMaxNodes: "25",
    });
    expect(stack?.tags).to.deep.equal({
      Project: "flightdeck-tests",
      USER: "alice",
      CLUSTER: "c1",
      ManagedBy: "flightdeck",
      FlightDeckDeployment: "fdtest",
    });
    expect(stack?.roleArn).to.equal("arn:aws:iam::111122223333:role/flightdeck/cluster-builder");
    expect(await aws.home("alice")).to.have.keys("c1.cf-create");
    expect(aws.cfn.emails).to.have.length(0);

    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
    await aws.statusEvent("fd-alice-c1");
    expect(await aws.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
    expect(aws.cfn.emails.map((e) => [e.to, e.subject])).to.deep.equal([
      [["admin@example.org", "alice@example.org"], "[FlightDeck] alice/c1 is ready at 203.0.113.7"],
    ]);
  });

  it("finds the login IP through EC2 when the template has no LoginIp output (the lookup loaded on first use)", async () => {
    const ec2 = new FakeEc2Pricing();
    const ec2Url = await ec2.start();
    const withEc2 = new LocalAws({
      policy,
      template: fixtureJson("templates/seed-like.json"),
      provisioned: ["alice"],
      env: { AWS_ENDPOINT_URL_EC2: ec2Url },
    });
    await withEc2.start();
    try {
      await withEc2.deliver(await withEc2.upload("home/alice/c1.cf-create", seedExample));
      const stack = withEc2.cfn.live("fd-alice-c1");
      expect(stack).to.not.equal(undefined);
      if (stack !== undefined) stack.instanceId = "i-0master";
      const running = (id: string, publicIp: string) => ({
        id,
        type: "r4.large",
        zone: "eu-west-2a",
        launchTime: "2026-12-07T05:00:00.000Z",
        state: "running",
        tags: {},
        volumes: [],
        publicIp,
      });
      ec2.instances.push(running("i-0other", "198.51.100.1"), running("i-0master", "203.0.113.44"));
      withEc2.cfn.transition("fd-alice-c1", "CREATE_COMPLETE");
      await withEc2.statusEvent("fd-alice-c1");
      expect(await withEc2.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.44\n" });
      const asked = ec2.seen.filter((request) => request.action === "DescribeInstances");
      expect(asked).to.have.length(1);
      expect(asked[0]?.params?.get("InstanceId.1")).to.equal("i-0master");
      expect(asked[0]?.params?.get("Version")).to.equal("2016-11-15");
    } finally {
      await withEc2.stop();
      await ec2.stop();
    }
  });

  it("reports a failed stack's reason, then removes the stack without claiming it was deleted", async () => {
    await create("home/alice/c1.cf-create", seedExample);
    aws.cfn.resourceEvent(
      "fd-alice-c1",
      "ComputeGroup",
      "AWS::AutoScaling::AutoScalingGroup",
      "CREATE_FAILED",
      "You have requested more vCPU capacity than your current vCPU limit of 16 allows.",
    );
    aws.cfn.transition("fd-alice-c1", "ROLLBACK_IN_PROGRESS");
    aws.cfn.transition("fd-alice-c1", "ROLLBACK_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    const home = await aws.home("alice");
    expect(Object.keys(home)).to.deep.equal(["c1.cf-failed"]);
    expect(reasons(home["c1.cf-failed"])).to.deep.equal([
      "ComputeGroup (AWS::AutoScaling::AutoScalingGroup) failed: You have requested more vCPU capacity than your current vCPU limit of 16 allows.",
    ]);
    expect(aws.cfn.stacks[0]?.deleteToken).to.match(/^fd-cleanup-/);

    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    expect(Object.keys(await aws.home("alice"))).to.deep.equal(["c1.cf-failed"]);
    expect(aws.cfn.emails.map((e) => e.subject)).to.deep.equal([
      "[FlightDeck] alice/c1 could not be created",
    ]);
  });

  it("deletes a cluster and ends in .cf-deleted", async () => {
    await create("home/alice/c1.cf-create", seedExample);
    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
    await aws.statusEvent("fd-alice-c1");

    await remove("home/alice/c1.cf-delete");
    expect(aws.cfn.stacks[0]?.status).to.equal("DELETE_IN_PROGRESS");
    expect(aws.cfn.stacks[0]?.deleteToken).to.match(/^fd-delete-/);
    aws.cfn.transition("fd-alice-c1", "DELETE_COMPLETE");
    await aws.statusEvent("fd-alice-c1");
    expect(await aws.home("alice")).to.deep.equal({
      "c1.cf-deleted":
        'Cluster "c1" has been deleted.\nYour home directory is kept: your next cluster mounts it again. Its /scratch and everything else outside your home went with it.\nResults copied out with flightdeck-sync (on the cluster) are kept in home/alice/results/c1/.\n',
    });
    expect(aws.cfn.emails.map((e) => e.subject)).to.include(
      "[FlightDeck] alice/c1 has been deleted",
    );
  });

  it("creates nothing twice for duplicate and out-of-order events", async () => {
    const upload = await aws.upload("home/alice/c1.cf-create", seedExample);
    await aws.deliver(upload);
    await aws.deliver(upload);
    // A status event that overtakes the stack: the stack is re-read and is still in progress.
    await aws.statusEvent("fd-alice-c1", { status: "CREATE_COMPLETE" });
    expect(await aws.home("alice")).to.have.keys("c1.cf-create");

    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
    await aws.statusEvent("fd-alice-c1");
    await aws.statusEvent("fd-alice-c1", { status: "CREATE_IN_PROGRESS" });
    // The user drops the same file again once the cluster is up: it is reconciled, not rebuilt.
    await create("home/alice/c1.cf-create", seedExample);
    expect(aws.cfn.stacks).to.have.length(1);
    expect(aws.cfn.callsOf("CreateStack")).to.have.length(1);
    expect(await aws.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
  });

  it("retries throttling: the SDK first, then the queue's next receive of the upload", async () => {
    aws.cfn.fail("CreateStack", "Throttling", 2);
    await create("home/alice/c1.cf-create", seedExample);
    expect(aws.cfn.callsOf("CreateStack")).to.have.length(3);
    expect(aws.cfn.live("fd-alice-c1")?.status).to.equal("CREATE_IN_PROGRESS");

    aws.cfn.fail("CreateStack", "Throttling", 100);
    const upload = await aws.upload("home/alice/c2.cf-create", seedExample);
    let thrown: unknown;
    await aws.deliver(upload).catch((e: unknown) => (thrown = e));
    // The function names the message as failed: SQS delivers it again, the rest of the batch not.
    expect((thrown as Error).name).to.equal("MessageFailed");
    expect(await aws.home("alice")).to.have.keys("c1.cf-create", "c2.cf-create");

    aws.cfn.faults.clear();
    await aws.deliver(upload);
    expect(aws.cfn.live("fd-alice-c2")?.status).to.equal("CREATE_IN_PROGRESS");
  });

  it("still runs an S3 notification that invokes it directly, as those in flight at an upgrade do", async () => {
    aws.cfn.fail("CreateStack", "Throttling", 100);
    const upload = await aws.upload("home/alice/c1.cf-create", seedExample);
    let thrown: unknown;
    await aws
      .createHandler({ Records: [upload] }, aws.context())
      .catch((e: unknown) => (thrown = e));
    // Invoked directly, a failure throws, so Lambda retries the event and then dead-letters it.
    expect((thrown as Error).name).to.equal("RecordsFailed");
    aws.cfn.faults.clear();
    expect(await aws.createHandler({ Records: [upload] }, aws.context())).to.equal(undefined);
    expect(aws.cfn.live("fd-alice-c1")?.status).to.equal("CREATE_IN_PROGRESS");
  });

  it("still writes .cf-created when SES is down", async () => {
    aws.cfn.sesDown = true;
    await create("home/alice/c1.cf-create", seedExample);
    aws.cfn.transition("fd-alice-c1", "CREATE_COMPLETE", { outputs: { LoginIp: "203.0.113.7" } });
    await aws.statusEvent("fd-alice-c1");
    expect(await aws.home("alice")).to.deep.equal({ "c1.cf-created": "203.0.113.7\n" });
    expect(aws.cfn.callsOf("SendEmail").length).to.be.greaterThan(0);
    expect(aws.cfn.emails).to.have.length(0);
  });

  describe("refusals end in .cf-failed, create nothing and touch no other home", () => {
    let carolsHome: Record<string, string>;
    beforeEach(async () => {
      await aws.put("fd-users", "home/carol/notes.txt", "carol's");
      carolsHome = await aws.home("carol");
    });
    afterEach(async () => {
      expect(await aws.home("carol")).to.deep.equal(carolsHome);
      expect(aws.cfn.callsOf("CreateStack")).to.have.length(0);
      expect(aws.cfn.callsOf("DeleteStack")).to.have.length(0);
    });

    it("an unprovisioned user", async () => {
      await create("home/bob/c1.cf-create", seedExample);
      expect(reasons((await aws.home("bob"))["c1.cf-failed"])?.[0]).to.match(
        /^User bob is not provisioned/,
      );
    });

    it("a reserved parameter", async () => {
      await create("home/alice/c1.cf-create", '{"AccessUsername": "carol"}');
      expect(reasons((await aws.home("alice"))["c1.cf-failed"])).to.deep.equal([
        "AccessUsername is set by FlightDeck itself and cannot be changed in a cluster config.",
      ]);
    });

    it("a config over the admin's limits", async () => {
      await create("home/alice/c1.cf-create", '{"ComputeMaxNodes": 500}');
      expect(reasons((await aws.home("alice"))["c1.cf-failed"])).to.deep.equal([
        "ComputeMaxNodes is 500, above your limit of 30; ask your administrator to raise it.",
      ]);
    });

    it("a delete of a stack whose USER tag is another user's", async () => {
      // A stack under bob's name but tagged for carol (say, tampered with): bob may not delete it.
      aws.cfn.stacks.push({
        stackId: "arn:aws:cloudformation:eu-west-2:111122223333:stack/fd-bob-c1/1",
        name: "fd-bob-c1",
        status: "CREATE_COMPLETE",
        parameters: {},
        tags: { USER: "carol" },
        outputs: {},
        events: [],
      });
      await remove("home/bob/c1.cf-delete");
      expect(reasons((await aws.home("bob"))["c1.cf-failed"])).to.deep.equal([
        "The stack named fd-bob-c1 is not one of FlightDeck's clusters for you; nothing was deleted. Ask your administrator.",
      ]);
    });

    it("a key with a space in the cluster name, sent URL-encoded as S3 does", async () => {
      await create("home/alice/my cluster.cf-create", "{}");
      expect(aws.s3Events.map((e) => e.s3.object.key)).to.include(
        "home/alice/my+cluster.cf-create",
      );
      expect(reasons((await aws.home("alice"))["my cluster.cf-failed"])?.[0]).to.match(
        /"my cluster" is not a valid cluster name/,
      );
    });
  });
});
