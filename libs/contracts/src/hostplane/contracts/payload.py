"""What every event payload is: a CloudEvents type, the topic it travels on, and when."""

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from hostplane.contracts.topics import Topic


class EventPayload(BaseModel):
    model_config = ConfigDict(frozen=True)

    ce_type: ClassVar[str]
    topic: ClassVar[Topic]

    occurred_at: datetime
