import * as t from "io-ts";
import { isUserId } from "../../functions/shared/identifiers.js";
import { readableErrors } from "../../functions/shared/readable-errors.js";

/*
 * A list of users in the settings, whose every error says which user it is
 * about. io-ts's own array codec reports `users.limits.maxClusters must be …`
 * for the fifth user as for the first; an admin with forty users cannot tell
 * which entry to fix.
 */

/** How an entry is named in an error: by its id when it has a usable one, else by its index. */
function entryName(label: string, entry: unknown, index: number): string {
  const id =
    typeof entry === "object" && entry !== null ? (entry as { id?: unknown }).id : undefined;
  return typeof id === "string" && isUserId(id) ? `${label}: ${id}` : `${label}[${index}]`;
}

/**
 * An array of `codec` entries (under the settings key `label`) whose errors
 * each start with the entry they are about: `users: alice: limits.maxClusters
 * must be …`, or `users[3]: id is required.` when the entry has no usable id.
 * Each entry is decoded on its own, so field paths inside it start at the entry.
 */
export function namedEntries<C extends t.Mixed>(
  codec: C,
  label: string,
): t.Type<Array<t.TypeOf<C>>, Array<t.OutputOf<C>>, unknown> {
  const list = t.array(codec);
  return new t.Type<Array<t.TypeOf<C>>, Array<t.OutputOf<C>>, unknown>(
    `${label} list`,
    (u): u is Array<t.TypeOf<C>> => list.is(u),
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, "must be a list (a JSON array)");
      const decoded: Array<t.TypeOf<C>> = [];
      const errors: t.Errors = [];
      u.forEach((entry: unknown, index) => {
        const result = codec.validate(entry, [{ key: "", type: codec, actual: entry }]);
        if (result._tag === "Right") {
          decoded.push(result.right);
          return;
        }
        const name = entryName(label, entry, index);
        for (const sentence of readableErrors(result.left)) {
          errors.push({ value: entry, context: c, message: `${name}: ${sentence}` });
        }
      });
      return errors.length > 0 ? t.failures(errors) : t.success(decoded);
    },
    (a) => list.encode(a),
  );
}
