#!/usr/bin/env bash
# `npm run inspect`: the reference server plus the official MCP Inspector web UI, already pointed at it over
# Streamable HTTP, for interactive debugging. Ctrl-C stops both.
#   npm run inspect                               memory store, any free port
#   npm run inspect -- --store pglite:.mcp-data   any `archon-mcp serve` option
#   PORT=8051 npm run inspect
# Inspector UI port: CLIENT_PORT (default 6274). Set MCP_AUTO_OPEN_ENABLED=false to keep the browser closed.
set -euo pipefail
source "$(dirname "$0")/inspector-common.sh"

inspector_setup
if [[ $# -eq 0 ]]; then set -- --store memory; fi
start_reference_server --port "${PORT:-0}" "$@"
inspector_pid=""
stop_all() {
  [[ -n "$inspector_pid" ]] && kill -TERM "$inspector_pid" 2>/dev/null || true
  stop_reference_server
}
trap stop_all EXIT
trap 'exit 130' INT TERM # a signal to this script alone (not its process group) must still stop both children
echo "reference server: $SERVER_URL (tools: echo, find_projects, slow, counter, ...)"

# In the background + wait, so a TERM to this script is handled at once rather than after the inspector exits;
# not through the `inspector` function, whose `&` would fork a subshell and leave $! pointing at it.
"$INSPECTOR_NODE" "$INSPECTOR_LAUNCHER" --web --transport http --server-url "$SERVER_URL" &
inspector_pid=$!
wait "$inspector_pid"
