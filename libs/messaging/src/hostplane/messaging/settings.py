"""Settings every service shares: where Kafka, PostgreSQL and Redis are."""

from typing import ClassVar
from urllib.parse import unquote, urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hostplane.contracts.topics import Topic
from hostplane.messaging.observability import Exporter, LogFormat
from hostplane.messaging.provider_budget import HETZNER_PROJECT_PER_HOUR, Budget, Pace
from hostplane.messaging.shared_budget import budget_for


class InfraSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    database_url: str = "postgresql://hostplane:hostplane@127.0.0.1:55432/hostplane"
    # Where replicas share provider budgets and the gateway's rate limits ("redis://host:port/db");
    # empty: none, and each process keeps its own in memory.
    redis_url: str = ""
    log_level: str = "INFO"
    log_format: LogFormat = "json"
    # Where spans go: "otlp" (OTEL_EXPORTER_OTLP_ENDPOINT), "console", or nowhere.
    otel_traces_exporter: Exporter = "none"
    # Prometheus metrics on 127.0.0.1:<port>; 0 serves none.
    metrics_port: int = 0
    # Prepended to every topic name and to the gateway's rate-limit keys in Redis: lets test
    # runs and tenants share one broker and one Redis.
    topic_prefix: str = ""
    # base64 AES key (16, 24 or 32 bytes): when set, stored events are encrypted at rest.
    event_store_cipher_key: str = ""

    def topic(self, topic: Topic) -> str:
        """The broker-side name of a topic."""
        return self.topic_prefix + topic.name

    def eventsourcing_env(self, schema: str, pool_size: int = 5) -> dict[str, str]:
        """The `eventsourcing` environment for an Application keeping its events in `schema`."""
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
        }


class HetznerProjectSettings(InfraSettings):
    """A service that calls the Hetzner project (provisioning, metrics), and its budget."""

    hetzner_api_token: str = ""
    hetzner_api_endpoint: str = "https://api.hetzner.cloud/v1"
    # The Hetzner project's requests an hour to pace to; unset: see `hetzner_budget`.
    hetzner_requests_per_hour: float | None = Field(default=None, gt=0)
    # Without Redis each process paces alone: its share of the project's 3,600 an hour.
    hetzner_share_alone: ClassVar[float]

    def hetzner_budget(self) -> Budget:
        """The Hetzner project's budget, so that its 3,600 requests an hour are never exceeded.

        With REDIS_URL, provisioning and metrics, every replica of both, take from one bucket
        per project refilled at HETZNER_REQUESTS_PER_HOUR: by default the project's limit
        (give both services the same value). Without Redis each process has a bucket of its
        own, so the default is the service's share (provisioning 3,000, metrics 600).
        """
        per_hour = self.hetzner_requests_per_hour or (
            HETZNER_PROJECT_PER_HOUR if self.redis_url else self.hetzner_share_alone
        )
        return budget_for(
            self.redis_url,
            "hetzner",
            self.hetzner_api_endpoint,
            self.hetzner_api_token,
            Pace.per_hour(per_hour),
        )
