"""Outcomes -> the output formats of the CLI and the app: plain text, JSON and hOCR (``hocr.py``).

Text: a file's pages are separated by a form feed line (as Tesseract does); within a page, lines
by newlines and paragraphs by a blank line. JSON: one document, ``{"model": {"path", "classes",
"preprocess"}, "files": [{"file", "pages": [page, ...]} or {"file", "error"}]}``, each page
``results.page_json``: ``width``, ``height``, ``text``, ``page``, ``skew`` (and ``error`` when it failed) and
``lines``, each with ``box``, ``text``, ``paragraph`` and ``words``; a word has ``box``, ``text``, ``glyphs``
and, when asked (``hwr recognize --format json`` does, ``--word-alternatives``), ``alternatives``: its likeliest
whole-word readings, best first (``words.word_alternatives``); a glyph has ``box``, ``char``, ``confidence``,
``alternatives`` (``[{"char", "p"}]``, best first) and, when the user's samples decided it, ``samples``.
``write_pages`` writes one file's pages in a format, atomically: ``hwr recognize --out`` and the
app's File > Save Text both call it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from .atomic import write_atomic
from .batch import FileOutcome
from .hocr import to_hocr
from .results import PageResult, page_json

FORMATS = ("text", "json", "hocr")
SUFFIXES = {"text": ".txt", "json": ".json", "hocr": ".hocr"}
PAGE_BREAK = "\n\f\n"  # between the pages of a file's text: a line holding a form feed


def pages_text(pages: Sequence[PageResult]) -> str:
    """The pages' text, joined by ``PAGE_BREAK``."""
    return PAGE_BREAK.join(p.text for p in pages)


def file_text(outcome: FileOutcome) -> str:
    """A file's text (``pages_text``); "" for a file that failed."""
    return pages_text(outcome.pages)


def file_json(outcome: FileOutcome) -> dict[str, Any]:
    """``{"file", "pages"}`` or ``{"file", "error"}``; pages that failed carry ``"error"``."""
    if outcome.error is not None:
        return {"file": outcome.name, "error": outcome.error}
    return {"file": outcome.name, "pages": [page_json(p) for p in outcome.pages]}


def model_json(info) -> dict[str, Any]:
    """The model block of the JSON document, from a ``recognizer.ModelInfo``."""
    return {"path": info.path, "classes": "".join(info.labels), "preprocess": info.preprocess}


def json_document(info, outcomes: Sequence[FileOutcome]) -> str:
    """``{"model": ..., "files": [...]}``, as one line."""
    return json.dumps({"model": model_json(info), "files": [file_json(o) for o in outcomes]}, ensure_ascii=False)


def render_pages(name: str, pages: Sequence[PageResult], fmt: str, info) -> str:
    """One file's pages in ``fmt`` (``FORMATS``); ends with a newline.

    Args:
        name: the file the pages come from (the JSON ``file`` and the hOCR ``image``).
        info: the model's ``recognizer.ModelInfo`` (the JSON ``model`` block).
    """
    if fmt == "json":
        return json_document(info, [FileOutcome(name, tuple(pages))]) + "\n"
    if fmt == "hocr":
        return to_hocr([(name, pages)])
    return pages_text(pages) + "\n"


def write_pages(path: str | Path, name: str, pages: Sequence[PageResult], fmt: str, info) -> None:
    """Write ``render_pages`` to ``path`` whole or not at all (``atomic.write_atomic``), making its folder.

    Raises:
        OSError: the path cannot be written (an old file there is left intact).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render_pages(name, pages, fmt, info))


def format_of(path: str | Path) -> str:
    """The format a file name asks for by its suffix (``SUFFIXES``): ``notes.json`` -> json; text otherwise."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt, s in SUFFIXES.items() if s == suffix), "text")
