import { serveStormServers } from "./storm-servers.js";

/* The child process of RemoteStormServers: the storm's servers, out of the handlers' process. */
serveStormServers();
process.on("disconnect", () => process.exit(0));
