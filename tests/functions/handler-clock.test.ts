import { CreateStackCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { handleCreateRequest } from "../../functions/cf-create/create-request.js";
import { handleExtendRequest } from "../../functions/cf-delete/extend-request.js";
import type { UserId } from "../../functions/shared/identifiers.js";
import { parseLifetimeBody } from "../../functions/shared/lifetime-files.js";
import { parseFailureBody } from "../../functions/shared/result-files.js";
import { fixturePath } from "../support/fixtures.js";
import { body, harness, s3Record, stackIdOf, type Harness } from "../support/handler-harness.js";
import { basePolicy } from "../support/policies.js";

/*
 * The handlers read the time from their dependencies' `now`, never from the
 * system's clock: with the harness's clock stopped at a moment far from
 * today, what they write and decide follows that moment.
 */

const HOUR = 3_600_000;
const T0 = Date.UTC(2031, 0, 6, 9, 30, 0);
const seedExample = readFileSync(fixturePath("configs/seed-example.json"), "utf8");
const alice = "alice" as UserId;

describe("the handlers' clock", () => {
  let h: Harness;
  const uploaded = (key: string, text: string) =>
    h.s3
      .on(GetObjectCommand, { Key: key })
      .resolves({ Body: body(text), ContentLength: Buffer.byteLength(text) });

  beforeEach(() => {
    h = harness({
      policy: basePolicy({
        users: { alice: { email: "alice@example.org" } },
        limits: { lifetimeHours: 4, maxLifetimeHours: 8, maxRequestsPerMinute: 2 },
      }),
    });
    h.clock.set(T0);
    h.cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Stack with id fd-alice-c1 does not exist"), {
        name: "ValidationError",
      }),
    );
    h.cfn.on(CreateStackCommand).resolves({ StackId: stackIdOf("fd-alice-c1") });
  });
  afterEach(() => h.restore());

  it("takes a create's slot at the clock's time, with the lifetime counted from it", async () => {
    uploaded("home/alice/c1.cf-create", seedExample);
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    const slot = (await h.registry.record(alice)).clusters.get("c1");
    expect(slot).to.deep.include({ acquiredAt: T0, expiresAt: T0 + 4 * HOUR });
  });

  it("decides an extension at the clock's time, within the lifetime counted from the slot's", async () => {
    uploaded("home/alice/c1.cf-create", seedExample);
    await handleCreateRequest(h.createDeps, s3Record("home/alice/c1.cf-create"));
    // Past its expiry (T0 + 4 h), not yet swept: 3 hours are left of its 8 at most.
    h.clock.advance(5 * HOUR);
    uploaded("home/alice/c1.cf-extend", '{"hours": 5}');
    await handleExtendRequest(h.deleteDeps, s3Record("home/alice/c1.cf-extend"));
    const answer = parseLifetimeBody(h.written()["home/alice/c1.cf-extended"] ?? "");
    expect(answer?.granted).to.equal(false);
    expect(answer?.reason).to.match(/you can extend by at most 3 hours/);
    expect(Date.parse(answer?.latestExpiry ?? "")).to.equal(T0 + 8 * HOUR);
  });

  it("counts requests in the clock's minute, and admits again in the next", async () => {
    const key = "home/alice/bad name.cf-create";
    const reasons = () => parseFailureBody(h.written()["home/alice/bad name.cf-failed"] ?? "");
    for (let i = 0; i < 3; i += 1) await handleCreateRequest(h.createDeps, s3Record(key));
    expect(reasons()?.reasons.join(" ")).to.match(/more than 2 requests in the last minute/);
    h.clock.advance(60_000);
    await handleCreateRequest(h.createDeps, s3Record(key));
    expect(reasons()?.reasons.join(" ")).not.to.match(/in the last minute/);
  });
});
