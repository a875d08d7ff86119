"""mPanel's HTTP surface (seed 002): its own app, served on its own listener under `/api`."""
