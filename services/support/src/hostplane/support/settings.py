"""Support settings, from the environment.

Attachments travel inside the command that adds their message, so a message's files must fit
one Kafka record (1 MiB by default) once in base64: the defaults allow 3 files of 192 KiB.
The gateway reads the same `SUPPORT_ATTACHMENT_*` variables and refuses what these refuse.
"""

from pydantic import Field

from hostplane.contracts.attachments import DEFAULT_TYPES, AttachmentLimits
from hostplane.contracts.cloudvps.tickets import MAX_ATTACHMENT_BYTES
from hostplane.messaging.settings import InfraSettings


class Settings(InfraSettings):
    support_attachment_max_bytes: int = Field(default=192 * 1024, ge=1, le=MAX_ATTACHMENT_BYTES)
    support_attachment_max_count: int = Field(default=3, ge=0, le=5)
    # The content types accepted (JSON list), each checked against the file's bytes.
    support_attachment_types: frozenset[str] = DEFAULT_TYPES

    @property
    def attachment_limits(self) -> AttachmentLimits:
        return AttachmentLimits(
            max_bytes=self.support_attachment_max_bytes,
            max_count=self.support_attachment_max_count,
            types=self.support_attachment_types,
        )
