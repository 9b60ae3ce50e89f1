import packageJson from "../package.json" with { type: "json" };
import { Output, printable, type CliIo } from "./output.js";

/** This flightdeck's version, from the package it was built from. */
const VERSION: string = packageJson.version;

/** What `--version` reports besides the version: the deployment the command would talk to. */
export interface Deployment {
  readonly bucket?: string | undefined;
  readonly region?: string | undefined;
  readonly json: boolean;
}

/**
 * `flightdeck --version`: the CLI's version, and the bucket (the deployment)
 * and region its commands would use, so a user can tell an administrator
 * both in one line. Offline: nothing is asked of AWS.
 */
export function printVersion(io: CliIo, deployment: Deployment): void {
  const out = new Output(io, deployment.json, false);
  const set = (value: string | undefined) =>
    value === undefined || value === "" ? undefined : value;
  const bucket = set(deployment.bucket);
  const region = set(deployment.region);
  if (out.json) {
    out.data({ version: VERSION, bucket: bucket ?? null, region: region ?? null });
    return;
  }
  out.line(`flightdeck ${VERSION}`);
  out.line(
    bucket === undefined
      ? "bucket: not set (pass --bucket or set FLIGHTDECK_BUCKET; your administrator knows it)"
      : `bucket: s3://${printable(bucket)}${region === undefined ? "" : ` in ${printable(region)}`}`,
  );
}
