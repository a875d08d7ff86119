-- A VPS's network (CloudVPS's GET /vps/{id}/network), beside `schema.sql`'s instances.

-- The firewall's rules as the provider holds them, as of the network aggregate's version.
CREATE TABLE IF NOT EXISTS vps_firewalls (
    instance_id uuid PRIMARY KEY,
    network_id  uuid NOT NULL,
    version     bigint NOT NULL,
    rules       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Additional addresses: attached, and released with the VPS.
CREATE TABLE IF NOT EXISTS vps_addresses (
    address_id  uuid PRIMARY KEY,
    instance_id uuid NOT NULL,
    address     text NOT NULL,
    ip_version  smallint NOT NULL,
    attached_at timestamptz NOT NULL,
    released_at timestamptz
);
CREATE INDEX IF NOT EXISTS vps_addresses_by_instance ON vps_addresses (instance_id, attached_at);
