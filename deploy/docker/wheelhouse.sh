#!/usr/bin/env bash
# The wheelhouse the images install from, with no package index in the build: a wheel for
# every third-party package uv.lock pins (downloaded, or built here where PyPI has no wheel),
# and Hostplane's own packages built as wheels.
#
#   deploy/docker/wheelhouse.sh        into .local/wheelhouse
#
# constraints.txt beside the wheels holds the locked versions (`uv export`); the Dockerfile
# installs with `--no-index --find-links` under those constraints. The third-party wheels are
# fetched again only when the export changes (a new uv.lock); Hostplane's wheels are rebuilt
# every time (hatchling's wheels are reproducible, so unchanged sources give unchanged bytes
# and Docker's layer cache holds). The wheels are for this machine's CPython 3.11 and glibc:
# build on Debian bookworm (or older), as the images are.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HOUSE="$ROOT/.local/wheelhouse"
UV="${UV:-uv}"
say() { echo "wheelhouse: $*"; }

mkdir -p "$HOUSE"
cd "$ROOT"
"$UV" export --frozen --quiet --no-dev --all-packages --no-emit-workspace --no-hashes \
  --format requirements.txt -o "$HOUSE/constraints.next"

if cmp -s "$HOUSE/constraints.next" "$HOUSE/constraints.txt" && [ -f "$HOUSE/.complete" ]; then
  rm "$HOUSE/constraints.next"
  say "third-party wheels current ($(grep -c '==' "$HOUSE/constraints.txt") pinned)"
else
  say "fetching the locked third-party wheels…"
  rm -f "$HOUSE/.complete" "$HOUSE"/*.whl
  # --no-deps: the export is the whole locked set, environment markers included.
  "$UV" tool run --quiet --python 3.11 --from pip pip wheel --quiet --no-deps \
    --disable-pip-version-check -r "$HOUSE/constraints.next" -w "$HOUSE"
  mv "$HOUSE/constraints.next" "$HOUSE/constraints.txt"
  touch "$HOUSE/.complete"
  say "$(ls "$HOUSE"/*.whl | wc -l) wheels"
fi

rm -rf "$HOUSE/hostplane"
"$UV" build --quiet --wheel --all-packages -o "$HOUSE/hostplane"
say "Hostplane's wheels: $(cd "$HOUSE/hostplane" && ls *.whl | sed 's/-py3-none-any.whl//' | tr '\n' ' ')"
