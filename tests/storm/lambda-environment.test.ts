import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  processEnvironment,
  type ExecutionEnvironment,
} from "../support/storm/lambda-environment.js";

/*
 * A process environment is a cold start for real: a node process of its own,
 * without this process's loader, that loads the bundle and every chunk it
 * imports itself, and keeps them for its next invocation.
 */

/** A bundle of two modules: the entry, and a chunk that draws an id when it loads. */
function writeBundle(dir: string): string {
  writeFileSync(path.join(dir, "chunk.mjs"), "export const chunkId = Math.random();\n");
  writeFileSync(
    path.join(dir, "index.mjs"),
    [
      'import { chunkId } from "./chunk.mjs";',
      "let runs = 0;",
      "export const handler = async (event) => {",
      "  runs += 1;",
      '  if (event.fail) throw new Error("boom");',
      "  return { pid: process.pid, chunkId, runs, execArgv: process.execArgv };",
      "};",
    ].join("\n"),
  );
  return pathToFileURL(path.join(dir, "index.mjs")).href;
}

const gone = async (pid: number) => {
  for (let i = 0; i < 50; i += 1) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
};

describe("storm process environments", function () {
  this.timeout(20_000);
  let dir = "";
  const environments: ExecutionEnvironment[] = [];
  before(() => (dir = mkdtempSync(path.join(tmpdir(), "fd-env-"))));
  after(() => {
    environments.forEach((e) => e.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs each environment in a fresh node, loading every chunk itself, kept warm between runs", async () => {
    const url = writeBundle(dir);
    const { chunkId: ours } = (await import(pathToFileURL(path.join(dir, "chunk.mjs")).href)) as {
      chunkId: number;
    };
    const [a, b] = await Promise.all([
      processEnvironment(url, process.env),
      processEnvironment(url, process.env),
    ]);
    environments.push(a, b);
    type Answer = { pid: number; chunkId: number; runs: number; execArgv: string[] };
    const answer = async (env: ExecutionEnvironment) =>
      (await env.invoke({}, {})).response as Answer;
    const [a1, b1] = await Promise.all([answer(a), answer(b)]);
    const a2 = await answer(a);
    expect(new Set([process.pid, a1.pid, b1.pid]).size).to.equal(3);
    expect(new Set([ours, a1.chunkId, b1.chunkId]).size).to.equal(3);
    expect(a1.execArgv).to.deep.equal([]);
    expect([a1.runs, b1.runs, a2.runs]).to.deep.equal([1, 1, 2]);
    expect(a2.chunkId).to.equal(a1.chunkId);
  });

  it("reports what the handler threw, timed", async () => {
    const env = await processEnvironment(writeBundle(dir), process.env);
    environments.push(env);
    const outcome = await env.invoke({ fail: true }, {});
    expect(outcome.error).to.equal("Error: boom");
    expect(outcome.durationMs).to.be.a("number");
  });

  it("ends its process at close; an invocation after that fails", async () => {
    const env = await processEnvironment(writeBundle(dir), process.env);
    const { pid } = (await env.invoke({}, {})).response as { pid: number };
    env.close();
    expect(await gone(pid)).to.equal(true);
    expect((await env.invoke({}, {})).error).to.be.an("error");
  });
});
