import { expect } from "chai";
import { outputsHint, planWarnings } from "../../scripts/plan-warnings.js";
import { decodedSettings, MINIMAL_SETTINGS } from "../support/settings-decoding.js";

/*
 * Npm run plan warns when the alarms would email nobody
 * and when notifications are off, and says where terraform output works.
 */

const notifications = { senderEmail: "flightdeck@hpc.test" };

describe("npm run plan's warnings", () => {
  it("warns that the alarms email nobody without alarmEmail or an admin's address", () => {
    const warnings = planWarnings(decodedSettings({ ...MINIMAL_SETTINGS, notifications }));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^The deployment's alarms email nobody: the dead-letter alarm/);
    expect(warnings[0]).to.include('Set "alarmEmail", or "notifications.adminEmail"');
  });

  it("warns that notifications are off without them", () => {
    const warnings = planWarnings(
      decodedSettings({ ...MINIMAL_SETTINGS, alarmEmail: "ops@hpc.test" }),
    );
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^Notifications are off: nobody is emailed/);
  });

  it("warns of nothing when both are set, by alarmEmail or by the admin's address", () => {
    expect(
      planWarnings(
        decodedSettings({ ...MINIMAL_SETTINGS, notifications, alarmEmail: "ops@hpc.test" }),
      ),
    ).to.deep.equal([]);
    expect(
      planWarnings(
        decodedSettings({
          ...MINIMAL_SETTINGS,
          notifications: { ...notifications, adminEmail: "admin@hpc.test" },
        }),
      ),
    ).to.deep.equal([]);
  });

  it("warns of both for the committed example", () => {
    expect(planWarnings(decodedSettings({ ...MINIMAL_SETTINGS }))).to.have.length(2);
  });

  it("names the folder terraform output works from", () => {
    expect(outputsHint("cdktf.out/stacks/flightdeck")).to.include(
      "cd cdktf.out/stacks/flightdeck && terraform output",
    );
  });
});
