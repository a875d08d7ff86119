"""The webhooks service's tables (schema `webhooks`), read-only: endpoints, deliveries with
their attempts, and what became of each command."""

from uuid import UUID

from psycopg.rows import class_row

from hostplane.gateway.adapters.database import Database
from hostplane.gateway.application.cloudvps.webhooks import (
    AttemptRow,
    CommandOutcome,
    DeliveryRow,
    EndpointRow,
)

ENDPOINT = (
    "SELECT id, url, events, description, enabled, disabled_reason, disabled_at, created_at, "
    "updated_at FROM webhooks.endpoints"
)
DELIVERY = (
    "SELECT id, endpoint_id, event, status, last_status, next_attempt_at, created_at, "
    "delivered_at FROM webhooks.deliveries"
)


class WebhookViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def endpoints(self) -> list[EndpointRow]:
        async with (
            self._db.pool.connection() as conn,
            conn.cursor(row_factory=class_row(EndpointRow)) as cur,
        ):
            await cur.execute(ENDPOINT + " ORDER BY created_at, id")
            return await cur.fetchall()

    async def endpoint(self, endpoint_id: UUID) -> EndpointRow | None:
        async with (
            self._db.pool.connection() as conn,
            conn.cursor(row_factory=class_row(EndpointRow)) as cur,
        ):
            await cur.execute(ENDPOINT + " WHERE id = %s", (endpoint_id,))
            return await cur.fetchone()

    async def deliveries(
        self, endpoint_id: UUID, limit: int
    ) -> tuple[list[DeliveryRow], list[AttemptRow]]:
        """The endpoint's newest deliveries, and their attempts."""
        async with self._db.pool.connection() as conn:
            async with conn.cursor(row_factory=class_row(DeliveryRow)) as cur:
                await cur.execute(
                    DELIVERY + " WHERE endpoint_id = %s ORDER BY seq DESC LIMIT %s",
                    (endpoint_id, limit),
                )
                deliveries = await cur.fetchall()
            async with conn.cursor(row_factory=class_row(AttemptRow)) as cur:
                await cur.execute(
                    "SELECT delivery_id, n, at, status, latency_ms, error, response "
                    "FROM webhooks.attempts WHERE delivery_id = ANY(%s) ORDER BY delivery_id, n",
                    ([d.id for d in deliveries],),
                )
                return deliveries, await cur.fetchall()

    async def delivery(self, delivery_id: UUID) -> DeliveryRow | None:
        async with (
            self._db.pool.connection() as conn,
            conn.cursor(row_factory=class_row(DeliveryRow)) as cur,
        ):
            await cur.execute(DELIVERY + " WHERE id = %s", (delivery_id,))
            return await cur.fetchone()

    async def command_outcome(self, command_id: UUID) -> CommandOutcome | None:
        async with (
            self._db.pool.connection() as conn,
            conn.cursor(row_factory=class_row(CommandOutcome)) as cur,
        ):
            await cur.execute(
                "SELECT outcome, error FROM webhooks.commands WHERE id = %s", (command_id,)
            )
            return await cur.fetchone()
