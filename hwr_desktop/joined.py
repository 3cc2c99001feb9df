"""Joined-up writing: a line's words read whole by the line recognizer, and the choice, per word, between
that reading and the glyph pipeline's.

The glyph pipeline cuts a line into glyphs and reads each; where letters join ("hello" in one stroke) a
word becomes one glyph and reads as one wrong letter. The line recognizer (``lines.LineRecognizer``) reads
the whole line image with CTC; ``ctc`` decodes it. Here:

- ``line_words``: the line reading as words, each character with its frames on the line (from the CTC
  alignment), its confidence and alternatives (a chosen word's letters share its ink by usual letter
  widths), each word with its n-best readings (the beam and the word list);
- ``combine_line``: per group of words that overlap on the line, the glyph reading or the line reading,
  whichever is likelier: the line network's log probability of each, the glyph reading given ``GLYPH_PRIOR``
  nats of credit (it saw the letters one by one), and where both readings have a letter per glyph, the
  glyph model's log probability of each too (``GLYPH_WEIGHT``); the words of the word list get
  ``LIST_BONUS``. A printed word whose glyphs read surely stays as it was, and so does a number; a joined
  word, which the glyph reading cannot spell, takes the line reading. Words written at another size than
  their line are read as lines of their own (``size_runs``), a word of two sizes split first (``split_sizes``).
  Before the weighing, the glyph reading takes each glyph's letter among its alternatives where the line
  network agrees (``reletter``: "togetden" -> "together"); after it, a line reading that won keeps the glyphs
  none of its characters fell on (``_fill_in``: a doubled letter CTC ran into one, "019" -> "0119").
"""

from __future__ import annotations

import functools
import heapq
import logging
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .context import extent
from .ctc import NEG, CharLM, Span, align, beam_search, best_path, sequence_logp
from .decoding import mode_mask
from .lexicon import Lexicon, read_words, shipped_words_path
from .lines import BODY, PAD, LineImage, LineRecognizer
from .personal import look_alike
from .results import Candidate, GlyphResult, LineResult, WordResult, union_box
from .stats import median

log = logging.getLogger(__name__)

BEAM = 8  # prefix beam width per word
NBEST = 5  # readings kept per word
ALPHA = 0.4  # weight of the character language model in the beam
BETA = 1.0  # bonus per character in the beam (against the LM's preference for short readings)
LIST_MARGIN = 8.0  # a word of the list replaces the beam's best when at most this many nats less likely ...
CAP_MARGIN = 4.0  # ... or this many where the beam's best starts with a capital (a name, often in no list)
GLYPH_PRIOR = 2.0  # the glyph reading's credit, in nats of the line network's log probability, where it has at
GLYPH_SURE = 0.9  # least as many letters as the line reading; with each read at least this surely, it stays as is
DOUBLE_SURE = 0.5  # a doubled letter read at least this surely by both glyphs (``_one_of_doubles``)
GLYPH_MORE = 6.0  # more credit where the line reading has fewer letters than the glyphs (it would drop ink)
GLYPH_WEIGHT = 0.5  # where both readings have a letter per glyph, each also gets the glyph model's log probability
GLYPH_FLOOR = 1e-3  # of it, times this (a character not among a glyph's alternatives: this probability)
TOO_TALL = 2.5  # a word this many line bodies tall does not fit the line image, nor one lower than ...
TOO_SMALL = 0.75  # ... this many: they are read again on their own (``combine_line``'s ``reread``)
SIZE_STEP = 1.4  # neighbouring words whose sizes differ by this factor are read as lines of their own
SIZE_SURE = 0.5  # the glyphs read at least this surely say how large their word is written
RUN_SURE = 0.8  # ... and those read at least this surely how large a word is, for ``size_runs``
BEST_MARGIN: float | None = 3.0  # the glyph reading this much likelier than the best path's is kept without a beam
LIST_BONUS = 2.0  # credit, in the choice, of a reading whose words are all in the word list
SPLIT_STEP = 1.6  # a word whose surely read glyphs change size by this factor is two words (``split_sizes``) ...
SPLIT_SURE = 2  # ... where each part has at least this many of them
FILL_SURE: float | None = 0.7  # a glyph no line character fell on, read this surely, is put back (``_fill_in``)
FILL_MARGIN = 8.0  # ... unless the line network finds the reading with it this many nats less likely
SPIKE_LEAD = 1.0  # frames before a glyph's left edge that its character's spike may come (cuts at numbers)
MATCH_P = 0.1  # a line character matches a glyph that reads as it at least this likely (``_match_glyphs``)
SPACE_CUT: float | None = 0.3  # a frame whose space probability peaks at least this high cuts the line into words too
RELETTER = 8  # readings of a group's glyphs from their alternatives rescored by the line network (``reletter``)
RELETTER_P = 0.02  # ... from the alternatives at least this likely, at most RELETTER_ALTS a glyph
RELETTER_ALTS = 3
NUMBERS_KEPT: float | None = 0.6  # a number whose digits read at least this surely keeps them (line reading aside)


@dataclass(frozen=True)
class LineWord:
    """One word of the line reading.

    Attributes:
        text: the reading chosen.
        frames: the frames [start, end) of the line's output it was read from.
        chars: per character of ``text``: (first frame, end frame, confidence, alternatives).
        alternatives: readings of the word, best first (``text`` first).
    """

    text: str
    frames: tuple[int, int]
    chars: tuple[tuple[int, int, float, tuple[Candidate, ...]], ...]
    alternatives: tuple[str, ...]


class LineReader:
    """The line recognizer with its decoding: the network and a character model of words (built from the
    shipped word list on first use). Passed around like ``Recognizer``."""

    def __init__(self, recognizer: LineRecognizer, words_path: Path | None = None) -> None:
        self.recognizer = recognizer
        self.labels = recognizer.labels
        self.stride = recognizer.stride
        self._words_path = words_path or shipped_words_path()
        self._lm: CharLM | None = None

    @classmethod
    def from_path(cls, path: str | Path | None = None, threads: int = 0) -> "LineReader":
        """``LineRecognizer.from_path`` (None: the shipped model) and the decoding. Raises ModelError."""
        return cls(LineRecognizer.from_path(path, threads))

    @property
    def lm(self) -> CharLM:
        if self._lm is None:
            self._lm = CharLM(read_words(self._words_path))
        return self._lm

    def allowed(self, mode: str) -> np.ndarray:
        """bool (C,): what ``mode`` lets a line read (``decoding.mode_mask``), and a space always."""
        mask = mode_mask(self.labels, mode).copy()
        mask[[i for i, c in enumerate(self.labels) if c == " "]] = True
        return mask


def _encode(text: str, labels: Sequence[str]) -> list[int] | None:
    """``text`` as label indices, or None when a character is not among ``labels``."""
    index = _index(tuple(labels))
    out = [index.get(c) for c in text]
    return None if any(i is None for i in out) else out  # type: ignore[return-value]


@functools.lru_cache(maxsize=8)
def _index(labels: tuple[str, ...]) -> dict[str, int]:
    return {c: i for i, c in enumerate(labels)}


def _split_core(text: str) -> tuple[str, str, str]:
    """(leading marks, letters, trailing marks) of a word: '"Hello,' -> ('"', 'Hello', ',')."""
    a = 0
    while a < len(text) and not text[a].isalpha():
        a += 1
    b = len(text)
    while b > a and not text[b - 1].isalpha():
        b -= 1
    return text[:a], text[a:b], text[b:]


def _listed(texts: Sequence[str], lexicon: Lexicon) -> bool:
    """Whether every word of ``texts`` is in the word list (its letters, marks around them aside)."""
    return all(_split_core(t)[1].lower() in lexicon for t in texts)


def word_regions(probs: np.ndarray, labels: Sequence[str], cuts: Sequence[int] = (),
                 spans: Sequence[Span] | None = None) -> list[tuple[int, int]]:
    """The frames [start, end) of each word of a line: the best path's spaces cut it (at their peaks), so do
    frames where the space's probability peaks at SPACE_CUT or more under the blank's (two words written close:
    the best path ran them together, "andtense"), and ``cuts`` (frames) too. ``spans``: ``best_path(probs)``
    when the caller has it."""
    space = labels.index(" ") if " " in labels else -1
    path = best_path(probs) if spans is None else spans
    at = [s.peak for s in path if s.index == space] + [c for c in cuts if 0 < c < len(probs)]
    if SPACE_CUT is not None and space >= 0 and len(probs) > 2:
        sp = probs[:, 1 + space]
        peak = (sp[1:-1] >= SPACE_CUT) & (sp[1:-1] >= sp[:-2]) & (sp[1:-1] >= sp[2:])
        at += [int(t) + 1 for t in np.nonzero(peak)[0]]
    bounds = [0, *sorted(set(at)), len(probs)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def read_word(probs: np.ndarray, reader: LineReader, allowed: np.ndarray, lexicon: Lexicon | None,
              k: int = 5) -> tuple[str, list[tuple[str, float]]]:
    """The reading of one word's frames, float (T, 1 + C): (best text, [(reading, log P), ...] best first),
    from the beam (with the character model) and, with ``lexicon``, from a beam held to the list's words."""
    labels = reader.labels
    beam = beam_search(probs, labels, reader.lm, beam=BEAM, alpha=ALPHA, beta=BETA, allowed=allowed, nbest=NBEST)
    texts = [t for t, _ in beam if t and " " not in t] or [t.replace(" ", "") for t, _ in beam if t.strip()]
    if not texts:
        return "", []
    listed: list[str] = []
    if lexicon is not None and _split_core(texts[0])[1].lower() not in lexicon:
        # the words of the list the frames spell best, however far from the free readings
        lead, _, trail = _split_core(texts[0])
        found = beam_search(probs, labels, reader.lm, beam=BEAM, alpha=ALPHA, beta=BETA, allowed=allowed, nbest=NBEST,
                            prefixes=lexicon.prefixes, words=lexicon, prune=1e-4, tried=12)
        listed += [lead + t + trail for t, _ in found]
    cands = list(dict.fromkeys(texts + listed))
    codes = [_encode(c, labels) for c in cands]
    keep = [(c, e) for c, e in zip(cands, codes) if e is not None and all(allowed[i] for i in e)]
    if not keep:
        return texts[0], [(texts[0], 0.0)]
    scores = sequence_logp(probs, [e for _, e in keep])
    ranked = sorted(zip([c for c, _ in keep], scores), key=lambda x: -x[1])
    free = next((c, s) for c, s in ranked if c in texts)
    best = free[0]
    if lexicon is not None:
        in_list = [(c, s) for c, s in ranked if _split_core(c)[1].lower() in lexicon]
        margin = CAP_MARGIN if _split_core(free[0])[1][:1].isupper() else LIST_MARGIN
        if in_list and in_list[0][1] >= free[1] - margin:
            best = in_list[0][0]
    score = dict(ranked)
    order = [best] + [c for c, _ in ranked if c != best]
    return best, [(c, float(score[c])) for c in order[:k]]


def decode_region(probs: np.ndarray, a: int, b: int, reader: LineReader, allowed: np.ndarray,
                  lexicon: Lexicon | None = None, k: int = 5) -> LineWord | None:
    """The word read from frames [a, b) of a line's probabilities, aligned to its frames; None if none is."""
    sub = probs[a:b]
    text, readings = read_word(sub, reader, allowed, lexicon, k)
    text = text.strip()
    if not text:
        return None
    spans = align(sub, _encode(text, reader.labels) or [])
    chars = []
    for ch, s in zip(text, spans):
        row = sub[s.peak, 1:] * allowed
        total = float(row.sum()) or 1.0
        order = [int(j) for j in np.argsort(-row)[: k + 1] if reader.labels[j] not in (ch, " ")][: k - 1]
        p = float(row[s.index]) / total
        alts = (Candidate(ch, p),) + tuple(Candidate(reader.labels[j], float(row[j]) / total) for j in order)
        chars.append((a + s.start, a + s.end, p, alts))
    return LineWord(text, (a, b), tuple(chars), tuple(t for t, _ in readings))


def line_words(probs: np.ndarray, reader: LineReader, *, mode: str = "auto", lexicon: Lexicon | None = None,
               k: int = 5) -> list[LineWord]:
    """The words of a line's float (T, 1 + C) probabilities, each aligned to its frames (see ``LineWord``)."""
    allowed = reader.allowed(mode)
    words = (decode_region(probs, a, b, reader, allowed, lexicon, k) for a, b in word_regions(probs, reader.labels))
    return [w for w in words if w is not None]


def greedy_words(probs: np.ndarray, labels: Sequence[str], cuts: Sequence[int] = ()
                 ) -> list[tuple[str, int, int, tuple[int, int]]]:
    """The best path's words, cheaply: (text, first frame of its first character, end frame of its last, its
    region's frames) per region of ``word_regions`` (with ``cuts``) that reads anything."""
    spans = best_path(probs)
    out = []
    for a, b in word_regions(probs, labels, cuts, spans):
        inside = [s for s in spans if a <= s.peak < b and labels[s.index] != " "]
        if inside:
            out.append(("".join(labels[s.index] for s in inside), inside[0].start, inside[-1].end, (a, b)))
    return out


@dataclass(frozen=True)
class LineFrames:
    """How a line's frames map onto the page: the ``LineImage`` the network read, ``stride`` columns a frame,
    and the page x of the mask's pixel 0 with the mask's pixels per page unit (ink: ``ink_line_mask``'s)."""

    image: LineImage
    stride: int
    origin: float = 0.0
    per_unit: float = 1.0

    def x_of(self, frame: float) -> float:
        return self.origin + self.image.to_input_x(frame * self.stride) / self.per_unit

    def frame_of(self, x: float) -> float:
        column = ((x - self.origin) * self.per_unit - self.image.x0) * self.image.scale + PAD
        return column / self.stride


def _clusters(glyph_words: Sequence[WordResult], spans: Sequence[tuple[float, float]]
              ) -> list[tuple[list[int], list[int]]]:
    """Groups of (glyph word indices, line word indices) that overlap on the line, left to right; each word is
    in exactly one group (a word overlapping none forms its own). ``spans``: the line words' page x ranges."""
    items = [(w.box[0], w.box[2], "g", i) for i, w in enumerate(glyph_words)]
    items += [(x0, x1, "l", i) for i, (x0, x1) in enumerate(spans)]
    items.sort(key=lambda s: (s[0], s[1]))
    groups: list[tuple[list[int], list[int], float]] = []
    for x0, x1, kind, i in items:
        if groups and x0 < groups[-1][2]:
            g = groups[-1]
            (g[0] if kind == "g" else g[1]).append(i)
            groups[-1] = (g[0], g[1], max(g[2], x1))
        else:
            groups.append(([i] if kind == "g" else [], [i] if kind == "l" else [], x1))
    return [(sorted(g), sorted(l)) for g, l, _ in groups]


NARROW, WIDE = "iljtfr1.,;:'!|()-\"", "mwMW@%"  # letters drawn about half and one and a half as wide as others


def _chars_of(lw: LineWord, left: float, right: float, y0: float, y1: float) -> tuple[GlyphResult, ...]:
    """The characters of a line word as glyphs side by side across [left, right] (page x), each as wide as it
    is usually written: CTC marks a character at a spike somewhere on it, not across it, so its frames give the
    order, not the extent."""
    weights = [0.5 if c in NARROW else 1.5 if c in WIDE else 1.0 for c in lw.text]
    edges = np.concatenate([[0.0], np.cumsum(weights)]) / max(sum(weights), 1e-9) * (right - left) + left
    out = []
    for (_, _, p, alts), xa, xb in zip(lw.chars, edges[:-1], edges[1:]):
        box = (int(math.floor(xa)), int(math.floor(y0)), max(int(math.ceil(xb)), int(math.floor(xa)) + 1),
               int(math.ceil(y1)))
        out.append(GlyphResult(box, alts[0].char, float(p), alts))
    return tuple(out)


def _p_of(g: GlyphResult, c: str, default: float = 0.0) -> float:
    """The probability a glyph's alternatives give ``c`` (``default`` where ``c`` is none of them)."""
    return max((a.p for a in g.alternatives if a.char == c), default=default)


def _reading_first(text: str, alternatives: tuple[str, ...]) -> tuple[str, ...]:
    """A word's alternatives with ``text``, its reading now, first (none stay none: they were not asked)."""
    return (text, *(a for a in alternatives if a != text)) if alternatives else ()


def _glyph_logp(glyphs: Sequence[GlyphResult], chars: Sequence[str]) -> float:
    """log P(chars) under the glyph model, glyph by glyph (a character not among a glyph's alternatives
    gets GLYPH_FLOOR)."""
    total = 0.0
    for g, c in zip(glyphs, chars):
        total += math.log(max(_p_of(g, c), GLYPH_FLOOR))
    return total


def _letters(words: Sequence[WordResult]) -> int:
    return sum(len(w.glyphs) for w in words)


def out_of_size(glyph_words: Sequence[WordResult], frames: LineFrames) -> bool:
    """Whether a group of words is written at another size than its line: taller than TOO_TALL or lower than
    TOO_SMALL line bodies (the line image, scaled by the whole line, cuts it off or draws it too small)."""
    body = BODY / (frames.image.scale * frames.per_unit)  # the line's body in page units
    height = max(w.box[3] - w.box[1] for w in glyph_words)
    return height > TOO_TALL * body or height < TOO_SMALL * body


def glyph_size(g: GlyphResult) -> float | None:
    """The x-height a glyph is written at, by its height over its character's usual extent
    (``context.extent``), or None where it is not read at least SIZE_SURE surely (or is a mark)."""
    e = extent(g.char) if g.confidence >= SIZE_SURE else None
    return None if e is None else (g.box[3] - g.box[1]) / e


def word_size(word: WordResult) -> float | None:
    """The x-height a word is written at, by its letters read at least RUN_SURE surely (``glyph_size``; the
    median), or None where none is: the glyphs of a joined-up word are pieces of letters read unsurely, whose
    sizes would cut the word into runs."""
    sizes = [s for g in word.glyphs if g.confidence >= RUN_SURE and (s := glyph_size(g)) is not None]
    return median(sizes) if sizes else None


def size_runs(words: Sequence[WordResult]) -> list[list[int]]:
    """The words of a line (in reading order) as runs of one size: a word whose size (``word_size``) differs
    from its run's by more than SIZE_STEP starts a run of its own (a word written twice as large as its
    neighbours); words of unknown size stay in the run they are in. Each run is read as a line of its own,
    since the line image is scaled by one size."""
    runs: list[list[int]] = []
    sizes: list[list[float]] = []
    for i, word in enumerate(words):
        size = word_size(word)
        if runs and (size is None or not sizes[-1]
                     or max(size, ref := median(sizes[-1])) / min(size, ref) <= SIZE_STEP):
            runs[-1].append(i)
            if size is not None:
                sizes[-1].append(size)
            continue
        runs.append([i])
        sizes.append([] if size is None else [size])
    return runs


def split_sizes(word: WordResult) -> list[WordResult]:
    """A word whose glyphs are written at two sizes, as two words at the step: a small word run into a large one
    (the gap between them is narrow for the large one's size, so the layout took them for one word). The sizes
    are those of the surely read glyphs (``glyph_size``), SPLIT_SURE of them at least on either side; the
    step is where their medians differ most, by more than SPLIT_STEP, at a gap wider than any between the
    smaller part's letters. Each part is split again the same way. Otherwise ``[word]``."""
    if len(word.glyphs) < 2 or len(word.text) != len(word.glyphs):
        return [word]
    sizes = [glyph_size(g) for g in word.glyphs]
    boxes = [g.box for g in word.glyphs]
    gaps = [b[0] - a[2] for a, b in zip(boxes[:-1], boxes[1:])]  # before glyph i + 1
    best, cut = SPLIT_STEP, None
    for i in range(1, len(sizes)):
        left, right = [s for s in sizes[:i] if s is not None], [s for s in sizes[i:] if s is not None]
        if len(left) >= SPLIT_SURE and len(right) >= SPLIT_SURE:
            a, b = median(left), median(right)
            small = gaps[: i - 1] if a < b else gaps[i:]  # the gaps between the smaller part's letters
            if max(a, b) / min(a, b) > best and gaps[i - 1] > max(small, default=0):
                best, cut = max(a, b) / min(a, b), i
    if cut is None:
        return [word]
    parts = [(word.text[:cut], word.glyphs[:cut]), (word.text[cut:], word.glyphs[cut:])]
    return [w for text, glyphs in parts
            for w in split_sizes(WordResult(union_box(g.box for g in glyphs), text, glyphs))]


Reread = Callable[[Sequence[WordResult]], "tuple[np.ndarray, LineFrames] | None"]


def _shape_sureness(g: GlyphResult) -> float:
    """How surely a glyph reads as its character's shape: the probability of its alternatives that look like
    its reading (``personal.look_alike``: an l that may be an I is surely a stem)."""
    return sum(c.p for c in g.alternatives if look_alike(c.char, g.char)) if g.alternatives else g.confidence


def _one_of_doubles(glyph_words: Sequence[WordResult]) -> str:
    """The glyph reading as the line network is asked to score it: a letter doubled by two glyphs that both read
    its shape at least DOUBLE_SURE surely ("ll" written as two strokes apart) counts once, since CTC needs a
    blank between the two and a network that ran them into one stroke has not said there is one letter."""
    out = []
    for w in glyph_words:
        chars, prev = [], None
        for g in w.glyphs:
            sure = _shape_sureness(g) >= DOUBLE_SURE
            if not (sure and prev is not None and prev.char == g.char and _shape_sureness(prev) >= DOUBLE_SURE
                    and g.char.isalpha()):
                chars.append(g.char)
            prev = g
        text = "".join(chars)
        out.append(text if len(w.glyphs) == len(w.text) else w.text)
    return " ".join(out)


def _letter_options(g: GlyphResult) -> list[tuple[str, float]]:
    """A glyph's readings for ``reletter``: its own first, then its likeliest other alternatives; (char, log p)."""
    out = [(g.char, math.log(max(_p_of(g, g.char, g.confidence), GLYPH_FLOOR)))]
    for a in g.alternatives:
        if len(out) >= RELETTER_ALTS:
            break
        if a.char != g.char and a.p >= RELETTER_P:
            out.append((a.char, math.log(a.p)))
    return out


def _kbest(options: Sequence[Sequence[tuple[str, float]]], k: int) -> list[tuple[float, tuple[int, ...]]]:
    """The ``k`` likeliest picks of one option per position (options' log p summed), likeliest first."""
    start = tuple(0 for _ in options)
    score = lambda pick: sum(o[i][1] for o, i in zip(options, pick))  # noqa: E731
    heap, seen, out = [(-score(start), start)], {start}, []
    while heap and len(out) < k:
        neg, pick = heapq.heappop(heap)
        out.append((-neg, pick))
        for j in range(len(pick)):
            if pick[j] + 1 < len(options[j]):
                nxt = pick[:j] + (pick[j] + 1,) + pick[j + 1 :]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (-score(nxt), nxt))
    return out


def reletter(glyph_words: Sequence[WordResult], probs: np.ndarray, fa: int, fb: int, reader: LineReader,
             lexicon: Lexicon | None = None) -> list[WordResult]:
    """The group's glyph reading with each glyph's letter taken among its alternatives where the line network
    over frames [fa, fb) agrees: the RELETTER likeliest readings letter for letter (one per glyph, so no ink is
    dropped) rescored by the network's log probability plus GLYPH_WEIGHT times the glyph model's (and
    LIST_BONUS where all its words are in ``lexicon``). The words as they were where none does better, or where
    a word's text is not its glyphs' letters."""
    if any(len(w.glyphs) != len(w.text) or not w.glyphs for w in glyph_words):
        return list(glyph_words)
    options = [_letter_options(g) for w in glyph_words for g in w.glyphs]
    if all(len(o) == 1 for o in options):
        return list(glyph_words)
    picks = _kbest(options, RELETTER)
    sizes = [len(w.glyphs) for w in glyph_words]
    texts, kept = [], []
    for glyph_lp, pick in picks:
        chars = [o[i][0] for o, i in zip(options, pick)]
        words, at = [], 0
        for n in sizes:
            words.append("".join(chars[at : at + n]))
            at += n
        code = _encode(" ".join(words), reader.labels)
        if code is not None:
            texts.append((words, glyph_lp))
            kept.append(code)
    if len(kept) < 2 or texts[0][0] != [w.text for w in glyph_words]:
        return list(glyph_words)
    ctc_lp = sequence_logp(probs[fa:fb], kept)
    scores = [c + GLYPH_WEIGHT * g for c, (_, g) in zip(ctc_lp, texts)]
    if lexicon is not None:
        scores = [v + LIST_BONUS * _listed(words, lexicon) for v, (words, _) in zip(scores, texts)]
    best = int(np.argmax(scores))
    if best == 0:
        return list(glyph_words)
    out = []
    for w, text in zip(glyph_words, texts[best][0]):
        if text == w.text:
            out.append(w)
            continue
        glyphs = tuple(g if c == g.char else replace(g, char=c, confidence=_p_of(g, c)) for g, c in zip(w.glyphs, text))
        out.append(replace(w, text=text, glyphs=glyphs, alternatives=_reading_first(text, w.alternatives)))
    return out


def _weigh(glyph_words: Sequence[WordResult], texts: Sequence[str], probs: np.ndarray, fa: int, fb: int,
           reader: LineReader, lexicon: Lexicon | None) -> tuple[float, float] | None:
    """(glyph reading's score, line reading's score) of a group whose line reading is ``texts`` (its words)
    over frames [fa, fb) (module docstring); None where the line reading cannot be scored."""
    glyphs = [g for w in glyph_words for g in w.glyphs]
    l_text = " ".join(texts)
    letters = "".join(l_text.split())
    # where the line reading has fewer letters than there are glyphs, a doubled letter may be why
    g_text = _one_of_doubles(glyph_words) if len(glyphs) > len(letters) else " ".join(w.text for w in glyph_words)
    g_code, l_code = _encode(g_text, reader.labels), _encode(l_text, reader.labels)
    if l_code is None:
        return None
    if g_code is None:
        g_score, l_score = NEG, float(sequence_logp(probs[fa:fb], [l_code])[0])
    else:
        g_score, l_score = (float(v) for v in sequence_logp(probs[fa:fb], [g_code, l_code]))
    g_score += GLYPH_PRIOR * (len(glyphs) >= len(letters)) + GLYPH_MORE * (len(glyphs) > len(letters))
    if GLYPH_WEIGHT and len(glyphs) == len(letters):  # letter for letter: the glyph model's say on both readings
        g_score += GLYPH_WEIGHT * _glyph_logp(glyphs, [g.char for g in glyphs])
        l_score += GLYPH_WEIGHT * _glyph_logp(glyphs, letters)
    if lexicon is not None:
        g_score += LIST_BONUS * _listed([w.text for w in glyph_words], lexicon)
        l_score += LIST_BONUS * _listed(texts, lexicon)
    return g_score, l_score


def _span(frames: LineFrames, xa: float, xb: float, first: float, end: float, n: int) -> tuple[int, int]:
    """The frames [fa, fb) a group is scored over: from its glyphs' ink (page x ``xa`` to ``xb``) or its line
    reading's frames (``first`` to ``end``), whichever reach further, within the line's ``n`` frames."""
    fa = max(0, int(math.floor(min(frames.frame_of(xa), first))))
    return fa, min(n, int(math.ceil(max(frames.frame_of(xb), end))))


def choose(glyph_words: Sequence[WordResult], probs: np.ndarray, frames: LineFrames, regions: Sequence[tuple[int, int]],
           reader: LineReader, allowed: np.ndarray, lexicon: Lexicon | None, k: int, best: Sequence[str]
           ) -> list[WordResult]:
    """The reading of one group: its glyph reading, or the line reading of ``regions`` (frames of ``probs``;
    ``best``: their words on the best path)."""
    # each glyph read surely: printed letters, kept as read, unless the word list has the best path's words and
    # not the glyphs' ("Cvawl" read surely where the line network reads "crawl"): then they are weighed
    sure = (all(g.confidence >= GLYPH_SURE for w in glyph_words for g in w.glyphs)
            and (lexicon is None or not _listed(best, lexicon) or _listed([w.text for w in glyph_words], lexicon)))
    if sure and _letters(glyph_words) >= sum(len(t) for t in best):
        return list(glyph_words)  # printed letters, well apart, each read surely (no beam needed to see it)
    xa = min(w.box[0] for w in glyph_words)
    xb = max(w.box[2] for w in glyph_words)
    fa, fb = _span(frames, xa, xb, regions[0][0], regions[-1][1], len(probs))
    if RELETTER:
        glyph_words = reletter(glyph_words, probs, fa, fb, reader, lexicon)
    weighed = None  # (texts, span, scores) of the best path's weighing, for the beam's reading when it is the same
    if BEST_MARGIN is not None:  # the best path, scored as the beam's reading would be, falls far short: no beam
        scores = _weigh(glyph_words, best, probs, fa, fb, reader, lexicon)
        if scores is not None and scores[0] >= scores[1] + BEST_MARGIN:
            return list(glyph_words)
        weighed = (list(best), (fa, fb), scores)
    line_ws = [w for w in (decode_region(probs, a, b, reader, allowed, lexicon, k) for a, b in regions) if w]
    if not line_ws:
        return list(glyph_words)
    if sure and _letters(glyph_words) >= sum(len(w.text) for w in line_ws):
        return list(glyph_words)
    if " ".join(w.text for w in glyph_words) == " ".join(w.text for w in line_ws):
        return list(glyph_words)
    fa, fb = _span(frames, xa, xb, line_ws[0].frames[0], line_ws[-1].frames[1], len(probs))
    texts = [w.text for w in line_ws]
    if weighed is not None and weighed[:2] == (texts, (fa, fb)):
        scores = weighed[2]
    else:
        scores = _weigh(glyph_words, texts, probs, fa, fb, reader, lexicon)
    if scores is None or scores[0] >= scores[1]:
        return list(glyph_words)
    y0 = min(w.box[1] for w in glyph_words)
    y1 = max(w.box[3] for w in glyph_words)
    # the words share the group's ink: each from midway between its neighbours' characters to midway after
    firsts = [frames.x_of(lw.chars[0][0]) for lw in line_ws]
    lasts = [frames.x_of(lw.chars[-1][1]) for lw in line_ws]
    lefts = [xa] + [(lasts[i - 1] + firsts[i]) / 2 for i in range(1, len(line_ws))]
    rights = [(lasts[i] + firsts[i + 1]) / 2 for i in range(len(line_ws) - 1)] + [xb]
    out = []
    for lw, left, right in zip(line_ws, lefts, rights):
        glyphs = _chars_of(lw, left, max(right, left + len(lw.text)), y0, y1)
        out.append(WordResult(union_box(g.box for g in glyphs), lw.text, glyphs, lw.alternatives))
    if FILL_SURE is not None and _letters(glyph_words) > sum(len(w.text) for w in line_ws):
        out = _fill_in(out, line_ws, glyph_words, frames, probs, (fa, fb), reader.labels)
    return out


def _fill_in(words: list[WordResult], line_ws: Sequence[LineWord], glyph_words: Sequence[WordResult],
             frames: LineFrames, probs: np.ndarray, span: tuple[int, int], labels: Sequence[str]
             ) -> list[WordResult]:
    """The line reading ``words`` (with ``line_ws``, their decoding) with the glyphs that none of its characters
    fell on put back in: a glyph of its own strokes that the line network skipped (a doubled letter CTC ran into
    one, a narrow letter squeezed out) is ink the writer meant. The line's characters are matched to the glyphs
    in order (``_match_glyphs``); a glyph none is matched to, read at least FILL_SURE surely as its shape, goes
    in at its place, as its neighbour's character where the two look alike ("0119", not "01l9") and as its own
    otherwise, unless the network over ``span`` finds the reading with it FILL_MARGIN nats less likely (a piece
    of a letter that the glyph layout cut off: "riiver")."""
    glyphs = [g for w in glyph_words for g in w.glyphs]
    chars = [(wi, ci, lw.text[ci], frames.x_of((a + b) / 2))
             for wi, lw in enumerate(line_ws) for ci, (a, b, _, _) in enumerate(lw.chars)]
    owner = _match_glyphs([(c, x) for _, _, c, x in chars], glyphs)
    claimed = set(owner)
    inserts: list[tuple[int, int, GlyphResult, int]] = []  # (word, position in its text, glyph, its index)
    # a glyph whose line character is another letter may be half of it: a letter the layout cut in two ("tl" for
    # the H the line network read there); its neighbour is no letter of its own
    # (unless its other neighbour's line character is its own look-alike: a doubled letter, "0119" read "019")
    unlike: set[int] = set()
    read_as: dict[int, list[str]] = {}  # glyph -> the line characters matched to it
    for o, (_, _, c, _) in zip(owner, chars):
        read_as.setdefault(o, []).append(c)
        if not _alike(c, glyphs[o]):
            unlike.add(o)
    for gi, g in enumerate(glyphs):
        if gi in claimed or not g.char.strip() or _shape_sureness(g) < FILL_SURE:
            continue
        if {gi - 1, gi + 1} & unlike and not any(look_alike(c, g.char) for n in (gi - 1, gi + 1) if n not in unlike
                                                 for c in read_as.get(n, ())):
            continue
        before = [k for k, o in enumerate(owner) if o < gi]  # the line characters before this glyph
        k = before[-1] if before else 0
        wi, ci = chars[k][0], chars[k][1] + (1 if before else 0)
        char = g.char
        nears = ([chars[before[-1]][2]] if before else []) + [chars[j][2] for j in range(len(owner)) if owner[j] > gi][:1]
        for near in nears:
            if look_alike(near, g.char) and near != g.char:
                char = near
                break
        inserts.append((wi, ci, g if char == g.char else replace(g, char=char), gi))
    if not inserts:
        return words
    texts = [w.text for w in words]

    def code_with(adds) -> list[int] | None:
        t = list(texts)
        for wi, ci, g, _ in sorted(adds, key=lambda a: -a[1]):
            t[wi] = t[wi][:ci] + g.char + t[wi][ci:]
        return _encode(" ".join(t), labels)

    codes = [code_with([])] + [code_with([a]) for a in inserts]
    if any(c is None for c in codes):
        return words
    lp = sequence_logp(probs[span[0] : span[1]], codes)
    kept = [a for a, v in zip(inserts, lp[1:]) if v >= lp[0] - FILL_MARGIN]
    # a glyph word that goes back whole stays a word of its own ("1 1", not "11")
    word_of = [wi for wi, w in enumerate(glyph_words) for _ in w.glyphs]
    back = {a[3] for a in kept}
    whole = {wi for wi in set(word_of) if all(gi in back for gi, o in enumerate(word_of) if o == wi)}
    kept = [a for a in kept if word_of[a[3]] not in whole]
    out = list(words) + [glyph_words[wi] for wi in sorted(whole)]
    for wi in sorted({a[0] for a in kept}):
        w = out[wi]
        text, gl = list(w.text), list(w.glyphs)
        for _, ci, g, _ in sorted((a for a in kept if a[0] == wi), key=lambda a: -a[1]):
            text.insert(ci, g.char)
            gl.insert(ci, g)
        t = "".join(text)
        out[wi] = WordResult(union_box(x.box for x in gl), t, tuple(gl), _reading_first(t, w.alternatives))
    return out


def _alike(c: str, g: GlyphResult) -> bool:
    """Whether line character ``c`` may be glyph ``g``: a look-alike of its reading or among its alternatives at
    least MATCH_P likely."""
    return look_alike(c, g.char) or any(a.char == c and a.p >= MATCH_P for a in g.alternatives)


def _match_glyphs(chars: Sequence[tuple[str, float]], glyphs: Sequence[GlyphResult]) -> list[int]:
    """For each line character (its text and page x, in order) the glyph it belongs to: an alignment in order
    (each glyph takes none, one or several characters) that best agrees in place and in look (a character that
    looks like a glyph's reading or is among its alternatives belongs there cheaply)."""
    n, m = len(chars), len(glyphs)
    body = float(np.median([g.box[3] - g.box[1] for g in glyphs])) or 1.0

    def cost(i: int, j: int) -> float:
        c, x = chars[i]
        g = glyphs[j]
        far = min(2.0, max(g.box[0] - x, x - g.box[2], 0.0) / body)
        return far + (0.0 if _alike(c, g) else 1.0)

    INF = float("inf")
    # best[i][j]: i characters placed among the first j glyphs, the j-th glyph holding the i-th character
    # (or, at i = 0, nothing placed yet); a glyph passed over costs SKIP, a second character on one glyph EXTRA
    SKIP, EXTRA = 1.2, 0.5
    best = [[INF] * (m + 1) for _ in range(n + 1)]
    back = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = SKIP * j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            c = cost(i - 1, j - 1)
            # a new glyph j after glyph jj < j (the ones between skipped), or glyph j again
            options = [(best[i - 1][jj] + SKIP * (j - 1 - jj) + c, (i - 1, jj)) for jj in range(j)]
            if i > 1:
                options.append((best[i - 1][j] + EXTRA + c, (i - 1, j)))
            best[i][j], back[i][j] = min(options)
    j = min(range(1, m + 1), key=lambda jj: best[n][jj] + SKIP * (m - jj)) if n and m else 0
    owner = [0] * n
    i = n
    while i > 0:
        owner[i - 1] = j - 1
        i, j = back[i][j]
    return owner


def _sure_number(glyph_words: Sequence[WordResult], line_texts: Sequence[str]) -> bool:
    """Whether glyph words read as numbers stand whatever the line network reads there: each digit read at least
    NUMBERS_KEPT surely, and the line reading has at most one letter more than there are digits (far more
    letters over fewer glyphs is a joined-up word whose letters ran together into digit-like glyphs)."""
    glyphs = [g for w in glyph_words for g in w.glyphs]
    return (NUMBERS_KEPT is not None and all(g.confidence >= NUMBERS_KEPT for g in glyphs)
            and sum(len(t) for t in line_texts) <= len(glyphs) + 1)


def combine_line(line: LineResult, probs: np.ndarray, frames: LineFrames, reader: LineReader, *,
                 mode: str = "auto", lexicon: Lexicon | None = None, k: int = 5, reread: Reread | None = None
                 ) -> LineResult:
    """One line with each group of overlapping words read by the glyph pipeline (``line``) or by the line
    recognizer (``probs``, the network's output for ``frames``), whichever is likelier (module docstring).

    ``reread``: given a group's glyph words written at another size than the line (``out_of_size``), the
    network's output and frames for those words alone (drawn at their own size), or None; without it such a
    group keeps its glyph reading."""
    from .pipeline import line_text  # the pipeline imports this module lazily

    # numbers the glyph reading found stand apart: the line reading is cut at their ends
    # (a character's spike comes at its left edge or up to a frame before it: the cuts are SPIKE_LEAD earlier)
    cuts = [int(round(frames.frame_of(x) - SPIKE_LEAD)) for w in line.words if len(w.text) >= 2 and w.text.isdigit()
            for x in (w.box[0], w.box[2])]
    greedy = greedy_words(probs, reader.labels, cuts)
    if not greedy:
        return line
    allowed = reader.allowed(mode)
    words: list[WordResult] = []
    # each line word stands for its whole region of the line (from space to space), not only for the frames its
    # characters spiked on: a glyph word beside those frames (a t's bar run on, a short word the best path
    # read as a speck) is weighed with the line word it belongs to instead of kept beside it
    spans = [(frames.x_of(a), frames.x_of(b)) for _, _, _, (a, b) in greedy]
    for g_idx, l_idx in _clusters(line.words, spans):
        glyph_words = [line.words[i] for i in g_idx]
        if not l_idx or not glyph_words:  # ink only one reading saw as a word: the glyph reading holds it
            words += glyph_words
            continue
        line_texts = [greedy[i][0] for i in l_idx]
        if (all(len(w.text) >= 2 and w.text.isdigit() for w in glyph_words)
                and (any(c.isdigit() for t in line_texts for c in t) or _sure_number(glyph_words, line_texts))):
            # numbers (the line reading sees digits too, or every digit reads surely, ``_sure_number``): the glyph
            # reading has every digit, the line reading often drops one or reads a large number as letters; a
            # joined word that the glyphs took for digits ("44" for "all", "54" for "schools") is weighed
            words += glyph_words
            continue
        if out_of_size(glyph_words, frames):
            again = reread(glyph_words) if reread is not None else None
            if again is None:
                words += glyph_words
                continue
            own_probs, own_frames = again
            own = greedy_words(own_probs, reader.labels)
            words += choose(glyph_words, own_probs, own_frames, [r for _, _, _, r in own], reader, allowed, lexicon,
                            k, [t for t, _, _, _ in own])
            continue
        if " ".join(w.text for w in glyph_words) == " ".join(line_texts):
            words += glyph_words  # both read the same: nothing to decide (and no beam to run)
            continue
        words += choose(glyph_words, probs, frames, [greedy[i][3] for i in l_idx], reader, allowed, lexicon, k,
                        line_texts)
    words.sort(key=lambda w: w.box[0])
    return replace(line, text=line_text([w.text for w in words]), words=tuple(words),
                   box=union_box([line.box, *(w.box for w in words)]))
