"""A rotation signs with the new secret first and the old one beside it for 24 hours."""

from datetime import UTC, datetime, timedelta

from hostplane.contracts.secrets import SealedSecret
from hostplane.webhooks.domain.endpoints import KeptSecret, rotate, signing

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def sealed(name: str) -> SealedSecret:
    return SealedSecret(sealed=f"sealed-{name}", fingerprint=name)


def test_the_old_secret_signs_beside_the_new_one_for_a_day() -> None:
    kept = rotate([KeptSecret(secret=sealed("old"))], sealed("new"), NOW)
    assert signing(kept, NOW + timedelta(hours=23)) == [sealed("new"), sealed("old")]
    assert signing(kept, NOW + timedelta(hours=24)) == [sealed("new")]


def test_a_second_rotation_forgets_what_no_longer_signs_and_keeps_earlier_ends() -> None:
    once = rotate([KeptSecret(secret=sealed("a"))], sealed("b"), NOW)
    twice = rotate(once, sealed("c"), NOW + timedelta(hours=1))
    assert [s.secret.fingerprint for s in twice] == ["c", "b", "a"]
    assert twice[2].active_until == NOW + timedelta(hours=24)  # not lengthened
    thrice = rotate(twice, sealed("d"), NOW + timedelta(days=2))
    assert [s.secret.fingerprint for s in thrice] == ["d", "c"]


def test_rotating_to_the_same_secret_keeps_one() -> None:
    kept = rotate([KeptSecret(secret=sealed("a"))], sealed("a"), NOW)
    assert kept == [KeptSecret(secret=sealed("a"))]
