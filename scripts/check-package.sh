#!/usr/bin/env bash
# Package quality gate (issue 5): the published tarball must resolve for ESM and CJS consumers under
# node16 and bundler resolution, and package.json must pass publint's strict rules.
#   scripts/check-package.sh            build if dist/ is missing or older than the sources, then check
#   scripts/check-package.sh --rebuild  always build first
# Exit status: 0 clean, 1 a check reported problems, 2 the build failed.
set -euo pipefail
cd "$(dirname "$0")/.."

export npm_config_loglevel=error # npm's config warnings are noise here; real errors still print

# dist/ is stale when any source or build input is newer than the root entry it produced.
needs_build() {
  [[ ! -f dist/index.js || ! -f dist/index.cjs || ! -f dist/server.js || ! -f dist/cli.js ]] && return 0
  [[ -n "$(find src server package.json tsup.config.ts -newer dist/index.js -type f -print -quit 2>/dev/null)" ]]
}

if [[ "${1:-}" == "--rebuild" ]] || needs_build; then
  echo "== build (tsup)"
  if ! npm run --silent build >/tmp/archon-check-package-build.log 2>&1; then
    tail -n 40 /tmp/archon-check-package-build.log >&2
    echo "check-package: build failed (full log: /tmp/archon-check-package-build.log)" >&2
    exit 2
  fi
fi

status=0

echo "== publint --strict"
if ! npx --no-install publint --strict; then status=1; fi

# --pack runs `npm pack`, so this checks the files a user actually installs. node10 (main/types only) is not a
# supported resolution: the package is exports-only by design (Node >= 20.18.1), so the node16 profile is used.
echo "== attw --pack . --profile node16"
if ! npx --no-install attw --pack . --profile node16 --format ascii --no-emoji --no-color; then status=1; fi

if [[ $status -eq 0 ]]; then
  echo "check-package: OK (publint strict, attw node16 ESM+CJS, bundler)"
else
  echo "check-package: problems found (see above)" >&2
fi
exit $status
