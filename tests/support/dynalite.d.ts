/** dynalite 4 ships no types: a local DynamoDB server (in memory unless given a path). */
declare module "dynalite" {
  import type { Server } from "node:http";
  interface DynaliteOptions {
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    readonly path?: string;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
