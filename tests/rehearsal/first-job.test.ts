import { expect } from "chai";
import { Rehearsal, rehearsalBlockers, type Cluster } from "../support/rehearsal/cluster.js";

describe("rehearsal: a first job", function () {
  this.timeout(600_000);
  let rehearsal: Rehearsal;
  let cluster: Cluster;

  before(async function () {
    const blockers = rehearsalBlockers();
    if (blockers.length > 0) {
      if (process.env["CI"])
        throw new Error(`the rehearsal cannot run here: ${blockers.join(", ")}`);
      console.warn(
        `      the rehearsal cannot run here (${blockers.join(", ")}): skipping it (CI runs it).`,
      );
      this.skip();
    }
    rehearsal = await Rehearsal.start({
      name: "first-job",
      budgetSeconds: 500,
      secondsPerMinute: 4,
    });
  });

  after(async () => {
    await rehearsal?.stop();
  });

  it("boots the master and signals success", async () => {
    cluster = await rehearsal.createCluster("alice", "c1", {});
    const stack = await cluster.stack();
    expect(stack.signals.map((s) => s.status)).to.deep.equal(["SUCCESS"]);
  });

  it("runs a job on a compute node", async () => {
    const id = await cluster.sbatch("-N1 -o out-%j.txt --wrap 'hostname; srun hostname'");
    await rehearsal.waitFor(
      `job ${id} to finish`,
      120,
      async () => (await cluster.job(id)) === undefined,
    );
    console.log(await cluster.login(`cat out-${id}.txt`));
    rehearsal.pass();
  });
});
