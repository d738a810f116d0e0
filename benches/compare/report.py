"""What every peer comparison prints, so that `run_all.py` can gather them.

A comparison calls `emit(...)` once per figure: it prints a line for people
and one machine line, `COMPARE {json}`, that the runner reads. The ratio is
always the peer's time over farmhand's: above 1, farmhand is faster.
"""

from __future__ import annotations

import gc
import os
import json
import time
from typing import Any, Callable

PREFIX = "COMPARE "


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of `runs` calls of `fn` (after a GC), and its last result."""
    best = float("inf")
    result = None
    for _ in range(max(1, runs)):
        gc.collect()
        # The kernel writing back an earlier run's files would steal CPU from this one.
        os.sync()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_of_each(runs: int, *fns: Callable[[], Any]) -> list[tuple[float, Any]]:
    """`best_of` for several sides at once, with the same N for each: the
    sides take turns (a, b, a, b, ...), so that no side gets more tries or a
    quieter stretch of the machine than another. Per side: its best wall time
    and its last result."""
    best = [float("inf")] * len(fns)
    results: list[Any] = [None] * len(fns)
    for _ in range(max(1, runs)):
        for i, fn in enumerate(fns):
            seconds, results[i] = best_of(1, fn)
            best[i] = min(best[i], seconds)
    return list(zip(best, results))


def emit(name: str, n: int, ours: str, ours_s: float, peer: str, peer_s: float,
         min_ratio: float | None = None) -> dict[str, Any]:
    """Prints one figure. `min_ratio` is the budget: the least peer/farmhand ratio accepted."""
    ratio = peer_s / ours_s if ours_s > 0 else float("inf")
    record = {
        "name": name, "n": n, "ours": ours, "ours_s": ours_s, "peer": peer, "peer_s": peer_s,
        "ratio": ratio, "min_ratio": min_ratio,
        "met": None if min_ratio is None else ratio >= min_ratio,
    }
    budget = "" if min_ratio is None else f" (budget >= {min_ratio:.3g}: {'met' if record['met'] else 'MISSED'})"
    print(f"{name}: {ours} {fmt_seconds(ours_s)}, {peer} {fmt_seconds(peer_s)} -> peer/farmhand = {ratio:.2f}{budget}")
    print(PREFIX + json.dumps(record), flush=True)
    return record


def fmt_seconds(seconds: float) -> str:
    """Seconds as people read them: s, ms or µs."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"
