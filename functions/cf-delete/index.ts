import { DeleteEnvironmentCodec } from "../shared/handler-environment.js";
import { FILE_SUFFIXES } from "../shared/result-files.js";
import { lambdaEntry } from "../shared/runtime/event-dispatch.js";
import { Stacks } from "../shared/runtime/stacks.js";
import { wireHandler } from "../shared/runtime/wiring.js";
import type { DeleteDeps } from "./delete-deps.js";
import { handleDeleteOutcome } from "./delete-outcome.js";
import { handleDeleteRequest } from "./delete-request.js";
import { handleExtendRequest } from "./extend-request.js";
import { sweepLifetimes } from "./lifetime-sweep.js";

// Cold start: configuration is decoded once, and clients are built once.
const wiring = wireHandler("flightdeck-cf-delete", DeleteEnvironmentCodec, process.env);
const deps: DeleteDeps = { ...wiring, stacks: new Stacks(wiring.cfn) };

/**
 * The Lambda entry point: S3 `.cf-delete` and `.cf-extend` uploads,
 * CloudFormation stack-status events, and the lifetime sweep's schedule.
 */
export const handler = lambdaEntry(wiring, {
  s3Record: (record) =>
    record.s3.object.key.endsWith(FILE_SUFFIXES.extend)
      ? handleExtendRequest(deps, record)
      : handleDeleteRequest(deps, record),
  stackStatus: (statusEvent) => handleDeleteOutcome(deps, statusEvent),
  scheduled: async () => void (await sweepLifetimes(deps, deps.now())),
});
