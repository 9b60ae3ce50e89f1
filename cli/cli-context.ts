import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { resolveUser } from "./caller-identity.js";
import { EXIT, Output, type CliIo } from "./output.js";
import { UserBucket } from "./user-bucket.js";

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
 * What a command runs with. AWS clients are built on first use, so offline
 * commands (validate, render) never need credentials. The standard credential
 * chain applies, and the SDK itself honours AWS_ENDPOINT_URL_S3.
 */
export class CliContext {
  readonly out: Output;
  private s3Client: S3Client | undefined;
  private stsClient: STSClient | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.out = new Output(io, options.json, options.color);
  }

  private clientConfig() {
    return {
      ...(this.options.region === undefined ? {} : { region: this.options.region }),
      ...(this.options.profile === undefined ? {} : { profile: this.options.profile }),
    };
  }

  s3(): S3Client {
    this.s3Client ??= new S3Client({
      ...this.clientConfig(),
      forcePathStyle: this.io.env["FLIGHTDECK_S3_FORCE_PATH_STYLE"] === "true",
    });
    return this.s3Client;
  }

  sts(): STSClient {
    this.stsClient ??= new STSClient(this.clientConfig());
    return this.stsClient;
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
    const user = await resolveUser(this.options.user, () => this.sts()).catch((error: Error) => {
      throw new CliError(error.message, EXIT.usage);
    });
    return new UserBucket(this.s3(), bucket, user);
  }
}
