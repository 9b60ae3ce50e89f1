import { expect } from "chai";
import { pollIntervalMs } from "../../cli/wait-for-cluster.js";

describe("how often --wait looks", () => {
  it("refuses a FLIGHTDECK_POLL_SECONDS that is not a sensible number of seconds", () => {
    expect(pollIntervalMs({})).to.equal(5_000);
    expect(pollIntervalMs({ FLIGHTDECK_POLL_SECONDS: "0.2" })).to.equal(200);
    expect(pollIntervalMs({ FLIGHTDECK_POLL_SECONDS: "30" })).to.equal(30_000);
    for (const bad of ["abc", "0", "-1", "0.01", "1e3", "5s", "99999"]) {
      expect(() => pollIntervalMs({ FLIGHTDECK_POLL_SECONDS: bad }), bad).to.throw(
        `FLIGHTDECK_POLL_SECONDS="${bad}": use a number of seconds from 0.1 to 3600`,
      );
    }
  });
});
