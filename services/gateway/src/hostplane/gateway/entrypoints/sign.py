"""`python -m hostplane.gateway.entrypoints.sign METHOD PATH [BODY]`: send a WHMCS-signed request.

Reads WHMCS_API_KEY, WHMCS_HMAC_SECRET and GATEWAY_URL from the environment (see
deploy/local/dev.env), signs the raw body + timestamp as the gateway expects, prints the
status and the JSON answer. `--curl` prints the equivalent curl command instead.
"""

import argparse
import json
import os
import shlex
import sys
import time

import httpx

from hostplane.gateway.domain.signatures import whmcs_signature


def signed_headers(api_key: str, secret: str, body: bytes) -> dict[str, str]:
    """The three WHMCS headers for a body, signed now."""
    timestamp = str(int(time.time()))
    return {
        "X-API-Key": api_key,
        "X-Timestamp": timestamp,
        "X-Signature": whmcs_signature(secret, body, timestamp),
        "Content-Type": "application/json",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", type=str.upper)
    parser.add_argument("path")
    parser.add_argument("body", nargs="?", default="")
    parser.add_argument("--curl", action="store_true", help="print a curl command instead")
    args = parser.parse_args()

    base = os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080")
    body = args.body.encode()
    headers = signed_headers(os.environ["WHMCS_API_KEY"], os.environ["WHMCS_HMAC_SECRET"], body)
    if args.curl:
        parts = ["curl", "-sS", "-X", args.method, base + args.path]
        for name, value in headers.items():
            parts += ["-H", f"{name}: {value}"]
        if body:
            parts += ["--data-binary", args.body]
        print(shlex.join(parts))
        return 0
    response = httpx.request(args.method, base + args.path, content=body, headers=headers)
    print(response.status_code, file=sys.stderr)
    try:
        print(json.dumps(response.json(), indent=2))
    except ValueError:
        print(response.text)
    return 0 if response.is_success else 1


if __name__ == "__main__":
    sys.exit(main())
