#!/usr/bin/env bash
# Health probe, the CI way: start the reference server, wait until it listens, run `archon-mcp health`
# (exit 0 healthy, 1 unhealthy, 2 usage error), stop the server. .github/workflows/mcp-health.yml does the
# same in GitHub Actions. Probing your own server is just the middle line: archon-mcp health "$URL".
#   examples/health-probe.sh                 # port 8051
#   PORT=0 examples/health-probe.sh          # any free port
#   ARCHON_MCP="node dist/cli.js" examples/health-probe.sh
set -euo pipefail

ARCHON_MCP=${ARCHON_MCP:-npx archon-mcp}
PORT=${PORT:-8051}
log=$(mktemp "${TMPDIR:-/tmp}/archon-health-probe.XXXXXX")

# shellcheck disable=SC2086 # ARCHON_MCP is a command line on purpose
$ARCHON_MCP serve --port "$PORT" --store memory >"$log" 2>&1 &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 120); do # up to 30 s: the first npx run may have to fetch the package
  url=$(grep -oE 'listening on http://[^ ]+' "$log" | head -n1 | cut -d' ' -f3 || true)
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.25
done
if [[ -z "$url" ]]; then
  echo "health-probe: the server did not start:" >&2
  cat "$log" >&2
  exit 1
fi

# --tool also calls one tool, so "healthy" means a tool actually ran, not just that initialize worked.
# shellcheck disable=SC2086
$ARCHON_MCP health "$url" --timeout 5000 --tool health_check
