"""What the fault suites check after the chaos: where instances are, what the providers
hold, what was stored or published twice, and whether the read models equal a rebuild."""

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer

from hostplane.contracts import envelope
from hostplane.contracts.topics import Topic
from hostplane.metrics.rebuild import differences, rebuild
from hostplane.metrics.settings import Settings as MetricsSettings
from tests.conftest import wait_until
from tests.stack import DOMAIN, Stack

RETRYABLE = {202, 429, 500, 502, 503}


def persistently(
    call: Callable[[], httpx.Response], done: Callable[[httpx.Response], bool]
) -> httpx.Response:
    """Send until the answer is final, as a WHMCS module retrying its calls would."""
    deadline = time.monotonic() + 180
    while True:
        try:
            response = call()
            if done(response):
                return response
        except httpx.TransportError:
            pass  # the gateway is being restarted
        assert time.monotonic() < deadline, "no final answer within 180 s"
        time.sleep(0.2)


def statuses(stack: Stack, ids: list[str]) -> dict[str, str]:
    """What the read model says now (nothing while the database restarts)."""
    try:
        with psycopg.connect(stack.database_url) as conn:
            rows = conn.execute(
                "SELECT id::text, status FROM views.instances WHERE id = ANY(%s::uuid[])", (ids,)
            ).fetchall()
    except psycopg.OperationalError:
        return {}
    return dict(rows)


def doubled_events(stack: Stack) -> list[Any]:
    """Events that may happen once per aggregate but were stored more often."""
    once = (
        "Created",
        "ServerCreated",
        "DnsAssigned",
        "ReadyReported",
        "Activated",
        "Errored",
        "Succeeded",
        "Failed",
        "Started",
    )
    with psycopg.connect(stack.database_url) as conn:
        rows = []
        for schema, table in (("provisioning", "provisioning_events"), ("dns", "dns_events")):
            rows += conn.execute(
                f"SELECT originator_id, topic, count(*) FROM {schema}.{table} "
                "GROUP BY originator_id, topic HAVING count(*) > 1"
            ).fetchall()
    return [row for row in rows if row[1].rsplit(".", 1)[-1] in once]


def provider_mismatches(stack: Stack, expected: dict[str, str]) -> list[tuple[str, str, int, int]]:
    """Instances whose servers (at Hetzner or Proxmox) or DNS records are not one if live,
    none if terminated."""
    servers = Counter(
        s.labels.get("hostplane.io/instance-id") for s in stack.hetzner().servers.get_all()
    ) + Counter(
        vm["config"]["name"].removeprefix("hp-")
        for vm in stack.admin("GET", "/proxmox/vms").json()
        if vm["config"].get("name", "").startswith("hp-")
    )
    records = Counter(
        r["name"] for r in httpx.get(f"{stack.cloudsim_url}/_admin/state").json()["dns_records"]
    )
    with psycopg.connect(stack.database_url) as conn:
        subdomains = dict(
            conn.execute(
                "SELECT id::text, subdomain FROM views.instances WHERE id = ANY(%s::uuid[])",
                (list(expected),),
            ).fetchall()
        )
    live = {instance_id: int(status != "terminated") for instance_id, status in expected.items()}
    return [
        (
            instance_id,
            expected[instance_id],
            servers[instance_id],
            records[f"{subdomains[instance_id]}.{DOMAIN}"],
        )
        for instance_id, want in live.items()
        if servers[instance_id] != want or records[f"{subdomains[instance_id]}.{DOMAIN}"] != want
    ]


def rebuild_differences(stack: Stack) -> list[str]:
    """The rows where a rebuild of the read models from the topics differs from the live ones."""
    settings = MetricsSettings(
        database_url=stack.database_url,
        kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
        topic_prefix=stack.topic_prefix,
    )
    asyncio.run(rebuild(settings, "views_rebuilt"))
    return differences(stack.database_url, "views", "views_rebuilt")


def assert_rebuild_matches(stack: Stack, timeout: float = 90.0) -> None:
    """The read models equal a rebuild from the topics.

    The last DNS removals may still be on their way to the live read models: compare again,
    with a bound, until both have seen every event; on failure, show the rows that differ.
    """
    diff: list[str] = []

    def equal() -> bool:
        diff[:] = rebuild_differences(stack)
        return not diff

    try:
        wait_until(equal, timeout, 2.0, what="the read models to equal a rebuild")
    except AssertionError:
        raise AssertionError(
            f"the read models differ from a rebuild in {len(diff)} rows: {diff[:20]}"
        ) from None


async def published_twice(stack: Stack, topics: list[Topic]) -> dict[str, int]:
    """The `ce_id`s that appear more than once on a topic (as `topic ce_id`), with counts."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap_servers)
    await consumer.start()
    try:
        partitions = stack.partitions(topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        ids: Counter[str] = Counter()
        async with asyncio.timeout(60):
            while [p for p, end in ends.items() if await consumer.position(p) < end]:
                batch = await consumer.getmany(timeout_ms=500, max_records=5000)
                for records in batch.values():
                    for record in records:
                        headers = dict(record.headers)
                        ids[f"{record.topic} {headers[envelope.CE_ID].decode()}"] += 1
        return {ce_id: n for ce_id, n in ids.items() if n > 1}
    finally:
        await consumer.stop()


def assert_settled(stack: Stack, ids: list[str], expected: dict[str, str]) -> None:
    """Every instance where its commands put it, the providers holding exactly what the live
    ones need, no event stored twice, and the read models equal to a rebuild."""
    wait_until(lambda: statuses(stack, ids) == expected, 180, 0.5, what="commands to take effect")
    # DNS records go after the instance's deletion is published: wait for them too.
    wait_until(
        lambda: not provider_mismatches(stack, expected),
        60,
        0.5,
        what="the providers to match the instances",
    )
    assert doubled_events(stack) == []
    assert_rebuild_matches(stack)
