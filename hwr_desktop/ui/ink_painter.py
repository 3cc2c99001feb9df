"""Paint strokes with QPainter: smooth antialiased paths, width following pressure."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from ..ink import stroke_width

WIDTH_STEP = 0.25  # px: pressure changes below this do not split a stroke's path


def make_pen(color: QColor, width: float) -> QPen:
    """A round-capped, round-joined pen."""
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def smooth_path(xy: np.ndarray) -> QPainterPath:
    """A path through float (N, 2) points, N >= 2, with quadratic curves between segment midpoints."""
    path = QPainterPath(QPointF(xy[0, 0], xy[0, 1]))
    if len(xy) == 2:
        path.lineTo(xy[1, 0], xy[1, 1])
        return path
    mids = (xy[:-1] + xy[1:]) / 2
    path.lineTo(mids[0, 0], mids[0, 1])
    for (cx, cy), (mx, my) in zip(xy[1:-1], mids[1:]):
        path.quadTo(cx, cy, mx, my)
    path.lineTo(xy[-1, 0], xy[-1, 1])
    return path


def paint_stroke(painter: QPainter, points: np.ndarray, base_width: float, color: QColor) -> None:
    """Paint float (N, 4) stroke points (x, y, pressure, t); width is ``stroke_width(pressure, base_width)``."""
    xy, pressure = points[:, :2], points[:, 2]
    if len(points) == 1 or np.ptp(xy, axis=0).max() < 1e-9:
        painter.setPen(make_pen(color, stroke_width(float(pressure[0]), base_width)))
        painter.drawPoint(QPointF(xy[0, 0], xy[0, 1]))
        return
    if np.ptp(pressure) < 1e-6:
        painter.setPen(make_pen(color, stroke_width(float(pressure[0]), base_width)))
        painter.drawPath(smooth_path(xy))
        return
    widths = np.round(np.array([stroke_width(float(p), base_width) for p in pressure]) / WIDTH_STEP) * WIDTH_STEP
    start = 0
    for end in range(1, len(points) + 1):  # runs of (nearly) equal width, each one smooth path
        if end == len(points) or widths[end] != widths[start]:
            run = xy[max(0, start - 1) : end]  # overlap one point so runs join
            painter.setPen(make_pen(color, max(float(widths[start]), WIDTH_STEP)))
            painter.drawPath(smooth_path(run) if len(run) > 1 else smooth_path(np.vstack([run, run])))
            start = end


def paint_segment(painter: QPainter, a: np.ndarray, b: np.ndarray, base_width: float, color: QColor) -> None:
    """Paint one segment between two (4,) points with the width of their mean pressure."""
    painter.setPen(make_pen(color, stroke_width(float(a[2] + b[2]) / 2, base_width)))
    painter.drawLine(QPointF(a[0], a[1]), QPointF(b[0], b[1]))
