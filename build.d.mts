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
/**
 * An SDK schema module with its computed keys of string constants written as
 * the strings, so esbuild can drop unused schemas; throws where that could
 * change its meaning, or where there is nothing to inline.
 */
export declare function inlineSchemaKeys(source: string, file?: string): string;
