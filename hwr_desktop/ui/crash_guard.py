"""CrashGuard: the app-wide handler for exceptions that escape a slot, a timer or a worker thread.

Without it an exception in a Qt slot prints a traceback to a console nobody sees, and one in a worker
thread can leave the app half-updated. The guard installs itself as ``sys.excepthook`` (PySide6 hands
slot exceptions to it) and ``threading.excepthook``, and for each exception:

1. saves the ink at once (the autosave, flushed), so nothing written is lost whatever follows;
2. logs the traceback, and appends it to ``errors.log`` in the data folder (kept under 1 MB);
3. tells the user in the window's banner, naming the log; the window stays open and usable.

An exception raised on another thread is handed to the GUI thread by a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

LOG_NAME = "errors.log"
LOG_MAX_BYTES = 1 << 20


class CrashGuard(QObject):
    """Catches uncaught exceptions for ``window`` (a ``MainWindow``) and writes them to ``folder/errors.log``.

    Signals:
        caught(str): one exception, summarized (``Kind: message``), on the GUI thread.
    """

    caught = Signal(str)
    _relay = Signal(str, str)  # summary, traceback text: from any thread to the GUI thread

    def __init__(self, window, folder: str | Path) -> None:
        super().__init__(window)
        self.window = window
        self.log_path = Path(folder) / LOG_NAME
        self.count = 0
        self._handling = False
        self._previous = None
        self._previous_thread = None
        self._relay.connect(self._handle)

    def install(self) -> "CrashGuard":
        self._previous, sys.excepthook = sys.excepthook, self.excepthook
        self._previous_thread, threading.excepthook = threading.excepthook, self._thread_hook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous or sys.__excepthook__
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self._previous_thread or threading.__excepthook__

    def excepthook(self, kind, value, tb) -> None:
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            (self._previous or sys.__excepthook__)(kind, value, tb)
            return
        summary = f"{kind.__name__}: {value}".strip().rstrip(":")
        self._relay.emit(summary.splitlines()[0][:300] if summary else kind.__name__,
                         "".join(traceback.format_exception(kind, value, tb)))

    def _thread_hook(self, args) -> None:
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _handle(self, summary: str, details: str) -> None:
        if self._handling:  # an exception while handling one: log it, do no more
            log.error("while handling an error: %s", details)
            return
        self._handling = True
        try:
            self.count += 1
            self._save_ink()
            log.error("uncaught exception\n%s", details)
            self._write_log(details)
            self._tell(summary)
            self.caught.emit(summary)
        finally:
            self._handling = False

    def _save_ink(self) -> None:
        try:
            self.window.autosave_now()
        except Exception:  # noqa: BLE001 (the ink stays in memory; the next change autosaves again)
            log.exception("could not autosave after an error")

    def _write_log(self, details: str) -> None:
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            if self.log_path.exists() and self.log_path.stat().st_size > LOG_MAX_BYTES:
                self.log_path.replace(self.log_path.with_name(LOG_NAME + ".old"))
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{details}\n")
        except OSError:
            log.exception("could not write %s", self.log_path)

    def _tell(self, summary: str) -> None:
        try:
            self.window.show_error(f"Something went wrong ({summary}). Your ink is kept and autosaved; "
                                   f"you can go on working. Details: {self.log_path}")
        except Exception:  # noqa: BLE001
            log.exception("could not show the error")


def install(window, folder: str | Path) -> CrashGuard:
    """Guard ``window``: returns the installed ``CrashGuard`` (call ``uninstall`` to restore the old hooks)."""
    return CrashGuard(window, folder).install()
