"""The Proxmox adapter against answers shaped as Proxmox VE's API documentation shows them.

A fake stands in for the network under `requests` (as the `responses` library does): each
answer is the `{"data": ...}` envelope of the API viewer, and a refusal carries its message
in the HTTP reason phrase, where pveproxy puts it and proxmoxer reads it.
"""

import io
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit
from uuid import UUID, uuid4

import pytest
import requests
import urllib3
from prometheus_client import REGISTRY
from requests.adapters import HTTPAdapter

from hostplane.contracts.catalog import PLANS, Plan, ProxmoxRegion
from hostplane.providers import retrying
from hostplane.providers.errors import ProviderError
from hostplane.provisioning.adapters.provider import BootState, ServerSpec
from hostplane.provisioning.adapters.proxmox import ProxmoxProvider

API = "https://pve.example.com:8006"
REGION = ProxmoxRegion(nodes=["pve1", "pve2", "pve3"], datacenter="fra-pve")
INSTANCE = UUID("7c1f2a8e-5b3d-4c6e-9f0a-1b2c3d4e5f60")
NAME = f"hp-{INSTANCE}"


def upid(node: str, kind: str, vmid: int | str) -> str:
    return f"UPID:{node}:0000C3A1:0009F2B4:66F1A2B3:{kind}:{vmid}:hostplane@pve!provisioning:"


@dataclass
class Answer:
    status: int
    body: Any
    reason: str = "OK"


def ok(data: Any) -> Answer:
    return Answer(200, {"data": data})


def refused(status: int, message: str, errors: dict[str, str] | None = None) -> Answer:
    body: dict[str, Any] = {"data": None, "message": f"{message}\n"}
    if errors:
        body["errors"] = errors
    return Answer(status, body, message)


@dataclass
class Sent:
    method: str
    path: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]]
    authorization: str


@dataclass
class FakeProxmox:
    """Answers by route; a route's queued answers are given in turn, its last one from then on."""

    routes: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def on(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path)] = list(answers)

    def send(self, request: requests.PreparedRequest, *_: Any, **__: Any) -> Any:
        """`HTTPAdapter.send`, answered here: what `PacedAdapter` counts comes from this."""
        url = urlsplit(request.url or "")
        path = unquote(url.path).removeprefix("/api2/json")
        params, files = dict(parse_qsl(url.query)), {}
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        content_type = str(request.headers.get("Content-Type", ""))
        if content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
                name = str(part.get_param("name", header="content-disposition"))
                content = part.get_payload(decode=True)
                assert isinstance(content, bytes)
                if part.get_filename():
                    files[name] = (str(part.get_filename()), content)
                else:
                    params[name] = content.decode()
        else:
            params.update(parse_qsl(body.decode()))
        method = request.method or "GET"
        authorization = str(request.headers.get("Authorization", ""))
        self.sent.append(Sent(method, path, params, files, authorization))
        queue = self.routes.get((method, path))
        if not queue:
            raise AssertionError(f"unexpected {method} {path}")
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(json.dumps(answer.body).encode()),
            status=answer.status,
            reason=answer.reason,
            headers={"Content-Type": "application/json;charset=UTF-8"},
            preload_content=False,
        )
        return HTTPAdapter().build_response(request, raw)

    def calls(self, method: str, path: str) -> list[dict[str, str]]:
        return [s.params for s in self.sent if (s.method, s.path) == (method, path)]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeProxmox:
    fake = FakeProxmox()
    monkeypatch.setattr(HTTPAdapter, "send", fake.send)
    monkeypatch.setattr(retrying, "BACKOFF", lambda _: 0.0)
    return fake


@pytest.fixture
def provider(fake: FakeProxmox) -> ProxmoxProvider:
    return ProxmoxProvider(
        api_url=API,
        token_id="hostplane@pve!provisioning",
        token_secret="s3cret",
        poll_interval_s=0.0,
        boot_timeout_s=2.0,
    )


def vm_row(vmid: int, node: str, name: str, status: str, **extra: Any) -> dict[str, Any]:
    """A VM in `GET /cluster/resources?type=vm`."""
    return {
        "id": f"qemu/{vmid}",
        "type": "qemu",
        "vmid": vmid,
        "node": node,
        "name": name,
        "status": status,
        "template": 0,
        "maxcpu": 2,
        "cpu": 0.0132,
        "maxmem": 4294967296,
        "mem": 1288490188,
        "maxdisk": 42949672960,
        "disk": 0,
        "uptime": 3600,
        "netin": 120934,
        "netout": 50211,
        "diskread": 356810752,
        "diskwrite": 1073741,
        **extra,
    }


TEMPLATE_ROW = vm_row(9000, "pve1", "ubuntu-24.04-cloudinit", "stopped", template=1)
OURS = vm_row(101, "pve3", NAME, "running", tags=f"hostplane;{NAME}")
NODES = [
    {"node": "pve1", "status": "online", "type": "node", "id": "node/pve1", "level": "",
     "cpu": 0.04, "maxcpu": 32, "mem": 60 * 2**30, "maxmem": 64 * 2**30, "uptime": 864000},
    {"node": "pve2", "status": "offline", "type": "node", "id": "node/pve2", "level": ""},
    {"node": "pve3", "status": "online", "type": "node", "id": "node/pve3", "level": "",
     "cpu": 0.02, "maxcpu": 32, "mem": 20 * 2**30, "maxmem": 96 * 2**30, "uptime": 864000},
]  # fmt: skip
CLONED_CONFIG = {
    "name": NAME,
    "cores": 1,
    "memory": "2048",
    "scsihw": "virtio-scsi-pci",
    "scsi0": "local-lvm:vm-101-disk-0,size=3584M",
    "ide2": "local-lvm:vm-101-cloudinit,media=cdrom",
    "net0": "virtio=BC:24:11:5E:20:01,bridge=vmbr0",
    "agent": "1",
    "digest": "4b7e8d1ce2a9c1a9e1d3f2b0c5a6d7e8f9a0b1c2",
}
INTERFACES = {
    "result": [
        {
            "name": "lo",
            "hardware-address": "00:00:00:00:00:00",
            "ip-addresses": [
                {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8},
                {"ip-address": "::1", "ip-address-type": "ipv6", "prefix": 128},
            ],
        },
        {
            "name": "eth0",
            "hardware-address": "bc:24:11:5e:20:01",
            "ip-addresses": [
                {"ip-address": "203.0.113.17", "ip-address-type": "ipv4", "prefix": 24},
                {
                    "ip-address": "fe80::be24:11ff:fe5e:2001",
                    "ip-address-type": "ipv6",
                    "prefix": 64,
                },
            ],
            "statistics": {"rx-bytes": 2154, "rx-packets": 21, "tx-bytes": 1830, "tx-packets": 19},
        },
    ]
}


def task_done(node: str, kind: str, vmid: int | str, exitstatus: str = "OK") -> Answer:
    return ok(
        {
            "upid": upid(node, kind, vmid),
            "node": node,
            "pid": 50081,
            "pstart": 652980,
            "starttime": 1727111859,
            "type": kind,
            "id": str(vmid),
            "user": "hostplane@pve!provisioning",
            "status": "stopped",
            "exitstatus": exitstatus,
        }
    )


def task_running(node: str, kind: str, vmid: int | str) -> Answer:
    answer = task_done(node, kind, vmid)
    answer.body["data"]["status"] = "running"
    del answer.body["data"]["exitstatus"]
    return answer


def task(fake: FakeProxmox, node: str, kind: str, vmid: int | str, *states: Answer) -> str:
    """A task's UPID, its status route answering `states` (default: done, OK)."""
    started = upid(node, kind, vmid)
    fake.on(
        "GET", f"/nodes/{node}/tasks/{started}/status", *(states or [task_done(node, kind, vmid)])
    )
    return started


def spec() -> ServerSpec:
    return ServerSpec(INSTANCE, PLANS[Plan.STARTER], REGION, "ubuntu-24.04", "#cloud-config\n", [])


def new_vm_cluster(fake: FakeProxmox) -> None:
    """A cluster without the instance's VM, ready for a clone to become VMID 101 on pve3."""
    fake.on("GET", "/cluster/resources", ok([TEMPLATE_ROW]))
    fake.on("GET", "/nodes", ok(NODES))
    fake.on("GET", "/cluster/nextid", ok("101"))
    fake.on("POST", "/nodes/pve1/qemu/9000/clone", ok(task(fake, "pve1", "qmclone", 9000)))
    fake.on("GET", "/nodes/pve3/qemu/101/config", ok(CLONED_CONFIG))
    fake.on("GET", "/nodes/pve3/storage/local/content", ok([]))
    fake.on("POST", "/nodes/pve3/storage/local/upload", ok(task(fake, "pve3", "imgcopy", "")))
    fake.on("PUT", "/nodes/pve3/qemu/101/config", ok(None))
    fake.on("PUT", "/nodes/pve3/qemu/101/resize", ok(task(fake, "pve3", "resize", 101)))
    fake.on("POST", "/nodes/pve3/qemu/101/status/start", ok(task(fake, "pve3", "qmstart", 101)))
    fake.on(
        "GET",
        "/nodes/pve3/qemu/101/agent/network-get-interfaces",
        refused(500, "QEMU guest agent is not running"),
        ok(INTERFACES),
    )


def test_a_new_instance_is_cloned_to_the_roomiest_node_set_up_started_and_addressed(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    new_vm_cluster(fake)
    created = provider.ensure_server(spec())
    assert created.boot == upid("pve3", "qmstart", 101)
    assert (created.facts.provider, created.facts.server_id) == ("proxmox", 101)
    assert (created.facts.server_type, created.facts.datacenter) == ("2c-4096m", "fra-pve")
    assert created.facts.ip_address == "203.0.113.17"
    [cloned] = fake.calls("POST", "/nodes/pve1/qemu/9000/clone")
    assert cloned == {
        "newid": "101",
        "name": NAME,
        "target": "pve3",
        "full": "1",
        "storage": "local-lvm",
    }
    [configured] = fake.calls("PUT", "/nodes/pve3/qemu/101/config")
    assert configured == {
        "cores": "2",
        "memory": "4096",
        "tags": f"hostplane;{NAME}",
        "agent": "1",
        "ide2": f"local:iso/{NAME}-cidata.iso,media=cdrom",
    }
    [upload] = [s for s in fake.sent if s.path == "/nodes/pve3/storage/local/upload"]
    assert upload.params == {"content": "iso"}
    filename, image = upload.files["filename"]
    assert filename == f"{NAME}-cidata.iso"
    assert image[16 * 2048 + 1 : 16 * 2048 + 6] == b"CD001"  # an ISO 9660 image
    assert b"#cloud-config\n" in image and f"instance-id: {NAME}".encode() in image
    assert fake.calls("PUT", "/nodes/pve3/qemu/101/resize") == [{"disk": "scsi0", "size": "40G"}]


def test_a_new_instance_is_cloned_from_the_template_named_after_its_image(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    new_vm_cluster(fake)
    debian = vm_row(9002, "pve1", "debian-12", "stopped", template=1)
    fake.on("GET", "/cluster/resources", ok([TEMPLATE_ROW, debian]))
    fake.on("POST", "/nodes/pve1/qemu/9002/clone", ok(task(fake, "pve1", "qmclone", 9002)))

    provider.ensure_server(replace(spec(), image="debian-12"))

    assert [c["newid"] for c in fake.calls("POST", "/nodes/pve1/qemu/9002/clone")] == ["101"]
    assert fake.calls("POST", "/nodes/pve1/qemu/9000/clone") == []


def test_an_image_without_a_template_clones_nothing(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    new_vm_cluster(fake)

    with pytest.raises(ProviderError) as failed:
        provider.ensure_server(replace(spec(), image="rocky-9"))

    assert failed.value.code == "SERVER_CREATE_FAILED"
    assert fake.calls("POST", "/nodes/pve1/qemu/9000/clone") == []


def test_every_request_is_signed_with_the_api_token_and_counted(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    def counted() -> float:
        return sum(
            sample.value
            for metric in REGISTRY.collect()
            if metric.name == "hostplane_provider_requests"
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels.get("provider") == "proxmox"
        )

    new_vm_cluster(fake)
    before = counted()
    provider.ensure_server(spec())
    assert counted() - before == len(fake.sent)
    assert {s.authorization for s in fake.sent} == {"PVEAPIToken=hostplane@pve!provisioning=s3cret"}


def test_a_vmid_another_clone_took_after_nextid_is_drawn_again(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    new_vm_cluster(fake)
    someone_else = vm_row(101, "pve1", "build-runner", "stopped")
    fake.on(
        "GET",
        "/cluster/resources",
        ok([TEMPLATE_ROW]),  # looking for the instance's VM
        ok([TEMPLATE_ROW]),  # finding the template
        ok([TEMPLATE_ROW]),  # the clone's own look before it clones
        ok([TEMPLATE_ROW, someone_else]),  # after the refusal: 101 is taken
        ok([TEMPLATE_ROW, someone_else]),
    )
    fake.on("GET", "/cluster/nextid", ok("101"), ok("102"))
    fake.on(
        "POST",
        "/nodes/pve1/qemu/9000/clone",
        refused(500, "VM 101 already exists on node 'pve1'"),
        ok(task(fake, "pve1", "qmclone", 9000)),
    )
    for method, path, answer in [
        ("GET", "/nodes/pve3/qemu/102/config", ok(CLONED_CONFIG)),
        ("PUT", "/nodes/pve3/qemu/102/config", ok(None)),
        ("PUT", "/nodes/pve3/qemu/102/resize", ok(None)),  # Proxmox VE 7: no task
        ("POST", "/nodes/pve3/qemu/102/status/start", ok(task(fake, "pve3", "qmstart", 102))),
        ("GET", "/nodes/pve3/qemu/102/agent/network-get-interfaces", ok(INTERFACES)),
    ]:
        fake.on(method, path, answer)
    created = provider.ensure_server(spec())
    assert created.facts.server_id == 102
    newids = [call["newid"] for call in fake.calls("POST", "/nodes/pve1/qemu/9000/clone")]
    assert newids == ["101", "102"]


def test_the_vm_of_an_earlier_attempt_is_found_and_not_cloned_again(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([TEMPLATE_ROW, OURS]))
    fake.on("GET", "/nodes/pve3/qemu/101/status/current", ok({"status": "running", "vmid": 101}))
    fake.on("GET", "/nodes/pve3/qemu/101/agent/network-get-interfaces", ok(INTERFACES))
    created = provider.ensure_server(spec())
    assert (created.facts.server_id, created.boot) == (101, None)
    assert fake.calls("POST", "/nodes/pve1/qemu/9000/clone") == []


def test_boot_states_read_each_start_task(fake: FakeProxmox, provider: ProxmoxProvider) -> None:
    booting = task(fake, "pve1", "qmstart", 101, task_running("pve1", "qmstart", 101))
    booted = task(fake, "pve2", "qmstart", 102)
    warned = task(fake, "pve3", "qmstart", 103, task_done("pve3", "qmstart", 103, "WARNINGS: 1"))
    failed_status = "start failed: QEMU exited with code 1"
    failed = task(fake, "pve3", "qmstart", 104, task_done("pve3", "qmstart", 104, failed_status))
    assert provider.boot_states([booting, booted, warned, failed]) == [
        BootState(booting, "running"),
        BootState(booted, "success"),
        BootState(warned, "success"),
        BootState(failed, "error", failed_status),
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "VM 101 is locked (backup)"),  # another task holds the VM
        (429, "Too Many Requests"),  # a proxy in front of the API throttles
    ],
)
def test_a_start_met_by_a_passing_refusal_is_tried_again(
    fake: FakeProxmox, provider: ProxmoxProvider, status: int, message: str
) -> None:
    fake.on("GET", "/cluster/resources", ok([vm_row(101, "pve3", NAME, "stopped")]))
    fake.on("GET", "/nodes/pve3/qemu/101/status/current", ok({"status": "stopped", "vmid": 101}))
    fake.on(
        "POST",
        "/nodes/pve3/qemu/101/status/start",
        refused(status, message),
        ok(task(fake, "pve3", "qmstart", 101)),
    )
    provider.power_on(INSTANCE)
    assert len(fake.calls("POST", "/nodes/pve3/qemu/101/status/start")) == 2


def test_a_refusal_fails_for_good_and_a_5xx_that_lasts_is_unreachable(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([OURS]))
    fake.on("GET", "/nodes/pve3/qemu/101/status/current", ok({"status": "running", "vmid": 101}))
    path = "/nodes/pve3/qemu/101/status/shutdown"
    fake.on("POST", path, refused(403, "Permission check failed (/vms/101, VM.PowerMgmt)"))
    with pytest.raises(ProviderError) as denied:
        provider.power_off(INSTANCE)
    assert denied.value.code == "POWER_OFF_FAILED"
    assert "Permission check failed" in denied.value.message
    fake.on("POST", path, refused(503, "Service Unavailable"))
    with pytest.raises(ProviderError) as unreachable:
        provider.power_off(INSTANCE)
    assert unreachable.value.code == "PROVIDER_UNREACHABLE"
    assert len(fake.calls("POST", path)) == 1 + retrying.ATTEMPTS


def test_a_resize_stops_the_vm_for_its_new_size_and_never_shrinks_the_disk(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([OURS]))
    config = {
        **CLONED_CONFIG,
        "cores": 4,
        "memory": "current=8192",
        "scsi0": "local-lvm:vm-101-disk-0,size=80G",
    }
    fake.on("GET", "/nodes/pve3/qemu/101/config", ok(config))
    fake.on(
        "GET",
        "/nodes/pve3/qemu/101/status/current",
        ok({"status": "running", "vmid": 101}),
        ok({"status": "stopped", "vmid": 101}),
    )
    shutdown = task(fake, "pve3", "qmshutdown", 101)
    fake.on("POST", "/nodes/pve3/qemu/101/status/shutdown", ok(shutdown))
    fake.on("PUT", "/nodes/pve3/qemu/101/config", ok(None))
    provider.resize(INSTANCE, PLANS[Plan.STARTER], start_after=False)
    assert fake.calls("POST", "/nodes/pve3/qemu/101/status/shutdown") == [
        {"timeout": "60", "forceStop": "1"}
    ]
    assert fake.calls("PUT", "/nodes/pve3/qemu/101/config") == [{"cores": "2", "memory": "4096"}]
    assert fake.calls("PUT", "/nodes/pve3/qemu/101/resize") == []


def test_usage_is_the_latest_minute_that_has_data(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on(
        "GET",
        "/cluster/resources",
        ok([TEMPLATE_ROW, OURS, vm_row(150, "pve1", "not-ours", "running")]),
    )
    rows = [
        {"time": 1727111760, "cpu": 0.0101, "maxcpu": 2, "mem": 1073741824, "maxmem": 4294967296,
         "disk": 0, "maxdisk": 42949672960, "diskread": 100.5, "diskwrite": 2048.25,
         "netin": 1500.0, "netout": 3200.75},
        {"time": 1727111820, "cpu": 0.0123, "maxcpu": 2, "mem": 1288490188, "maxmem": 4294967296,
         "disk": 0, "maxdisk": 42949672960, "diskread": 0, "diskwrite": 4096.5,
         "netin": 1800.25, "netout": 2900.0},
        {"time": 1727111880},
    ]  # fmt: skip
    fake.on("GET", "/nodes/pve3/qemu/101/rrddata", ok(rows))
    [sample] = provider.usage()
    assert fake.calls("GET", "/nodes/pve3/qemu/101/rrddata") == [
        {"timeframe": "hour", "cf": "AVERAGE"}
    ]
    assert sample.instance_id == INSTANCE
    assert sample.ts == datetime.fromtimestamp(1727111820, UTC)
    assert sample.cpu_percent == pytest.approx(1.23)
    assert sample.ram_used_mb == pytest.approx(1228.8, abs=0.01)
    assert (sample.disk_bps, sample.net_in_bps, sample.net_out_bps) == (4096.5, 1800.25, 2900.0)
    assert (sample.traffic_out_gb, sample.traffic_gb) == (0.0, 0.0)


def test_the_console_is_the_vnc_websocket_on_the_api_host_with_its_ticket(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([OURS]))
    ticket = "PVEVNC:66F1A2B3::dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ=="
    proxy = {
        "cert": "-----BEGIN CERTIFICATE-----\nMIIF...\n-----END CERTIFICATE-----\n",
        "port": "5900",
        "ticket": ticket,
        "upid": upid("pve3", "vncproxy", 101),
        "user": "hostplane@pve!provisioning",
    }
    fake.on("POST", "/nodes/pve3/qemu/101/vncproxy", ok(proxy))
    access = provider.console(INSTANCE)
    assert access.url == (
        "wss://pve.example.com:8006/api2/json/nodes/pve3/qemu/101/vncwebsocket"
        "?port=5900&vncticket=PVEVNC%3A66F1A2B3%3A%3AdGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ%3D%3D"
    )
    assert access.password == ticket
    assert access.expires_at - datetime.now(UTC) <= timedelta(seconds=40)


def test_deleting_stops_destroys_with_disks_and_removes_the_seed(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([OURS]), ok([]))
    fake.on("GET", "/nodes/pve3/qemu/101/status/current", ok({"status": "running", "vmid": 101}))
    fake.on("POST", "/nodes/pve3/qemu/101/status/stop", ok(task(fake, "pve3", "qmstop", 101)))
    fake.on("DELETE", "/nodes/pve3/qemu/101", ok(task(fake, "pve3", "qmdestroy", 101)))
    fake.on("GET", "/nodes", ok(NODES))
    seed = f"local:iso/{NAME}-cidata.iso"
    listing = {"volid": seed, "content": "iso", "format": "iso", "size": 53248, "ctime": 1727111859}
    fake.on("GET", "/nodes/pve1/storage/local/content", ok([]))
    fake.on("GET", "/nodes/pve3/storage/local/content", ok([listing]))
    fake.on("DELETE", f"/nodes/pve3/storage/local/content/{seed}", ok(None))
    assert provider.ensure_deleted(INSTANCE) is True
    assert fake.calls("DELETE", "/nodes/pve3/qemu/101") == [
        {"purge": "1", "destroy-unreferenced-disks": "1"}
    ]
    assert len(fake.calls("DELETE", f"/nodes/pve3/storage/local/content/{seed}")) == 1


def test_a_vm_of_no_instance_is_none_of_hostplane_s(
    fake: FakeProxmox, provider: ProxmoxProvider
) -> None:
    fake.on("GET", "/cluster/resources", ok([TEMPLATE_ROW, vm_row(150, "pve1", "hp-x", "running")]))
    assert provider.usage() == []
    with pytest.raises(ProviderError) as missing:
        provider.reboot(uuid4())
    assert missing.value.code == "SERVER_NOT_FOUND"
