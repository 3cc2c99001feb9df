"""The colours that mark glyphs everywhere: corrected, read from the user's handwriting, uncertain, or plain."""

from __future__ import annotations

from PySide6.QtGui import QColor

from .corrections import CorrectedPage

LOW = "#d35400"  # orange: read with confidence below LOW_CONFIDENCE, not corrected
CORRECTED = "#2e86de"  # blue: the user chose this text
PERSONAL = "#8e44ad"  # purple: the user's samples made it read so (the network alone read it otherwise)
PLAIN = "#27ae60"  # green: for boxes on an image (the ink canvas uses the palette's highlight)


def glyph_color(shown: CorrectedPage, index: int, plain: QColor | str = PLAIN) -> QColor:
    """The mark colour of glyph ``index``."""
    if shown.corrected[index]:
        return QColor(CORRECTED)
    if shown.is_personal(index):
        return QColor(PERSONAL)
    if shown.is_low(index):
        return QColor(LOW)
    return QColor(plain)


def css_color(color: QColor) -> str:
    """``color`` for Qt's rich text, its transparency kept: ``rgba(r, g, b, a)`` (``QColor.name()`` drops it, and
    the palette's placeholder colour is the text colour at half opacity)."""
    return f"rgba({color.red()}, {color.green()}, {color.blue()}, {color.alpha()})"
