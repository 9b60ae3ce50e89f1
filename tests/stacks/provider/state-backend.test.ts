import { expect } from "chai";
import { TerraformStack } from "cdktf";
import { useStateBackend } from "../../../stacks/provider/state-backend.js";
import { DEFAULT_LOCAL_STATE } from "../../../stacks/settings/backend-settings.js";
import { synthStack } from "../support/synth.js";

const backendOf = (backend: Parameters<typeof useStateBackend>[1]) =>
  (
    JSON.parse(
      synthStack((app) => {
        const stack = new TerraformStack(app, "s");
        useStateBackend(stack, backend);
        return stack;
      }),
    ) as { terraform: { backend: unknown } }
  ).terraform.backend;

describe("useStateBackend", () => {
  it("keeps local state at the project root, by a path that works on any machine", () => {
    expect(backendOf({ type: "local", path: DEFAULT_LOCAL_STATE })).to.deep.equal({
      local: { path: "../../../terraform.flightdeck.tfstate" },
    });
  });

  it("keeps remote state in S3, encrypted and locked with an S3 lock file", () => {
    expect(
      backendOf({
        type: "s3",
        bucket: "tf-state",
        key: "flightdeck.tfstate",
        region: "eu-west-2",
        useLockfile: true,
      }),
    ).to.deep.equal({
      s3: {
        bucket: "tf-state",
        key: "flightdeck.tfstate",
        region: "eu-west-2",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });
});
