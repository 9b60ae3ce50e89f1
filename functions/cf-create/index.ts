import { CreateEnvironmentCodec } from "../shared/handler-environment.js";
import { lambdaEntry } from "../shared/runtime/event-dispatch.js";
import { Stacks } from "../shared/runtime/stacks.js";
import { wireHandler } from "../shared/runtime/wiring.js";
import type { CreateDeps } from "./create-deps.js";
import { handleCreateRequest } from "./create-request.js";
import { handleCreateOutcome } from "./settle-create.js";

// Cold start: configuration is decoded once, and clients are built once.
const wiring = wireHandler("flightdeck-cf-create", CreateEnvironmentCodec, process.env);
const { env, cfn } = wiring;
// Loaded on first use: only a template without a `LoginIp` output needs the lookup.
const lookupInstanceIp = async (instanceId: string) =>
  (await import("../shared/runtime/instance-address.js")).publicIpOfInstance(
    { region: env.AWS_REGION, credentials: cfn.config.credentials, env: process.env },
    instanceId,
  );
const deps: CreateDeps = { ...wiring, stacks: new Stacks(cfn, lookupInstanceIp) };

/** The Lambda entry point: S3 `.cf-create` uploads and CloudFormation stack-status events. */
export const handler = lambdaEntry(wiring, {
  s3Record: (record) => handleCreateRequest(deps, record),
  stackStatus: (statusEvent) => handleCreateOutcome(deps, statusEvent),
});
