"""Seed 003's contract against its models: every JSON example of the contract is read by the
model it documents and written back the same, every endpoint has its models, and what the
contract forbids is refused."""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from hostplane.contracts.cloudvps.admin import SystemHealth
from hostplane.contracts.cloudvps.auth import (
    AuthToken,
    ChangePasswordRequest,
    LoginRequest,
    RegisterRequest,
    UpdateProfileRequest,
    UserProfile,
)
from hostplane.contracts.cloudvps.backups import Backup, CreateBackupRequest
from hostplane.contracts.cloudvps.billing import (
    AddPaymentMethodRequest,
    Invoice,
    InvoiceQuery,
    Usage,
)
from hostplane.contracts.cloudvps.envelope import (
    HTTP_STATUS,
    Envelope,
    ErrorCode,
    ErrorResponse,
    ListQuery,
)
from hostplane.contracts.cloudvps.monitoring import Console, Metrics, MetricsQuery
from hostplane.contracts.cloudvps.networking import FirewallRule, UpdateNetworkRequest
from hostplane.contracts.cloudvps.plans import Plan
from hostplane.contracts.cloudvps.routes import ENDPOINTS, Route
from hostplane.contracts.cloudvps.tickets import (
    AddTicketMessageRequest,
    CreateTicketRequest,
    Ticket,
    TicketQuery,
    UpdateTicketRequest,
)
from hostplane.contracts.cloudvps.vps import (
    CreateVpsRequest,
    RebuildVpsRequest,
    UpdateVpsRequest,
    Vps,
    VpsQuery,
)
from hostplane.contracts.cloudvps.webhooks import WebhookEvent, WebhookPayload, sign, verify

CONTRACT = (Path(__file__).parent / "seeds/cloudvps.md").read_text()
ENDPOINT_LINE = re.compile(r"^#### (GET|POST|PUT|DELETE|PATCH) (/\S*)$")


@dataclass(frozen=True)
class Block:
    heading: str  # the last heading above it: `POST /auth/login`, `Webhook Payload`
    label: str  # the line that introduces it: `**Request Body:**`, `**Response:**`
    language: str
    text: str


def _blocks(contract: str) -> Iterator[Block]:
    heading = label = ""
    lines = iter(contract.splitlines())
    for line in lines:
        if line.startswith("```"):
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            yield Block(heading, label, line[3:].strip(), "\n".join(body))
        elif line.startswith("#"):
            heading, label = line.lstrip("#").strip(), ""
        elif line.strip():
            label = line.strip()


BLOCKS = list(_blocks(CONTRACT))
JSON_BLOCKS = [block for block in BLOCKS if block.language == "json"]


def _sections(contract: str) -> dict[str, str]:
    """The prose under each heading, its code left out."""
    sections: dict[str, list[str]] = {}
    heading, in_code = "", False
    for line in contract.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            continue
        elif line.startswith("#"):
            heading = line.lstrip("#").strip()
            sections[heading] = []
        else:
            sections.setdefault(heading, []).append(line)
    return {heading: "\n".join(lines) for heading, lines in sections.items()}


SECTIONS = _sections(CONTRACT)


def _without_comments(text: str) -> str:
    """JSON from the contract's JSON-with-comments: `//` comments outside strings dropped, and
    the trailing comma a dropped comment can leave (`"plan": "...",` before `}`)."""
    out: list[str] = []
    in_string = escaped = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            escaped = char == "\\" and not escaped
            in_string = char != '"' or escaped
        elif char == '"':
            in_string = True
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        out.append(char)
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


# Placeholders the contract writes where a value would be, each repaired to a real value of
# its kind, by heading. Strings that merely end in `...` (the login token, a ticket's
# description) are kept: they are valid values of their fields as written.
WHOLE_KEY = (
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQCgv0l7IqRe/Xsl3jDSXK56xt7M/nFuE7C7RaqWQkaRosdiJrTzMFlchUJ4eI+"
    "RX3bF6ntTuaMzsBxO59g/smyWzxMd9WgLa6JzVyB/fDTmDXUUwU6qQBdvMEQe7bJrWUQLM+5WZjMF4PnJgMzQ6UeOck"
    "ZowXZYSrWNFnBAFrtqAQ=="
)
REPAIRS: dict[str, Callable[[str], str]] = {
    # `ssh-rsa AAAAB3NzaC1yc2E...`: a key cut short, which is not base64; a whole one.
    "POST /vps": lambda text: text.replace("AAAAB3NzaC1yc2E...", WHOLE_KEY),
    "POST /vps/{id}/rebuild": lambda text: text.replace("AAAAB3NzaC1yc2E...", WHOLE_KEY),
    # `base64-encoded-file-data` stands for a file's base64; a PNG signature's.
    "POST /support/tickets/{id}/messages": lambda text: text.replace(
        "base64-encoded-file-data", "iVBORw0KGgo="
    ),
    # `"success": true|false` stands for either (the block is split into its two forms below),
    # and `ERROR_CODE` for any code of the table.
    "Response Format": lambda text: text.replace("true|false", "null").replace(
        '"ERROR_CODE"', '"NOT_FOUND"'
    ),
}

# Which model each JSON example documents, by the heading it sits under.
MODELS: dict[str, type[BaseModel]] = {
    "Obtain Authentication Token": Envelope[AuthToken],
    "POST /auth/login": LoginRequest,
    "POST /auth/register": RegisterRequest,
    "GET /users/profile": Envelope[UserProfile],
    "PUT /users/profile": UpdateProfileRequest,
    "POST /users/change-password": ChangePasswordRequest,
    "GET /vps": Envelope[list[Vps]],
    "POST /vps": CreateVpsRequest,
    "PUT /vps/{id}": UpdateVpsRequest,
    "POST /vps/{id}/rebuild": RebuildVpsRequest,
    "GET /vps/{id}/metrics": Envelope[Metrics],
    "GET /vps/{id}/console": Envelope[Console],
    "GET /vps/{id}/backups": Envelope[list[Backup]],
    "POST /vps/{id}/backups": CreateBackupRequest,
    "PUT /vps/{id}/network": UpdateNetworkRequest,
    "GET /plans": Envelope[list[Plan]],
    "GET /billing/invoices": Envelope[list[Invoice]],
    "GET /billing/usage": Envelope[Usage],
    "POST /billing/payment-methods": AddPaymentMethodRequest,
    "GET /support/tickets": Envelope[list[Ticket]],
    "POST /support/tickets": CreateTicketRequest,
    "POST /support/tickets/{id}/messages": AddTicketMessageRequest,
    "PUT /support/tickets/{id}": UpdateTicketRequest,
    "GET /admin/system/health": Envelope[SystemHealth],
    "Webhook Payload": WebhookPayload,
}


def _example(block: Block) -> Any:
    text = _without_comments(block.text)
    repair = REPAIRS.get(block.heading)
    return json.loads(repair(text) if repair else text)


def _cases() -> Iterator[Any]:
    for block in JSON_BLOCKS:
        example = _example(block)
        if block.heading == "Response Format":
            success = {"success": True, "data": example["data"]}
            success["pagination"] = example["pagination"]
            failure = {"success": False, "error": example["error"]}
            yield pytest.param(Envelope[dict[str, Any]], success, id="Response Format, success")
            yield pytest.param(ErrorResponse, failure, id="Response Format, failure")
        else:
            yield pytest.param(MODELS[block.heading], example, id=block.heading)


def _written(model: BaseModel) -> Any:
    dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    # Passwords are written masked: each is checked to be, and compared by the value read.
    secrets = {name: value for name, value in model if isinstance(value, SecretStr)}
    assert all(dumped[name] == "**********" for name in secrets)
    return {**dumped, **{name: value.get_secret_value() for name, value in secrets.items()}}


def test_every_json_example_of_the_contract_is_paired_with_its_model() -> None:
    headings = [block.heading for block in JSON_BLOCKS]
    assert len(JSON_BLOCKS) == 26
    assert len(set(headings)) == len(headings)  # one example under each heading
    assert set(headings) == {*MODELS, "Response Format"}
    assert set(REPAIRS) <= set(headings)


@pytest.mark.parametrize(("model", "example"), list(_cases()))
def test_a_contract_example_is_read_and_written_back_the_same(
    model: type[BaseModel], example: Any
) -> None:
    written = _written(model.model_validate(example))

    assert written == example
    assert json.dumps(written) == json.dumps(example)  # same key order, 34.0 stays 34.0


def test_an_example_under_an_endpoint_documents_that_endpoint_s_models() -> None:
    routes = {f"{route.method} {route.path}": route for route in ENDPOINTS}
    for block in JSON_BLOCKS:
        if block.heading not in routes:
            continue
        route = routes[block.heading]
        documented = route.request if block.label == "**Request Body:**" else route.response
        assert block.label in {"**Request Body:**", "**Response:**"}, block
        assert MODELS[block.heading] is documented, block.heading
    assert MODELS["Obtain Authentication Token"] is routes["POST /auth/login"].response


def test_the_curl_example_creates_a_vps_with_a_name_and_a_plan_only() -> None:
    (body,) = re.findall(r"-d '(\{.*\})'", CONTRACT)

    request = CreateVpsRequest.model_validate_json(body)

    assert (request.name, request.plan_id, request.operating_system) == (
        "My Server",
        "plan-professional",
        None,
    )


# ---- the endpoints ------------------------------------------------------------------------


def _endpoint_lines() -> list[tuple[str, str]]:
    found = []
    in_code = False
    for line in CONTRACT.splitlines():
        in_code ^= line.startswith("```")
        if not in_code and (match := ENDPOINT_LINE.match(line)):
            found.append((match[1], match[2]))
    return found


def test_every_endpoint_of_the_contract_is_in_the_table_once() -> None:
    in_contract = _endpoint_lines()
    in_table = [(route.method, route.path) for route in ENDPOINTS]

    assert len(in_contract) == 46
    assert len(set(in_table)) == len(in_table)
    assert sorted(in_table) == sorted(in_contract)


@pytest.mark.parametrize("route", ENDPOINTS, ids=lambda route: f"{route.method} {route.path}")
def test_an_endpoint_has_a_model_for_each_part_the_contract_gives_it(route: Route) -> None:
    section = SECTIONS[f"{route.method} {route.path}"]

    if "**Request Body:**" in section:
        assert route.request is not None
    if "**Query Parameters:**" in section:
        assert route.query is not None
        documented = set(re.findall(r"^- `(\w+)`", section, re.M))
        assert documented <= set(route.query.model_fields)
    if route.method in {"GET", "DELETE"}:
        assert route.request is None  # parameters go in the path and the query
    assert route.response is not None or route.media_type != "application/json"


def test_the_lists_the_contract_pages_are_paged_by_their_query() -> None:
    paged = {
        route.path for route in ENDPOINTS if route.query and issubclass(route.query, ListQuery)
    }

    assert paged == {
        "/vps",
        "/billing/invoices",
        "/support/tickets",
        "/admin/users",
        "/admin/vps",
        "/admin/tickets",
    }


# ---- errors and webhooks --------------------------------------------------------------------


def test_the_error_codes_are_the_contract_s_table_each_with_its_status() -> None:
    table = re.findall(r"^\| `([A-Z_]+)` \|", CONTRACT, re.M)

    assert list(ErrorCode) == table
    assert set(HTTP_STATUS) == set(ErrorCode)
    assert ErrorCode.NOT_FOUND.status == 404
    assert ErrorCode.PROXMOX_ERROR.status == 502
    assert all(400 <= code.status < 600 for code in ErrorCode)


def test_an_error_body_with_a_code_outside_the_table_is_refused() -> None:
    with pytest.raises(ValidationError):
        ErrorResponse.model_validate(
            {"success": False, "error": {"code": "TEAPOT", "message": "no"}}
        )
    with pytest.raises(ValidationError):
        ErrorResponse.model_validate(
            {"success": True, "error": {"code": "NOT_FOUND", "message": "no"}}
        )


def test_the_webhook_events_are_the_contract_s() -> None:
    listed = re.findall(r"^- `([a-z.]+)` - ", CONTRACT, re.M)

    assert sorted(WebhookEvent) == sorted(listed)


def test_a_webhook_payload_is_signed_and_verified_in_hex() -> None:
    body = b'{"event":"vps.created"}'
    signature = sign(body, b"whsec-test-1")

    assert re.fullmatch(r"[0-9a-f]{64}", signature)
    assert verify(body, signature, b"whsec-test-1")
    assert verify(body, signature.upper(), b"whsec-test-1")
    assert not verify(body + b" ", signature, b"whsec-test-1")
    assert not verify(body, signature, b"whsec-test-2")


# ---- what is refused ------------------------------------------------------------------------

RULE = {"action": "accept", "protocol": "tcp", "port": 80, "source": "0.0.0.0/0"}


@pytest.mark.parametrize(
    "change",
    [
        {"port": 0},
        {"port": 65536},
        {"port": "80"},
        {"source": "10.0.0.0/33"},
        {"source": "10.0.0.1/24"},
        {"source": "anywhere"},
        {"protocol": "sctp"},
        {"action": "allow"},
        {"protocol": "icmp"},  # with a port
        {"priority": 1},
    ],
    ids=repr,
)
def test_a_bad_firewall_rule_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UpdateNetworkRequest.model_validate({"firewall_rules": [{**RULE, **change}]})


def test_a_firewall_rule_takes_any_network_and_the_ports_bounds() -> None:
    rules = [
        {**RULE, "port": 1, "source": "2001:db8::/32"},
        {**RULE, "port": 65535, "source": "203.0.113.5"},
        {"action": "drop", "protocol": "icmp", "source": "10.0.0.0/8"},
    ]

    parsed = UpdateNetworkRequest.model_validate({"firewall_rules": rules}).firewall_rules

    assert [rule.source for rule in parsed] == ["2001:db8::/32", "203.0.113.5/32", "10.0.0.0/8"]
    assert parsed[2].port is None
    assert isinstance(parsed[0], FirewallRule)


@pytest.mark.parametrize("query", [VpsQuery, InvoiceQuery, TicketQuery])
def test_a_list_query_is_20_a_page_unless_told_and_at_most_100(query: type[ListQuery]) -> None:
    assert (query().page, query().limit, query().order) == (1, 20, "desc")
    assert query.model_validate({"page": "3", "limit": "100", "order": "asc"}).limit == 100
    for bad in [{"limit": 0}, {"limit": 101}, {"limit": "x"}, {"page": 0}, {"order": "up"}]:
        with pytest.raises(ValidationError):
            query.model_validate(bad)


def test_list_queries_take_the_contract_s_filters_and_sorts() -> None:
    assert VpsQuery.model_validate({"status": "stopped", "sort": "name"}).status == "stopped"
    assert TicketQuery.model_validate({"status": "in-progress", "priority": "urgent"}).status
    assert InvoiceQuery.model_validate({"status": "overdue", "start_date": "2025-01-01"})
    bad_queries: list[tuple[type[ListQuery], dict[str, str]]] = [
        (VpsQuery, {"status": "sleeping"}),
        (VpsQuery, {"sort": "ip_address"}),
        (TicketQuery, {"priority": "critical"}),
        (InvoiceQuery, {"status": "void"}),
        (InvoiceQuery, {"start_date": "2025-02-01", "end_date": "2025-01-01"}),
        (VpsQuery, {"search": "web"}),
    ]
    for query, bad in bad_queries:
        with pytest.raises(ValidationError):
            query.model_validate(bad)


@pytest.mark.parametrize(
    "bad",
    [
        {"period": "year"},
        {"period": ""},
        {"start_time": "1640995200"},
        {"start_time": "2025-01-15T12:00:00"},  # no offset
        {"start_time": "2025-01-15T13:00:00Z", "end_time": "2025-01-15T12:00:00Z"},
    ],
    ids=repr,
)
def test_a_bad_metrics_query_is_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        MetricsQuery.model_validate(bad)


@pytest.mark.parametrize("period", ["hour", "day", "week", "month"])
def test_a_metrics_query_takes_each_period_of_the_contract(period: str) -> None:
    assert MetricsQuery.model_validate({"period": period}).period == period


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (LoginRequest, {"email": "user@example.com"}),
        (RegisterRequest, {"name": "Jo", "email": "not-an-email", "password": "password123"}),
        (RegisterRequest, {"name": "Jo", "email": "jo@example.com", "password": "short"}),
        (UpdateProfileRequest, {}),
        (CreateVpsRequest, {"name": "web", "plan_id": "plan starter"}),
        (CreateVpsRequest, {"name": "", "plan_id": "plan-starter"}),
        (CreateVpsRequest, {"name": "web\nroot", "plan_id": "plan-starter"}),
        (
            CreateVpsRequest,
            {"name": "web", "plan_id": "plan-starter", "ssh_keys": ["ssh-rsa AAAA\nruncmd: x"]},
        ),
        (CreateVpsRequest, {"name": "web", "plan_id": "plan-starter", "ssh_keys": ["hello"]}),
        (RebuildVpsRequest, {"operating_system": "Ubuntu 22.04"}),
        (AddPaymentMethodRequest, {"payment_method_id": "card_123"}),
        (CreateTicketRequest, {"subject": "Slow", "description": "", "priority": "high"}),
        (CreateTicketRequest, {"subject": "Slow", "description": "x", "priority": "critical"}),
        (
            AddTicketMessageRequest,
            {
                "message": "see",
                "attachments": [{"filename": "a.png", "content_type": "image/png", "data": "!!"}],
            },
        ),
        (UpdateTicketRequest, {}),
        (UpdateTicketRequest, {"status": "resolved"}),  # staff resolve; a customer closes
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else repr(value)[:40],
)
def test_a_bad_request_body_is_refused(model: type[BaseModel], body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(body)


def test_a_password_is_never_written_out() -> None:
    request = LoginRequest.model_validate({"email": "a@example.com", "password": "hunter2-x"})

    assert "hunter2" not in repr(request)
    assert "hunter2" not in request.model_dump_json()
