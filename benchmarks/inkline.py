"""Build long ink lines for the benchmarks by writing sample strokes again and again to the right."""

from __future__ import annotations

from typing import Sequence

from hwr_desktop.ink import Stroke


def side_by_side(parts: Sequence[Sequence[Stroke]], gap: float, pause_ms: float = 10_000) -> list[Stroke]:
    """Each part's strokes shifted right by k times (the first part's width + gap) and later by k pauses."""
    shift = max(s.box[2] for s in parts[0]) + gap
    out = []
    for k, part in enumerate(parts):
        for s in part:
            p = s.points.copy()
            p[:, 0] += k * shift
            p[:, 3] += k * pause_ms
            out.append(Stroke(p))
    return out
