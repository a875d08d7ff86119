-- Billing's read models (mPanel), beside `schema.sql`'s in the same schema.
-- One row per aggregate: billing's payloads carry its whole state, so a row is written from
-- any event newer than its `version` (the aggregate's ce_sequence). Every row belongs to one
-- tenant, and every read names it. Amounts are minor units.

CREATE TABLE IF NOT EXISTS tenants (
    id         uuid PRIMARY KEY,
    version    bigint NOT NULL,
    name       text NOT NULL,
    status     text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS tenants_by_creation ON tenants (created_at, id);

-- Operators (seed 002's "users"): who signs in to mPanel, by email across every tenant.
CREATE TABLE IF NOT EXISTS operators (
    id         uuid PRIMARY KEY,
    version    bigint NOT NULL,
    tenant_id  uuid NOT NULL,
    name       text NOT NULL,
    email      text NOT NULL,
    roles      text[] NOT NULL,
    status     text NOT NULL,
    password   jsonb,  -- the argon2 hash, sealed (SealedSecret): only the gateway opens it
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- Operator ids derive from their emails (`operator_id_for`): one row per email.
CREATE UNIQUE INDEX IF NOT EXISTS operators_email ON operators (lower(email));
CREATE INDEX IF NOT EXISTS operators_by_tenant ON operators (tenant_id, created_at, id);

-- CloudVPS accounts (seed 003's users): who signs in to /api/v1, by email within a tenant,
-- and the customer who pays for them. An email is one account's at a time (billing claims
-- it), but a changed email and its new holder may arrive in either order: not unique here.
CREATE TABLE IF NOT EXISTS accounts (
    id                  uuid PRIMARY KEY,
    version             bigint NOT NULL,
    tenant_id           uuid NOT NULL,
    customer_id         uuid NOT NULL,
    email               text NOT NULL,
    name                text NOT NULL,
    role                text NOT NULL,  -- user
    status              text NOT NULL,  -- active | suspended
    password            jsonb,  -- the argon2 hash, sealed (SealedSecret): only the gateway opens it
    password_changed_at timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS accounts_email ON accounts (tenant_id, lower(email));

CREATE TABLE IF NOT EXISTS customers (
    id                     uuid PRIMARY KEY,
    version                bigint NOT NULL,
    tenant_id              uuid NOT NULL,
    name                   text NOT NULL,
    email                  text NOT NULL,
    phone                  text NOT NULL,
    address                jsonb NOT NULL,  -- Address
    timezone               text NOT NULL,
    status                 text NOT NULL,
    stripe_customer_id     text,
    default_payment_method text,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_by_tenant ON customers (tenant_id, created_at, id);
-- The customer's saved cards (SavedCard), added after the table was first made.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS payment_methods jsonb NOT NULL DEFAULT '[]';

CREATE TABLE IF NOT EXISTS products (
    id           uuid PRIMARY KEY,
    version      bigint NOT NULL,
    tenant_id    uuid NOT NULL,
    name         text NOT NULL,
    product_type text NOT NULL,
    sku          text NOT NULL,
    prices       jsonb NOT NULL,  -- [Price]
    specs        jsonb NOT NULL,  -- ProductSpecs
    status       text NOT NULL,
    placement    jsonb,           -- CloudPodPlacement, for a cloudpod product
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS products_by_tenant ON products (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS products_by_type ON products (tenant_id, product_type, status);

CREATE TABLE IF NOT EXISTS coupons (
    id         uuid PRIMARY KEY,
    version    bigint NOT NULL,
    tenant_id  uuid NOT NULL,
    code       text NOT NULL,
    kind       text NOT NULL,    -- percent | fixed
    value      bigint NOT NULL,  -- percent, or minor units of `currency`
    currency   text,
    expires_at timestamptz,
    max_uses   integer,
    uses       integer NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS coupons_by_tenant ON coupons (tenant_id, created_at, id);

CREATE TABLE IF NOT EXISTS orders (
    id               uuid PRIMARY KEY,
    version          bigint NOT NULL,
    tenant_id        uuid NOT NULL,
    customer_id      uuid NOT NULL,
    status           text NOT NULL,
    items            jsonb NOT NULL,  -- [OrderLine]
    coupon_code      text,
    invoice_id       uuid NOT NULL,
    total            bigint NOT NULL,
    currency         text NOT NULL,
    subscription_ids uuid[] NOT NULL,
    instance_ids     uuid[] NOT NULL,
    error_code       text,
    error_message    text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_tenant ON orders (tenant_id, created_at, id);

CREATE TABLE IF NOT EXISTS invoices (
    id                  uuid PRIMARY KEY,
    version             bigint NOT NULL,
    tenant_id           uuid NOT NULL,
    customer_id         uuid NOT NULL,
    status              text NOT NULL,
    number              text,  -- from the tenant's gapless series, once finalized
    currency            text NOT NULL,
    lines               jsonb NOT NULL,  -- [InvoiceLine]
    subtotal            bigint NOT NULL,
    tax                 bigint NOT NULL,
    tax_rate_bp         integer NOT NULL,
    tax_country         text NOT NULL,
    total               bigint NOT NULL,
    amount_paid         bigint NOT NULL,
    amount_refunded     bigint NOT NULL,
    order_id            uuid,
    subscription_id     uuid,
    period_start        timestamptz,
    period_end          timestamptz,
    issued_at           timestamptz,
    due_at              timestamptz,
    paid_at             timestamptz,
    -- Kept apart from the invoice's state, which does not carry them: its refund's credit
    -- note, and the latest checkout session to pay it through.
    credit_note_number  text,
    checkout_session_id text,
    checkout_url        text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS invoices_by_tenant ON invoices (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS invoices_by_status ON invoices (tenant_id, status, created_at, id);
CREATE INDEX IF NOT EXISTS invoices_by_customer ON invoices (tenant_id, customer_id, created_at, id);

CREATE TABLE IF NOT EXISTS subscriptions (
    id                   uuid PRIMARY KEY,
    version              bigint NOT NULL,
    tenant_id            uuid NOT NULL,
    customer_id          uuid NOT NULL,
    product_id           uuid NOT NULL,
    order_id             uuid,
    status               text NOT NULL,
    billing_cycle        text NOT NULL,
    starts_at            timestamptz NOT NULL,
    period_start         timestamptz NOT NULL,
    period_end           timestamptz NOT NULL,
    renews_at            timestamptz,  -- period_end, unless it ends with its period
    cancel_at_period_end boolean NOT NULL,
    cancelled_at         timestamptz,
    instance_id          uuid,
    suspension_reason    text,  -- "overdue": suspended by billing for non-payment
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_tenant ON subscriptions (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS subscriptions_by_status
    ON subscriptions (tenant_id, status, created_at, id);
CREATE INDEX IF NOT EXISTS subscriptions_by_customer
    ON subscriptions (tenant_id, customer_id, created_at, id);

-- A subscription's server as billing asked for it; its state is the instance's row, once
-- provisioning has one (`instances.id` = `instance_id`).
CREATE TABLE IF NOT EXISTS cloudpods (
    instance_id     uuid PRIMARY KEY,
    version         bigint NOT NULL,
    tenant_id       uuid NOT NULL,
    customer_id     uuid NOT NULL,
    subscription_id uuid NOT NULL,
    order_id        uuid,
    product_id      uuid NOT NULL,
    name            text NOT NULL,
    template        text NOT NULL,  -- the product's SKU
    plan            text NOT NULL,
    region          text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS cloudpods_by_tenant ON cloudpods (tenant_id, created_at, instance_id);
CREATE INDEX IF NOT EXISTS cloudpods_by_customer
    ON cloudpods (tenant_id, customer_id, created_at, instance_id);

-- Every event of a tenant's aggregates, once: `id` is its CloudEvents id (aggregate:version),
-- prefixed with its topic for other services' events (`vps.events/<id>:<version>`).
-- An instance's or job's line names its CloudPod (`instance_id`); a job's line whose instance
-- is not known yet (its events on another topic, still on their way) waits with no tenant,
-- and is the tenant's, or dropped, once the instance's owner is known.
CREATE TABLE IF NOT EXISTS audit (
    id            text PRIMARY KEY,
    tenant_id     uuid,
    instance_id   uuid,
    actor_id      uuid,  -- NULL: the platform (its clock, Stripe, provisioning)
    action        text NOT NULL,  -- the event type, e.g. subscription.created
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    metadata      jsonb NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_tenant ON audit (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS audit_by_resource
    ON audit (tenant_id, resource_type, resource_id, created_at);
CREATE INDEX IF NOT EXISTS audit_waiting ON audit (instance_id) WHERE tenant_id IS NULL;
