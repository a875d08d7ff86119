"""What every surface says of a VPS: its status, its AI preset, and how times are written."""

from datetime import UTC, datetime
from enum import StrEnum


class AiPreset(StrEnum):
    ANTHROPIC = "anthropic"
    OPENAI = "openai"
    OLLAMA = "ollama"
    MULTI = "multi"


class InstanceStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    ERROR = "error"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, as the contract's timestamps are written."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
