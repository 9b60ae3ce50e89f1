// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/"] },
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
    // The pure core: no AWS SDK, no environment, no file system, no clock.
    files: ["functions/shared/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@aws-sdk/*", "@aws-lambda-powertools/*"],
              message: "The pure core must not touch AWS.",
            },
            {
              group: ["node:fs", "node:fs/*", "fs", "node:child_process"],
              message: "The pure core must not touch the file system.",
            },
            {
              group: ["../*", "!../shared/*"],
              message: "functions/shared imports nothing else in functions/.",
            },
          ],
        },
      ],
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
);
