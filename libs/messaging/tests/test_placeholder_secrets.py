"""In production a service refuses to start while a secret still holds a template's placeholder."""

from typing import ClassVar

import pytest
from pydantic import ValidationError

from hostplane.messaging.settings import InfraSettings


class ServiceSettings(InfraSettings):
    secret_settings: ClassVar[tuple[str, ...]] = ("api_token",)

    api_token: str = ""


@pytest.mark.parametrize("placeholder", ["change-me", "CHANGE-ME", " changeme ", "replace-me"])
def test_production_refuses_a_placeholder_in_a_secret_of_the_service(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="API_TOKEN: replace the placeholder"):
        ServiceSettings(environment="production", api_token=placeholder)


def test_production_refuses_a_placeholder_in_a_secret_every_service_shares() -> None:
    with pytest.raises(ValidationError, match="EVENT_STORE_CIPHER_KEY"):
        ServiceSettings(environment="production", event_store_cipher_key="change-me")


def test_every_placeholder_left_is_named_at_once() -> None:
    with pytest.raises(ValidationError, match="API_TOKEN, EVENT_STORE_CIPHER_KEY"):
        ServiceSettings(
            environment="production", api_token="change-me", event_store_cipher_key="change-me"
        )


def test_production_takes_real_secrets_and_development_takes_placeholders() -> None:
    assert ServiceSettings(environment="production", api_token="s3cr3t-9f2c").api_token
    assert ServiceSettings(environment="development", api_token="change-me").api_token


def test_a_setting_that_is_no_secret_may_read_like_a_placeholder() -> None:
    assert ServiceSettings(environment="production", log_level="change-me").log_level
