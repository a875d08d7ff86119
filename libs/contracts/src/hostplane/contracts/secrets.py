"""Secrets that cross a process sealed: an instance's AI API keys and channel tokens.

The gateway seals each secret with the shared `CONFIG_SECRETS_KEY` (Fernet: AES-128-CBC with
HMAC-SHA256) before it goes on Kafka, and sends a keyed fingerprint alongside, so services can
tell whether a secret changed without ever seeing it. Only the code that hands the config to
the instance opens them.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet
from pydantic import BaseModel, ConfigDict


class SealedSecret(BaseModel):
    model_config = ConfigDict(frozen=True)

    sealed: str
    fingerprint: str


class SecretBox:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())
        self._fingerprint_key = hashlib.sha256(b"fingerprint:" + key.encode()).digest()

    def seal(self, value: str) -> SealedSecret:
        return SealedSecret(
            sealed=self._fernet.encrypt(value.encode()).decode(),
            fingerprint=hmac.new(self._fingerprint_key, value.encode(), "sha256").hexdigest(),
        )

    def open(self, secret: SealedSecret) -> str:
        return self._fernet.decrypt(secret.sealed.encode()).decode()


def new_key() -> str:
    """A fresh CONFIG_SECRETS_KEY."""
    return Fernet.generate_key().decode()
