"""InkCanvas: write with mouse or pen into an ``Ink`` model; erase, scratch out, undo, see the results.

Points are in canvas (logical) pixels; t_ms comes from a monotonic clock.
Finished strokes are cached in a device-pixel-ratio aware pixmap: a new
stroke is painted into it segment by segment while it is drawn, so long
sessions stay smooth; undo, erase and palette changes repaint it from the model.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPixmap, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..ink import Ink, Stroke, stroke_width
from .colors import glyph_color
from .corrections import CorrectedPage
from .gestures import covered_strokes, hit_strokes, is_scratch_out
from .ink_painter import make_pen, paint_segment, paint_stroke

PEN, ERASER = "pen", "eraser"
MOUSE_PRESSURE = 0.5  # a mouse has no pressure: this gives exactly the base pen width
ERASER_RADIUS = 8.0  # px
MIN_STEP = 0.5  # px: closer pointer moves are dropped
GROW_MARGIN = 120  # px: the canvas grows when the pen comes this close to its edge
GROW_STEP = 400
DEFAULT_SIZE = QSize(900, 420)


class InkCanvas(QWidget):
    """A writing surface over an ``Ink`` model.

    Signals:
        inkChanged: the strokes changed (pen lifted, erase, undo, redo, clear, load).
        edited(Edit): the model was changed (``ink.Edit``: what ``Ink.apply`` needs to do it again), sent
            during the change, before ``inkChanged``; not for ``set_ink``.
        strokeStarted: the pen went down (live recognition waits for it to lift).
        glyphClicked(int): a recognized glyph's box was right-clicked; the glyph's index.
    """

    inkChanged = Signal()
    edited = Signal(object)
    strokeStarted = Signal()
    glyphClicked = Signal(int)
    toolChanged = Signal(str)

    def __init__(self, ink: Ink | None = None, parent: QWidget | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._ink = ink if ink is not None else Ink()
        self._ink.listener = self.edited.emit
        self._clock = clock
        self._t0 = self._time_origin()
        self._pen_width = 3.0
        self._guides = True
        self.guide_spacing = 80  # px between guide lines (``set_guide_spacing``)
        self._ink_color: QColor | None = None  # None: the palette's text colour
        self._tool = PEN
        self._live: list[tuple[float, float, float, float]] | None = None
        self._live_tool = PEN
        self._tablet = False
        self._erasing: set[int] = set()
        self._boxes: np.ndarray | None = None
        self._box_memo: dict[int, tuple[Stroke, tuple[float, float, float, float]]] = {}
        self._cache: QPixmap | None = None
        self._shown: CorrectedPage | None = None
        self._hover: QPointF | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAutoFillBackground(False)
        self._fit_ink()

    # --- model access ----------------------------------------------------------------------------

    @property
    def ink(self) -> Ink:
        """The model; change it through the canvas methods so the view follows."""
        return self._ink

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return self._ink.strokes

    def add_stroke(self, stroke: Stroke) -> None:
        """Append a stroke (one undo step), as if it had been written."""
        self._paint_into_cache([stroke])
        self._change(lambda: self._ink.add(stroke), added=stroke)

    def erase(self, indices: Iterable[int]) -> None:
        """Remove strokes by index (one undo step)."""
        idx = list(indices)
        if idx:
            self._change(lambda: self._ink.erase(idx))

    def clear(self) -> None:
        """Remove all strokes (one undo step)."""
        if self._ink:
            self._change(self._ink.clear)

    def undo(self) -> bool:
        return self._change(self._ink.undo)

    def redo(self) -> bool:
        return self._change(self._ink.redo)

    def set_ink(self, ink: Ink) -> None:
        """Show another model (a restored session): no undo step, history is the model's own."""
        self._ink.listener = None
        self._ink = ink
        ink.listener = self.edited.emit
        self._t0 = self._time_origin()
        self._boxes, self._cache = None, None
        self._fit_ink()
        self.update()
        self.inkChanged.emit()

    def replace_strokes(self, strokes: Iterable[Stroke]) -> None:
        """Replace the ink with ``strokes`` (an opened file); undo brings the old ink back."""
        strokes = list(strokes)
        self._change(lambda: self._ink.replace(strokes))
        self._t0 = self._time_origin()

    def _change(self, op: Callable[[], object], added: Stroke | None = None,
                extra: tuple[float, float, float, float] | None = None) -> bool:
        """Run ``op`` on the model, then repaint only the strokes it added or removed.

        Args:
            added: the one stroke ``op`` appends, already painted (the hot path while writing).
            extra: a region to repaint as well (a scratch-out stroke that was painted but is not kept).
        Returns:
            whether the ink changed.
        """
        before = None if added is not None else self._ink.strokes
        op()
        changed = [added] if added is not None else self._changed(before, self._ink.strokes)
        if not changed:
            return False
        self._boxes = None
        boxes = [self._box(s) for s in changed] + ([extra] if extra else [])
        arr = np.array(boxes, dtype=np.float64)
        region = (*arr[:, :2].min(0), *arr[:, 2:].max(0))
        if added is None:
            if len(changed) > max(64, len(self._ink) // 2):
                self._cache = None  # most of the page changed: repaint it all
            else:
                self._repaint_region(region)
        self._grow_to(region[2], region[3])
        self.update()
        self.inkChanged.emit()
        return True

    @staticmethod
    def _changed(before: tuple[Stroke, ...], after: tuple[Stroke, ...]) -> list[Stroke]:
        """Strokes in one tuple and not the other (by identity)."""
        old, new = {id(s): s for s in before}, {id(s): s for s in after}
        return [s for k, s in old.items() if k not in new] + [s for k, s in new.items() if k not in old]

    def _box(self, stroke: Stroke) -> tuple[float, float, float, float]:
        """A stroke's box, memoized by identity (computing it walks all its points)."""
        memo = self._box_memo.get(id(stroke))
        if memo is not None and memo[0] is stroke:
            return memo[1]
        if len(self._box_memo) > 2 * len(self._ink) + 256:  # forget strokes that are gone for good
            alive = {id(s) for s in self._ink.strokes}
            self._box_memo = {k: v for k, v in self._box_memo.items() if k in alive}
        box = stroke.box
        self._box_memo[id(stroke)] = (stroke, box)
        return box

    def _time_origin(self) -> float:
        """Clock offset so new strokes' t_ms follow the existing ink's."""
        last = max((s.end_ms for s in self._ink.strokes), default=0.0)
        return self._clock() * 1000.0 - last - 1000.0

    def _now_ms(self) -> float:
        return self._clock() * 1000.0 - self._t0

    # --- settings --------------------------------------------------------------------------------

    @property
    def pen_width(self) -> float:
        return self._pen_width

    def set_pen_width(self, width: float) -> None:
        """Base pen width in px (at pressure 0.5); it changes only how ink is shown, not the model input."""
        self._pen_width = max(0.5, float(width))
        self._cache = None
        self.update()

    @property
    def guides(self) -> bool:
        return self._guides

    def set_guides(self, on: bool) -> None:
        self._guides = bool(on)
        self.update()

    def set_guide_spacing(self, spacing: int) -> None:
        """Pixels between guide lines (20 at least); the paper is drawn again."""
        self.guide_spacing = int(spacing)
        self.update()

    def guide_rules(self) -> tuple[float, float] | None:
        """The shown guide lines as (y of the first rule, spacing) in canvas (= ink) pixels; None when hidden."""
        if not self._guides:
            return None
        step = float(self._guide_step())
        return step, step

    def _guide_step(self) -> int:
        return max(20, int(self.guide_spacing))

    @property
    def tool(self) -> str:
        return self._tool

    def set_tool(self, tool: str) -> None:
        """``"pen"`` or ``"eraser"``."""
        if tool not in (PEN, ERASER):
            raise ValueError(f"unknown tool {tool!r}")
        self._tool = tool
        self.setMouseTracking(tool == ERASER)
        self._hover = None
        self.update()
        self.toolChanged.emit(tool)

    def set_result(self, shown: CorrectedPage | None) -> None:
        """Draw these glyph boxes faintly over the ink (None: none)."""
        self._shown = shown
        self.update()

    def ink_color(self) -> QColor:
        """The ink's colour: the one set (``set_ink_color``), else the palette's (dark text on light, light on
        dark); the model never sees it."""
        return QColor(self._ink_color) if self._ink_color is not None else self.palette().color(QPalette.ColorRole.Text)

    def set_ink_color(self, color: QColor | None) -> None:
        """Draw the ink in ``color``; None: follow the palette. All ink is drawn again."""
        self._ink_color = QColor(color) if color is not None and QColor(color).isValid() else None
        self._cache = None
        self.update()

    # --- size ------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return self.minimumSize().expandedTo(DEFAULT_SIZE)

    def _fit_ink(self) -> None:
        """Grow the minimum size so all ink shows with room to write on."""
        boxes = self._stroke_boxes()
        if len(boxes):
            self._grow_to(float(boxes[:, 2].max()), float(boxes[:, 3].max()))

    def _grow_to(self, x: float, y: float) -> None:
        """Make room when ink comes within GROW_MARGIN of the right or bottom edge (the scroll area follows)."""
        w, h = max(self.width(), self.minimumWidth()), max(self.height(), self.minimumHeight())
        grow_w = int(x) + GROW_MARGIN > w
        grow_h = int(y) + GROW_MARGIN > h
        if grow_w or grow_h:
            self.setMinimumSize(int(x) + GROW_MARGIN + GROW_STEP if grow_w else self.minimumWidth(),
                                int(y) + GROW_MARGIN + GROW_STEP if grow_h else self.minimumHeight())

    # --- input: mouse and tablet -----------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._click_glyph(event.position())
        elif event.button() == Qt.MouseButton.LeftButton and self._live is None:
            self._begin(event.position(), MOUSE_PRESSURE, self._tool)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._live is not None and not self._tablet:
            self._extend(event.position(), MOUSE_PRESSURE)
        elif self._tool == ERASER:
            self._hover = event.position()
            self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._live is not None and not self._tablet:
            self._extend(event.position(), MOUSE_PRESSURE)
            self._end()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pen input with pressure; accepted so Qt does not also send the matching mouse events."""
        kind, pos, pressure = event.type(), event.position(), float(event.pressure())
        if kind == QEvent.Type.TabletPress and self._live is None:
            flipped = event.pointerType() == QPointingDevice.PointerType.Eraser
            self._tablet = True
            self._begin(pos, pressure, ERASER if flipped else self._tool)
        elif kind == QEvent.Type.TabletMove and self._live is not None and self._tablet:
            self._extend(pos, pressure)
        elif kind == QEvent.Type.TabletRelease and self._live is not None and self._tablet:
            self._extend(pos, pressure)
            self._end()
        event.accept()

    def _begin(self, pos: QPointF, pressure: float, tool: str) -> None:
        self._live = [(pos.x(), pos.y(), pressure, self._now_ms())]
        self._live_tool = tool
        self.strokeStarted.emit()
        if tool == ERASER:
            self._erase_at(pos)
        else:
            self._paint_live(self._live[0], self._live[0])

    def _extend(self, pos: QPointF, pressure: float) -> None:
        last = self._live[-1]
        if abs(pos.x() - last[0]) < MIN_STEP and abs(pos.y() - last[1]) < MIN_STEP:
            return
        point = (pos.x(), pos.y(), pressure, max(self._now_ms(), last[3]))
        self._live.append(point)
        if self._live_tool == ERASER:
            self._hover = pos
            self._erase_at(pos)
        else:
            self._grow_to(pos.x(), pos.y())
            self._paint_live(last, point)

    def _end(self) -> None:
        points, tool = np.array(self._live, dtype=np.float64), self._live_tool
        self._live, self._tablet = None, False
        if tool == ERASER:
            hits, self._erasing = sorted(self._erasing), set()
            if hits:
                self.erase(hits)
            else:
                self.update()
        elif is_scratch_out(points) and (hits := covered_strokes(points, self._ink.strokes)):
            xy = points[:, :2]
            box = (*xy.min(0), *xy.max(0))  # the zig-zag was painted while drawn: repaint it away too
            self._change(lambda: self._ink.erase(hits), extra=tuple(float(v) for v in box))
        else:
            stroke = Stroke(points)  # already painted, segment by segment
            self._change(lambda: self._ink.add(stroke), added=stroke)

    def _erase_at(self, pos: QPointF) -> None:
        strokes = self._ink.strokes
        fresh = set(hit_strokes(strokes, self._stroke_boxes(), pos.x(), pos.y(), ERASER_RADIUS)) - self._erasing
        if fresh:
            self._erasing |= fresh  # hidden now, erased (one undo step) when the pen lifts
            boxes = self._stroke_boxes()[sorted(fresh)]
            self._repaint_region((boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()))
        self.update()

    def _stroke_boxes(self) -> np.ndarray:
        """float (N, 4): the boxes of the strokes, in order."""
        if self._boxes is None:
            self._boxes = np.array([self._box(s) for s in self._ink.strokes], dtype=np.float64).reshape(-1, 4)
        return self._boxes

    def _click_glyph(self, pos: QPointF) -> None:
        if self._shown is None:
            return
        for i, g in enumerate(self._shown.glyphs):
            x0, y0, x1, y1 = g.box
            if QRectF(x0 - 3, y0 - 3, x1 - x0 + 6, y1 - y0 + 6).contains(pos):
                self.glyphClicked.emit(i)
                return

    # --- painting --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange, QEvent.Type.StyleChange):
            self._cache = None
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._guides:
            self._paint_guides(painter, event.rect())
        painter.drawPixmap(0, 0, self._ensure_cache())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._shown is not None:
            self._paint_glyph_boxes(painter)
        if self._hover is not None and self._tool == ERASER:
            painter.setPen(make_pen(self.palette().color(QPalette.ColorRole.Mid), 1.0))
            painter.drawEllipse(self._hover, ERASER_RADIUS, ERASER_RADIUS)
        painter.end()

    def _paint_guides(self, painter: QPainter, rect: QRect) -> None:
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        color.setAlpha(45)
        painter.setPen(make_pen(color, 1.0))
        step = self._guide_step()
        for y in range((rect.top() // step + 1) * step, rect.bottom() + 1, step):
            painter.drawLine(rect.left(), y, rect.right(), y)

    def _ensure_cache(self) -> QPixmap:
        """The finished strokes, at the screen's device pixel ratio; grown by copying, rebuilt on change."""
        dpr = self.devicePixelRatioF()
        size = self.size() * dpr
        cache = self._cache
        same_dpr = cache is not None and cache.devicePixelRatio() == dpr
        if same_dpr and cache.width() >= size.width() and cache.height() >= size.height():
            return cache
        fresh = QPixmap(size.expandedTo(QSize(1, 1)))
        fresh.setDevicePixelRatio(dpr)
        fresh.fill(Qt.GlobalColor.transparent)
        self._cache = fresh
        if same_dpr:  # only grew: keep what is drawn
            painter = QPainter(fresh)
            painter.drawPixmap(0, 0, cache)
            painter.end()
        else:
            self._paint_into_cache([s for i, s in enumerate(self._ink.strokes) if i not in self._erasing])
            if self._live is not None and self._live_tool == PEN:  # the stroke being drawn
                self._paint_into_cache([Stroke(np.array(self._live))])
        return fresh

    def _paint_into_cache(self, strokes: list[Stroke]) -> None:
        if self._cache is None:
            return  # the next paint rebuilds it from the model
        painter = QPainter(self._cache)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.ink_color()
        for s in strokes:
            paint_stroke(painter, s.points, self._pen_width, color)
        painter.end()

    def _repaint_region(self, box: tuple[float, float, float, float]) -> None:
        """Repaint the cache inside ``box`` (ink coordinates) from the model: after erase, undo, redo."""
        if self._cache is None:
            return
        pad = stroke_width(1.0, self._pen_width) + 2
        x0, y0, x1, y1 = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
        boxes, strokes = self._stroke_boxes(), self._ink.strokes
        near = (boxes[:, 0] <= x1 + pad) & (boxes[:, 2] >= x0 - pad)
        near &= (boxes[:, 1] <= y1 + pad) & (boxes[:, 3] >= y0 - pad)
        rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        painter = QPainter(self._cache)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        painter.fillRect(rect, Qt.GlobalColor.transparent)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setClipRect(rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.ink_color()
        for i in np.nonzero(near)[0]:
            if int(i) not in self._erasing:
                paint_stroke(painter, strokes[i].points, self._pen_width, color)
        painter.end()

    def _paint_live(self, a: tuple, b: tuple) -> None:
        """Paint the newest segment of the stroke being drawn into the cache and refresh just there."""
        cache = self._ensure_cache()
        painter = QPainter(cache)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_segment(painter, np.asarray(a), np.asarray(b), self._pen_width, self.ink_color())
        painter.end()
        pad = stroke_width(max(a[2], b[2]), self._pen_width) + 2
        self.update(QRectF(QPointF(a[0], a[1]), QPointF(b[0], b[1])).normalized()
                    .adjusted(-pad, -pad, pad, pad).toAlignedRect())

    def _paint_glyph_boxes(self, painter: QPainter) -> None:
        shown = self._shown
        normal = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        for i, g in enumerate(shown.glyphs):
            color = glyph_color(shown, i, normal)
            color.setAlpha(110)
            painter.setPen(make_pen(color, 1.0))
            x0, y0, x1, y1 = g.box
            painter.drawRoundedRect(QRectF(x0 - 2, y0 - 2, x1 - x0 + 4, y1 - y0 + 4), 3, 3)
            painter.drawText(QPointF(x0, y0 - 5), shown.chars[i])
