import { readFileSync } from "node:fs";
import { isLeft, left, right, type Either } from "fp-ts/lib/Either.js";
import { decodePolicy } from "../../functions/shared/deployment-policy.js";
import { decodeReadably } from "../../functions/shared/readable-errors.js";
import { policyFromSettings } from "./policy.js";
import { derivedLogin, loginProblem } from "../../functions/shared/login-name.js";
import { idProblemUnder } from "./identity-settings.js";
import { lifetimeErrors } from "./lifetime-settings.js";
import { networkProblems } from "./network-settings.js";
import { SettingsFileCodec } from "./settings-file.js";
import { withDefaults, type Settings } from "./settings-shape.js";

/*
 * Loading the deployment settings: one JSON file an admin edits, decoded into
 * the shape settings-shape.ts declares and checked across fields. This module
 * has no cdktf in it, so the CLI can load the same file to render requests offline.
 */

/** The settings file used when neither an argument nor `FD_SETTINGS` names another. */
export const DEFAULT_SETTINGS_PATH = "settings/example.json";

function crossFieldErrors(settings: Settings): string[] {
  const errors: string[] = [];
  const loginOwner = new Map<string, string>();
  for (const user of settings.users) {
    const idProblem = idProblemUnder(settings.identity, user.id);
    if (idProblem !== undefined) errors.push(`users: ${idProblem}`);
    errors.push(...loginErrors(user, loginOwner));
  }
  errors.push(...homeOwnerErrors(settings.homes.owners));
  errors.push(...networkProblems(settings.region, settings.network));
  errors.push(...mountTargetErrors(settings));
  errors.push(...lifetimeErrors(settings));
  if ("AccessNetwork" in settings.defaults) {
    errors.push("defaults: set AccessNetwork with the top-level accessNetwork setting instead.");
  }
  const duplicateIam = settings.iamUsers.filter((name, i) => settings.iamUsers.indexOf(name) !== i);
  if (duplicateIam.length > 0) {
    errors.push(`iamUsers: ${[...new Set(duplicateIam)].join(", ")} listed more than once.`);
  }
  if (settings.identity.source === "principal-tag" && settings.iamUsers.length > 0) {
    errors.push(
      "iamUsers: with identity principal-tag there is no users' group to add IAM users to; " +
        "attach the users' policy to the permission set or role instead.",
    );
  }
  return errors;
}

/**
 * Every user, retired ones included, once; and no two with one UID, which
 * would make each the owner of the other's files wherever both homes are seen.
 * The message asks for a `uid` on the newer user, so no existing home changes hands.
 */
function homeOwnerErrors(owners: Settings["homes"]["owners"]): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  const uidOwner = new Map<string, string>();
  for (const owner of owners) {
    if (seen.has(owner.id)) errors.push(`users: ${owner.id} is listed more than once.`);
    seen.add(owner.id);
    const other = uidOwner.get(owner.uid);
    if (other !== undefined && other !== owner.id) {
      errors.push(
        `users: ${other} and ${owner.id} would both have UID ${owner.uid}; give the newer of them a "uid" of its own (never change the UID of a user whose home has files).`,
      );
    }
    uidOwner.set(owner.uid, owner.id);
  }
  return errors;
}

/** EFS's limit on mount targets in one VPC, which AWS does not raise. */
const MAX_MOUNT_TARGETS_PER_VPC = 400;

/** Every home has a mount target in every zone, and a VPC holds at most 400. */
function mountTargetErrors(settings: Settings): string[] {
  const homes = settings.homes.owners.length;
  const zones = settings.network.subnets.length;
  if (homes * zones <= MAX_MOUNT_TARGETS_PER_VPC) return [];
  return [
    `users: ${homes} homes in ${zones} zones need ${homes * zones} EFS mount targets, and a VPC holds at most ${MAX_MOUNT_TARGETS_PER_VPC}: use fewer zones (network.zones), or at most ${Math.floor(MAX_MOUNT_TARGETS_PER_VPC / zones)} users, retired ones included.`,
  ];
}

/**
 * The login rule across users: each login a Linux login, not a system
 * account, and no two users with one login (they would share an account,
 * its home and its SSH keys on any cluster either of them creates).
 * `loginOwner` collects the logins seen so far.
 */
function loginErrors(user: Settings["users"][number], loginOwner: Map<string, string>): string[] {
  const errors: string[] = [];
  const problem = loginProblem(user.login);
  if (problem !== undefined) {
    const derived = user.login === derivedLogin(user.id) ? " (derived from the id)" : "";
    errors.push(
      `users: ${user.id}: ${problem.replace(/\.$/, "")}${derived}; set "login" for ${user.id}.`,
    );
  }
  const other = loginOwner.get(user.login);
  if (other !== undefined && other !== user.id) {
    errors.push(
      `users: ${other} and ${user.id} would both log in as ${user.login}; set a different "login" for one of them.`,
    );
  }
  loginOwner.set(user.login, user.id);
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
