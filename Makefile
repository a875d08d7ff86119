# Hostplane: `make run` starts everything, `make test` tests everything.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV ?= uv
comma := ,
# `make run PROFILE=powerdns` adds deploy/local/powerdns.env to dev.env (DNS in PowerDNS).
PROFILE ?=
ENV_FILE := deploy/local/dev.env$(if $(PROFILE),$(comma)deploy/local/$(PROFILE).env)
# How many replicas of each service `make run` starts (cloudsim runs once).
REPLICAS ?= 1
# Image names and their defaults (HOSTPLANE_TAG, BASE_IMAGE, KAFKA_IMAGE, POSTGRES_IMAGE, …).
include deploy/docker/images.env

.PHONY: help install infra-up infra-down infra-status run test test-unit test-e2e lint asyncapi bench clean images compose-test test-containers

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

install: ## install uv (if missing) and the locked Python environment
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --frozen --quiet

infra-up: ## start Kafka (KRaft) and PostgreSQL under .local/, waiting until healthy
	deploy/local/infra.sh up

infra-down: ## stop Kafka and PostgreSQL
	deploy/local/infra.sh down

infra-status: ## show whether Kafka and PostgreSQL are healthy
	deploy/local/infra.sh status

run: install infra-up ## run cloudsim and every service (REPLICAS=N of each); OpenClaw on 127.0.0.1:8080, mPanel on :2271
	$(UV) run --frozen honcho start -f deploy/local/Procfile -e $(ENV_FILE) -d . \
	  -c metrics=$(REPLICAS),dns=$(REPLICAS),provisioning=$(REPLICAS),billing=$(REPLICAS),webhooks=$(REPLICAS),support=$(REPLICAS),gateway=$(REPLICAS)

test: install infra-up ## unit, component and e2e tests against real Kafka and PostgreSQL
	$(UV) run --frozen pytest

test-unit: install ## tests that need no infrastructure
	$(UV) run --frozen pytest -m "not e2e"

# The images are the ones `make images` built or pulled (.local/docker/images.env), unless
# HOSTPLANE_KAFKA_IMAGE, HOSTPLANE_POSTGRES_IMAGE or HOSTPLANE_REDIS_IMAGE say otherwise.
test-containers: install ## e2e lifecycle, contract and CloudVPS journey on Kafka, PostgreSQL and Redis containers (after `make images`)
	HOSTPLANE_INFRA=containers $(UV) run --frozen pytest tests/e2e/test_instance_lifecycle.py \
	  tests/e2e/test_contract.py tests/e2e/test_cloudvps_journey.py

bench: install infra-up ## the eleven benchmark scenarios (about 45 min); results in bench/results
	@command -v wrk >/dev/null || (apt-get install -y -q wrk || sudo apt-get install -y -q wrk)
	$(UV) run --frozen python -m bench.run $(SCENARIOS)

asyncapi: install ## write docs/asyncapi.json from the models in libs/contracts (CI checks it)
	$(UV) run --frozen python -m hostplane.contracts.asyncapi > docs/asyncapi.json

lint: install ## ruff and mypy (strict)
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy libs/contracts/src libs/messaging/src libs/providers/src services/*/src tools/cloudsim/src

.PHONY: deploy-check
deploy-check: install ## render and validate deploy/k8s's overlays, hadolint the Dockerfile, docker compose config
	deploy/check.sh

images: ## build every image and print their sizes (local bases where no registry answers, or LOCAL_IMAGES=1)
	deploy/docker/images.sh

compose-test: install ## the compose stack from `make images`'s images: up --wait, the README's order, a replica killed, down -v
	deploy/docker/compose.sh
	HOSTPLANE_COMPOSE=1 $(UV) run --frozen pytest tests/deploy/test_compose.py --durations=0

clean: infra-down ## stop infrastructure and delete local data
	deploy/local/infra.sh reset
