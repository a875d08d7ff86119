"""Stripe's wire format: form bodies in bracket notation, its error object, ids and lists.

Stripe's API takes `application/x-www-form-urlencoded` bodies whose keys nest with brackets
(`metadata[invoice_id]=…`, `line_items[0][price_data][currency]=…`) and answers JSON. A
client library decides which exception to raise from the status and the error's `type`, so
both have to be Stripe's exactly.
"""

import re
import secrets
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse

Wire = dict[str, Any]
ID_ALPHABET = string.ascii_letters + string.digits
_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SUBKEY = re.compile(r"\[([^\[\]]*)\]")
# Stripe's limits on metadata: what passes here also passes there.
METADATA_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 50, 40, 500


class StripeError(Exception):
    """An answer in Stripe's error shape: `{"error": {type, code, message, param, ...}}`.

    `extra` carries what Stripe adds for some errors, such as the PaymentIntent and the
    charge of a card decline.
    """

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: Wire | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message
        self.code, self.param, self.decline_code = code, param, decline_code
        self.extra = extra or {}

    def body(self) -> Wire:
        error: Wire = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        if self.decline_code:
            error["decline_code"] = self.decline_code
        return {"error": {**error, **self.extra}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), self.status)


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    """400 invalid_request_error: the library raises InvalidRequestError."""
    return StripeError(400, "invalid_request_error", message, code=code, param=param)


def missing_param(param: str) -> StripeError:
    return invalid(f"Missing required param: {param}.", param, "parameter_missing")


def no_such(noun: str, object_id: str, param: str = "id") -> StripeError:
    """An unknown object: 404 when the path names it, 400 when a parameter does (as Stripe)."""
    status = 404 if param == "id" else 400
    return StripeError(
        status,
        "invalid_request_error",
        f"No such {noun}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}_{''.join(secrets.choice(ID_ALPHABET) for _ in range(length))}"


# ---- form bodies -------------------------------------------------------------------------


def _path(key: str) -> list[str]:
    """`a[b][0]` → ["a", "b", "0"]; a key that is not bracket notation stays whole."""
    match = _KEY.fullmatch(key)
    if match is None:
        return [key]
    return [match[1], *_SUBKEY.findall(match[2])]


def _lists(node: Any) -> Any:
    """Dicts keyed 0, 1, 2… (how arrays travel) become lists in their order."""
    if not isinstance(node, dict):
        return node
    values = {k: _lists(v) for k, v in node.items()}
    if values and all(k.isdigit() for k in values):
        return [values[k] for k in sorted(values, key=int)]
    return values


def decode_form(raw: str) -> Wire:
    """A form body (or query string) in bracket notation as nested dicts and lists."""
    root: Wire = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        *parents, last = _path(key)
        node = root
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise invalid(f"Invalid object: {key}", key)
            node = child
        node[last or str(len(node))] = value  # `expand[]=x` appends
    return dict(_lists(root))


class Form:
    """A decoded request, read field by field as Stripe validates it.

    Every reader names the field in Stripe's bracket notation when it refuses it, so errors
    carry the `param` Stripe would report (`line_items[0][quantity]`).
    """

    def __init__(self, fields: Mapping[str, Any], path: str = "") -> None:
        self._fields, self._path = fields, path

    @classmethod
    def decode(cls, raw: str) -> "Form":
        return cls(decode_form(raw))

    def param(self, name: str) -> str:
        return f"{self._path}[{name}]" if self._path else name

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def cleared(self, name: str) -> bool:
        """`metadata=` (empty): the whole hash is to be emptied."""
        return self._fields.get(name) == ""

    def text(self, name: str) -> str | None:
        value = self._fields.get(name)
        if value is not None and not isinstance(value, str):
            raise invalid(f"Invalid string: {value}", self.param(name))
        return value

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise missing_param(self.param(name))
        return value

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise invalid(f"Invalid integer: {value}", self.param(name)) from None

    def flag(self, name: str) -> bool:
        value = self.text(name)
        if value not in (None, "", "true", "false"):
            raise invalid(f"Invalid boolean: {value}", self.param(name))
        return value == "true"

    def section(self, name: str) -> "Form":
        value = self._fields.get(name, {})
        if value == "":  # `metadata=` clears a hash
            value = {}
        if not isinstance(value, dict):
            raise invalid(f"Invalid object: {self.param(name)}", self.param(name))
        return Form(value, self.param(name))

    def entries(self, name: str) -> list["Form"]:
        value = self._fields.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise invalid(f"Invalid array: {self.param(name)}", self.param(name))
        return [Form(v, f"{self.param(name)}[{i}]") for i, v in enumerate(value)]

    def strings(self, name: str) -> list[str]:
        value = self._fields.get(name, [])
        values = value if isinstance(value, list) else [value]
        return [v for v in values if isinstance(v, str)]

    def metadata(self, name: str = "metadata") -> dict[str, str]:
        """A metadata hash; an empty value means "remove this key" to the caller."""
        section = self.section(name)
        values = {key: section.text(key) or "" for key in section._fields}
        if len(values) > METADATA_KEYS:
            raise invalid(f"Metadata can have up to {METADATA_KEYS} keys.", self.param(name))
        for key, value in values.items():
            if len(key) > METADATA_KEY_LENGTH or len(value) > METADATA_VALUE_LENGTH:
                raise invalid(
                    f"Metadata keys are at most {METADATA_KEY_LENGTH} characters and values "
                    f"at most {METADATA_VALUE_LENGTH}.",
                    section.param(key),
                )
        return values


def merge_metadata(current: dict[str, str], update: dict[str, str]) -> dict[str, str]:
    """Stripe's update rule: keys are set one by one, and an empty value unsets its key."""
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v != ""}


# ---- lists -------------------------------------------------------------------------------


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)


def list_page(items: Sequence[T], form: Form, url: str, wire: Callable[[T], Wire]) -> Wire:
    """A page of a list, newest first, with Stripe's `limit` and cursors (`starting_after`,
    `ending_before`) so a library's auto-paging iterates it all."""
    limit = form.integer("limit") or 10
    if not 1 <= limit <= 100:
        raise invalid("Limit must be between 1 and 100.", "limit")
    newest_first = list(reversed(items))
    ids = [item.id for item in newest_first]
    after, before = form.text("starting_after"), form.text("ending_before")
    if after:
        if after not in ids:
            raise no_such("object", after, "starting_after")
        chunk = newest_first[ids.index(after) + 1 :]
        page, has_more = chunk[:limit], len(chunk) > limit
    elif before:
        if before not in ids:
            raise no_such("object", before, "ending_before")
        chunk = newest_first[: ids.index(before)]
        page, has_more = chunk[-limit:], len(chunk) > limit
    else:
        page, has_more = newest_first[:limit], len(newest_first) > limit
    return {"object": "list", "data": [wire(i) for i in page], "has_more": has_more, "url": url}
