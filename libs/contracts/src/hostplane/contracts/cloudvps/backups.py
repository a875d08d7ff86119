"""Seed 003, VPS Backups: a VPS's backups, and the one a customer asks for."""

from typing import Annotated, Literal

from pydantic import Field

from hostplane.contracts.cloudvps.wire import Body, Id, Label, Request, Timestamp


class Backup(Body):
    id: Id
    name: str
    description: str | None = None
    size: float
    size_unit: Literal["MB", "GB", "TB"]
    type: Literal["automatic", "manual"]
    status: Literal["pending", "in_progress", "completed", "failed"]
    created_at: Timestamp


class CreateBackupRequest(Request):
    name: Label
    description: Annotated[str, Field(max_length=500)] | None = None
