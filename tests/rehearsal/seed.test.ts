import { readFileSync } from "node:fs";
import { expect } from "chai";
import type { Cluster } from "../support/rehearsal/cluster.js";
import { DOTTED_USER } from "../support/rehearsal/deployment.js";
import { rehearsalSuite } from "../support/rehearsal/suite.js";

/*
 * The seed's own example config, merged as cf-create merges it: spot
 * r4.large compute nodes at $0.03 an hour (the market is below that here),
 * up to 25 of them, none at the start. Its first job runs, and deleting the
 * cluster terminates every compute instance. Its owner is `John.Smith`, an
 * IAM name Linux refuses: the nodes run the customizers in their folder
 * `customizer/John.Smith/`, and they log in and run jobs as `john_smith`.
 */

const SEED_CONFIG = JSON.parse(
  readFileSync(new URL("../fixtures/configs/seed-example.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

rehearsalSuite(
  "rehearsal: the seed's config",
  { name: "seed", budgetSeconds: 300, secondsPerMinute: 4, spotPrice: 0.0262 },
  (rehearsal) => {
    let cluster: Cluster;
    let created = 0;

    it("builds the cluster, the master signalling success", async () => {
      created = Date.now() / 1000;
      cluster = await rehearsal().createCluster(DOTTED_USER, "seed", SEED_CONFIG);
      const stack = await cluster.stack();
      expect(stack.status).to.equal("CREATE_COMPLETE");
      expect(stack.signals.map((s) => s.status)).to.deep.equal(["SUCCESS"]);
      expect(stack.outputs["LoginUser"]).to.equal("john_smith");
      rehearsal().figure("CreateStack to CREATE_COMPLETE", Date.now() / 1000 - created);
    });

    it("runs its first job", async () => {
      const submitted = Date.now() / 1000;
      const id = await cluster.sbatch("-o first-%j.out --wrap 'srun hostname; nproc'");
      const job = await rehearsal().waitFor(`job ${id} to complete`, 180, async () => {
        const record = await cluster.jobRecord(id);
        return record.state === "COMPLETED" ? record : undefined;
      });
      expect((await cluster.login(`cat first-${id}.out`)).split("\n")[0]).to.equal("compute-1");
      expect((await cluster.login("pwd; id -un")).trim().split("\n")).to.deep.equal([
        "/home/john_smith",
        "john_smith",
      ]);
      const [instance] = await cluster.computeInstances();
      expect(instance?.instanceType).to.equal("r4.large");
      rehearsal().figure(
        "seed config: submit to start of the first job",
        (job.start ?? 0) - submitted,
      );
      rehearsal().figure("CreateStack to the first job's start", (job.start ?? 0) - created);
    });

    it("terminates every compute instance when the cluster is deleted", async () => {
      const stack = await cluster.delete();
      expect(stack.status).to.equal("DELETE_COMPLETE");
      expect((await cluster.instances()).map((i) => i.state)).to.satisfy((states: string[]) =>
        states.every((state) => state === "terminated"),
      );
    });

    it("made no AWS call the instance roles do not allow", async () => {
      const { calls, instances } = await rehearsal().aws.report();
      expect(calls.filter((c) => c.decision !== "Allowed")).to.deep.equal([]);
      const kind = new Map(instances.map((i) => [i.id, i.kind]));
      const counts = new Map<string, number>();
      for (const call of calls) {
        const key = `${kind.get(call.instanceId)} ${call.action}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of [...counts].sort()) console.log(`      calls: ${key} ×${count}`);
    });
  },
);
