"""Claims on used tokens are written in batches; each token is granted once."""

import asyncio

import pytest

from hostplane.gateway.adapters.database import Batcher, Claim


class Table:
    """An in-memory `used_tokens`: remembers every token written, answers which were new."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.batches: list[list[Claim]] = []

    async def write(self, claims: list[Claim]) -> set[str]:
        self.batches.append(claims)
        await asyncio.sleep(0)  # a round trip: claims arriving meanwhile wait for the next
        fresh = {digest for digest, _ in claims} - self.used
        self.used |= fresh
        return fresh


async def test_concurrent_claims_share_a_write_and_each_token_is_granted_once() -> None:
    table = Table()
    batcher = Batcher(table.write)
    digests = [f"t{n % 40}" for n in range(100)]  # 40 tokens, most claimed more than once
    granted = await asyncio.gather(*(batcher.claim(d, 600) for d in digests))
    assert sum(granted) == 40
    assert {d for d, ok in zip(digests, granted, strict=True) if ok} == table.used
    assert len(table.batches) < 10
    assert await batcher.claim("t1", 600) is False


async def test_a_failed_write_fails_its_claims_and_the_next_batch_is_written() -> None:
    calls = 0

    async def flaky(claims: list[Claim]) -> set[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database restarting")
        return {digest for digest, _ in claims}

    batcher = Batcher(flaky)
    with pytest.raises(ConnectionError):
        await batcher.claim("a", 600)
    assert await batcher.claim("b", 600) is True
