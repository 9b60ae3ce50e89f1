import { type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import { BudgetPolicyCodec } from "./budget-policy.js";
import { ADMIN_PARAMETERS, SYSTEM_PARAMETERS } from "./config-fields.js";
import { EmailCodec, StackPrefixCodec, UserIdCodec, type UserId } from "./identifiers.js";
import { derivedLogin, LoginNameCodec, type LoginName } from "./login-name.js";
import { LimitsCodec, type Limits } from "./policy-limits.js";
import { derivedUid, UidCodec } from "./user-uid.js";
import {
  closedObject,
  decodeReadably,
  patternCodec,
  sentenceCodec,
  strictRecord,
} from "./readable-errors.js";

/*
 * The deployment policy: what an admin decides for every cluster. The
 * infrastructure renders it from the settings file into S3 for the Lambdas,
 * and the CLI's `render` builds it from the same file, so both merge alike.
 */

const ParameterValue = sentenceCodec<string>(
  "ParameterValue",
  "a string, number or boolean",
  (input) =>
    typeof input === "string" ||
    typeof input === "boolean" ||
    (typeof input === "number" && Number.isFinite(input))
      ? String(input)
      : undefined,
);

/** Parameter defaults that may not set `refused` keys, saying why. */
const defaultsCodec = (name: string, refused: readonly string[], why: string) => {
  const keys: ReadonlySet<string> = new Set(refused);
  return new t.Type<Record<string, string>, Record<string, string>, unknown>(
    name,
    (u): u is Record<string, string> => t.record(t.string, t.string).is(u),
    (u, c) => {
      const decoded = strictRecord(t.string, ParameterValue).validate(u, c);
      if (decoded._tag === "Left") return decoded;
      const forced = Object.keys(decoded.right).filter((key) => keys.has(key));
      return forced.length === 0
        ? decoded
        : t.failure(u, c, `Defaults may not set ${forced.join(", ")}: ${why}.`);
    },
    (a) => a,
  );
};

/** Parameter defaults set by the deployment. System parameters are not among them. */
export const ParameterDefaultsCodec = defaultsCodec(
  "ParameterDefaults",
  SYSTEM_PARAMETERS,
  "FlightDeck sets these for every stack",
);

/**
 * One user's own parameter defaults: not the system parameters, and not who
 * may reach the cluster, which only the deployment's `accessNetwork` sets.
 */
export const UserParameterDefaultsCodec = defaultsCodec(
  "UserParameterDefaults",
  [...SYSTEM_PARAMETERS, ...ADMIN_PARAMETERS],
  "FlightDeck sets these for every stack, and only the deployment's accessNetwork sets AccessNetwork",
);

export const UserPolicyCodec = closedObject(
  t.partial({
    login: LoginNameCodec,
    /** Their UID and GID on every cluster: it owns every file of their home. */
    uid: UidCodec,
    email: EmailCodec,
    defaults: UserParameterDefaultsCodec,
    limits: LimitsCodec,
  }),
  ["login", "uid", "email", "defaults", "limits"],
);
export type UserPolicy = t.TypeOf<typeof UserPolicyCodec>;

/** The tag key naming the deployment a stack belongs to (also a default tag on every resource). */
export const DEPLOYMENT_TAG = "FlightDeckDeployment";
/** The `ManagedBy` tag's value on every stack FlightDeck creates. */
export const MANAGED_BY = "flightdeck";

/** Tag keys FlightDeck sets itself; deployment tags may not change them. */
const SYSTEM_TAG_KEYS = ["USER", "CLUSTER", "ManagedBy", DEPLOYMENT_TAG] as const;

const TagsCodec = new t.Type<Record<string, string>, Record<string, string>, unknown>(
  "Tags",
  (u): u is Record<string, string> => t.record(t.string, t.string).is(u),
  (u, c) => {
    const decoded = strictRecord(t.string, t.string).validate(u, c);
    if (decoded._tag === "Left") return decoded;
    const bad = Object.entries(decoded.right).flatMap(([key, value]) => {
      if ((SYSTEM_TAG_KEYS as readonly string[]).includes(key))
        return [`Tag ${key} is set by FlightDeck itself.`];
      if (key.startsWith("aws:"))
        return [`Tag ${key}: keys starting with "aws:" are reserved by AWS.`];
      if (key.length === 0 || key.length > 128)
        return [`Tag key ${JSON.stringify(key)} must be 1 to 128 characters.`];
      if (value.length > 256) return [`Tag ${key}: the value must be at most 256 characters.`];
      return [];
    });
    return bad.length === 0
      ? decoded
      : t.failures(bad.map((message) => ({ value: u, context: c, message })));
  },
  (a) => a,
);

const UsersCodec = strictRecord(UserIdCodec, UserPolicyCodec, "Users");

export const CustomizerLocationCodec = closedObject(
  t.type({ bucket: t.string, prefix: t.string }),
  ["bucket", "prefix"],
);
export type CustomizerLocation = t.TypeOf<typeof CustomizerLocationCodec>;

const POLICY_KEYS = [
  "deployment",
  "nodePermissionsBoundary",
  "userBucket",
  "stackPrefix",
  "customizer",
  "defaults",
  "limits",
  "users",
  "tags",
  "budgets",
] as const;

/** The deployment's name, as its stacks' deployment tag carries it. */
const DeploymentId = patternCodec(
  "DeploymentId",
  /^[a-z][a-z0-9-]{1,18}[a-z0-9]$/,
  "a deployment name: 3 to 20 lowercase letters, digits or hyphens",
);

/** The whole deployment policy, as the Lambdas read it from S3. */
export const DeploymentPolicyCodec = closedObject(
  t.intersection([
    t.type({
      deployment: DeploymentId,
      /** The managed policy every role a cluster creates must carry as its permissions boundary. */
      nodePermissionsBoundary: patternCodec(
        "PolicyArn",
        /^arn:aws[a-z-]*:iam::(\d{12}|\*):policy\/[A-Za-z0-9+=,.@_/-]+$/,
        "an IAM policy ARN",
      ),
      /** The bucket of users' homes: the master's flightdeck-sync results and its idle `.cf-delete`. */
      userBucket: patternCodec(
        "BucketName",
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/,
        "an S3 bucket name",
      ),
      stackPrefix: StackPrefixCodec,
      customizer: CustomizerLocationCodec,
      defaults: ParameterDefaultsCodec,
      limits: LimitsCodec,
      users: UsersCodec,
      tags: TagsCodec,
    }),
    /** The deployment's monthly budget, the grace and the warning's share (budget-policy.ts). */
    t.partial({ budgets: BudgetPolicyCodec }),
  ]),
  POLICY_KEYS,
);
export type DeploymentPolicy = t.TypeOf<typeof DeploymentPolicyCodec>;

/** Decodes a parsed policy document, with readable errors. */
export function decodePolicy(json: unknown): Either<string[], DeploymentPolicy> {
  return decodeReadably(DeploymentPolicyCodec, json);
}

/** The user's own entry in the policy, if any. Own keys only: a user named "constructor" gets nothing inherited. */
export function userPolicyFor(policy: DeploymentPolicy, user: UserId): UserPolicy | undefined {
  return Object.hasOwn(policy.users, user) ? policy.users[user] : undefined;
}

/** The limits that apply to `user`: the deployment's, with the user's own overrides on top. */
export function limitsFor(policy: DeploymentPolicy, user: UserId): Limits {
  return { ...policy.limits, ...userPolicyFor(policy, user)?.limits };
}

/** The parameter defaults that apply to `user`: the deployment's, then the user's own. */
export function defaultsFor(policy: DeploymentPolicy, user: UserId): Record<string, string> {
  return { ...policy.defaults, ...userPolicyFor(policy, user)?.defaults };
}

/**
 * The Linux login `user` gets on their clusters: the one the deployment
 * recorded (the settings always record it), else the one derived from the id,
 * which is what the settings would have recorded for a user without `login`.
 */
export function loginFor(policy: DeploymentPolicy, user: UserId): LoginName {
  return userPolicyFor(policy, user)?.login ?? derivedLogin(user);
}

/**
 * The UID `user` has on every cluster: the one the deployment recorded (the
 * settings always record it), else the one derived from the id, which is
 * what the settings would have recorded for a user without `uid`.
 */
export function uidFor(policy: DeploymentPolicy, user: UserId): string {
  return userPolicyFor(policy, user)?.uid ?? String(derivedUid(user));
}
