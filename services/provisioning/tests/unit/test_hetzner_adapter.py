"""The Hetzner adapter against answers shaped as the Hetzner Cloud API reference shows them.

A small HTTP server on 127.0.0.1 stands in for api.hetzner.cloud, and the official `hcloud`
client talks to it as it would to Hetzner. Each test gives it a routing table of documented
bodies (a server, an action, `meta.pagination`, the `{"error": {"code", "message"}}` envelope
with its status, the `RateLimit-*` headers) and reads back what Hostplane sent.
"""

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest

from hostplane.contracts.catalog import PLANS, HetznerRegion, Plan
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.hetzner import HetznerProvider
from hostplane.provisioning.adapters.provider import BootState, ServerSpec
from hostplane.provisioning.domain.instance import ServerFacts

TOKEN = "hp-provisioning-3f9c2a"
REGION = HetznerRegion(location="fsn1", datacenter="fsn1-dc14")
USER_DATA = "#cloud-config\nruncmd:\n  - [curl, -fsS, -X, POST, https://api.hostplane.test/ready]\n"
SSH_KEYS = ["4711", "ops@hostplane"]
STARTED = "2025-03-04T09:15:02+00:00"
FINISHED = "2025-03-04T09:15:31+00:00"
INSTANCE_LABEL = "hostplane.io/instance-id"
MANAGED_LABEL = "hostplane.io/managed"
# Hetzner's project budget as its answers tell it: 3600 an hour, refilled one a second.
RATE_HEADERS = {"RateLimit-Limit": "3600", "RateLimit-Remaining": "3599"}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sent:
    method: str
    path: str  # under /v1
    query: dict[str, list[str]]
    body: Any
    authorization: str


Route = Answer | Callable[[Sent], Answer]


@dataclass
class FakeHetzner:
    """Answers by route; a route's answers are given in turn, its last one from then on."""

    url: str = ""
    routes: dict[tuple[str, str], list[Route]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, path: str, *answers: Route) -> None:
        self.routes[(method, path)] = list(answers)

    def answer(self, sent: Sent) -> Answer:
        with self.lock:
            self.sent.append(sent)
            queue = self.routes.get((sent.method, sent.path))
            if not queue:
                self.unexpected.append(f"{sent.method} {sent.path}")
                return refused(400, "unexpected_request", f"{sent.method} {sent.path}")
            route = queue.pop(0) if len(queue) > 1 else queue[0]
        return route(sent) if callable(route) else route

    def calls(self, method: str, path: str) -> list[Sent]:
        return [s for s in self.sent if (s.method, s.path) == (method, path)]

    def trail(self) -> list[str]:
        return [f"{s.method} {s.path}" for s in self.sent]


def handler_for(fake: FakeHetzner) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.answer()

        def do_POST(self) -> None:
            self.answer()

        def do_DELETE(self) -> None:
            self.answer()

        def answer(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            sent = Sent(
                self.command,
                url.path.removeprefix("/v1"),
                parse_qs(url.query),
                json.loads(raw) if raw else None,
                self.headers.get("Authorization", ""),
            )
            answer = fake.answer(sent)
            payload = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", **RATE_HEADERS, **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def hetzner() -> Iterator[FakeHetzner]:
    fake = FakeHetzner()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/v1"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert fake.unexpected == [], "requests no route of the test answers"


@pytest.fixture
def provider(hetzner: FakeHetzner) -> HetznerProvider:
    return HetznerProvider(token=TOKEN, endpoint=hetzner.url, poll_interval_s=0.01)


def ok(body: Any, status: int = 200) -> Answer:
    return Answer(status, body)


def refused(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    return Answer(
        status, {"error": {"code": code, "message": message, "details": details}}, headers or {}
    )


def server_type(type_id: int, name: str, cores: int, memory: float, disk: int) -> dict[str, Any]:
    price = {"location": "fsn1", "price_hourly": {"net": "0.0060", "gross": "0.0071"},
             "price_monthly": {"net": "3.7900", "gross": "4.5101"},
             "included_traffic": 21990232555520,
             "price_per_tb_traffic": {"net": "1.0000", "gross": "1.1900"}}  # fmt: skip
    return {"id": type_id, "name": name, "description": name.upper(), "cores": cores,
            "memory": memory, "disk": disk, "deprecated": False, "deprecation": None,
            "prices": [price], "storage_type": "local", "cpu_type": "shared",
            "architecture": "x86"}  # fmt: skip


SERVER_TYPES = {"cx22": server_type(104, "cx22", 2, 4.0, 40), "cx32": server_type(105, "cx32", 4, 8.0, 80)}  # fmt: skip
LOCATION = {"id": 1, "name": "fsn1", "description": "Falkenstein DC Park 1", "country": "DE",
            "city": "Falkenstein", "latitude": 50.47612, "longitude": 12.370071,
            "network_zone": "eu-central"}  # fmt: skip
DATACENTER = {"id": 4, "name": "fsn1-dc14", "description": "Falkenstein 1 virtual DC 14",
              "location": LOCATION,
              "server_types": {"supported": [104, 105], "available": [104, 105],
                               "available_for_migration": [104, 105]}}  # fmt: skip
IMAGE = {"id": 161547269, "type": "system", "status": "available", "name": "ubuntu-24.04",
         "description": "Ubuntu 24.04", "image_size": None, "disk_size": 5,
         "created": "2024-04-25T12:00:00+00:00", "created_from": None, "bound_to": None,
         "os_flavor": "ubuntu", "os_version": "24.04", "rapid_deploy": True,
         "protection": {"delete": False}, "deprecated": None, "deleted": None, "labels": {},
         "architecture": "x86"}  # fmt: skip


def server(
    server_id: int,
    instance: UUID | None,
    status: str = "running",
    server_type: str = "cx22",
    labels: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Server as the API shows it (`GET /servers/{id}`, the `server` of `POST /servers`)."""
    if labels is None:
        labels = {INSTANCE_LABEL: str(instance), MANAGED_LABEL: "true"}
    ip = f"203.0.113.{server_id % 250 + 1}"
    return {
        "id": server_id,
        "name": f"hp-{instance}",
        "status": status,
        "created": "2025-03-04T09:15:00+00:00",
        "public_net": {
            "ipv4": {
                "id": server_id + 1,
                "ip": ip,
                "blocked": False,
                "dns_ptr": f"static.{ip}.clients.your-server.de",
            },
            "ipv6": {
                "id": server_id + 2,
                "ip": "2001:db8:c012:a4b1::/64",
                "blocked": False,
                "dns_ptr": [],
            },
            "floating_ips": [],
            "firewalls": [],
        },
        "private_net": [],
        "server_type": SERVER_TYPES[server_type],
        "datacenter": DATACENTER,
        "location": LOCATION,
        "image": IMAGE,
        "iso": None,
        "rescue_enabled": False,
        "locked": False,
        "backup_window": None,
        "outgoing_traffic": 0,
        "ingoing_traffic": 0,
        "included_traffic": 21990232555520,
        "protection": {"delete": False, "rebuild": False},
        "labels": labels,
        "volumes": [],
        "load_balancers": [],
        "primary_disk_size": SERVER_TYPES[server_type]["disk"],
        "placement_group": None,
        **extra,
    }


def action(
    action_id: int,
    command: str,
    server_id: int,
    status: str = "running",
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An Action; a finished one carries when it finished, a failed one its error."""
    return {
        "id": action_id,
        "command": command,
        "status": status,
        "progress": 0 if status == "running" else 100,
        "started": STARTED,
        "finished": None if status == "running" else FINISHED,
        "resources": [{"id": server_id, "type": "server"}],
        "error": error,
    }


def started(fake: FakeHetzner, action_id: int, command: str, server_id: int) -> dict[str, Any]:
    """An action as a POST answers it: still running when first polled, done the next time."""
    fake.on(
        "GET",
        f"/actions/{action_id}",
        ok({"action": action(action_id, command, server_id)}),
        ok({"action": action(action_id, command, server_id, "success")}),
    )
    return action(action_id, command, server_id)


def pagination(page: int, last_page: int, total: int) -> dict[str, Any]:
    return {
        "pagination": {
            "page": page,
            "per_page": 50,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if page < last_page else None,
            "last_page": last_page,
            "total_entries": total,
        }
    }


def listing(*servers: dict[str, Any], page: int = 1, last_page: int = 1, total: int = 0) -> Answer:
    """A page of `GET /servers`."""
    return ok(
        {"servers": list(servers), "meta": pagination(page, last_page, total or len(servers))}
    )


def created_answer(server_id: int, instance: UUID, action_id: int) -> Answer:
    """`POST /servers`: the server being set up, its create action and the start to follow;
    no root password, since the server gets SSH keys."""
    return ok(
        {
            "server": server(server_id, instance, status="initializing"),
            "action": action(action_id, "create_server", server_id),
            "next_actions": [action(action_id + 1, "start_server", server_id)],
            "root_password": None,
        },
        201,
    )


def spec(instance: UUID) -> ServerSpec:
    return ServerSpec(instance, PLANS[Plan.STARTER], REGION, "ubuntu-24.04", USER_DATA, SSH_KEYS)


def test_a_new_instance_gets_a_server_named_and_labelled_after_it(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance = uuid4()
    hetzner.on("POST", "/servers", created_answer(4203918, instance, 91843721))
    created = provider.ensure_server(spec(instance))
    [request] = hetzner.calls("POST", "/servers")
    assert request.body == {
        "name": f"hp-{instance}",
        "server_type": "cx22",
        "image": "ubuntu-24.04",
        "location": "fsn1",
        "ssh_keys": [4711, "ops@hostplane"],
        "user_data": USER_DATA,
        "labels": {INSTANCE_LABEL: str(instance), MANAGED_LABEL: "true"},
        "start_after_create": True,
    }
    assert request.authorization == f"Bearer {TOKEN}"
    assert created.facts == ServerFacts("hetzner", 4203918, "cx22", "fsn1-dc14", "203.0.113.169")
    assert created.boot == "91843722"  # start_server: the boot has ended once it finished


def test_a_create_whose_name_is_taken_finds_the_server_of_the_earlier_attempt(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance = uuid4()
    taken = refused(
        409, "uniqueness_error", "server name is already used", {"fields": [{"name": "name"}]}
    )
    hetzner.on("POST", "/servers", taken)
    hetzner.on("GET", "/servers", listing(server(4203918, instance, status="starting")))
    created = provider.ensure_server(spec(instance))
    assert (created.facts.server_id, created.facts.ip_address) == (4203918, "203.0.113.169")
    assert created.boot is None
    [lookup] = hetzner.calls("GET", "/servers")
    assert lookup.query["label_selector"] == [f"{INSTANCE_LABEL}={instance}"]
    assert len(hetzner.calls("POST", "/servers")) == 1


def test_a_create_met_by_an_unavailable_api_is_tried_again(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance = uuid4()
    hetzner.on(
        "POST",
        "/servers",
        refused(503, "unavailable", "A service or product is currently not available"),
        created_answer(4203919, instance, 91843731),
    )
    created = provider.ensure_server(spec(instance))
    assert (created.facts.server_id, created.boot) == (4203919, "91843732")
    assert len(hetzner.calls("POST", "/servers")) == 2


@pytest.mark.parametrize(
    "refusal",
    [
        refused(403, "resource_limit_exceeded", "server limit of the project reached"),
        refused(
            422,
            "invalid_input",
            "invalid input in field 'location'",
            {"fields": [{"name": "location", "messages": ["location not found"]}]},
        ),
    ],
    ids=["resource_limit_exceeded", "invalid_input"],
)
def test_a_create_hetzner_refuses_fails_for_good(
    hetzner: FakeHetzner, provider: HetznerProvider, refusal: Answer
) -> None:
    hetzner.on("POST", "/servers", refusal)
    with pytest.raises(ProviderError) as refused_create:
        provider.ensure_server(spec(uuid4()))
    assert refused_create.value.code == "SERVER_CREATE_FAILED"
    assert refused_create.value.message.startswith(refusal.body["error"]["code"])
    assert len(hetzner.calls("POST", "/servers")) == 1


@dataclass
class RecordingBudget:
    """Lets every request go, and keeps what each answer said the project has left."""

    remaining: list[int | None] = field(default_factory=list)

    def take(self) -> str:
        return ""

    def settle(self, ticket: str, remaining: int | None) -> None:
        self.remaining.append(remaining)


def test_a_throttled_call_goes_again_and_the_budget_learns_the_project_is_spent(
    hetzner: FakeHetzner,
) -> None:
    instance, server_id = uuid4(), 4203920
    budget = RecordingBudget()
    provider = HetznerProvider(TOKEN, hetzner.url, poll_interval_s=0.01, budget=budget)
    hetzner.on("GET", "/servers", listing(server(server_id, instance, status="off")))
    throttled = refused(
        429,
        "rate_limit_exceeded",
        "limit of 3600 requests per hour reached",
        headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "1741079703"},
    )
    power_on = started(hetzner, 91843740, "start_server", server_id)
    hetzner.on(
        "POST", f"/servers/{server_id}/actions/poweron", throttled, ok({"action": power_on}, 201)
    )
    provider.power_on(instance)
    assert len(hetzner.calls("POST", f"/servers/{server_id}/actions/poweron")) == 2
    assert len(budget.remaining) == len(hetzner.sent)
    assert budget.remaining[:3] == [3599, 0, 3599]


def test_boot_states_ask_for_the_create_actions_by_id_fifty_at_a_time(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    boots = [str(91843800 + n) for n in range(52)]
    failed = {"code": "action_failed", "message": "Action failed"}
    states = {boots[0]: ("running", None), boots[1]: ("error", failed)}

    def actions(sent: Sent) -> Answer:
        found = [
            action(int(b), "create_server", 4203900, *states.get(b, ("success", None)))
            for b in sent.query["id"]
        ]
        return ok({"actions": found, "meta": pagination(1, 1, len(found))})

    hetzner.on("GET", "/actions", actions)
    answered = provider.boot_states(boots)
    asked = hetzner.calls("GET", "/actions")
    assert [a.query["id"] for a in asked] == [boots[:50], boots[50:]]
    assert [a.query["per_page"] for a in asked] == [["50"], ["2"]]
    assert answered[:3] == [
        BootState(boots[0], "running"),
        BootState(boots[1], "error", "Action failed"),
        BootState(boots[2], "success"),
    ]
    assert [s.boot for s in answered] == boots
    assert {s.status for s in answered[2:]} == {"success"}


def test_an_instance_without_a_server_has_nothing_to_delete(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    hetzner.on("GET", "/servers", listing())
    assert provider.ensure_deleted(uuid4()) is False
    assert hetzner.trail() == ["GET /servers"]


def test_deleting_a_server_waits_until_hetzner_has_deleted_it(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203921
    hetzner.on("GET", "/servers", listing(server(server_id, instance)))
    deleting = started(hetzner, 91843750, "delete_server", server_id)
    hetzner.on("DELETE", f"/servers/{server_id}", ok({"action": deleting}))
    assert provider.ensure_deleted(instance) is True
    assert hetzner.trail() == [
        "GET /servers",
        f"DELETE /servers/{server_id}",
        "GET /actions/91843750",
        "GET /actions/91843750",
    ]


def test_a_server_gone_before_its_delete_is_no_error(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203922
    hetzner.on("GET", "/servers", listing(server(server_id, instance)))
    gone = refused(404, "not_found", f"server with ID '{server_id}' not found")
    hetzner.on("DELETE", f"/servers/{server_id}", gone)
    provider.ensure_deleted(instance)
    assert len(hetzner.calls("DELETE", f"/servers/{server_id}")) == 1


def test_power_changes_that_already_hold_send_no_action(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203923
    hetzner.on(
        "GET",
        "/servers",
        listing(server(server_id, instance, status="off")),
        listing(server(server_id, instance, status="running")),
    )
    provider.power_off(instance)
    provider.power_on(instance)
    assert hetzner.trail() == ["GET /servers", "GET /servers"]


def test_a_reboot_of_a_server_locked_by_another_action_is_tried_again(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203924
    hetzner.on("GET", "/servers", listing(server(server_id, instance)))
    rebooting = started(hetzner, 91843760, "reboot_server", server_id)
    hetzner.on(
        "POST",
        f"/servers/{server_id}/actions/reboot",
        refused(423, "locked", "server is locked by another action"),
        ok({"action": rebooting}, 201),
    )
    provider.reboot(instance)
    assert len(hetzner.calls("POST", f"/servers/{server_id}/actions/reboot")) == 2
    assert len(hetzner.calls("GET", "/actions/91843760")) == 2


def test_a_resize_shuts_the_server_down_grows_it_with_its_disk_and_starts_it(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203925
    hetzner.on(
        "GET",
        "/servers",
        listing(server(server_id, instance, status="running", server_type="cx22")),
        listing(server(server_id, instance, status="off", server_type="cx32")),
    )
    hetzner.on(
        "GET",
        f"/servers/{server_id}",
        ok({"server": server(server_id, instance, status="off", server_type="cx22")}),
    )
    actions = f"/servers/{server_id}/actions"
    for path, action_id, command in [
        (f"{actions}/shutdown", 91843770, "shutdown_server"),
        (f"{actions}/change_type", 91843771, "change_server_type"),
        (f"{actions}/poweron", 91843772, "start_server"),
    ]:
        hetzner.on(
            "POST", path, ok({"action": started(hetzner, action_id, command, server_id)}, 201)
        )
    provider.resize(instance, PLANS[Plan.PROFESSIONAL], start_after=True)
    assert hetzner.trail() == [
        "GET /servers",
        f"POST {actions}/shutdown",  # ACPI first: the power is cut only if it does not stop
        "GET /actions/91843770",
        "GET /actions/91843770",
        f"GET /servers/{server_id}",
        f"POST {actions}/change_type",
        "GET /actions/91843771",
        "GET /actions/91843771",
        "GET /servers",
        f"POST {actions}/poweron",
        "GET /actions/91843772",
        "GET /actions/91843772",
    ]
    [change] = hetzner.calls("POST", f"{actions}/change_type")
    assert change.body == {"server_type": "cx32", "upgrade_disk": True}


def test_a_resize_to_the_type_the_server_has_changes_nothing(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance = uuid4()
    hetzner.on("GET", "/servers", listing(server(4203926, instance, server_type="cx22")))
    provider.resize(instance, PLANS[Plan.STARTER], start_after=False)
    assert hetzner.trail() == ["GET /servers"]


def test_a_resize_hetzner_refuses_fails_for_good(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203927
    hetzner.on("GET", "/servers", listing(server(server_id, instance, status="off")))
    refusal = refused(
        422,
        "invalid_input",
        "invalid input in field 'server_type'",
        {"fields": [{"name": "server_type", "messages": ["server type is not available"]}]},
    )
    hetzner.on("POST", f"/servers/{server_id}/actions/change_type", refusal)
    with pytest.raises(ProviderError) as refused_resize:
        provider.resize(instance, PLANS[Plan.PROFESSIONAL], start_after=True)
    assert refused_resize.value.code == "RESIZE_FAILED"
    assert "invalid_input" in refused_resize.value.message
    assert hetzner.calls("POST", f"/servers/{server_id}/actions/poweron") == []


def metrics_answer() -> Answer:
    """`GET /servers/{id}/metrics` for cpu, disk and network: `[timestamp, "value"]` pairs."""

    def values(*points: str) -> dict[str, list[list[float | str]]]:
        return {"values": [[1741079640.0 + 60 * n, value] for n, value in enumerate(points)]}

    return ok(
        {
            "metrics": {
                "start": "2025-03-04T09:14:00+00:00",
                "end": "2025-03-04T09:19:00+00:00",
                "step": 60,
                "time_series": {
                    "cpu": values("12.5", "37.25"),
                    "disk.0.iops.read": values("3", "1"),
                    "disk.0.iops.write": values("40", "22"),
                    "disk.0.bandwidth.read": values("4096", "1024"),
                    "disk.0.bandwidth.write": values("0", "65536.5"),
                    "network.0.pps.in": values("12", "18"),
                    "network.0.pps.out": values("9", "11"),
                    "network.0.bandwidth.in": values("1500.5", "2300.25"),
                    "network.0.bandwidth.out": values("800", "910.75"),
                },
            }
        }
    )


def test_usage_is_the_newest_point_of_each_series_of_running_hostplane_servers(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    running, stopped = uuid4(), uuid4()
    ours = server(4203928, running, outgoing_traffic=123_456_789_012)
    not_running = server(4203929, stopped, status="off")
    of_no_instance = server(4203930, None, labels={MANAGED_LABEL: "true"})
    hetzner.on(
        "GET",
        "/servers",
        listing(ours, not_running, page=1, last_page=2, total=3),
        listing(of_no_instance, page=2, last_page=2, total=3),
    )
    hetzner.on("GET", "/servers/4203928/metrics", metrics_answer())
    [sample] = provider.usage()
    assert (sample.instance_id, sample.provider) == (running, "hetzner")
    assert sample.cpu_percent == 37.25 / 2  # Hetzner's 100 per vCPU, over the cx22's two
    assert sample.ts == datetime.fromtimestamp(1741079640.0 + 60, UTC)  # the newest point
    assert sample.disk_bps == 1024 + 65536.5
    assert (sample.net_in_bps, sample.net_out_bps) == (2300.25, 910.75)
    assert sample.traffic_out_gb == pytest.approx(123.456789012)
    assert sample.traffic_gb == pytest.approx(21990.23255552)
    assert sample.ram_used_mb is None
    pages = hetzner.calls("GET", "/servers")
    assert [p.query["label_selector"] for p in pages] == [[f"{MANAGED_LABEL}=true"]] * 2
    assert [p.query["page"] for p in pages] == [["1"], ["2"]]
    [asked] = hetzner.calls("GET", "/servers/4203928/metrics")
    assert (asked.query["type"], asked.query["step"]) == (["cpu,disk,network"], ["60"])
    start, end = (datetime.fromisoformat(asked.query[k][0]) for k in ("start", "end"))
    assert end - start == timedelta(minutes=5)


def test_the_console_is_hetzner_s_websocket_url_and_vnc_password(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203931
    wss_url = f"wss://console.hetzner.cloud/?server_id={server_id}&token=3db32d15-af2f-459c-8bf8-dee1fd05f49c"
    hetzner.on("GET", "/servers", listing(server(server_id, instance)))
    console = {
        "wss_url": wss_url,
        "password": "9MQaTg2VAGI0FIpc10k3UpRXcHj2wQ6x",
        "action": action(91843780, "request_console", server_id, "success"),
    }
    hetzner.on("POST", f"/servers/{server_id}/actions/request_console", ok(console, 201))
    asked_at = datetime.now(UTC)
    access = provider.console(instance)
    assert (access.url, access.password) == (wss_url, "9MQaTg2VAGI0FIpc10k3UpRXcHj2wQ6x")
    assert asked_at + timedelta(minutes=1) <= access.expires_at
    assert access.expires_at <= datetime.now(UTC) + timedelta(minutes=1)


def test_a_server_found_still_starting_is_waited_for(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203932
    hetzner.on("GET", "/servers", listing(server(server_id, instance, status="starting")))
    start = action(91843790, "start_server", server_id)
    hetzner.on(
        "GET",
        f"/servers/{server_id}/actions",
        ok({"actions": [start], "meta": pagination(1, 1, 1)}),
    )
    started(hetzner, 91843790, "start_server", server_id)
    hetzner.on("GET", f"/servers/{server_id}", ok({"server": server(server_id, instance)}))
    provider.wait_started(instance)
    [running_actions] = hetzner.calls("GET", f"/servers/{server_id}/actions")
    assert running_actions.query["status"] == ["running"]
    assert hetzner.trail()[-1] == f"GET /servers/{server_id}"


def test_a_server_found_off_did_not_start(hetzner: FakeHetzner, provider: HetznerProvider) -> None:
    instance = uuid4()
    hetzner.on("GET", "/servers", listing(server(4203933, instance, status="off")))
    with pytest.raises(ProviderError) as not_started:
        provider.wait_started(instance)
    assert not_started.value.code == "SERVER_CREATE_FAILED"


def test_an_instance_without_a_server_cannot_be_rebooted(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    hetzner.on("GET", "/servers", listing())
    with pytest.raises(ProviderError) as missing:
        provider.reboot(uuid4())
    assert missing.value.code == "SERVER_NOT_FOUND"


def test_a_power_off_the_project_may_not_do_is_a_provider_error_naming_it(
    hetzner: FakeHetzner, provider: HetznerProvider
) -> None:
    instance, server_id = uuid4(), 4203931
    hetzner.on("GET", "/servers", listing(server(server_id, instance, status="running")))
    hetzner.on(
        "POST",
        f"/servers/{server_id}/actions/shutdown",
        refused(403, "forbidden", "insufficient permissions for this request"),
    )
    with pytest.raises(ProviderError) as refusal:
        provider.power_off(instance)
    assert refusal.value.code == "POWER_OFF_FAILED"
    assert "forbidden" in refusal.value.message
