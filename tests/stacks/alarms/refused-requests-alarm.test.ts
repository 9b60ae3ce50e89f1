import { expect } from "chai";
import { resourcesOf, synthFlightDeck } from "../support/synth.js";

/* Each user's flood alarm (stacks/alarms/refused-requests-alarm.ts), in the whole stack. */

describe("RefusedRequestsAlarm", () => {
  const synthesized = synthFlightDeck();
  const all = (type: string) => Object.values(resourcesOf(synthesized, type));

  it("counts refused requests by user, from both handlers' logs", () => {
    const filters = all("aws_cloudwatch_log_metric_filter");
    expect(filters).to.have.length(2);
    const groups = filters.map((f) => String(f["log_group_name"])).sort();
    expect(groups[0]).to.match(/^\$\{aws_cloudwatch_log_group\.cf-create_logs_\w+\.name\}$/);
    expect(groups[1]).to.match(/^\$\{aws_cloudwatch_log_group\.cf-delete_logs_\w+\.name\}$/);
    for (const filter of filters) {
      expect(filter["pattern"]).to.equal("{ $.requestRefused IS TRUE }");
      expect(filter["metric_transformation"]).to.deep.equal({
        name: "RefusedRequests",
        namespace: "FlightDeck/fdtest",
        value: "1",
        dimensions: { User: "$.user" },
      });
    }
  });

  it("gives each user an alarm named after them, to the admin's topic", () => {
    const alarms = all("aws_cloudwatch_metric_alarm").filter(
      (a) => a["metric_name"] === "RefusedRequests",
    );
    expect(alarms.map((a) => [a["alarm_name"], a["dimensions"]])).to.have.deep.members([
      ["fdtest-refused-requests-alice", { User: "alice" }],
      ["fdtest-refused-requests-bob", { User: "bob" }],
    ]);
    for (const alarm of alarms) {
      expect(alarm).to.include({ statistic: "Sum", period: 300, threshold: 60 });
      expect(alarm["alarm_actions"]).to.have.length(1);
      expect(String(alarm["alarm_description"])).to.match(/Cutting a user off/);
    }
  });
});
