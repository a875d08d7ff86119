-- A VPS's backups (events of vps.events published under the backup's id).
CREATE TABLE IF NOT EXISTS backups (
    id            uuid PRIMARY KEY,
    version       bigint NOT NULL,
    instance_id   uuid NOT NULL,
    name          text NOT NULL,
    description   text,
    kind          text NOT NULL,  -- manual | automatic
    status        text NOT NULL,  -- creating | available | failed | deleting | deleted
    size_bytes    bigint NOT NULL DEFAULT 0,
    error_code    text,
    error_message text,
    requested_at  timestamptz NOT NULL,
    taken_at      timestamptz,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS backups_by_instance ON backups (instance_id, requested_at, id);
