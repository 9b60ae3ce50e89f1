// @ts-check
import eslintComments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

/*
 * Which folder may import which (docs/development.md, "Layout"). Relative specifiers are
 * matched by regular expression, so a pattern holds at any folder depth.
 */

/** `no-restricted-imports` with these patterns. */
const restrictImports = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });
/** A relative import reaching `folder` at the project root, from any depth. */
const intoRoot = (folder) => `^(\\.\\./)+${folder}(/|$)`;

const noCdktf = {
  group: ["cdktf", "cdktf/*", "constructs", "constructs/*", "@cdktf/*"],
  message: "Only stacks/ construct modules load cdktf; this layer must stay cdktf-free.",
};
const noStacksCliTemplate = {
  regex: intoRoot("(stacks|cli|template)"),
  message: "functions/ imports nothing from stacks/, cli/ or template/.",
};
const noHandlers = {
  regex: "^(\\.\\./)+cf-(create|delete)/",
  message: "functions/shared imports nothing from the handlers.",
};
const noOtherHandler = (other) => ({
  regex: `^(\\.\\./)+${other}/`,
  message: `A handler never imports the other handler (${other}); share code through functions/shared.`,
});
const noAws = {
  group: ["@aws-sdk/*", "@smithy/*", "@aws-lambda-powertools/*"],
  message: "The pure core must not touch AWS.",
};
const noFileSystem = {
  group: ["node:fs", "node:fs/*", "fs", "fs/*", "node:child_process", "child_process"],
  message: "The pure core must not touch the file system.",
};
const noRuntime = {
  regex: "^\\./runtime/",
  message: "The pure core imports nothing from runtime/, the shell around it.",
};

/** The stacks/ modules with no cdktf in them, which the CLI may use to render requests offline. */
const CDKTF_FREE_STACKS = [
  "stacks/settings/**/*.ts",
  "stacks/iam/**/*.ts",
  "stacks/deployment/cluster-template.ts",
  "stacks/deployment/document-keys.ts",
];
const cdktfFreeModules = "settings/|iam/|deployment/(cluster-template|document-keys)\\.js$";
const noStackConstructs = {
  regex: `^(\\.\\./)+stacks/(?!${cdktfFreeModules})`,
  message:
    "The CLI uses only the cdktf-free stacks/ modules (settings/, iam/, deployment/cluster-template, deployment/document-keys).",
};
const leaveForConstructs = {
  regex: `^\\.\\./(?!\\.\\./|${cdktfFreeModules})`,
  message: "A cdktf-free stacks/ module imports only other cdktf-free ones.",
};
const deploymentConstructs = {
  regex: "^\\./(?!cluster-template\\.js$|document-keys\\.js$)",
  message: "cluster-template.ts and document-keys.ts import no construct from stacks/deployment/.",
};

const noHandlerInternals = {
  regex: intoRoot("functions/(cf-create|cf-delete|shared/runtime)"),
  message: "stacks/ never imports handler internals, only the pure core in functions/shared.",
};

const FUNCTIONS = [noCdktf, noStacksCliTemplate];
const SHARED = [...FUNCTIONS, noHandlers];
const CORE = [...SHARED, noAws, noFileSystem, noRuntime];
const cfCreate = [...FUNCTIONS, noOtherHandler("cf-delete")];
const cfDelete = [...FUNCTIONS, noOtherHandler("cf-create")];
const CLI = [noCdktf, noStackConstructs];
const STACKS = [noHandlerInternals];
const cdktfFreeStacks = [...STACKS, noCdktf, leaveForConstructs];

/** The project's own source, which the size limits below hold to. */
const SOURCE = [
  "functions/**/*.ts",
  "stacks/**/*.ts",
  "cli/**/*.ts",
  "template/**/*.ts",
  "scripts/**/*.ts",
  "main.ts",
  "build.mjs",
  // The tests' own machinery: fakes, harnesses, contract suites (not the specs).
  "tests/**/*.ts",
];

export default tseslint.config(
  // coverage/ is c8's generated report, not source.
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "coverage/"] },
  // A directive that silences nothing fails, and so does one without a `-- reason`:
  // every exception to a rule says why it is there.
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  eslintComments.recommended,
  {
    rules: {
      "@eslint-community/eslint-comments/require-description": "error",
    },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Type-aware: a promise nobody awaits (or handed where a void callback goes) loses its
    // failure, the way an unawaited S3 write would lose a result file.
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  // The layers. A file gets one list of restricted imports (a later block
  // replaces an earlier one's), so each list below is complete for its files.
  // tests/lint/layers.test.ts trips every pattern with a fixture.
  { files: ["functions/**/*.ts"], rules: restrictImports(FUNCTIONS) },
  { files: ["functions/shared/**/*.ts"], rules: restrictImports(SHARED) },
  { files: ["functions/cf-create/**/*.ts"], rules: restrictImports(cfCreate) },
  { files: ["functions/cf-delete/**/*.ts"], rules: restrictImports(cfDelete) },
  { files: ["cli/**/*.ts"], rules: restrictImports(CLI) },
  { files: ["stacks/**/*.ts"], rules: restrictImports(STACKS) },
  { files: CDKTF_FREE_STACKS, rules: restrictImports(cdktfFreeStacks) },
  {
    files: ["stacks/deployment/cluster-template.ts", "stacks/deployment/document-keys.ts"],
    rules: restrictImports([...cdktfFreeStacks, deploymentConstructs]),
  },
  {
    // The pure core: no AWS SDK, no environment, no file system, no clock.
    files: ["functions/shared/*.ts"],
    rules: {
      ...restrictImports(CORE),
      "no-restricted-globals": [
        "error",
        { name: "process", message: "The pure core takes its inputs as arguments." },
        { name: "Date", message: "The pure core has no clock; take times as arguments." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "No clock in the core." },
      ],
    },
  },
  {
    // Size limits (docs/development.md): a file over 300 lines, or a function over 60
    // (blank lines and comments aside), does more than one thing and wants splitting.
    // A long declarative table that reads best whole stays whole, behind an
    // `eslint-disable-next-line max-lines-per-function -- <why>` that says so.
    // Import circles are the other half of this and not ESLint's: `npm run lint`
    // runs madge for them.
    files: SOURCE,
    ignores: ["tests/**/*.test.ts", "tests/fixtures/**"],
    rules: {
      "max-lines": ["error", { max: 300 }],
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
);
