"""The app's ink document: an ``*.ink.json`` file plus the user's corrections; plain Python, no Qt.

The corrections ride in an extra top-level key, ``hwr_corrections``, that
``hwr_desktop.ink.load_ink`` ignores, so every document stays a valid ink file
for the CLI. Writes are atomic (``atomic.write_atomic``), like ``save_ink``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping, Sequence

from ..atomic import write_atomic
from ..ink import Stroke, ink_from_dict, ink_to_dict, read_ink_json

CORRECTIONS_KEY = "hwr_corrections"


def save_document(path: str | Path, strokes: Sequence[Stroke], corrections: list[dict],
                  extra: Mapping[str, object] | None = None) -> None:
    """Write strokes and corrections (``Corrections.to_json`` output) to ``path`` atomically, with the
    top-level keys of ``extra`` beside them (readers of ink files ignore them).

    Raises:
        OSError: the folder is missing or not writable (the old file, if any, is left intact).
    """
    path = Path(path)
    doc = ink_to_dict(strokes)
    doc[CORRECTIONS_KEY] = corrections
    doc.update(extra or {})
    write_atomic(path, json.dumps(doc, separators=(",", ":")))


def parse_document(doc: object) -> tuple[list[Stroke], list]:
    """The strokes and the corrections list (empty if it has none) of a parsed ink document.

    Raises:
        InputError: not an ink document; the message says why.
    """
    strokes = ink_from_dict(doc)
    corrections = doc.get(CORRECTIONS_KEY, [])
    return strokes, corrections if isinstance(corrections, list) else []


def load_document(path: str | Path) -> tuple[list[Stroke], list]:
    """Read an ink file; returns its strokes and its corrections list (empty if it has none).

    Raises:
        InputError: unreadable file, invalid JSON or not an ink document; the message says which.
    """
    return parse_document(read_ink_json(path))
