#!/usr/bin/env bash
# Build sprig-ref against Debian's Sprig (golang-github-masterminds-sprig-dev,
# in /usr/share/gocode): GOPATH mode, no module download. Prints the binary path.
#   build.sh OUT_DIR
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
bin="$out/sprig-ref"
if [ ! -x "$bin" ] || [ "$src/main.go" -nt "$bin" ]; then
  export GOCACHE="${GOCACHE:-$out/.gocache}"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/src/sprigref" && cp "$src/main.go" "$work/src/sprigref/"
  (cd "$work/src/sprigref" && GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOPROXY=off CGO_ENABLED=0 go build -o "$bin.tmp" .)
  mv -f "$bin.tmp" "$bin"
fi
echo "$bin"
