"""What deploy/k8s's overlays render, held to the rules a cluster operator relies on.

Every overlay is rendered with kustomize (deploy/k8s/validate.py finds it), once per session.
"""

import base64
import importlib
import os
from collections.abc import Iterator
from functools import cache
from typing import Any
from unittest.mock import MagicMock

import pytest
from cryptography.fernet import Fernet
from faststream.kafka import KafkaBroker
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from deploy.k8s import topics as topics_file
from deploy.k8s.validate import OVERLAYS, kustomize_available, render
from hostplane.contracts.topics import ALL_TOPICS
from hostplane.messaging.settings import InfraSettings, is_placeholder

Manifest = dict[str, Any]

pytestmark = pytest.mark.skipif(
    not kustomize_available(), reason="no kubectl or kustomize: `make deploy-check` builds it"
)

SERVICES = ("gateway", "provisioning", "dns", "billing", "metrics", "webhooks", "support")
CONSUMERS = SERVICES[1:]
HOSTPLANE_IMAGES = {f"hostplane/{name}" for name in SERVICES}
PARTITIONS = {topic.name: topic.partitions for topic in ALL_TOPICS}
# What CloudNativePG's app secret holds; the cluster makes it, so no overlay renders it.
DB_APP_SECRET = {
    "uri": "postgresql://hostplane:generated@hostplane-db-rw.hostplane:5432/hostplane",
}


@cache
def rendered(overlay: str) -> tuple[Manifest, ...]:
    return tuple(render(overlay))


@pytest.fixture(params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> tuple[Manifest, ...]:
    return rendered(request.param)


def of_kind(manifests: tuple[Manifest, ...], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    (found,) = [m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name]
    return found


def pod_specs(manifests: tuple[Manifest, ...]) -> Iterator[tuple[str, Manifest]]:
    for m in manifests:
        if m["kind"] in ("Deployment", "Job"):
            yield f"{m['kind']} {m['metadata']['name']}", m["spec"]["template"]["spec"]


def containers(spec: Manifest) -> list[Manifest]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_every_container_has_requests_limits_and_a_locked_down_security_context(
    manifests: tuple[Manifest, ...],
) -> None:
    for where, spec in pod_specs(manifests):
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec.get("automountServiceAccountToken") is False, where
        for container in containers(spec):
            at = f"{where} {container['name']}"
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) >= {"cpu", "memory"}, at
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, at
            assert security["readOnlyRootFilesystem"] is True, at
            assert security["runAsNonRoot"] is True, at
            assert security["capabilities"]["drop"] == ["ALL"], at


def test_every_service_is_probed_on_its_health_endpoints_and_spread(
    manifests: tuple[Manifest, ...],
) -> None:
    for name in SERVICES:
        spec = named(manifests, "Deployment", name)["spec"]["template"]["spec"]
        (main,) = spec["containers"]
        port = "http" if name == "gateway" else "metrics"
        assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": port}
        assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": port}
        assert main["startupProbe"]["httpGet"]["path"] == "/health/live"
        keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}, name
        assert {m["mountPath"] for m in main["volumeMounts"]} == {"/tmp"}, name
    for _, spec in pod_specs(manifests):
        for container in spec["containers"]:
            assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(container) or (
                spec.get("restartPolicy") == "OnFailure"  # the schema Job runs and ends
            ), container["name"]


def test_every_image_has_an_explicit_tag_and_none_is_latest(
    manifests: tuple[Manifest, ...],
) -> None:
    for where, spec in pod_specs(manifests):
        for container in containers(spec):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name and "/" not in tag, f"{where}: {image} has no tag"
            assert tag != "latest", f"{where}: {image}"
    for name in SERVICES:
        (main,) = named(manifests, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert main["image"].startswith(f"hostplane/{name}:")


def test_every_deployment_has_one_disruption_budget_that_selects_its_pods(
    manifests: tuple[Manifest, ...],
) -> None:
    deployments = of_kind(manifests, "Deployment")
    budgets = of_kind(manifests, "PodDisruptionBudget")
    for deployment in deployments:
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        matching = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(matching) == 1, deployment["metadata"]["name"]
    assert len(budgets) == len(deployments)


def test_a_service_is_in_front_of_every_port_a_deployment_listens_on(
    manifests: tuple[Manifest, ...],
) -> None:
    services = of_kind(manifests, "Service")
    for deployment in of_kind(manifests, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (main,) = deployment["spec"]["template"]["spec"]["containers"]
        (service,) = [s for s in services if s["spec"]["selector"].items() <= labels.items()]
        ports = {p["name"] for p in main["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} == ports


def subscriptions(service: str) -> dict[str, set[str]]:
    """The consumer groups a service subscribes, with their topics (from its own code)."""
    consumers = importlib.import_module(f"hostplane.{service}.entrypoints.consumers")
    broker = KafkaBroker("127.0.0.1:9")  # never started
    consumers.subscribe(broker, MagicMock(), InfraSettings())
    groups: dict[str, set[str]] = {}
    for subscriber in broker.subscribers:
        kafka: Any = subscriber  # a Kafka subscriber: its group and topics
        groups.setdefault(kafka.group_id, set()).update(kafka.topic_names)
    return groups


def test_consumers_scale_on_the_lag_of_every_group_they_consume_within_the_partitions(
    manifests: tuple[Manifest, ...],
) -> None:
    for service in CONSUMERS:
        scaled = named(manifests, "ScaledObject", service)
        assert scaled["spec"]["scaleTargetRef"]["name"] == service
        triggers = {
            (t["metadata"]["consumerGroup"], t["metadata"]["topic"])
            for t in scaled["spec"]["triggers"]
            if t["type"] == "apache-kafka"
        }
        consumed = {(g, t) for g, topics in subscriptions(service).items() for t in topics}
        assert triggers == consumed, service
        fewest = min(PARTITIONS[topic] for _, topic in consumed)
        assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
        assert scaled["spec"]["maxReplicaCount"] <= fewest, service
        for trigger in scaled["spec"]["triggers"]:
            assert trigger["metadata"]["bootstrapServers"] == "hostplane-kafka-bootstrap:9092"
    hpa = named(manifests, "HorizontalPodAutoscaler", "gateway")
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_kafka_topics_are_those_of_the_contracts_with_their_partitions(
    manifests: tuple[Manifest, ...],
) -> None:
    assert (topics_file.TARGET.read_text()) == topics_file.render(), "run deploy/k8s/topics.py"
    made = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in of_kind(manifests, "KafkaTopic")
    }
    assert made == PARTITIONS
    (kafka,) = of_kind(manifests, "Kafka")
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    for topic in of_kind(manifests, "KafkaTopic"):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["replicas"] <= sum(
            pool["spec"]["replicas"] for pool in of_kind(manifests, "KafkaNodePool")
        )


def test_services_connect_to_the_database_directly_and_leave_setup_to_the_schema_job(
    manifests: tuple[Manifest, ...],
) -> None:
    assert of_kind(manifests, "Pooler") == []
    (cluster,) = of_kind(manifests, "Cluster")
    for where, spec in pod_specs(manifests):
        for container in containers(spec):
            if container["image"].split(":")[0] not in HOSTPLANE_IMAGES:
                continue  # Redis, cloudsim: no database
            (url,) = [e for e in container["env"] if e["name"] == "DATABASE_URL"]
            ref = url["valueFrom"]["secretKeyRef"]
            assert ref == {"name": f"{cluster['metadata']['name']}-app", "key": "uri"}, where
    for name in SERVICES:
        env = environment(manifests, name)
        assert env["KAFKA_CREATE_TOPICS"] == "false"
        assert env["SCHEMA_SETUP"] == "external"
        init = named(manifests, "Deployment", name)["spec"]["template"]["spec"]["initContainers"]
        assert [c["command"] for c in init] == [["python", "-m", "hostplane.schema", "--wait"]]
    job = named(manifests, "Job", "hostplane-schema")["spec"]["template"]["spec"]
    assert {c["image"].split(":")[0] for c in containers(job)} == HOSTPLANE_IMAGES


def environment(manifests: tuple[Manifest, ...], service: str) -> dict[str, str]:
    """The variables a service's container starts with, as the cluster would resolve them."""
    (main,) = named(manifests, "Deployment", service)["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for source in main.get("envFrom", []):
        if "configMapRef" in source:
            env |= named(manifests, "ConfigMap", source["configMapRef"]["name"])["data"]
        else:
            data = named(manifests, "Secret", source["secretRef"]["name"])["data"]
            env |= {k: base64.b64decode(v).decode() for k, v in data.items()}
    for variable in main.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "hostplane-db-app", variable
            env[variable["name"]] = DB_APP_SECRET[ref["key"]]
    return env


def settings_of(service: str) -> type[BaseSettings]:
    settings: type[BaseSettings] = importlib.import_module(f"hostplane.{service}.settings").Settings
    return settings


def load(monkeypatch: pytest.MonkeyPatch, service: str, env: dict[str, str]) -> BaseSettings:
    """The service's settings from exactly `env`, as its process would read them."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_of(service)()


def real_secret(name: str) -> str:
    if name == "CONFIG_SECRETS_KEY":
        return Fernet.generate_key().decode()
    if name == "EVENT_STORE_CIPHER_KEY":
        return base64.b64encode(os.urandom(32)).decode()
    return base64.urlsafe_b64encode(os.urandom(24)).decode()


def test_every_setting_a_service_requires_is_provided(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fields without a default are in the environment, and the development overlay's
    environment is one each service starts with."""
    for service in SERVICES:
        env = environment(rendered("dev"), service)
        required = {
            name.upper()
            for name, field in settings_of(service).model_fields.items()
            if field.is_required()
        }
        assert required <= set(env), service
        assert load(monkeypatch, service, env)


def test_production_refuses_the_placeholders_and_starts_once_they_are_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for service in SERVICES:
        env = environment(rendered("prod"), service)
        assert env["ENVIRONMENT"] == "production"
        placeholders = [name for name, value in env.items() if is_placeholder(value)]
        assert "JWT_SECRET" in placeholders
        with pytest.raises(ValidationError, match=r"placeholder|must be set"):
            load(monkeypatch, service, env)
        replaced = env | {name: real_secret(name) for name in placeholders}
        assert load(monkeypatch, service, replaced)
