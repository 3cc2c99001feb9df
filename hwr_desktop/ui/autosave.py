"""Autosaver: writes the ink and its corrections to the app data folder shortly after every change.

Writes happen on a background thread from an immutable snapshot (strokes are
frozen), atomically, so a crash at any moment leaves the last good copy.
``flush`` writes synchronously (on quit). ``load`` restores it at start; a
file that cannot be read is moved aside, never overwritten.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from ..errors import InputError
from ..ink import Stroke
from .document import load_document, save_document

log = logging.getLogger(__name__)

AUTOSAVE_NAME = "autosave.ink.json"
DELAY_MS = 700


class _Relay(QObject):
    failed = Signal(str)


class _Write(QRunnable):
    def __init__(self, path: Path, strokes: tuple, corrections: list, relay: _Relay) -> None:
        super().__init__()
        self._args, self._relay = (path, strokes, corrections), relay

    def run(self) -> None:
        try:
            write(*self._args)
        except OSError as e:
            self._relay.failed.emit(f"autosave failed: {e.strerror or e}")


def write(path: Path, strokes: Sequence[Stroke], corrections: list) -> None:
    """Save a snapshot, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_document(path, strokes, corrections)


class Autosaver(QObject):
    """Debounced, atomic autosave into ``directory``.

    Signals:
        failed(str): a write failed (the message); the ink in memory is unaffected.
    """

    failed = Signal(str)

    def __init__(self, directory: str | Path, delay_ms: int = DELAY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(directory) / AUTOSAVE_NAME
        self._pending: tuple | None = None
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._write_async)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.failed.connect(self.failed)

    def schedule(self, strokes: Sequence[Stroke], corrections: list) -> None:
        """Remember this state and write it once changes pause for ``delay_ms``."""
        self._pending = (tuple(strokes), list(corrections))
        self._timer.start()

    def flush(self) -> None:
        """Write any pending state now and wait until all writes are done."""
        self._timer.stop()
        self._pool.waitForDone()
        if self._pending is not None:
            strokes, corrections = self._pending
            self._pending = None
            try:
                write(self.path, strokes, corrections)
            except OSError as e:
                self.failed.emit(f"autosave failed: {e.strerror or e}")

    def _write_async(self) -> None:
        if self._pending is not None:
            strokes, corrections = self._pending
            self._pending = None
            self._pool.start(_Write(self.path, strokes, corrections, self._relay))

    def load(self) -> tuple[list[Stroke], list] | None:
        """The saved strokes and corrections, or None when there is no autosave.

        Raises:
            InputError: the file is unreadable; it has been renamed aside (the message says where).
        """
        if not self.path.exists():
            return None
        try:
            return load_document(self.path)
        except InputError as e:
            aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                self.path.replace(aside)
            except OSError:
                aside = self.path
            raise InputError(f"the autosaved ink could not be restored ({e}); it was kept as {aside}") from None
