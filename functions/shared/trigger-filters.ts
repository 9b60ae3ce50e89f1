import { FILE_SUFFIXES, HOME_PREFIX } from "./result-files.js";

/** One S3 notification filter: objects created under `prefix` whose key ends in `suffix`. */
export interface TriggerFilter {
  readonly handler: "create" | "delete";
  readonly prefix: string;
  readonly suffix: string;
}

/**
 * The only keys that start a handler. Every file a handler writes ends in
 * `.cf-created`, `.cf-deleted`, `.cf-failed`, `.cf-extended` or
 * `.cf-expiring`, none of which ends in a suffix here, so a handler can
 * never trigger itself or the other.
 */
export const TRIGGER_FILTERS: readonly TriggerFilter[] = [
  { handler: "create", prefix: HOME_PREFIX, suffix: FILE_SUFFIXES.create },
  { handler: "delete", prefix: HOME_PREFIX, suffix: FILE_SUFFIXES.delete },
  { handler: "delete", prefix: HOME_PREFIX, suffix: FILE_SUFFIXES.extend },
];

/** Whether S3 would send a key to a handler under the trigger filters. */
export function triggersHandler(
  key: string,
  filters: readonly TriggerFilter[] = TRIGGER_FILTERS,
): boolean {
  return filters.some((filter) => key.startsWith(filter.prefix) && key.endsWith(filter.suffix));
}
