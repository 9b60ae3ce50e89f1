import { CliError } from "./cli-error.js";
import { EXIT, Output, type CliIo } from "./output.js";
import type { UserBucket } from "./user-bucket.js";

/** Options every command takes. */
export interface GlobalOptions {
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  readonly bucket?: string | undefined;
  readonly user?: string | undefined;
  readonly json: boolean;
  readonly color: boolean;
}

/**
 * What a command runs with. The AWS SDK is loaded on first use, so offline
 * commands (validate, render) neither need credentials nor load it.
 */
export class CliContext {
  readonly out: Output;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.out = new Output(io, options.json, options.color);
  }

  /** The caller's home in the FlightDeck bucket. */
  async userBucket(): Promise<UserBucket> {
    const bucket = bucketName(this.options.bucket);
    const { openUserHome } = await import("./user-home.js");
    const { env } = this.io;
    // An empty variable (AWS_PROFILE= …) means unset, as it does to the AWS CLI.
    const given = (value: string | undefined) => (value === "" ? undefined : value);
    return openUserHome(
      {
        region: given(this.options.region),
        profile: given(this.options.profile),
        user: given(this.options.user),
        account: given(env["FLIGHTDECK_ACCOUNT_ID"]),
        forcePathStyle: env["FLIGHTDECK_S3_FORCE_PATH_STYLE"] === "true",
        env,
      },
      bucket,
    );
  }
}

/** An S3 bucket name, as the deployment policy accepts one (legacy names included). */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * The bucket to use, refused with a usage error when unset or not a bucket
 * name at all (an `s3://` URL, a path, a stray character), before any request.
 */
function bucketName(bucket: string | undefined): string {
  if (bucket === undefined || bucket === "") {
    throw new CliError(
      "Which FlightDeck bucket? Pass --bucket or set FLIGHTDECK_BUCKET (your administrator knows it).",
      EXIT.usage,
    );
  }
  if (!BUCKET_NAME.test(bucket)) {
    const url = /^s3:\/\/([^/]+)/.exec(bucket)?.[1];
    const hint = url === undefined ? "" : `: give the name alone, such as ${JSON.stringify(url)}`;
    throw new CliError(
      `--bucket/FLIGHTDECK_BUCKET ${JSON.stringify(bucket)} is not an S3 bucket name${hint}.`,
      EXIT.usage,
    );
  }
  return bucket;
}
