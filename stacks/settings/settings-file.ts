import * as t from "io-ts";
import { LimitsCodec } from "../../functions/shared/policy-limits.js";
import { EmailCodec, StackPrefixCodec, UserIdCodec } from "../../functions/shared/identifiers.js";
import { LoginNameCodec } from "../../functions/shared/login-name.js";
import { UidCodec } from "../../functions/shared/user-uid.js";
import { closedObject, sentenceCodec } from "../../functions/shared/readable-errors.js";
import { BudgetSettingsCodec } from "./budget-settings.js";
import { BackendCodec } from "./backend-settings.js";
import { DeploymentDefaultsCodec, UserDefaultsCodec } from "./default-settings.js";
import { IdentityCodec } from "./identity-settings.js";
import { namedEntries } from "./named-entries.js";
import { NetworkFileCodec } from "./network-settings.js";
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
  wholeNumberIn,
} from "./setting-values.js";

/*
 * The settings file as an admin writes it: every field, its rules and its
 * readable errors, and no field besides. What the file means once every
 * default is filled in is settings-shape.ts's.
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
const AlarmGiB = wholeNumberIn(
  "AlarmGiB",
  1,
  1_048_576,
  "must be a whole number of GiB from 1 to 1048576",
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
const RefusedRequestsThreshold = wholeNumberIn(
  "RefusedRequestsThreshold",
  1,
  100_000,
  "must be a whole number of refused requests in 5 minutes, from 1 to 100000",
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
