-- The read models the gateway serves from, in the schema on the search path (`views` in
-- service). Rebuildable: create them in an empty schema and replay the topics.

CREATE TABLE IF NOT EXISTS tracking (
    stream      text PRIMARY KEY,          -- topic:partition
    next_offset bigint NOT NULL
);

-- The newest version of each aggregate applied, per topic: an event published twice (an
-- outbox relay's batch in flight when another replica took over) arrives again at a later
-- offset, and is skipped.
CREATE TABLE IF NOT EXISTS applied_versions (
    topic   text NOT NULL,
    subject text NOT NULL,   -- ce_subject: the aggregate id
    version bigint NOT NULL, -- ce_sequence
    PRIMARY KEY (topic, subject)
);

CREATE TABLE IF NOT EXISTS instances (
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
    data_deleted         boolean NOT NULL DEFAULT false,
    model                text,
    channels             jsonb NOT NULL DEFAULT '{}',
    secrets_set          text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS instances_whmcs_service ON instances (whmcs_service_id);
CREATE INDEX IF NOT EXISTS instances_subdomain ON instances (subdomain);
CREATE INDEX IF NOT EXISTS instances_client ON instances (whmcs_client_id);
-- The admin listing is newest first: by (created_at, id) descending, filtered or not.
DROP INDEX IF EXISTS instances_listing, instances_created;
CREATE INDEX IF NOT EXISTS instances_by_creation ON instances (created_at, id);
CREATE INDEX IF NOT EXISTS instances_by_status ON instances (status, created_at, id);
CREATE INDEX IF NOT EXISTS instances_by_region ON instances (region, created_at, id);
CREATE INDEX IF NOT EXISTS instances_by_status_region ON instances (status, region, created_at, id);
CREATE INDEX IF NOT EXISTS instances_email ON instances (lower(email) text_pattern_ops);

-- Instances per status, region and plan, kept by triggers in the transaction that changes an
-- instance: fleet totals, MRR and unsearched listing totals without counting the table.
CREATE TABLE IF NOT EXISTS instance_counts (
    status text NOT NULL,
    region text NOT NULL,
    plan   text NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (status, region, plan)
);
INSERT INTO instance_counts
SELECT status, region, plan, count(*) FROM instances
WHERE NOT EXISTS (SELECT 1 FROM instance_counts)
GROUP BY status, region, plan;

-- `SET search_path FROM CURRENT`: the function finds its own schema's table, whoever writes.
CREATE OR REPLACE FUNCTION count_instances() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE instance_counts SET n = n - 1
        WHERE status = OLD.status AND region = OLD.region AND plan = OLD.plan;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO instance_counts AS c (status, region, plan, n)
        VALUES (NEW.status, NEW.region, NEW.plan, 1)
        ON CONFLICT (status, region, plan) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER instances_counted AFTER INSERT OR DELETE ON instances
FOR EACH ROW EXECUTE FUNCTION count_instances();
CREATE OR REPLACE TRIGGER instances_recounted AFTER UPDATE OF status, region, plan ON instances
FOR EACH ROW WHEN ((OLD.status, OLD.region, OLD.plan) IS DISTINCT FROM (NEW.status, NEW.region, NEW.plan))
EXECUTE FUNCTION count_instances();

-- Every instance's rank by (created_at, id), 1 for the oldest: an unfiltered admin page is
-- a range of ranks, read from an index however deep it is, instead of an OFFSET that walks
-- every instance before it. A trigger keeps the ranks as instances arrive, in the inserting
-- transaction and one at a time (an advisory lock); an arrival older than others shifts
-- only those. A session with `hostplane.ranking = 'deferred'` (a replay, a bulk load) leaves
-- new rows unranked and calls `rank_instances()` once at the end.
ALTER TABLE instances ADD COLUMN IF NOT EXISTS age_rank bigint;
CREATE INDEX IF NOT EXISTS instances_by_rank ON instances (age_rank);

-- Who hosts the server and the DNS record ("hetzner", "proxmox"; "cloudflare", "powerdns").
-- Their ids stay in `hetzner_id` and `cloudflare_record_id`, the names readers know,
-- whichever provider holds them.
ALTER TABLE instances ADD COLUMN IF NOT EXISTS server_provider text;
-- Power switched by the customer: off since `stopped_at` (NULL: meant to run); the server
-- booted last at `running_since` (NULL while off); the image a rebuild wrote (NULL: the
-- image it was created with).
ALTER TABLE instances ADD COLUMN IF NOT EXISTS stopped_at timestamptz;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS running_since timestamptz;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS image text;
ALTER TABLE instances ADD COLUMN IF NOT EXISTS dns_provider text;

-- Held until commit. A transaction that may insert instances takes it before any row lock,
-- or two could each wait for the other: one for the lock, one for a row the other shifts.
CREATE OR REPLACE FUNCTION lock_instance_ranks() RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
    SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.instances ranks'));
$$;

CREATE OR REPLACE FUNCTION rank_instances() RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
    SELECT lock_instance_ranks();
    UPDATE instances SET age_rank = ranked.r
    FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS r FROM instances) ranked
    WHERE instances.id = ranked.id AND instances.age_rank IS DISTINCT FROM ranked.r;
$$;

-- Planned for each row's values: a generic plan scans the whole table for "newer than".
CREATE OR REPLACE FUNCTION rank_instance() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    IF current_setting('hostplane.ranking', true) = 'deferred' THEN
        RETURN NULL;
    END IF;
    PERFORM lock_instance_ranks();
    UPDATE instances SET age_rank = age_rank + 1
    WHERE (created_at, id) > (NEW.created_at, NEW.id);
    UPDATE instances SET age_rank = 1 + coalesce((
        SELECT age_rank FROM instances WHERE (created_at, id) < (NEW.created_at, NEW.id)
        ORDER BY created_at DESC, id DESC LIMIT 1), 0)
    WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER instances_ranked AFTER INSERT ON instances
FOR EACH ROW EXECUTE FUNCTION rank_instance();

-- Rows left unranked (a replay stopped before its end) are ranked when the schema is opened.
SELECT rank_instances() WHERE EXISTS (SELECT 1 FROM instances WHERE age_rank IS NULL);

-- Dashboard users: every WHMCS client seen through an order or a single sign-on.
CREATE TABLE IF NOT EXISTS users (
    id              uuid PRIMARY KEY,
    whmcs_client_id bigint NOT NULL UNIQUE,
    email           text NOT NULL,
    created_at      timestamptz NOT NULL,
    last_login_at   timestamptz
);

CREATE TABLE IF NOT EXISTS dns_records (
    instance_id uuid PRIMARY KEY,
    record_name text NOT NULL,
    record_id   text,
    content     text,
    status      text NOT NULL,             -- created | failed | deleted
    error       text,
    updated_at  timestamptz NOT NULL
);
ALTER TABLE dns_records ADD COLUMN IF NOT EXISTS provider text;  -- who holds the record

-- Every WHMCS hook received, once (a redelivered hook has the same id).
CREATE TABLE IF NOT EXISTS webhooks (
    id          uuid PRIMARY KEY,
    event       text NOT NULL,
    service_id  bigint NOT NULL,
    client_id   bigint NOT NULL,
    data        jsonb NOT NULL,
    command_id  uuid,
    received_at timestamptz NOT NULL
);

-- What instances and the platform say about an instance, newest first by (ts, id).
CREATE TABLE IF NOT EXISTS instance_logs (
    id          bigserial PRIMARY KEY,
    instance_id uuid NOT NULL,
    ts          timestamptz NOT NULL,
    level       text NOT NULL,
    severity    smallint NOT NULL,
    source      text NOT NULL,
    message     text NOT NULL,
    batch_id    uuid NOT NULL,
    seq         integer NOT NULL,
    UNIQUE (batch_id, seq)
);
CREATE INDEX IF NOT EXISTS instance_logs_tail ON instance_logs (instance_id, ts DESC, id DESC);

-- AI requests reported by instances, priced when stored.
CREATE TABLE IF NOT EXISTS ai_usage (
    instance_id uuid NOT NULL,
    request_id  text NOT NULL,
    ts          timestamptz NOT NULL,
    model       text NOT NULL,
    tokens_in   bigint NOT NULL,
    tokens_out  bigint NOT NULL,
    cost_usd    numeric(14, 6) NOT NULL,
    PRIMARY KEY (instance_id, request_id)
);
CREATE INDEX IF NOT EXISTS ai_usage_period ON ai_usage (instance_id, ts);

-- Resource usage of the servers as their providers measure it (`telemetry.server_usage`,
-- sampled by provisioning), one row per instance and sample; kept 30 days.
CREATE TABLE IF NOT EXISTS usage_samples (
    instance_id    uuid NOT NULL,
    ts             timestamptz NOT NULL,
    cpu_percent    double precision NOT NULL,
    disk_bps       double precision NOT NULL,  -- read + write, bytes per second
    net_in_bps     double precision NOT NULL,
    net_out_bps    double precision NOT NULL,
    traffic_out_gb double precision NOT NULL,  -- this billing period, from the server
    traffic_gb     double precision NOT NULL,  -- included in the plan
    PRIMARY KEY (instance_id, ts)
);
-- Columns added to existing tables come last, in every schema: a rebuilt schema's rows then
-- compare with the live ones column for column.
-- Memory in use; NULL where the provider cannot see inside the server (Hetzner).
ALTER TABLE usage_samples ADD COLUMN IF NOT EXISTS ram_used_mb double precision;
-- What retention deletes: the oldest samples of every instance.
CREATE INDEX IF NOT EXISTS usage_samples_by_age ON usage_samples (ts);

CREATE TABLE IF NOT EXISTS jobs (
    id            uuid PRIMARY KEY,
    instance_id   uuid,
    command       text,
    status        text NOT NULL,           -- running | succeeded | failed
    error_code    text,
    error_message text,
    result        jsonb NOT NULL DEFAULT '{}',
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_instance ON jobs (instance_id);

-- Billing's owner of an mPanel CloudPod's instance (NULL for a WHMCS order): the instance's
-- events belong in that tenant's audit log.
ALTER TABLE instances ADD COLUMN IF NOT EXISTS tenant_id uuid;
