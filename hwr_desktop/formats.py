"""Outcomes -> the CLI's output formats: plain text, JSON and hOCR (``hocr.py``).

Text: a file's pages are separated by a form feed line (as Tesseract does); within a page, lines
by newlines and paragraphs by a blank line. JSON: the document described in ``cli.py``.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from .batch import FileOutcome
from .hocr import to_hocr
from .results import page_json

FORMATS = ("text", "json", "hocr")
SUFFIXES = {"text": ".txt", "json": ".json", "hocr": ".hocr"}


def file_text(outcome: FileOutcome) -> str:
    """A file's text: pages joined by a line holding a form feed; "" for a file that failed."""
    return "\n\f\n".join(p.text for p in outcome.pages)


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


def render(outcome: FileOutcome, fmt: str, info) -> str:
    """One file's output in ``fmt`` (``FORMATS``), as written by ``--out``; ends with a newline."""
    if fmt == "json":
        return json_document(info, [outcome]) + "\n"
    if fmt == "hocr":
        return to_hocr([(outcome.name, outcome.pages)])
    return file_text(outcome) + "\n"
