import { expect } from "chai";
import { ESLint, type Linter } from "eslint";
import { fixtureEslint, lintAs } from "./support/fixture-linter.js";

/*
 * The layers of eslint.config.mjs, proven by fixtures: each source below sits
 * in a layer (its file need not exist) and breaks exactly one rule, which
 * must fire; a compliant source per layer must pass. Every restricted-import
 * pattern configured for a layer must be tripped by one of its fixtures, so
 * a rule that nothing can trip fails here too.
 */

interface Violation {
  /** What the fixture does wrong. */
  readonly does: string;
  readonly source: string;
  /** The rule that must fire, and a piece of its message. */
  readonly rule: string;
  readonly message: string;
}

interface Layer {
  readonly name: string;
  /** Where the fixtures pretend to live. */
  readonly filePath: string;
  /** Imports and code the layer may use: must lint clean. */
  readonly compliant: string;
  readonly violations: readonly Violation[];
}

const imports = (does: string, specifier: string, message: string): Violation => ({
  does,
  source: `import { x } from "${specifier}";\nexport const y = x;\n`,
  rule: "no-restricted-imports",
  message,
});

const CDKTF_FREE = "must stay cdktf-free";

const LAYERS: readonly Layer[] = [
  {
    name: "the pure core (functions/shared/*.ts)",
    filePath: "functions/shared/fixture.ts",
    compliant: [
      'import * as t from "io-ts";',
      'import { isLeft } from "fp-ts/lib/Either.js";',
      'import { closedObject } from "./readable-errors.js";',
      "export const y = [t, isLeft, closedObject];",
    ].join("\n"),
    violations: [
      imports("imports the shell", "./runtime/stacks.js", "nothing from runtime/"),
      imports("imports the AWS SDK", "@aws-sdk/client-s3", "must not touch AWS"),
      imports("imports Powertools", "@aws-lambda-powertools/logger", "must not touch AWS"),
      imports("imports the file system", "node:fs", "must not touch the file system"),
      imports("imports stacks/", "../../stacks/settings/names.js", "nothing from stacks/"),
      imports("imports cli/", "../../cli/output.js", "nothing from stacks/, cli/"),
      imports("imports template/", "../../template/parameters.js", "or template/"),
      imports("imports a handler", "../cf-create/create-deps.js", "nothing from the handlers"),
      imports("imports cdktf", "cdktf", CDKTF_FREE),
      {
        does: "reads the environment",
        source: 'export const region = process.env["AWS_REGION"];\n',
        rule: "no-restricted-globals",
        message: "takes its inputs as arguments",
      },
      {
        does: "reads the clock",
        source: "export const now = Date.now();\n",
        rule: "no-restricted-properties",
        message: "No clock in the core",
      },
    ],
  },
  {
    name: "the shell (functions/shared/runtime/)",
    filePath: "functions/shared/runtime/fixture.ts",
    compliant: [
      'import { S3Client } from "@aws-sdk/client-s3";',
      'import { parseTriggerKey } from "../trigger-key.js";',
      'import { UserHome } from "./user-home.js";',
      "export const y = [S3Client, parseTriggerKey, UserHome];",
    ].join("\n"),
    violations: [
      imports("imports a handler", "../../cf-delete/delete-deps.js", "nothing from the handlers"),
      imports("imports stacks/", "../../../stacks/iam/arns.js", "nothing from stacks/"),
      imports("imports constructs", "constructs", CDKTF_FREE),
    ],
  },
  {
    name: "the cf-create handler",
    filePath: "functions/cf-create/fixture.ts",
    compliant: [
      'import { Stacks } from "../shared/runtime/stacks.js";',
      'import { settleCreate } from "./settle-create.js";',
      "export const y = [Stacks, settleCreate];",
    ].join("\n"),
    violations: [
      imports("imports cf-delete", "../cf-delete/delete-request.js", "never imports the other"),
      imports("imports stacks/", "../../stacks/functions/handlers.js", "nothing from stacks/"),
      imports("imports a cdktf provider", "@cdktf/provider-aws/lib/s3-object/index.js", CDKTF_FREE),
    ],
  },
  {
    name: "the cf-delete handler",
    filePath: "functions/cf-delete/fixture.ts",
    compliant: 'import { Stacks } from "../shared/runtime/stacks.js";\nexport const y = Stacks;\n',
    violations: [
      imports("imports cf-create", "../cf-create/settle-create.js", "never imports the other"),
      imports("imports stacks/", "../../stacks/settings/policy.js", "nothing from stacks/"),
      imports("imports cdktf", "cdktf", CDKTF_FREE),
    ],
  },
  {
    name: "the CLI",
    filePath: "cli/commands/fixture.ts",
    compliant: [
      'import { loadSettings } from "../../stacks/settings/settings.js";',
      'import { arnScope } from "../../stacks/iam/arns.js";',
      'import { loadClusterTemplate } from "../../stacks/deployment/cluster-template.js";',
      'import { documentKeys } from "../../stacks/deployment/document-keys.js";',
      'import { mergeTemplate } from "../../functions/shared/template-merge.js";',
      "export const y = [loadSettings, arnScope, loadClusterTemplate, documentKeys, mergeTemplate];",
    ].join("\n"),
    violations: [
      imports("imports cdktf", "cdktf", CDKTF_FREE),
      imports(
        "imports a construct module",
        "../../stacks/deployment/deployment-documents.js",
        "only the cdktf-free stacks/ modules",
      ),
      imports(
        "imports the stack",
        "../stacks/flightdeck-stack.js",
        "only the cdktf-free stacks/ modules",
      ),
    ],
  },
  {
    name: "the cdktf-free settings (stacks/settings/)",
    filePath: "stacks/settings/fixture.ts",
    compliant: [
      'import { namesFor } from "./names.js";',
      'import { decodePolicy } from "../../functions/shared/deployment-policy.js";',
      'import { arnScope } from "../iam/arns.js";',
      "export const y = [namesFor, decodePolicy, arnScope];",
    ].join("\n"),
    violations: [
      imports("imports cdktf", "cdktf", CDKTF_FREE),
      imports(
        "imports a construct module",
        "../customizer/customizer-content.js",
        "imports only other cdktf-free ones",
      ),
      imports(
        "imports handler internals",
        "../../functions/shared/runtime/stacks.js",
        "never imports handler internals",
      ),
    ],
  },
  {
    name: "the cdktf-free deployment modules",
    filePath: "stacks/deployment/document-keys.ts",
    compliant: 'import { sha256Hex } from "./document-keys.js";\nexport const y = sha256Hex;\n',
    violations: [
      imports("imports @cdktf", "@cdktf/provider-aws/lib/s3-object/index.js", CDKTF_FREE),
      imports(
        "imports its construct sibling",
        "./deployment-documents.js",
        "import no construct from stacks/deployment/",
      ),
      imports(
        "imports a construct module elsewhere",
        "../storage/private-bucket.js",
        "imports only other cdktf-free ones",
      ),
      imports(
        "imports a handler",
        "../../functions/cf-create/create-request.js",
        "never imports handler internals",
      ),
    ],
  },
  {
    name: "the construct modules (stacks/)",
    filePath: "stacks/functions/fixture.ts",
    compliant: [
      'import { Construct } from "constructs";',
      'import { HandlerFunction } from "./handler-function.js";',
      'import { CREATE_OUTCOME_STATUSES } from "../../functions/shared/stack-status-event.js";',
      "export const y = [Construct, HandlerFunction, CREATE_OUTCOME_STATUSES];",
    ].join("\n"),
    violations: [
      imports(
        "imports a handler",
        "../../functions/cf-delete/delete-deps.js",
        "never imports handler internals",
      ),
    ],
  },
];

/** The messages of the restricted-import patterns configured for a file. */
async function configuredPatterns(eslint: ESLint, filePath: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(filePath)) as Linter.Config;
  const setting = config.rules?.["no-restricted-imports"];
  const options = (Array.isArray(setting) ? setting[1] : undefined) as
    { patterns?: Array<{ message: string }> } | undefined;
  return (options?.patterns ?? []).map((p) => p.message);
}

describe("layers (eslint.config.mjs)", function () {
  this.timeout(60_000);
  const eslint = fixtureEslint();
  const lint = (source: string, filePath: string) => lintAs(eslint, source, filePath);

  it("type-aware rules: a promise left floating, or passed where a void callback goes, fails", async () => {
    // Linted as this very file, which the project holds, so its types are known.
    const typed = new ESLint();
    const source = [
      "const later = async (): Promise<number> => 1;",
      "later();",
      "[1].forEach(async () => later());",
      "export {};",
    ].join("\n");
    const messages = (await typed.lintText(source, { filePath: "tests/lint/layers.test.ts" }))[0]
      ?.messages;
    expect(messages?.map((m) => m.ruleId)).to.deep.equal([
      "@typescript-eslint/no-floating-promises",
      "@typescript-eslint/no-misused-promises",
    ]);
  });

  for (const layer of LAYERS) {
    describe(layer.name, () => {
      it("lets compliant code through", async () => {
        expect(await lint(layer.compliant, layer.filePath)).to.deep.equal([]);
      });

      for (const violation of layer.violations) {
        it(`fails a fixture that ${violation.does}`, async () => {
          const messages = await lint(violation.source, layer.filePath);
          expect(
            messages.map((m) => [m.ruleId, m.message]),
            violation.source,
          ).to.satisfy((found: Array<[string, string]>) =>
            found.some(
              ([rule, text]) => rule === violation.rule && text.includes(violation.message),
            ),
          );
        });
      }

      it("has a fixture for every import pattern it is configured with", async () => {
        const tripped = layer.violations
          .filter((v) => v.rule === "no-restricted-imports")
          .map((v) => v.message);
        const configured = await configuredPatterns(eslint, layer.filePath);
        expect(configured).not.to.deep.equal([]);
        const untested = configured.filter(
          (message) => !tripped.some((piece) => message.includes(piece)),
        );
        expect(untested).to.deep.equal([]);
      });
    });
  }
});
