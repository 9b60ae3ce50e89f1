import { Command, CommanderError, Option } from "commander";
import { CliContext, type GlobalOptions } from "./cli-context.js";
import { CliError } from "./cli-error.js";
import { clusterRequestCommand, type RequestOptions } from "./commands/cluster-request.js";
import type { RedriveCommandOptions } from "./commands/admin-redrive.js";
import type { UsageCommandOptions } from "./commands/admin-usage.js";
import type { RenderOptions } from "./commands/render.js";
import { extendCommand, type ExtendOptions } from "./commands/extend.js";
import { statusCommand } from "./commands/status.js";
import { validateCommand, type ValidateOptions } from "./commands/validate.js";
import { EXIT, printableLines, type CliIo } from "./output.js";
import { printVersion } from "./version.js";

const EPILOG = `
Your clusters live as files in s3://<bucket>/home/<you>/:
  <cluster>.cf-create   you asked for it          (pending)
  <cluster>.cf-created  it is up; holds its IP    (running)
  <cluster>.cf-delete   you asked to remove it    (deleting)
  <cluster>.cf-deleted  it is gone                (deleted)
  <cluster>.cf-failed   it went wrong; says why   (failed)
  <cluster>.cf-extend   you asked for more time   (state unchanged)
  <cluster>.cf-extended the answer: new expiry or why not
  <cluster>.cf-expiring it is deleted soon: its lifetime, or a spent budget
  flightdeck-usage.json this month's spend per cluster and your budget (an estimate)
  budget.warning        a monthly budget is 80 % spent, or spent

Environment: FLIGHTDECK_BUCKET, FLIGHTDECK_USER, AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL_S3, FLIGHTDECK_S3_FORCE_PATH_STYLE=true, NO_COLOR, and
FLIGHTDECK_POLL_SECONDS (how often --wait looks: 0.1 to 3600 seconds; default 5),
FLIGHTDECK_PRICES (the price book validate and render use; default ~/.cache/flightdeck/prices.json).
Exit codes: 0 done, 1 failed or invalid, 2 usage, 124 timed out, 130 interrupted.`;

/** How a command's action runs: `run` takes its exit code, `context` its options. */
interface Actions {
  readonly run: (code: Promise<number>) => void;
  readonly context: (command: Command) => CliContext;
}

/** Builds the `flightdeck` command line; `run` receives each command's exit code. */
function buildProgram(io: CliIo, run: (code: Promise<number>) => void): Command {
  const program = new Command("flightdeck")
    .description("Create, watch and delete FlightDeck HPC clusters from your own S3 folder.")
    .addOption(new Option("--bucket <name>", "the FlightDeck bucket").env("FLIGHTDECK_BUCKET"))
    .addOption(
      new Option(
        "--user <id>",
        "your user id: IAM user name, or SSO id (default: from your credentials)",
      ).env("FLIGHTDECK_USER"),
    )
    .addOption(new Option("--profile <name>", "AWS profile to use").env("AWS_PROFILE"))
    .addOption(new Option("--region <region>", "AWS region of the bucket").env("AWS_REGION"))
    .option("--json", "print machine-readable JSON", false)
    .option("--no-color", "never use colours")
    .option("-V, --version", "print this flightdeck's version and the bucket it talks to")
    .addHelpText("after", EPILOG)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const context = (command: Command) =>
    new CliContext(io, command.optsWithGlobals<GlobalOptions>());
  addUserCommands(program, { run, context });
  addAdminCommands(program, { run, context });
  showUsageAfterErrors(program);
  return program;
}

/** The commands for a user's own clusters: validate, create, delete, extend, status and list. */
function addUserCommands(program: Command, { run, context }: Actions): void {
  const timeout = new Option("--timeout <duration>", "how long --wait waits, e.g. 90s, 45m, 2h");

  program
    .command("validate")
    .description(
      "check a cluster config offline: FlightDeck's own codec and merge, against the cluster template this flightdeck was built with (your administrator's limits apply on top)",
    )
    .argument("<config>", "the JSON config file")
    .option(
      "--settings <file>",
      "admin: check against this deployment's settings instead: its template, defaults and limits (for --user's)",
    )
    .action((path: string, opts: ValidateOptions, command: Command) =>
      run(validateCommand(context(command), path, opts)),
    );

  program
    .command("create")
    .description("ask for a cluster: validates the config, then uploads <cluster>.cf-create")
    .argument("<cluster>", "the cluster's name: letters, digits and hyphens")
    .option("-c, --config <file>", "the cluster config (default: all defaults)")
    .option("--wait", "wait until the cluster is up or has failed")
    .option("--force", "send the request even if the cluster already exists or is pending")
    .addOption(timeout)
    .action((cluster: string, opts: RequestOptions, command: Command) =>
      run(clusterRequestCommand(context(command), "create", cluster, opts)),
    );

  program
    .command("delete")
    .description("remove a cluster: uploads <cluster>.cf-delete")
    .argument("<cluster>", "the cluster's name")
    .option("--wait", "wait until the cluster is gone or the delete has failed")
    .option("--force", "send the request even if the cluster is already being deleted")
    .addOption(timeout)
    .action((cluster: string, opts: RequestOptions, command: Command) =>
      run(clusterRequestCommand(context(command), "delete", cluster, opts)),
    );

  program
    .command("extend")
    .description(
      "ask for more time before the cluster's maximum lifetime: uploads <cluster>.cf-extend",
    )
    .argument("<cluster>", "the cluster's name")
    .option("--hours <n>", "how many hours more (default: your administrator's extendHours)")
    .option("--wait", "wait for the answer: the new expiry, or why not")
    .addOption(timeout)
    .action((cluster: string, opts: ExtendOptions, command: Command) =>
      run(extendCommand(context(command), cluster, opts)),
    );

  program
    .command("status")
    .description("show your clusters' states, or one cluster's")
    .argument("[cluster]", "only this cluster")
    .action((cluster: string | undefined, _opts, command: Command) =>
      run(statusCommand(context(command), cluster)),
    );

  program
    .command("list")
    .description("list your clusters and their states")
    .action((_opts, command: Command) => run(statusCommand(context(command), undefined)));
}

/**
 * The administrator's commands: render, and admin's redrive and usage. Each
 * loads its module only when asked for: render brings the settings codec,
 * the template and the merge, the other two their AWS clients, which no
 * user's command needs.
 */
function addAdminCommands(program: Command, { run, context }: Actions): void {
  program
    .command("render")
    .description(
      "admin: print the CreateStack request cf-create would send (no AWS call), or why it would refuse",
    )
    .argument("<cluster>", "the cluster's name")
    .option(
      "--settings <file>",
      "the deployment settings (default: FD_SETTINGS, else settings/example.json)",
    )
    .option("-c, --config <file>", "the user's cluster config (default: all defaults)")
    .option("--request-id <id>", "the upload's S3 version id, to reproduce its ClientRequestToken")
    .action((cluster: string, opts: RenderOptions, command: Command) =>
      run(
        import("./commands/render.js").then(({ renderCommand }) =>
          renderCommand(context(command), cluster, opts),
        ),
      ),
    );

  const admin = program
    .command("admin")
    .description("administrator commands for a FlightDeck deployment");
  admin
    .command("redrive")
    .description(
      "replay the events in the dead-letter queue to the functions that failed them (safe to repeat)",
    )
    .option("--queue <url>", "the dead-letter queue: terraform output dead_letter_queue_url")
    .option("--max <count>", "stop after this many messages (default 100)")
    .option("--dry-run", "say what would be replayed; invoke and delete nothing")
    .action((opts: RedriveCommandOptions, command: Command) =>
      run(
        import("./commands/admin-redrive.js").then(({ redriveCommand }) =>
          redriveCommand(context(command), opts),
        ),
      ),
    );

  admin
    .command("usage")
    .description(
      "what each user and cluster spent in a month, by FlightDeck's estimate (from the usage ledger)",
    )
    .option("--month <YYYY-MM>", "the month (default: this one, in UTC)")
    .option("--table <name>", "the usage table: terraform output usage_table")
    .option(
      "--settings <file>",
      "the deployment settings: the table's name and the budgets (default: FD_SETTINGS, else settings/example.json)",
    )
    .action((opts: UsageCommandOptions, command: Command) =>
      run(
        import("./commands/admin-usage.js").then(({ usageCommand }) =>
          usageCommand(context(command), opts),
        ),
      ),
    );
}

/** `flightdeck admin redrive`: the command as a user types it. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * A usage error says what is wrong, then one line of usage and where the
 * rest is, instead of the whole help (forty lines that bury the error).
 */
function showUsageAfterErrors(command: Command): void {
  const path = commandPath(command);
  command.showHelpAfterError(`Usage: ${path} ${command.usage()}  (more: ${path} --help)`);
  for (const sub of command.commands) showUsageAfterErrors(sub);
}

/** Whether `--version` (or `-V`) is among the options, before any `--`. */
function asksVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const options = end === -1 ? argv : argv.slice(0, end);
  return options.includes("--version") || options.includes("-V");
}

/**
 * Answers `--version`, if asked: options are parsed as for any command (so
 * `--bucket` counts wherever it stands), but nothing is run. Returns the
 * exit code, or `undefined` when the version was not asked for.
 */
function versionRun(argv: readonly string[], io: CliIo): number | undefined {
  if (!asksVersion(argv)) return undefined;
  const program = buildProgram(io, () => undefined);
  program.parseOptions([...argv]);
  const options = program.opts<GlobalOptions & { version?: boolean }>();
  if (options.version !== true) return undefined;
  printVersion(io, {
    bucket: options.bucket ?? io.env["FLIGHTDECK_BUCKET"],
    region: options.region ?? io.env["AWS_REGION"],
    json: options.json,
  });
  return EXIT.ok;
}

/**
 * Runs the CLI and returns its exit code. Usage errors exit 2 with help;
 * failures print one line per problem on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let pending: Promise<number> | undefined;
  const program = buildProgram(io, (code) => {
    pending = code;
  });
  try {
    const version = versionRun(argv, io);
    if (version !== undefined) return version;
    await program.parseAsync([...argv], { from: "user" });
    if (pending === undefined) return EXIT.ok;
    return await pending;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message =
      error instanceof CliError
        ? error.message
        : `${(error as Error).name}: ${(error as Error).message}`;
    // Messages quote what the user typed and what S3 holds: shown, never obeyed.
    io.stderr.write(`error: ${printableLines(message)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failed;
  }
}
