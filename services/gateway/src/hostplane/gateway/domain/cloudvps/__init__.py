"""CloudVPS Pro's rules at the edge: who a token names."""
