"""Hostplane's benchmarks (`make bench`): five scenarios, each written to bench/results."""
