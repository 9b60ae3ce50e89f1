#!/usr/bin/env bash
# `npm run mutation`: StrykerJS over the pure core and the cluster registry, in a
# scratch clone of HEAD, so nothing here changes. Not part of `npm test` (about
# 45 minutes on 2 cores). StrykerJS 10 needs Node 22 and its mocha runner 9 needs
# mocha < 12, so the clone gets mocha 11 and StrykerJS 9 from the npm registry;
# the project's own mocha 12 is untouched. The report lands in
# reports/mutation/mutation.json here.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git clone -q "$root" "$scratch/repo"
cd "$scratch/repo"
npm ci --no-audit --no-fund >/dev/null
npm install --no-save --legacy-peer-deps --no-audit --no-fund \
  mocha@11 @stryker-mutator/core@9.6.1 @stryker-mutator/mocha-runner@9.6.1 >/dev/null
npx stryker run scripts/mutation/stryker.conf.json
mkdir -p "$root/reports/mutation"
cp reports/mutation/mutation.json "$root/reports/mutation/"
