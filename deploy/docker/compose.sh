#!/usr/bin/env bash
# Makes `docker compose` (the Compose v2 CLI plugin) available: Debian ships only the
# end-of-life docker-compose 1.29, so the plugin is built from its Go module (the proxy has
# it; no binary download) and installed as ~/.docker/cli-plugins/docker-compose.
#
#   deploy/docker/compose.sh           install the plugin unless `docker compose` works
#   deploy/docker/compose.sh version   the version that is installed
#
# COMPOSE_VERSION chooses the release (default below). The built binary is kept under
# .local/compose/<version>/, so a machine builds it once (about 5 minutes on 2 busy cores,
# downloads included).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
COMPOSE_VERSION=${COMPOSE_VERSION:-v5.6.0}
MODULE=github.com/docker/compose/v5
CACHE="$ROOT/.local/compose/$COMPOSE_VERSION"
PLUGINS="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

say() { echo "compose: $*"; }

works() { docker compose version >/dev/null 2>&1; }

build() {
  # Compose's go.mod names the Go it needs (1.26.8 for v5.6.0); Debian's golang is older.
  command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
  command -v go >/dev/null || { say "building Compose needs Go (go.dev/dl), none is installed" >&2; exit 1; }
  say "building Compose $COMPOSE_VERSION from the Go module proxy…"
  local started=$SECONDS dir
  export GOFLAGS=-mod=mod
  dir=$(go mod download -json "$MODULE@$COMPOSE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { say "could not download $MODULE@$COMPOSE_VERSION" >&2; exit 1; }
  mkdir -p "$CACHE"
  # The module cache is read-only, so the build runs there with its own go.mod and go.sum;
  # -trimpath keeps the machine's paths out of the binary.
  (cd "$dir" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X $MODULE/internal.Version=$COMPOSE_VERSION" \
    -o "$CACHE/docker-compose.tmp" ./cmd)
  mv "$CACHE/docker-compose.tmp" "$CACHE/docker-compose"
  say "built in $((SECONDS - started)) s"
}

install_plugin() {
  if works; then say "$(docker compose version)"; return; fi
  [ -x "$CACHE/docker-compose" ] || build
  mkdir -p "$PLUGINS"
  install -m 0755 "$CACHE/docker-compose" "$PLUGINS/docker-compose"
  works || { say "docker compose does not run after installing the plugin" >&2; exit 1; }
  say "$(docker compose version)"
}

case "${1:-install}" in
  install) install_plugin ;;
  version) docker compose version ;;
  *) echo "usage: $0 [install|version]" >&2; exit 2 ;;
esac
