"""The CloudVPS Pro surface's use cases (seed 003, under /api/v1)."""
