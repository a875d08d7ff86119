"""Seed 003 (CloudVPS Pro API), served under `/api/v1`: its bodies and queries, field for field.

snake_case on the wire, every answer in the `{success, data | error, pagination}` envelope,
money as decimal JSON numbers, times in UTC. One module per section of the contract
(the contract itself is kept beside its tests); `routes.ENDPOINTS` names each endpoint's models.
"""
