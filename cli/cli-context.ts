import { EXIT, Output, type CliIo } from "./output.js";
import type { UserBucket } from "./user-bucket.js";

/** A failure to report on stderr with an exit code; never a stack trace. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message);
  }
}

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
    const bucket = this.options.bucket;
    if (bucket === undefined || bucket === "") {
      throw new CliError(
        "Which FlightDeck bucket? Pass --bucket or set FLIGHTDECK_BUCKET (your administrator knows it).",
        EXIT.usage,
      );
    }
    const { openUserHome } = await import("./user-home.js");
    const { region, profile, user } = this.options;
    const forcePathStyle = this.io.env["FLIGHTDECK_S3_FORCE_PATH_STYLE"] === "true";
    const account = this.io.env["FLIGHTDECK_ACCOUNT_ID"];
    return openUserHome({ region, profile, user, account, forcePathStyle }, bucket);
  }
}
