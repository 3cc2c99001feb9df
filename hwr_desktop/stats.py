"""Order statistics of short sequences (a line's glyph heights, a word's letter sizes) without numpy's
per-call overhead: the pipeline takes dozens of them per line, each of a handful of numbers, where
``np.median`` costs tens of microseconds. The values are numpy's, to the last bit."""

from __future__ import annotations

import math
from typing import Iterable


def median(values: Iterable[float]) -> float:
    """``float(np.median(values))``: the middle value, or the mean of the two middle values.

    Raises:
        ValueError: no values.
    """
    s = sorted(values)
    n = len(s)
    if n == 0:
        raise ValueError("median of no values")
    m = n // 2
    return float(s[m]) if n % 2 else (float(s[m - 1]) + float(s[m])) / 2


def percentile(values: Iterable[float], q: float) -> float:
    """``float(np.percentile(values, q))`` (linear interpolation between the closest ranks), 0 <= q <= 100.

    Raises:
        ValueError: no values, or q outside [0, 100].
    """
    s = sorted(values)
    if not s:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside [0, 100]")
    at = (q / 100) * (len(s) - 1)
    below = math.floor(at)
    t = at - below
    a = float(s[below])
    b = float(s[min(below + 1, len(s) - 1)])
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t  # numpy's lerp, the same rounding
