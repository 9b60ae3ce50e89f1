import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { controlRequest } from "../support/rehearsal/control-client.js";
import { IMAGE_ID, stackParameters } from "../support/rehearsal/fake-aws/stack-parameters.js";
import { REHEARSAL_ROOT } from "../support/rehearsal/host.js";
import {
  awsNamespace,
  createAwsNetwork,
  namespacesWithPrefix,
  processesIn,
} from "../support/rehearsal/network.js";
import { sweepStaleRuns } from "../support/rehearsal/run.js";
import { requireRehearsalHost } from "../support/rehearsal/suite.js";

/*
 * The rehearsal's own machinery: what a dead run leaves, the test's line to
 * the fake, and the fake CloudFormation's parameters.
 */

/** Blocks this thread (timers, I/O and all) until `done` holds, for at most `seconds`. */
function blockUntil(done: () => boolean, seconds: number): void {
  const until = Date.now() + seconds * 1000;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!done() && Date.now() < until) Atomics.wait(cell, 0, 0, 50);
}

describe("rehearsal: what a dead run leaves", function () {
  this.timeout(60_000);

  before(function () {
    requireRehearsalHost(this);
  });

  it("is swept by the next run: its namespaces and what still runs in them", async () => {
    const runId = "dead00";
    const dir = join(REHEARSAL_ROOT, runId);
    mkdirSync(dir, { recursive: true });
    // An owner that has exited: a pid that is surely not running.
    writeFileSync(join(dir, "owner.json"), JSON.stringify({ pid: 2 ** 22 + 1, name: "dead" }));
    const ns = createAwsNetwork(runId);
    const orphan = spawn("nsenter", [`--net=/var/run/netns/${ns}`, "sleep", "300"], {
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => orphan.once("exit", resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(processesIn(ns)).to.include(orphan.pid);

    const swept = sweepStaleRuns();
    expect(swept).to.include(awsNamespace(runId));
    expect(namespacesWithPrefix(`fdr-${runId}-`)).to.deep.equal([]);
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("rehearsal: the test's requests to the fake AWS", function () {
  this.timeout(60_000);

  it("still get through after the test blocked longer than the fake keeps an idle connection", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fdr-control-"));
    const socket = join(dir, "aws.sock");
    const closed = join(dir, "closed");
    // A server as the fake's control server is (Node's defaults), in a process
    // of its own as the fake is, noting when it closes an idle connection.
    const server = spawn(
      process.execPath,
      [
        "-e",
        `const { createServer } = require("node:http");
         const { writeFileSync } = require("node:fs");
         const server = createServer((q, r) => { q.resume(); q.on("end", () => r.end("{}")); });
         server.on("connection", (s) => s.on("close", () => writeFileSync(process.argv[2], "")));
         server.listen(process.argv[1], () => console.log(server.keepAliveTimeout));`,
        socket,
        closed,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const idleMs = await new Promise<number>((resolve) =>
        server.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString()))),
      );
      await controlRequest(socket, "GET", "/report");
      const since = Date.now();
      // As Cluster.exec's spawnSync does: nothing of this process runs meanwhile.
      blockUntil(() => existsSync(closed) && Date.now() - since > idleMs + 1000, 30);
      expect(existsSync(closed), "the server closed the idle connection").to.equal(true);
      expect(await controlRequest(socket, "GET", "/report")).to.deep.equal({});
    } finally {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rehearsal: the fake CloudFormation's parameters", () => {
  const declarations = {
    VpcId: { Type: "AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>" },
    SubnetIds: { Type: "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>" },
    ImageId: {
      Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
      Default: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    },
    ClusterName: { Type: "String" },
  };
  const given = {
    VpcId: "/flightdeck/d/network/vpc-id",
    SubnetIds: "/flightdeck/d/network/subnet-ids",
    ClusterName: "c1",
  };

  it("resolves SSM-typed parameters from the parameter store: a list for a List type, AWS's public image ids to the rehearsal's one image", () => {
    const store = new Map([
      ["/flightdeck/d/network/vpc-id", "vpc-0a"],
      ["/flightdeck/d/network/subnet-ids", "subnet-0a,subnet-0b"],
    ]);
    expect(stackParameters(declarations, given, store)).to.deep.equal({
      VpcId: "vpc-0a",
      SubnetIds: ["subnet-0a", "subnet-0b"],
      ImageId: IMAGE_ID,
      ClusterName: "c1",
    });
  });

  it("refuses the stack, as CloudFormation does, when a named SSM parameter does not exist", () => {
    const store = new Map([["/flightdeck/d/network/vpc-id", "vpc-0a"]]);
    expect(() => stackParameters(declarations, given, store)).to.throw(
      "Unable to fetch parameters [/flightdeck/d/network/subnet-ids] from parameter store for this account.",
    );
  });
});
