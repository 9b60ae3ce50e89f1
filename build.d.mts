// Types for build.mjs, which the benchmarks and tests import.
import type { Metafile } from "esbuild";

/** The Lambda handlers build.mjs bundles, by folder name under functions/. */
export declare const FUNCTIONS: readonly string[];
/** Where builds go by default: the project's dist/. */
export declare const DIST: string;
/** The deterministic zip of every file under `dir`. */
export declare function zipBundle(dir: string): Promise<Uint8Array>;
/** Builds `<outRoot>/functions/<name>/` and `<outRoot>/functions/<name>.zip`. */
export declare function buildFunction(name: string, outRoot?: string): Promise<Metafile>;
/** Builds `<outRoot>/cli/flightdeck.mjs`, its chunks and `metafile.json`. */
export declare function buildCli(outRoot?: string): Promise<Metafile>;
