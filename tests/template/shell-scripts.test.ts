import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { renderUserScript } from "../../stacks/customizer/user-script.js";
import { MASTER_RESOURCE } from "../../template/node-common.js";
import { MAX_USER_DATA_BYTES } from "../../template/user-data.js";
import {
  isObject,
  loadClusterTemplate,
  renderUserData,
  section,
  type JsonObject,
} from "./cluster-template-support.js";

/*
 * Every shell script the cluster runs passes `bash -n` and shellcheck (all
 * severities): the boot files, the customizers, user.sh as rendered for a
 * sample user, each role's user data as an instance receives it, and the
 * rehearsal's node setup and seams. The Python boot files and seams must at
 * least parse.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const keys = JSON.parse(
  readFileSync(join(root, "tests/fixtures/template/ssh-public-keys.json"), "utf8"),
) as Record<string, string>;

function filesIn(dir: string, extension: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(extension))
    .map((name) => join(root, dir, name))
    .sort();
}

function run(command: string, args: string[], cwd = root) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  return { status: result.status, error: result.error, output: `${result.stdout}${result.stderr}` };
}

const shellcheckMissing = run("shellcheck", ["--version"]).error !== undefined;
const python = ["python3", "python"].find((name) => run(name, ["--version"]).error === undefined);

/** The longest value each user-data variable can take, so the size check is the worst case. */
const SAMPLE_VALUES: Record<string, string> = {
  "AWS::Region": "ap-southeast-2",
  "AWS::StackName": `fd-${"u".repeat(64)}-${"c".repeat(40)}`,
  ClusterName: "c".repeat(40),
  AccessUsername: "a_b-c".padEnd(32, "x"),
  FlightProfiles: "a+b=c,d.e@f_g-h ".repeat(16),
  CustomizerBucket: "B".repeat(255),
  CustomizerPrefix: "customizer/with.some_deep-prefix",
  FlightDeckBucket: "b".repeat(255),
  UserHomePrefix: `home/${"a+b=c,d.e@f_g-h".padEnd(64, "x")}`,
  MungeKeySecret: `arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:MungeKeySecret-${"x".repeat(20)}`,
  NodeHostKeySecret: `arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:NodeHostKeySecret-${"x".repeat(20)}`,
  AccessUid: "2147483647",
  HomeFileSystem: "fs-0123456789abcdef0",
  "AWS::URLSuffix": "amazonaws.com.cn",
  ComputeMaxNodes: "1000",
  ComputeInitialNodes: "1000",
  ComputeInstanceLabels: [
    "hpc6id.32xlarge-64C-1024GB",
    "hpc7a.96xlarge-192C-768GB",
    "m7i.48xlarge-192C-768GB",
    "r7i.48xlarge-192C-1536GB",
  ].join(","),
  FallbackGroupName: `fd-${"u".repeat(64)}-${"c".repeat(40)}-compute-on-demand`,
  ComputeMarket: "on-demand",
  SpotFallbackMinutes: "1440",
  ComputeOnDemandAllowed: "false",
  AutoscalingPolicy: "disabled",
  IdleDeleteMinutes: "10080",
  [`${MASTER_RESOURCE}.PrivateIp`]: "10.0.255.254",
  [`${MASTER_RESOURCE}.PrivateDnsName`]: "ip-10-0-255-254.ap-southeast-2.compute.internal",
};

/** Each role's user data, rendered with the sample values. */
function renderedUserData(): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const [name, resource] of Object.entries(section(loadClusterTemplate(), "Resources"))) {
    if (!isObject(resource)) continue;
    const properties = resource["Properties"] as JsonObject;
    const data = isObject(properties["LaunchTemplateData"] ?? null)
      ? (properties["LaunchTemplateData"] as JsonObject)["UserData"]
      : properties["UserData"];
    if (data !== undefined) rendered[name] = renderUserData(data, SAMPLE_VALUES);
  }
  return rendered;
}

describe("shell scripts of the cluster", function () {
  const scratch = mkdtempSync(join(tmpdir(), "flightdeck-shell-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const userTemplate = join(root, "customizer-scripts/default/configure.d/user.sh");
  const renderedUser = join(scratch, "user.sh");
  writeFileSync(
    renderedUser,
    renderUserScript(readFileSync(userTemplate, "utf8"), {
      login: "alice",
      uid: "123456",
      sshPublicKey: `${keys["ed25519"]} it's $(rm -rf /) \`id\``,
    }),
  );
  const userData = renderedUserData();
  const userDataFiles = Object.entries(userData).map(([name, text]) => {
    const path = join(scratch, `${name}-user-data.sh`);
    writeFileSync(path, text);
    return path;
  });
  /** The rehearsal's node setup and its seams, which stand in for parts of a node's image. */
  const rehearsal = join(root, "tests/support/rehearsal");
  const seamsIn = (shebang: RegExp) =>
    readdirSync(join(rehearsal, "image"), { recursive: true, encoding: "utf8" })
      .map((name) => join(rehearsal, "image", name))
      .filter((path) => statSync(path).isFile() && shebang.test(readFileSync(path, "utf8")))
      .sort();
  const bashSeams = seamsIn(/^#!\/bin\/(ba)?sh\b/);
  const pythonSeams = seamsIn(/^#!\/usr\/bin\/(env )?python3\b/);
  const scripts = [
    ...filesIn("template/boot", ".sh"),
    ...filesIn("customizer-scripts", ".sh"),
    renderedUser,
    ...userDataFiles,
    join(rehearsal, "node-setup.sh"),
    ...bashSeams,
  ];

  it("covers the boot files, the customizers, the rendered user.sh and both roles' user data", () => {
    const names = scripts.map((path) => relative(root, path));
    expect(names).to.include.members([
      "template/boot/bootstrap.sh",
      "template/boot/common.sh",
      "template/boot/master.sh",
      "template/boot/compute.sh",
      "customizer-scripts/default/configure.d/user.sh",
      "customizer-scripts/default/configure.d/10-packages.sh",
      "customizer-scripts/default/configure.d/20-disable-hyperthreading.sh",
      "tests/support/rehearsal/node-setup.sh",
      "tests/support/rehearsal/image/usr/bin/apt-get",
    ]);
    expect(userDataFiles).to.have.length(2);
    expect(pythonSeams.map((path) => relative(root, path))).to.include.members([
      "tests/support/rehearsal/image/usr/bin/systemctl",
      "tests/support/rehearsal/image/usr/sbin/fdr-init",
    ]);
  });

  for (const script of scripts) {
    const name = script.startsWith(scratch)
      ? `rendered ${relative(scratch, script)}`
      : relative(root, script);

    it(`${name} parses (bash -n) and passes shellcheck`, function () {
      const syntax = run("bash", ["-n", script]);
      expect(syntax.status, syntax.output).to.equal(0);
      if (shellcheckMissing) {
        if (process.env["CI"]) expect.fail("shellcheck is not installed, and CI must run it");
        this.skip();
      }
      const lint = run("shellcheck", ["-x", "--source-path=SCRIPTDIR", script], dirname(script));
      expect(lint.status, lint.output).to.equal(0);
    });
  }

  for (const file of [...filesIn("template/boot", ".py"), ...pythonSeams]) {
    it(`${relative(root, file)} is valid Python 3`, function () {
      if (python === undefined) {
        if (process.env["CI"])
          expect.fail("python3 is not installed, and CI must check the boot helpers");
        this.skip();
      }
      const check = run(python, [
        "-c",
        "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])",
        file,
      ]);
      expect(check.status, check.output).to.equal(0);
    });
  }

  it("keeps each role's user data under EC2's 16 KiB, even with the longest values", () => {
    for (const [name, text] of Object.entries(userData)) {
      expect(new TextEncoder().encode(text).byteLength, name).to.be.below(MAX_USER_DATA_BYTES);
    }
  });

  it("writes boot.env so that bash reads back every value exactly", () => {
    for (const [name, text] of Object.entries(userData)) {
      const env = /<<'FLIGHTDECK_EOF'\n([\s\S]*?)FLIGHTDECK_EOF\n/.exec(text)?.[1] ?? "";
      const file = join(scratch, `${name}.env`);
      writeFileSync(file, env);
      const read = run("bash", ["-c", 'set -a; . "$1"; env -0', "bash", file]);
      const values = Object.fromEntries(
        read.output
          .split("\0")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      expect(values["FD_USER"], name).to.equal(SAMPLE_VALUES["AccessUsername"]);
      expect(values["FD_PROFILES"], name).to.equal(SAMPLE_VALUES["FlightProfiles"]);
      expect(values["FD_BUCKET"], name).to.equal(SAMPLE_VALUES["CustomizerBucket"]);
      expect(values["FD_STACK"], name).to.equal(SAMPLE_VALUES["AWS::StackName"]);
      expect(values["FD_ROLE"], name).to.be.oneOf(["master", "slave"]);
      // The owner's home: EFS's own name for the file system, and the UID that owns it.
      expect(values["FD_HOME_HOST"], name).to.equal(
        "fs-0123456789abcdef0.efs.ap-southeast-2.amazonaws.com.cn",
      );
      expect(values["FD_UID"], name).to.equal(SAMPLE_VALUES["AccessUid"]);
    }
  });
});
