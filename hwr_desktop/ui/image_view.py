"""ImageView: an opened image with its recognized glyph boxes; click a box to correct it, Ctrl+wheel to zoom."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPen, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView, QWidget

from .colors import glyph_color
from .corrections import CorrectedPage

INDEX = 0  # QGraphicsItem data slot holding a glyph's index


class ImageView(QGraphicsView):
    """Shows one image; ``glyphClicked(int)`` when a glyph box is clicked."""

    glyphClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAcceptDrops(False)
        self.viewport().setAcceptDrops(False)
        self._pixmap = None
        self._boxes: list[QGraphicsRectItem] = []
        self._zoom = 1.0  # the user's zoom, relative to the image fitted to the view

    def has_image(self) -> bool:
        return self._pixmap is not None

    def set_image(self, image: QImage) -> None:
        """Show ``image`` fitted to the view, times the user's zoom (kept from page to page of a document
        until ``reset_zoom``); previous boxes go."""
        self.scene().clear()
        self._boxes = []
        self._pixmap = self.scene().addPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(QRectF(image.rect()))
        self._place()

    def _place(self) -> None:
        """The image fitted to the view, times the user's zoom."""
        self.resetTransform()
        self.fit()
        if self._zoom != 1.0:
            self.scale(self._zoom, self._zoom)

    def zoom(self, factor: float) -> None:
        """Zoom in (factor > 1) or out by ``factor``; the zoom is kept for the next ``set_image``."""
        self._zoom *= factor
        self.scale(factor, factor)

    def reset_zoom(self) -> None:
        """Back to the image fitted to the view."""
        self._zoom = 1.0
        self._place()

    def zoom_factor(self) -> float:
        """The user's zoom relative to the fitted image (1.0: fitted)."""
        return self._zoom

    def clear_image(self) -> None:
        """Show nothing (a page still being rendered)."""
        self.scene().clear()
        self._boxes = []
        self._pixmap = None

    def fit(self) -> None:
        if self._pixmap is not None:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def set_result(self, shown: CorrectedPage | None) -> None:
        """Draw the glyph boxes: orange for uncertain, blue for corrected, green for the rest."""
        for item in self._boxes:
            self.scene().removeItem(item)
        self._boxes = []
        if shown is None:
            return
        for i, g in enumerate(shown.glyphs):
            pen = QPen(glyph_color(shown, i), 0)  # cosmetic: one screen pixel at any zoom
            item = self.scene().addRect(QRectF(g.box[0], g.box[1], g.box[2] - g.box[0], g.box[3] - g.box[1]), pen)
            item.setData(INDEX, i)
            item.setToolTip(f"{shown.chars[i]}  ({g.confidence:.0%})")
            self._boxes.append(item)

    def box_item(self, index: int) -> QGraphicsRectItem:
        return self._boxes[index]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for item in self.items(event.position().toPoint()):
            if isinstance(item, QGraphicsRectItem) and item.data(INDEX) is not None:
                self.glyphClicked.emit(int(item.data(INDEX)))
                event.accept()
                return
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
        else:
            super().wheelEvent(event)
