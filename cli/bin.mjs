#!/usr/bin/env node
// `npx flightdeck`: runs the TypeScript CLI through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

// The SDK's notice that its 2027 releases need Node 22 is for whoever pins its version (us), not for researchers.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
await import("./main.ts");
