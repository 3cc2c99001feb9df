"""Pen gestures and hit tests on strokes; plain numpy, no Qt.

A *scratch-out* is a quick zig-zag drawn over ink: it reverses its horizontal
direction several times within a short time. The canvas erases the strokes it
covers instead of adding it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..ink import Stroke

MIN_REVERSALS = 4  # x-direction reversals of a scratch-out (a "W" or "Z" has at most 2)
MAX_SCRATCH_MS = 1500.0  # a scratch-out is quick
MIN_SCRATCH_WIDTH = 12.0  # px
REVERSAL_SHARE = 0.3  # a reversal counts when x travels back this share of the stroke's width
MIN_COVER = 0.6  # a stroke is scratched out when this share of its box lies under the scratch


def x_reversals(xs: np.ndarray, hysteresis: float) -> int:
    """Count direction changes of float (N,) x coordinates, ignoring wiggles below ``hysteresis``."""
    direction, anchor, count = 0, float(xs[0]), 0
    for x in map(float, xs[1:]):
        if direction == 0:
            if abs(x - anchor) >= hysteresis:
                direction, anchor = (1 if x > anchor else -1), x
        elif (x - anchor) * direction > 0:
            anchor = x  # still going the same way: move the extreme
        elif abs(x - anchor) >= hysteresis:
            direction, anchor, count = -direction, x, count + 1
    return count


def is_scratch_out(points: np.ndarray) -> bool:
    """Whether float64 (N, 4) stroke points (x, y, p, t_ms) look like a scratch-out zig-zag."""
    if len(points) < 2 * MIN_REVERSALS:
        return False
    width = float(np.ptp(points[:, 0]))
    duration = float(points[-1, 3] - points[0, 3])
    if width < MIN_SCRATCH_WIDTH or duration > MAX_SCRATCH_MS:
        return False
    return x_reversals(points[:, 0], REVERSAL_SHARE * width) >= MIN_REVERSALS


def covered_strokes(scratch: np.ndarray, strokes: Sequence[Stroke], min_cover: float = MIN_COVER) -> list[int]:
    """Indices of the strokes whose box lies mostly inside the box of float (N, 2+) ``scratch`` points."""
    if not strokes:
        return []
    sx0, sy0 = scratch[:, :2].min(0)
    sx1, sy1 = scratch[:, :2].max(0)
    boxes = np.array([s.box for s in strokes]) + (-1.0, -1.0, 1.0, 1.0)  # a dot still has an area
    iw = np.clip(np.minimum(boxes[:, 2], sx1) - np.maximum(boxes[:, 0], sx0), 0, None)
    ih = np.clip(np.minimum(boxes[:, 3], sy1) - np.maximum(boxes[:, 1], sy0), 0, None)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return [int(i) for i in np.nonzero(iw * ih >= min_cover * area)[0]]


def segment_distance(xy: np.ndarray, px: float, py: float) -> float:
    """Shortest distance from (px, py) to the polyline of float (N, 2) points."""
    if len(xy) == 1:
        return float(np.hypot(xy[0, 0] - px, xy[0, 1] - py))
    a, b = xy[:-1], xy[1:]
    d = b - a
    length2 = np.maximum((d * d).sum(1), 1e-12)
    t = np.clip(((px - a[:, 0]) * d[:, 0] + (py - a[:, 1]) * d[:, 1]) / length2, 0.0, 1.0)
    cx, cy = a[:, 0] + t * d[:, 0], a[:, 1] + t * d[:, 1]
    return float(np.hypot(cx - px, cy - py).min())


def hit_strokes(strokes: Sequence[Stroke], boxes: np.ndarray, px: float, py: float, radius: float) -> list[int]:
    """Indices of strokes passing within ``radius`` of (px, py); ``boxes`` is float (N, 4) of their boxes."""
    if not len(strokes):
        return []
    near = (boxes[:, 0] - radius <= px) & (px <= boxes[:, 2] + radius)
    near &= (boxes[:, 1] - radius <= py) & (py <= boxes[:, 3] + radius)
    return [int(i) for i in np.nonzero(near)[0] if segment_distance(strokes[i].points[:, :2], px, py) <= radius]
