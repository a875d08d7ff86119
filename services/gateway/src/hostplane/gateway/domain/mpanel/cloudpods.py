"""A CloudPod's status as the panel names it: `pending` while its server is provisioned,
otherwise its instance's own."""

from typing import Literal

PanelStatus = Literal["pending", "active", "suspended", "terminated", "error"]
PENDING_AS = "provisioning"  # the instance's status the panel calls pending


def panel_status(instance_status: str) -> str:
    return "pending" if instance_status == PENDING_AS else instance_status


def instance_status(status: PanelStatus) -> str:
    """The instance status a panel status filters on."""
    return PENDING_AS if status == "pending" else status
