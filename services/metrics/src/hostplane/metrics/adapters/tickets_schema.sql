-- Support tickets (seed 003's Support Tickets), from `support.events`, beside the others in
-- the same schema. Every payload carries its ticket's state: a row is written from any event
-- newer than its `version`. A message arrives once (its id), with its files' metadata only.

CREATE TABLE IF NOT EXISTS tickets (
    id            uuid PRIMARY KEY,
    version       bigint NOT NULL,
    tenant_id     uuid NOT NULL,
    owner_id      uuid NOT NULL,  -- the CloudVPS account whose ticket it is
    subject       text NOT NULL,
    description   text NOT NULL,
    category      text NOT NULL,
    priority      text NOT NULL,
    priority_rank smallint NOT NULL,  -- low 0 … urgent 3, for sorting by urgency
    status        text NOT NULL,
    vps_id        uuid,
    message_count integer NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS tickets_by_owner ON tickets (tenant_id, owner_id, updated_at DESC, id);
CREATE INDEX IF NOT EXISTS tickets_by_tenant ON tickets (tenant_id, updated_at DESC, id);

CREATE TABLE IF NOT EXISTS ticket_messages (
    id          uuid PRIMARY KEY,
    ticket_id   uuid NOT NULL,
    author_id   uuid NOT NULL,
    author_role text NOT NULL,  -- user | admin
    body        text NOT NULL,
    attachments jsonb NOT NULL,  -- [AttachmentStored]: name, type, size, digest
    created_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ticket_messages_by_ticket ON ticket_messages (ticket_id, created_at, id);
