"""Typed access to the app's QSettings (the QSettings object is passed in, never global).

Each setting is a ``Setting``: a property over one key, whose default is in ``DEFAULTS`` and whose value is
made sensible on the way in and out (a number clamped to its range, an unknown mode taken for the default), so
that a hand-edited or old settings file never breaks the app.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QColor

from ..decoding import MODES

LIVE_DELAY_MS = 300  # the default pause after the pen lifts before live recognition runs
LAST_USED = "last"  # start_mode: start in the field mode used last
PEN_WIDTH = (0.5, 20.0)  # px, at pressure 0.5
GUIDE_SPACING = (30, 240)  # px between guide lines
LIVE_DELAY = (50, 3000)  # ms

DEFAULTS: dict[str, Any] = {"pen/width": 3.0, "pen/color": "", "view/guides": True, "view/guide_spacing": 80,
                            "recognition/live": True, "recognition/delay_ms": LIVE_DELAY_MS,
                            "recognition/mode": "auto", "recognition/start_mode": LAST_USED,
                            "recognition/lexicon": True, "recognition/joined": True}


def clamp(low: float, high: float) -> Callable[[Any], Any]:
    """A value kept within [low, high]."""
    return lambda v: min(high, max(low, v))


def color_name(value: str) -> str:
    """``value`` as ``#rrggbb``; "" (automatic: the ink follows the palette) for "" or a name Qt does not know."""
    color = QColor(value) if value else QColor()
    return color.name() if color.isValid() else ""


def to_bool(value: Any) -> bool:
    """A stored flag: a bool, or the text an INI file holds (``true``/``false``, ``1``/``0``).

    Raises:
        ValueError: it is neither.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"not a flag: {value!r}")


class Setting(property):
    """A property of ``AppSettings`` stored under ``key``: read with ``kind`` (a value it refuses with
    ValueError or TypeError reads as the default, ``DEFAULTS[key]``), then made sensible by ``fix``; written the
    same way."""

    def __init__(self, key: str, kind: Callable[[Any], Any], fix: Callable[[Any], Any], doc: str) -> None:
        self.key = key

        def get(settings: "AppSettings"):
            raw = settings.qsettings.value(key)
            try:
                return fix(DEFAULTS[key] if raw is None else kind(raw))
            except (TypeError, ValueError):  # nonsense in a hand-edited or old file
                return fix(DEFAULTS[key])

        def set_(settings: "AppSettings", value) -> None:
            settings.qsettings.setValue(key, fix(kind(value)))

        super().__init__(get, set_, None, doc)


class AppSettings:
    """Pen, guide lines, live mode and its delay, field mode, word lists and window geometry, stored in
    ``settings``."""

    def __init__(self, settings: QSettings) -> None:
        self.qsettings = settings

    pen_width = Setting("pen/width", float, clamp(*PEN_WIDTH), "Base pen width in px (display only).")
    pen_color = Setting("pen/color", str, color_name, "The ink's colour, #rrggbb; \"\" follows the palette.")
    guides = Setting("view/guides", to_bool, bool, "Whether the canvas shows guide lines.")
    guide_spacing = Setting("view/guide_spacing", int, clamp(*GUIDE_SPACING), "Pixels between guide lines.")
    live = Setting("recognition/live", to_bool, bool, "Whether the canvas is read as you write.")
    live_delay_ms = Setting("recognition/delay_ms", int, clamp(*LIVE_DELAY),
                            "The pause after the pen lifts before live recognition, in ms.")
    mode = Setting("recognition/mode", str, lambda m: m if m in MODES else "auto", "The field mode used last.")
    start_mode = Setting("recognition/start_mode", str, lambda m: m if m in MODES or m == LAST_USED else LAST_USED,
                         "The field mode at start: one of decoding.MODES, or LAST_USED.")
    lexicon = Setting("recognition/lexicon", to_bool, bool,
                      "Whether word lists re-rank words (Tools > Use Word Lists).")
    joined = Setting("recognition/joined", to_bool, bool,
                     "Whether each line is also read whole by the line recognizer (joined-up writing).")

    def restore(self, name: str) -> None:
        """Put the setting ``name`` (a ``Setting`` of this class) back to its default."""
        self.qsettings.remove(getattr(type(self), name).key)

    @property
    def start_with(self) -> str:
        """The field mode to start in: ``start_mode``, or the one used last."""
        return self.mode if self.start_mode == LAST_USED else self.start_mode

    @property
    def word_lists(self) -> tuple[str, ...]:
        """The user's own word list files, in the order added."""
        value = self.qsettings.value("recognition/word_lists")
        if isinstance(value, str):  # an INI file gives a one-item list back as a string
            value = [value]
        return tuple(str(v) for v in value if v) if isinstance(value, (list, tuple)) else ()

    @word_lists.setter
    def word_lists(self, paths) -> None:
        paths = [str(p) for p in paths]
        if paths:
            self.qsettings.setValue("recognition/word_lists", paths)
        else:
            self.qsettings.remove("recognition/word_lists")

    @property
    def geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", value)

    def sync(self) -> None:
        self.qsettings.sync()
