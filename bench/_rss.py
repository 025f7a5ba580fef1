"""The benchmark process's peak memory while a block runs (its RSS sampled every 20 ms)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psutil


@asynccontextmanager
async def peak_rss() -> AsyncIterator[list[int]]:
    """`peak[0]` is the highest RSS seen while the block ran (bytes), read after it."""
    process = psutil.Process()
    gc.collect()
    peak = [process.memory_info().rss]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        stop.set()
        await sampler
