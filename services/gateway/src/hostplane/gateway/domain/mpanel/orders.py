"""Orders placed with an `Idempotency-Key`: the same key is the same order for 24 hours."""

import hashlib
import json
from uuid import UUID, uuid5

from pydantic import BaseModel

from hostplane.contracts.identity import HOSTPLANE_NAMESPACE


def order_id_for(tenant_id: UUID, key: str) -> UUID:
    """The order a tenant's Idempotency-Key names: every replica computes the same one."""
    return uuid5(HOSTPLANE_NAMESPACE, f"order:{tenant_id}:{key}")


def place_order_id(order_id: UUID) -> UUID:
    """The command placing an order (its job): sent again, it is the same job."""
    return uuid5(HOSTPLANE_NAMESPACE, f"place-order:{order_id}")


def body_digest(body: BaseModel) -> str:
    """SHA-256 of the request as validated, in canonical JSON: the same order written with
    other spacing or key order is the same body."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
