import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { REHEARSAL_ROOT } from "../support/rehearsal/host.js";
import {
  awsNamespace,
  createAwsNetwork,
  namespacesWithPrefix,
  processesIn,
} from "../support/rehearsal/network.js";
import { sweepStaleRuns } from "../support/rehearsal/run.js";
import { requireRehearsalHost } from "../support/rehearsal/suite.js";

/* The rehearsal's own housekeeping: a run that died leaves nothing behind for long. */

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
