"""CloudVPS Pro's routes, one module per section of seed 003."""
