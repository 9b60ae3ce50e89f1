import type { S3Client } from "@aws-sdk/client-s3";
import type { CreateEnvironment } from "../shared/handler-environment.js";
import type { HandlerDeps } from "../shared/runtime/handler-deps.js";

/** Everything cf-create works with: the handlers' common dependencies, and the customizer bucket's client. */
export interface CreateDeps extends HandlerDeps<CreateEnvironment> {
  /** For the provisioning check in the customizer bucket. */
  readonly s3: S3Client;
}
