"""The support service on real Kafka and PostgreSQL: a ticket opened and answered with a
file publishes its events with the file's metadata only and keeps its bytes once; a command
delivered again is one effect; a disguised file fails its job and leaves nothing behind."""

import base64
import hashlib
import json
from uuid import UUID, uuid4

from hostplane.contracts.cloudvps.tickets import TicketPriority
from hostplane.contracts.commands import support as commands

from .conftest import Service

TENANT, OWNER = uuid4(), uuid4()
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201e227ba6a0000000049454e44ae426082"
)


def _open(service: Service) -> UUID:
    ticket_id = uuid4()
    job = service.command(
        commands.OpenTicket(
            tenant_id=TENANT,
            ticket_id=ticket_id,
            actor_id=OWNER,
            actor_role="user",
            subject="Slow disk",
            description="Since yesterday",
            priority=TicketPriority.HIGH,
            category="technical",
        )
    )
    assert service.finished(job) == "job.succeeded"
    return ticket_id


def _message(ticket_id: UUID, data: bytes, kind: str = "image/png") -> commands.AddTicketMessage:
    return commands.AddTicketMessage(
        tenant_id=TENANT,
        ticket_id=ticket_id,
        actor_id=OWNER,
        actor_role="user",
        message_id=uuid4(),
        body="See the screenshot",
        attachments=[
            commands.AttachmentUpload(
                filename="../screen shot.png",
                content_type=kind,
                data=base64.b64encode(data).decode(),
            )
        ],
    )


def _stored(service: Service, data: bytes) -> list[tuple[bytes]]:
    digest = hashlib.sha256(data).hexdigest()
    return [
        (bytes(row[0]),)
        for row in service.rows("SELECT data FROM support.attachments WHERE sha256 = %s", digest)
    ]


def test_a_reply_with_a_file_is_published_with_its_metadata_and_kept_once(
    service: Service,
) -> None:
    ticket_id = _open(service)
    message = _message(ticket_id, PNG)
    job = service.command(message)
    service.command(message, command_id=job)  # delivered again under the same job
    assert service.finished(job) == "job.succeeded"
    again = service.command(message)  # sent again as a new job: still one message
    assert service.finished(again) == "job.succeeded"

    events = service.ticket_events(ticket_id)
    assert [e.ce_type for e in events] == ["ticket.opened", "ticket.message_added"]
    added = json.loads(events[1].value)
    (file,) = added["message"]["attachments"]
    assert (file["filename"], file["size"], file["sha256"]) == (
        "screen shot.png",
        len(PNG),
        hashlib.sha256(PNG).hexdigest(),
    )
    assert base64.b64encode(PNG).decode() not in events[1].value.decode()
    assert added["message_count"] == 1 and added["status"] == "open"
    assert _stored(service, PNG) == [(PNG,)]


def test_a_disguised_file_fails_its_job_and_leaves_nothing(service: Service) -> None:
    ticket_id = _open(service)
    program = b"MZ\x90\x00" + uuid4().bytes + b"\x00" * 48
    job = service.command(_message(ticket_id, program))
    assert service.finished(job) == "job.failed"
    assert _stored(service, program) == []
    assert [e.ce_type for e in service.ticket_events(ticket_id)] == ["ticket.opened"]


def test_another_users_ticket_is_not_found_to_them(service: Service) -> None:
    ticket_id = _open(service)
    stranger = commands.UpdateTicket(
        tenant_id=TENANT,
        ticket_id=ticket_id,
        actor_id=uuid4(),
        actor_role="user",
        priority=TicketPriority.LOW,
    )
    assert service.finished(service.command(stranger)) == "job.failed"
    assert [e.ce_type for e in service.ticket_events(ticket_id)] == ["ticket.opened"]
