import { expect } from "chai";
import type { ExecutionEnvironment } from "../support/storm/lambda-environment.js";
import { LambdaModel } from "../support/storm/lambda-model.js";

/*
 * The storm's Lambda model, with stand-in environments whose init and
 * duration the test sets: what it bills, and when it starts an environment.
 */

const INIT_MS = 30;
const DURATION_MS = 10.4;

/** A model whose environments take INIT_MS to start and report DURATION_MS per run. */
function model() {
  const log = { started: 0, closed: 0 };
  const environment = (): ExecutionEnvironment => ({
    invoke: () => Promise.resolve({ response: undefined, durationMs: DURATION_MS, cpuMs: 1 }),
    close: () => {
      log.closed += 1;
    },
  });
  const lambda = new LambdaModel({
    name: "cf-delete",
    reservedConcurrency: 1,
    coldStart: async () => {
      log.started += 1;
      await new Promise((resolve) => setTimeout(resolve, INIT_MS));
      return environment();
    },
    retryDelaysMs: [10, 20],
    kindOf: () => "sweep",
  });
  return { lambda, log };
}

async function invokeOnce(lambda: LambdaModel): Promise<void> {
  lambda.invokeAsync({});
  await lambda.settled();
}

describe("storm Lambda model", () => {
  it("bills a cold invocation its init and its duration, a warm one its duration", async () => {
    const { lambda } = model();
    await invokeOnce(lambda);
    await invokeOnce(lambda);
    expect(lambda.invocations).to.have.length(2);
    const [cold, warm] = lambda.invocations;
    expect(cold?.cold).to.equal(true);
    expect(cold?.initMs).to.be.at.least(INIT_MS - 1);
    expect(cold?.billedMs).to.equal(Math.ceil((cold?.initMs ?? 0) + DURATION_MS));
    expect(cold?.endedAt).to.equal((cold?.startedAt ?? 0) + (cold?.initMs ?? 0) + DURATION_MS);
    expect(warm?.cold).to.equal(false);
    expect(warm?.initMs).to.equal(0);
    expect(warm?.billedMs).to.equal(Math.ceil(DURATION_MS));
    lambda.close();
  });

  it("starts every event cold, and ends each environment, when environments are not reused", async () => {
    const { lambda, log } = model();
    lambda.reuseEnvironments = false;
    for (let i = 0; i < 3; i += 1) await invokeOnce(lambda);
    expect(lambda.invocations.map((i) => i.cold)).to.deep.equal([true, true, true]);
    expect(log).to.deep.equal({ started: 3, closed: 3 });
  });

  it("starts the next event cold after the idle environments are retired", async () => {
    const { lambda, log } = model();
    await invokeOnce(lambda);
    lambda.retireIdle();
    expect(log.closed).to.equal(1);
    await invokeOnce(lambda);
    expect(lambda.invocations.map((i) => i.cold)).to.deep.equal([true, true]);
    expect(log.started).to.equal(2);
    lambda.close();
  });

  it("ends every environment at close, and starts nothing after", async () => {
    const { lambda, log } = model();
    await invokeOnce(lambda);
    lambda.close();
    expect(log.closed).to.equal(1);
    lambda.invokeAsync({});
    await new Promise((resolve) => setTimeout(resolve, INIT_MS * 2));
    expect(lambda.invocations).to.have.length(1);
    expect(log.started).to.equal(1);
  });
});
