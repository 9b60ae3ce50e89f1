import { ESLint, type Linter } from "eslint";

/*
 * ESLint with the project's configuration, for linting fixture text as if
 * it lived at a given path. The fixtures are no files of the project, so
 * the type-aware rules (which need the project's type information) are off
 * for them; the layers and the size limits are syntactic.
 */

/** An ESLint for fixtures: the project's config, the type-aware rules off. */
export const fixtureEslint = (): ESLint =>
  new ESLint({
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        "@typescript-eslint/no-floating-promises": "off",
        "@typescript-eslint/no-misused-promises": "off",
      },
    },
  });

/** What ESLint says of `source` as if it were the file at `filePath`. */
export const lintAs = async (
  eslint: ESLint,
  source: string,
  filePath: string,
): Promise<Linter.LintMessage[]> =>
  (await eslint.lintText(source, { filePath }))[0]?.messages ?? [];
