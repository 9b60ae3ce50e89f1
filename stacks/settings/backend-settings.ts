import * as t from "io-ts";
import { closedObject, sentenceCodec } from "../../functions/shared/readable-errors.js";

/*
 * Where Terraform keeps FlightDeck's state. Local by default, which suits one
 * admin; S3 with a lock file (`use_lockfile`, no DynamoDB table) for a team.
 */

const NonEmpty = sentenceCodec<string>("NonEmpty", "a non-empty string", (input) =>
  typeof input === "string" && input.trim() !== "" ? input : undefined,
);

const LocalBackendCodec = closedObject(
  t.intersection([t.type({ type: t.literal("local") }), t.partial({ path: NonEmpty })]),
  ["type", "path"],
);

const S3BackendCodec = closedObject(
  t.intersection([
    t.type({ type: t.literal("s3"), bucket: NonEmpty, key: NonEmpty, region: NonEmpty }),
    t.partial({ useLockfile: t.boolean }),
  ]),
  ["type", "bucket", "key", "region", "useLockfile"],
);

/** Terraform state kept in a local file, relative to the synthesized stack folder. */
export interface LocalBackend {
  readonly type: "local";
  readonly path: string;
}

/** Terraform state in an S3 bucket, locked with an S3 lock file. */
export interface S3Backend {
  readonly type: "s3";
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly useLockfile: boolean;
}

export type Backend = LocalBackend | S3Backend;

/**
 * The `backend` setting. It picks its branch by `type` first, so an error
 * names the field that is wrong rather than listing both shapes' failures.
 */
export const BackendCodec = new t.Type<Backend, unknown, unknown>(
  "Backend",
  (u): u is Backend => LocalBackendCodec.is(u) || S3BackendCodec.is(u),
  (u, c) => {
    const type = typeof u === "object" && u !== null ? (u as { type?: unknown }).type : undefined;
    if (type === "local") {
      const decoded = LocalBackendCodec.validate(u, c);
      return decoded._tag === "Left"
        ? decoded
        : t.success({ type: "local", path: decoded.right.path ?? DEFAULT_LOCAL_STATE });
    }
    if (type === "s3") {
      const decoded = S3BackendCodec.validate(u, c);
      return decoded._tag === "Left"
        ? decoded
        : t.success({ ...decoded.right, useLockfile: decoded.right.useLockfile ?? true });
    }
    return t.failure(
      u,
      c,
      'must be {"type": "local"} or {"type": "s3", "bucket", "key", "region"}',
    );
  },
  (a) => a,
);

/**
 * The default local state file. Terraform runs in `cdktf.out/stacks/flightdeck`,
 * so this keeps the state at the project root, where `*.tfstate` is ignored by
 * git and survives deleting `cdktf.out/`.
 */
export const DEFAULT_LOCAL_STATE = "../../../terraform.flightdeck.tfstate";
