"""Operators' passwords: argon2id hashes, and the placeholders no real deployment may keep."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Settings refuse these as an initial password outside development.
PLACEHOLDER_PASSWORDS = frozenset(
    {"", "changeme", "change-me", "admin", "password", "admin123", "changeme123"}
)

_HASHER = PasswordHasher()


def hash_password(plain: str) -> str:
    """An argon2id hash of `plain` (salted: two hashes of one password differ)."""
    return _HASHER.hash(plain)


def verify_password(hashed: str, plain: str) -> bool:
    """Whether `plain` is the password `hashed` was made from; False for a malformed hash."""
    try:
        return _HASHER.verify(hashed, plain)
    except (VerificationError, InvalidHashError):
        return False


def is_placeholder(plain: str) -> bool:
    """Whether `plain` is a placeholder password, in any case or padding."""
    return plain.strip().lower() in PLACEHOLDER_PASSWORDS
