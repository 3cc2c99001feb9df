"""Autosaver: every edit goes to a journal at once; the whole state is autosaved now and then.

Each edit (a stroke, an undo, a correction, the page shown...) is appended to ``autosave.journal``
(``hwr_desktop.journal``) as it happens: it is in the system's hands when ``record`` returns, and
fsynced by a background thread a few milliseconds later. Once changes pause for ``delay_ms``, the whole
state (``session.Snapshot``) is written to ``autosave.ink.json`` on a background thread, atomically (one
write at a time), and the journal is then truncated. ``flush`` does that at once and
waits (on quit, after an error). ``load`` restores the last session: the autosave, then the journal's
later records. A file that cannot be read is moved aside, never overwritten.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import time
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from ..errors import InputError
from ..ink import Stroke, read_ink_json
from ..journal import Journal, JournalRead, read_journal
from .document import save_document
from .session import JOURNAL_KEY, Session, Snapshot, read_snapshot, replay, write_snapshot

log = logging.getLogger(__name__)

AUTOSAVE_NAME = "autosave.ink.json"
JOURNAL_NAME = "autosave.journal"
DELAY_MS = 700
SYNC_WAIT_S = 2.0  # ``flush`` waits this long at most for the journal's fsync


class _Relay(QObject):
    failed = Signal(str)
    ended = Signal(int, str)  # a write ended: the last journal record it holds, and its failure ("" if none)


class _Write(QRunnable):
    def __init__(self, path: Path, snap: Snapshot, relay: _Relay) -> None:
        super().__init__()
        self._path, self._snap, self._relay = path, snap, relay

    def run(self) -> None:
        try:
            write_snapshot(self._path, self._snap)
        except OSError as e:
            self._relay.ended.emit(self._snap.seq, _failure(e))
        else:
            self._relay.ended.emit(self._snap.seq, "")


def _failure(e: OSError) -> str:
    return f"autosave failed: {e.strerror or e}"


def write(path: Path, strokes: Sequence[Stroke], corrections: list) -> None:
    """Save strokes and corrections as a plain document, creating the folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_document(path, strokes, corrections)


def aside(path: Path, why: str) -> Path:
    """Move ``path`` out of the way, to ``NAME.WHY-TIMESTAMP``; returns where it went (``path`` itself when it
    could not be moved)."""
    target = path.with_name(f"{path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(target)
    except OSError:
        return path
    return target


class Autosaver(QObject):
    """Journaled, atomic autosave into ``directory``.

    Signals:
        failed(str): a write failed (the message); the ink in memory is unaffected.
    """

    failed = Signal(str)

    def __init__(self, directory: str | Path, delay_ms: int = DELAY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(directory) / AUTOSAVE_NAME
        self.journal_path = Path(directory) / JOURNAL_NAME
        self._journal: Journal | None = None  # opened when first needed
        self._restored = False  # ``load`` ran: the journal goes on from the last session
        self._pending: Snapshot | None = None
        self._writing = False  # a write is in flight: the next waits for it
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._write_async)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.failed.connect(self.failed)
        self._relay.ended.connect(self._on_written)

    # --- the journal -----------------------------------------------------------------------------

    @property
    def journal(self) -> Journal:
        """The journal, opened the first time it is needed. A session that did not ``load`` the last one
        starts it with a "fresh" record, so that a crash never mixes the two sessions."""
        if self._journal is None:
            self._journal = self._open_journal(0)
            if not self._restored:
                self._append(self._journal, {"op": "fresh"})
        return self._journal

    def _open_journal(self, after: int) -> Journal:
        """The journal, numbering on after record ``after`` (or the autosave's, when there is no journal)."""
        try:
            if not self.journal_path.exists():
                after = max(after, self._autosave_seq())
            return Journal(self.journal_path, after, on_error=self._sync_failed)
        except InputError as e:  # not a journal: keep it, start another
            where = aside(self.journal_path, "unreadable")
            self.failed.emit(f"the autosave journal could not be read ({e}); it was kept as {where}")
            return Journal(self.journal_path, max(after, self._autosave_seq()), on_error=self._sync_failed)

    def _autosave_seq(self) -> int:
        """The last journal record the autosave holds (0 when it cannot tell): records go on after it."""
        try:
            seq = read_ink_json(self.path).get(JOURNAL_KEY, 0) if self.path.exists() else 0
        except (InputError, AttributeError):
            return 0
        return seq if type(seq) is int else 0

    def _sync_failed(self, e: OSError) -> None:  # on the journal's fsync thread
        self._relay.failed.emit(_failure(e))

    def record(self, record: dict) -> bool:
        """Append one journal record (see ``hwr_desktop.journal``) now; False (and ``failed``) when it could
        not be written."""
        return self._append(self.journal, record)

    def _append(self, journal: Journal, record: dict) -> bool:
        try:
            journal.append(record)
        except OSError as e:
            self.failed.emit(_failure(e))
            return False
        return True

    # --- the autosave ----------------------------------------------------------------------------

    def schedule(self, snap: Snapshot) -> None:
        """Remember this state (as of the last record) and write it once changes pause for ``delay_ms``."""
        self._pending = dataclasses.replace(snap, seq=self.journal.seq)
        self._timer.start()

    def flush(self) -> None:
        """Write any pending state now, truncate the journal, and wait until all writes are on disk."""
        self._timer.stop()
        self._pool.waitForDone()
        self._writing = False
        if self._pending is not None:
            snap, self._pending = self._pending, None
            try:
                write_snapshot(self.path, snap)
            except OSError as e:
                self.failed.emit(_failure(e))
            else:
                self._truncate(snap.seq)
        if self._journal is not None and not self._journal.wait_synced(SYNC_WAIT_S):
            log.warning("the autosave journal took over %.0f s to reach the disk", SYNC_WAIT_S)

    def close(self) -> None:
        """``flush``, then close the journal (on quit)."""
        self.flush()
        if self._journal is not None:
            self._journal.close()

    def _write_async(self) -> None:
        if self._pending is not None and not self._writing:
            snap, self._pending = self._pending, None
            self._writing = True
            self._pool.start(_Write(self.path, snap, self._relay))

    def _on_written(self, seq: int, failure: str) -> None:
        self._writing = False
        if failure:
            self.failed.emit(failure)
        else:
            self._truncate(seq)
        if not self._timer.isActive():
            self._write_async()  # a state that waited for this write

    def _truncate(self, seq: int) -> None:
        """The autosave holds the records up to ``seq``: empty the journal unless later ones came since."""
        try:
            self.journal.truncate(seq)
        except OSError as e:
            self.failed.emit(_failure(e))

    # --- restoring -------------------------------------------------------------------------------

    def load(self) -> Session | None:
        """The last session (the autosave, then the journal's later records), or None when there is none;
        call it before the first ``record``. What could not be restored is named in its ``problems``; a
        journal that cannot be read is moved aside, one with damaged records copied aside.

        Raises:
            InputError: the autosave is unreadable; it and its journal have been moved aside (the message
                says where).
        """
        self._restored = True
        if self._journal is not None:  # opened before: a record of this session would be replayed as the last's
            self._journal.close()
            self._journal = None
        if not self.path.exists() and not self.journal_path.exists():
            return None
        try:
            session = read_snapshot(self.path)
        except InputError as e:
            kept = " and ".join(str(aside(p, "unreadable")) for p in (self.path, self.journal_path) if p.exists())
            raise InputError(f"the autosaved ink could not be restored ({e}); it was kept as {kept}") from None
        replay(session, self._read_journal(session).records)
        self._journal = self._open_journal(session.seq)
        return session

    def _read_journal(self, session: Session) -> JournalRead:
        """The journal's records; its problems go to ``session.problems``."""
        try:
            read = read_journal(self.journal_path)
        except InputError as e:
            session.problems.append(f"the journal could not be read ({e}); it was kept as "
                                    f"{aside(self.journal_path, 'unreadable')}")
            return JournalRead()
        if read.damaged:
            copy = self.journal_path.with_name(f"{JOURNAL_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                shutil.copyfile(self.journal_path, copy)
            except OSError as e:
                copy = f"nowhere ({e.strerror or e})"
            session.problems.append(f"{read.damaged} damaged journal record{'s' * (read.damaged != 1)} "
                                    f"skipped; the journal was kept as {copy}")
        return read
