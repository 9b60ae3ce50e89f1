import * as t from "io-ts";
import { BudgetAmountCodec } from "./budget-policy.js";
import { PRICE_PATTERN } from "./config-fields.js";
import { closedObject, patternCodec, sentenceCodec } from "./readable-errors.js";

/*
 * The admin's limits on a user's clusters: the deployment's, which each
 * user's own limits override key by key (`limitsFor` in deployment-policy.ts).
 */

const wholeNumber = (name: string, min: number) =>
  sentenceCodec<string>(name, `a whole number, at least ${min}`, (input) => {
    const text = typeof input === "number" ? String(input) : input;
    return typeof text === "string" && /^(0|[1-9]\d*)$/.test(text) && Number(text) >= min
      ? text
      : undefined;
  });

const price = sentenceCodec<string>("Price", "a price in USD per hour, such as 0.10", (input) => {
  const text = typeof input === "number" ? String(input) : input;
  return typeof text === "string" && PRICE_PATTERN.test(text) ? text : undefined;
});

const InstanceTypePattern = patternCodec(
  "InstanceTypePattern",
  /^[a-z0-9*][-a-z0-9.*]*$/,
  'an EC2 instance type or a pattern with *, such as "c7i.*"',
);

const yesNo = sentenceCodec<"true" | "false">("YesNo", "true or false", (input) =>
  input === true || input === "true"
    ? "true"
    : input === false || input === "false"
      ? "false"
      : undefined,
);

const LIMIT_KEYS = [
  "maxClusters",
  "maxComputeNodes",
  "maxInitialNodes",
  "maxSpotPrice",
  "allowOnDemand",
  "maxVcpus",
  "maxMasterVolumeSize",
  "allowedInstanceTypes",
  "maxRequestsPerMinute",
  "lifetimeHours",
  "maxLifetimeHours",
  "extendHours",
  "maxIdleDeleteMinutes",
  "allowNeverIdleDelete",
  "monthlyBudget",
  "minSpotFallbackMinutes",
] as const;

/** Admin limits. Each is optional; an absent limit leaves only the template's own constraints. */
export const LimitsCodec = closedObject(
  t.partial({
    maxClusters: wholeNumber("MaxClusters", 0),
    maxComputeNodes: wholeNumber("MaxComputeNodes", 0),
    maxInitialNodes: wholeNumber("MaxInitialNodes", 0),
    maxSpotPrice: price,
    allowOnDemand: yesNo,
    maxVcpus: wholeNumber("MaxVcpus", 1),
    maxMasterVolumeSize: wholeNumber("MaxMasterVolumeSize", 1),
    allowedInstanceTypes: t.array(InstanceTypePattern),
    maxRequestsPerMinute: wholeNumber("MaxRequestsPerMinute", 1),
    /** A new cluster's lifetime; `maxLifetimeHours` when unset. */
    lifetimeHours: wholeNumber("LifetimeHours", 1),
    /** The longest a cluster may live, extensions included, counted from its creation. */
    maxLifetimeHours: wholeNumber("MaxLifetimeHours", 1),
    /** What a `.cf-extend` without `hours` asks for. */
    extendHours: wholeNumber("ExtendHours", 1),
    /** The longest IdleDeleteMinutes a cluster may set. */
    maxIdleDeleteMinutes: wholeNumber("MaxIdleDeleteMinutes", 1),
    /** Whether IdleDeleteMinutes may be 0 (never delete an idle cluster); not unless the admin says. */
    allowNeverIdleDelete: yesNo,
    /** USD a user may spend a month, by FlightDeck's estimate (budget.ts). */
    monthlyBudget: BudgetAmountCodec,
    /**
     * The shortest SpotFallbackMinutes a cluster may set: how long spot must
     * fail before waiting nodes launch on-demand, where allowOnDemand lets
     * them. 0 (spot only) is always allowed; a cluster that does not choose
     * gets this when it is above the template's default.
     */
    minSpotFallbackMinutes: wholeNumber("MinSpotFallbackMinutes", 1),
  }),
  LIMIT_KEYS,
);
export type Limits = t.TypeOf<typeof LimitsCodec>;

/** Requests (creates and deletes) a user may send per minute when the policy sets no limit. */
export const DEFAULT_REQUESTS_PER_MINUTE = 10;

/**
 * Whether compute nodes may run on-demand. Unless the admin says, they may
 * only when no spot price limit is set: a `maxSpotPrice` is a cost limit, and
 * on-demand would step around it.
 */
export function onDemandAllowed(limits: Limits): boolean {
  return limits.allowOnDemand === undefined
    ? limits.maxSpotPrice === undefined
    : limits.allowOnDemand === "true";
}

/** Whether the admin's `allowedInstanceTypes` (if any) accept `type`; `*` matches any characters. */
export function isAllowedType(limits: Limits, type: string): boolean {
  const allowed = limits.allowedInstanceTypes;
  return allowed === undefined || allowed.some((pattern) => globMatches(pattern, type));
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(value);
}
