"""ResultView: the recognized text, line by line (paragraphs apart); corrected glyphs in bold blue, glyphs read
from the user's handwriting in purple and uncertain ones in orange, both underlined.

Each glyph is a link; clicking one emits ``glyphClicked`` with its index so
the window can offer alternatives. Hovering one emits ``glyphHovered``.
The view is as tall as its text, from ``MIN_LINES`` up to ``MAX_LINES`` lines; longer text scrolls.
With nothing recognized it shows ``HINT``, greyed out, as text of its own: Qt draws a placeholder
in the height of one line, which cut the hint off where it wraps.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSize, QUrl, Signal
from PySide6.QtGui import QFont, QPalette, QResizeEvent, QTextCursor
from PySide6.QtWidgets import QSizePolicy, QTextBrowser, QWidget

from .colors import CORRECTED, LOW, PERSONAL, css_color
from ..pipeline import joins_previous
from .corrections import CorrectedPage

SCHEME = "glyph"
MIN_LINES = 2  # the view's height in lines of text: at least this ...
MAX_LINES = 8  # ... and at most this; longer text scrolls
HINT = ("Write above: the recognized text appears here. Click a character here, or right-click its box on the ink, "
        "to correct it.")


class ResultView(QTextBrowser):
    """Read-only text of a ``CorrectedPage``."""

    glyphClicked = Signal(int)
    glyphHovered = Signal(int)  # -1 when the pointer leaves a glyph

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: CorrectedPage | None = None
        self._positions: list[int] = []
        self._stale = False
        self.setOpenLinks(False)
        self.setAcceptDrops(False)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # the height is sizeHint's
        self.document().contentsChanged.connect(self.updateGeometry)  # wanted_height changes with the text
        self.anchorClicked.connect(self._on_anchor)
        self.highlighted.connect(self._on_highlight)
        self._render()

    @property
    def shown(self) -> CorrectedPage | None:
        return self._shown

    def show_result(self, shown: CorrectedPage | None) -> None:
        """Show a result (None: nothing)."""
        self._shown = shown
        self._stale = False
        self._render()

    def set_stale(self, stale: bool) -> None:
        """Grey the text out while it no longer matches the ink."""
        if stale != self._stale:
            self._stale = stale
            self._render()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.wanted_height())

    def minimumSizeHint(self) -> QSize:  # a fixed height is at least this: below a scroll area's own minimum too
        return QSize(super().minimumSizeHint().width(), self.wanted_height())

    def wanted_height(self) -> int:
        """The height in pixels that shows the whole text, within MIN_LINES..MAX_LINES lines."""
        line = self.fontMetrics().lineSpacing()
        edges = 2 * (self.frameWidth() + self.document().documentMargin())
        low, high = MIN_LINES * line + edges, MAX_LINES * line + edges
        return int(min(max(math.ceil(self.document().size().height()) + 2 * self.frameWidth(), low), high))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # the text wraps anew: it may want another height
            self.updateGeometry()

    def glyph_position(self, index: int) -> int:
        """The document position where glyph ``index`` starts."""
        return self._positions[index]

    def _render(self) -> None:
        shown = self._shown
        if shown is None or not shown.glyphs:
            self._positions = []
            hint_color = css_color(self.palette().color(QPalette.ColorRole.PlaceholderText))
            self.setHtml(f'<div style="color:{hint_color}">{html.escape(HINT)}</div>')
            return
        parts, self._positions, pos, i = [], [], 0, 0
        lines = shown.page.lines
        for n, line in enumerate(lines):
            breaks = 0 if n == 0 else 1 + (line.paragraph != lines[n - 1].paragraph)  # a blank line between paragraphs
            parts.append("<br>" * breaks)
            pos += breaks
            for w, word in enumerate(line.words):
                text = "".join(shown.chars[i : i + len(word.glyphs)])
                if w and not joins_previous(text):  # as pipeline.line_text writes the line
                    parts.append(" ")
                    pos += 1
                for _ in word.glyphs:
                    self._positions.append(pos)
                    parts.append(self._glyph_html(i))
                    pos += len(shown.chars[i])
                    i += 1
        role = QPalette.ColorRole.PlaceholderText if self._stale else QPalette.ColorRole.Text
        text_color = self.palette().color(role)
        self.setHtml(f'<div style="color:{css_color(text_color)}">{"".join(parts)}</div>')

    def _glyph_html(self, i: int) -> str:
        shown = self._shown
        style = "text-decoration:none;"
        if self._stale:  # Qt's rich text knows no "inherit": the grey is spelled out
            style += f"color:{css_color(self.palette().color(QPalette.ColorRole.PlaceholderText))};"
        elif shown.corrected[i]:
            style += f"color:{CORRECTED};font-weight:bold;"
        elif shown.is_personal(i):
            style += f"color:{PERSONAL};text-decoration:underline;"
        elif shown.is_low(i):
            style += f"color:{LOW};text-decoration:underline;"
        else:
            style += f"color:{self.palette().color(QPalette.ColorRole.Text).name()};"
        return f'<a href="{SCHEME}:{i}" style="{style}">{html.escape(shown.chars[i])}</a>'

    @staticmethod
    def _index(url: QUrl) -> int:
        if url.scheme() != SCHEME:
            return -1
        try:
            return int(url.path())
        except ValueError:
            return -1

    def _on_anchor(self, url: QUrl) -> None:
        i = self._index(url)
        if self._shown is not None and 0 <= i < len(self._shown.glyphs):
            self.glyphClicked.emit(i)

    def _on_highlight(self, url: QUrl) -> None:
        self.glyphHovered.emit(self._index(url) if url.isValid() else -1)

    def cursor_rect_of(self, index: int):
        """The viewport rectangle of glyph ``index``'s first character (for popups and tests)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.glyph_position(index))
        left = self.cursorRect(cursor)
        cursor.setPosition(self.glyph_position(index) + 1)
        right = self.cursorRect(cursor)
        return left.united(right)
