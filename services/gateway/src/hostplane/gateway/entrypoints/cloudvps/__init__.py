"""CloudVPS Pro (seed 003): its ASGI app under /api/v1, in its envelope."""
