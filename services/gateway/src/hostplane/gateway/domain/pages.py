"""Keyset pages of log lines: where a page ended, handed to the caller as an opaque cursor."""

import base64
from dataclasses import dataclass
from datetime import datetime

from hostplane.gateway.domain.errors import Invalid


@dataclass(frozen=True)
class LogCursor:
    """The (timestamp, id) of the last line of a page: the next page starts below it."""

    ts: datetime
    row_id: int

    def encode(self) -> str:
        text = f"{self.ts.isoformat()}|{self.row_id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "LogCursor":
        """The cursor a page handed out; VALIDATION_ERROR when it is not one of ours."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            ts, _, row_id = text.partition("|")
            moment = datetime.fromisoformat(ts)
            if moment.tzinfo is None:
                raise ValueError("a cursor's time has its zone")
            return cls(moment, int(row_id))
        except ValueError as error:  # binascii and decoding errors are ValueErrors too
            raise Invalid("Invalid cursor", {"cursor": "not a cursor"}) from error
