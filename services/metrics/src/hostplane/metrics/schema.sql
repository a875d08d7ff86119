-- The read models the gateway serves from. Rebuildable: drop the schema and replay.
CREATE SCHEMA IF NOT EXISTS views;

CREATE TABLE IF NOT EXISTS views.tracking (
    stream      text PRIMARY KEY,          -- topic:partition
    next_offset bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS views.instances (
    id                   uuid PRIMARY KEY,
    version              integer NOT NULL,  -- last applied ce_sequence of the instance
    whmcs_service_id     bigint NOT NULL,
    whmcs_client_id      bigint NOT NULL,
    email                text NOT NULL,
    plan                 text NOT NULL,
    region               text NOT NULL,
    status               text NOT NULL,
    subdomain            text NOT NULL,
    server_type          text NOT NULL,
    location             text NOT NULL,
    ready_token_sha256   text NOT NULL,
    ip_address           text,
    hetzner_id           bigint,
    datacenter           text,
    cloudflare_record_id text,
    fqdn                 text,
    openclaw_version     text,
    gateway_port         integer,
    pending_operation    text,
    error_code           text,
    error_message        text,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    ready_at             timestamptz,
    suspended_at         timestamptz,
    unsuspended_at       timestamptz,
    terminated_at        timestamptz,
    data_deleted         boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS instances_whmcs_service ON views.instances (whmcs_service_id);
CREATE INDEX IF NOT EXISTS instances_subdomain ON views.instances (subdomain);

CREATE TABLE IF NOT EXISTS views.dns_records (
    instance_id uuid PRIMARY KEY,
    record_name text NOT NULL,
    record_id   text,
    content     text,
    status      text NOT NULL,             -- created | failed | deleted
    error       text,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS views.jobs (
    id            uuid PRIMARY KEY,
    instance_id   uuid,
    command       text,
    status        text NOT NULL,           -- running | succeeded | failed
    error_code    text,
    error_message text,
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_instance ON views.jobs (instance_id);
