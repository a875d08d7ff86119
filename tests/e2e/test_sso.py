"""WHMCS signs a client into the dashboard: a JWT now, and a one-time link."""

import random
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from hostplane.contracts.identity import user_id_for
from hostplane.gateway.domain.signatures import sso_signature
from tests.conftest import wait_until
from tests.e2e.conftest import HMAC_SECRET, JWT_SECRET, Stack
from tests.e2e.whmcs import Dashboard, Whmcs, token


def sso_body(client_id: int, ts: int | None = None, **overrides: object) -> dict:
    ts = ts or int(time.time())
    email = f"sso-{client_id}@example.com"
    return {
        "client_id": client_id,
        "service_id": 99,
        "email": email,
        "timestamp": ts,
        "signature": sso_signature(HMAC_SECRET, client_id, 99, email, ts),
        **overrides,
    }


def test_sso_gives_a_client_token_and_a_one_time_link(stack: Stack) -> None:
    client_id = random.randint(1, 10**9)
    response = Whmcs(stack.gateway_url).request("POST", "/api/auth/sso", sso_body(client_id))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 3600
    claims = jwt.decode(body["token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["role"] == "client"
    assert claims["sub"] == str(user_id_for(client_id))

    link = urlsplit(body["redirect_url"])
    assert link.path == "/auth/sso"
    assert set(parse_qs(link.query)) == {"token", "ts"}
    followed = httpx.get(body["redirect_url"], follow_redirects=False)
    assert followed.status_code == 302
    landing = urlsplit(followed.headers["location"])
    session = parse_qs(landing.fragment)["token"][0]
    assert jwt.decode(session, JWT_SECRET, algorithms=["HS256"])["sub"] == claims["sub"]
    again = httpx.get(body["redirect_url"], follow_redirects=False)
    assert again.status_code == 401
    assert again.json()["error"] == "SSO link already used"

    admin = Dashboard(stack.gateway_url, token("admin"))

    def registered() -> bool:
        users = admin.request("GET", "/api/admin/users?limit=100").json()["users"]
        return any(u["whmcs_client_id"] == client_id for u in users)

    wait_until(registered, what="the user to be created on first sight")


def test_a_bad_or_stale_sso_signature_is_401(stack: Stack) -> None:
    whmcs = Whmcs(stack.gateway_url)
    client_id = random.randint(1, 10**9)
    forged = whmcs.request("POST", "/api/auth/sso", sso_body(client_id, signature="0" * 64))
    assert forged.status_code == 401
    stale_ts = int(time.time()) - 301
    stale = whmcs.request("POST", "/api/auth/sso", sso_body(client_id, ts=stale_ts))
    assert stale.status_code == 401
    malformed = whmcs.request("POST", "/api/auth/sso", sso_body(client_id, email="nope"))
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "VALIDATION_ERROR"


def test_a_tampered_link_is_401(stack: Stack) -> None:
    response = Whmcs(stack.gateway_url).request(
        "POST", "/api/auth/sso", sso_body(random.randint(1, 10**9))
    )
    link = response.json()["redirect_url"]
    query = parse_qs(urlsplit(link).query)
    tampered = httpx.get(
        f"{stack.gateway_url}/auth/sso",
        params={"token": "e30" + query["token"][0][3:], "ts": query["ts"][0]},
        follow_redirects=False,
    )
    assert tampered.status_code == 401
