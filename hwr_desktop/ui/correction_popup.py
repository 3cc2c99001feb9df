"""CorrectionPopup: a small menu offering a glyph's top-k alternatives and a field to type the right character.

A glyph that reads as it does because of the user's samples (``GlyphResult.samples``) says so, and offers to
forget the samples that decided it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget, QWidgetAction

from ..results import GlyphResult

MAX_TYPED = 8


class CorrectionPopup(QMenu):
    """Choose a glyph's text.

    Signals:
        chosen(str): the new text; ``""`` means back to the recognized char.
        forget(tuple): the ids of the samples to forget (the glyph's ``samples``).
    Attributes:
        forget_action: "Forget this sample", for a glyph read from the user's handwriting (else None).
    """

    chosen = Signal(str)
    forget = Signal(object)

    def __init__(self, glyph: GlyphResult, current: str, corrected: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        personal = bool(glyph.samples) and not corrected
        how = "from your handwriting" if personal else f"({glyph.confidence:.0%})"
        self.addSection(f"Read as \u201c{glyph.char}\u201d {how}")
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
        self.forget_action = self._forget_action(glyph) if personal else None

    def _forget_action(self, glyph: GlyphResult):
        n = len(glyph.samples)
        act = self.addAction("Forget this sample" if n == 1 else f"Forget these {n} samples")
        act.setToolTip(f"Delete the glyph{'s' * (n != 1)} of your handwriting that made this read "
                       f"\u201c{glyph.char}\u201d (Tools \u2192 My Handwriting), and read again")
        act.triggered.connect(lambda: self._forget(tuple(glyph.samples)))
        return act

    def _forget(self, samples: tuple) -> None:
        self.forget.emit(samples)
        self.close()

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
