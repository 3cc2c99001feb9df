"""CorrectionPopup: a small menu offering a glyph's top-k alternatives and a field to type the right character."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget, QWidgetAction

from ..results import GlyphResult

MAX_TYPED = 8


class CorrectionPopup(QMenu):
    """Choose a glyph's text. ``chosen(str)`` carries the new text; ``""`` means back to the recognized char."""

    chosen = Signal(str)

    def __init__(self, glyph: GlyphResult, current: str, corrected: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.addSection(f"Read as \u201c{glyph.char}\u201d ({glyph.confidence:.0%})")
        for cand in glyph.alternatives:
            act = self.addAction(f"{cand.char}\t{cand.p:.0%}")
            act.setData(cand.char)
            act.setCheckable(True)
            act.setChecked(cand.char == current)
            act.triggered.connect(lambda _=False, c=cand.char: self._choose(c))
        self.addSeparator()
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Type the right character, Enter")
        self.field.setMaxLength(MAX_TYPED)
        self.field.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.field.placeholderText()) + 24)
        self.field.returnPressed.connect(self._typed)
        typed = QWidgetAction(self)
        typed.setDefaultWidget(self.field)
        self.addAction(typed)
        if corrected:
            self.addAction("Undo correction").triggered.connect(lambda: self._choose(""))

    def alternative_actions(self):
        """The actions of the alternatives, best first."""
        return [a for a in self.actions() if isinstance(a.data(), str) and a.data()]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.field.setFocus(Qt.FocusReason.PopupFocusReason)

    def _typed(self) -> None:
        text = self.field.text().strip()
        if text:
            self._choose(text)

    def _choose(self, text: str) -> None:
        self.chosen.emit(text)
        self.close()
