"""The cloud-init user data a server boots with: a new one reports back once OpenClaw is up
and lets its customer's SSH keys in; a rebuilt one lets the keys in."""

import json
from collections.abc import Sequence

USER_DATA_TEMPLATE = """#cloud-config
write_files:
  - path: /etc/hostplane/ready.env
    permissions: "0600"
    content: |
      HOSTPLANE_READY_URL={ready_url}
      HOSTPLANE_READY_TOKEN={ready_token}
runcmd:
  - [sh, -c, ". /etc/hostplane/ready.env && for i in $(seq 1 30); do curl -fsS -X POST \
-H \\"Authorization: Bearer $HOSTPLANE_READY_TOKEN\\" -H 'Content-Type: application/json' \
-d '{{\\"openclaw_version\\": \\"'$(openclaw --version)'\\", \\"gateway_port\\": 18789}}' \
$HOSTPLANE_READY_URL && break; sleep 2; done"]
"""


def ssh_keys_user_data(ssh_keys: list[str]) -> str:
    """Cloud-config authorising `ssh_keys` (JSON is YAML, and quotes every key safely)."""
    return "#cloud-config\n" + json.dumps({"ssh_authorized_keys": ssh_keys}) + "\n"


def user_data(ready_url: str, ready_token: str, ssh_keys: Sequence[str] = ()) -> str:
    """Cloud-config carrying the ready callback URL and this instance's bearer token, and
    authorising `ssh_keys` (a JSON list is a YAML flow sequence, every key quoted safely)."""
    config = USER_DATA_TEMPLATE.format(ready_url=ready_url, ready_token=ready_token)
    if ssh_keys:
        config += f"ssh_authorized_keys: {json.dumps(list(ssh_keys))}\n"
    return config
