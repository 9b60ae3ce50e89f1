import { expect } from "chai";
import { isRight } from "fp-ts/lib/Either.js";
import { decodeTemplate } from "../../../functions/shared/cfn-template.js";
import { decodeConfig } from "../../../functions/shared/cluster-config.js";
import { decodePolicy } from "../../../functions/shared/deployment-policy.js";
import type { ClusterName, UserId } from "../../../functions/shared/identifiers.js";
import { mergeTemplate } from "../../../functions/shared/template-merge.js";
import { policyFromSettings } from "../../../stacks/settings/policy.js";
import { decodeSettings } from "../../../stacks/settings/settings.js";
import { rightOf } from "../../support/either.js";
import { fixtureJson } from "../../support/fixtures.js";

/*
 * Settings that would open holes: user ids that mean something else to the
 * customizer or the system, ids that are JavaScript's own property names,
 * and a per-user override of who may reach clusters.
 */

const decodedConfig = () => rightOf(decodeConfig({ ComputeMaxNodes: 25 }));
const KEY =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN9pMV6GMxvmwLjJolLOIuP1k3T9fQKx0iQv2U96FMdl alice@laptop";
const minimal = { name: "flightdeck", region: "eu-west-2", accessNetwork: "203.0.113.0/24" };
const withUsers = (...users: unknown[]) => decodeSettings({ ...minimal, users });
const problems = (json: ReturnType<typeof decodeSettings>) =>
  json._tag === "Left" ? json.left : [];

describe("settings holes", () => {
  for (const id of ["default", "Default"]) {
    it(`refuses the user id ${id}, the customizer folder every cluster runs`, () => {
      expect(problems(withUsers({ id, sshPublicKey: KEY })).join(" ")).to.match(
        new RegExp(`user id "${id}" is reserved`),
      );
    });
  }

  for (const id of ["root", "daemon", "nobody", "ubuntu", "slurm", "munge"]) {
    it(`refuses the user id ${id} without a login of its own: it would log in as a system account`, () => {
      expect(problems(withUsers({ id, sshPublicKey: KEY })).join(" ")).to.match(
        new RegExp(`login "${id}" is a system account`),
      );
      expect(problems(withUsers({ id, sshPublicKey: KEY, login: `${id}_user` }))).to.deep.equal([]);
    });
  }

  for (const id of ["__proto__", "constructor", "prototype"]) {
    it(`keeps the limits of a user named ${id}`, () => {
      const settings = rightOf(
        withUsers({ id, sshPublicKey: KEY, limits: { maxComputeNodes: 1 } }),
      );
      const policy = rightOf(
        decodePolicy(JSON.parse(JSON.stringify(policyFromSettings(settings)))),
      );
      const template = rightOf(decodeTemplate(fixtureJson("templates/seed-like.json")));
      const plan = mergeTemplate({
        template,
        policy,
        user: id as UserId,
        cluster: "c1" as ClusterName,
        config: decodedConfig(),
        requestId: "v1",
      });
      expect(isRight(plan), "a 25-node config must not render under a limit of 1").to.equal(false);
    });
  }

  it("refuses a per-user AccessNetwork: only the deployment's accessNetwork sets it", () => {
    expect(
      problems(
        withUsers({ id: "alice", sshPublicKey: KEY, defaults: { AccessNetwork: "0.0.0.0/0" } }),
      ).join(" "),
    ).to.match(/AccessNetwork/);
  });
});
