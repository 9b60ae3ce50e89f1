import { expect } from "chai";
import {
  MIN_RESERVED_CONCURRENCY,
  uploadConcurrency,
} from "../../../stacks/settings/upload-concurrency.js";

describe("uploadConcurrency", () => {
  it("leaves stack events and the sweep two executions however the function is reserved", () => {
    expect(uploadConcurrency(MIN_RESERVED_CONCURRENCY)).to.equal(2);
    expect(uploadConcurrency(10)).to.equal(8);
    expect(uploadConcurrency(100)).to.equal(98);
    expect(uploadConcurrency(undefined)).to.equal(8);
  });

  it("refuses a reservation that would leave uploads fewer than SQS's minimum of two", () => {
    expect(() => uploadConcurrency(MIN_RESERVED_CONCURRENCY - 1)).to.throw(
      "A reserved concurrency of 3 leaves uploads fewer than 2 executions; reserve at least 4.",
    );
  });
});
