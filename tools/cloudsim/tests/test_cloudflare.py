"""The Cloudflare DNS records simulator, in the v4 envelope."""

import httpx


def test_create_find_get_and_delete_a_record(cloudflare: httpx.Client) -> None:
    created = cloudflare.post(
        "/dns_records", json={"type": "A", "name": "shop", "content": "100.64.0.9", "ttl": 60}
    ).json()
    assert created["success"] is True
    assert created["errors"] == []
    record = created["result"]
    assert record["name"] == "shop.hostplane.test"
    assert len(record["id"]) == 32

    found = cloudflare.get("/dns_records", params={"name": "shop.hostplane.test", "type": "A"})
    assert [r["id"] for r in found.json()["result"]] == [record["id"]]
    assert found.json()["result_info"]["total_count"] == 1
    assert (
        cloudflare.get(f"/dns_records/{record['id']}").json()["result"]["content"] == "100.64.0.9"
    )

    deleted = cloudflare.delete(f"/dns_records/{record['id']}")
    assert deleted.json()["result"] == {"id": record["id"]}
    missing = cloudflare.get(f"/dns_records/{record['id']}")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == 81044


def test_an_identical_record_already_exists(cloudflare: httpx.Client) -> None:
    body = {"type": "A", "name": "dup", "content": "100.64.0.1"}
    assert cloudflare.post("/dns_records", json=body).status_code == 200
    again = cloudflare.post("/dns_records", json=body)
    assert again.status_code == 400
    assert again.json()["success"] is False
    assert again.json()["errors"][0]["code"] == 81057


def test_unknown_zone_and_missing_auth(cloudsim_url: str) -> None:
    base = f"{cloudsim_url}/cloudflare/client/v4"
    unknown = httpx.get(f"{base}/zones/nope/dns_records", headers={"Authorization": "Bearer t"})
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["code"] == 7003
    anonymous = httpx.get(f"{base}/zones/nope/dns_records")
    assert anonymous.status_code == 403
    assert anonymous.json()["errors"][0]["code"] == 10000
