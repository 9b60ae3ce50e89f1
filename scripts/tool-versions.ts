/*
 * The Node.js and Terraform versions FlightDeck supports, in one place:
 * package.json's `engines` must say the same (a test compares them), and
 * `npm run plan`, `deploy` and `destroy` refuse anything else before they start.
 *
 * - Node.js 20.19+, 22.13+ or 24+: what eslint 10, the most demanding of
 *   the dependencies, needs. (Node 20 reached its end of life on 2026-04-30;
 *   it is still tested, on the development machine, and GitHub's CI tests 22 and 24.)
 * - Terraform 1.11+: the S3 backend's own lock file (`use_lockfile`, which
 *   the settings' S3 backend sets) is generally available from 1.11.
 */

/** package.json's `engines.node`, word for word. */
export const NODE_ENGINES = "^20.19.0 || ^22.13.0 || >=24";

/** The oldest supported release of each Node.js line; lines after the last are supported too. */
const NODE_LINES: ReadonlyArray<readonly [major: number, minor: number]> = [
  [20, 19],
  [22, 13],
  [24, 0],
];

/** The oldest Terraform FlightDeck runs with. */
export const MIN_TERRAFORM: readonly [major: number, minor: number] = [1, 11];

/** The supported versions, as the docs and every refusal say them (tests/docs/figures.test.ts checks the docs). */
export const SUPPORTED_VERSIONS = `Node.js 20.19 or later on the 20 line, 22.13 or later on the 22 line, or 24 and later; Terraform ${MIN_TERRAFORM.join(".")} or later`;

function parts(version: string): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?/.exec(version.trim());
  return match === null ? undefined : [Number(match[1]), Number(match[2])];
}

/** Why Node.js `version` (such as "v20.18.1") is not supported, or `undefined` when it is. */
export function nodeVersionProblem(version: string): string | undefined {
  const found = parts(version);
  const last = NODE_LINES[NODE_LINES.length - 1] as readonly [number, number];
  const supported =
    found !== undefined &&
    (found[0] > last[0] ||
      NODE_LINES.some(([major, minor]) => found[0] === major && found[1] >= minor));
  return supported
    ? undefined
    : `This is Node.js ${version}; FlightDeck needs ${SUPPORTED_VERSIONS.split(";")[0]}. Install a supported Node.js (https://nodejs.org) and run npm ci again.`;
}

/** Why Terraform `version` (such as "1.10.5") is not supported, or `undefined` when it is. */
export function terraformVersionProblem(version: string): string | undefined {
  const found = parts(version);
  const [major, minor] = MIN_TERRAFORM;
  const supported =
    found !== undefined && (found[0] > major || (found[0] === major && found[1] >= minor));
  return supported
    ? undefined
    : `This is Terraform ${version}; FlightDeck needs Terraform ${major}.${minor} or later. Install it (https://developer.hashicorp.com/terraform/install) and try again.`;
}
