import { isLeft, isRight, type Either } from "fp-ts/lib/Either.js";
import { expect } from "chai";

/** The success value, failing the test with the errors if there is none. */
export function rightOf<E, A>(result: Either<E, A>): A {
  if (isLeft(result)) expect.fail(`expected success, got ${JSON.stringify(result.left, null, 2)}`);
  return result.right;
}

/** The failure value, failing the test if the result succeeded. */
export function leftOf<E, A>(result: Either<E, A>): E {
  if (isRight(result))
    expect.fail(`expected failure, got ${JSON.stringify(result.right, null, 2)}`);
  return result.left;
}
