"""What a support ticket's attachment may be, judged by its bytes: the rules the gateway
applies before it sends a message and the support service applies again before it stores one.

A file's type is what its first bytes say (`puremagic`), not what the sender declared: the
declared type must be one the bytes are, and on the allow-list. Plain text has no magic
number: it is text when it is UTF-8 without control characters other than whitespace.
Filenames are reduced to one safe name (no path, no control or shell characters).
"""

import base64
import binascii
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import puremagic

TEXT = "text/plain"
DEFAULT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", TEXT}
)
UNSAFE = re.compile(r"[^\w.\- ()+]+")
MAX_FILENAME = 255


class AttachmentRefused(ValueError):
    """An attachment that may not be stored; its text says why, naming the file."""


@dataclass(frozen=True)
class AttachmentLimits:
    max_bytes: int
    max_count: int
    types: frozenset[str] = DEFAULT_TYPES


class Upload(Protocol):
    """An attachment as it arrives: a name, a declared type and base64 data."""

    @property
    def filename(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def data(self) -> str: ...


@dataclass(frozen=True)
class CheckedAttachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_attachments(
    uploads: Sequence[Upload], limits: AttachmentLimits
) -> list[CheckedAttachment]:
    """Every upload decoded and judged; AttachmentRefused for the first that may not be kept."""
    if len(uploads) > limits.max_count:
        raise AttachmentRefused(f"a message may carry at most {limits.max_count} files")
    return [check_attachment(upload, limits) for upload in uploads]


def check_attachment(upload: Upload, limits: AttachmentLimits) -> CheckedAttachment:
    filename = safe_filename(upload.filename)
    try:
        data = base64.b64decode(upload.data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise AttachmentRefused(f"{filename}: its data is not base64") from error
    if not data:
        raise AttachmentRefused(f"{filename}: the file is empty")
    if len(data) > limits.max_bytes:
        raise AttachmentRefused(f"{filename}: a file may hold at most {limits.max_bytes} bytes")
    declared = upload.content_type.lower()
    if declared not in limits.types:
        allowed = ", ".join(sorted(limits.types))
        raise AttachmentRefused(f"{filename}: {declared} is not accepted (only {allowed})")
    if declared not in sniffed_types(data):
        raise AttachmentRefused(f"{filename}: its content is not {declared}")
    return CheckedAttachment(filename=filename, content_type=declared, data=data)


def sniffed_types(data: bytes) -> set[str]:
    """The types the bytes are, as far as their magic numbers (or plain text) tell."""
    try:
        found = {match.mime_type for match in puremagic.magic_string(data) if match.mime_type}
    except (puremagic.PureError, ValueError):
        found = set()
    if not found and _is_text(data):
        found.add(TEXT)
    return found


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def safe_filename(name: str) -> str:
    """The name without any path, control or unusual characters; `attachment` if none
    remain. The extension is kept when the name is shortened."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name))[-1]
    cleaned = UNSAFE.sub("_", base).strip(" ._")
    if not cleaned:
        return "attachment"
    if len(cleaned) > MAX_FILENAME:
        stem, dot, extension = cleaned.rpartition(".")
        keep = extension[:16] if dot else ""
        cleaned = (stem if dot else cleaned)[: MAX_FILENAME - len(keep) - 1] + (
            f".{keep}" if keep else ""
        )
    return cleaned
