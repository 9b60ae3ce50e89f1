import type { UserId } from "../../functions/shared/identifiers.js";
import { loginOfCreated } from "../../functions/shared/result-files.js";
import { CliContext, type GlobalOptions } from "../../cli/cli-context.js";
import type { HomeFile } from "../../cli/cluster-state.js";
import type { UserBucket } from "../../cli/user-bucket.js";

/*
 * A user's home held in memory, for running the CLI's commands in-process:
 * S3 keeps its own clock (whole seconds, an hour behind the local one unless
 * a test says otherwise), so a command that trusted the local clock to match
 * S3's times would be caught out.
 */

interface StoredFile {
  readonly text: string;
  readonly lastModified: Date;
  readonly metadata: Record<string, string>;
}

export class MemoryHome {
  readonly bucket = "fd-users";
  readonly user = "alice" as UserId;
  readonly files = new Map<string, StoredFile>();
  /** Every key written, in order. */
  readonly writes: string[] = [];
  /** S3's clock, to the whole second. */
  s3Now: () => Date = () => new Date(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
  /** Called after each write: a test plays FlightDeck's answer here. */
  onWrite: (key: string) => void = () => undefined;
  /** How many times the home was listed. */
  listings = 0;

  /** Puts `home/alice/<name>` as FlightDeck or the user would, stamped by S3's clock. */
  put(name: string, text = "", metadata: Record<string, string> = {}): void {
    this.files.set(`home/alice/${name}`, { text, lastModified: this.s3Now(), metadata });
  }

  async list(): Promise<HomeFile[]> {
    this.listings += 1;
    return [...this.files].map(([key, file]) => ({ key, lastModified: file.lastModified }));
  }

  async read(key: string): Promise<string | undefined> {
    return this.files.get(key)?.text;
  }

  async readFile(
    key: string,
  ): Promise<{ text: string; metadata: Record<string, string> } | undefined> {
    const file = this.files.get(key);
    return file === undefined ? undefined : { text: file.text, metadata: file.metadata };
  }

  async readCreated(key: string): Promise<{ ip: string; login: string }> {
    const file = this.files.get(key);
    return { ip: (file?.text ?? "").trim(), login: loginOfCreated(file?.metadata, this.user) };
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    const text = typeof body === "string" ? body : new TextDecoder().decode(body);
    this.files.set(key, { text, lastModified: this.s3Now(), metadata: {} });
    this.writes.push(key);
    this.onWrite(key);
  }

  async remove(key: string): Promise<void> {
    this.files.delete(key);
  }
}

/** What a command printed. */
export interface Printed {
  stdout: string;
  stderr: string;
}

/**
 * A CLI context whose home is `home`, with `env` as the environment and
 * `signal` as Ctrl-C; returns it and what the command prints.
 */
export function contextFor(
  home: MemoryHome,
  options: {
    env?: Record<string, string>;
    signal?: AbortSignal;
    global?: Partial<GlobalOptions>;
  } = {},
): { ctx: CliContext; printed: Printed } {
  const printed: Printed = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (text: string) => (printed.stdout += text) },
    stderr: { write: (text: string) => (printed.stderr += text) },
    env: options.env ?? {},
    signal: options.signal,
  };
  class HomeContext extends CliContext {
    override async userBucket(): Promise<UserBucket> {
      return home as unknown as UserBucket;
    }
  }
  const ctx = new HomeContext(io, { json: false, color: false, ...options.global });
  return { ctx, printed };
}
