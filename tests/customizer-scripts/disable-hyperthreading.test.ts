import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

/*
 * Runs 20-disable-hyperthreading.sh against a fake sysfs tree
 * (FLIGHTDECK_SYSFS): 4 cores with 2 threads each, siblings listed the way
 * Intel instances list them ("0,4") and cpu0 without an `online` file, as on
 * real hardware.
 */

const script = fileURLToPath(
  new URL(
    "../../customizer-scripts/default/configure.d/20-disable-hyperthreading.sh",
    import.meta.url,
  ),
);
const CPUS = 8;
const CORES = 4;

function fakeSysfs(): string {
  const sysfs = mkdtempSync(join(tmpdir(), "flightdeck-sysfs-"));
  for (let cpu = 0; cpu < CPUS; cpu += 1) {
    const dir = join(sysfs, `devices/system/cpu/cpu${cpu}`);
    mkdirSync(join(dir, "topology"), { recursive: true });
    const core = cpu % CORES;
    writeFileSync(join(dir, "topology/thread_siblings_list"), `${core},${core + CORES}\n`);
    if (cpu !== 0) writeFileSync(join(dir, "online"), "1\n");
  }
  return sysfs;
}

/** Each CPU's `online` value, "-" where the file does not exist. */
function onlineStates(sysfs: string): string[] {
  return Array.from({ length: CPUS }, (_, cpu) => {
    try {
      return readFileSync(join(sysfs, `devices/system/cpu/cpu${cpu}/online`), "utf8").trim();
    } catch {
      return "-";
    }
  });
}

function run(sysfs: string, role: string) {
  const result = spawnSync("bash", [script, "configure", role], {
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "", FLIGHTDECK_SYSFS: sysfs },
  });
  expect(result.status, result.stderr).to.equal(0);
  return result.stdout;
}

describe("customizer 20-disable-hyperthreading.sh on a fake sysfs", () => {
  const trees: string[] = [];
  const tree = () => {
    const sysfs = fakeSysfs();
    trees.push(sysfs);
    return sysfs;
  };
  after(() => trees.forEach((sysfs) => rmSync(sysfs, { recursive: true, force: true })));

  it("takes every sibling thread offline on a compute node (role slave)", () => {
    const sysfs = tree();
    expect(run(sysfs, "slave")).to.contain("took 4 sibling threads offline");
    expect(onlineStates(sysfs)).to.deep.equal(["-", "1", "1", "1", "0", "0", "0", "0"]);
  });

  it("changes nothing when run again", () => {
    const sysfs = tree();
    run(sysfs, "slave");
    const before = onlineStates(sysfs);
    expect(run(sysfs, "slave")).to.contain("took 0 sibling threads offline");
    expect(onlineStates(sysfs)).to.deep.equal(before);
  });

  it("handles range-style sibling lists and offline CPUs without topology", () => {
    const sysfs = tree();
    const cpu = (n: number) => join(sysfs, `devices/system/cpu/cpu${n}`);
    writeFileSync(join(cpu(1), "topology/thread_siblings_list"), "0-1\n");
    rmSync(join(cpu(5), "topology"), { recursive: true });
    writeFileSync(join(cpu(5), "online"), "0\n");
    run(sysfs, "slave");
    expect(onlineStates(sysfs)).to.deep.equal(["-", "0", "1", "1", "0", "0", "0", "0"]);
  });

  it("leaves the master's threads alone", () => {
    const sysfs = tree();
    expect(run(sysfs, "master")).to.contain("keeps its threads");
    expect(onlineStates(sysfs)).to.deep.equal(["-", "1", "1", "1", "1", "1", "1", "1"]);
  });
});
