import { loginProblem } from "../../functions/shared/login-name.js";
import { UID_RULE, UidCodec } from "../../functions/shared/user-uid.js";
import { isValidSshPublicKey } from "../settings/setting-values.js";

/*
 * Renders the per-user customizer `user.sh` from its template
 * (customizer-scripts/default/configure.d/user.sh). Pure: text in, text out.
 * The script creates the user's Linux login (functions/shared/login-name.ts),
 * not their IAM name: it goes under the IAM name's folder, but the account is
 * the login the settings gave or derived.
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

/** One shell word that bash reads back as exactly `value`: single quotes, with `'` spelled `'\''`. */
function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const PLACEHOLDER = /__FLIGHTDECK_[A-Z0-9_]+__/g;

/**
 * Renders the user.sh template for one user: the login name, its UID and the
 * SSH key go in as single-quoted shell words, so no value can run code. Throws
 * {@link UserScriptError} for a login that is not a valid one, a bad UID, a key that
 * {@link isValidSshPublicKey} refuses, or a template whose placeholders are
 * not exactly the expected ones, each once.
 *
 * @example
 * renderUserScript(template, { login: "alice_smith", uid: "123456", sshPublicKey: "ssh-ed25519 AAAAC3Nz… alice@laptop" })
 * // => the script, with FD_LOGIN='alice_smith' FD_UID='123456' FD_SSH_PUBLIC_KEY='ssh-ed25519 AAAAC3Nz… alice@laptop'
 */
export function renderUserScript(
  templateText: string,
  user: { readonly login: string; readonly uid: string; readonly sshPublicKey: string },
): string {
  const { login } = user;
  const problem = loginProblem(login);
  if (problem !== undefined) throw new UserScriptError(`Cannot render user.sh: ${problem}`);
  if (!UidCodec.is(user.uid)) {
    throw new UserScriptError(`Cannot render user.sh for ${login}: its UID must be ${UID_RULE}.`);
  }
  if (!isValidSshPublicKey(user.sshPublicKey)) {
    throw new UserScriptError(
      `The SSH public key for ${login} is not a single ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa public key line.`,
    );
  }
  const values: Record<string, string> = {
    [USER_SCRIPT_PLACEHOLDERS.login]: login,
    [USER_SCRIPT_PLACEHOLDERS.uid]: user.uid,
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
