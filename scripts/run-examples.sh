#!/usr/bin/env bash
# Runs every example against a reference server started from the sources on a free loopback port, and
# fails if any example exits non-zero. Needs no build: the server and the examples run through tsx.
#   scripts/run-examples.sh                 all examples
#   scripts/run-examples.sh basics typed-tools
set -euo pipefail
cd "$(dirname "$0")/.."

# demo.ts (`npm run demo`) is the minute-long tour that starts and restarts its own server; it runs only when
# named: scripts/run-examples.sh demo. notes-server.ts is the user server the session-layer-*.ts examples mount,
# not a program. session-layer-node.ts, session-layer-express.ts and session-layer-hono.ts mount the session
# layer on node:http, Express and Hono and start their own server on a free port (ARCHON_MCP_URL is unused).
SKIP=(demo notes-server)
# These run against the reference server behind OAuth (scripts/oauth-example-stack.ts: oauth2-mock-server and a
# JWT-checking resource in front of the server), with the stack's client credentials in their environment.
AUTH_EXAMPLES=(headless-agent ci-health-probe)
EXAMPLE_TIMEOUT_S=${EXAMPLE_TIMEOUT_S:-120}

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/archon-examples.XXXXXX")
server_pid=""
oauth_pid=""
cleanup() {
  for pid in "$oauth_pid" "$server_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$log_dir"
}
trap cleanup EXIT

# Port 0 + the listening line: no race for a "free" port between choosing it and binding it.
node --import tsx src/cli/main.ts serve --port 0 --store memory >"$log_dir/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(grep -oE 'listening on http://[^ ]+' "$log_dir/server.log" | head -n1 | cut -d' ' -f3 || true)
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.25
done
if [[ -z "$url" ]]; then
  echo "run-examples: the reference server did not start:" >&2
  cat "$log_dir/server.log" >&2
  exit 1
fi
export ARCHON_MCP_URL="$url"
echo "reference server: $ARCHON_MCP_URL"

node --import tsx scripts/oauth-example-stack.ts >"$log_dir/oauth.log" 2>&1 &
oauth_pid=$!
oauth=""
for _ in $(seq 1 120); do
  oauth=$(grep -m1 '^{' "$log_dir/oauth.log" || true)
  [[ -n "$oauth" ]] && break
  kill -0 "$oauth_pid" 2>/dev/null || break
  sleep 0.25
done
if [[ -z "$oauth" ]]; then
  echo "run-examples: the OAuth stack did not start:" >&2
  cat "$log_dir/oauth.log" >&2
  exit 1
fi
field() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$oauth" "$1"; }
# The environment of the auth examples: the protected endpoint and the machine credentials.
auth_env=(ARCHON_MCP_URL="$(field url)" MCP_AUTH_ISSUER="$(field issuer)" MCP_CLIENT_ID="$(field clientId)" MCP_CLIENT_SECRET="$(field clientSecret)")
echo "behind OAuth: $(field url) (authorization server $(field issuer))"

if [[ $# -gt 0 ]]; then
  examples=()
  for name in "$@"; do
    name=${name%.ts}
    [[ "${name%.sh}" == health-probe ]] || examples+=("examples/$name.ts")
  done
else
  examples=(examples/*.ts)
fi

failed=()
for example in "${examples[@]+"${examples[@]}"}"; do
  name=$(basename "$example" .ts)
  [[ $# -eq 0 && " ${SKIP[*]} " == *" $name "* ]] && continue
  started=$(date +%s%N)
  run_env=()
  [[ " ${AUTH_EXAMPLES[*]} " == *" $name "* ]] && run_env=("${auth_env[@]}")
  if env "${run_env[@]+"${run_env[@]}"}" timeout "$EXAMPLE_TIMEOUT_S" node --import tsx "$example" >"$log_dir/$name.log" 2>&1; then
    echo "ok    $name ($(( ($(date +%s%N) - started) / 1000000 )) ms)"
  else
    status=$?
    echo "FAIL  $name (exit $status)"
    sed 's/^/      /' "$log_dir/$name.log"
    failed+=("$name")
  fi
done

# The probe must also tell refused credentials apart: a wrong secret is exit 4, not a pass and not "unhealthy".
if [[ $# -eq 0 || " $* " == *" ci-health-probe "* ]]; then
  set +e
  env "${auth_env[@]}" MCP_CLIENT_SECRET=wrong-secret timeout "$EXAMPLE_TIMEOUT_S" node --import tsx examples/ci-health-probe.ts \
    >"$log_dir/ci-health-probe-refused.log" 2>&1
  status=$?
  set -e
  if [[ $status -eq 4 ]]; then
    echo "ok    ci-health-probe with a wrong secret (exit 4)"
  else
    echo "FAIL  ci-health-probe with a wrong secret (exit $status, expected 4)"
    sed 's/^/      /' "$log_dir/ci-health-probe-refused.log"
    failed+=(ci-health-probe-refused)
  fi
fi

# The shell example starts its own server, so it only needs a free port and the CLI from the sources.
if [[ $# -eq 0 || " $* " == *" health-probe "* || " $* " == *" health-probe.sh "* ]]; then
  if ARCHON_MCP="node --import tsx src/cli/main.ts" PORT=0 timeout "$EXAMPLE_TIMEOUT_S" \
    examples/health-probe.sh >"$log_dir/health-probe.log" 2>&1; then
    echo "ok    health-probe.sh"
  else
    echo "FAIL  health-probe.sh (exit $?)"
    sed 's/^/      /' "$log_dir/health-probe.log"
    failed+=(health-probe)
  fi
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run-examples: ${#failed[@]} failed: ${failed[*]}" >&2
  exit 1
fi
echo "run-examples: all passed"
