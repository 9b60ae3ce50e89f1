import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type * as t from "io-ts";
import {
  CreateEnvironmentCodec,
  DeleteEnvironmentCodec,
} from "../../functions/shared/handler-environment.js";
import { MIN_TERRAFORM, NODE_ENGINES, SUPPORTED_VERSIONS } from "../../scripts/tool-versions.js";
import { loadClusterTemplate } from "../../stacks/deployment/cluster-template.js";
import { loadSettings } from "../../stacks/settings/settings.js";
import { PROJECT_ROOT } from "../support/run-cli.js";
import { flightDeckStackOf, synthStack } from "../stacks/support/synth.js";

/*
 * Every figure in the documents that can drift is
 * checked here against what it describes. The README's session is written
 * and checked by tests/cli/end-to-end.test.ts; test counts are never stated.
 * Checked here: the resource counts `npm run plan` prints for the two
 * example settings (counted from the synthesized stack, which plans one
 * change per resource), the supported Node.js and Terraform versions, the
 * cluster template's resources, the handlers' environment variables, and
 * that every relative link and anchor in the README, the changelog and
 * docs/ resolves.
 */

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), "utf8");
/** A document's text with every run of white space as one space, so wrapping does not matter. */
const flat = (path: string) => read(path).replace(/\s+/g, " ");

const DOCS = readdirSync(join(PROJECT_ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`)
  .sort();
const DOCUMENTS = ["README.md", "CHANGELOG.md", ...DOCS];

/** The resources a stack synthesized from `settingsPath` declares. */
function resourceCount(settingsPath: string): number {
  const settings = loadSettings(join(PROJECT_ROOT, settingsPath));
  const synthesized = synthStack((app) => flightDeckStackOf(app, settings));
  const config = JSON.parse(synthesized) as {
    resource?: Record<string, Record<string, { count?: unknown; for_each?: unknown }>>;
  };
  let total = 0;
  for (const [type, resources] of Object.entries(config.resource ?? {})) {
    for (const [name, resource] of Object.entries(resources)) {
      // One planned change per declared resource holds only without count or for_each.
      expect(resource.count, `${type}.${name} has a count`).to.equal(undefined);
      expect(resource.for_each, `${type}.${name} has a for_each`).to.equal(undefined);
      total += 1;
    }
  }
  return total;
}

/** The variable names an io-ts codec of intersections, exact and (partial) interface types declares. */
function declaredKeys(codec: t.Mixed): string[] {
  const node = codec as unknown as {
    types?: t.Mixed[];
    type?: t.Mixed;
    props?: Record<string, unknown>;
  };
  if (node.props !== undefined) return Object.keys(node.props);
  if (node.types !== undefined) return node.types.flatMap(declaredKeys);
  if (node.type !== undefined) return declaredKeys(node.type);
  return [];
}

/** Lines outside fenced code blocks, with their inline code spans blanked. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, (span) => " ".repeat(span.length));
  });
}

/** GitHub's anchor for a heading's text: lowercase, punctuation dropped, each space a hyphen. */
function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings, numbered as GitHub numbers repeats. */
function anchorsOf(path: string): Set<string> {
  let fenced = false;
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const slug = githubSlug(heading[1] ?? "");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every relative link of a document: its target and the line it is on. */
function relativeLinks(path: string): Array<{ target: string; line: number }> {
  const links: Array<{ target: string; line: number }> = [];
  proseLines(read(path)).forEach((text, index) => {
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

describe("the figures the documents state", () => {
  describe("the resource counts npm run plan prints", function () {
    this.timeout(120_000);
    let example = 0;
    let sso = 0;

    before(() => {
      example = resourceCount("settings/example.json");
      sso = resourceCount("settings/sso-example.json");
    });

    it("are the synthesized stacks' in the README", () => {
      expect(flat("README.md")).to.include(
        `a summary: ${example} resources for the example, ${sso} for the IAM Identity Center example`,
      );
    });

    it("are the synthesized stacks' in the admin guide", () => {
      expect(flat("docs/admin-guide.md")).to.include(
        `${example} resources for \`settings/example.json\`, ${sso} for \`settings/sso-example.json\``,
      );
    });
  });

  describe("the supported versions", () => {
    const [nodePhrase = ""] = SUPPORTED_VERSIONS.split(";");
    const terraformPhrase = `Terraform ${MIN_TERRAFORM.join(".")} or later`;

    it("are scripts/tool-versions.ts's, word for word, in the README's prerequisites", () => {
      expect(flat("README.md")).to.include(SUPPORTED_VERSIONS);
    });

    it("name the oldest release of each line package.json's engines allows", () => {
      const lines = NODE_ENGINES.split("||").map((range) => {
        const [major = "", minor = "0"] = (/(\d+)(?:\.(\d+))?/.exec(range) ?? []).slice(1);
        return { major, minor };
      });
      expect(lines).to.have.length.above(1);
      for (const { major, minor } of lines.slice(0, -1)) {
        expect(nodePhrase).to.include(`${major}.${minor} or later on the ${major} line`);
      }
      const last = lines[lines.length - 1];
      expect(nodePhrase).to.include(`or ${last?.major} and later`);
    });

    it("are stated the same way wherever a document names a Node.js or Terraform version", () => {
      const wrong: string[] = [];
      for (const path of DOCUMENTS) {
        const text = flat(path);
        for (const match of text.matchAll(/Node\.js \(?\d/g)) {
          const at = text.slice(match.index).replace(/^Node\.js \(/, "Node.js ");
          if (!at.startsWith(nodePhrase)) wrong.push(`${path}: ${at.slice(0, 80)}`);
        }
        for (const match of text.matchAll(/Terraform (\d+\.\d+)(\.\d+)?\+?/g)) {
          // A patch version names a release something was tested with (CI's pin), not the minimum.
          if (match[2] !== undefined) continue;
          const at = text.slice(match.index);
          if (!at.startsWith(terraformPhrase)) wrong.push(`${path}: ${at.slice(0, 60)}`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  });

  it("count the cluster template's resources as template/cluster.json declares them", () => {
    const template = loadClusterTemplate("template/cluster.json").template as {
      Resources: Record<string, { Condition?: string }>;
    };
    const all = Object.values(template.Resources);
    const always = all.filter((resource) => resource.Condition === undefined).length;
    expect(flat("docs/cluster-template.md")).to.include(
      `The default template declares ${all.length} resources: ${always} in every cluster`,
    );
  });

  it("list every environment variable the handlers read, and no other FD_ variable", () => {
    const declared = new Set([
      ...declaredKeys(CreateEnvironmentCodec),
      ...declaredKeys(DeleteEnvironmentCodec),
    ]);
    expect(declared.size).to.be.above(10);
    const rows = new Set(
      [...read("docs/how-it-works.md").matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map(
        (match) => match[1],
      ),
    );
    expect([...declared].filter((name) => !rows.has(name))).to.deep.equal([]);
    expect(
      [...rows].filter((name) => name?.startsWith("FD_") === true && !declared.has(name)),
    ).to.deep.equal([]);
  });

  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const path of DOCUMENTS) {
      const file = join(PROJECT_ROOT, path);
      for (const { target, line } of relativeLinks(path)) {
        checked += 1;
        const [part = "", anchor] = target.split("#", 2);
        const destination = part === "" ? file : resolve(dirname(file), decodeURI(part));
        const where = `${path}:${line}: ${target}`;
        if (!existsSync(destination)) {
          broken.push(`${where} (no ${relative(PROJECT_ROOT, destination)})`);
        } else if (anchor !== undefined && anchor !== "") {
          if (!destination.endsWith(".md") || !anchorsOf(destination).has(anchor)) {
            broken.push(`${where} (no heading with that anchor)`);
          }
        }
      }
    }
    expect(checked).to.be.above(20);
    expect(broken).to.deep.equal([]);
  });

  it("make GitHub's anchors from headings", () => {
    expect(githubSlug("Money: prices, spend and budgets")).to.equal(
      "money-prices-spend-and-budgets",
    );
    expect(githubSlug("How far it scales: AWS's default quotas")).to.equal(
      "how-far-it-scales-awss-default-quotas",
    );
    expect(githubSlug("`sinfo -R` and [links](x.md)")).to.equal("sinfo--r-and-links");
  });
});
