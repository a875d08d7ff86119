#!/usr/bin/env bash
# Builds every Hostplane image (`make images`) and prints each one's size:
#   hostplane/<service>:$HOSTPLANE_TAG for gateway, provisioning, dns, billing, webhooks,
#   support, metrics and cloudsim, from the root Dockerfile, on BASE_IMAGE;
#   the infrastructure beside them: KAFKA_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE.
#
# Official images (python:3.11-slim, apache/kafka, postgres, redis) are pulled when a registry
# answers. Where none does (the pull fails), or with LOCAL_IMAGES=1, the local equivalents are
# built instead: base.sh's Debian and Python bases, and Kafka (the jars deploy/local resolves
# from Maven Central), PostgreSQL and Redis on Debian's packages. Names and defaults:
# deploy/docker/images.env; the environment overrides them. What was chosen is written to
# .local/docker/images.env for docker compose (`--env-file`).
#
#   deploy/docker/images.sh [service…]     all of them by default
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
SERVICES=(gateway provisioning dns billing webhooks support metrics cloudsim)
say() { echo "images: $*"; }
die() { echo "images: $*" >&2; exit 1; }

# images.env's values, unless the environment already sets them.
while IFS='=' read -r key value; do
  [[ $key =~ ^[A-Z_]+$ ]] || continue
  [ -n "${!key:-}" ] || export "$key=$value"
done <deploy/docker/images.env

version=$(sed -n '/^\[project\]/,/^\[/s/^version = "\(.*\)"/\1/p' pyproject.toml)
[ "$HOSTPLANE_TAG" = "$version" ] || [ "${HOSTPLANE_TAG_OVERRIDE:-0}" = 1 ] \
  || die "HOSTPLANE_TAG is $HOSTPLANE_TAG, the project's version $version (deploy/docker/images.env)"
pom=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' deploy/local/kafka/pom.xml)
[ "$KAFKA_VERSION" = "$pom" ] || die "KAFKA_VERSION is $KAFKA_VERSION, deploy/local/kafka/pom.xml's $pom"

docker info >/dev/null 2>&1 \
  || die "no Docker engine answers at ${DOCKER_HOST:-the default socket} (deploy/docker/engine.sh up)"

if [ "${LOCAL_IMAGES:-0}" != 1 ] && ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 \
  && ! docker pull --quiet "$BASE_IMAGE" >/dev/null 2>&1; then
  say "no registry gave $BASE_IMAGE: building the local images"
  LOCAL_IMAGES=1
fi
if [ "${LOCAL_IMAGES:-0}" = 1 ]; then
  BASE_IMAGE=$LOCAL_BASE_IMAGE KAFKA_IMAGE=$LOCAL_KAFKA_IMAGE
  POSTGRES_IMAGE=$LOCAL_POSTGRES_IMAGE REDIS_IMAGE=$LOCAL_REDIS_IMAGE
  deploy/docker/base.sh
fi

build() {  # TAG ARGS…: docker build on the repository, quietly unless it fails
  local tag=$1; shift
  local log="$ROOT/.local/docker/build-${tag//[\/:]/_}.log"
  local started=$SECONDS
  if ! docker build --network host "$@" -t "$tag" . >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "building $tag failed (whole log: $log)"
  fi
  say "built $tag in $((SECONDS - started)) s"
}

mkdir -p .local/docker
deploy/docker/wheelhouse.sh
for service in "${@:-${SERVICES[@]}}"; do
  build "hostplane/$service:$HOSTPLANE_TAG" --target "$service" --build-arg BASE_IMAGE="$BASE_IMAGE"
done

if [ "${LOCAL_IMAGES:-0}" = 1 ]; then
  if [ ! -f ".local/kafka/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
    say "resolving Apache Kafka $KAFKA_VERSION from Maven Central…"
    rm -rf .local/kafka/libs
    mvn -q -B -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$ROOT/.local/kafka/libs" >.local/docker/kafka-maven.log 2>&1 \
      || { tail -n 20 .local/docker/kafka-maven.log >&2; die "could not resolve Kafka's jars"; }
  fi
  for image in kafka postgres redis; do
    var="${image^^}_IMAGE"
    build "${!var}" -f "deploy/docker/$image/Dockerfile" --build-arg DEBIAN_IMAGE="$LOCAL_DEBIAN_IMAGE"
  done
else
  for image in "$KAFKA_IMAGE" "$POSTGRES_IMAGE" "$REDIS_IMAGE"; do
    docker pull --quiet "$image" >/dev/null || die "could not pull $image"
  done
fi

cat >.local/docker/images.env <<CHOSEN
# Written by deploy/docker/images.sh: the images it built or pulled.
HOSTPLANE_TAG=$HOSTPLANE_TAG
BASE_IMAGE=$BASE_IMAGE
KAFKA_IMAGE=$KAFKA_IMAGE
POSTGRES_IMAGE=$POSTGRES_IMAGE
REDIS_IMAGE=$REDIS_IMAGE
CHOSEN

say "sizes:"
for image in "$BASE_IMAGE" $(printf "hostplane/%s:$HOSTPLANE_TAG " "${@:-${SERVICES[@]}}") \
  "$KAFKA_IMAGE" "$POSTGRES_IMAGE" "$REDIS_IMAGE"; do
  docker image inspect -f '{{.Size}}' "$image" 2>/dev/null \
    | awk -v image="$image" '{printf "  %-40s %4.0f MB\n", image, $1 / 1e6}'
done
