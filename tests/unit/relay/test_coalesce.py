"""The relay's natural batching: concurrent items share calls, order and results are kept,
a bad item fails alone, an outage fails every waiting item."""

from __future__ import annotations

import asyncio

import pytest

from emailtrack.relay.coalesce import Coalescer


class BadItem(ValueError):
    pass


def test_items_arriving_during_a_call_share_the_next_one() -> None:
    calls: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        calls.append(items)
        await asyncio.sleep(0.01)
        return [2 * item for item in items]

    async def scenario() -> list[int]:
        coalescer: Coalescer[int, int] = Coalescer(double, lambda exc: False, max_batch=4)
        return await asyncio.gather(*(coalescer.submit(n) for n in range(10)))

    assert asyncio.run(scenario()) == [2 * n for n in range(10)]
    assert calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_a_bad_item_fails_alone_and_an_outage_fails_everyone() -> None:
    async def picky(items: list[int]) -> list[int]:
        await asyncio.sleep(0)
        if 3 in items:
            raise BadItem("3 is bad")
        if 99 in items:
            raise ConnectionError("down")
        return items

    async def scenario(values: list[int]) -> list[object]:
        coalescer: Coalescer[int, int] = Coalescer(picky, lambda exc: isinstance(exc, BadItem))
        return await asyncio.gather(*(coalescer.submit(v) for v in values), return_exceptions=True)

    results = asyncio.run(scenario([1, 2, 3, 4]))
    assert results[:2] == [1, 2] and results[3] == 4 and isinstance(results[2], BadItem)
    outage = asyncio.run(scenario([1, 99, 5]))
    assert all(isinstance(r, ConnectionError) for r in outage)
    with pytest.raises(BadItem):
        asyncio.run(_single())


async def _single() -> int:
    async def failing(items: list[int]) -> list[int]:
        raise BadItem("no")

    return await Coalescer(failing, lambda exc: True).submit(1)


def test_a_batch_is_bounded_by_the_summed_size_and_a_large_item_goes_alone() -> None:
    calls: list[list[int]] = []

    async def record(items: list[int]) -> list[int]:
        calls.append(items)
        await asyncio.sleep(0.01)
        return items

    async def scenario() -> list[int]:
        coalescer: Coalescer[int, int] = Coalescer(
            record, lambda exc: False, max_batch=10, size_of=lambda n: n, max_size=10
        )
        return await asyncio.gather(*(coalescer.submit(n) for n in (1, 3, 4, 2, 50, 5, 6)))

    assert asyncio.run(scenario()) == [1, 3, 4, 2, 50, 5, 6]
    assert calls == [[1, 3, 4, 2], [50], [5], [6]]


def test_calls_are_spaced_under_load_and_a_lone_item_goes_at_once() -> None:
    starts: list[float] = []

    async def record(items: list[int]) -> list[int]:
        starts.append(asyncio.get_running_loop().time())
        return items

    async def scenario() -> list[list[int]]:
        coalescer: Coalescer[int, int] = Coalescer(record, lambda exc: False, min_interval_s=0.05)
        loop = asyncio.get_running_loop()
        began = loop.time()
        first = await coalescer.submit(1)  # nothing before it: no wait
        lone_wait = loop.time() - began
        burst = await asyncio.gather(*(coalescer.submit(n) for n in range(2, 6)))
        assert lone_wait < 0.04
        return [[first], burst]

    assert asyncio.run(scenario()) == [[1], [2, 3, 4, 5]]
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.045
