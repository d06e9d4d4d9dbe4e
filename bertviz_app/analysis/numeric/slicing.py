"""Long work done a slice at a time, so that whatever waits (typing, painting, an inference) is answered between
slices: the one rule used by the controller's worker jobs and by the views that draw in steps. Plain Python."""

from __future__ import annotations

import time


def within_slice(step, budget: float) -> None:
    """Call step() until it returns False or the next call would likely end past `budget` seconds (judged by
    the last call's duration); always at least once. StopIteration from step() propagates to the caller."""
    start = time.perf_counter()
    while True:
        before = time.perf_counter()
        if step() is False:
            return
        now = time.perf_counter()
        last = now - before
        if now + last - start > budget:
            return
