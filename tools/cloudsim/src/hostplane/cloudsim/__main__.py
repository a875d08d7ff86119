"""`python -m hostplane.cloudsim --port 8090`: serve the provider simulators."""

import argparse

import uvicorn

from hostplane.cloudsim.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description="Hetzner Cloud and Cloudflare simulators")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
