"""CloudVPS accounts at the gateway: register and sign in, refresh tokens that work once and
give themselves away when replayed, sign-out, the profile, a new password that signs out the
other sessions, failed sign-ins slowed down, and the platform's admin signing in as admin."""

from dataclasses import replace
from typing import Any

from hostplane.contracts.billing import Role
from hostplane.contracts.secrets import SecretBox
from services.gateway.tests.fakes import Api, serve, unit_settings
from services.gateway.tests.mpanel_rows import an_operator

PASSWORD = "correct horse battery"


def _register(api: Api, email: str = "jo@example.com", password: str = PASSWORD) -> Any:
    answer = api.cloudvps.post(
        "/api/v1/auth/register", json={"name": "Jo Doe", "email": email, "password": password}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]


def _login(api: Api, email: str = "jo@example.com", password: str = PASSWORD) -> Any:
    return api.cloudvps.post("/api/v1/auth/login", json={"email": email, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_customer_registers_signs_in_and_reads_their_profile(api: Api) -> None:
    registered = _register(api)
    assert registered["user"]["role"] == "user" and registered["expires_in"] == 900

    signed_in = _login(api)
    assert signed_in.status_code == 200
    data = signed_in.json()["data"]
    profile = api.cloudvps.get("/api/v1/users/profile", headers=_bearer(data["token"]))
    assert profile.json()["data"] | {"created_at": None} == {
        "id": registered["user"]["id"],
        "name": "Jo Doe",
        "email": "jo@example.com",
        "role": "user",
        "status": "active",
        "created_at": None,
    }
    assert _register_again(api).json()["error"]["code"] == "CONFLICT"


def _register_again(api: Api) -> Any:
    return api.cloudvps.post(
        "/api/v1/auth/register",
        json={"name": "Jo Again", "email": "JO@example.com", "password": PASSWORD},
    )


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(api: Api) -> None:
    _register(api)
    wrong, unknown = _login(api, password="not the password"), _login(api, "no@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]
    assert api.cloudvps.get("/api/v1/users/profile").status_code == 401


def test_a_refresh_token_works_once_and_a_replay_revokes_the_session(api: Api) -> None:
    first = _register(api)["refresh_token"]
    second = api.cloudvps.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    renewed = second.json()["data"]["refresh_token"]

    replayed = api.cloudvps.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (401, "UNAUTHORIZED")
    # The replay gave the session away: its newest token is revoked too.
    after = api.cloudvps.post("/api/v1/auth/refresh", json={"refresh_token": renewed})
    assert after.status_code == 401


def test_logout_revokes_the_sessions_refresh_token(api: Api) -> None:
    data = _register(api)
    out = api.cloudvps.post("/api/v1/auth/logout", headers=_bearer(data["token"]))
    assert out.status_code == 200
    refresh = api.cloudvps.post(
        "/api/v1/auth/refresh", json={"refresh_token": data["refresh_token"]}
    )
    assert refresh.status_code == 401


def test_a_new_password_needs_the_current_one_and_signs_out_other_sessions(api: Api) -> None:
    here = _register(api)
    elsewhere = _login(api).json()["data"]
    change = {"current_password": "a wrong guess", "new_password": "a brand new secret"}
    refused = api.cloudvps.post(
        "/api/v1/users/change-password", json=change, headers=_bearer(here["token"])
    )
    assert refused.status_code == 401

    change["current_password"] = PASSWORD
    changed = api.cloudvps.post(
        "/api/v1/users/change-password", json=change, headers=_bearer(here["token"])
    )
    assert changed.status_code == 200, changed.text
    assert _login(api).status_code == 401
    assert _login(api, password="a brand new secret").status_code == 200
    other = {"refresh_token": elsewhere["refresh_token"]}
    assert api.cloudvps.post("/api/v1/auth/refresh", json=other).status_code == 401
    mine = {"refresh_token": here["refresh_token"]}
    assert api.cloudvps.post("/api/v1/auth/refresh", json=mine).status_code == 200


def test_the_profile_changes_and_an_email_stays_one_accounts(api: Api) -> None:
    jo = _register(api)
    _register(api, "sam@example.com")
    taken = api.cloudvps.put(
        "/api/v1/users/profile", json={"email": "sam@example.com"}, headers=_bearer(jo["token"])
    )
    assert taken.status_code == 409
    renamed = api.cloudvps.put(
        "/api/v1/users/profile", json={"name": "Jo Smith"}, headers=_bearer(jo["token"])
    )
    assert renamed.json()["data"]["name"] == "Jo Smith"


def test_failed_sign_ins_are_slowed_down_per_account() -> None:
    for api in serve(unit_settings(cloudvps_sign_in_failures="3/15 minutes")):
        _register(api)
        answers = [_login(api, password=f"guess {n}").status_code for n in range(3)]
        assert answers == [401, 401, 401]
        slowed = _login(api)  # even the right password waits now
        assert slowed.status_code == 429
        assert slowed.json()["error"]["code"] == "RATE_LIMITED"
        assert int(slowed.headers["Retry-After"]) > 0
        assert _login(api, "other@example.com").status_code == 401  # another account is heard


def test_a_suspended_account_cannot_sign_in_or_act(api: Api) -> None:
    data = _register(api)
    account_id = next(iter(api.billing.reads.rows.accounts))
    rows = api.billing.reads.rows
    rows.accounts[account_id] = replace(rows.accounts[account_id], status="suspended")
    assert _login(api).status_code == 403
    assert (
        api.cloudvps.get("/api/v1/users/profile", headers=_bearer(data["token"])).status_code == 401
    )


def test_the_platforms_admin_signs_in_as_admin(api: Api) -> None:
    box = SecretBox(api.settings.config_secrets_key)
    admin = an_operator(
        api.settings.platform_tenant_id, "admin@example.com", PASSWORD, box, [Role.ADMIN.value]
    )
    api.billing.reads.rows.operators[admin.id] = admin
    signed_in = _login(api, "admin@example.com")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["data"]["user"]["role"] == "admin"
    token = signed_in.json()["data"]["token"]
    assert (
        api.cloudvps.get("/api/v1/users/profile", headers=_bearer(token)).json()["data"]["role"]
        == "admin"
    )
