"""CorrectionPopup: a small menu offering a glyph's top-k alternatives and a field to type the right character,
then its word's alternatives.

A glyph that reads as it does because of the user's samples (``GlyphResult.samples``) says so, and offers to
forget the samples that decided it. Below, the whole word: its likeliest readings (``WordResult.alternatives``),
taking its corrections back, and adding it to the user's word list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget, QWidgetAction

from ..results import GlyphResult

MAX_TYPED = 8


@dataclass(frozen=True)
class WordChoice:
    """What the popup offers for the glyph's word.

    Attributes:
        text: the word as shown, corrections in.
        alternatives: its readings, likeliest first (``WordResult.alternatives``; empty for a word of one glyph).
        corrected: whether any glyph of the word is corrected (then its corrections can be taken back at once).
        addable: whether to offer adding ``text`` to the user's word list (a usable word not in the lists).
    """

    text: str
    alternatives: tuple[str, ...] = ()
    corrected: bool = False
    addable: bool = False


class CorrectionPopup(QMenu):
    """Choose a glyph's text.

    Signals:
        chosen(str): the new text; ``""`` means back to the recognized char.
        forget(tuple): the ids of the samples to forget (the glyph's ``samples``).
        wordChosen(str): the word's new text, one character per glyph; ``""`` means back to the recognized word.
        addWord(str): add this word to the user's word list.
    Attributes:
        forget_action: "Forget this sample", for a glyph read from the user's handwriting (else None).
        word_actions: the actions of the word's alternatives, likeliest first.
        add_word_action: "Add “word” to word list", when offered (else None).
    """

    chosen = Signal(str)
    forget = Signal(object)
    wordChosen = Signal(str)
    addWord = Signal(str)

    def __init__(self, glyph: GlyphResult, current: str, corrected: bool, parent: QWidget | None = None,
                 word: WordChoice | None = None) -> None:
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
        self.word_actions = []
        self.add_word_action = None
        if word is not None:
            self._word_section(word)

    def _word_section(self, word: WordChoice) -> None:
        others = [a for a in word.alternatives if a != word.text]
        undo = word.corrected and len(word.alternatives) > 0
        if not (others or undo or word.addable):
            return
        self.addSection(f"Word \u201c{word.text}\u201d")
        for text in word.alternatives if others else ():
            act = self.addAction(text)
            act.setCheckable(True)
            act.setChecked(text == word.text)
            act.triggered.connect(lambda _=False, t=text: self._send(self.wordChosen, t))
            self.word_actions.append(act)
        if undo:
            self.addAction("Undo corrections of this word").triggered.connect(lambda: self._send(self.wordChosen, ""))
        if word.addable:
            self.add_word_action = self.addAction(f"Add \u201c{word.text}\u201d to word list")
            self.add_word_action.setToolTip("Add it to your own word list (Tools \u2192 Edit Word Lists)")
            self.add_word_action.triggered.connect(lambda: self._send(self.addWord, word.text))

    def _forget_action(self, glyph: GlyphResult):
        n = len(glyph.samples)
        act = self.addAction("Forget this sample" if n == 1 else f"Forget these {n} samples")
        act.setToolTip(f"Delete the glyph{'s' * (n != 1)} of your handwriting that made this read "
                       f"\u201c{glyph.char}\u201d (Tools \u2192 My Handwriting), and read again")
        act.triggered.connect(lambda: self._send(self.forget, tuple(glyph.samples)))
        return act

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
        self._send(self.chosen, text)

    def _send(self, signal, value) -> None:
        """Emit ``signal`` with ``value`` and close: the popup's every choice."""
        signal.emit(value)
        self.close()
