import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { renderUserScript } from "../../stacks/customizer/user-script.js";

/*
 * Runs the rendered user.sh for real, against a sandbox: FLIGHTDECK_ROOT
 * prefixes every file it touches, and stub getent/groupadd/useradd/chown on
 * PATH keep accounts in the sandbox's own etc/passwd and etc/group and log
 * every call, so the tests see exactly what the script would change.
 */

const template = readFileSync(
  new URL("../../customizer-scripts/default/configure.d/user.sh", import.meta.url),
  "utf8",
);
const keys = JSON.parse(
  readFileSync(new URL("../fixtures/template/ssh-public-keys.json", import.meta.url), "utf8"),
) as Record<string, string>;
const ed25519 = keys["ed25519"] ?? "";
const rsa = keys["rsa2048"] ?? "";

const STUBS: Record<string, string> = {
  getent: `#!/bin/bash
# getent passwd|group NAME-OR-ID, from the sandbox's files.
echo "getent $*" >>"$SANDBOX_LOG"
awk -F: -v key="$2" '$1 == key || $3 == key { print; found = 1 } END { exit found ? 0 : 2 }' \\
  "$FLIGHTDECK_ROOT/etc/$1"
`,
  groupadd: `#!/bin/bash
echo "groupadd $*" >>"$SANDBOX_LOG"
[ "$1" = --gid ] || exit 9
echo "$3:x:$2:" >>"$FLIGHTDECK_ROOT/etc/group"
`,
  useradd: `#!/bin/bash
echo "useradd $*" >>"$SANDBOX_LOG"
create=no
while [ $# -gt 1 ]; do
  case $1 in
    --uid) uid=$2; shift 2 ;;
    --gid) gid=$(awk -F: -v g="$2" '$1 == g { print $3 }' "$FLIGHTDECK_ROOT/etc/group"); shift 2 ;;
    --home-dir) home=$2; shift 2 ;;
    --shell) shell=$2; shift 2 ;;
    --create-home) create=yes; shift ;;
    --no-create-home) shift ;;
    *) exit 9 ;;
  esac
done
echo "$1:x:$uid:$gid::$home:$shell" >>"$FLIGHTDECK_ROOT/etc/passwd"
if [ "$create" = yes ]; then mkdir -p "$FLIGHTDECK_ROOT$home"; fi
`,
  chown: `#!/bin/bash
echo "chown $*" >>"$SANDBOX_LOG"
[ -e "$2" ] || exit 9
`,
};

interface Sandbox {
  readonly dir: string;
  readonly root: string;
  run(script: string): { status: number | null; stderr: string; calls: string[] };
  snapshot(): Record<string, string>;
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-user-"));
  const root = join(dir, "root");
  const bin = join(dir, "bin");
  mkdirSync(join(root, "etc/sudoers.d"), { recursive: true });
  mkdirSync(join(root, "home"));
  mkdirSync(bin);
  writeFileSync(
    join(root, "etc/passwd"),
    "root:x:0:0::/root:/bin/bash\nubuntu:x:1000:1000::/home/ubuntu:/bin/bash\n",
  );
  writeFileSync(join(root, "etc/group"), "root:x:0:\nubuntu:x:1000:\n");
  for (const [name, text] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  const log = join(dir, "calls.log");
  return {
    dir,
    root,
    run(script) {
      const path = join(dir, "user.sh");
      writeFileSync(path, script);
      writeFileSync(log, "");
      const result = spawnSync("bash", [path, "configure", "master"], {
        encoding: "utf8",
        env: {
          PATH: `${bin}:${process.env["PATH"] ?? ""}`,
          FLIGHTDECK_ROOT: root,
          SANDBOX_LOG: log,
        },
      });
      const calls = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith("getent"));
      return { status: result.status, stderr: result.stderr, calls };
    },
    /** Every file and directory under the root: its mode, mtime and (for files) its content. */
    snapshot() {
      const entries: Record<string, string> = {};
      const visit = (path: string) => {
        for (const name of readdirSync(path)) {
          const full = join(path, name);
          const stat = statSync(full);
          const content = stat.isDirectory() ? "<dir>" : readFileSync(full, "utf8");
          entries[full.slice(root.length)] = `${stat.mode.toString(8)} ${stat.mtimeMs} ${content}`;
          if (stat.isDirectory()) visit(full);
        }
      };
      visit(root);
      return entries;
    },
  };
}

/** user.sh with the placeholders replaced by hand, bypassing the renderer's checks. */
function renderedByHand(login: string, uid: string, key: string): string {
  const word = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  return template
    .replace("__FLIGHTDECK_LOGIN__", word(login))
    .replace("__FLIGHTDECK_UID__", word(uid))
    .replace("__FLIGHTDECK_SSH_PUBLIC_KEY__", word(key));
}

describe("customizer user.sh, run in a sandbox", () => {
  const boxes: Sandbox[] = [];
  const box = () => {
    const created = sandbox();
    boxes.push(created);
    return created;
  };
  after(() => boxes.forEach((b) => rmSync(b.dir, { recursive: true, force: true })));

  const uid = "123456";
  const script = renderUserScript(template, { login: "alice", uid, sshPublicKey: ed25519 });

  it("creates the account with its UID, installs the key and the sudo rule", () => {
    const sb = box();
    const result = sb.run(script);
    expect(result.status, result.stderr).to.equal(0);
    expect(readFileSync(join(sb.root, "etc/passwd"), "utf8")).to.contain(
      `alice:x:${uid}:${uid}::/home/alice:/bin/bash\n`,
    );
    expect(result.calls).to.include(`groupadd --gid ${uid} alice`);
    expect(result.calls).to.include(
      `useradd --uid ${uid} --gid alice --home-dir /home/alice --shell /bin/bash --create-home alice`,
    );
    const keysFile = join(sb.root, "home/alice/.ssh/authorized_keys");
    expect(readFileSync(keysFile, "utf8")).to.equal(`${ed25519}\n`);
    expect(statSync(keysFile).mode & 0o777).to.equal(0o600);
    expect(statSync(join(sb.root, "home/alice/.ssh")).mode & 0o777).to.equal(0o700);
    expect(result.calls).to.include(`chown alice:alice ${keysFile}`);
    const sudoers = join(sb.root, "etc/sudoers.d/90-flightdeck-alice");
    expect(readFileSync(sudoers, "utf8")).to.equal("alice ALL=(ALL) NOPASSWD:ALL\n");
    expect(statSync(sudoers).mode & 0o777).to.equal(0o440);
  });

  it("changes nothing when run again", () => {
    const sb = box();
    expect(sb.run(script).status).to.equal(0);
    const before = sb.snapshot();
    const again = sb.run(script);
    expect(again.status, again.stderr).to.equal(0);
    expect(again.calls).to.deep.equal([]);
    expect(sb.snapshot()).to.deep.equal(before);
  });

  it("adopts a shared /home made by the master without re-creating it, and keeps other keys", () => {
    const sb = box();
    mkdirSync(join(sb.root, "home/alice/.ssh"), { recursive: true, mode: 0o700 });
    writeFileSync(join(sb.root, "home/alice/.ssh/authorized_keys"), `${rsa}\n`, { mode: 0o600 });
    const result = sb.run(script);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.calls.find((call) => call.startsWith("useradd"))).to.match(
      /--no-create-home alice$/,
    );
    expect(readFileSync(join(sb.root, "home/alice/.ssh/authorized_keys"), "utf8")).to.equal(
      `${rsa}\n${ed25519}\n`,
    );
  });

  const malformed: Record<string, string> = {
    "an options prefix": `command="/bin/sh" ${ed25519}`,
    "a second line": `${ed25519}\nssh-ed25519 AAAA evil`,
    "no key at all": "hello",
    "a DSA key": "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
  };
  for (const [name, key] of Object.entries(malformed)) {
    it(`refuses at run time a key with ${name}, and changes nothing`, () => {
      const sb = box();
      const before = sb.snapshot();
      const result = sb.run(renderedByHand("alice", uid, key));
      expect(result.status).to.equal(1);
      expect(result.stderr).to.match(/malformed SSH public key/);
      expect(result.calls).to.deep.equal([]);
      expect(sb.snapshot()).to.deep.equal(before);
    });
  }

  it("refuses to run unrendered", () => {
    const sb = box();
    const result = sb.run(template);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/unrendered template/);
    expect(result.calls).to.deep.equal([]);
  });

  it("refuses a login name the renderer would not produce", () => {
    const result = box().run(renderedByHand("Alice; rm -rf /", uid, ed25519));
    expect(result.status).to.equal(1);
    expect(result.stderr).to.match(/refusing login name/);
  });

  it("stops, naming the owner, when another account holds the UID", () => {
    const sb = box();
    writeFileSync(join(sb.root, "etc/passwd"), `bob:x:${uid}:${uid}::/home/bob:/bin/bash\n`, {
      flag: "a",
    });
    const result = sb.run(script);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain(`UID ${uid} already belongs to bob`);
    expect(existsSync(join(sb.root, "home/alice"))).to.equal(false);
  });
});
