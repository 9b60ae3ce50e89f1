// One Lambda execution environment as a process of its own (see
// lambda-environment.ts): imports the bundle named by argv[2] from scratch,
// says it is ready, then runs one invocation at a time as the parent sends
// them, timing each (wall and this process's CPU) around the handler alone.
// Plain JavaScript, so that no loader (tsx) runs in the environment.
import { performance } from "node:perf_hooks";

const { handler } = await import(process.argv[2]);
process.on("disconnect", () => process.exit(0));
process.on("message", async ({ id, event, context }) => {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let response;
  let error;
  try {
    response = await handler(event, context);
  } catch (thrown) {
    error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  }
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  process.send({ id, response, error, durationMs, cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.send({ ready: true });
