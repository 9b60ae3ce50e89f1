import type { Limits } from "../../functions/shared/policy-limits.js";
import type { StackPrefix, UserId } from "../../functions/shared/identifiers.js";
import { derivedLogin, type LoginName } from "../../functions/shared/login-name.js";
import { derivedUid } from "../../functions/shared/user-uid.js";
import type { BudgetSettings } from "./budget-settings.js";
import { DEFAULT_LOCAL_STATE, type Backend } from "./backend-settings.js";
import { DEFAULT_IDENTITY, type Identity } from "./identity-settings.js";
import { networkFrom, type DeploymentNetwork } from "./network-settings.js";
import type { SettingsFile } from "./settings-file.js";

/*
 * The shape of the deployment settings: what the file an admin writes
 * (settings-file.ts) means once every default is filled in. Names, the
 * policy and the loader all derive from this module, and it imports none of
 * them.
 */

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
const DEFAULT_REFUSED_REQUESTS_ALARM = 60;

/** A home's storage alarm unless the settings say otherwise: 100 GiB. */
const DEFAULT_HOME_ALARM_GIB = 100;

const concurrencyOf = (value: string | undefined, fallback: number): number | undefined =>
  value === "unreserved" ? undefined : value === undefined ? fallback : Number(value);

/** A user's UID: the setting, else the one derived from their id. */
const uidOf = (user: { readonly id: UserId; readonly uid?: string | undefined }) =>
  user.uid ?? String(derivedUid(user.id));

/** The users who may create clusters: every user not retired, with login and UID filled in. */
function provisionedUsers(file: SettingsFile): ProvisionedUser[] {
  return (file.users ?? [])
    .filter((user) => user.retired !== true)
    .map(({ retired: _retired, homeAlarmGiB: _alarm, ...user }) => ({
      ...user,
      login: user.login ?? derivedLogin(user.id),
      uid: uidOf(user),
    }));
}

/** Every user's home, retired users' included, with its alarm and whether it may be destroyed. */
function homesOf(file: SettingsFile): Settings["homes"] {
  const deletable = file.homes?.deletable ?? [];
  return {
    owners: (file.users ?? []).map((user) => ({
      id: user.id,
      uid: uidOf(user),
      alarmGiB: user.homeAlarmGiB ?? file.homes?.alarmGiB ?? DEFAULT_HOME_ALARM_GIB,
      deletable: deletable.includes(user.id),
    })),
    deletable: [...deletable],
  };
}

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
    users: provisionedUsers(file),
    network: networkFrom(file.region, file.network),
    homes: homesOf(file),
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
