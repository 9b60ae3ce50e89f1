import type { DeleteEnvironment } from "../shared/handler-environment.js";
import type { HandlerDeps } from "../shared/runtime/handler-deps.js";

/** Everything cf-delete works with: the handlers' common dependencies over its environment. */
export type DeleteDeps = HandlerDeps<DeleteEnvironment>;
