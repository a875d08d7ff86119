#!/usr/bin/env bash
# `make deploy-check`: every deployment artefact rendered and validated, without a cluster.
#
# - deploy/k8s: its KafkaTopics current with libs/contracts (deploy/k8s/topics.py --check);
#   every overlay rendered by kustomize, built-in kinds checked strictly against Kubernetes'
#   schemas and custom resources against the operators' CRDs (deploy/k8s/validate.py); the
#   policy test over the rendered manifests (tests/deploy/test_k8s_policy.py).
# - the Dockerfile, with hadolint (a dev dependency, from PyPI).
# - docker-compose.yml, with `docker compose config` (deploy/docker/compose.sh provides
#   Compose when it is missing).
#
# kustomize is `kubectl kustomize` where kubectl is installed; otherwise the kustomize CLI,
# built once from the Go module proxy into .local/bin (KUSTOMIZE_VERSION).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.5.0}
UV=${UV:-uv}

say() { echo "deploy-check: $*"; }

if ! command -v kubectl >/dev/null && [ ! -x .local/bin/kustomize ]; then
  command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
  say "no kubectl: building kustomize $KUSTOMIZE_VERSION from the Go module proxy"
  GOFLAGS=-mod=mod GOBIN="$ROOT/.local/bin" \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

say "KafkaTopics against libs/contracts"
$UV run --frozen python deploy/k8s/topics.py --check
say "overlays rendered and validated"
$UV run --frozen python deploy/k8s/validate.py
say "policy over the rendered manifests"
$UV run --frozen pytest -q -p no:cacheprovider tests/deploy/test_k8s_policy.py

say "hadolint Dockerfile"
$UV run --frozen hadolint Dockerfile

if [ -f docker-compose.yml ]; then
  say "docker compose config"
  deploy/docker/compose.sh >/dev/null
  docker compose --env-file deploy/docker/images.env -f docker-compose.yml config --quiet
fi
say "all valid"
