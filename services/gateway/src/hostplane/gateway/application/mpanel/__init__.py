"""The mPanel surface's use cases (seed 002): billing commands in, billing read models out."""
