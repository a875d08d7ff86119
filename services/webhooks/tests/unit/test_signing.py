"""A delivery's signatures, checked the way a receiver would: with hmac and base64 directly."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from hostplane.webhooks.domain.signing import (
    SecretError,
    new_secret,
    signature_headers,
    verify_seed,
    verify_standard,
)

BODY = b'{"event":"vps.created","timestamp":"2026-03-10T09:30:00Z","data":{"vps_id":"v-1"}}'
SENT = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
OLD_SECRET = "whsec_" + base64.b64encode(b"old secret of thirty-two bytes!!").decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"new secret of thirty-two bytes!!").decode()


def receiver_accepts(body: bytes, headers: dict[str, str], secret: str) -> bool:
    """A receiver following the Standard Webhooks text, independent of Hostplane's code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [entry.split(",", 1)[1] for entry in headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected, each) for each in offered)


def test_the_seed_header_is_the_hex_hmac_of_the_body_keyed_with_the_secret_text() -> None:
    headers = signature_headers(BODY, "msg_seed", SENT, [NEW_SECRET])

    expected = hmac.new(NEW_SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == expected
    assert expected == expected.lower()
    assert verify_seed(BODY, headers["X-Webhook-Signature"], NEW_SECRET)


def test_the_standard_headers_carry_the_id_and_unix_seconds_and_verify_independently() -> None:
    headers = signature_headers(BODY, "msg_standard", SENT, [NEW_SECRET])

    assert headers["webhook-id"] == "msg_standard"
    assert headers["webhook-timestamp"] == str(int(SENT.timestamp())) == "1773135000"
    assert headers["webhook-signature"].startswith("v1,")
    assert receiver_accepts(BODY, headers, NEW_SECRET)
    assert verify_standard(BODY, headers, [NEW_SECRET], now=SENT)


def test_during_a_rotation_both_secrets_sign_and_the_seed_header_uses_the_newest() -> None:
    headers = signature_headers(BODY, "msg_rotation", SENT, [NEW_SECRET, OLD_SECRET])

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert receiver_accepts(BODY, headers, OLD_SECRET)
    assert receiver_accepts(BODY, headers, NEW_SECRET)
    assert verify_standard(BODY, headers, [OLD_SECRET], now=SENT)
    assert verify_standard(BODY, headers, [NEW_SECRET], now=SENT)
    assert verify_seed(BODY, headers["X-Webhook-Signature"], NEW_SECRET)
    assert not verify_seed(BODY, headers["X-Webhook-Signature"], OLD_SECRET)


def test_a_tampered_body_fails_both_checks() -> None:
    headers = signature_headers(BODY, "msg_tampered", SENT, [NEW_SECRET])
    tampered = BODY.replace(b"v-1", b"v-2")

    assert not verify_standard(tampered, headers, [NEW_SECRET], now=SENT)
    assert not verify_seed(tampered, headers["X-Webhook-Signature"], NEW_SECRET)
    assert not receiver_accepts(tampered, headers, NEW_SECRET)


def test_a_changed_id_or_timestamp_fails_the_standard_check() -> None:
    headers = signature_headers(BODY, "msg_replayed", SENT, [NEW_SECRET])

    other_id = {**headers, "webhook-id": "msg_other"}
    later = {**headers, "webhook-timestamp": str(int(SENT.timestamp()) + 1)}
    assert not verify_standard(BODY, other_id, [NEW_SECRET], now=SENT)
    assert not verify_standard(BODY, later, [NEW_SECRET], now=SENT)


def test_a_secret_that_did_not_sign_fails() -> None:
    headers = signature_headers(BODY, "msg_stranger", SENT, [NEW_SECRET])

    assert not verify_standard(BODY, headers, [OLD_SECRET], now=SENT)
    assert not verify_seed(BODY, headers["X-Webhook-Signature"], OLD_SECRET)


@pytest.mark.parametrize("offset_s", [-301, 301, 86_400])
def test_a_timestamp_outside_the_tolerance_fails(offset_s: int) -> None:
    headers = signature_headers(BODY, "msg_stale", SENT, [NEW_SECRET])

    assert not verify_standard(BODY, headers, [NEW_SECRET], now=SENT + timedelta(seconds=offset_s))


@pytest.mark.parametrize("offset_s", [-300, 0, 300])
def test_a_timestamp_within_the_tolerance_passes(offset_s: int) -> None:
    headers = signature_headers(BODY, "msg_fresh", SENT, [NEW_SECRET])

    assert verify_standard(BODY, headers, [NEW_SECRET], now=SENT + timedelta(seconds=offset_s))


def test_the_tolerance_can_be_narrowed() -> None:
    headers = signature_headers(BODY, "msg_narrow", SENT, [NEW_SECRET])

    later = SENT + timedelta(seconds=61)
    assert not verify_standard(BODY, headers, [NEW_SECRET], now=later, tolerance_s=60)


def test_header_names_are_matched_whatever_their_case() -> None:
    headers = signature_headers(BODY, "msg_case", SENT, [NEW_SECRET])
    shouted = {name.upper(): value for name, value in headers.items()}

    assert verify_standard(BODY, shouted, [NEW_SECRET], now=SENT)


@pytest.mark.parametrize(
    "broken",
    [
        {"webhook-signature": ""},
        {"webhook-signature": "v2,abc"},
        {"webhook-timestamp": "soon"},
        {"webhook-timestamp": ""},
        {"webhook-id": ""},
    ],
)
def test_missing_or_malformed_headers_fail(broken: dict[str, str]) -> None:
    headers = {**signature_headers(BODY, "msg_broken", SENT, [NEW_SECRET]), **broken}

    assert not verify_standard(BODY, headers, [NEW_SECRET], now=SENT)


def test_the_seed_signature_is_read_in_either_case_and_garbage_fails() -> None:
    signature = signature_headers(BODY, "msg_hex", SENT, [NEW_SECRET])["X-Webhook-Signature"]

    assert verify_seed(BODY, signature.upper(), NEW_SECRET)
    assert not verify_seed(BODY, "é" + signature[1:], NEW_SECRET)
    assert not verify_seed(BODY, "", NEW_SECRET)


def test_new_secrets_are_whsec_and_32_random_bytes_each_time() -> None:
    first, second = new_secret(), new_secret()

    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


def test_a_delivery_needs_a_secret_and_a_secret_needs_base64() -> None:
    with pytest.raises(SecretError):
        signature_headers(BODY, "msg_unsigned", SENT, [])
    with pytest.raises(SecretError):
        signature_headers(BODY, "msg_badsecret", SENT, ["whsec_not*base64"])
