"""Seed 002 (mPanel's backend API), served under `/api` on its own listener: its bodies.

camelCase on the wire, money as decimal JSON numbers (minor units inside), times in UTC.
One module per part of the contract.
"""
