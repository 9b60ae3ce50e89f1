import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isLeft } from "fp-ts/lib/Either.js";
import { decodeTemplate } from "../../../functions/shared/cfn-template.js";
import { decodeConfig } from "../../../functions/shared/cluster-config.js";
import { isClusterName, isUserId } from "../../../functions/shared/identifiers.js";
import { mergeTemplate } from "../../../functions/shared/template-merge.js";
import { customizerKeys, filesUnder } from "../../../stacks/customizer/customizer-content.js";
import { renderUserScript, USER_SCRIPT_NAME } from "../../../stacks/customizer/user-script.js";
import { namesFor } from "../../../stacks/settings/names.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import type { Settings } from "../../../stacks/settings/settings-shape.js";
import { CLUSTER_TEMPLATE_PATH } from "../../../template/build-template.js";
import { Cluster } from "./cluster.js";
import {
  ACCOUNT_ID,
  deployedPolicies,
  deploymentSeed,
  rehearsalSettings,
  type Home,
} from "./deployment.js";
import { FakeAwsProcess } from "./fake-aws-client.js";
import { fileSystemFolder } from "./fake-aws/efs.js";
import { missingRequirements, REPO_ROOT } from "./host.js";
import { RehearsalRun } from "./run.js";

/*
 * A rehearsal as a test drives it: a run, its fake AWS seeded the way a
 * FlightDeck deployment of settings/example.json leaves an account (the
 * shared network, the users' homes, the customizer bucket), and clusters
 * created from the real template with the real merge, then used through
 * their master, as the cluster's user would log in and use it.
 */

export interface RehearsalOptions {
  /** Names the run in logs and in its owner file. */
  readonly name: string;
  /** Hard bound on the whole run, in real seconds: at the deadline everything is torn down. */
  readonly budgetSeconds: number;
  /** Real seconds per simulated minute (FD_SECONDS_PER_MINUTE on every node). */
  readonly secondsPerMinute: number;
  /** The spot market price, USD/hour. */
  readonly spotPrice?: number;
  /** Limits the deployment's admin adds for particular users, by user id (`allowOnDemand`, say). */
  readonly userLimits?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Why the rehearsal cannot run on this machine; empty when it can. */
export const rehearsalBlockers = () => missingRequirements();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Rehearsal {
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;
  private passed = false;

  private constructor(
    readonly options: RehearsalOptions,
    readonly run: RehearsalRun,
    readonly aws: FakeAwsProcess,
    readonly settings: Settings,
    readonly homes: readonly Home[],
  ) {
    this.deadline = Date.now() + options.budgetSeconds * 1000;
    this.timer = setTimeout(() => {
      console.error(
        `      rehearsal ${run.id}: the ${options.budgetSeconds} s budget is spent; tearing down`,
      );
      run.cleanUp();
    }, options.budgetSeconds * 1000);
    this.timer.unref();
  }

  static async start(options: RehearsalOptions): Promise<Rehearsal> {
    const run = RehearsalRun.create(options.name);
    try {
      const settings = rehearsalSettings(options.userLimits);
      const { seed, homes } = deploymentSeed(settings);
      const aws = await FakeAwsProcess.start(run, {
        region: settings.region,
        accountId: ACCOUNT_ID,
        secondsPerMinute: options.secondsPerMinute,
        bootEnv: {
          FD_SECONDS_PER_MINUTE: String(options.secondsPerMinute),
          // This 2-CPU host stands in for nodes of any size: slurmd reports the declared shape.
          FD_SLURMD_PARAMETERS: "config_overrides",
        },
        spotPrice: options.spotPrice ?? 0.02,
        managedPolicies: deployedPolicies(settings),
        deployment: seed,
      });
      const rehearsal = new Rehearsal(options, run, aws, settings, homes);
      await rehearsal.seedCustomizers();
      // The users' bucket, where an idle master puts its cluster's .cf-delete.
      await aws.createBucket(namesFor(rehearsal.settings).userBucket);
      return rehearsal;
    } catch (error) {
      run.cleanUp();
      throw error;
    }
  }

  /** What a deployment uploads: the default customizers and each user's rendered user.sh. */
  private async seedCustomizers(): Promise<void> {
    const bucket = namesFor(this.settings).customizerBucket;
    const prefix = this.settings.customizer.prefix;
    const scripts = join(REPO_ROOT, this.settings.customizer.scripts);
    await this.aws.createBucket(bucket);
    for (const file of filesUnder(scripts).filter((name) => name !== USER_SCRIPT_NAME)) {
      await this.aws.putObject(
        bucket,
        customizerKeys.defaultFile(prefix, file),
        readFileSync(join(scripts, file), "utf8"),
      );
    }
    const template = readFileSync(join(scripts, USER_SCRIPT_NAME), "utf8");
    for (const user of this.settings.users) {
      await this.aws.putObject(
        bucket,
        customizerKeys.userScript(prefix, user.id),
        renderUserScript(template, user),
      );
    }
  }

  /** A user's home, as the deployment built it. */
  home(user: string): Home & { readonly folder: string } {
    const home = this.homes.find((h) => h.owner === user);
    if (home === undefined) throw new Error(`${user} has no home`);
    return { ...home, folder: fileSystemFolder(this.run.dir, home.fileSystemId) };
  }

  /** Seconds left before the run's deadline. */
  secondsLeft(): number {
    return Math.max(0, (this.deadline - Date.now()) / 1000);
  }

  /** Real seconds for `minutes` simulated minutes. */
  minutes(minutes: number): number {
    return minutes * this.options.secondsPerMinute;
  }

  /** Polls `check` until it returns a value other than undefined/false, within `seconds` (and the run's deadline). */
  async waitFor<T>(
    what: string,
    seconds: number,
    check: () => Promise<T | undefined | false> | T | undefined | false,
  ): Promise<T> {
    const until = Math.min(Date.now() + seconds * 1000, this.deadline);
    let last: unknown;
    for (;;) {
      try {
        const value = await check();
        if (value !== undefined && value !== false) return value;
      } catch (error) {
        last = error;
      }
      if (Date.now() >= until) {
        throw new Error(
          `waited ${seconds} s for ${what}${last === undefined ? "" : ` (last error: ${String(last)})`}\n${await this.diagnostics()}`,
        );
      }
      await sleep(500);
    }
  }

  /** The tail of every log that tells what a node did, for a failure message. */
  async diagnostics(): Promise<string> {
    const report = await this.aws.report().catch(() => undefined);
    if (report === undefined) return "(the fake AWS is gone)";
    const tail = (path: string, lines = 15) =>
      existsSync(path)
        ? readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
        : "(none)";
    const parts = report.instances.map((i) => {
      const logs = [
        "cloud-init-output.log",
        "slurm/slurmctld.log",
        "flightdeck/nodes.log",
        "slurm/slurmd.log",
      ]
        .filter((name) => existsSync(join(i.dir, "log", name)))
        .map((name) => `  --- ${name}\n${tail(join(i.dir, "log", name))}`);
      return `${i.id} (${i.kind}, ${i.state}, ${i.tags["flightdeck-node"] ?? "unclaimed"})\n${logs.join("\n")}`;
    });
    const denied = report.calls.filter((c) => c.decision !== "Allowed");
    return [
      `run folder: ${this.run.dir}`,
      `groups: ${JSON.stringify(report.groups)}`,
      `activities: ${report.activities
        .slice(0, 5)
        .map((a) => `${a.status} ${a.description}`)
        .join(" | ")}`,
      `denied calls: ${denied.map((c) => `${c.action} ${c.resource}`).join(", ") || "none"}`,
      ...parts,
    ].join("\n");
  }

  /**
   * Creates a cluster as cf-create would: the user's config merged into the
   * real template under the deployment's policy, then CreateStack. Resolves
   * once the stack is complete (or failed, with `allowFailure`).
   */
  async createCluster(
    user: string,
    name: string,
    config: Record<string, unknown>,
    options: { allowFailure?: boolean; waitSeconds?: number } = {},
  ): Promise<Cluster> {
    const template = JSON.parse(readFileSync(CLUSTER_TEMPLATE_PATH, "utf8")) as Record<
      string,
      unknown
    >;
    const decodedTemplate = decodeTemplate(template);
    const decodedConfig = decodeConfig(config);
    if (isLeft(decodedTemplate)) throw new Error(decodedTemplate.left.join("\n"));
    if (isLeft(decodedConfig)) throw new Error(decodedConfig.left.join("\n"));
    if (!isUserId(user) || !isClusterName(name))
      throw new Error(`bad user or cluster name: ${user} ${name}`);
    const plan = mergeTemplate({
      template: decodedTemplate.right,
      policy: policyFromSettings(this.settings),
      user,
      cluster: name,
      config: decodedConfig.right,
      requestId: this.run.id,
    });
    if (isLeft(plan)) throw new Error(`cf-create would refuse the config: ${plan.left.join("; ")}`);
    const parameters = Object.fromEntries(
      plan.right.parameters.map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    const stackName = plan.right.stackName;
    await this.aws.createStack(stackName, template, parameters);
    const cluster = new Cluster(this, stackName, user, parameters);
    const stack = await this.waitFor(
      `stack ${stackName} to be created`,
      options.waitSeconds ?? this.minutes(30),
      async () => {
        const found = await cluster.stack();
        return found.status === "CREATE_IN_PROGRESS" || found.status === "ROLLBACK_IN_PROGRESS"
          ? undefined
          : found;
      },
    );
    if (stack.status !== "CREATE_COMPLETE" && options.allowFailure !== true) {
      throw new Error(
        `stack ${stackName}: ${stack.status}: ${stack.reason}\n${await this.diagnostics()}`,
      );
    }
    return cluster;
  }

  /** Prints a measured figure, in real seconds and in simulated minutes. */
  figure(label: string, seconds: number, detail = ""): void {
    const minutes = seconds / this.options.secondsPerMinute;
    console.log(
      `      ⏱ ${label}: ${seconds.toFixed(1)} s = ${minutes.toFixed(1)} simulated min${detail ? ` (${detail})` : ""}`,
    );
  }

  /** Marks the run as passed: its folder is removed when it stops. */
  pass(): void {
    this.passed = true;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    const report = await this.aws.report().catch(() => undefined);
    if (report !== undefined) {
      console.log(
        `      fake AWS: its event loop was held up ${report.loopDelayMaxMs.toFixed(0)} ms at most`,
      );
    }
    await this.aws.stop().catch(() => undefined);
    this.run.cleanUp();
    if (this.passed) this.run.removeFolder();
    else console.error(`      rehearsal ${this.run.id}: logs kept in ${this.run.dir}`);
  }
}
