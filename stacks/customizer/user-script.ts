import { isUserId } from "../../functions/shared/identifiers.js";

/*
 * Renders the per-user customizer `user.sh` from its template
 * (customizer-scripts/default/configure.d/user.sh). Pure: text in, text out.
 *
 * Login-name rule: the Linux login name IS the IAM user id, and an id that is
 * not a portable Linux user name (`[a-z_][a-z0-9_-]{0,31}`, what upstream
 * shadow's useradd accepts) is refused. So the template's `LoginUser` output
 * (`Ref AccessUsername`) always names the account user.sh creates, with no
 * mapping to compute in CloudFormation. IAM ids with capitals or `+=,.@`
 * need a different IAM name (or a mapping here plus a template change).
 */

/** The placeholders user.sh carries; each appears exactly once, as a whole shell word. */
export const USER_SCRIPT_PLACEHOLDERS = {
  login: "__FLIGHTDECK_LOGIN__",
  uid: "__FLIGHTDECK_UID__",
  sshPublicKey: "__FLIGHTDECK_SSH_PUBLIC_KEY__",
} as const;

/** Where the rendered script goes, under the customizer prefix: `<prefix>/<user>/configure.d/user.sh`. */
export const USER_SCRIPT_NAME = "configure.d/user.sh";

/** Refused input for user.sh: a user id or key that cannot be rendered safely. */
export class UserScriptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UserScriptError";
  }
}

const LINUX_LOGIN = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The Linux login name for an IAM user id: the id itself, when it is a
 * portable Linux user name. Throws {@link UserScriptError} otherwise.
 *
 * @example
 * linuxLoginFor("alice") // => "alice"
 * linuxLoginFor("Alice") // throws: capitals are not portable
 */
export function linuxLoginFor(id: string): string {
  if (!isUserId(id)) {
    throw new UserScriptError(`${JSON.stringify(id)} is not an IAM user name.`);
  }
  if (!LINUX_LOGIN.test(id)) {
    throw new UserScriptError(
      `IAM user ${JSON.stringify(id)} cannot log in to a cluster: the login name is the user name, ` +
        "which must be a lowercase letter or _ followed by at most 31 lowercase letters, digits, _ or -.",
    );
  }
  return id;
}

/** UIDs come from 10000–59999: above Ubuntu's ordinary accounts, below its UID_MAX (60000). */
const UID_BASE = 10_000;
const UID_SPAN = 50_000;

/**
 * The UID (and GID) user.sh gives a login on every node: the 32-bit FNV-1a
 * hash of the name, folded into 10000–59999. Deterministic, so nodes agree
 * without talking to each other; user.sh stops if another account holds it.
 */
export function linuxUidFor(login: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(login)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return UID_BASE + (hash % UID_SPAN);
}

const KEY_TYPES = new Set([
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
]);
/** Type, one space, padded base64, then optionally one space and a printable-ASCII comment. */
const KEY_SHAPE =
  /^([a-z0-9-]+) ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)(?: ([ -~]*))?$/;
const MAX_KEY_LENGTH = 8192;

/**
 * Whether `key` is one OpenSSH public key line FlightDeck installs:
 * `ssh-ed25519`, `ecdsa-sha2-nistp256/384/521` or `ssh-rsa`, a base64 body
 * whose embedded type matches, and an optional comment. Refuses newlines,
 * `authorized_keys` options (`command="…" ssh-rsa …`) and anything else.
 */
export function isValidSshPublicKey(key: string): boolean {
  if (key.length > MAX_KEY_LENGTH) return false;
  const match = KEY_SHAPE.exec(key);
  const [, type, body] = match ?? [];
  if (type === undefined || body === undefined || body === "" || !KEY_TYPES.has(type)) {
    return false;
  }
  // The blob starts with the key type as an SSH string (uint32 length, bytes).
  const blob = Buffer.from(body, "base64");
  if (blob.length < 4 + type.length) return false;
  const declared = blob.readUInt32BE(0);
  return declared === type.length && blob.subarray(4, 4 + declared).toString("latin1") === type;
}

/** One shell word that bash reads back as exactly `value`: single quotes, with `'` spelled `'\''`. */
function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const PLACEHOLDER = /__FLIGHTDECK_[A-Z0-9_]+__/g;

/**
 * Renders the user.sh template for one user: the login name, its UID and the
 * SSH key go in as single-quoted shell words, so no value can run code. Throws
 * {@link UserScriptError} for an id that is not a valid login name, a key that
 * {@link isValidSshPublicKey} refuses, or a template whose placeholders are
 * not exactly the expected ones, each once.
 *
 * @example
 * renderUserScript(template, { id: "alice", sshPublicKey: "ssh-ed25519 AAAAC3Nz… alice@laptop" })
 * // => the script, with FD_LOGIN='alice' FD_UID='…' FD_SSH_PUBLIC_KEY='ssh-ed25519 AAAAC3Nz… alice@laptop'
 */
export function renderUserScript(
  templateText: string,
  user: { readonly id: string; readonly sshPublicKey: string },
): string {
  const login = linuxLoginFor(user.id);
  if (!isValidSshPublicKey(user.sshPublicKey)) {
    throw new UserScriptError(
      `The SSH public key for ${login} is not a single ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa public key line.`,
    );
  }
  const values: Record<string, string> = {
    [USER_SCRIPT_PLACEHOLDERS.login]: login,
    [USER_SCRIPT_PLACEHOLDERS.uid]: String(linuxUidFor(login)),
    [USER_SCRIPT_PLACEHOLDERS.sshPublicKey]: user.sshPublicKey,
  };
  const found = templateText.match(PLACEHOLDER) ?? [];
  for (const placeholder of Object.keys(values)) {
    const count = found.filter((token) => token === placeholder).length;
    if (count !== 1) {
      throw new UserScriptError(
        `The user.sh template has ${placeholder} ${count} times, not once.`,
      );
    }
  }
  const unknown = found.filter((token) => !Object.hasOwn(values, token));
  if (unknown.length > 0) {
    throw new UserScriptError(
      `The user.sh template has unknown placeholders: ${unknown.join(", ")}.`,
    );
  }
  // A replacer function, not a replacement string: `$&` or `$'` in a key comment stay literal.
  return templateText.replace(PLACEHOLDER, (token) => shellWord(values[token] ?? token));
}
