import { expect } from "chai";
import { isTransient } from "../../../../functions/shared/runtime/faults.js";

describe("fault classification", () => {
  it("retries throttling, 5xx, timeouts and dropped connections", () => {
    expect(isTransient(Object.assign(new Error(), { name: "Throttling" }))).to.equal(true);
    expect(isTransient(Object.assign(new Error(), { name: "SlowDown" }))).to.equal(true);
    expect(
      isTransient(Object.assign(new Error(), { name: "X", $metadata: { httpStatusCode: 503 } })),
    ).to.equal(true);
    expect(isTransient(Object.assign(new Error(), { $retryable: {} }))).to.equal(true);
    expect(isTransient(Object.assign(new Error(), { code: "ECONNRESET" }))).to.equal(true);
  });

  it("does not retry what a retry cannot fix", () => {
    expect(
      isTransient(
        Object.assign(new Error(), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }),
      ),
    ).to.equal(false);
    expect(
      isTransient(
        Object.assign(new Error(), { name: "ValidationError", $metadata: { httpStatusCode: 400 } }),
      ),
    ).to.equal(false);
    expect(isTransient("boom")).to.equal(false);
    expect(isTransient(null)).to.equal(false);
  });
});
