import * as t from "io-ts";
import { closedObject, patternCodec } from "../../functions/shared/readable-errors.js";

/*
 * Who a user is to IAM, and so which S3 folder is theirs. Either an IAM user,
 * whose home is named by `${aws:username}`, or any role session carrying a
 * session tag (IAM Identity Center's attributes for access control, or a
 * federation that passes session tags), whose home is named by the tag's
 * value, `${aws:PrincipalTag/<key>}`.
 */

/**
 * A session-tag key FlightDeck will put in a policy variable. STS allows
 * `[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}` (API_Tag); this is its ASCII subset
 * without `:` and `/`, which keeps `${aws:PrincipalTag/<key>}` unambiguous,
 * and without the `aws:` namespace, which AWS reserves.
 */
const PrincipalTagKey = patternCodec(
  "PrincipalTagKey",
  /^(?![aA][wW][sS]:)[A-Za-z0-9_.=+@-]{1,128}$/,
  'a session tag key: 1 to 128 letters, digits or _ . = + @ -, such as "flightdeck-user"',
);

const IamUserIdentityCodec = closedObject(t.type({ source: t.literal("iam-user") }), ["source"]);
const PrincipalTagIdentityCodec = closedObject(
  t.type({ source: t.literal("principal-tag"), tag: PrincipalTagKey }),
  ["source", "tag"],
);

/** IAM users: `home/${aws:username}/`, the group policy. The default. */
export interface IamUserIdentity {
  readonly source: "iam-user";
}

/** Role sessions with a session tag: `home/${aws:PrincipalTag/<tag>}/`, a policy for a permission set or role. */
export interface PrincipalTagIdentity {
  readonly source: "principal-tag";
  readonly tag: string;
}

export type Identity = IamUserIdentity | PrincipalTagIdentity;

export const DEFAULT_IDENTITY: Identity = { source: "iam-user" };

/** The `identity` setting, picking its branch by `source` so errors name the wrong field. */
export const IdentityCodec = new t.Type<Identity, unknown, unknown>(
  "Identity",
  (u): u is Identity => IamUserIdentityCodec.is(u) || PrincipalTagIdentityCodec.is(u),
  (u, c) => {
    const source =
      typeof u === "object" && u !== null ? (u as { source?: unknown }).source : undefined;
    if (source === "iam-user") return IamUserIdentityCodec.validate(u, c);
    if (source === "principal-tag") return PrincipalTagIdentityCodec.validate(u, c);
    return t.failure(
      u,
      c,
      'must be {"source": "iam-user"} or {"source": "principal-tag", "tag": "<session tag key>"}',
    );
  },
  (a) => a,
);

/**
 * Characters a session-tag value may hold that an IAM user name may too.
 * STS allows `[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}` in a tag value; FlightDeck
 * ids are 1–64 of `[A-Za-z0-9+=,.@_-]`. The comma is the difference: no tag
 * value holds one, so no session could ever reach such a user's home.
 */
const TAG_VALUE_ID = /^[A-Za-z0-9+=.@_-]{1,64}$/;

/**
 * Why `id` cannot be a user under `identity`, or `undefined` when it can.
 * Every id the settings accept is a valid IAM user name; a session-tag
 * identity also rules out what a tag value cannot hold.
 */
export function idProblemUnder(identity: Identity, id: string): string | undefined {
  if (identity.source === "iam-user" || TAG_VALUE_ID.test(id)) return undefined;
  return (
    `${JSON.stringify(id)} cannot be the value of session tag ${identity.tag}: ` +
    "use 1 to 64 letters, digits or + = . @ _ - (a tag value cannot hold a comma)."
  );
}
