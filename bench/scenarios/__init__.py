"""One module per scenario, each with `run() -> Result`."""
