"""Pen input for the GUI tests: mouse and tablet events built by hand, and simple glyph trajectories."""

from __future__ import annotations

import time
from typing import Iterable, Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QInputDevice, QMouseEvent, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication, QWidget

from hwr_desktop.recognizer import ModelInfo

LABELS = tuple("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class FakeRecognizer:
    """Stands in for Recognizer: glyph i reads as ``chars[i % len(chars)]`` with probability ``p``."""

    def __init__(self, chars: str = "1", p: float = 0.9, second: str = "7", delay_s: float = 0.0) -> None:
        self.labels = LABELS
        self.info = ModelInfo("fake.onnx", LABELS, "fake", {"val_accuracy": 0.875, "val_samples": 1000})
        self.chars, self.p, self.second, self.delay_s = chars, p, second, delay_s
        self.calls = 0
        self.feature_kind = None  # predict gives no features
        self.placement = None  # lines read with the measured table

    def predict(self, glyphs: np.ndarray, batch: int = 256):
        self.calls += 1
        time.sleep(self.delay_s)
        n = len(glyphs)
        rest = (1.0 - self.p) / 2
        out = np.full((n, len(LABELS)), rest / (len(LABELS) - 2), np.float32)
        for i in range(n):
            out[i, LABELS.index(self.chars[i % len(self.chars)])] = self.p
            if self.second != self.chars[i % len(self.chars)]:
                out[i, LABELS.index(self.second)] = rest
        return out, None


Point = tuple[float, float]


def send_mouse(widget: QWidget, kind, pos: Point, button=Qt.MouseButton.LeftButton, buttons=None,
               modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """Deliver one mouse event (QTest's mouseMove carries no buttons, so events are built by hand)."""
    if buttons is None:
        buttons = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else button
    local = QPointF(*pos)
    if kind == QMouseEvent.Type.MouseMove:
        button = Qt.MouseButton.NoButton
    event = QMouseEvent(kind, local, widget.mapToGlobal(local), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def draw(widget: QWidget, points: Sequence[Point]) -> None:
    """Draw one stroke with the mouse through ``points`` (widget coordinates)."""
    send_mouse(widget, QMouseEvent.Type.MouseButtonPress, points[0])
    for p in points[1:]:
        send_mouse(widget, QMouseEvent.Type.MouseMove, p)
    send_mouse(widget, QMouseEvent.Type.MouseButtonRelease, points[-1])


def line(a: Point, b: Point, n: int = 20) -> list[Point]:
    return [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for t in np.linspace(0.0, 1.0, n)]


def one(x: float, y: float, h: float = 100) -> list[list[Point]]:
    """A "1": one near-vertical stroke, top at (x, y)."""
    return [line((x + 4, y), (x, y + h), 25)]


def seven(x: float, y: float, h: float = 100) -> list[list[Point]]:
    """A "7": a bar then a diagonal, in one stroke."""
    w = 0.6 * h
    return [line((x, y + 5), (x + w, y + 5), 12) + line((x + w, y + 5), (x + 0.3 * w, y + h), 25)[1:]]


def write(widget: QWidget, glyphs: Iterable[list[list[Point]]]) -> None:
    for strokes in glyphs:
        for stroke in strokes:
            draw(widget, stroke)


def zigzag(x0: float, x1: float, y0: float, y1: float, turns: int = 6) -> list[Point]:
    """A scratch-out: back and forth across [x0, x1] while moving down from y0 to y1."""
    pts = []
    for k in range(turns + 1):
        pts.append((x0 if k % 2 == 0 else x1, y0 + (y1 - y0) * k / turns))
    out = []
    for a, b in zip(pts, pts[1:]):
        out += line(a, b, 6)[:-1]
    return out + [pts[-1]]


def stylus() -> QPointingDevice:
    return QPointingDevice("test stylus", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                           QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 2)


def send_tablet(widget: QWidget, kind, pos: Point, pressure: float, device: QPointingDevice) -> QTabletEvent:
    local = QPointF(*pos)
    buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
    event = QTabletEvent(kind, device, local, widget.mapToGlobal(local), pressure, 0.0, 0.0, 0.0, 0.0, 0.0,
                         Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, buttons)
    event.ignore()
    QApplication.sendEvent(widget, event)
    return event


def draw_tablet(widget: QWidget, points: Sequence[Point], pressure: float,
                device: QPointingDevice) -> list[QTabletEvent]:
    events = [send_tablet(widget, QTabletEvent.Type.TabletPress, points[0], pressure, device)]
    events += [send_tablet(widget, QTabletEvent.Type.TabletMove, p, pressure, device) for p in points[1:]]
    events.append(send_tablet(widget, QTabletEvent.Type.TabletRelease, points[-1], pressure, device))
    return events


def three(x: float = 60) -> list[list[list[Point]]]:
    """Three "1" strokes close together: one word of three glyphs, between the guide lines (rules at y = 80, 160)."""
    return [one(x + 30 * i, 70, h=60) for i in range(3)]


def text_is(qtbot, window, text: str, timeout: int = 5000) -> None:
    """Wait until the window shows ``text`` (corrections in)."""
    qtbot.waitUntil(lambda: window.current_text() == text, timeout=timeout)
