"""Provisioning's use cases: the application (`service.py`) and its command handlers."""

from hostplane.provisioning.application.handlers import COMMAND_HANDLERS, handle_command
from hostplane.provisioning.application.service import Provisioning

__all__ = ["COMMAND_HANDLERS", "Provisioning", "handle_command"]
