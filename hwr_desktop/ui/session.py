"""The app's session on disk: the autosaved document plus the journal of edits since; plain Python, no Qt.

A ``Snapshot`` is what the app autosaves whole now and then (``autosave.ink.json``, written atomically):
the strokes, their undo and redo steps, the corrections, the document shown and its page, and the number
of the last journal record (``hwr_desktop.journal``) it holds. Every edit in between is a journal record.
On start, the snapshot is read (``read_snapshot``) and the later records are replayed onto it
(``replay``), so a crash at any moment loses at most the stroke being drawn.

The autosave is an ink file (the CLI reads it) with extra top-level keys::

    "hwr_corrections": [...]                       the corrections (``ui/document.py``)
    "hwr_history": {"strokes", "undo", "redo"}     the undo and redo steps (``ink.history_to_dict``)
    "hwr_document": {"path": "/home/me/scan.pdf", "page": 3}   or null: the document shown
    "hwr_journal": 41                              the last journal record folded in
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import InputError
from ..ink import EDIT_OPS, Ink, Stroke, history_to_dict, ink_with_history, read_ink_json
from ..journal import record_edit
from .corrections import Corrections
from .document import parse_document, save_document

log = logging.getLogger(__name__)

HISTORY_KEY, DOCUMENT_KEY, JOURNAL_KEY = "hwr_history", "hwr_document", "hwr_journal"

DocumentPage = tuple[str, int]  # an opened document's path and the page shown (1-based)


@dataclass(frozen=True)
class Snapshot:
    """The state autosaved whole; immutable, so it can be written on another thread.

    Attributes:
        strokes: the ink's strokes.
        history: the ink's undo and redo steps (``Ink.history``).
        corrections: ``Corrections.to_json(strokes)``.
        document: the document shown in the Image tab and its page, or None.
        seq: the last journal record this state holds.
    """

    strokes: tuple[Stroke, ...] = ()
    history: tuple = ((), ())
    corrections: list = field(default_factory=list)
    document: DocumentPage | None = None
    seq: int = 0


def write_snapshot(path: str | Path, snap: Snapshot) -> None:
    """Write ``snap`` to ``path`` atomically, making its folder.

    Raises:
        OSError: it could not be written (an old autosave there is left intact).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"path": snap.document[0], "page": snap.document[1]} if snap.document else None
    save_document(path, snap.strokes, snap.corrections, {HISTORY_KEY: history_to_dict(snap.strokes, snap.history),
                                                         DOCUMENT_KEY: document, JOURNAL_KEY: snap.seq})


@dataclass
class Session:
    """What comes back on start.

    Attributes:
        ink: the strokes with their undo and redo steps.
        corrections: the corrections of the ink.
        document: the document that was shown and its page, or None.
        seq: the last journal record applied.
        problems: what could not be restored, one message each (empty when all came back).
    """

    ink: Ink = field(default_factory=Ink)
    corrections: Corrections = field(default_factory=Corrections)
    document: DocumentPage | None = None
    seq: int = 0
    problems: list[str] = field(default_factory=list)


def _document(value: object) -> DocumentPage | None:
    """A ``{"path", "page"}`` value as ``(path, page)``; None for null.

    Raises:
        InputError: anything else.
    """
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("path"), str) and value["path"]:
        page = value.get("page", 1)
        if type(page) is int and page >= 1:
            return value["path"], page
    raise InputError(f"not a document and page: {str(value)[:80]}")


def session_from_doc(doc: object) -> Session:
    """The session of a parsed autosave (an ink document with the keys above); a history or document that
    cannot be read is left out and named in ``problems``.

    Raises:
        InputError: not an ink document.
    """
    strokes, corrections = parse_document(doc)
    session = Session(Ink(strokes), Corrections.from_json(corrections, strokes))
    if HISTORY_KEY in doc:
        try:
            session.ink = ink_with_history(strokes, doc[HISTORY_KEY])
        except InputError as e:
            session.problems.append(f"the undo history could not be restored ({e})")
    try:
        session.document = _document(doc.get(DOCUMENT_KEY))
    except InputError as e:
        session.problems.append(f"the open document could not be restored ({e})")
    seq = doc.get(JOURNAL_KEY, 0)
    session.seq = seq if type(seq) is int and seq >= 0 else 0
    return session


def _correct(session: Session, record: dict) -> None:
    """Apply a ``correct`` record: the glyph of strokes ``strokes`` (indices now) reads ``char``; with no strokes
    (a letter of a joined-up word, which shares its strokes), the glyph at ``box``."""
    idx, box, char = record.get("strokes"), record.get("box"), record.get("char")
    strokes = session.ink.strokes
    if (not isinstance(idx, list) or not all(type(i) is int and 0 <= i < len(strokes) for i in idx)
            or not isinstance(box, list) or len(box) != 4 or not all(isinstance(v, (int, float)) for v in box)
            or not isinstance(char, str)):
        raise InputError("a correction needs stroke indices, a box and a char")
    session.corrections.set(frozenset(strokes[i] for i in idx), tuple(int(v) for v in box), char)


def apply_record(session: Session, record: dict) -> None:
    """Apply one journal record to ``session`` (see ``hwr_desktop.journal`` for the records).

    Raises:
        InputError: a record that is malformed or unknown, or an edit that changes nothing where it should.
    """
    op = record["op"]
    if op in EDIT_OPS:
        if not session.ink.apply(record_edit(record)):
            raise InputError(f"{op} changed nothing")
    elif op == "correct":
        _correct(session, record)
    elif op == "document":
        session.document = _document({"path": record.get("path"), "page": record.get("page")}
                                     if record.get("path") is not None else None)
    elif op == "fresh":
        session.ink, session.corrections, session.document = Ink(), Corrections(), None
    else:
        raise InputError(f"unknown record {op!r}")


def replay(session: Session, records: Iterable[dict]) -> Session:
    """Apply the records that come after ``session.seq``, in order; one that cannot be applied is skipped
    and counted in ``problems``. Returns ``session``, changed."""
    skipped = 0
    for record in records:
        if record["n"] <= session.seq:
            continue  # already in the snapshot
        try:
            apply_record(session, record)
        except (InputError, ValueError) as e:
            log.warning("journal record %d skipped: %s", record["n"], e)
            skipped += 1
        session.seq = record["n"]
    if skipped:
        session.problems.append(f"{skipped} journal record{'s' * (skipped != 1)} could not be replayed")
    return session


def read_snapshot(path: str | Path) -> Session:
    """The session of the autosave at ``path`` (an empty one when there is no file).

    Raises:
        InputError: the file is unreadable or not an ink document (the message says why).
    """
    path = Path(path)
    return session_from_doc(read_ink_json(path)) if path.exists() else Session()
