"""What every benchmark script shares: a median of timed runs, in the same process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def mediane(f: Callable[[], Any], n: int) -> tuple[float, Any]:
    """The median wall time of ``n`` calls of ``f`` (seconds) and the last call's result."""
    temps, resultat = [], None
    for _ in range(n):
        t = time.perf_counter()
        resultat = f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), resultat
