"""Operators' passwords: argon2 hashes that verify, and placeholders refused."""

import pytest

from hostplane.billing.domain.passwords import (
    PLACEHOLDER_PASSWORDS,
    hash_password,
    is_placeholder,
    verify_password,
)


def test_a_hash_verifies_its_password_and_no_other() -> None:
    hashed = hash_password("correct horse battery staple")

    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "correct horse battery stapler")
    assert not verify_password(hashed, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("s3cret-pass") != hash_password("s3cret-pass")


def test_unicode_passwords_round_trip() -> None:
    hashed = hash_password("pässwörd-密码")

    assert verify_password(hashed, "pässwörd-密码")


@pytest.mark.parametrize("hashed", ["", "plain-text", "$argon2id$v=19$broken"])
def test_a_malformed_hash_verifies_nothing(hashed: str) -> None:
    assert not verify_password(hashed, "plain-text")


def test_placeholders_are_the_usual_defaults() -> None:
    assert {"", "changeme", "change-me", "admin", "password", "admin123", "changeme123"} == set(
        PLACEHOLDER_PASSWORDS
    )


@pytest.mark.parametrize("plain", ["changeme", " Admin ", "PASSWORD", ""])
def test_a_placeholder_is_recognised_in_any_case(plain: str) -> None:
    assert is_placeholder(plain)


def test_a_real_password_is_not_a_placeholder() -> None:
    assert not is_placeholder("Tr0ub4dor&3-long")
