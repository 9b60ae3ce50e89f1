import type { Context } from "aws-lambda";
import { DeleteEnvironmentCodec } from "../shared/handler-environment.js";
import { dispatch } from "../shared/runtime/event-dispatch.js";
import { Stacks } from "../shared/runtime/stacks.js";
import { wireHandler } from "../shared/runtime/wiring.js";
import type { DeleteDeps } from "./delete-deps.js";
import { handleDeleteOutcome } from "./delete-outcome.js";
import { handleDeleteRequest } from "./delete-request.js";

// Cold start: configuration is decoded once, and clients are built once.
const { env, logger, log, cfn, home, deployment, reporter, registry } = wireHandler(
  "flightdeck-cf-delete",
  DeleteEnvironmentCodec,
  process.env,
);
const deps: DeleteDeps = {
  env,
  home,
  stacks: new Stacks(cfn),
  deployment,
  reporter,
  registry,
  log,
};

/** The Lambda entry point: S3 `.cf-delete` uploads and CloudFormation stack-status events. */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  logger.addContext(context);
  await dispatch(
    event,
    {
      s3Record: (record) => handleDeleteRequest(deps, record),
      stackStatus: (statusEvent) => handleDeleteOutcome(deps, statusEvent),
    },
    log,
  );
};
