"""A customer's CloudPods and their instances' statuses, from the read models (`views`).

The read models may lag the events a little; each CloudPod found decides again.
"""

from uuid import UUID

import psycopg
from psycopg.rows import class_row

from hostplane.billing.application.account_holds import CustomerServer


class ViewsCustomerServers:
    def __init__(self, database_url: str, schema: str = "views") -> None:
        self._url = database_url
        self._schema = schema

    def servers(self, tenant_id: UUID, customer_id: UUID) -> list[CustomerServer]:
        """The customer's CloudPods that still have a server (not terminated)."""
        with (
            psycopg.connect(self._url) as conn,
            conn.cursor(row_factory=class_row(CustomerServer)) as cur,
        ):
            cur.execute(
                "SELECT c.instance_id, coalesce(i.status, 'pending') AS status "  # noqa: S608
                f"FROM {self._schema}.cloudpods c "
                f"LEFT JOIN {self._schema}.instances i ON i.id = c.instance_id "
                "WHERE c.tenant_id = %s AND c.customer_id = %s "
                "AND coalesce(i.status, '') <> 'terminated' ORDER BY c.instance_id",
                (tenant_id, customer_id),
            )
            return cur.fetchall()
