import { expect } from "chai";
import { isRight } from "fp-ts/lib/Either.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { readableErrors } from "../../../functions/shared/readable-errors.js";
import { derivedUid, MAX_UID, MIN_UID, UidCodec } from "../../../functions/shared/user-uid.js";
import { leftOf } from "../../support/either.js";

const accepts = (input: unknown) => {
  const decoded = UidCodec.decode(input);
  return isRight(decoded) ? decoded.right : undefined;
};

describe("user UIDs", () => {
  it("takes a whole number from 1000 to 2147483647, as a number or its digits", () => {
    expect(accepts(MIN_UID)).to.equal("1000");
    expect(accepts("1000")).to.equal("1000");
    expect(accepts(MAX_UID)).to.equal("2147483647");
    expect(accepts("457479")).to.equal("457479");
  });

  it("refuses the edges just outside, nobody (65534), and anything not plain digits", () => {
    for (const input of [
      999,
      "999",
      MAX_UID + 1,
      "2147483648",
      65_534,
      "65534",
      "01000",
      "1000 ",
      " 1000",
      "1e4",
      "10000000000",
      1000.5,
      -1000,
      null,
      true,
    ]) {
      expect(accepts(input), JSON.stringify(input)).to.equal(undefined);
    }
  });

  it("says what a UID may be, in the settings' words", () => {
    expect(readableErrors(leftOf(UidCodec.decode(65_534)))).to.deep.equal([
      "The value must be a whole number from 1000 to 2147483647, other than 65534 (nobody) (got 65534).",
    ]);
  });

  it("derives the same UID for an id every time, inside 100000–499999", () => {
    expect(derivedUid("alice" as UserId)).to.equal(457_479);
    expect(derivedUid("bob" as UserId)).to.equal(464_244);
    expect(derivedUid("Alice.Smith" as UserId)).to.equal(458_462);
    for (const id of ["a", "zz", "x".repeat(64), "é"]) {
      const uid = derivedUid(id as UserId);
      expect(uid, id).to.be.within(100_000, 499_999);
    }
  });
});
