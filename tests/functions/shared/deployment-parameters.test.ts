import { expect } from "chai";
import fc from "fast-check";
import {
  deploymentParameterPath,
  homeParameterNames,
  networkParameterNames,
} from "../../../functions/shared/deployment-parameters.js";
import type { UserId } from "../../../functions/shared/identifiers.js";
import { userIds } from "../../support/arbitraries.js";

/* The SSM parameter names of the shared network and of each user's home. */

/** What SSM accepts in a parameter name (AWS's PutParameter rules): at most 1011 characters. */
const SSM_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

describe("deployment parameters", () => {
  it("names the network's parameters under the deployment's path", () => {
    expect(networkParameterNames("fdtest")).to.deep.equal({
      vpcId: "/flightdeck/fdtest/network/vpc-id",
      subnetIds: "/flightdeck/fdtest/network/subnet-ids",
    });
  });

  it("names every user's home with letters and digits only, as SSM allows", () => {
    expect(homeParameterNames("fdtest", "Bob.Jones@example.com" as UserId)).to.deep.equal({
      fileSystemId: "/flightdeck/fdtest/homes/Bob0dJones0aexample0dcom/file-system-id",
      clientSecurityGroupId:
        "/flightdeck/fdtest/homes/Bob0dJones0aexample0dcom/client-security-group-id",
    });
    fc.assert(
      fc.property(userIds, (user) => {
        const names = homeParameterNames("fdtest", user);
        for (const name of Object.values(names)) {
          expect(name).to.match(SSM_NAME);
          expect(name.startsWith(deploymentParameterPath("fdtest"))).to.equal(true);
        }
      }),
    );
  });

  it("gives two users two homes: no two ids share a parameter", () => {
    fc.assert(
      fc.property(userIds, userIds, (a, b) => {
        fc.pre(a !== b);
        expect(homeParameterNames("fdtest", a).fileSystemId).not.to.equal(
          homeParameterNames("fdtest", b).fileSystemId,
        );
      }),
      { numRuns: 2000 },
    );
    // Ids that differ only in the characters the encoding escapes, or in case.
    const lookalikes = ["a.b", "a_b", "a-b", "a0db", "A.b", "a@b", "a+b", "a=b", "a,b"];
    const names = lookalikes.map((id) => homeParameterNames("fdtest", id as UserId).fileSystemId);
    expect(new Set(names).size).to.equal(lookalikes.length);
  });
});
