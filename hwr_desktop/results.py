"""Typed results of each stage. Boxes are ``(x0, y0, x1, y1)`` in input pixels, x1/y1 exclusive.

Segmentation produces ``Glyph`` -> ``Word`` -> ``Line`` (geometry only);
recognition produces ``GlyphResult`` -> ``WordResult`` -> ``LineResult`` -> ``PageResult``.
All are frozen dataclasses holding no pixel arrays, so they compare by value and
serialize with ``dataclasses.asdict`` (see ``to_json``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Sequence

Box = tuple[int, int, int, int]


def union_box(boxes) -> Box:
    """The smallest box holding all ``boxes`` (an iterable of at least one Box)."""
    bs = list(boxes)
    return (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))


@dataclass(frozen=True)
class Glyph:
    """One character's ink.

    Attributes:
        box: its bounding box in input pixels.
        strokes: for ink input, the indices of the strokes that form it; empty for images.
    """

    box: Box
    strokes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Word:
    """Glyphs separated from their neighbours by a word gap, left to right."""

    box: Box
    glyphs: tuple[Glyph, ...]


@dataclass(frozen=True)
class Line:
    """Words of one text line, left to right."""

    box: Box
    words: tuple[Word, ...]

    @property
    def glyphs(self) -> tuple[Glyph, ...]:
        return tuple(g for w in self.words for g in w.glyphs)


@dataclass(frozen=True)
class Candidate:
    """One possible reading of a glyph and its probability."""

    char: str
    p: float


@dataclass(frozen=True)
class GlyphResult:
    """A recognized glyph: the best character, its confidence and the top-k alternatives (best first).

    Attributes:
        samples: the ids of the user's samples (``personal.Sample.id``) that made the glyph read ``char``
            instead of the network's own best reading (``personal.PersonalModel.decisions``); empty when the
            samples changed nothing, or were not asked. In JSON the key is there only when it is not empty.
    """

    box: Box
    char: str
    confidence: float
    alternatives: tuple[Candidate, ...]
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordResult:
    """A recognized word: its glyphs, left to right, and their text.

    Attributes:
        alternatives: whole-word readings, likeliest first (words of the word list within reach first), the
            word as read among them (``words.word_alternatives``); empty when not asked, or for a word of one
            glyph (its glyph's alternatives are the word's). In JSON the key is there only when it is not empty.
    """

    box: Box
    text: str
    glyphs: tuple[GlyphResult, ...]
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineResult:
    """A recognized line; ``paragraph`` is the 0-based number of its paragraph on the page."""

    box: Box
    text: str
    words: tuple[WordResult, ...]
    paragraph: int = 0

    @property
    def glyphs(self) -> tuple[GlyphResult, ...]:
        return tuple(g for w in self.words for g in w.glyphs)


@dataclass(frozen=True)
class PageResult:
    """Everything recognized on one page or canvas.

    Attributes:
        width, height: the input page's size in pixels; all boxes are in its coordinates.
        text: lines joined with newlines, paragraphs with a blank line.
        lines: the lines in reading order.
        page: 1-based page number in its file (1 for single images and ink).
        error: why this page could not be read (then ``text`` is empty); None when it was read.
        skew: degrees (counter-clockwise positive) the page's text was found rotated by and levelled
            for reading; the boxes are nonetheless in the input page's pixels.
    """

    width: int
    height: int
    text: str
    lines: tuple[LineResult, ...] = field(default_factory=tuple)
    page: int = 1
    error: str | None = None
    skew: float = 0.0

    @property
    def glyphs(self) -> tuple[GlyphResult, ...]:
        return tuple(g for line in self.lines for g in line.glyphs)


def to_json(obj: Any) -> Any:
    """A dataclass result as plain JSON values (tuples become lists, floats rounded to 4 places)."""

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, float):
            return round(v, 4)
        return v

    return clean(asdict(obj))


def page_json(page: PageResult) -> dict[str, Any]:
    """A page as plain JSON values (``to_json``), without ``error`` when the page was read, nor a word's
    ``alternatives`` or a glyph's ``samples`` when it is empty."""
    d = to_json(page)
    if d["error"] is None:
        del d["error"]
    for word in (w for line in d["lines"] for w in line["words"]):
        if not word["alternatives"]:
            del word["alternatives"]
        for glyph in word["glyphs"]:
            if not glyph["samples"]:
                del glyph["samples"]
    return d


def with_glyphs(page: PageResult, glyphs: Sequence[GlyphResult]) -> PageResult:
    """``page`` with its glyphs (``PageResult.glyphs``, in order) replaced by ``glyphs``; the texts stay."""
    found = iter(glyphs)
    lines = tuple(replace(line, words=tuple(replace(w, glyphs=tuple(next(found) for _ in w.glyphs))
                                            for w in line.words)) for line in page.lines)
    return replace(page, lines=lines)
