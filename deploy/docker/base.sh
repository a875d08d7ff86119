#!/usr/bin/env bash
# The base images where no image registry answers (names in deploy/docker/images.env):
#   LOCAL_DEBIAN_IMAGE  Debian bookworm, debootstrap's minbase with CA certificates and tini,
#                       imported; the local Kafka, PostgreSQL and Redis images start from it;
#   LOCAL_BASE_IMAGE    that Debian with Debian's python3 (3.11) and its venv module
#                       (deploy/docker/base/Dockerfile), the root Dockerfile's BASE_IMAGE.
# Each is skipped when it exists; REBUILD=1 makes both again.
#
#   deploy/docker/base.sh
#
# Needs root and debootstrap (installed from Debian's packages when missing). DEBIAN_MIRROR
# chooses the mirror (default: deb.debian.org).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
set -a; . "$ROOT/deploy/docker/images.env"; set +a
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=ca-certificates,tini
STATE="$ROOT/.local/docker"

say() { echo "base: $*"; }
exists() { [ "${REBUILD:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }
size() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1 / 1e6}'; }

debian() {
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap (Debian's package)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  mkdir -p "$STATE"
  local rootfs
  rootfs="$(mktemp -d "$STATE/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap minbase bookworm + $PACKAGES…"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$MIRROR" \
    >"$STATE/debootstrap.log" 2>&1 || { tail -n 20 "$STATE/debootstrap.log" >&2; exit 1; }
  # What a container never needs: package caches and lists, documentation, other languages'
  # messages. apt stays usable (`apt-get update` brings the lists back).
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  find "$rootfs"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  cat >"$rootfs/etc/apt/sources.list" <<LIST
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
LIST
  # As Debian's own images: apt keeps no packages or caches, and no documentation comes back
  # with later packages.
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-include /usr/share/locale/locale.alias' >"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "Debian bookworm minbase, $PACKAGES" - "$LOCAL_DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
}

if exists "$LOCAL_DEBIAN_IMAGE"; then say "$LOCAL_DEBIAN_IMAGE exists"; else debian; fi
say "$LOCAL_DEBIAN_IMAGE: $(size "$LOCAL_DEBIAN_IMAGE")"
if exists "$LOCAL_BASE_IMAGE"; then
  say "$LOCAL_BASE_IMAGE exists"
else
  docker build --quiet --network host --build-arg DEBIAN_IMAGE="$LOCAL_DEBIAN_IMAGE" \
    -t "$LOCAL_BASE_IMAGE" "$ROOT/deploy/docker/base" >/dev/null
fi
say "$LOCAL_BASE_IMAGE: $(size "$LOCAL_BASE_IMAGE")"
