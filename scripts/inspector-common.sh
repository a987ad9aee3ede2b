# Sourced by scripts/inspector.sh and scripts/inspector-cli-check.sh; not run on its own.
#
# The official MCP Inspector is installed into .cache/ (gitignored), never as a dependency. Version 2 is used:
# @modelcontextprotocol/inspector-cli 1.0.3 (its `latest` tag on 2026-11-21) is deprecated and fails when
# installed on its own ("Cannot find module .../@modelcontextprotocol/package.json"), while
# `@modelcontextprotocol/inspector --cli` keeps the v1 flags (--transport http --method tools/call --tool-name
# X --tool-arg k=v). Inspector 2 needs Node >= 22.19; scripts/node-runtime.sh provides one when `node` is older.

INSPECTOR_VERSION=${INSPECTOR_VERSION:-2.12.0}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INSPECTOR_PREFIX="$REPO_ROOT/.cache/inspector-$INSPECTOR_VERSION"
INSPECTOR_LAUNCHER="$INSPECTOR_PREFIX/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"

# Sets INSPECTOR_NODE to a node binary new enough for the inspector, installing the inspector if needed.
inspector_setup() {
  INSPECTOR_NODE=node
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'; then
    INSPECTOR_NODE="$("$REPO_ROOT/scripts/node-runtime.sh" 22)/node"
  fi
  if [[ ! -f "$INSPECTOR_LAUNCHER" ]]; then
    echo "installing @modelcontextprotocol/inspector@$INSPECTOR_VERSION into ${INSPECTOR_PREFIX#"$REPO_ROOT"/} ..." >&2
    mkdir -p "$INSPECTOR_PREFIX"
    npm install --prefix "$INSPECTOR_PREFIX" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >&2
  fi
}

# Runs the inspector launcher (`--web`, `--cli`, `--tui` first, then its options).
inspector() {
  "$INSPECTOR_NODE" "$INSPECTOR_LAUNCHER" "$@"
}

# Starts the reference server from the sources (tsx, no build needed) with `archon-mcp serve` options, and
# sets SERVER_URL and SERVER_PID. Port 0 + the printed URL: no race for a "free" port. The caller stops it
# with stop_reference_server (the scripts do so in an EXIT trap).
start_reference_server() {
  SERVER_LOG=$(mktemp "${TMPDIR:-/tmp}/archon-inspector-server.XXXXXX")
  (cd "$REPO_ROOT" && exec node --import tsx src/cli/main.ts serve "$@") >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  SERVER_URL=""
  for _ in $(seq 1 120); do
    SERVER_URL=$(grep -oE 'listening on http://[^ ]+' "$SERVER_LOG" | head -n1 | cut -d' ' -f3 || true)
    [[ -n "$SERVER_URL" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.25
  done
  echo "the reference server did not start:" >&2
  cat "$SERVER_LOG" >&2
  return 1
}

stop_reference_server() {
  if [[ -n "${SERVER_PID:-}" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "${SERVER_LOG:-}" ]] && rm -f "$SERVER_LOG"
  return 0
}
