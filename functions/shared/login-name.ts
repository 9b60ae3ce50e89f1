import { patternCodec } from "./readable-errors.js";

/*
 * The Linux login a user gets on their clusters. It is separate from the
 * user id (the IAM user name or session-tag value that names their S3 home and
 * customizer folder), because IAM allows capitals and `+=,.@` and Linux does
 * not. By default it is derived from the id; an admin may set it instead.
 */

declare const loginNameBrand: unique symbol;
/** A Linux login FlightDeck creates: `[a-z_][a-z0-9_-]{0,31}`, and not a system account's. */
export type LoginName = string & { readonly [loginNameBrand]: true };

/**
 * What upstream shadow's useradd accepts without `--badname`, and what
 * customizer-scripts/default/configure.d/user.sh checks again on the node.
 */
export const LOGIN_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;
/** The longest login: 32 characters, the `ut_user` field of utmp. */
const MAX_LOGIN_LENGTH = 32;
/** What a login may hold, in the words the refusals use. */
const LOGIN_RULE =
  "a lowercase letter, then at most 31 lowercase letters, digits, _ or -, and not a system account";

/**
 * Accounts a login may never be. A cluster owner gets sudo and their SSH key
 * in the account's home, so taking over any of these would at best break the
 * node and at worst hand a service's files to the user. The list is the
 * Debian/Ubuntu base system users (`base-passwd`), the ones Ubuntu 24.04's
 * cloud image and the cluster's packages add (Slurm, munge, NFS, chrony, the
 * default `ubuntu` user), and `default`, the customizer folder every cluster
 * runs. Names starting with `_` and `systemd-` are refused as a family: Debian
 * gives new system users those prefixes (`_apt`, `_rpc`, `systemd-network`).
 */
export const RESERVED_LOGINS: ReadonlySet<string> = new Set([
  // base-passwd
  "root",
  "daemon",
  "bin",
  "sys",
  "sync",
  "games",
  "man",
  "lp",
  "mail",
  "news",
  "uucp",
  "proxy",
  "www-data",
  "backup",
  "list",
  "irc",
  "gnats",
  "nobody",
  // Ubuntu 24.04 server and cloud image
  "ubuntu",
  "messagebus",
  "syslog",
  "sshd",
  "uuidd",
  "tcpdump",
  "tss",
  "landscape",
  "pollinate",
  "polkitd",
  "lxd",
  "usbmux",
  "dnsmasq",
  "fwupd-refresh",
  "dhcpcd",
  "ntp",
  "chrony",
  "statd",
  "postfix",
  "admin",
  // the cluster's own packages (MariaDB, for slurmdbd on the master, runs as mysql)
  "slurm",
  "munge",
  "mysql",
  // FlightDeck: the customizer folder every cluster runs
  "default",
]);
const RESERVED_PREFIXES = ["_", "systemd-"] as const;

/**
 * Why `login` cannot be a cluster login, in a sentence naming it, or
 * `undefined` when it can.
 *
 * @example
 * loginProblem("alice")   // => undefined
 * loginProblem("root")    // => 'login "root" is a system account on every node.'
 * loginProblem("Alice")   // => 'login "Alice" is not a Linux login: …'
 */
export function loginProblem(login: string): string | undefined {
  if (!LOGIN_PATTERN.test(login)) {
    return `login ${JSON.stringify(login)} is not a Linux login: use ${LOGIN_RULE}.`;
  }
  const prefix = RESERVED_PREFIXES.find((p) => login.startsWith(p));
  if (RESERVED_LOGINS.has(login) || prefix !== undefined) {
    const family = prefix === undefined ? "" : ` (names starting with ${prefix} are)`;
    return `login ${JSON.stringify(login)} is a system account on every node${family}.`;
  }
  return undefined;
}

export const LoginNameCodec = patternCodec<LoginName>(
  "LoginName",
  LOGIN_PATTERN,
  `a Linux login: ${LOGIN_RULE}`,
);

/** Characters IAM allows in a name that Linux refuses in a login, and what each becomes. */
const MAPPED = /[+=,.@]/g;

/**
 * The login a user id gets when the admin sets none: deterministic, so the
 * settings, the Lambdas and the CLI all agree without storing it.
 *
 * 1. lowercase the id (`Alice.Smith` → `alice.smith`);
 * 2. replace each of `+ = , . @` with `_` (`alice_smith`);
 * 3. put `u` in front when the result does not start with a letter
 *    (`1password` → `u1password`, `_svc` → `u_svc`);
 * 4. keep the first 32 characters.
 *
 * The result always matches {@link LOGIN_PATTERN}. It may still be a system
 * account (`Root` → `root`) or another user's login (`alice.smith` and
 * `Alice.Smith`); the settings refuse both, naming the users.
 *
 * @example
 * derivedLogin("john.smith")        // => "john_smith"
 * derivedLogin("alice@example.com") // => "alice_example_com"
 * derivedLogin("a+b=c,d")           // => "a_b_c_d"
 */
export function derivedLogin(id: string): LoginName {
  const mapped = id.toLowerCase().replace(MAPPED, "_");
  const started = /^[a-z]/.test(mapped) ? mapped : `u${mapped}`;
  return started.slice(0, MAX_LOGIN_LENGTH) as LoginName;
}
