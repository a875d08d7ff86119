-- Outgoing webhooks: endpoints, their deliveries and every attempt, and the Kafka positions
-- whose effects these rows are. Idempotent: run by every replica at start, one at a time.

CREATE TABLE IF NOT EXISTS endpoints (
    id uuid PRIMARY KEY,
    url text NOT NULL,
    events text[] NOT NULL,
    -- [{"secret": {"sealed", "fingerprint"}, "active_until": ISO 8601 | null}], newest first
    secrets jsonb NOT NULL,
    description text NOT NULL DEFAULT '',
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text,
    disabled_at timestamptz,
    -- when the endpoint's current streak of failed attempts began (null: it is not failing)
    first_failure_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS deliveries (
    -- the `webhook-id` of every attempt: receivers drop duplicates by it
    id uuid PRIMARY KEY,
    -- insertion order: a delivery waits for the earlier ones of its endpoint and key
    seq bigserial NOT NULL,
    endpoint_id uuid NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    event text NOT NULL,
    -- the CloudEvents id of the Hostplane event it tells of
    source_id text NOT NULL,
    ordering_key text NOT NULL,
    body bytea NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    -- attempts since it was last queued (created or redelivered): where the schedule stands
    round_attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_status integer,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz,
    -- the billing customer, not told of yet when it was queued, whose account the body's
    -- `user_id` waits for; null once written in (or given up on) at its first claim, after
    -- which the body never changes
    awaiting_owner uuid,
    UNIQUE (endpoint_id, source_id)
);

-- Deliveries kept since before bodies waited for their customer's account.
ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS awaiting_owner uuid;

CREATE INDEX IF NOT EXISTS deliveries_due
    ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_in_order
    ON deliveries (endpoint_id, ordering_key, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_of_endpoint
    ON deliveries (endpoint_id, created_at);

CREATE TABLE IF NOT EXISTS attempts (
    delivery_id uuid NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    n integer NOT NULL,
    at timestamptz NOT NULL,
    status integer,
    latency_ms integer NOT NULL,
    error text,
    -- the first KiB of the answer's body
    response text,
    PRIMARY KEY (delivery_id, n)
);

-- Every billing customer learnt from billing's customer and account events, with the CloudVPS
-- account it pays for (null: none, as for an mPanel tenant's customer): the account is the
-- `user_id` of webhooks about the customer. Before customers without an account were kept
-- too, it was `accounts`, and it is renamed once.
DO $$
BEGIN
    IF to_regclass('accounts') IS NOT NULL AND to_regclass('customers') IS NULL THEN
        ALTER TABLE accounts RENAME TO customers;
        ALTER TABLE customers ALTER COLUMN account_id DROP NOT NULL;
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS customers (
    customer_id uuid PRIMARY KEY,
    account_id uuid
);

-- `topic:partition` -> the next offset to read, stored with the rows it produced.
CREATE TABLE IF NOT EXISTS tracking (
    stream text PRIMARY KEY,
    next_offset bigint NOT NULL
);

-- Every command handled, by its id, with what became of it: handled twice, changes once.
CREATE TABLE IF NOT EXISTS commands (
    id uuid PRIMARY KEY,
    type text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('applied', 'refused')),
    error text,
    handled_at timestamptz NOT NULL
);
