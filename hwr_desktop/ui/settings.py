"""Typed access to the app's QSettings (the QSettings object is passed in, never global)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from ..decoding import MODES

DEFAULTS = {"pen/width": 3.0, "view/guides": True, "recognition/live": True, "recognition/mode": "auto",
            "recognition/lexicon": True}


def _flag(key: str, doc: str) -> property:
    """A bool setting stored under ``key`` (default in DEFAULTS)."""

    def get(self: "AppSettings") -> bool:
        return bool(self._get(key, bool))

    def set_(self: "AppSettings", value: bool) -> None:
        self.qsettings.setValue(key, bool(value))

    return property(get, set_, doc=doc)


class AppSettings:
    """Pen width, guide lines, live mode, field mode, word lists and window geometry, stored in ``settings``."""

    def __init__(self, settings: QSettings) -> None:
        self.qsettings = settings

    def _get(self, key: str, kind: type):
        value = self.qsettings.value(key, DEFAULTS[key], type=kind)
        return DEFAULTS[key] if value is None else value

    @property
    def pen_width(self) -> float:
        return min(20.0, max(0.5, float(self._get("pen/width", float))))

    @pen_width.setter
    def pen_width(self, value: float) -> None:
        self.qsettings.setValue("pen/width", float(value))

    guides = _flag("view/guides", "Whether the canvas shows guide lines.")
    live = _flag("recognition/live", "Whether the canvas is read as you write.")
    lexicon = _flag("recognition/lexicon", "Whether word lists re-rank words (Tools > Word List).")

    @property
    def mode(self) -> str:
        mode = str(self._get("recognition/mode", str))
        return mode if mode in MODES else "auto"

    @mode.setter
    def mode(self, value: str) -> None:
        self.qsettings.setValue("recognition/mode", value)

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
