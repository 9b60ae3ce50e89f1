#!/usr/bin/env node
// `npx flightdeck`: runs the TypeScript CLI through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING ??= "1";
register();
await import("./main.ts");
