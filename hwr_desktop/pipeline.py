"""Compose the stages: ink or image -> binary -> glyphs -> 28x28 -> probabilities -> text.

The GUI, the CLI, the benchmarks and the tests all come through here. Each
function takes its recognizer as an argument; none keeps state.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import hashlib
import logging
import math
import threading
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np

from .binarize import binarize, to_gray
from .context import MARK_READINGS, decode_line, mark_metrics, mark_readings, read_marks
from .decoding import digit_mask, mode_mask, restrict, symbol_mask, top_k, with_symbol_prior
from .documents import MAX_PIXELS, PageSelection, _read_bytes, decode_image, open_document, require_file  # noqa: F401 (MAX_PIXELS re-exported)
from .errors import EmptyInputError, InputError
from .ink import Stroke, load_ink, rasterize
from .joined import LineFrames, LineReader, combine_line, size_runs, split_sizes
from .lexicon import Lexicon
from .lines import ink_line_mask, normalize_line
from .normalize import SIZE, ink_bbox, normalize_batch, normalize_glyph
from .personal import PersonalModel, lookalike_groups
from .recognizer import Recognizer
from .results import Box, Glyph, GlyphResult, Line, LineResult, PageResult, Word, WordResult, union_box
from .scan import MIN_SKEW, edge_debris, estimate_skew, map_points, remove_rules, rotate_page, text_height
from .segmentation import (components, glyph_mask, join_lines, mark_flags, merge_broken, merge_lone_character,
                           paragraph_numbers, segment_image, segment_ink)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
INK_SUFFIX = ".ink.json"
INK_GLYPH_PX = 40  # ink glyphs are drawn this large before normalization (its working size: no resampling)


def load_image(path: str | Path) -> np.ndarray:
    """Decode an image file (PNG, JPEG, BMP, TIFF, WebP).

    Returns:
        the decoded array: uint8 or uint16, (H, W), (H, W, 3) BGR or (H, W, 4) BGRA.
    Raises:
        InputError: unreadable, not an image, or too large.
    """
    return decode_image(_read_bytes(Path(path)))


def classify(glyphs: np.ndarray, recognizer: Recognizer, personal: PersonalModel | None = None) -> np.ndarray:
    """float32 (N, 1, 28, 28) -> float32 (N, C) probabilities; with ``personal``, blended with the
    user's samples (``personal.PersonalModel.blend``). Without it: the network's own result."""
    return blended(recognizer.predict(glyphs), personal)


def blended(outputs: tuple[np.ndarray, np.ndarray | None], personal: PersonalModel | None) -> np.ndarray:
    """The glyph model's (probabilities, features) as ``classify`` returns them: blended with ``personal``."""
    probs, features = outputs
    return personal.blend(probs, features) if personal is not None else probs


ONLY_MARKS = ".-"  # what only a mark is: a glyph taller than a mark is no period and no hyphen (``letter_classes``)
NEEDS_A_LINE = ".,'-/:"  # what a glyph alone is not read as: told from letters and digits only by a line around it


def letter_classes(lines: Sequence[Line], labels: Sequence[str], mode: str) -> np.ndarray:
    """bool (C,): what a glyph that is not a mark may read as, under ``mode``. Where there are several glyphs,
    not ``ONLY_MARKS`` (a comma or an apostrophe may be written larger than a mark; the line's geometry and the
    glyph model decide). A glyph alone has no line to say that it is a period, a comma, an apostrophe, a hyphen,
    a slash or a colon rather than an o, a 1 or an l (``NEEDS_A_LINE``), and in digits mode it is a digit."""
    allowed = mode_mask(labels, mode)
    alone = sum(len(line.glyphs) for line in lines) < 2
    if alone and mode == "digits":
        return allowed & digit_mask(labels)
    return allowed & ~np.isin(np.array(labels), list(NEEDS_A_LINE if alone else ONLY_MARKS))


def line_letters(line: Line, is_mark: Sequence[bool]) -> tuple[list[int], list[slice]]:
    """The indices of a line's glyphs that are not marks (``is_mark``, per glyph), and each word's of them as
    slices of that list (words of marks only left out): what ``context.decode_line`` reads."""
    letters = [j for j in range(len(line.glyphs)) if not is_mark[j]]
    spans, j, start = [], 0, 0
    for word in line.words:
        count = len(word.glyphs) - sum(is_mark[j : j + len(word.glyphs)])
        if count:
            spans.append(slice(start, start + count))
        j += len(word.glyphs)
        start += count
    return letters, spans


def _assemble(lines: Sequence[Line], probs: np.ndarray, labels: Sequence[str], mode: str, k: int,
              width: int, height: int, lexicon: Lexicon | None = None, context: bool = True,
              guides: tuple[float, float] | None = None, marks: bool = False, head=None) -> PageResult:
    """Turn per-glyph probabilities (in reading order) into a PageResult, decoding each line in context
    (``context.decode_line``, with the ink's ``guides`` if any), or, with ``context`` False, each glyph
    on its own (field mode only). With ``marks`` (ink, where every stroke is meant), the marks of a line
    (``segmentation.mark_flags``) are read as punctuation by their place on it and their shape
    (``context.read_marks``, ``context.mark_readings``) and kept out of the decoding of its letters. Where
    there are several glyphs, no glyph but a mark reads as a period or a hyphen (``letter_classes``)."""
    out_lines = []
    allowed = letter_classes(lines, labels, mode)
    flags = mark_flags(lines) if marks else [[False] * len(line.glyphs) for line in lines]
    i = 0
    for line, is_mark in zip(lines, flags):
        n = len(line.glyphs)
        boxes = [g.box for g in line.glyphs]
        letters, spans = line_letters(line, is_mark)
        own = with_symbol_prior(probs[i : i + n], labels)
        p = restrict(own[letters], allowed)
        i += n
        if context:
            p = decode_line(p, [boxes[t] for t in letters], spans, labels, mode, lexicon, guides, head)
        cands: list = [None] * n
        for t, c in zip(letters, top_k(p, labels, k, allowed)):
            cands[t] = c
        mark_at = [t for t in range(n) if is_mark[t]]
        if mark_at:
            metrics = mark_metrics([boxes[t] for t in letters], p, labels, guides)
            place = read_marks([boxes[t] for t in mark_at], metrics)
            for t, c in zip(mark_at, top_k(mark_readings(place, own[mark_at], labels), MARK_READINGS, k)):
                cands[t] = c
        words, j = [], 0
        for word in line.words:
            glyphs = tuple(GlyphResult(g.box, c[0].char, c[0].p, c)
                           for g, c in zip(word.glyphs, cands[j : j + len(word.glyphs)]))
            j += len(word.glyphs)
            words.append(WordResult(word.box, "".join(g.char for g in glyphs), glyphs))
        out_lines.append(LineResult(line.box, line_text([w.text for w in words]), tuple(words)))
    paragraphs = paragraph_numbers([l.box for l in out_lines])
    out_lines = [dataclasses.replace(l, paragraph=n) for l, n in zip(out_lines, paragraphs)]
    return PageResult(width, height, join_lines([l.text for l in out_lines], paragraphs), tuple(out_lines))


CLOSING = ".,;:?!)"  # a word of only these belongs to the word before it


def joins_previous(word: str) -> bool:
    """Whether a word is written against the word before it, without a space: one of only closing
    punctuation (periods, commas, colons, semicolons, question and exclamation marks, closing brackets)."""
    return bool(word) and set(word) <= set(CLOSING)


def line_text(words: Sequence[str]) -> str:
    """A line's words joined by spaces, a word of only closing punctuation joined to the word before it
    ("said ," -> "said,", "what ?" -> "what?"): the text of ``LineResult``, and of the app's corrected lines."""
    out = ""
    for w in words:
        out += w if out and joins_previous(w) else (" " + w if out else w)
    return out


def prepare_page(image: np.ndarray, *, deskew: bool = True, rules: bool = True) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Binarize a page, level its text lines and take out ruled lines, form boxes and scanner borders.

    Args:
        image: any array ``binarize.to_gray`` accepts: (H, W[, 3|4]), uint8/uint16, either polarity.
        deskew: estimate the skew (up to 15 degrees) and rotate the page to level it.
        rules: remove rules and boxes (``scan.remove_rules``).
    Returns:
        bool (H', W') ink (True) on the levelled page; the 2x3 affine matrix taking levelled
        coordinates back to the input's (None when the page was not rotated); the skew in degrees
        (counter-clockwise positive, as ``scan.estimate_skew``).
    """
    gray = to_gray(image)
    binary = binarize(gray)
    back = None
    angle = estimate_skew(binary) if deskew else 0.0
    if abs(angle) >= MIN_SKEW:
        rotated, forward = rotate_page(gray, -angle)
        binary = binarize(rotated)
        back = cv2.invertAffineTransform(forward)
        log.debug("deskewed by %.2f degrees", angle)
    else:
        angle = 0.0
    if rules:
        binary = remove_rules(binary)
    return binary, back, angle


def _map_box(mask: np.ndarray, origin: tuple[int, int], back: np.ndarray, width: int, height: int) -> Box:
    """The box, in input pixels, of a glyph's ink (bool (h, w) at ``origin`` on the levelled page)."""
    ys, xs = np.nonzero(mask)
    return _bounds(*map_points(back, xs + origin[0] + 0.5, ys + origin[1] + 0.5), width, height)


def _bounds(px: np.ndarray, py: np.ndarray, width: int, height: int) -> Box:
    """The box of points (input pixels), inside a ``width`` x ``height`` image and at least a pixel wide and tall."""
    x0 = int(np.clip(np.floor(px.min()), 0, width - 1))
    y0 = int(np.clip(np.floor(py.min()), 0, height - 1))
    x1 = int(np.clip(np.ceil(px.max()), x0 + 1, max(width, x0 + 1)))
    y1 = int(np.clip(np.ceil(py.max()), y0 + 1, max(height, y0 + 1)))
    return (x0, y0, x1, y1)


def _remap_lines(lines: Sequence[Line], boxes: Sequence[Box]) -> list[Line]:
    """The same lines with glyph boxes replaced by ``boxes`` (in reading order) and the rest re-derived."""
    it = iter(boxes)
    out = []
    for line in lines:
        words = []
        for w in line.words:
            glyphs = tuple(Glyph(next(it), g.strokes) for g in w.glyphs)
            words.append(Word(union_box(g.box for g in glyphs), glyphs))
        out.append(Line(union_box(w.box for w in words), tuple(words)))
    return out


SPLIT_MARGIN = 0.2  # a split stands when every piece reads this much more surely than the whole


def split_reads_better(whole: np.ndarray, pieces: list[np.ndarray], recognizer: Recognizer) -> bool:
    """Whether a wide glyph cut into pieces reads more surely than whole: each piece's best probability
    must beat the whole's by SPLIT_MARGIN (an m cut into r and n does not; two touching letters do).
    Measured on lines of real glyphs that never touch (benchmarks/context.py), unchecked splitting
    cost 17 points of character accuracy; this check costs under 1."""
    sure = as_letters(classify(normalize_batch([whole, *pieces]), recognizer), recognizer.labels).max(1)
    return bool(sure[1:].min() > sure[0] + SPLIT_MARGIN)


def as_letters(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """float32 (N, C) probabilities with the symbols' mass taken out: what the cutting and joining of glyphs
    judge by. Two strokes of any two letters can look like a quote, a stem cut off a letter like a bracket or a
    slash; the symbols made of several pieces (! ; : = %) are joined by overlap and ``segmentation._pair_ticks`` instead."""
    return restrict(probs, ~symbol_mask(labels))


def group_sureness(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """float (N,): per row of probabilities, the mass of its best look-alike group (``personal.lookalike_groups``)."""
    groups = lookalike_groups(labels)
    mass = np.zeros((len(probs), groups.max() + 1), np.float32)
    np.add.at(mass.T, groups, probs.T)
    return mass.max(1)


MERGE_SURE = 0.8  # broken pieces join when the whole reads at least this surely ...
MERGE_SLACK = 0.1  # ... and at most this much less surely than its least sure letter-sized piece;
MERGE_MARGIN = 0.2  # without a bar or speck among them, this much more surely than the least sure piece


def merge_score(whole: np.ndarray, pieces: list[np.ndarray], parts: list[bool], recognizer: Recognizer) -> float:
    """How surely neighbouring pieces, one of them a bar or a speck (``parts``), read as one character:
    the whole's sureness, or 0 unless it is at least MERGE_SURE and the pieces that could be letters on
    their own read no more than MERGE_SLACK more surely (the stems and bar of an H join; a t's stem and its
    floating bar join, not with the l beside them). Pieces that are all letter-sized (no part) join only
    when the whole reads MERGE_MARGIN more surely than the least sure of them. Sureness is that of the
    best look-alike group (``personal.lookalike_groups``): a stem that reads as "l or 1 or I" is sure."""
    sure = group_sureness(as_letters(classify(normalize_batch([whole, *pieces]), recognizer), recognizer.labels),
                          recognizer.labels)
    letters = [s for s, part in zip(sure[1:], parts) if not part]
    if sure[0] < MERGE_SURE or (letters and sure[0] < min(letters) - MERGE_SLACK):
        return 0.0
    if not any(parts) and sure[0] <= sure[1:].min() + MERGE_MARGIN:
        return 0.0
    return float(sure[0])


def recognize_image(image: np.ndarray, recognizer: Recognizer, *, mode: str = "auto", k: int = 5,
                    progress: Progress | None = None, deskew: bool = True, rules: bool = True,
                    lexicon: Lexicon | None = None, personal: PersonalModel | None = None,
                    context: bool = True, line_reader: LineReader | None = None) -> PageResult:
    """Recognize the handwriting on a page or image.

    The page is levelled and cleaned first (``prepare_page``); glyphs are read on the levelled page,
    and their boxes are mapped back, so every box is in the input image's pixels.

    Args:
        image: any array ``binarize.to_gray`` accepts: (H, W[, 3|4]), uint8/uint16, either polarity.
        mode: the field mode (``decoding.MODES``); k: alternatives kept per glyph.
        lexicon: a word list that re-ranks words (``lexicon.Lexicon``), or None.
        personal: the user's samples, blended with the network (``personal.PersonalModel``), or None.
        context: decode lines in context (``context.decode_line``); False gives each glyph's own reading.
        line_reader: the line recognizer (``joined.LineReader``): each line is also read whole, and each word
            takes the likelier reading (``joined.combine_line``); None: the glyph reading alone.
    Returns:
        PageResult with boxes in image pixels and ``skew`` set; an image without ink gives a page with no lines.
    """
    h, w = np.asarray(image).shape[:2]
    binary, back, angle = prepare_page(image, deskew=deskew, rules=rules)
    try:
        lines, labels = segment_image(binary, accept=lambda whole, pieces: split_reads_better(whole, pieces, recognizer),
                                      merge=lambda whole, pieces, parts: merge_score(whole, pieces, parts, recognizer))
    except EmptyInputError:
        return PageResult(w, h, "", (), skew=angle)
    levelled = lines
    if line_reader is not None:
        def line_mask(n: int, boxes: set | None = None) -> tuple[np.ndarray, float, float]:
            kept = [g for g in levelled[n].glyphs if boxes is None or g.box in boxes] or list(levelled[n].glyphs)
            x0, y0, x1, y1 = union_box(g.box for g in kept)
            out = np.zeros((y1 - y0, x1 - x0), bool)
            for g in kept:
                gx0, gy0, gx1, gy1 = g.box
                out[gy0 - y0 : gy1 - y0, gx0 - x0 : gx1 - x0] |= glyph_mask(labels, g)
            return out, float(x0), 1.0
        ahead = read_ahead(line_mask, len(levelled), line_reader)
    glyphs = [g for line in lines for g in line.glyphs]
    batch = np.zeros((len(glyphs), 1, SIZE, SIZE), np.float32)
    boxes = []
    step = 200
    for j in range(0, len(glyphs), step):
        chunk = glyphs[j : j + step]
        masks = [glyph_mask(labels, g) for g in chunk]
        batch[j : j + step] = normalize_batch(masks)
        if back is not None:
            boxes += [_map_box(mask, g.box[:2], back, w, h) for mask, g in zip(masks, chunk)]
        if progress and j + step < len(glyphs):
            progress(j + step, len(glyphs))
    if back is not None:
        lines = _remap_lines(lines, boxes)
    probs = classify(batch, recognizer, personal)
    if progress:
        progress(len(glyphs), len(glyphs))
    page = _assemble(lines, probs, recognizer.labels, mode, k, w, h, lexicon, context, marks=True,
                     head=recognizer.placement)
    if line_reader is not None:
        page = read_lines_whole(page, line_mask, line_reader, mode=mode, k=k, lexicon=lexicon,
                                levelled=levelled if back is not None else None, back=back, ahead=ahead)
    return dataclasses.replace(page, skew=angle)


def ink_glyph_mask(strokes: Sequence[Stroke]) -> np.ndarray:
    """Draw one glyph's strokes at a fixed size; bool (H, W), True = ink."""
    pts = np.vstack([s.points[:, :2] for s in strokes])
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    extent = max(x1 - x0, y1 - y0)
    scale = INK_GLYPH_PX / extent if extent > 1e-9 else 1.0  # a tinier extent is a dot (and would overflow)
    box = (float(x0), float(y0), float(x1), float(y1))
    return rasterize(strokes, box, scale=scale, width=2.0, margin=2, antialias=False) < 128


def ink_glyph_batch(strokes: Sequence[Stroke], glyphs: Sequence[Glyph]) -> np.ndarray:
    """float32 (N, 1, SIZE, SIZE): each glyph's strokes drawn (``ink_glyph_mask``) and normalized, as the
    classifier reads them."""
    if not glyphs:
        return np.zeros((0, 1, SIZE, SIZE), np.float32)
    return normalize_batch([ink_glyph_mask([strokes[i] for i in g.strokes]) for g in glyphs])


class GlyphCache:
    """The glyph model's outputs for ink glyphs, kept by what the glyphs are drawn from (their strokes' points):
    the app reads the whole canvas again at every pause of the pen, and only the glyphs written or changed
    since need the network. Another recognizer empties it, and the oldest entries go beyond ``size``. Safe to
    share between threads."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._rows: "collections.OrderedDict[tuple, tuple[np.ndarray, np.ndarray | None]]" = collections.OrderedDict()
        self._lock = threading.Lock()
        self._owner: Recognizer | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def predict(self, strokes: Sequence[Stroke], glyphs: Sequence[Glyph],
                recognizer: Recognizer) -> tuple[np.ndarray, np.ndarray | None]:
        """``recognizer.predict(ink_glyph_batch(strokes, glyphs))``, the network run only on the glyphs not seen."""
        if not glyphs:
            return np.zeros((0, len(recognizer.labels)), np.float32), None
        keys = [tuple(hashlib.blake2b(strokes[i].points.tobytes(), digest_size=12).digest() for i in g.strokes)
                for g in glyphs]
        with self._lock:
            if self._owner is not recognizer:
                self._rows.clear()
                self._owner = recognizer
            found = {k: self._rows[k] for k in keys if k in self._rows}
            for k in found:
                self._rows.move_to_end(k)  # used now: the last to go
        todo = [j for j, k in enumerate(keys) if k not in found]
        if todo:
            probs, feats = recognizer.predict(ink_glyph_batch(strokes, [glyphs[j] for j in todo]))
            with self._lock:
                for n, j in enumerate(todo):
                    found[keys[j]] = self._rows[keys[j]] = (probs[n], None if feats is None else feats[n])
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        rows = [found[k] for k in keys]
        feats = None if any(f is None for _, f in rows) else np.stack([f for _, f in rows])
        return np.stack([p for p, _ in rows]), feats


def ink_lines(strokes: Sequence[Stroke], recognizer: Recognizer) -> list[Line]:
    """The glyphs of strokes in reading order (``Glyph.strokes``: stroke indices), as ``recognize_ink`` reads them:
    ``segmentation.segment_ink``, then strokes of one letter that do not touch (an H's bar, an E's arms) joined
    where the whole reads surely (``merge_score``). Every stroke is in a glyph: marks too small to be letters
    are kept (``recognize_ink`` reads them as punctuation).

    Raises:
        EmptyInputError: no strokes.
    """
    def mask(glyph: Glyph) -> np.ndarray:
        return ink_glyph_mask([strokes[i] for i in glyph.strokes])

    def merge(whole: np.ndarray, pieces: list[np.ndarray], parts: list[bool]) -> float:
        return merge_score(whole, pieces, parts, recognizer)

    return merge_lone_character(merge_broken(segment_ink(strokes), mask, merge), mask, merge)


def recognize_ink(strokes: Sequence[Stroke], recognizer: Recognizer, *, mode: str = "auto", k: int = 5,
                  progress: Progress | None = None, lexicon: Lexicon | None = None,
                  personal: PersonalModel | None = None, context: bool = True,
                  guides: tuple[float, float] | None = None, lines: Sequence[Line] | None = None,
                  line_reader: LineReader | None = None, cache: GlyphCache | None = None) -> PageResult:
    """Recognize strokes (options as for ``recognize_image``; ``cache`` keeps the glyph model's outputs between
    calls, ``GlyphCache``).

    ``guides``: (y of the first rule, rule spacing), in ink coordinates, of the ruled guide lines the
    ink was written on, or None; a line with no glyph sure of its size takes its baseline and
    x-height from the rule it sits on (``context.line_metrics``). ``lines``: ``ink_lines(strokes, recognizer)``
    when the caller already has them (the app keeps them to map glyphs to strokes).
    Boxes are in ink coordinates; an empty ink gives a page with no lines."""
    if not strokes:
        return PageResult(0, 0, "", ())
    pts = np.vstack([s.points[:, :2] for s in strokes])
    width = int(math.ceil(max(0.0, float(pts[:, 0].max()))))
    height = int(math.ceil(max(0.0, float(pts[:, 1].max()))))
    if lines is None:
        lines = ink_lines(strokes, recognizer)
    if line_reader is not None:
        def line_mask(n: int, boxes: set | None = None) -> tuple[np.ndarray, float, float]:
            kept = [g for g in lines[n].glyphs if boxes is None or g.box in boxes] or list(lines[n].glyphs)
            mask, (ox, _), per_unit = ink_line_mask([strokes[i] for g in kept for i in g.strokes])
            return mask, ox, per_unit
        ahead = read_ahead(line_mask, len(lines), line_reader)
    glyphs = [g for line in lines for g in line.glyphs]
    outputs = (recognizer.predict(ink_glyph_batch(strokes, glyphs)) if cache is None
               else cache.predict(strokes, glyphs, recognizer))
    probs = blended(outputs, personal)
    if progress:
        progress(len(glyphs), len(glyphs))
    page = _assemble(lines, probs, recognizer.labels, mode, k, width, height, lexicon, context, guides, marks=True,
                     head=recognizer.placement)
    if line_reader is not None:
        page = read_lines_whole(page, line_mask, line_reader, mode=mode, k=k, lexicon=lexicon, ahead=ahead)
    return page


def _with_boxes(line: LineResult, boxes: Line) -> LineResult:
    """A line result with the word and glyph boxes of ``boxes`` (the same words and glyphs, other coordinates)."""
    words = tuple(dataclasses.replace(w, box=b.box, glyphs=tuple(dataclasses.replace(g, box=gb.box)
                                                                 for g, gb in zip(w.glyphs, b.glyphs)))
                  for w, b in zip(line.words, boxes.words))
    return dataclasses.replace(line, box=boxes.box, words=words)


def _map_box_corners(box: Box, back: np.ndarray, width: int, height: int) -> Box:
    """The input-pixel box of a box on the levelled page (its four corners mapped by ``back``)."""
    xs, ys = map_points(back, np.array([box[0], box[2], box[0], box[2]], float), np.array([box[1], box[1], box[3], box[3]], float))
    return _bounds(xs, ys, width, height)


def _map_word(word: WordResult, back: np.ndarray, width: int, height: int) -> WordResult:
    glyphs = tuple(dataclasses.replace(g, box=_map_box_corners(g.box, back, width, height)) for g in word.glyphs)
    return dataclasses.replace(word, glyphs=glyphs, box=union_box(g.box for g in glyphs))


WholeLines = tuple[list[tuple[np.ndarray, float, float]], list, list[np.ndarray]]
_AHEAD: concurrent.futures.ThreadPoolExecutor | None = None
_AHEAD_LOCK = threading.Lock()


def read_ahead(line_mask: Callable[..., tuple[np.ndarray, float, float]], n_lines: int,
               reader: LineReader) -> "concurrent.futures.Future[WholeLines]":
    """Start reading lines ``0 .. n_lines - 1`` whole (their masks, line images and the line recognizer's
    probabilities) in a worker thread while the caller reads the glyphs: both need only the segmentation, and
    onnxruntime, OpenCV and numpy let go of the interpreter while they work, so on two cores the line network
    runs beside the glyph model and the decoding. ``read_lines_whole`` takes the result."""
    global _AHEAD
    with _AHEAD_LOCK:
        if _AHEAD is None:
            _AHEAD = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="hwr-lines")
    return _AHEAD.submit(_whole_lines, line_mask, n_lines, reader)


def _whole_lines(line_mask: Callable[..., tuple[np.ndarray, float, float]], n_lines: int, reader: LineReader) -> WholeLines:
    masks = [line_mask(n) for n in range(n_lines)]
    images = [normalize_line(m) for m, _, _ in masks]
    return masks, images, reader.recognizer.predict(images)


def read_lines_whole(page: PageResult, line_mask: Callable[..., tuple[np.ndarray, float, float]], reader: LineReader, *,
                     mode: str = "auto", k: int = 5, lexicon: Lexicon | None = None,
                     levelled: Sequence[Line] | None = None, back: np.ndarray | None = None,
                     ahead: "concurrent.futures.Future[WholeLines] | None" = None) -> PageResult:
    """``page`` (the glyph reading) with its lines also read whole by the line recognizer and each word the
    likelier of the two readings (``joined.combine_line``).

    Args:
        line_mask: ``line_mask(n)``: line ``n``'s bool ink mask, the page x of the mask's column 0 and mask pixels
            per page unit (``lines.ink_line_mask`` for ink; the line's crop, 1.0, for images);
            ``line_mask(n, boxes)`` the same of the glyphs of line ``n`` with those boxes only (a word written at
            another size than its line, read again on its own).
        levelled, back: for a deskewed page, its lines with boxes on the levelled page (where the masks were
            cut) and the 2x3 affine matrix from there to the input's pixels; None otherwise.
        ahead: ``read_ahead(line_mask, len(page.lines), reader)``, started earlier: the whole lines come from it
            (a run of words of another size is still drawn and read here).
    """
    flats = [line if levelled is None or back is None else _with_boxes(line, levelled[n])
             for n, line in enumerate(page.lines)]
    # each run of words of one size is drawn as a line image of its own (a word twice as large as the rest),
    # a word of two sizes split first (a small word run into a large one)
    split = [[part for w in flat.words for part in split_sizes(w)] for flat in flats]
    parts = [(n, run) for n, words in enumerate(split) for run in size_runs(words)]
    whole = ahead.result() if ahead is not None else None
    masks, images, probs, own = [], [], [], []  # own: the parts drawn and read here
    for i, (n, run) in enumerate(parts):
        if whole is not None and len(run) == len(split[n]):
            masks.append(whole[0][n]), images.append(whole[1][n]), probs.append(whole[2][n])
            continue
        mask = line_mask(n) if len(run) == len(split[n]) else line_mask(n, {g.box for j in run for g in split[n][j].glyphs})
        masks.append(mask), images.append(normalize_line(mask[0])), probs.append(None), own.append(i)
    for i, p in zip(own, reader.recognizer.predict([images[i] for i in own])):
        probs[i] = p
    read_words: list[list[WordResult]] = [[] for _ in flats]
    for (n, run), p, image, (_, origin, per_unit) in zip(parts, probs, images, masks):
        frames = LineFrames(image, reader.stride, origin, per_unit)

        def reread(words, n=n):
            mask, x0, unit = line_mask(n, {g.box for w in words for g in w.glyphs})
            own = normalize_line(mask)
            return reader.recognizer.predict([own])[0], LineFrames(own, reader.stride, x0, unit)

        part = dataclasses.replace(flats[n], words=tuple(split[n][i] for i in run))
        read_words[n] += combine_line(part, p, frames, reader, mode=mode, lexicon=lexicon, k=k, reread=reread).words
    lines = []
    for line, flat, words in zip(page.lines, flats, read_words):
        words.sort(key=lambda w: w.box[0])
        if flat is not line:  # deskewed: the glyph words kept take back their own boxes, the new ones are mapped
            own = {id(f): w for f, w in zip(flat.words, line.words)}
            words = [own.get(id(w)) or _map_word(w, back, page.width, page.height) for w in words]
        lines.append(dataclasses.replace(line, text=line_text([w.text for w in words]), words=tuple(words),
                                         box=union_box([line.box, *(w.box for w in words)])))
    return dataclasses.replace(page, text=join_lines([l.text for l in lines], [l.paragraph for l in lines]),
                               lines=tuple(lines))


def single_glyph_mask(binary: np.ndarray) -> np.ndarray:
    """All ink of a one-character image, specks and edge debris (``scan.edge_debris``) removed; bool (H, W).

    Raises:
        EmptyInputError: no ink.
    """
    height = text_height(binary)
    if height > 0:
        binary = binary & ~edge_debris(binary, height)
    labels, units = components(binary)
    if not units:
        raise EmptyInputError("no ink found in the image")
    return np.isin(labels, [u.index for u in units])


def recognize_glyph_image(image: np.ndarray, recognizer: Recognizer, *, mode: str = "auto",
                          k: int = 5, personal: PersonalModel | None = None) -> GlyphResult:
    """Recognize an image known to hold exactly one character (a form cell, a dataset crop).

    All ink left after speck removal is taken as the glyph.
    Raises:
        EmptyInputError: no ink.
    """
    mask = single_glyph_mask(binarize(image))
    probs = with_symbol_prior(classify(normalize_glyph(mask)[None, None], recognizer, personal), recognizer.labels)
    allowed = letter_classes((), recognizer.labels, mode)  # a glyph alone
    cands = top_k(restrict(probs, allowed), recognizer.labels, k, allowed)[0]
    box = ink_bbox(mask)
    return GlyphResult(box, cands[0].char, cands[0].p, cands)


def is_ink_file(path: str | Path) -> bool:
    return str(path).lower().endswith(INK_SUFFIX)


def recognize_file(path: str | Path, recognizer: Recognizer, *, mode: str = "auto", k: int = 5,
                   pages: PageSelection | None = None, progress: Progress | None = None,
                   lexicon: Lexicon | None = None, context: bool = True,
                   personal: PersonalModel | None = None, line_reader: LineReader | None = None) -> list[PageResult]:
    """Recognize an image, multi-page TIFF, PDF or ``*.ink.json`` file; returns one PageResult per page read.

    Args:
        pages: 1-based page numbers to read (None: all); numbers past a document's end are ignored.
        progress: called with (pages done, pages to do) after each page.
        personal: the user's samples, blended with the network (``personal.PersonalModel``), or None.
        line_reader: the line recognizer, to read joined-up writing (``recognize_image``), or None.
    Returns:
        the selected pages in order; a page that could not be read has ``error`` set and no lines.
    Raises:
        InputError: the file cannot be opened, has an unsupported type, or none of ``pages`` exists.
    """
    p = require_file(path)
    if is_ink_file(p):
        if pages is not None and 1 not in pages:
            raise InputError("none of the selected pages exists (the document has 1 page)")
        return [recognize_ink(load_ink(p), recognizer, mode=mode, k=k, lexicon=lexicon, context=context,
                              personal=personal, line_reader=line_reader)]
    results: list[PageResult] = []
    numbers, loaded = open_document(p, pages)
    for page in loaded:
        if page.error is not None:
            results.append(PageResult(0, 0, "", (), page.number, page.error))
        else:
            result = recognize_image(page.image, recognizer, mode=mode, k=k, lexicon=lexicon, context=context,
                                     personal=personal, line_reader=line_reader)
            results.append(dataclasses.replace(result, page=page.number))
        if progress:
            progress(len(results), len(numbers))
    return results
