import { expect } from "chai";
import {
  destroyOverride,
  destroyRefusals,
  keptData,
  protectionTargets,
  type SynthesizedStack,
} from "../../scripts/destroy-guard.js";

/*
 * Npm run destroy deletes the registry and the users'
 * homes only with a flag each, and then lifts exactly their protections.
 */

const STACK: SynthesizedStack = {
  resource: {
    aws_dynamodb_table: {
      registry_table_1: { name: "flightdeck-clusters", deletion_protection_enabled: true },
    },
    aws_s3_bucket: { "user-bucket_2": {}, "customizer-bucket_3": {} },
    aws_efs_file_system: {
      homes_alice_4: { tags: { USER: "alice" }, lifecycle: { prevent_destroy: true } },
      homes_bob_5: { tags: { USER: "bob" }, lifecycle: { prevent_destroy: true } },
    },
    aws_sqs_queue: { q_6: {} },
  },
};
const kept = keptData(STACK);

describe("npm run destroy's guard", () => {
  it("finds the registry, the buckets and whose homes the stack keeps", () => {
    expect(kept).to.deep.equal({
      tables: ["registry_table_1"],
      tableNames: ["flightdeck-clusters"],
      buckets: ["customizer-bucket_3", "user-bucket_2"],
      homes: ["homes_alice_4", "homes_bob_5"],
      homeOwners: ["alice", "bob"],
    });
  });

  it("refuses without a flag, naming it and what it deletes", () => {
    const refusals = destroyRefusals(kept, { deleteRegistry: false, deleteHomes: false });
    expect(refusals).to.have.length(2);
    expect(refusals[0])
      .to.include("DynamoDB tables (flightdeck-clusters), among them the cluster registry")
      .and.include("Pass --delete-registry");
    expect(refusals[1])
      .to.include("home file systems of alice, bob")
      .and.include("Pass --delete-homes");
    expect(destroyRefusals(kept, { deleteRegistry: true, deleteHomes: false })).to.have.length(1);
    expect(destroyRefusals(kept, { deleteRegistry: true, deleteHomes: true })).to.deep.equal([]);
  });

  it("lifts the registry's deletion protection, empties the buckets and lets the homes go", () => {
    expect(destroyOverride(kept)).to.deep.equal({
      resource: {
        aws_dynamodb_table: { registry_table_1: { deletion_protection_enabled: false } },
        aws_s3_bucket: {
          "customizer-bucket_3": { force_destroy: true },
          "user-bucket_2": { force_destroy: true },
        },
        aws_efs_file_system: {
          homes_alice_4: { lifecycle: { prevent_destroy: false } },
          homes_bob_5: { lifecycle: { prevent_destroy: false } },
        },
      },
    });
  });

  it("writes the lifted protections only to what the state holds, so nothing is created", () => {
    expect(
      protectionTargets(kept, ["aws_dynamodb_table.registry_table_1", "aws_sqs_queue.q_6"]),
    ).to.deep.equal(["aws_dynamodb_table.registry_table_1"]);
    expect(protectionTargets(kept, [])).to.deep.equal([]);
  });
});
