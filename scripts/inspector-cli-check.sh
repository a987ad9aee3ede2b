#!/usr/bin/env bash
# CI proof of the headless MCP Inspector path against the reference server: the official inspector, run
# as a plain CLI, lists the server's tools and calls one. Exits non-zero on any mismatch.
#   scripts/inspector-cli-check.sh                 starts its own server (memory store)
#   scripts/inspector-cli-check.sh URL             checks a server that is already running
set -euo pipefail
source "$(dirname "$0")/inspector-common.sh"

inspector_setup
if [[ $# -ge 1 ]]; then
  SERVER_URL=$1
else
  start_reference_server --port 0 --store memory
  trap stop_reference_server EXIT
fi
echo "inspector $INSPECTOR_VERSION (node $("$INSPECTOR_NODE" --version)) -> $SERVER_URL"

out=$(mktemp "${TMPDIR:-/tmp}/archon-inspector-out.XXXXXX")
trap 'rm -f "$out"; stop_reference_server' EXIT
failures=0

# $1 = label, $2 = JS expression over `r` (the parsed stdout) that must be true; the rest = inspector args.
check() {
  local label=$1 predicate=$2
  shift 2
  if ! inspector --cli "$SERVER_URL" --transport http "$@" >"$out" 2>&1; then
    echo "FAIL  $label: inspector exited non-zero"
    sed 's/^/      /' "$out"
    failures=$((failures + 1))
    return
  fi
  if node -e '
      const fs = require("node:fs");
      const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      process.exit(new Function("r", "return (" + process.argv[2] + ");")(r) ? 0 : 1);
    ' "$out" "$predicate"; then
    echo "ok    $label"
  else
    echo "FAIL  $label: output does not satisfy $predicate"
    sed 's/^/      /' "$out" | head -n 40
    failures=$((failures + 1))
  fi
}

# Every tool DESIGN.md promises for tests and demos.
check "tools/list lists the reference tools" \
  '["echo","health_check","session_health_check","find_projects","slow","counter","fail","test_reconnection"].every((name) => r.tools.some((tool) => tool.name === name))' \
  --method tools/list
check "tools/list carries find_projects' readOnlyHint and outputSchema" \
  'r.tools.some((t) => t.name === "find_projects" && t.annotations?.readOnlyHint === true && t.outputSchema?.type === "object")' \
  --method tools/list
check "tools/call echo text=hi answers hi" \
  'r.content?.[0]?.text === "hi" && r.structuredContent?.text === "hi" && r.isError !== true' \
  --method tools/call --tool-name echo --tool-arg text=hi
# Typed arguments: the inspector coerces limit=1 to a number from the inputSchema; the server validates it.
check "tools/call find_projects query=auth limit=1 returns one structured project" \
  'r.structuredContent?.projects?.length === 1 && r.structuredContent.projects[0].id === "auth-service"' \
  --method tools/call --tool-name find_projects --tool-arg query=auth --tool-arg limit=1
check "resources/read archon://status returns JSON" \
  'r.contents?.[0]?.mimeType === "application/json" && typeof JSON.parse(r.contents[0].text) === "object"' \
  --method resources/read --uri archon://status
check "prompts/list lists summarize_project" \
  'r.prompts.some((prompt) => prompt.name === "summarize_project")' \
  --method prompts/list

if [[ $failures -gt 0 ]]; then
  echo "inspector-cli-check: $failures check(s) failed" >&2
  exit 1
fi
echo "inspector-cli-check: OK"
