"""An endpoint's secrets: which of them sign, and how a rotation keeps the old one a while.

A rotation puts the new secret first (it signs the seed's single-signature header) and keeps
the previous ones signing beside it for `ROTATION_OVERLAP`, so receivers can switch without
missing a delivery; a secret past its time is forgotten at the next rotation.
"""

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from hostplane.contracts.secrets import SealedSecret

ROTATION_OVERLAP = timedelta(hours=24)


class KeptSecret(BaseModel):
    """A secret as the endpoint keeps it: sealed, and until when it signs (None: for good)."""

    model_config = ConfigDict(frozen=True)

    secret: SealedSecret
    active_until: AwareDatetime | None = None

    def active(self, now: datetime) -> bool:
        return self.active_until is None or now < self.active_until


def rotate(kept: list[KeptSecret], new: SealedSecret, now: datetime) -> list[KeptSecret]:
    """The secrets after rotating to `new` at `now`, newest first."""
    ends = now + ROTATION_OVERLAP
    previous = [
        KeptSecret(secret=s.secret, active_until=min(s.active_until or ends, ends))
        for s in kept
        if s.active(now) and s.secret.fingerprint != new.fingerprint
    ]
    return [KeptSecret(secret=new), *previous]


def signing(kept: list[KeptSecret], now: datetime) -> list[SealedSecret]:
    """The secrets that sign a delivery made at `now`, newest first."""
    return [s.secret for s in kept if s.active(now)]
