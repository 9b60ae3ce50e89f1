import { expect } from "chai";
import { clusterRequestCommand } from "../../../cli/commands/cluster-request.js";
import { contextFor, MemoryHome } from "../../support/memory-home.js";

/*
 * Deleting a cluster the user's home has no file of
 * would otherwise show "deleting" for ever. The home is all FlightDeck
 * knows a user's clusters by, so the CLI says there is no such cluster.
 */

describe("flightdeck delete of a cluster that does not exist", () => {
  it("says so, exits 1, and sends nothing", async () => {
    const home = new MemoryHome();
    home.put("c1.cf-created", "203.0.113.7\n");
    const { ctx } = contextFor(home);
    const error = await clusterRequestCommand(ctx, "delete", "nosuch", { wait: true }).then(
      () => expect.fail("deleted"),
      (e: Error & { exitCode?: number }) => e,
    );
    expect(error.exitCode).to.equal(1);
    expect(error.message).to.equal(
      "No cluster named nosuch in s3://fd-users/home/alice/: nothing to delete. See your clusters with: flightdeck status. If you removed its files while it was running, send the delete anyway with --force.",
    );
    expect(home.writes).to.deep.equal([]);
  });

  it("sends it anyway with --force", async () => {
    const home = new MemoryHome();
    const { ctx } = contextFor(home);
    expect(await clusterRequestCommand(ctx, "delete", "gone", { force: true })).to.equal(0);
    expect(home.writes).to.deep.equal(["home/alice/gone.cf-delete"]);
  });
});
