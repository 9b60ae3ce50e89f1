import { expect } from "chai";
import { loadClusterTemplate } from "../../../stacks/deployment/cluster-template.js";
import { templateProblems } from "../../../stacks/settings/template-checks.js";
import {
  decodedSettings,
  MINIMAL_SETTINGS,
  settingsProblems,
  SSH_KEY,
} from "../../support/settings-decoding.js";

/*
 * The settings' `defaults` are decoded as a config is, must name the
 * template's parameters, and must leave `{}` a cluster the limits accept; a
 * lifetime above the maximum is refused, not clamped.
 */

const TEMPLATE_PATH = "template/cluster.json";
const template = loadClusterTemplate(TEMPLATE_PATH).template;
const user = (id: string, extra: object = {}) => ({ id, sshPublicKey: SSH_KEY, ...extra });
const withTemplate = (json: object) =>
  templateProblems(decodedSettings(json), template, TEMPLATE_PATH);

describe("settings defaults, decoded as a config is", () => {
  it("refuses a default the config codec refuses, the deployment's and a user's", () => {
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, defaults: { ComputeSpotPrice: "abc" } }),
    ).to.deep.equal([
      'defaults.ComputeSpotPrice must be a price in USD per hour such as "0.03": "0" for on-demand, otherwise above 0.001 and at most 1000 (got "abc").',
    ]);
    const users = [user("alice"), user("bob", { defaults: { ComputeMaxNodes: "-1" } })];
    expect(settingsProblems({ ...MINIMAL_SETTINGS, users })).to.deep.equal([
      'users: bob: defaults.ComputeMaxNodes must be a whole number from 1 to 1000 (got "-1").',
    ]);
  });

  it("refuses defaults whose node counts contradict each other, saying where they are", () => {
    const defaults = { ComputeInitialNodes: 5, ComputeMaxNodes: 2 };
    expect(settingsProblems({ ...MINIMAL_SETTINGS, defaults })).to.deep.equal([
      "defaults: ComputeInitialNodes (5) must not be larger than ComputeMaxNodes (2).",
    ]);
  });

  it("keeps a default in the form the config codec gives it", () => {
    const settings = decodedSettings({
      ...MINIMAL_SETTINGS,
      defaults: { ComputeSpotPrice: "0.0", ComputeMaxNodes: 4, AutoscalingPolicy: false },
    });
    expect(settings.defaults).to.deep.equal({
      ComputeSpotPrice: "0",
      ComputeMaxNodes: "4",
      AutoscalingPolicy: "disabled",
    });
  });

  it("refuses a misspelt default, which the template does not declare, the deployment's and a user's", () => {
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, defaults: { ComputeSpotPrise: "0.1" } }),
    ).to.have.length(1);
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, defaults: { ComputeSpotPrise: "0.1" } })[0],
    ).to.match(
      /^defaults: "ComputeSpotPrise" is not a parameter of the cluster template template\/cluster\.json, so it would never be used\. Parameters a default may set: ComputeInstanceType, .*ImageId\.$/,
    );
    const users = [user("alice", { defaults: { computeMaxNodes: "4" } })];
    expect(withTemplate({ ...MINIMAL_SETTINGS, users })[0]).to.match(
      /^users: alice: defaults: "computeMaxNodes" is not a parameter of the cluster template/,
    );
  });

  it("accepts a default for a template parameter that is not a cluster setting", () => {
    const defaults = {
      ImageId: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    };
    expect(withTemplate({ ...MINIMAL_SETTINGS, defaults })).to.deep.equal([]);
  });
});

describe("settings defaults, within the limits", () => {
  it("refuses a deployment default above the deployment's limit", () => {
    const json = {
      ...MINIMAL_SETTINGS,
      defaults: { ComputeMaxNodes: 20 },
      limits: { maxComputeNodes: 16 },
    };
    expect(withTemplate(json)).to.deep.equal([
      'defaults: a cluster config of {} would be refused: ComputeMaxNodes is 20, above your limit of 16; ask your administrator to raise it. Set "defaults" or the limits so that a cluster with no settings of its own is accepted.',
    ]);
  });

  it("refuses a user's limit below the default, naming the user", () => {
    const users = [user("alice"), user("bob", { limits: { maxComputeNodes: 2 } })];
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, defaults: { ComputeMaxNodes: 4 }, users }),
    ).to.deep.equal([
      `users: bob: a cluster config of {} would be refused with bob's own limits and defaults: ComputeMaxNodes is 4, above your limit of 2; ask your administrator to raise it. Set "defaults" or the limits so that a cluster with no settings of its own is accepted.`,
    ]);
  });

  it("refuses the template's on-demand default under a spot price limit, unless a default spot price is set", () => {
    const limits = { maxSpotPrice: "0.50" };
    expect(withTemplate({ ...MINIMAL_SETTINGS, limits }).join(" ")).to.include(
      "ComputeSpotPrice is 0, which runs compute nodes on-demand",
    );
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, limits, defaults: { ComputeSpotPrice: "0.10" } }),
    ).to.deep.equal([]);
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, limits: { ...limits, allowOnDemand: true } }),
    ).to.deep.equal([]);
  });

  it("accepts a user whose own defaults fit their own limits", () => {
    const users = [
      user("bob", { limits: { maxComputeNodes: 2 }, defaults: { ComputeMaxNodes: 2 } }),
    ];
    expect(
      withTemplate({ ...MINIMAL_SETTINGS, defaults: { ComputeMaxNodes: 4 }, users }),
    ).to.deep.equal([]);
  });
});

describe("settings lifetimes", () => {
  it("refuses lifetimeHours above maxLifetimeHours instead of cutting it down", () => {
    const limits = { lifetimeHours: 400, maxLifetimeHours: 100 };
    expect(settingsProblems({ ...MINIMAL_SETTINGS, limits })).to.deep.equal([
      "limits: lifetimeHours (400) is above maxLifetimeHours (100): a new cluster may not live longer than any cluster may. Lower lifetimeHours or raise maxLifetimeHours.",
    ]);
  });

  it("refuses lifetimeHours above the default maximum of a week", () => {
    expect(settingsProblems({ ...MINIMAL_SETTINGS, limits: { lifetimeHours: 200 } })).to.deep.equal(
      [
        "limits: lifetimeHours (200) is above the maximum lifetime of 168 hours (FlightDeck's default; set maxLifetimeHours to change it): a new cluster may not live longer than any cluster may. Lower lifetimeHours or raise maxLifetimeHours.",
      ],
    );
    expect(settingsProblems({ ...MINIMAL_SETTINGS, limits: { lifetimeHours: 168 } })).to.deep.equal(
      [],
    );
  });

  it("refuses a user's lifetime above their maximum, naming the user", () => {
    const users = [user("alice", { limits: { maxLifetimeHours: 24 } })];
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, limits: { lifetimeHours: 72 }, users }),
    ).to.deep.equal([
      "users: alice: with alice's own limits, lifetimeHours (72) is above maxLifetimeHours (24): a new cluster may not live longer than any cluster may. Lower lifetimeHours or raise maxLifetimeHours.",
    ]);
  });
});

describe("settings errors about a user", () => {
  const cases: Record<string, object> = {
    "a bad limit": { limits: { maxClusters: "x" } },
    "an unknown key": { limitz: {} },
    "a bad SSH key": { sshPublicKey: "nope" },
    "a bad email": { email: "x" },
    "a reserved default": { defaults: { AccessNetwork: "10.0.0.0/8" } },
    "a bad default": { defaults: { IdleDeleteMinutes: "soon" } },
    "a bad UID": { uid: "0" },
    "an unknown limit": { limits: { maxClusterz: 1 } },
  };
  for (const [what, extra] of Object.entries(cases)) {
    it(`name the user for ${what}`, () => {
      const found = settingsProblems({
        ...MINIMAL_SETTINGS,
        users: [user("alice"), user("bob", extra)],
      });
      expect(found).to.have.length.above(0);
      for (const problem of found) expect(problem).to.match(/^users: bob: /);
    });
  }

  it("name the user by index when it has no usable id", () => {
    expect(
      settingsProblems({ ...MINIMAL_SETTINGS, users: [user("alice"), { sshPublicKey: SSH_KEY }] }),
    ).to.deep.equal(["users[1]: id is required."]);
    expect(settingsProblems({ ...MINIMAL_SETTINGS, users: [user("bad id")] })).to.deep.equal([
      'users[0]: id must be an IAM user name: 1 to 64 letters, digits or + = , . @ _ -, not only dots (got "bad id").',
    ]);
  });
});
