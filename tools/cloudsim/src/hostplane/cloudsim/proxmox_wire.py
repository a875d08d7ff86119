"""How Proxmox VE's API speaks: the `{"data": ...}` envelope, its errors, form bodies, tokens."""

import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import JSONResponse

TOKEN = re.compile(r"^PVEAPIToken=([^@\s]+@[^!\s]+![^=\s]+)=(\S+)$")
UPLOADABLE = ("iso", "vztmpl", "import")


def token_user(authorization: str, expected: str | None) -> str | None:
    """The `user@realm!tokenid` of a well-formed `PVEAPIToken=` header (and, when one is
    configured, the expected `user@realm!tokenid=secret`), else None."""
    match = TOKEN.match(authorization)
    if match is None or (expected is not None and f"{match[1]}={match[2]}" != expected):
        return None
    return match[1]


def user_of(request: Request) -> str:
    """The token's `user@realm!tokenid`, which tasks are recorded under."""
    return str(getattr(request.state, "proxmox_user", "root@pam"))


def error(status: int, message: str, errors: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"data": None, "message": f"{message}\n"}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status)


def data(value: Any) -> dict[str, Any]:
    return {"data": value}


@dataclass
class Form:
    """A request's parameters: query and form fields, and uploaded files (name, content)."""

    fields: dict[str, str]
    files: dict[str, tuple[str, bytes]]


async def form(request: Request) -> Form:
    fields, files = dict(request.query_params), {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            if part.get_filename():
                files[name] = (str(part.get_filename()), content)
            else:
                fields[name] = content.decode()
    elif body:
        fields.update(parse_qsl(body.decode()))
    return Form(fields, files)


def refused_parameters(
    fields: dict[str, str], required: tuple[str, ...] = (), integers: tuple[str, ...] = ()
) -> JSONResponse | None:
    """Proxmox's 400 for missing or mistyped parameters, one message per parameter."""
    errors = {
        name: "property is missing and it is not optional"
        for name in required
        if name not in fields
    }
    errors |= {
        name: f"type check ('integer') failed - got '{fields[name]}'"
        for name in integers
        if name in fields and not fields[name].lstrip("-").isdigit()
    }
    return error(400, "Parameter verification failed.", errors) if errors else None


def refused_upload(kind: str, sent: Form) -> JSONResponse | None:
    errors = {}
    if kind not in UPLOADABLE:
        allowed = ", ".join(UPLOADABLE)
        errors["content"] = f"value '{kind}' does not have a value in the enumeration '{allowed}'"
    if "filename" not in sent.files:
        errors["filename"] = "property is missing and it is not optional"
    elif kind == "iso" and not sent.files["filename"][0].endswith((".iso", ".img")):
        errors["filename"] = "wrong file extension"
    return error(400, "Parameter verification failed.", errors) if errors else None
