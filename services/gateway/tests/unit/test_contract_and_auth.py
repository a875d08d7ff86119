"""Request validation and signatures, without I/O."""

import hashlib
import hmac

import pytest
from pydantic import ValidationError

from hostplane.contracts.catalog import Region
from hostplane.contracts.identity import default_subdomain, instance_id_for, instance_token
from hostplane.contracts.openclaw.instances import CreateInstanceRequest
from hostplane.gateway.domain.catalog import region_named
from hostplane.gateway.domain.errors import RegionUnavailable
from hostplane.gateway.domain.signatures import whmcs_signature
from hostplane.messaging.settings import CatalogSettings

ORDER = {
    "whmcs_service_id": 1,
    "whmcs_client_id": 2,
    "plan": "starter",
    "region": "eu-frankfurt",
    "email": "a@example.com",
}


def test_the_signature_is_hex_hmac_over_body_then_timestamp() -> None:
    body, timestamp = b'{"a":1}', "1700000000"
    expected = hmac.new(b"secret", b'{"a":1}1700000000', hashlib.sha256).hexdigest()
    assert whmcs_signature("secret", body, timestamp) == expected
    assert whmcs_signature("secret", b"", timestamp) != whmcs_signature("other", b"", timestamp)


def test_instance_tokens_are_per_instance_and_per_secret() -> None:
    first, second = instance_id_for(1), instance_id_for(2)
    assert instance_token("s", first) == instance_token("s", first)
    assert instance_token("s", first) != instance_token("s", second)
    assert instance_token("s", first) != instance_token("t", first)
    assert len(instance_token("s", first)) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"whmcs_service_id": "1"},  # strict: a string is not an id
        {"whmcs_service_id": 0},
        {"email": "nope"},
        {"hostname": "-bad-"},
        {"hostname": "x" * 64},
        {"ssh_key_ids": ["k"] * 21},
        {"ai_preset": "gpt"},
        {"unexpected": True},
    ],
)
def test_malformed_orders_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CreateInstanceRequest.model_validate({**ORDER, **change})


def test_a_valid_order_normalises_the_hostname() -> None:
    order = CreateInstanceRequest.model_validate({**ORDER, "hostname": "My-Shop"})
    assert order.hostname == "my-shop"


def test_ids_and_subdomains_are_stable_per_service() -> None:
    assert instance_id_for(42) == instance_id_for(42) != instance_id_for(43)
    subdomain = default_subdomain(instance_id_for(42))
    assert len(subdomain) == 10
    assert subdomain.isalnum()
    assert subdomain == subdomain.lower()


def test_tokyo_is_in_the_contract_but_not_sold_by_default() -> None:
    regions = CatalogSettings().regions
    with pytest.raises(RegionUnavailable):
        region_named("jp-tokyo", regions)
    assert region_named("eu-helsinki", regions) is Region.EU_HELSINKI
