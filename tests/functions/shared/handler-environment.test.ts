import { expect } from "chai";
import {
  CreateEnvironmentCodec,
  DeleteEnvironmentCodec,
} from "../../../functions/shared/handler-environment.js";
import { decodeReadably } from "../../../functions/shared/readable-errors.js";
import { leftOf, rightOf } from "../../support/either.js";

const base = {
  AWS_REGION: "eu-west-2",
  FD_USER_BUCKET: "users",
  FD_CUSTOMIZER_BUCKET: "customizer",
  FD_POLICY_KEY: "flightdeck/policy-abc.json",
  FD_REGISTRY_TABLE: "flightdeck-clusters",
  FD_SERVICE_ROLE_ARN: "arn:aws:iam::111122223333:role/fd-cloudformation",
};

describe("handler environment", () => {
  it("decodes a delete function's environment, ignoring unrelated variables", () => {
    const env = rightOf(
      decodeReadably(DeleteEnvironmentCodec, {
        ...base,
        PATH: "/bin",
        FD_S3_FORCE_PATH_STYLE: "1",
      }),
    );
    expect(env.FD_S3_FORCE_PATH_STYLE).to.equal("true");
    expect(env).not.to.have.property("PATH");
  });

  it("keeps only the variables a function's configuration declares, so cf-delete never has a template key", () => {
    const create = { ...base, FD_TEMPLATE_KEY: "flightdeck/templates/cluster-abc.json" };
    expect(rightOf(decodeReadably(DeleteEnvironmentCodec, create))).to.deep.equal(base);
    expect(
      rightOf(decodeReadably(CreateEnvironmentCodec, { ...create, HOME: "/root" })),
    ).to.deep.equal(create);
  });

  it("names every missing or malformed variable", () => {
    const errors = leftOf(
      decodeReadably(CreateEnvironmentCodec, {
        ...base,
        FD_USER_BUCKET: " ",
        FD_SERVICE_ROLE_ARN: "role",
        FD_NOTIFY_FROM: "nobody",
      }),
    );
    expect(errors).to.deep.equal([
      'FD_USER_BUCKET must be set and not empty (got " ").',
      'FD_SERVICE_ROLE_ARN must be an IAM role ARN (got "role").',
      'FD_NOTIFY_FROM must be an email address (got "nobody").',
      "FD_TEMPLATE_KEY is required.",
    ]);
  });
});
