import { expect } from "chai";
import { foreignStackReason } from "../../../functions/shared/stack-trust.js";

const ROLE = "arn:aws:iam::111122223333:role/fdtest-cloudformation";
const expected = { user: "alice", deployment: "fdtest", serviceRoleArn: ROLE };
const tags = (values: Record<string, string>) =>
  Object.entries(values).map(([Key, Value]) => ({ Key, Value }));
const ours = { USER: "alice", ManagedBy: "flightdeck", FlightDeckDeployment: "fdtest" };

describe("which stacks are this deployment's", () => {
  it("trusts a stack with FlightDeck's tags, the user's and the service role", () => {
    expect(foreignStackReason({ Tags: tags(ours), RoleARN: ROLE }, expected)).to.equal(undefined);
  });

  it("says why any other stack is not", () => {
    const cases: Array<[Record<string, string>, string | undefined, RegExp]> = [
      [{ USER: "alice" }, ROLE, /ManagedBy tag is missing/],
      [{ ...ours, FlightDeckDeployment: "other" }, ROLE, /FlightDeckDeployment tag is "other"/],
      [{ ...ours, USER: "bob" }, ROLE, /USER tag is "bob"/],
      [ours, undefined, /built with role missing/],
      [ours, "arn:aws:iam::111122223333:role/admin", /not this deployment's service role/],
    ];
    for (const [stackTags, role, reason] of cases) {
      expect(foreignStackReason({ Tags: tags(stackTags), RoleARN: role }, expected)).to.match(
        reason,
      );
    }
  });
});
