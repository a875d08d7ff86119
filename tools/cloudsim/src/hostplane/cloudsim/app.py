"""cloudsim: wire-compatible provider simulators (Hetzner Cloud, Proxmox VE, Cloudflare,
PowerDNS, Stripe) in one ASGI app."""

import json
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from hostplane.cloudsim.admin import admin_router
from hostplane.cloudsim.cloudflare import Cloudflare
from hostplane.cloudsim.cloudflare import fail as cloudflare_error
from hostplane.cloudsim.faults import Faults, parse_faults
from hostplane.cloudsim.hetzner import Hetzner
from hostplane.cloudsim.hetzner import error as hetzner_error
from hostplane.cloudsim.hetzner_images import HetznerImages
from hostplane.cloudsim.hetzner_network import HetznerNetwork
from hostplane.cloudsim.network_admin import network_admin_router
from hostplane.cloudsim.powerdns import PowerDns, zones_from
from hostplane.cloudsim.powerdns import error as powerdns_error
from hostplane.cloudsim.proxmox import Proxmox, nodes_from
from hostplane.cloudsim.proxmox_backups import ProxmoxBackups
from hostplane.cloudsim.proxmox_firewall import ProxmoxFirewall
from hostplane.cloudsim.proxmox_wire import error as proxmox_error
from hostplane.cloudsim.proxmox_wire import token_user
from hostplane.cloudsim.state import Config, World
from hostplane.cloudsim.stripe import STRIPE, STRIPE_API, Stripe, StripeSettings
from hostplane.cloudsim.stripe_admin import stripe_admin_router

HETZNER = "/hetzner/v1"
CLOUDFLARE = "/cloudflare/client/v4"
DEFAULT_ZONES = "023e105f4ecef8ad9ca31a8372d0c353:hostplane.test"
POWERDNS = "/powerdns/api/v1"
DEFAULT_POWERDNS_ZONES = "hostplane.test."
PROXMOX = "/proxmox/api2/json"
# Proxmox VE nodes and their memory in GiB: new VMs go to the one with the most free.
DEFAULT_PROXMOX_NODES = "pve1:64,pve2:128,pve3:96"


def world_from_env(env: dict[str, str]) -> World:
    config = Config(
        boot_delay_s=float(env.get("CLOUDSIM_BOOT_DELAY", 1.0)),
        boot_delay_max_s=float(env["CLOUDSIM_BOOT_DELAY_MAX"])
        if env.get("CLOUDSIM_BOOT_DELAY_MAX")
        else None,
        action_delay_s=float(env.get("CLOUDSIM_ACTION_DELAY", 0.2)),
        time_factor=float(env.get("CLOUDSIM_TIME_FACTOR", 1.0)),
        rate_limit_per_hour=int(env.get("CLOUDSIM_RATE_LIMIT_PER_HOUR", 0)),
        rate_limit_initial=int(env["CLOUDSIM_RATE_LIMIT_INITIAL"])
        if env.get("CLOUDSIM_RATE_LIMIT_INITIAL")
        else None,
        cloudflare_rate_limit_per_5_minutes=int(
            env.get("CLOUDSIM_CLOUDFLARE_RATE_LIMIT_PER_5_MINUTES", 0)
        ),
        ready_callback=env.get("CLOUDSIM_READY_CALLBACK", "true").lower() != "false",
        openclaw_version=env.get("CLOUDSIM_OPENCLAW_VERSION", "2026.11.0"),
        seed=int(env.get("CLOUDSIM_SEED", 0)),
    )
    zones = dict(
        z.split(":", 1) for z in env.get("CLOUDSIM_CLOUDFLARE_ZONES", DEFAULT_ZONES).split(",")
    )
    world = World(config=config, zones=zones)
    world.rng.seed(config.seed)
    return world


def _authorized(request: Request, token: str | None) -> bool:
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(presented) and (token is None or presented == token)


def _api_key_valid(request: Request, key: str | None) -> bool:
    """PowerDNS's `X-API-Key`: the configured one, or (none configured) any non-empty key."""
    presented = request.headers.get("x-api-key", "")
    return bool(presented) and (key is None or secrets.compare_digest(presented, key))


def create_app(env: dict[str, str] | None = None) -> FastAPI:
    """The simulator; settings come from `CLOUDSIM_*` variables in `env` (default: os.environ)."""
    env = dict(os.environ if env is None else env)
    world = world_from_env(env)
    faults = Faults(world)
    faults.rules.extend(parse_faults(json.loads(env.get("CLOUDSIM_FAULTS", "[]"))))
    hetzner, cloudflare = Hetzner(world), Cloudflare(world)
    powerdns = PowerDns(
        world, zones_from(env.get("CLOUDSIM_POWERDNS_ZONES", DEFAULT_POWERDNS_ZONES))
    )
    proxmox = Proxmox(world, nodes_from(env.get("CLOUDSIM_PROXMOX_NODES", DEFAULT_PROXMOX_NODES)))
    stripe = Stripe(world, StripeSettings.from_env(env))
    hetzner_network, proxmox_firewall = HetznerNetwork(world), ProxmoxFirewall(proxmox)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for task in [*hetzner.tasks, *proxmox.tasks]:
            task.cancel()
        await stripe.close()

    app = FastAPI(title="cloudsim", lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.middleware("http")
    async def provider_edge(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Any:
        path = request.url.path
        if not path.startswith((HETZNER, CLOUDFLARE, POWERDNS, PROXMOX, STRIPE)):
            return await call_next(request)
        route = f"{request.method} {path}"
        world.request_counts[route] = world.request_counts.get(route, 0) + 1
        hetzner = path.startswith(HETZNER)
        if hetzner and not _authorized(request, env.get("CLOUDSIM_HETZNER_TOKEN")):
            return hetzner_error(401, "unauthorized", "unable to authenticate")
        if path.startswith(CLOUDFLARE) and not _authorized(
            request, env.get("CLOUDSIM_CLOUDFLARE_TOKEN")
        ):
            return cloudflare_error(403, 10000, "Authentication error")
        if path.startswith(POWERDNS) and not _api_key_valid(
            request, env.get("CLOUDSIM_POWERDNS_API_KEY")
        ):
            return powerdns_error(401, "Unauthorized")
        if path.startswith(PROXMOX):
            # `PVEAPIToken=user@realm!tokenid=secret`: CLOUDSIM_PROXMOX_TOKEN is the part after
            # `PVEAPIToken=`; unset, any well-formed token is let in.
            user = token_user(
                request.headers.get("authorization", ""), env.get("CLOUDSIM_PROXMOX_TOKEN")
            )
            if user is None:
                return proxmox_error(401, "invalid token value!")
            request.state.proxmox_user = user
        if path.startswith(STRIPE_API) and (refused := stripe.refuse(request)):
            return refused
        bucket = world.rate_limit(request.headers["authorization"]) if hetzner else None
        window = (
            world.cloudflare_limit(request.headers["authorization"])
            if path.startswith(CLOUDFLARE)
            else None
        )
        if bucket is not None and not bucket.take():
            response: Response = hetzner_error(429, "rate_limit_exceeded", "rate limit exceeded")
        elif window is not None and not window.take():
            response = cloudflare_error(
                429, 971, "Please wait and consider throttling your request speed"
            )
            response.headers["Retry-After"] = str(window.retry_after())
        else:
            fault = faults.pick(request.method, path)
            request.state.fault = fault
            injected = await faults.respond(fault, path) if fault is not None else None
            response = injected or await call_next(request)
        if bucket is not None:
            response.headers.update(bucket.headers())
        status = str(response.status_code)
        world.status_counts[status] = world.status_counts.get(status, 0) + 1
        return response

    # Images and backups first: the server and storage routes would take their paths.
    app.include_router(HetznerImages(world, hetzner).router, prefix=HETZNER)
    app.include_router(hetzner.router, prefix=HETZNER)
    app.include_router(hetzner_network.router, prefix=HETZNER)
    app.include_router(cloudflare.router, prefix=CLOUDFLARE)
    app.include_router(powerdns.router, prefix=POWERDNS)
    app.include_router(ProxmoxBackups(proxmox).router, prefix=PROXMOX)
    app.include_router(proxmox.router, prefix=PROXMOX)
    app.include_router(proxmox_firewall.router, prefix=PROXMOX)
    app.include_router(stripe.router, prefix=STRIPE)
    app.include_router(admin_router(world, faults))
    app.include_router(network_admin_router(hetzner_network, proxmox_firewall))
    app.include_router(stripe_admin_router(stripe))

    @app.exception_handler(ValueError)
    async def bad_json(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"error": {"code": "json_error", "message": str(exc)}}, 400)

    return app
