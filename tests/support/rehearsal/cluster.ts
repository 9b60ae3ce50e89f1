import { spawnSync } from "node:child_process";
import type { AwsReport, FakeAwsProcess, InstanceReport, StackReport } from "./fake-aws-client.js";
import { SYSTEM_PATH } from "./host.js";

/*
 * One rehearsed cluster, used through its master as its user would: a
 * login shell (`nsenter` into the master, `setpriv` to the user), sbatch,
 * squeue, sinfo and scontrol, and the fake AWS's view of its instances.
 */

export interface JobRecord {
  readonly state: string;
  readonly reason: string;
  readonly restarts: number;
  readonly nodes: string;
  readonly submit: number | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
}

export interface CommandOutput {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a cluster uses of the rehearsal that made it (rehearsal.ts): its fake AWS and its clock. */
export interface ClusterRehearsal {
  readonly aws: FakeAwsProcess;
  /** Real seconds for `minutes` simulated minutes. */
  minutes(minutes: number): number;
  /** Polls `check` until it returns a value other than undefined/false, within `seconds`. */
  waitFor<T>(
    what: string,
    seconds: number,
    check: () => Promise<T | undefined | false> | T | undefined | false,
  ): Promise<T>;
}

export class Cluster {
  constructor(
    readonly rehearsal: ClusterRehearsal,
    readonly stackName: string,
    /** The owner's FlightDeck user id (IAM name or session-tag value). */
    readonly user: string,
    readonly parameters: Readonly<Record<string, string>>,
  ) {}

  /** The owner's Linux account on the cluster (their login): the merge's `AccessUsername`. */
  get account(): string {
    const login = this.parameters["AccessUsername"];
    if (login === undefined) throw new Error(`${this.stackName} has no AccessUsername`);
    return login;
  }

  async stack(): Promise<StackReport> {
    const report = await this.rehearsal.aws.report();
    const stack = report.stacks.filter((s) => s.name === this.stackName).at(-1);
    if (stack === undefined) throw new Error(`no stack ${this.stackName}`);
    return stack;
  }

  /** The cluster's instances (master and compute), live or not. */
  async instances(report?: AwsReport): Promise<InstanceReport[]> {
    const { instances } = report ?? (await this.rehearsal.aws.report());
    return instances.filter((i) => i.tags["aws:cloudformation:stack-name"] === this.stackName);
  }

  async computeInstances(report?: AwsReport): Promise<InstanceReport[]> {
    return (await this.instances(report)).filter((i) => i.kind === "compute");
  }

  /** The running master. */
  async master(): Promise<InstanceReport> {
    const master = (await this.instances()).find(
      (i) => i.kind === "master" && i.state === "running",
    );
    if (master?.initPid === undefined) throw new Error(`${this.stackName} has no running master`);
    return master;
  }

  /** Runs a shell command on the master, as `account` (a login shell in their home) or as root. */
  async exec(account: string, command: string, timeoutSeconds = 60): Promise<CommandOutput> {
    return this.execOn(await this.master(), account, command, timeoutSeconds);
  }

  /** Runs a shell command on one of the cluster's nodes, as {@link exec} does on the master. */
  async execOn(
    node: InstanceReport,
    account: string,
    command: string,
    timeoutSeconds = 60,
  ): Promise<CommandOutput> {
    if (node.initPid === undefined) throw new Error(`${node.id} is not running`);
    const home = account === "root" ? "/root" : `/home/${account}`;
    const identity =
      account === "root"
        ? []
        : ["setpriv", `--reuid=${account}`, `--regid=${account}`, "--init-groups"];
    const result = spawnSync(
      "nsenter",
      [
        `--target=${node.initPid}`,
        "--mount",
        "--uts",
        "--net",
        "--pid",
        "--root",
        "--wd",
        ...identity,
        "env",
        "-i",
        `HOME=${home}`,
        `USER=${account}`,
        `LOGNAME=${account}`,
        `PATH=${SYSTEM_PATH}`,
        "LANG=C.UTF-8",
        "bash",
        "-lc",
        `cd ~ && ${command}`,
      ],
      { encoding: "utf8", timeout: timeoutSeconds * 1000 },
    );
    return {
      status: result.status,
      stdout: result.stdout ?? "",
      stderr: result.stderr ?? String(result.error ?? ""),
    };
  }

  /** Like {@link exec} as the cluster's user, throwing unless the command exits 0. */
  async login(command: string): Promise<string> {
    const result = await this.exec(this.account, command);
    if (result.status !== 0)
      throw new Error(`${command}: exit ${result.status}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  /** Submits a batch job as the cluster's user; returns its id. */
  async sbatch(args: string): Promise<string> {
    const out = await this.login(`sbatch --parsable ${args}`);
    return out.trim().split(";")[0] ?? "";
  }

  /** `squeue` fields for one job, or undefined once it left the queue. */
  async job(id: string): Promise<{ state: string; reason: string; nodes: string } | undefined> {
    const out = (await this.login(`squeue -h -j ${id} -o '%T|%r|%N' 2>/dev/null || true`)).trim();
    if (out === "") return undefined;
    const [state = "", reason = "", nodes = ""] = out.split("|");
    return { state, reason, nodes };
  }

  /** `sacct`-free job outcome: the state slurmctld still remembers (`scontrol show job`). */
  async jobState(id: string): Promise<string | undefined> {
    const out = await this.exec(this.account, `scontrol -o show job ${id}`);
    return /JobState=(\S+)/.exec(out.stdout)?.[1];
  }

  /** A job as slurmctld records it: state, times (epoch seconds), restarts, nodes. */
  async jobRecord(id: string): Promise<JobRecord> {
    const out = (await this.login(`scontrol -o show job ${id}`)).trim();
    const field = (name: string) => new RegExp(`\\b${name}=(\\S*)`).exec(out)?.[1] ?? "";
    const time = (name: string) => {
      const value = Date.parse(field(name));
      return Number.isNaN(value) ? undefined : value / 1000;
    };
    return {
      state: field("JobState"),
      reason: field("Reason"),
      restarts: Number(field("Restarts")),
      nodes: field("NodeList"),
      submit: time("SubmitTime"),
      start: time("StartTime"),
      end: time("EndTime"),
    };
  }

  /**
   * Waits up to `seconds` for a job to complete, adding every `sinfo -R`
   * reason seen meanwhile to `reasons`; fails at once if it ends otherwise.
   */
  async completion(id: string, seconds: number, reasons = new Set<string>()): Promise<JobRecord> {
    return this.rehearsal.waitFor(`job ${id} to complete`, seconds, async () => {
      for (const reason of Object.values(await this.nodeReasons())) reasons.add(reason);
      const job = await this.jobRecord(id);
      if (["FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL"].includes(job.state)) {
        throw new Error(`job ${id} ended ${job.state}`);
      }
      return job.state === "COMPLETED" ? job : undefined;
    });
  }

  /** `sinfo -R`, one line per node: node name to reason. */
  async nodeReasons(): Promise<Record<string, string>> {
    const out = await this.login(`sinfo -R -N -h -o '%N|%E'`);
    return Object.fromEntries(
      out
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf("|")), line.slice(line.indexOf("|") + 1)]),
    );
  }

  /** Node states as `sinfo -N` shows them, by node name. */
  async nodes(): Promise<Record<string, { state: string; reason: string }>> {
    const out = await this.login(`sinfo -h -N -o '%N|%T|%E'`);
    const nodes: Record<string, { state: string; reason: string }> = {};
    for (const line of out.trim().split("\n").filter(Boolean)) {
      const [name = "", state = "", reason = ""] = line.split("|");
      nodes[name] = { state, reason };
    }
    return nodes;
  }

  /** Deletes the stack as cf-delete would; resolves with its final report. */
  async delete(): Promise<StackReport> {
    await this.rehearsal.aws.deleteStack(this.stackName);
    return this.rehearsal.waitFor(
      `stack ${this.stackName} to be deleted`,
      this.rehearsal.minutes(20),
      async () => {
        const stack = await this.stack();
        return stack.status === "DELETE_IN_PROGRESS" ? undefined : stack;
      },
    );
  }
}
