"""Joins concurrent calls into batches ("natural batching"): the first item goes out at once;
items that arrive while a call is in flight wait and go together in the next one. Under load
the relay makes one CheckSendable / RegisterMessages call for many SMTP sessions; alone, an
item waits for nothing. A batch of several items that fails with an error ``split_on`` accepts
(bad input, say) is retried item by item, so one bad item fails alone; other errors (the
service is down) fail the whole batch at once. A batch holds at most ``max_batch`` items and,
when ``size_of`` is given, at most ``max_size`` of their summed sizes (a larger item goes
alone). ``min_interval_s`` spaces the calls under load (a call starts at most that often; an
item arriving after a quiet spell still goes at once): each call carries more items, so the
per-call cost (a gRPC call, a transaction: most of the services' CPU per message) is paid less
often, and the caller's call rate stays bounded whatever the traffic."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Item, Result]):
    def __init__(
        self,
        call: Callable[[list[Item]], Awaitable[list[Result]]],
        split_on: Callable[[Exception], bool],
        max_batch: int = 500,
        size_of: Callable[[Item], int] | None = None,
        max_size: int = 0,
        min_interval_s: float = 0.0,
    ) -> None:
        self.call = call
        self.split_on = split_on
        self.max_batch = max_batch
        self.size_of = size_of
        self.max_size = max_size
        self.min_interval_s = min_interval_s
        self._last_call = -math.inf
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None  # held: the loop keeps only weak refs

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                loop = asyncio.get_running_loop()
                wait = self._last_call + self.min_interval_s - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_call = loop.time()
                taken = self._batch_length()
                batch = self._pending[:taken]
                del self._pending[:taken]
                await self._run(batch)
        finally:
            self._drainer = None

    def _batch_length(self) -> int:
        """How many of the pending items go in the next call (at least one)."""
        limit = min(len(self._pending), self.max_batch)
        if self.size_of is None:
            return limit
        total = 0
        for taken, (item, _) in enumerate(self._pending[:limit]):
            total += self.size_of(item)
            if total > self.max_size and taken > 0:
                return taken
        return limit

    async def _run(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self.call([item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1 and self.split_on(exc):
                for single in batch:
                    await self._run([single])
            else:
                for _, future in batch:
                    _settle(future, exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def _settle(future: asyncio.Future[Result], exc: Exception) -> None:
    if not future.done():
        future.set_exception(exc)
