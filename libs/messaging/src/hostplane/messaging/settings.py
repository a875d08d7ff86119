"""Settings every service shares: where Kafka, PostgreSQL and Redis are."""

from typing import ClassVar, Literal, Self
from urllib.parse import unquote, urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hostplane.contracts.catalog import PLANS, REGIONS, Plan, PlanSpec, Region, RegionSpec
from hostplane.contracts.topics import Topic
from hostplane.messaging.observability import Exporter, LogFormat

# What a deployment template ships in place of a secret (deploy/k8s's secretGenerator):
# a service in production refuses to start while a secret still holds one.
PLACEHOLDER_SECRETS = frozenset({"change-me", "changeme", "change_me", "replace-me", "placeholder"})


def is_placeholder(value: str) -> bool:
    """Whether `value` is a placeholder for a secret, in any case or padding."""
    return value.strip().lower() in PLACEHOLDER_SECRETS


class InfraSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    # The settings that hold secrets, per class (a subclass names its own; they add up).
    secret_settings: ClassVar[tuple[str, ...]] = ("event_store_cipher_key",)

    # "production" refuses placeholder secrets; other names (development, staging...) do not.
    environment: str = "development"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    database_url: str = "postgresql://hostplane:hostplane@127.0.0.1:55432/hostplane"
    # Where replicas share provider budgets and the gateway's rate limits ("redis://host:port/db");
    # empty: none, and each process keeps its own in memory.
    redis_url: str = ""
    log_level: str = "INFO"
    log_format: LogFormat = "json"
    # Where spans go: "otlp" (OTEL_EXPORTER_OTLP_ENDPOINT), "console", or nowhere.
    otel_traces_exporter: Exporter = "none"
    # Prometheus metrics and the health endpoints (/health/live, /health/ready) on
    # METRICS_HOST:METRICS_PORT; port 0 serves none. 0.0.0.0 in containers.
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"
    # Whether the service creates missing topics at start; false where something else owns
    # them (Strimzi's KafkaTopics on Kubernetes).
    kafka_create_topics: bool = True
    # Prepended to every topic name and to the gateway's rate-limit keys in Redis: lets test
    # runs and tenants share one broker and one Redis.
    topic_prefix: str = ""
    # base64 AES key (16, 24 or 32 bytes): when set, stored events are encrypted at rest.
    event_store_cipher_key: str = ""
    # Where events are kept: PostgreSQL, or this process's memory (unit tests, nothing else).
    event_store: Literal["postgresql", "memory"] = "postgresql"
    # Who creates the service's PostgreSQL schema and tables: the service at start (replicas
    # take turns), or "external": `python -m hostplane.schema` did, once (a Kubernetes Job),
    # and the service only uses them.
    schema_setup: Literal["service", "external"] = "service"

    @property
    def creates_schema(self) -> bool:
        """Whether this process creates its schema and tables at start."""
        return self.schema_setup == "service"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment != "production":
            return self
        names = {
            name for cls in type(self).__mro__ for name in vars(cls).get("secret_settings", ())
        }
        left = sorted(name.upper() for name in names if is_placeholder(str(getattr(self, name))))
        if left:
            raise ValueError(f"{', '.join(left)}: replace the placeholder for production")
        return self

    def topic(self, topic: Topic) -> str:
        """The broker-side name of a topic."""
        return self.topic_prefix + topic.name

    def group(self, group_id: str) -> str:
        """The broker-side name of a consumer group: deployments sharing a broker under
        prefixes of their own (the tests' stacks) never rebalance each other's consumers."""
        return self.topic_prefix + group_id

    def eventsourcing_env(self, schema: str, pool_size: int = 5) -> dict[str, str]:
        """The `eventsourcing` environment for an Application keeping its events in `schema`."""
        if self.event_store == "memory":
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        url = urlsplit(self.database_url)
        cipher = (
            {
                "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                "CIPHER_KEY": self.event_store_cipher_key,
            }
            if self.event_store_cipher_key
            else {}
        )
        return cipher | {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or ""),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            # No ping before every statement: a connection broken by a database restart
            # fails its statement, is discarded, and eventsourcing retries on a fresh one.
            "POSTGRES_PRE_PING": "n",
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "10",
            # With an external schema setup the tables exist: the recorders run no DDL.
            "CREATE_TABLE": "y" if self.creates_schema else "n",
        }


class CatalogSettings(BaseSettings):
    """Where each region's instances land and what each plan is (`REGIONS`, `PLANS`: JSON).

    A region left out of `REGIONS` is not sold (REGION_UNAVAILABLE).
    """

    regions: dict[Region, RegionSpec] = dict(REGIONS)
    plans: dict[Plan, PlanSpec] = dict(PLANS)

    def region_available(self, region: Region) -> bool:
        """Whether instances can be placed in the region."""
        return region in self.regions
