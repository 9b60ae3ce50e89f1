import { expect } from "chai";
import { extendCommand } from "../../../cli/commands/extend.js";
import type { ClusterName } from "../../../functions/shared/identifiers.js";
import { extendedFile } from "../../../functions/shared/lifetime-files.js";
import { contextFor, MemoryHome } from "../../support/memory-home.js";

/*
 * `extend --wait` waits as create and delete do
 * (Ctrl-C stops it at once), and knows its answer by S3's clock alone: a
 * local clock an hour off neither hides the answer nor passes an old one.
 */

const EXPIRES = Date.UTC(2030, 0, 1, 12, 0, 0);

/** A home with c1 running, where FlightDeck answers each `.cf-extend` as cf-delete does. */
function runningCluster(answer: boolean): MemoryHome {
  const home = new MemoryHome();
  home.put("c1.cf-created", "203.0.113.7\n");
  home.onWrite = (key) => {
    if (!answer || !key.endsWith(".cf-extend")) return;
    setTimeout(() => {
      const file = extendedFile(home.user, "c1" as ClusterName, {
        granted: true,
        expiresAt: EXPIRES,
      });
      home.put("c1.cf-extended", file.body);
      void home.remove("home/alice/c1.cf-extend");
    }, 20);
  };
  return home;
}

describe("flightdeck extend --wait", function () {
  this.timeout(20_000);

  it("finds the answer though the local clock is an hour ahead of S3's", async () => {
    const home = runningCluster(true);
    const { ctx, printed } = contextFor(home, { env: { FLIGHTDECK_POLL_SECONDS: "0.1" } });
    const code = await extendCommand(ctx, "c1", { wait: true, timeout: "3s" });
    expect(code, printed.stderr).to.equal(0);
    expect(printed.stdout).to.equal("✔ Cluster c1 now expires at 2030-01-01T12:00:00Z.\n");
  });

  it("stops at once on Ctrl-C, however long the poll interval", async () => {
    const home = runningCluster(false);
    const controller = new AbortController();
    const { ctx, printed } = contextFor(home, {
      env: { FLIGHTDECK_POLL_SECONDS: "60" },
      signal: controller.signal,
    });
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    const code = await extendCommand(ctx, "c1", { wait: true, timeout: "10m" });
    expect(code).to.equal(130);
    expect(Date.now() - started).to.be.below(2_000);
    expect(printed.stderr).to.contain("Stopped waiting; nothing was cancelled.");
  });

  it("says a cluster with no files does not exist, and sends nothing", async () => {
    const home = new MemoryHome();
    const { ctx } = contextFor(home);
    const error = await extendCommand(ctx, "c9", {}).then(
      () => expect.fail("extended"),
      (e: Error) => e,
    );
    expect(error.message).to.match(
      /^No cluster named c9 in s3:\/\/fd-users\/home\/alice\/: nothing to extend/,
    );
    expect(home.writes).to.deep.equal([]);
  });
});
