"""Render every overlay of deploy/k8s and validate what it makes (`make deploy-check`).

- Built-in kinds, strictly (unknown fields are errors) against the schemas of Kubernetes
  KUBERNETES_VERSION, which the `kubernetes-validate` package ships.
- Custom resources (Strimzi, CloudNativePG, KEDA) against the openAPIV3Schema of their CRDs,
  offline copies in CRD_DIR (deploy/k8s/crds: the operators' published files, or HOSTPLANE_CRDS),
  strictly too: a field the schema does not name is an error, as the API server would drop it.

Overlays are rendered with `kubectl kustomize`, or a `kustomize` binary (KUSTOMIZE, else
.local/bin/kustomize, which `make deploy-check` builds from the Go module proxy when kubectl
is missing).

    uv run python deploy/k8s/validate.py            # every overlay
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.33.0"
CRD_DIR = Path(os.environ.get("HOSTPLANE_CRDS", K8S / "crds"))

Manifest = dict[str, Any]


def kustomize_command() -> list[str]:
    """How to run kustomize here."""
    if os.environ.get("KUSTOMIZE"):
        return [os.environ["KUSTOMIZE"], "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return [str(ROOT / ".local" / "bin" / "kustomize"), "build"]


def kustomize_available() -> bool:
    """Whether kustomize runs here (`make deploy-check` builds it where kubectl is missing)."""
    return shutil.which(kustomize_command()[0]) is not None


def render(overlay: str) -> list[Manifest]:
    """The manifests an overlay makes."""
    out = subprocess.run(  # noqa: S603 - kustomize on the repository's own overlays
        [*kustomize_command(), str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def crd_schemas(crd_dir: Path = CRD_DIR) -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) → the openAPIV3Schema of every served version of every CRD."""
    schemas = {}
    for path in sorted(crd_dir.rglob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served"):
                    api = f"{spec['group']}/{version['name']}"
                    schemas[(api, spec["names"]["kind"])] = strict(
                        version["schema"]["openAPIV3Schema"]
                    )
    return schemas


def strict(schema: Any) -> Any:
    """The schema with every object closed to fields it does not name."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


def problems(manifests: list[Manifest], crds: dict[tuple[str, str], Any]) -> Iterator[str]:
    """What is wrong with each manifest, as lines naming it."""
    for manifest in manifests:
        key = (manifest.get("apiVersion", ""), manifest.get("kind", ""))
        name = f"{key[1]} {manifest.get('metadata', {}).get('name')}"
        if key in crds:
            validator = jsonschema.Draft7Validator(crds[key])
            for error in validator.iter_errors(manifest):
                where = "/".join(str(p) for p in error.absolute_path)
                yield f"{name}: {where}: {error.message}"
        else:
            try:
                kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = "/".join(str(p) for p in error.path)
                yield f"{name}: {where}: {error.message}"
            except kubernetes_validate.SchemaNotFoundError:
                yield f"{name}: neither Kubernetes {KUBERNETES_VERSION} nor a CRD defines it"


def main() -> int:
    crds = crd_schemas()
    if not crds:
        print(f"no CRDs found in {CRD_DIR}", file=sys.stderr)
        return 1
    failed = False
    for overlay in OVERLAYS:
        manifests = render(overlay)
        found = list(problems(manifests, crds))
        for problem in found:
            print(f"overlays/{overlay}: {problem}", file=sys.stderr)
        failed |= bool(found)
        verdict = "invalid" if found else "valid"
        print(f"overlays/{overlay}: {len(manifests)} manifests, {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
