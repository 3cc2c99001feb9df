"""User corrections of recognized glyphs, and the corrected view of a result; plain Python, no Qt.

A correction is keyed by the strokes that form the glyph (a frozenset of
``Stroke`` objects, which are immutable and compare by their points). When more
ink is added, recognition runs again; a glyph made of exactly the same strokes
keeps its correction, wherever it now sits in the text. A glyph whose strokes
changed (a stroke added to it or erased) is a new glyph and loses it. Glyphs
of an image have no strokes: their corrections match by box (IoU above 0.8).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from ..ink import Stroke
from ..results import Box, GlyphResult, PageResult, WordResult
from ..pipeline import line_text
from ..segmentation import join_lines

GlyphKey = frozenset  # frozenset[Stroke]; empty for glyphs of an image
LOW_CONFIDENCE = 0.5  # glyphs read with less confidence are marked for review
MIN_IOU = 0.8


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class Correction:
    """The character a user chose for the glyph made of ``key`` strokes (or at ``box``, for images)."""

    key: GlyphKey
    box: Box
    char: str


class Corrections:
    """The corrections of one page: set, find, forget, and (de)serialize against a stroke list."""

    def __init__(self, items: Iterable[Correction] = ()) -> None:
        self._items: list[Correction] = list(items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def find(self, key: GlyphKey, box: Box) -> Correction | None:
        """The correction for a glyph: by its strokes when it has some, else by box overlap."""
        for c in self._items:
            if (key and c.key == key) or (not key and not c.key and iou(c.box, box) > MIN_IOU):
                return c
        return None

    def set(self, key: GlyphKey, box: Box, char: str) -> None:
        """Override a glyph with ``char``; an empty ``char`` removes the override."""
        old = self.find(key, box)
        if old is not None:
            self._items.remove(old)
        if char:
            self._items.append(Correction(frozenset(key), tuple(box), char))

    def clear(self) -> None:
        self._items.clear()

    def to_json(self, strokes: Sequence[Stroke]) -> list[dict]:
        """Corrections whose strokes are all in ``strokes``, as ``{"strokes": [indices], "box", "char"}``; those
        kept by box alone (letters of a joined-up word) with no strokes."""
        index = {s: i for i, s in enumerate(strokes)}
        out = []
        for c in self._items:
            if all(s in index for s in c.key):
                out.append({"strokes": sorted(index[s] for s in c.key), "box": list(c.box), "char": c.char})
        return out

    @classmethod
    def from_json(cls, data: object, strokes: Sequence[Stroke]) -> "Corrections":
        """Read ``to_json`` output back against the same stroke list; malformed entries are skipped."""
        items = []
        for d in data if isinstance(data, list) else []:
            try:
                idx = [int(i) for i in d["strokes"]]
                box = tuple(int(v) for v in d["box"])
                char = str(d["char"])
            except (KeyError, TypeError, ValueError):
                continue
            if char and len(box) == 4 and all(0 <= i < len(strokes) for i in idx):
                items.append(Correction(frozenset(strokes[i] for i in idx), box, char))
        return cls(items)


@dataclass(frozen=True)
class CorrectedPage:
    """A recognition result with the user's corrections applied.

    Attributes:
        page: the recognizer's result.
        keys: per glyph of ``page.glyphs``, the strokes forming it (empty for images).
        chars: per glyph, the text shown: the correction or the recognized char.
        corrected: per glyph, whether ``chars`` comes from a correction.
    """

    page: PageResult
    keys: tuple[GlyphKey, ...]
    chars: tuple[str, ...]
    corrected: tuple[bool, ...]

    @property
    def glyphs(self) -> tuple[GlyphResult, ...]:
        return self.page.glyphs

    def is_low(self, i: int) -> bool:
        """Whether glyph ``i`` is uncertain and not yet corrected."""
        return not self.corrected[i] and self.page.glyphs[i].confidence < LOW_CONFIDENCE

    def is_personal(self, i: int) -> bool:
        """Whether glyph ``i`` reads as it does because of the user's samples (``GlyphResult.samples``) and
        is not corrected."""
        return not self.corrected[i] and bool(self.page.glyphs[i].samples)

    def word_at(self, index: int) -> tuple[WordResult, range]:
        """The recognized word that holds glyph ``index``, and the indices of its glyphs in ``page.glyphs``.

        Raises:
            IndexError: the page has no glyph ``index``.
        """
        start = 0
        for word in (w for line in self.page.lines for w in line.words):
            if 0 <= index < start + len(word.glyphs):
                return word, range(start, start + len(word.glyphs))
            start += len(word.glyphs)
        raise IndexError(f"no glyph {index}")

    def word_text(self, index: int) -> str:
        """The text shown for the word that holds glyph ``index``, corrections in."""
        return "".join(self.chars[i] for i in self.word_at(index)[1])

    def line_texts(self) -> list[list[str]]:
        """Per line, its words' corrected texts."""
        out, i = [], 0
        for line in self.page.lines:
            words = []
            for word in line.words:
                words.append("".join(self.chars[i : i + len(word.glyphs)]))
                i += len(word.glyphs)
            out.append(words)
        return out

    @property
    def text(self) -> str:
        """Lines joined by newlines (a blank line between paragraphs), words by spaces, with the corrections in."""
        return join_lines([line_text(words) for words in self.line_texts()], [l.paragraph for l in self.page.lines])

    def as_page(self) -> PageResult:
        """The result as the user sees it, for saving: every text (page, line, word, glyph) with the
        corrections in; a corrected glyph has confidence 1.0, keeps the network's alternatives, and no
        longer names the samples that read it otherwise."""
        chars = iter(zip(self.chars, self.corrected))

        def fixed(g: GlyphResult) -> GlyphResult:
            char, corrected = next(chars)
            return replace(g, char=char, confidence=1.0, samples=()) if corrected else g

        lines = []
        for line, words in zip(self.page.lines, self.line_texts()):
            new_words = tuple(replace(w, text=text, glyphs=tuple(fixed(g) for g in w.glyphs))
                              for w, text in zip(line.words, words))
            lines.append(replace(line, text=line_text(words), words=new_words))
        return replace(self.page, text=self.text, lines=tuple(lines))


def correct(page: PageResult, keys: Sequence[GlyphKey], corrections: Corrections) -> CorrectedPage:
    """Apply ``corrections`` to ``page``; ``keys`` may be empty (then glyphs match by box only)."""
    glyphs = page.glyphs
    keys = tuple(keys) if len(keys) == len(glyphs) else tuple(frozenset() for _ in glyphs)
    found = [corrections.find(k, g.box) for k, g in zip(keys, glyphs)]
    chars = tuple(c.char if c else g.char for c, g in zip(found, glyphs))
    return CorrectedPage(page, keys, chars, tuple(c is not None for c in found))


def word_edits(shown: CorrectedPage, index: int, text: str) -> list[tuple[int, str]]:
    """The glyph corrections that make the word holding glyph ``index`` read ``text``, one character per glyph:
    ``(glyph index, char)`` pairs, only for glyphs that change, char "" where the recognized one is right
    (its correction goes). ``text`` "" takes all the word's corrections back.

    Raises:
        ValueError: ``text`` is not one character per glyph of the word.
    """
    span = shown.word_at(index)[1]
    if text and len(text) != len(span):
        raise ValueError(f"\u201c{text}\u201d has {len(text)} characters for a word of {len(span)} glyphs")
    edits = []
    for i, c in zip(span, text or [""] * len(span)):
        want = "" if c == shown.glyphs[i].char else c
        if want != (shown.chars[i] if shown.corrected[i] else ""):
            edits.append((i, want))
    return edits
