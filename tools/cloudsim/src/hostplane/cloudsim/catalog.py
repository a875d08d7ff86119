"""Hetzner's read-only catalog as cloudsim serves it: server types, locations, images."""

from typing import Any

LOCATIONS: list[dict[str, Any]] = [
    {
        "id": 1,
        "name": "fsn1",
        "description": "Falkenstein DC Park 1",
        "country": "DE",
        "city": "Falkenstein",
        "latitude": 50.47612,
        "longitude": 12.370071,
        "network_zone": "eu-central",
    },
    {
        "id": 2,
        "name": "nbg1",
        "description": "Nuremberg DC Park 1",
        "country": "DE",
        "city": "Nuremberg",
        "latitude": 49.452102,
        "longitude": 11.076665,
        "network_zone": "eu-central",
    },
    {
        "id": 3,
        "name": "hel1",
        "description": "Helsinki DC Park 1",
        "country": "FI",
        "city": "Helsinki",
        "latitude": 60.169855,
        "longitude": 24.938379,
        "network_zone": "eu-central",
    },
    {
        "id": 4,
        "name": "ash",
        "description": "Ashburn, VA",
        "country": "US",
        "city": "Ashburn, VA",
        "latitude": 39.0437,
        "longitude": -77.4875,
        "network_zone": "us-east",
    },
    {
        "id": 5,
        "name": "hil",
        "description": "Hillsboro, OR",
        "country": "US",
        "city": "Hillsboro, OR",
        "latitude": 45.54222,
        "longitude": -122.951924,
        "network_zone": "us-west",
    },
    {
        "id": 6,
        "name": "sin",
        "description": "Singapore",
        "country": "SG",
        "city": "Singapore",
        "latitude": 1.283333,
        "longitude": 103.833333,
        "network_zone": "ap-southeast",
    },
]

DATACENTER_NAMES = {
    "fsn1": "fsn1-dc14",
    "nbg1": "nbg1-dc3",
    "hel1": "hel1-dc2",
    "ash": "ash-dc1",
    "hil": "hil-dc1",
    "sin": "sin-dc1",
}


def _server_type(
    id_: int, name: str, cores: int, memory: float, disk: int, price: str
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "description": name.upper(),
        "cores": cores,
        "memory": memory,
        "disk": disk,
        "deprecated": None,
        "deprecation": None,
        "storage_type": "local",
        "cpu_type": "shared",
        "architecture": "x86",
        "included_traffic": 21990232555520,
        "prices": [
            {
                "location": loc["name"],
                "price_hourly": {"net": "0.0080", "gross": "0.0095"},
                "price_monthly": {"net": price, "gross": price},
            }
            for loc in LOCATIONS
        ],
    }


SERVER_TYPES: list[dict[str, Any]] = [
    _server_type(22, "cx22", 2, 4.0, 40, "3.7900"),
    _server_type(23, "cx32", 4, 8.0, 80, "6.8000"),
    _server_type(24, "cx42", 8, 16.0, 160, "16.4000"),
    _server_type(25, "cx52", 16, 32.0, 320, "32.4000"),
]


def _system_image(
    id_: int, name: str, description: str, flavor: str, version: str, created: str
) -> dict[str, Any]:
    """A system image as `GET /images` shows it (x86, deployable at once, never deleted)."""
    return {
        "id": id_,
        "type": "system",
        "status": "available",
        "name": name,
        "description": description,
        "image_size": None,
        "disk_size": 5,
        "created": created,
        "created_from": None,
        "bound_to": None,
        "os_flavor": flavor,
        "os_version": version,
        "rapid_deploy": True,
        "protection": {"delete": False},
        "deprecated": None,
        "deleted": None,
        "labels": {},
        "architecture": "x86",
    }


IMAGES: list[dict[str, Any]] = [
    _system_image(
        161547269, "ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04", "2024-04-25T00:00:00+00:00"
    ),
    _system_image(
        67794396, "ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04", "2022-04-21T00:00:00+00:00"
    ),
    _system_image(114690389, "debian-12", "Debian 12", "debian", "12", "2023-06-13T00:00:00+00:00"),
    _system_image(45557056, "debian-11", "Debian 11", "debian", "11", "2021-08-16T00:00:00+00:00"),
    _system_image(76766499, "rocky-9", "Rocky Linux 9", "rocky", "9", "2022-07-14T00:00:00+00:00"),
]


def datacenter(location_name: str) -> dict[str, Any]:
    location = next(loc for loc in LOCATIONS if loc["name"] == location_name)
    ids = [t["id"] for t in SERVER_TYPES]
    return {
        "id": location["id"],
        "name": DATACENTER_NAMES[location_name],
        "description": f"{location['city']} DC",
        "location": location,
        "server_types": {"supported": ids, "available": ids, "available_for_migration": ids},
    }


def by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((item for item in items if item["name"] == name or str(item["id"]) == name), None)
