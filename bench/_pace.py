"""The machine's pace, printed by the CPU-bound benchmarks so runs at different times compare.

This machine's speed varies several-fold from hour to hour: the same orders API code measured
2.4 ms of API CPU per request at 10:00 and 9.3 ms at 11:00 on 2026-12-05 (bench/RESULTS.md).
"""

from __future__ import annotations

import time


def machine_pace_ms() -> float:
    """Milliseconds for a fixed 2,000,000-step pure-Python loop, best of five (lower is faster)."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best * 1000


def pace_line() -> str:
    return f"machine pace: a 2,000,000-step Python loop takes {machine_pace_ms():.0f} ms (lower is faster)"
