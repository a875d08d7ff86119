"""Deterministic identities that both the gateway and the services compute."""

import base64
import hashlib
import hmac
from uuid import UUID, uuid5

HOSTPLANE_NAMESPACE = UUID("6f1d3c0e-5b8a-4c1e-9d57-3a1f2b7c9e40")


def instance_id_for(whmcs_service_id: int) -> UUID:
    """The instance a WHMCS service maps to: a retried create lands on the same instance."""
    return uuid5(HOSTPLANE_NAMESPACE, f"whmcs-service:{whmcs_service_id}")


def default_subdomain(instance_id: UUID) -> str:
    """A short DNS label for an instance without a custom hostname (50 bits of its id)."""
    return base64.b32encode(instance_id.bytes).decode("ascii")[:10].lower()


def user_id_for(whmcs_client_id: int) -> UUID:
    """The dashboard user of a WHMCS client: the `sub` of that client's tokens."""
    return uuid5(HOSTPLANE_NAMESPACE, f"whmcs-client:{whmcs_client_id}")


def instance_token(secret: str, instance_id: UUID) -> str:
    """The bearer token an instance gets in its user data (HMAC of its id: nothing to store).

    Provisioning hands it out; the gateway checks it without a lookup, so a server calling
    back before the read models know it is not turned away.
    """
    return hmac.new(secret.encode(), instance_id.bytes, hashlib.sha256).hexdigest()


def tenant_id_for(name: str) -> UUID:
    """A tenant's id, from its name (unique, case-insensitive): a retried create lands on it,
    and every process finds the default tenant (`DEFAULT_TENANT_NAME`) without a lookup."""
    return uuid5(HOSTPLANE_NAMESPACE, f"tenant:{name.strip().lower()}")


def operator_id_for(email: str) -> UUID:
    """An operator's id, from its email (unique across tenants, case-insensitive)."""
    return uuid5(HOSTPLANE_NAMESPACE, f"operator:{email.strip().lower()}")


def stripe_event_command_id(event_id: str) -> UUID:
    """The command (and job) a Stripe event becomes: a delivery seen before is one job."""
    return uuid5(HOSTPLANE_NAMESPACE, f"stripe-event:{event_id}")


def cloudpod_instance_id(subscription_id: UUID) -> UUID:
    """The instance a subscription's CloudPod is: asked for twice, it is one instance."""
    return uuid5(HOSTPLANE_NAMESPACE, f"cloudpod:{subscription_id}")
