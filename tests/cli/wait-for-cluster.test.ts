import { expect } from "chai";
import { getEventListeners } from "node:events";
import { Output } from "../../cli/output.js";
import type { UserBucket } from "../../cli/user-bucket.js";
import { waitForCluster } from "../../cli/wait-for-cluster.js";
import { cli } from "../support/run-cli.js";
import { MemoryHome } from "../support/memory-home.js";

/*
 * Waiting. A long `--wait` must not pile up a
 * listener per poll on the Ctrl-C signal, and a mistyped poll interval is
 * refused, never turned into a poll every millisecond.
 */

describe("waiting for a cluster", () => {
  it("leaves no abort listener behind, however many times it polls", async () => {
    const home = new MemoryHome();
    home.put("c1.cf-create");
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const out = new Output(
        { stdout: { write: () => true }, stderr: { write: () => true }, env: {} },
        false,
        false,
      );
      const result = await waitForCluster(home as unknown as UserBucket, out, {
        cluster: "c1",
        until: ["running"],
        timeoutMs: 300,
        intervalMs: 1,
        signal: controller.signal,
      });
      expect(result.kind).to.equal("timeout");
      expect(home.listings).to.be.above(20);
      expect(getEventListeners(controller.signal, "abort")).to.have.length(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.to.include("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("create --wait with a bad FLIGHTDECK_POLL_SECONDS is a usage error naming it, before anything is sent", async () => {
    for (const bad of ["abc", "0", "-1"]) {
      const run = await cli(["create", "c1", "--wait"], {
        FLIGHTDECK_POLL_SECONDS: bad,
        FLIGHTDECK_BUCKET: "fd-users",
      });
      expect(run.code, bad).to.equal(2);
      expect(run.stderr, bad).to.equal(
        `error: FLIGHTDECK_POLL_SECONDS="${bad}": use a number of seconds from 0.1 to 3600, such as 5 (how often --wait looks), or unset it.\n`,
      );
    }
  });
});
