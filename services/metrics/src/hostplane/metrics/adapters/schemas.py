"""Read-model schemas as wholes: dropped before a rebuild, compared after one."""

import psycopg
from psycopg import sql

# Tables derived from events alone (usage samples and uploaded logs come from elsewhere),
# with the column that names a row.
EVENT_TABLES = {
    "instances": "id",
    "jobs": "id",
    "dns_records": "instance_id",
    "users": "id",
    "instance_counts": "status",  # kept by triggers: equal when the rows they count are
    "tenants": "id",
    "operators": "id",
    "accounts": "id",
    "customers": "id",
    "products": "id",
    "coupons": "id",
    "orders": "id",
    "invoices": "id",
    "subscriptions": "id",
    "cloudpods": "instance_id",
    "backups": "id",
    "audit": "id",
    "tickets": "id",
    "ticket_messages": "id",
    "vps_firewalls": "instance_id",
    "vps_addresses": "address_id",
}


def drop_schema(database_url: str, schema: str) -> None:
    """Drop `schema` and every read model in it, if it exists."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def differences(database_url: str, live: str, rebuilt: str) -> list[str]:
    """Rows that differ between two read-model schemas, table by table."""
    found = []
    with psycopg.connect(database_url) as conn:
        for table, key in EVENT_TABLES.items():
            for left, right in ((live, rebuilt), (rebuilt, live)):
                query = sql.SQL(
                    "SELECT {key}::text FROM (SELECT * FROM {l}.{t} EXCEPT SELECT * FROM {r}.{t}) d"
                ).format(
                    key=sql.Identifier(key),
                    l=sql.Identifier(left),
                    r=sql.Identifier(right),
                    t=sql.Identifier(table),
                )
                rows = conn.execute(query).fetchall()
                found += [f"{table} {row[0]}: in {left}, not as such in {right}" for row in rows]
    return found
