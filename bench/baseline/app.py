"""`POST /api/instances` and `POST /api/instances/{id}/reboot`, written the conventional way.

Synchronous psycopg from a pool in FastAPI's threadpool; each request checks the same
credentials as Hostplane's gateway, reads what it must and writes its rows in one
transaction, committed before it answers. Run: `python -m bench.baseline.app PORT DATABASE_URL`.
"""

import hashlib
import hmac
import sys
import time
from typing import Annotated, Any
from uuid import UUID, uuid4, uuid5

import jwt
import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

from tests.stack import HMAC_SECRET, JWT_SECRET

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS baseline;
CREATE TABLE IF NOT EXISTS baseline.instances (
    id uuid PRIMARY KEY, whmcs_service_id bigint NOT NULL UNIQUE, whmcs_client_id bigint NOT NULL,
    plan text NOT NULL, region text NOT NULL, email text NOT NULL, subdomain text NOT NULL UNIQUE,
    status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS baseline.jobs (
    id uuid PRIMARY KEY, instance_id uuid NOT NULL, command text NOT NULL,
    status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS baseline.used_signatures (
    signature text PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now()
);
"""
NAMESPACE = UUID("6f1c52d2-4a8e-4f43-9d8e-6b3f4b8a9c10")


def create_app(database_url: str) -> FastAPI:
    pool = ConnectionPool(database_url, min_size=8, max_size=32, open=True)
    with pool.connection() as conn:
        conn.execute(SCHEMA)
    app = FastAPI()

    @app.post("/api/instances", status_code=201)
    async def create(request: Request) -> dict[str, Any]:
        raw = await request.body()
        timestamp = request.headers.get("x-timestamp", "")
        signature = request.headers.get("x-signature", "")
        expected = hmac.new(HMAC_SECRET.encode(), raw + timestamp.encode(), hashlib.sha256)
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= 300
        if not (fresh and hmac.compare_digest(expected.hexdigest(), signature)):
            raise HTTPException(401, {"error": "Invalid signature", "code": "UNAUTHORIZED"})
        order = await request.json()
        return await run_in_threadpool(_store_order, pool, order, signature)

    @app.post("/api/instances/{instance_id}/reboot")
    def reboot(instance_id: UUID, authorization: Annotated[str, Header()]) -> dict[str, Any]:
        try:
            jwt.decode(authorization.removeprefix("Bearer "), JWT_SECRET, algorithms=["HS256"])
        except jwt.PyJWTError as error:
            raise HTTPException(401, {"error": str(error), "code": "UNAUTHORIZED"}) from error
        with pool.connection() as conn:
            row = conn.execute(
                "SELECT status FROM baseline.instances WHERE id = %s", (instance_id,)
            ).fetchone()
            if row is None:
                raise HTTPException(404, {"error": "Instance not found", "code": "NOT_FOUND"})
            if row[0] != "active":
                raise HTTPException(409, {"error": "not active", "code": "INVALID_STATE"})
            conn.execute(
                "INSERT INTO baseline.jobs (id, instance_id, command, status)"
                " VALUES (%s, %s, 'reboot', 'queued')",
                (uuid4(), instance_id),
            )
        return {"id": str(instance_id), "status": "rebooting", "estimated_ready": 60}

    return app


def _store_order(pool: ConnectionPool, order: dict[str, Any], signature: str) -> dict[str, Any]:
    instance_id = uuid5(NAMESPACE, str(order["whmcs_service_id"]))
    subdomain = order.get("hostname") or instance_id.hex[:10]
    with pool.connection() as conn:
        conn.execute("INSERT INTO baseline.used_signatures (signature) VALUES (%s)", (signature,))
        conn.execute(
            "INSERT INTO baseline.instances (id, whmcs_service_id, whmcs_client_id, plan, region,"
            " email, subdomain, status) VALUES (%s, %s, %s, %s, %s, %s, %s, 'provisioning')",
            (
                instance_id,
                order["whmcs_service_id"],
                order["whmcs_client_id"],
                order["plan"],
                order["region"],
                order["email"],
                subdomain,
            ),
        )
        conn.execute(
            "INSERT INTO baseline.jobs (id, instance_id, command, status)"
            " VALUES (%s, %s, 'create', 'queued')",
            (uuid4(), instance_id),
        )
    return {
        "id": str(instance_id),
        "status": "provisioning",
        "subdomain": subdomain,
        "url": f"https://{subdomain}.hostplane.test",
        "estimated_ready": 120,
    }


if __name__ == "__main__":
    port, url = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(create_app(url), host="127.0.0.1", port=port, log_level="warning", access_log=False)
