#!/usr/bin/env bash
# Usage: scripts/test-on-node.sh VERSION [vitest args...]
#   scripts/test-on-node.sh 22                         # the whole suite on Node 22
#   scripts/test-on-node.sh 24 test/unit/retry-*.test.ts
#
# Runs vitest under Node VERSION (fetched by scripts/node-runtime.sh). The Node binary goes first on PATH, so
# vitest itself AND every child process a test spawns (`node --import tsx server-entry.ts`, the CLI) run on
# that version, not on the system Node the package was installed with.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 VERSION [vitest args...]" >&2
  exit 2
fi
version="$1"
shift

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$("$repo_root/scripts/node-runtime.sh" "$version")"
cd "$repo_root"

export PATH="$bin_dir:$PATH"
echo "vitest on $(node --version) ($(command -v node))" >&2
# node_modules/.bin/vitest is a `#!/usr/bin/env node` script: it picks up the node first on PATH.
exec node_modules/.bin/vitest run "$@"
