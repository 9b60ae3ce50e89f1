import * as t from "io-ts";
import { LimitsCodec, type Limits } from "../../functions/shared/deployment-policy.js";
import {
  EmailCodec,
  StackPrefixCodec,
  UserIdCodec,
  type StackPrefix,
  type UserId,
} from "../../functions/shared/identifiers.js";
import { derivedLogin, LoginNameCodec, type LoginName } from "../../functions/shared/login-name.js";
import { derivedUid, UidCodec } from "../../functions/shared/user-uid.js";
import { closedObject, sentenceCodec } from "../../functions/shared/readable-errors.js";
import { BudgetSettingsCodec, type BudgetSettings } from "./budget-settings.js";
import { BackendCodec, DEFAULT_LOCAL_STATE, type Backend } from "./backend-settings.js";
import { DeploymentDefaultsCodec, UserDefaultsCodec } from "./default-settings.js";
import { DEFAULT_IDENTITY, IdentityCodec, type Identity } from "./identity-settings.js";
import { namedEntries } from "./named-entries.js";
import { networkFrom, NetworkFileCodec, type DeploymentNetwork } from "./network-settings.js";
import { MIN_RESERVED_CONCURRENCY, SYSTEM_HEADROOM } from "./upload-concurrency.js";
import {
  AccountId,
  BucketName,
  DeploymentName,
  FilePath,
  Ipv4Cidr,
  KeyPrefix,
  LogRetention,
  ProvisionedUserId,
  Region,
  SshPublicKey,
  WholeDays,
} from "./setting-values.js";

/*
 * The shape of the deployment settings: the file an admin writes, and what it
 * means once every default is filled in. Names, the policy and the loader all
 * derive from this module, and it imports none of them.
 */

const CustomizerCodec = closedObject(
  t.partial({ existingBucket: BucketName, prefix: KeyPrefix, scripts: FilePath }),
  ["existingBucket", "prefix", "scripts"],
);

const NotificationsCodec = closedObject(
  t.intersection([
    t.type({ senderEmail: EmailCodec }),
    t.partial({ adminEmail: EmailCodec, sesRegion: Region }),
  ]),
  ["senderEmail", "adminEmail", "sesRegion"],
);

/** A size in GiB at which a home's storage alarm goes off. */
const AlarmGiB = new t.Type<number, number, unknown>(
  "AlarmGiB",
  (u): u is number => Number.isInteger(u) && (u as number) >= 1,
  (u, c) =>
    Number.isInteger(u) && (u as number) >= 1 && (u as number) <= 1_048_576
      ? t.success(u as number)
      : t.failure(u, c, "must be a whole number of GiB from 1 to 1048576"),
  (a) => a,
);

const UserCodec = closedObject(
  t.intersection([
    t.type({ id: ProvisionedUserId, sshPublicKey: SshPublicKey }),
    t.partial({
      login: LoginNameCodec,
      uid: UidCodec,
      email: EmailCodec,
      limits: LimitsCodec,
      defaults: UserDefaultsCodec,
      homeAlarmGiB: AlarmGiB,
      retired: t.boolean,
    }),
  ]),
  ["id", "login", "uid", "sshPublicKey", "email", "limits", "defaults", "homeAlarmGiB", "retired"],
);

/** How many refused requests in five minutes make a user's flood alarm go off. */
const RefusedRequestsThreshold = new t.Type<number, number, unknown>(
  "RefusedRequestsThreshold",
  (u): u is number => Number.isInteger(u) && (u as number) >= 1,
  (u, c) =>
    Number.isInteger(u) && (u as number) >= 1 && (u as number) <= 100_000
      ? t.success(u as number)
      : t.failure(
          u,
          c,
          "must be a whole number of refused requests in 5 minutes, from 1 to 100000",
        ),
  (a) => a,
);

const HomesCodec = closedObject(
  t.partial({ alarmGiB: AlarmGiB, deletable: t.array(UserIdCodec) }),
  ["alarmGiB", "deletable"],
);

/**
 * Reserved concurrency of one function: a number of executions, or
 * "unreserved". At least {@link MIN_RESERVED_CONCURRENCY}: two executions
 * are kept for stack events and the sweep, and uploads need two of their own.
 */
const Concurrency = sentenceCodec<string>(
  "Concurrency",
  `a whole number of concurrent executions from ${MIN_RESERVED_CONCURRENCY} to 1000 (${SYSTEM_HEADROOM} of them are kept for stack events and the sweep), or "unreserved"`,
  (input) =>
    input === "unreserved" ||
    (typeof input === "number" &&
      Number.isInteger(input) &&
      input >= MIN_RESERVED_CONCURRENCY &&
      input <= 1000)
      ? String(input)
      : undefined,
);

const ConcurrencyCodec = closedObject(t.partial({ create: Concurrency, delete: Concurrency }), [
  "create",
  "delete",
]);

const RegistryCodec = closedObject(t.partial({ deletionProtection: t.boolean }), [
  "deletionProtection",
]);

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
  "identity",
  "notifications",
  "accessNetwork",
  "defaults",
  "limits",
  "users",
  "iamUsers",
  "tags",
  "retention",
  "backend",
  "concurrency",
  "registry",
  "alarmEmail",
  "network",
  "homes",
  "refusedRequestsAlarm",
  "budgets",
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
      identity: IdentityCodec,
      notifications: NotificationsCodec,
      defaults: DeploymentDefaultsCodec,
      limits: LimitsCodec,
      users: namedEntries(UserCodec, "users"),
      // IAM user names follow one rule, whether or not the user is a FlightDeck user too.
      iamUsers: t.array(UserIdCodec),
      tags: t.record(t.string, t.string),
      retention: RetentionCodec,
      backend: BackendCodec,
      concurrency: ConcurrencyCodec,
      registry: RegistryCodec,
      alarmEmail: EmailCodec,
      network: NetworkFileCodec,
      homes: HomesCodec,
      refusedRequestsAlarm: RefusedRequestsThreshold,
      budgets: BudgetSettingsCodec,
    }),
  ]),
  SETTINGS_KEYS,
);
export type SettingsFile = t.TypeOf<typeof SettingsFileCodec>;

/** A user allowed to create clusters: their customizer folder holds their SSH key. */
export interface ProvisionedUser {
  /** The IAM user name (or session-tag value): their home and customizer folder, the `USER` tag. */
  readonly id: UserId;
  /** Their Linux account on the cluster: the setting, else derived from the id. */
  readonly login: LoginName;
  /** Their UID and GID on every cluster (the setting, else derived from the id): it owns their home's files. */
  readonly uid: string;
  readonly sshPublicKey: string;
  readonly email?: string;
  readonly limits?: Limits;
  readonly defaults?: Readonly<Record<string, string>>;
}

/** A user's home: one file system, kept across all their clusters and beyond their retirement. */
export interface HomeOwner {
  readonly id: UserId;
  readonly uid: string;
  /** Its storage alarm's threshold. */
  readonly alarmGiB: number;
  /** Whether it may be destroyed: only a deliberate `homes.deletable` entry says so. */
  readonly deletable: boolean;
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
  /** How IAM names a user's home: by IAM user name, or by a session tag. */
  readonly identity: Identity;
  readonly notifications?: NotificationSettings;
  /** Who may reach clusters by SSH: the default of the template's `AccessNetwork`. */
  readonly accessNetwork: string;
  readonly defaults: Readonly<Record<string, string>>;
  readonly limits: Limits;
  /** The users who may create clusters (retired users are not among them). */
  readonly users: readonly ProvisionedUser[];
  /** The deployment's one network, which every cluster shares. */
  readonly network: DeploymentNetwork;
  /**
   * Every home the deployment keeps: the users', and those of retired users
   * (who may no longer create clusters). A home is never destroyed because
   * its user left the settings; `homes.deletable` is the only way.
   */
  readonly homes: {
    readonly owners: readonly HomeOwner[];
    /** Ids named in `homes.deletable`, whether or not they are still in `users`. */
    readonly deletable: readonly string[];
  };
  readonly iamUsers: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly retention: { readonly noncurrentVersionDays: number; readonly logDays: number };
  readonly backend: Backend;
  /**
   * Reserved concurrency per function; `undefined` leaves the function in the
   * account's unreserved pool. Caps how far a flood of uploads can fan out.
   */
  readonly concurrency: { readonly create?: number; readonly delete?: number };
  /** Whether Terraform may delete the cluster registry table. */
  readonly registry: { readonly deletionProtection: boolean };
  /** Who the dead-letter alarm emails; `undefined` leaves the alarm's topic without a subscriber. */
  readonly alarmEmail?: string;
  /** Refused requests of one user in five minutes at which their flood alarm goes off. */
  readonly refusedRequestsAlarm: number;
  /** The deployment's monthly budget, the grace and the warning's share (budget-settings.ts). */
  readonly budgets?: BudgetSettings | undefined;
}

/**
 * Reserved concurrency unless the settings say otherwise: a flood fans out to
 * this many executions at most. Deletes get as many as creates: a delete is
 * what stops a cluster's spending, so it should never queue longer than a
 * create (and cf-delete also runs the lifetime sweep). Both functions make
 * about the same number of CloudFormation calls per request, so the same cap
 * bounds how hard either can press the account's CloudFormation budget.
 */
export const DEFAULT_CONCURRENCY = { create: 10, delete: 10 } as const;

/**
 * The limits a deployment has where its settings name none: without them a
 * user could run clusters without number or size, and a master volume of 16
 * TiB. Conservative, so that an admin raises them on purpose (`npm run plan`
 * prints the limits in force). A user's own `limits` override them too.
 */
export const DEFAULT_LIMITS = {
  maxClusters: "2",
  maxComputeNodes: "16",
  maxVcpus: "64",
  maxMasterVolumeSize: "100",
} as const satisfies Limits;

/**
 * A user's flood alarm unless the settings say otherwise: 60 refused requests
 * in five minutes, six times what the default rate of 10 a minute lets through.
 */
export const DEFAULT_REFUSED_REQUESTS_ALARM = 60;

/** A home's storage alarm unless the settings say otherwise: 100 GiB. */
export const DEFAULT_HOME_ALARM_GIB = 100;

const concurrencyOf = (value: string | undefined, fallback: number): number | undefined =>
  value === "unreserved" ? undefined : value === undefined ? fallback : Number(value);

/** The settings a decoded file means: what it says, and the default for everything it leaves out. */
export function withDefaults(file: SettingsFile): Settings {
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
    identity: file.identity ?? DEFAULT_IDENTITY,
    notifications:
      notifications === undefined
        ? undefined
        : { ...notifications, sesRegion: notifications.sesRegion ?? file.region },
    accessNetwork: file.accessNetwork,
    defaults: file.defaults ?? {},
    limits: { ...DEFAULT_LIMITS, ...file.limits },
    users: (file.users ?? [])
      .filter((user) => user.retired !== true)
      .map(({ retired: _retired, homeAlarmGiB: _alarm, ...user }) => ({
        ...user,
        login: user.login ?? derivedLogin(user.id),
        uid: user.uid ?? String(derivedUid(user.id)),
      })),
    network: networkFrom(file.region, file.network),
    homes: {
      owners: (file.users ?? []).map((user) => ({
        id: user.id,
        uid: user.uid ?? String(derivedUid(user.id)),
        alarmGiB: user.homeAlarmGiB ?? file.homes?.alarmGiB ?? DEFAULT_HOME_ALARM_GIB,
        deletable: (file.homes?.deletable ?? []).includes(user.id),
      })),
      deletable: [...(file.homes?.deletable ?? [])],
    },
    iamUsers: file.iamUsers ?? [],
    tags: file.tags ?? {},
    retention: {
      noncurrentVersionDays: file.retention?.noncurrentVersionDays ?? 30,
      logDays: file.retention?.logDays ?? 30,
    },
    backend: file.backend ?? { type: "local", path: DEFAULT_LOCAL_STATE },
    concurrency: {
      create: concurrencyOf(file.concurrency?.create, DEFAULT_CONCURRENCY.create),
      delete: concurrencyOf(file.concurrency?.delete, DEFAULT_CONCURRENCY.delete),
    },
    registry: { deletionProtection: file.registry?.deletionProtection ?? true },
    alarmEmail: file.alarmEmail ?? notifications?.adminEmail,
    refusedRequestsAlarm: file.refusedRequestsAlarm ?? DEFAULT_REFUSED_REQUESTS_ALARM,
    budgets: file.budgets,
  };
}
