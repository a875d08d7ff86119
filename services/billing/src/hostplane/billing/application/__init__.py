"""Billing's use cases: the application, and the handlers of its commands."""

from hostplane.billing.application.handlers import (
    COMMAND_HANDLERS,
    handle_command,
    handle_commands_together,
)
from hostplane.billing.application.service import Billing, Rules

__all__ = [
    "COMMAND_HANDLERS",
    "Billing",
    "Rules",
    "handle_command",
    "handle_commands_together",
]
