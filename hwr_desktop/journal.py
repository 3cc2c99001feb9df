"""The autosave journal: an append-only file of the edits made since the ink was last autosaved whole.

Each record is handed to the system (``os.write``) before ``Journal.append`` returns, so killing the app
at any moment loses nothing recorded; a background thread then fsyncs it (a few milliseconds), so that a
power cut loses no more than that. A record torn by a crash (the last line, cut short) is ignored when
reading, never fatal; a damaged line elsewhere is skipped and counted.

Format: UTF-8, one JSON object a line, each line ended by ``\\n``::

    {"format": "hwr-journal", "version": 1, "after": 41}   first line: the records follow record 41
    {"n": 42, "op": "add", "points": [[x, y, pressure, t_ms], ...]}     a stroke written
    {"n": 43, "op": "erase", "strokes": [3, 5]}      strokes erased: their indices then, ascending
    {"n": 44, "op": "clear"}    {"n": 45, "op": "undo"}    {"n": 46, "op": "redo"}
    {"n": 47, "op": "replace", "strokes": [[[x, y, pressure, t_ms], ...], ...]}   an ink file opened
    {"n": 48, "op": "correct", "strokes": [0, 1], "box": [x0, y0, x1, y1], "char": "7"}   ("" takes it back)
    {"n": 49, "op": "document", "path": "/home/me/scan.pdf", "page": 3}   the document shown, and its page
    {"n": 50, "op": "fresh"}    a session that did not restore the last one: what came before is dropped

The first six are an ``ink.Edit`` each (``edit_record``, ``record_edit``); the others are the app's
(``ui/session.py``). ``n`` numbers the records from 1 on and goes on across truncations: the autosaved
document says up to which record it holds, so that a crash between writing it and truncating the journal
replays nothing twice. ``truncate`` empties the journal down to a header whose ``after`` is that record.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError
from .ink import EDIT_OPS, Edit, stroke_from_json, stroke_to_json

log = logging.getLogger(__name__)

JOURNAL_FORMAT = "hwr-journal"
JOURNAL_VERSION = 1


def _header(after: int) -> bytes:
    return (json.dumps({"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION, "after": after}) + "\n").encode()


def _line(record: dict) -> bytes:
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


# --- reading -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JournalRead:
    """What a journal file holds.

    Attributes:
        after: the header's ``after`` (0 without a header: a journal emptied by a crash, or none).
        records: the whole records in file order, each a dict with an int ``n`` and a str ``op``.
        damaged: lines that could not be read, the torn last one not counted.
        torn: whether the last line was cut short (a crash while it was written).
        size: bytes up to the end of the last whole line, where the next record goes.
    """

    after: int = 0
    records: tuple[dict, ...] = ()
    damaged: int = 0
    torn: bool = False
    size: int = 0

    @property
    def last(self) -> int:
        """The number of the last record (``after`` when there is none)."""
        return max([self.after] + [r["n"] for r in self.records])


def _record(line: bytes) -> dict | None:
    """One record, or None for a line that is not one."""
    try:
        d = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(d, dict) or type(d.get("n")) is not int or not isinstance(d.get("op"), str):
        return None
    return d


def read_journal(path: str | Path) -> JournalRead:
    """Read a journal; a missing or empty file reads as empty.

    Raises:
        InputError: the file cannot be read, or its first line is not a journal header.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return JournalRead()
    except OSError as e:
        raise InputError(f"cannot read the journal {path}: {e.strerror or e}") from None
    end = data.rfind(b"\n") + 1  # what follows the last newline is a record cut short
    lines = data[:end].split(b"\n")[:-1]
    if not lines:
        return JournalRead(torn=end < len(data), size=0)
    try:
        head = json.loads(lines[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        head = None
    if not isinstance(head, dict) or head.get("format") != JOURNAL_FORMAT or type(head.get("after")) is not int:
        raise InputError(f"{path} is not an hwr journal")
    if head.get("version") != JOURNAL_VERSION:
        raise InputError(f"{path}: unsupported journal version {head.get('version')!r}")
    records = [_record(line) for line in lines[1:]]
    whole = tuple(r for r in records if r is not None)
    damaged = len(records) - len(whole)
    if damaged:
        log.warning("%s: skipped %d damaged record(s)", path, damaged)
    return JournalRead(head["after"], whole, damaged, end < len(data), end)


# --- ink edits as records ------------------------------------------------------------------------

def edit_record(edit: Edit) -> dict:
    """The journal record of an ink edit (without its ``n``)."""
    if edit.op == "add":
        return {"op": "add", "points": stroke_to_json(edit.strokes[0])}
    if edit.op == "erase":
        return {"op": "erase", "strokes": list(edit.indices)}
    if edit.op == "replace":
        return {"op": "replace", "strokes": [stroke_to_json(s) for s in edit.strokes]}
    return {"op": edit.op}


def record_edit(record: dict) -> Edit:
    """The ink edit of a journal record (``edit_record``'s).

    Raises:
        InputError: not an edit record, or a malformed one (the message says what is wrong).
    """
    op = record.get("op")
    if op not in EDIT_OPS:
        raise InputError(f"journal record {record.get('n')}: not an ink edit ({op!r})")
    try:
        if op == "add":
            return Edit("add", (stroke_from_json(record.get("points")),))
        if op == "replace":
            strokes = record.get("strokes")
            if not isinstance(strokes, list):
                raise InputError("'strokes' must be a list")
            return Edit("replace", tuple(stroke_from_json(s) for s in strokes))
        if op == "erase":
            indices = record.get("strokes")
            if not isinstance(indices, list) or not all(type(i) is int for i in indices):
                raise InputError("'strokes' must be a list of stroke indices")
            return Edit("erase", indices=tuple(indices))
    except InputError as e:
        raise InputError(f"journal record {record.get('n')} ({op}): {e}") from None
    return Edit(op)


# --- writing -------------------------------------------------------------------------------------

class Journal:
    """Appends records to the journal at ``path`` (one writer at a time) and fsyncs them in the background.

    Args:
        path: the journal file; it and its folder are made on the first append.
        after: the last record already folded into the autosave: numbering goes on after it, or after the
            file's own last record if that is later.
        on_error: called with the ``OSError`` when a background fsync fails (on that thread).
    Attributes:
        seq: the number of the last record appended (or of the last one before, on disk or folded).
    Raises:
        InputError: the file exists but is not a journal (``read_journal``).
    """

    def __init__(self, path: str | Path, after: int = 0,
                 on_error: Callable[[OSError], None] | None = None) -> None:
        self.path = Path(path)
        read = read_journal(self.path)
        self.seq = max(after, read.last)
        self._size: int | None = read.size  # a torn tail from a crash is cut off when the file is first opened
        self._on_error = on_error
        self._fd: int | None = None
        self._torn = False  # a write failed half-way: the next record starts on a line of its own
        self._cond = threading.Condition()
        self._wanted = self._synced = 0  # records written / fsynced, counted in this session
        self._written = 0
        self._closing = False
        self._thread: threading.Thread | None = None

    def append(self, record: dict) -> int:
        """Write ``record`` (a dict with an ``op``) as record ``seq + 1``; returns its number. It is in the
        system's hands when this returns; ``wait_synced`` waits for the disk.

        Raises:
            OSError: it could not be written (the journal stays usable; the record is not in it).
        """
        fd = self._open()
        line = _line({"n": self.seq + 1, **record})
        self._write(fd, (b"\n" if self._torn else b"") + line)
        self.seq += 1
        self._written += 1
        with self._cond:
            self._wanted = self._written
            self._cond.notify_all()
        return self.seq

    def truncate(self, upto: int) -> bool:
        """Empty the journal once records up to ``upto`` are folded into the autosave; False (nothing done)
        when later records have come since.

        Raises:
            OSError: the file could not be emptied (its records stay, and replay skips those folded in).
        """
        if upto != self.seq:
            return False
        if self._fd is None and not self.path.exists():
            return True
        fd = self._open()
        os.ftruncate(fd, 0)  # a crash now leaves an empty journal: the autosave holds all
        self._torn = False
        self._write(fd, _header(upto))
        with self._cond:
            self._written += 1  # the truncation wants an fsync too
            self._wanted = self._written
            self._cond.notify_all()
        return True

    def wait_synced(self, timeout: float | None = None) -> bool:
        """Wait until every record appended so far is fsynced; False if ``timeout`` seconds passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._synced >= self._wanted, timeout)

    def close(self) -> None:
        """Fsync what is left and close the file; a later append opens it again."""
        if self._thread is not None:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            self._thread.join()
            self._thread, self._closing = None, False
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                if self._size is not None and os.fstat(fd).st_size > self._size:
                    os.ftruncate(fd, self._size)  # a record torn by a crash before this session: it never counted
                if os.fstat(fd).st_size == 0:
                    self._write(fd, _header(self.seq))
            except OSError:
                os.close(fd)
                raise
            self._fd, self._size = fd, None
            self._thread = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
            self._thread.start()
        return self._fd

    def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            self._torn = True
            raise
        self._torn = False

    def _sync_loop(self) -> None:
        fd = self._fd
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted > self._synced or self._closing)
                if self._wanted == self._synced:
                    return  # closing, and all is synced
                target = self._wanted
            try:
                os.fsync(fd)
            except OSError as e:
                log.warning("journal fsync failed: %s", e)
                if self._on_error is not None:
                    self._on_error(e)
            with self._cond:
                self._synced = target  # failed or not: nobody waits for ever
                self._cond.notify_all()
