import { readFileSync } from "node:fs";
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import {
  LimitsCodec,
  ParameterDefaultsCodec,
  decodePolicy,
  type Limits,
} from "../../functions/shared/deployment-policy.js";
import {
  StackPrefixCodec,
  UserIdCodec,
  type StackPrefix,
  type UserId,
} from "../../functions/shared/identifiers.js";
import { closedObject, decodeReadably } from "../../functions/shared/readable-errors.js";
import { linuxLoginFor, UserScriptError } from "../customizer/user-script.js";
import { BackendCodec, DEFAULT_LOCAL_STATE, type Backend } from "./backend-settings.js";
import { policyFromSettings } from "./policy.js";
import {
  AccountId,
  BucketName,
  DeploymentName,
  Email,
  FilePath,
  IamUserName,
  Ipv4Cidr,
  KeyPrefix,
  LogRetention,
  Region,
  SshPublicKey,
  WholeDays,
} from "./setting-values.js";

/*
 * The deployment settings: one JSON file an admin edits. This module has no
 * cdktf in it, so the CLI can load the same file to render requests offline.
 */

/** The settings file used when neither an argument nor `FD_SETTINGS` names another. */
export const DEFAULT_SETTINGS_PATH = "settings/example.json";

const CustomizerCodec = closedObject(
  t.partial({ existingBucket: BucketName, prefix: KeyPrefix, scripts: FilePath }),
  ["existingBucket", "prefix", "scripts"],
);

const NotificationsCodec = closedObject(
  t.intersection([
    t.type({ senderEmail: Email }),
    t.partial({ adminEmail: Email, sesRegion: Region }),
  ]),
  ["senderEmail", "adminEmail", "sesRegion"],
);

const UserCodec = closedObject(
  t.intersection([
    t.type({ id: UserIdCodec, sshPublicKey: SshPublicKey }),
    t.partial({ email: Email, limits: LimitsCodec, defaults: ParameterDefaultsCodec }),
  ]),
  ["id", "sshPublicKey", "email", "limits", "defaults"],
);

const RetentionCodec = closedObject(
  t.partial({ noncurrentVersionDays: WholeDays, logDays: LogRetention }),
  ["noncurrentVersionDays", "logDays"],
);

const SETTINGS_KEYS = [
  "name",
  "region",
  "accountId",
  "userBucketName",
  "customizer",
  "template",
  "stackPrefix",
  "notifications",
  "accessNetwork",
  "defaults",
  "limits",
  "users",
  "iamUsers",
  "tags",
  "retention",
  "backend",
] as const;

/** The settings file as written: required fields plus optional ones that have defaults. */
export const SettingsFileCodec = closedObject(
  t.intersection([
    t.type({ name: DeploymentName, region: Region, accessNetwork: Ipv4Cidr }),
    t.partial({
      accountId: AccountId,
      userBucketName: BucketName,
      customizer: CustomizerCodec,
      template: FilePath,
      stackPrefix: StackPrefixCodec,
      notifications: NotificationsCodec,
      defaults: ParameterDefaultsCodec,
      limits: LimitsCodec,
      users: t.array(UserCodec),
      iamUsers: t.array(IamUserName),
      tags: t.record(t.string, t.string),
      retention: RetentionCodec,
      backend: BackendCodec,
    }),
  ]),
  SETTINGS_KEYS,
);
export type SettingsFile = t.TypeOf<typeof SettingsFileCodec>;

/** A user allowed to create clusters: their customizer folder holds their SSH key. */
export interface ProvisionedUser {
  readonly id: UserId;
  readonly sshPublicKey: string;
  readonly email?: string;
  readonly limits?: Limits;
  readonly defaults?: Readonly<Record<string, string>>;
}

/** SES notifications; absent when the settings have none. */
export interface NotificationSettings {
  readonly senderEmail: string;
  readonly adminEmail?: string;
  /** The SES identity's region, which may differ from the deployment's. */
  readonly sesRegion: string;
}

/** Decoded settings with every default filled in. */
export interface Settings {
  readonly name: string;
  readonly region: string;
  /** Scopes ARNs and guards `terraform apply`; `undefined` puts `*` in ARNs' account field. */
  readonly accountId?: string;
  readonly userBucketName?: string;
  readonly customizer: {
    /** An existing bucket (an Alces Flight bucket, say); `undefined` creates one. */
    readonly existingBucket?: string;
    readonly prefix: string;
    /** Folder of the default customizer scripts, relative to the project. */
    readonly scripts: string;
  };
  /** The cluster template file, relative to the project. */
  readonly template: string;
  readonly stackPrefix: StackPrefix;
  readonly notifications?: NotificationSettings;
  /** Who may reach clusters by SSH: the default of the template's `AccessNetwork`. */
  readonly accessNetwork: string;
  readonly defaults: Readonly<Record<string, string>>;
  readonly limits: Limits;
  readonly users: readonly ProvisionedUser[];
  readonly iamUsers: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly retention: { readonly noncurrentVersionDays: number; readonly logDays: number };
  readonly backend: Backend;
}

function withDefaults(file: SettingsFile): Settings {
  const { notifications } = file;
  return {
    name: file.name,
    region: file.region,
    accountId: file.accountId,
    userBucketName: file.userBucketName,
    customizer: {
      existingBucket: file.customizer?.existingBucket,
      prefix: file.customizer?.prefix ?? "customizer",
      scripts: file.customizer?.scripts ?? "customizer-scripts/default",
    },
    template: file.template ?? "template/cluster.json",
    stackPrefix: file.stackPrefix ?? ("fd" as StackPrefix),
    notifications:
      notifications === undefined
        ? undefined
        : { ...notifications, sesRegion: notifications.sesRegion ?? file.region },
    accessNetwork: file.accessNetwork,
    defaults: file.defaults ?? {},
    limits: file.limits ?? {},
    users: file.users ?? [],
    iamUsers: file.iamUsers ?? [],
    tags: file.tags ?? {},
    retention: {
      noncurrentVersionDays: file.retention?.noncurrentVersionDays ?? 30,
      logDays: file.retention?.logDays ?? 30,
    },
    backend: file.backend ?? { type: "local", path: DEFAULT_LOCAL_STATE },
  };
}

function crossFieldErrors(settings: Settings): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const user of settings.users) {
    if (seen.has(user.id)) errors.push(`users: ${user.id} is listed more than once.`);
    seen.add(user.id);
    // The user's id is their login name on the cluster, so it must be a Linux one too.
    try {
      linuxLoginFor(user.id);
    } catch (error) {
      if (!(error instanceof UserScriptError)) throw error;
      errors.push(`users: ${error.message}`);
    }
  }
  if ("AccessNetwork" in settings.defaults) {
    errors.push("defaults: set AccessNetwork with the top-level accessNetwork setting instead.");
  }
  const duplicateIam = settings.iamUsers.filter((name, i) => settings.iamUsers.indexOf(name) !== i);
  if (duplicateIam.length > 0) {
    errors.push(`iamUsers: ${[...new Set(duplicateIam)].join(", ")} listed more than once.`);
  }
  return errors;
}

/**
 * Decodes a parsed settings file: every error names its field, unknown keys
 * are refused, defaults are filled in, and the deployment policy built from
 * the result must pass the Lambdas' own {@link decodePolicy}.
 */
export function decodeSettings(json: unknown): Either<string[], Settings> {
  const decoded = decodeReadably(SettingsFileCodec, json);
  if (isLeft(decoded)) return decoded;
  const settings = withDefaults(decoded.right);
  const errors = crossFieldErrors(settings);
  const policy = decodePolicy(policyFromSettings(settings));
  if (isLeft(policy)) errors.push(...policy.left.map((e) => `In the deployment policy: ${e}`));
  return errors.length > 0 ? left(errors) : right(settings);
}

/** Why a settings file could not be used; `problems` holds one sentence each. */
export class SettingsError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Settings file ${path}:\n${problems.map((p) => `  - ${p}`).join("\n")}`, options);
    this.name = "SettingsError";
  }
}

/**
 * Reads and decodes a settings file. Throws a {@link SettingsError} listing
 * every problem when the file is missing, not JSON or not valid.
 */
export function loadSettings(path: string): Settings {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? `is not valid JSON (${error.message})` : "cannot be read";
    throw new SettingsError(path, [`The file ${reason}.`], { cause: error });
  }
  const decoded = decodeSettings(json);
  if (isLeft(decoded)) throw new SettingsError(path, decoded.left);
  return decoded.right;
}

/** The settings path to use: an explicit one, else `FD_SETTINGS`, else the example. */
export function settingsPath(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return explicit ?? env["FD_SETTINGS"] ?? DEFAULT_SETTINGS_PATH;
}
