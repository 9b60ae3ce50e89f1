import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings } from "../../../stacks/settings/settings.js";
import { loadCheckedSettings } from "../../../stacks/settings/template-checks.js";
import { cli } from "../../support/run-cli.js";

/*
 * Every user of each committed example can create a cluster with `{}`: the
 * example's limits and defaults agree with its template. A spot price limit
 * without a default spot price, say, would leave the template's on-demand
 * default refusing every such cluster.
 */

const EXAMPLES = ["settings/example.json", "settings/sso-example.json"];

describe("the example settings", () => {
  let dir = "";
  let empty = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "fd-examples-"));
    empty = join(dir, "empty.json");
    writeFileSync(empty, "{}");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const path of EXAMPLES) {
    it(`${path} passes the checks npm run plan makes against its template`, () => {
      expect(() => loadCheckedSettings(path)).not.to.throw();
    });

    it(`flightdeck render takes {} from every user of ${path}`, async () => {
      const settings = loadSettings(path);
      expect(settings.users).to.have.length.above(0);
      for (const user of settings.users) {
        const run = await cli(["--user", user.id, "render", "c1", "-c", empty, "--settings", path]);
        expect(run.code, `${user.id} under ${path}: ${run.stderr}`).to.equal(0);
        const request = JSON.parse(run.stdout) as {
          Parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
        };
        expect(request.Parameters).to.deep.include({
          ParameterKey: "ComputeSpotPrice",
          ParameterValue: "0.10",
        });
      }
    });
  }
});
