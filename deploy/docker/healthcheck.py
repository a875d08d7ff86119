"""The images' HEALTHCHECK: exit 0 when the process's liveness endpoint answers 2xx.

`HEALTH_URL` names the endpoint; by default the service's `/health/live` on its metrics
listener (`METRICS_PORT`). Standard library only, so it runs in every image.
"""

import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    url = os.environ.get("HEALTH_URL") or (
        f"http://127.0.0.1:{os.environ.get('METRICS_PORT', '0')}/health/live"
    )
    try:
        with urllib.request.urlopen(url, timeout=3) as answer:  # noqa: S310 (a fixed local URL)
            return 0 if 200 <= answer.status < 300 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
