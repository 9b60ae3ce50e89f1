import type { Context } from "aws-lambda";
import { CreateEnvironmentCodec } from "../shared/handler-environment.js";
import { dispatch } from "../shared/runtime/event-dispatch.js";
import type { SqsBatchResponse } from "../shared/s3-event.js";
import { publicIpOfInstance } from "../shared/runtime/instance-address.js";
import { Stacks } from "../shared/runtime/stacks.js";
import { wireHandler } from "../shared/runtime/wiring.js";
import type { CreateDeps } from "./create-deps.js";
import { handleCreateRequest } from "./create-request.js";
import { handleCreateOutcome } from "./settle-create.js";

// Cold start: configuration is decoded once, and clients are built once.
const wiring = wireHandler("flightdeck-cf-create", CreateEnvironmentCodec, process.env);
const { env, logger, log, cfn } = wiring;
const lookupInstanceIp = (instanceId: string) =>
  publicIpOfInstance(
    {
      region: env.AWS_REGION,
      endpoint: process.env["AWS_ENDPOINT_URL_EC2"] ?? process.env["AWS_ENDPOINT_URL"],
      credentials: cfn.config.credentials,
    },
    instanceId,
  );
const deps: CreateDeps = { ...wiring, stacks: new Stacks(cfn, lookupInstanceIp) };

/** The Lambda entry point: S3 `.cf-create` uploads and CloudFormation stack-status events. */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<SqsBatchResponse | undefined> => {
  logger.addContext(context);
  return dispatch(
    event,
    {
      s3Record: (record) => handleCreateRequest(deps, record),
      stackStatus: (statusEvent) => handleCreateOutcome(deps, statusEvent),
    },
    log,
  );
};
