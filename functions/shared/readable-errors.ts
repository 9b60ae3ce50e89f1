import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";

/**
 * Builds a string codec whose failures read as plain sentences.
 *
 * `expectation` completes the sentence "<field> must be …", so it is phrased
 * for a researcher, not a type checker: `"a whole number from 0 to 1000"`.
 * `normalise` returns the canonical string for an accepted input (numbers
 * and booleans included), or `undefined` to reject it.
 */
export function sentenceCodec<A extends string>(
  name: string,
  expectation: string,
  normalise: (input: unknown) => string | undefined,
): t.Type<A, string, unknown> {
  return new t.Type<A, string, unknown>(
    name,
    (u): u is A => typeof u === "string" && normalise(u) === u,
    (u, c) => {
      const value = normalise(u);
      return value === undefined
        ? t.failure(u, c, `must be ${expectation}`)
        : t.success(value as A);
    },
    (a) => a,
  );
}

/**
 * A string codec for values a regular expression describes, refused with
 * "<field> must be <expectation>". The one way the core and the settings
 * declare such a value.
 *
 * @example
 * const Region = patternCodec("Region", /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region name such as "eu-west-2"');
 */
export function patternCodec<A extends string = string>(
  name: string,
  pattern: RegExp,
  expectation: string,
): t.Type<A, string, unknown> {
  return sentenceCodec<A>(name, expectation, (input) =>
    typeof input === "string" && pattern.test(input) ? input : undefined,
  );
}

/** Shows a rejected value briefly: long or nested values are cut, never dumped whole. */
export function previewValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Too deep or circular to print: String() would recurse just as far.
    text = Array.isArray(value) ? "[…]" : typeof value === "object" ? "{…}" : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fieldPath(context: t.Context): string {
  return context
    .map((entry) => entry.key)
    .filter((key) => key !== "" && !/^\d+$/.test(key))
    .join(".");
}

/**
 * Turns io-ts errors into one sentence each, naming the field:
 * `ComputeMaxNodes must be a whole number from 1 to 1000 (got "-1").`
 * A message starting "must" is a predicate and gets the field and value added;
 * any other message is already a whole sentence. Errors without a message
 * fall back to the codec's name, so a raw io-ts dump never reaches a user.
 */
export function readableErrors(errors: t.Errors): string[] {
  const sentences = errors.map((error) => {
    const field = fieldPath(error.context);
    const subject = field === "" ? "The value" : field;
    const expected = error.context[error.context.length - 1]?.type.name ?? "valid";
    // A missing optional field never fails, so a missing value means a required one.
    if (error.value === undefined) return `${subject} is required.`;
    const message = error.message ?? `must be ${expected}`;
    if (!message.startsWith("must ")) return message;
    return `${subject} ${message} (got ${previewValue(error.value)}).`;
  });
  return [...new Set(sentences)];
}

/** Decodes `input` with `codec`, giving readable sentences on failure. */
export function decodeReadably<A, O>(
  codec: t.Type<A, O, unknown>,
  input: unknown,
): Either<string[], A> {
  const result = codec.decode(input);
  return isLeft(result) ? left(readableErrors(result.left)) : right(result.right);
}

/**
 * Wraps an object codec so that keys it does not declare are errors rather
 * than silently dropped: a typo in a settings file must not turn into a
 * default. `describeUnknown` may explain particular keys (reserved ones, say);
 * otherwise the message lists the allowed keys. The decoded value is a fresh
 * object holding only declared keys.
 */
export function closedObject<C extends t.Mixed>(
  codec: C,
  allowedKeys: readonly string[],
  describeUnknown: (key: string) => string | undefined = () => undefined,
): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  const allowed = new Set(allowedKeys);
  const unknownKeyMessages = (u: object) =>
    Object.keys(u)
      .filter((key) => !allowed.has(key))
      .map(
        (key) =>
          describeUnknown(key) ??
          `${previewValue(key)} is not a known setting here. Allowed settings: ${allowedKeys.join(", ")}.`,
      );
  return new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u) && unknownKeyMessages(u as object).length === 0,
    (u, c) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) {
        return t.failure(u, c, "must be a JSON object");
      }
      const where = fieldPath(c);
      const keyErrors: t.Errors = unknownKeyMessages(u).map((m) => ({
        value: u,
        context: c,
        message: where === "" ? m : `In ${where}: ${m}`,
      }));
      // Report bad keys and bad values together, so one round trip fixes everything.
      const decoded = codec.validate(u, c);
      if (decoded._tag === "Left") return t.failures([...keyErrors, ...decoded.left]);
      if (keyErrors.length > 0) return t.failures(keyErrors);
      const clean: Record<string, unknown> = {};
      for (const key of allowedKeys) {
        const value = (decoded.right as Record<string, unknown>)[key];
        if (value !== undefined) clean[key] = value;
      }
      return t.success(clean as t.TypeOf<C>);
    },
    (a) => codec.encode(a),
  );
}

/**
 * A record whose keys are validated too. io-ts's own `t.record` drops keys
 * its domain rejects, which would turn a misspelt user id into a silently
 * missing user; here a bad key is an error naming it. Entries are defined
 * as own properties, so a `__proto__` key cannot reach a prototype.
 */
export function strictRecord<K extends string, V, VO>(
  keyCodec: t.Type<K, string, unknown>,
  valueCodec: t.Type<V, VO, unknown>,
  name = `Record<${keyCodec.name}, ${valueCodec.name}>`,
): t.Type<Record<K, V>, Record<string, VO>, unknown> {
  return new t.Type<Record<K, V>, Record<string, VO>, unknown>(
    name,
    (u): u is Record<K, V> =>
      t.UnknownRecord.is(u) &&
      Object.entries(u).every(([k, v]) => keyCodec.is(k) && valueCodec.is(v)),
    (u, c) => {
      if (!t.UnknownRecord.is(u) || Array.isArray(u))
        return t.failure(u, c, "must be a JSON object");
      const out: Record<string, V> = {};
      const errors: t.Errors = [];
      for (const [key, value] of Object.entries(u)) {
        const keyResult = keyCodec.validate(key, t.appendContext(c, key, keyCodec, key));
        if (keyResult._tag === "Left") {
          errors.push(...keyResult.left);
          continue;
        }
        const valueResult = valueCodec.validate(value, t.appendContext(c, key, valueCodec, value));
        if (valueResult._tag === "Left") errors.push(...valueResult.left);
        else
          Object.defineProperty(out, keyResult.right, {
            value: valueResult.right,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as Record<K, V>);
    },
    (a) => {
      const out: Record<string, VO> = {};
      for (const [key, value] of Object.entries(a)) {
        Object.defineProperty(out, key, {
          value: valueCodec.encode(value as V),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    },
  );
}
