"""Units of ink -> glyphs -> words -> lines, in reading order.

A *unit* is the smallest piece of ink segmentation works with: a stroke for
digital ink, a connected component for a binary image. The same layout
function serves both:

1. lines: in images, substantial units are chained left to right to the
   line whose recent centres lie closest in y (this follows slight skew and
   wander); small units (i dots, specks of a broken stroke) join the nearest
   line. Ink, which is level, is cut into lines where its vertical profile
   has a valley (``ink_line_bands``), so that descenders, tall stems, bars
   and a word written larger stay on the line they were written on;
2. glyphs: units of a line that overlap horizontally are one glyph (the dot
   of an i, the bar of a t, the strokes of an E); in images, neighbours that
   read as one character are joined (``merge_broken``: an H written in three
   pieces; ``merge_lone_character``: an image of one letter in pieces), glyphs
   that are touching characters are cut (``split_touching``), and marks too
   small to be letters are dropped unless they sit against a word as punctuation does (``drop_marks``);
3. words: per line, a gap well above the line's median gap and above a
   fraction of its glyph height.

For ink, a stroke that starts where the previous one ended, moments later,
is joined to it: pens and tablets drop out mid-stroke.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import cv2
import numpy as np

from .errors import EmptyInputError
from .ink import Stroke
from .results import Box, Glyph, Line, Word, union_box
from .stats import median, percentile

WORD_GAP_MIN, WORD_GAP_MAX = 0.4, 0.8  # word gaps lie between these fractions of the line's glyph height
WORD_GAP_MEDIAN = 2.5  # ... and are at least this many times the line's median gap
SHORT_LINE = 4  # a line of at most this many gaps measures its word gap by the smallest too ...
WORD_GAP_SHORT = 0.25  # ... down to this fraction of its height
NATURAL_MIN, NATURAL_RATIO = 0.2, 2.0  # a natural break in a line's gaps (natural_word_gap)
LOCAL_EDGE, LOCAL_MAX = 1.3, 3.0  # a gap amid writing at least this many line heights tall is measured in that
# size, at most the second (group_words)
PARAGRAPH_GAP = 1.5  # a gap between lines over this many line heights ...
PARAGRAPH_GAP_MEDIAN = 1.8  # ... and this many median gaps starts a paragraph
SPLIT_WIDTH = 1.7  # a glyph this many usual glyph widths wide may be touching characters ...
SPLIT_PIECE = 1.5  # pieces at least this many usual widths wide are cut again
SPLIT_USUAL = 0.9  # ... the usual width being the line's median, at most this many line heights
SplitCheck = Callable[[np.ndarray, list[np.ndarray]], bool]
# (union mask, piece masks, which pieces are parts) -> how surely the union is one character (0: keep apart)
MergeScore = Callable[[np.ndarray, list[np.ndarray], list[bool]], float]
GlyphMask = Callable[["Glyph"], np.ndarray]  # a glyph -> bool (h, w) of its ink
VALLEY = 0.08  # ink lines: a profile this low (x the lower neighbouring peak) ...
VALLEY_SPAN = 0.15  # ... over at least this many glyph heights separates two written lines
VALLEY_FULL = 0.45  # ... where the units' whole extents leave at most this much of theirs
BAND_STEPS = 20  # rows of the profiles per glyph height
MINOR = 0.5  # ink lines: units lower than this (x glyph height) are marks, bars or dots: they found no line
MARKS_APART = 1.5  # ink of a mark alone (at most MARKS_ALONE units, all low): bands closer than this (x glyph
MARKS_ALONE = 3  # height) are one line; flat words written in one stroke each are low too, and stay apart
OVERLAP = 0.4  # horizontal overlap / narrower width that merges units into one glyph
STACK_GAP = 0.25  # pieces one above the other this close (x glyph height) ...
STACK_SIZE = 1.5  # ... whose union stays this small (x glyph height) are one character
DOT_SIZE = 0.7  # a compact mark up to this fraction of the glyph below it, and wholly above its middle, is a dot
INK_PEN = 0.06  # half the width given to ink points, as a fraction of the glyph height
DROPOUT_GAP = 0.15  # a stroke resuming this close (x glyph height) to where the last one stopped, at once, continues it
TOUCH = 0.12  # a stroke end this close (x glyph height) to earlier ink touches it
MERGE_GAP = 0.15  # neighbours this close (x line height) may be the broken pieces of one character ...
MERGE_SIZE = 1.1  # ... if together they are no wider than this (x line height) ...
MERGE_PART = 0.35  # ... and one of them is no taller than this (x line height): a bar or a speck, no letter
LONE_MAX = 4  # an image of at most this many glyphs, together about as wide as tall, may be one character ...
LONE_WIDE = 1.5  # ... unless two of them (not bars or dots) are this many times as wide as tall: words
LONE_GAP = 0.1  # ... or they stand side by side, this many times the union's height apart: a short word ("got"),
LONE_LETTERS = 3  # ... where this many of them are no bar or dot (an E's stem beside its bars is one letter)
MARK = 0.3  # a glyph no taller than this (x its line's height) that nothing joined is a mark, not a letter


@dataclass(frozen=True)
class Unit:
    """A piece of ink with a float box ``(x0, y0, x1, y1)`` and its index in the input."""

    index: int
    box: tuple[float, float, float, float]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


def typical_height(units: Sequence[Unit]) -> float:
    """A robust glyph height: the median height of the units at least 0.4 times as tall as the tall ones
    (the 90th percentile), so that many dots or specks do not drag it down."""
    return tall_median([max(u.height, u.width * 0.5, 1e-6) for u in units])


def tall_median(sizes: Sequence[float]) -> float:
    """The median of the sizes at least 0.4 times the 90th percentile (``typical_height``'s statistic)."""
    tall = 0.4 * percentile(sizes, 90)
    return median([h for h in sizes if h >= tall])


def _is_small(u: Unit, height: float) -> bool:
    return max(u.height, u.width) < 0.35 * height


def _lower_peak(profile: np.ndarray) -> np.ndarray:
    """Per row of a profile, the lower of the highest values above it and below it (inclusive)."""
    return np.minimum(np.maximum.accumulate(profile), np.maximum.accumulate(profile[::-1])[::-1])


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of True, end exclusive."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))


def ink_line_bands(units: Sequence[Unit], height: float) -> list[list[Unit]]:
    """Lines of ink by the vertical profile of the middle halves of its substantial units: written lines are
    humps separated by a valley where almost no ink lies (below ``VALLEY`` of the lower hump's peak, over at
    least ``VALLEY_SPAN`` glyph heights) and where the whole units leave little ink too (``VALLEY_FULL``: the
    bowl of a P written apart from its stem covers its top). The middle of a descender, a tall stem, a
    capital, a raised or larger word lies inside its line's hump, and a descender and the stem below it that
    nearly touch have their middles apart, so a line written on a tablet stays one line whatever its mix of
    heights and close lines stay apart. A band of marks only (``MINOR`` high: bars, dashes, commas, dots)
    joins the band nearest it; in the ink of a mark alone (``MARKS_ALONE``), bands less than ``MARKS_APART``
    apart are one.
    Returns the units of each band, top to bottom."""
    big = [u for u in units if not _is_small(u, height)]
    if not big:
        return [list(units)]
    step = max(height / BAND_STEPS, 1e-6)
    top = min(u.box[1] for u in units)
    n = int((max(u.box[3] for u in units) - top) / step) + 2
    middles, wholes = np.zeros(n), np.zeros(n)
    for u in big:
        a = int((u.box[1] + u.height / 4 - top) / step)
        b = max(a + 1, int(np.ceil((u.box[3] - u.height / 4 - top) / step)))
        middles[a:b] += max(u.width, step)
        wholes[int((u.box[1] - top) / step) : int(np.ceil((u.box[3] - top) / step))] += max(u.width, step)
    span = max(1, int(round(VALLEY_SPAN * height / step)))
    thin = wholes <= VALLEY_FULL * _lower_peak(wholes)
    cuts = [top + (i + j) / 2 * step for i, j in _runs(middles <= VALLEY * _lower_peak(middles))
            if i > 0 and j < n and j - i >= span and thin[i:j].any()]
    bands: list[list[Unit]] = [[] for _ in range(len(cuts) + 1)]
    for u in units:
        bands[int(np.searchsorted(cuts, u.cy))].append(u)

    def marks_only(band: list[Unit]) -> bool:
        return all(u.height < MINOR * height for u in band)

    lines = [b for b in bands if b and not marks_only(b)]
    if not lines and len(units) <= MARKS_ALONE:  # a mark alone: its bars close above one another are one line
        for b in (b for b in bands if b):  # (an "=" written alone)
            if lines and min(u.box[1] for u in b) - max(u.box[3] for u in lines[-1]) <= MARKS_APART * height:
                lines[-1].extend(b)
            else:
                lines.append(list(b))
        return lines
    lines = lines or [b for b in bands if b]
    for b in bands:
        if b and marks_only(b) and not any(b is line for line in lines):
            cy = np.mean([u.cy for u in b])
            min(lines, key=lambda line: min(abs(cy - v.cy) for v in line)).extend(b)
    return lines


def _dot_like(u: Unit, height: float) -> bool:
    """A compact mark (not a stroke longer than twice its width) at most ``DOT_SIZE`` of ``height``."""
    size = max(u.height, u.width)
    return size <= DOT_SIZE * height and size <= 2 * max(min(u.height, u.width), 1) + 1


def _merge_dot_lines(lines: list[list[Unit]]) -> list[list[Unit]]:
    """Join a "line" of one or two dot-like marks (``_dot_like`` the glyphs of the line just below) and
    sitting right above them, to that line: the dots of i and j when too few glyphs make them look
    like a line of their own (a single i, cut out on its own)."""
    out: list[list[Unit]] = []
    for line in reversed(lines):  # bottom up, so a merged line is final
        if out:
            below = out[-1]
            h_below = float(np.median([v.height for v in below]))
            top_below = min(v.box[1] for v in below)
            if (len(line) <= 2 and all(_dot_like(v, h_below) for v in line)
                    and max(v.box[3] for v in line) >= top_below - h_below
                    and all(any(min(u.box[2], v.box[2]) - max(u.box[0], v.box[0]) > -0.3 * h_below for v in below)
                            for u in line)):
                below.extend(line)
                continue
        out.append(list(line))
    return out[::-1]


def group_glyphs(line: Sequence[Unit], height: float) -> list[list[Unit]]:
    """Merge the units of one line that overlap horizontally, give back the dots of i and j that the overlap
    gave to the letter beside them (``redot``), then attach dots to the glyph below them, then pair the two
    ticks of a double quote."""
    glyphs = redot(_merge_overlapping(line), height)
    return _pair_ticks(_attach_dots(glyphs, height), height)


STEM = 0.7  # a bare stem: one unit at most this (x its height) wide, ...
DOT_REACH = 0.6  # ... whose top lies this near (x glyph height) to a dot beside it
STEM_THINNER = 0.8  # a dot above one unit goes only to a stem beside it narrower than this of that unit


def redot(parts: list[list[Unit]], height: float) -> list[list[Unit]]:
    """An i's dot written late and off to the side, over the letter after it (or before), is stacked onto
    that letter or merged with it by their overlap ("ine" read as "l" and a dotted n). A small unit above
    all the rest of its part goes to a bare stem beside it (``STEM``: a part of one narrow unit, its top
    below the dot, the dot's middle within ``DOT_REACH`` glyph heights of it); when the rest of its part is
    one unit (an i with its dot, or an n under another i's dot), only to a stem narrower than
    ``STEM_THINNER`` of that unit's width."""
    out = [list(p) for p in parts]
    stems = [k for k, p in enumerate(out) if len(p) == 1 and p[0].width <= STEM * p[0].height]
    if not stems:
        return out
    sb = np.array([out[k][0].box for k in stems], float)
    for g in out:
        if len(g) < 2:
            continue
        for u in list(g):
            rest = [v for v in g if v is not u]
            if not _is_small(u, height) or u.box[3] > min(v.box[1] for v in rest):
                continue
            cx = (u.box[0] + u.box[2]) / 2
            reach = np.maximum(np.maximum(sb[:, 0] - cx, cx - sb[:, 2]), 0.0)
            ok = (reach <= DOT_REACH * height) & (sb[:, 1] >= u.box[3]) & (sb[:, 1] - u.box[3] <= height)
            if len(rest) == 1:  # an i with its dot already, unless the stem beside it is the thinner by far
                ok &= sb[:, 2] - sb[:, 0] < STEM_THINNER * rest[0].width
            ok &= np.array([len(out[k]) == 1 for k in stems])
            if ok.any():
                k = stems[int(np.argmin(np.where(ok, reach, np.inf)))]
                g.remove(u)
                out[k].append(u)
    return [g for g in out if g]


TICK = 0.8  # a quote's tick: a stroke at most this (x glyph height) tall, no wider than tall, ...
TICK_RAISED = 0.4  # ... its bottom this far (x glyph height) above the line's usual bottom


def _pair_ticks(glyphs: list[list[Unit]], height: float) -> list[list[Unit]]:
    """Two neighbouring ticks raised above the line (``TICK``, ``TICK_RAISED``), side by side and closer than
    the taller one's height, are one glyph: a double quote, which otherwise reads as two letters or two
    apostrophes."""
    if len(glyphs) < 3:
        return glyphs
    boxes = [union_box(u.box for u in g) for g in glyphs]
    tall = [b[3] for b in boxes if b[3] - b[1] > TICK * height]
    if not tall:
        return glyphs
    bottom = float(np.median(tall))

    def tick(b) -> bool:
        h = b[3] - b[1]
        return h <= TICK * height and b[2] - b[0] <= h and b[3] <= bottom - TICK_RAISED * height

    out: list[list[Unit]] = []
    i = 0
    while i < len(glyphs):
        a = boxes[i]
        if i + 1 < len(glyphs) and len(glyphs[i]) == 1 and len(glyphs[i + 1]) == 1 and tick(a) and tick(boxes[i + 1]):
            b = boxes[i + 1]
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if b[0] - a[2] <= max(a[3] - a[1], b[3] - b[1]) and overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1]):
                out.append(glyphs[i] + glyphs[i + 1])
                i += 2
                continue
        out.append(glyphs[i])
        i += 1
    return out


def _attach_dots(glyphs: list[list[Unit]], height: float) -> list[list[Unit]]:
    """A glyph of small marks only, lying above the middle of a glyph within 0.3 heights beside it, joins that glyph
    (the dot of an i or j written off to one side). Marks at the baseline (periods) stay on their own. On a line of
    three glyphs or fewer the line's height is a poor yardstick, so there a single mark is also measured by its
    neighbour: dot-like (``_dot_like``), its bottom in the neighbour's top quarter, the neighbour 1.8 times taller."""
    if len(glyphs) < 2:
        return [list(g) for g in glyphs]
    boxes = [union_box(u.box for u in g) for g in glyphs]
    small = [all(_is_small(u, height) for u in g) for g in glyphs]
    owner = list(range(len(glyphs)))
    for i, g in enumerate(glyphs):
        if not small[i] and (len(glyphs) > 3 or len(g) != 1):
            continue
        b = boxes[i]
        best, best_gap = None, 0.3 * height
        for j in (i - 1, i + 1):
            if not 0 <= j < len(glyphs) or small[j]:
                continue
            n = boxes[j]
            gap = max(n[0] - b[2], b[0] - n[2], 0.0)
            if small[i]:
                fits = gap <= best_gap and (b[1] + b[3]) / 2 < (n[1] + n[3]) / 2
            else:
                nh = n[3] - n[1]
                fits = (_dot_like(g[0], nh) and b[3] <= n[1] + 0.25 * nh and gap <= min(best_gap, 0.3 * nh)
                        and nh >= 1.8 * (b[3] - b[1]))
            if fits:
                best, best_gap = j, gap
        if best is not None:
            owner[i] = best
    merged: dict[int, list[Unit]] = {}
    for i, g in enumerate(glyphs):
        merged.setdefault(owner[i], []).extend(g)
    return [merged[k] for k in sorted(merged)]


def _merge_overlapping(line: Sequence[Unit]) -> list[list[Unit]]:
    """Units that overlap horizontally (by OVERLAP of the narrower) form one glyph; left to right."""
    glyphs: list[list[Unit]] = []
    boxes: list[list[float]] = []
    for u in sorted(line, key=lambda v: v.box[0]):
        if glyphs:
            b = boxes[-1]
            overlap = min(b[2], u.box[2]) - max(b[0], u.box[0])
            narrower = max(min(b[2] - b[0], u.width), 1e-6)
            if overlap >= OVERLAP * narrower:
                glyphs[-1].append(u)
                boxes[-1] = [min(b[0], u.box[0]), min(b[1], u.box[1]), max(b[2], u.box[2]), max(b[3], u.box[3])]
                continue
        glyphs.append([u])
        boxes.append(list(u.box))
    return glyphs


def word_gap_threshold(gaps: Sequence[float], height: float) -> float:
    """The gap that separates words on one line: a multiple of its median gap, within bounds set by its
    height. On a short line (at most ``SHORT_LINE`` gaps) the median may itself be a word gap ("9 19 91":
    word, letter, word, letter), so there the smallest gap sets it too, down to ``WORD_GAP_SHORT`` heights."""
    middle = float(np.median(gaps)) if len(gaps) else 0.0
    threshold = float(np.clip(WORD_GAP_MEDIAN * max(middle, 0.0), WORD_GAP_MIN * height, WORD_GAP_MAX * height))
    if 2 <= len(gaps) <= SHORT_LINE:
        smallest = max(float(min(gaps)), 0.05 * height)
        threshold = min(threshold, float(np.clip(WORD_GAP_MEDIAN * smallest, WORD_GAP_SHORT * height,
                                                 WORD_GAP_MAX * height)))
    return threshold


def natural_word_gap(gaps: Sequence[float], letter_height: float) -> float | None:
    """Where a line's gaps fall into two kinds, the gap between them: the split of the sorted gaps that
    leaves the two groups furthest apart for their sizes (Otsu's criterion), taken when the wider gaps are
    at least ``NATURAL_MIN`` letter heights and on average ``NATURAL_RATIO`` times the narrower ones'
    median, on a line of more than ``SHORT_LINE`` gaps. Writers space their words so differently that no one multiple of the height or of the median
    gap fits them all (UNIPEN validation writers' one-line texts: 41 % of them cut into their words by such
    a rule, 48 % with this one; ``benchmarks/unipen_lines.py``). None where the gaps are of one kind."""
    g = np.sort(np.asarray(gaps, float))
    if len(g) <= SHORT_LINE:  # too few gaps to tell two kinds apart
        return None
    n = len(g)
    k = np.arange(1, n)
    csum = np.cumsum(g)
    lo_mean = csum[:-1] / k
    hi_mean = (csum[-1] - csum[:-1]) / (n - k)
    split = int(np.argmax(k * (n - k) * (hi_mean - lo_mean) ** 2)) + 1
    lo, hi = g[:split], g[split:]
    if hi[0] >= NATURAL_MIN * letter_height and hi.mean() >= NATURAL_RATIO * max(float(np.median(lo)),
                                                                                  0.05 * letter_height):
        return float((lo[-1] + hi[0]) / 2)
    return None


def group_words(glyph_boxes: Sequence[Box], height: float) -> list[list[int]]:
    """Indices of glyphs (in x order) grouped into words by the gaps between them: at a natural break of the
    line's gaps (``natural_word_gap``, measured against the median height of its taller half of glyphs), else
    at ``word_gap_threshold``. A gap amid writing ``LOCAL_EDGE`` times the line's ``height`` or more (the
    smaller of the median heights of the glyphs on either side with their neighbours) is measured in that
    size: a word written larger keeps its letters together, and the words beside it keep their spaces."""
    if not glyph_boxes:
        return []
    rights = np.maximum.accumulate([b[2] for b in glyph_boxes])
    tall = [b[3] - b[1] for b in glyph_boxes]
    # a gap amid writing larger than the line's (a word written larger) is measured in that writing's size:
    # the smaller of the median heights of the glyphs on either side with their neighbours
    around = [median(tall[max(0, i - 1) : i + 2]) for i in range(len(tall))]
    local = [min(around[i - 1], around[i]) / max(height, 1e-6) for i in range(1, len(glyph_boxes))]
    gaps = [(glyph_boxes[i][0] - rights[i - 1]) / (min(v, LOCAL_MAX) if v >= LOCAL_EDGE else 1.0)
            for i, v in zip(range(1, len(glyph_boxes)), local)]
    letter_height = median(sorted(tall)[len(tall) // 2:])
    natural = natural_word_gap(gaps, letter_height)
    threshold = natural if natural is not None else word_gap_threshold(gaps, height)
    words = [[0]]
    for i in range(1, len(glyph_boxes)):
        if gaps[i - 1] > threshold:
            words.append([i])
        else:
            words[-1].append(i)
    return words


def _int_box(b: Sequence[float]) -> Box:
    return (int(np.floor(b[0])), int(np.floor(b[1])), int(np.ceil(b[2])), int(np.ceil(b[3])))


def layout(units: Sequence[Unit], dot_lines: bool = False) -> list[Line]:
    """Lines of words of glyphs from units, in reading order: written lines by the vertical profile of the
    ink (``ink_line_bands``: a joined-up word's pieces, stems and loops stay one line; pages are levelled
    first).

    Args:
        units: the ink pieces; ``Unit.index`` is recorded in ``Glyph.strokes``.
        dot_lines: a "line" of one or two dots right above a line joins it (``_merge_dot_lines``: a lone i
            cut out of a page; ink has its dots joined to their letters by then).
    Raises:
        EmptyInputError: no units.
    """
    if not units:
        raise EmptyInputError("nothing is written")
    height = typical_height(units)
    groups = [sorted(band, key=lambda u: u.box[0]) for band in ink_line_bands(units, height)]
    if dot_lines:
        groups = _merge_dot_lines(groups)
    lines = []
    for line_units in groups:
        glyph_units = group_glyphs(line_units, height)
        gboxes = [_int_box(union_box(u.box for u in g)) for g in glyph_units]
        lheight = typical_height([Unit(0, b) for b in gboxes])
        words = []
        for idx in group_words(gboxes, lheight):
            glyphs = tuple(Glyph(gboxes[i], tuple(sorted(u.index for u in glyph_units[i]))) for i in idx)
            words.append(Word(union_box(g.box for g in glyphs), glyphs))
        lines.append(Line(union_box(w.box for w in words), tuple(words)))
    return lines


def paragraph_numbers(line_boxes: Sequence[Box]) -> list[int]:
    """Per line (in reading order), the 0-based number of its paragraph.

    A new paragraph starts where the gap above a line is larger than ``PARAGRAPH_GAP`` times the
    median line height and, when there are three lines or more, ``PARAGRAPH_GAP_MEDIAN`` times the
    usual gap between lines (the median gap; the smallest when there are fewer than four): a blank
    line left in the writing.
    """
    if not line_boxes:
        return []
    height = float(np.median([b[3] - b[1] for b in line_boxes]))
    gaps = [line_boxes[i][1] - line_boxes[i - 1][3] for i in range(1, len(line_boxes))]
    threshold = PARAGRAPH_GAP * height
    if len(gaps) >= 2:  # with few gaps the median may be a paragraph gap itself: take the smallest
        usual = float(np.median(gaps)) if len(gaps) >= 4 else min(gaps)
        threshold = max(threshold, PARAGRAPH_GAP_MEDIAN * max(usual, 0.0))
    numbers = [0]
    for g in gaps:
        numbers.append(numbers[-1] + (g > threshold))
    return numbers


def join_lines(texts: Sequence[str], paragraphs: Sequence[int]) -> str:
    """Line texts joined by newlines, with a blank line where the paragraph number changes."""
    out = []
    for i, t in enumerate(texts):
        if i and paragraphs[i] != paragraphs[i - 1]:
            out.append("")
        out.append(t)
    return "\n".join(out)


# --- images --------------------------------------------------------------------------------------

def components(binary: np.ndarray) -> tuple[np.ndarray, list[Unit]]:
    """Connected components of a binary image, without specks.

    Args:
        binary: bool (H, W), True = ink.
    Returns:
        labels int32 (H, W) (0 = background) and the kept components as Units
        (``index`` = label, box in pixels, x1/y1 exclusive).
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    units = [Unit(i, (float(stats[i, 0]), float(stats[i, 1]), float(stats[i, 0] + stats[i, 2]), float(stats[i, 1] + stats[i, 3])))
             for i in range(1, n)]
    if not units:
        return labels, []
    areas = stats[1:, cv2.CC_STAT_AREA]
    height = typical_height([u for u, a in zip(units, areas) if a >= 4] or units)
    speck = max(2.0, 0.08 * height)
    kept = [u for u, a in zip(units, areas) if max(u.width, u.height) >= speck and a >= 3]
    return labels, kept


def segment_image(binary: np.ndarray, accept: SplitCheck | None = None,
                  merge: MergeScore | None = None) -> tuple[list[Line], np.ndarray]:
    """Lines of glyphs found in a binary image; ``merge`` and ``accept`` judge joins of broken pieces
    (``merge_broken``) and splits of touching characters (``split_touching``).

    Returns:
        the lines, and the int32 (H, W) component labels: a glyph's mask is
        ``np.isin(labels[box], glyph.strokes)``.
    Raises:
        EmptyInputError: no ink.
    """
    labels, units = components(binary)
    if not units:
        raise EmptyInputError("no ink found in the image")
    groups = stack_parts(units, typical_height(units))
    merged = [Unit(k, union_box(u.box for u in g)) for k, g in enumerate(groups)]
    lines = [
        Line(line.box, tuple(Word(w.box, tuple(
            Glyph(g.box, tuple(sorted(u.index for k in g.strokes for u in groups[k]))) for g in w.glyphs))
            for w in line.words))
        for line in layout(merged, dot_lines=True)
    ]
    def mask(glyph: Glyph) -> np.ndarray:
        return glyph_mask(labels, glyph)

    lines = split_touching(merge_broken(lines, mask, merge), labels, accept)
    return drop_marks(merge_lone_character(lines, mask, merge), mask), labels


def _rewrite_words(lines: Sequence[Line], rewrite: Callable[[list[Glyph], float], Sequence[Glyph]]) -> list[Line]:
    """Lines whose words' glyphs are ``rewrite(glyphs, line height)`` (``typical_height`` of the line's glyphs),
    boxes re-derived; words and lines left without glyphs go."""
    out = []
    for line in lines:
        height = typical_height([Unit(0, g.box) for g in line.glyphs])
        words = []
        for word in line.words:
            glyphs = tuple(rewrite(list(word.glyphs), height))
            if glyphs:
                words.append(Word(union_box(g.box for g in glyphs), glyphs))
        if words:
            out.append(Line(union_box(w.box for w in words), tuple(words)))
    return out


def _height(g: Glyph) -> float:
    return g.box[3] - g.box[1]


def _line_height(line: Line) -> float:
    """A line's height for telling marks from letters: ``typical_height`` of its glyphs' heights alone (a
    joined-up word is wide and flat, not tall)."""
    return typical_height([Unit(0, (0, g.box[1], 0, g.box[3])) for g in line.glyphs])


def mark_flags(lines: Sequence[Line]) -> list[list[bool]]:
    """Per line, per glyph (reading order): a mark, at most ``MARK`` of the line's height tall (a period, a
    comma, a dash, an apostrophe; in scans also an underline or a scrap's edge). An image or ink of a single
    glyph has none."""
    if sum(len(line.glyphs) for line in lines) < 2:
        return [[False] * len(line.glyphs) for line in lines]
    out = []
    for line in lines:
        height = _line_height(line)
        out.append([_height(g) <= MARK * height for g in line.glyphs])
    return out


PUNCT_SIZE = 0.12  # a mark of a scan at least this (x its line's height) across ...
PUNCT_NEAR = 0.5  # ... this near (x its line's height) to a letter beside it, and no wider than its line is tall,
# is punctuation and stays; other marks are dust, rule ends, underlines, a scrap's edge
PUNCT_SOLID = 0.5  # ... and, in a scan, inked over this much of its box


def _inner_mark(g: Glyph, letters: Sequence[Glyph]) -> bool:
    """A mark between two letters of a word that is punctuation by its shape and place: a hyphen (flat, its
    middle within the middle three fifths of its neighbours' height) or an apostrophe (no wider than tall, its
    bottom above its neighbours' middles)."""
    x = (g.box[0] + g.box[2]) / 2
    left = max((o for o in letters if o.box[2] <= x), key=lambda o: o.box[2], default=None)
    right = min((o for o in letters if o.box[0] >= x), key=lambda o: o.box[0], default=None)
    if left is None or right is None:
        return False
    w, h = g.box[2] - g.box[0], g.box[3] - g.box[1]
    top = max(left.box[1], right.box[1])
    bottom = min(left.box[3], right.box[3])
    cy = (g.box[1] + g.box[3]) / 2
    if w >= 2 * h:
        return bottom > top and top + 0.2 * (bottom - top) <= cy <= bottom - 0.2 * (bottom - top)
    middle = min((left.box[1] + left.box[3]) / 2, (right.box[1] + right.box[3]) / 2)
    return h >= w and g.box[3] < middle


def drop_marks(lines: Sequence[Line], mask: GlyphMask | None = None) -> list[Line]:
    """Take out the noise among the marks of scans, on lines of several glyphs (``mark_flags``): dust, the
    ends of rules, underlines, the edge of a pasted scrap. A mark written as punctuation is kept
    (``PUNCT_SIZE``, ``PUNCT_NEAR``: a period, comma or closing quote against the last letter of its word, the
    next letter at least twice as far, or a hyphen or an apostrophe between two letters, ``_inner_mark``; with
    ``mask`` (a glyph's ink) also solid: at least ``PUNCT_SOLID`` of its
    box inked, as a pen's dot or tick is and a torn-off bit of a letter's outline is not), for the decoding to
    read by its place on the line (``context.read_marks``), as on the canvas, where every stroke is meant."""
    if sum(len(line.glyphs) for line in lines) < 2:
        return list(lines)
    drop = set()
    for line, flags in zip(lines, mark_flags(lines)):
        height = _line_height(line)
        letters = [g for g, m in zip(line.glyphs, flags) if not m]
        for g, m in zip(line.glyphs, flags):
            if not m:
                continue
            w, h = g.box[2] - g.box[0], g.box[3] - g.box[1]
            before = [g.box[0] - o.box[2] for o in letters if o.box[2] <= g.box[0] + 0.5 * w]
            after = [o.box[0] - g.box[2] for o in letters if o.box[0] >= g.box[2] - 0.5 * w]
            left, right = min(before, default=np.inf), min(after, default=np.inf)
            trails = left <= PUNCT_NEAR * height and right >= 2 * max(left, 0.05 * height)  # it ends a word
            inside = left <= PUNCT_NEAR * height and right <= PUNCT_NEAR * height and _inner_mark(g, letters)
            if not (len(letters) >= 2 and max(w, h) >= PUNCT_SIZE * height and w <= height and (trails or inside)
                    and (mask is None or mask(g).mean() >= PUNCT_SOLID)):
                drop.add(id(g))
    return _rewrite_words(lines, lambda glyphs, _height: [g for g in glyphs if id(g) not in drop])


def merge_lone_character(lines: Sequence[Line], mask: GlyphMask, score: MergeScore | None) -> list[Line]:
    """An image of one character whose pieces segmentation took apart, even onto separate lines (the
    bars of an E or F written apart from its stem): when the image holds 2 to ``LONE_MAX`` glyphs whose
    union is at most twice as wide as tall and as tall as wide (taller when one piece is a dot or a bar: a
    lone i whose dot sits off to the side), ``score`` decides as in ``merge_broken`` (parts: the pieces at most
    ``MERGE_PART`` of the tallest one's height)."""
    glyphs = [g for line in lines for g in line.glyphs]
    if score is None or not 2 <= len(glyphs) <= LONE_MAX:
        return list(lines)
    union = _union(glyphs)
    w, h = union.box[2] - union.box[0], union.box[3] - union.box[1]
    tallest = max(_height(g) for g in glyphs)
    parts = [_height(g) <= MERGE_PART * tallest for g in glyphs]
    if w > 2 * h or (h > 2 * w and not any(parts)):  # tall and narrow only with a dot or bar: an i, a j, a !
        return list(lines)
    # pieces as wide as words, one under another, are words (a list written in joined-up words), not a letter
    wide = [not p and g.box[2] - g.box[0] >= LONE_WIDE * _height(g) for g, p in zip(glyphs, parts)]
    if sum(wide) >= 2 or _side_by_side(glyphs, parts, h):
        return list(lines)
    if score(mask(union), [mask(g) for g in glyphs], parts) <= 0:
        return list(lines)
    return [Line(union.box, (Word(union.box, (union,)),))]


def _side_by_side(glyphs: Sequence[Glyph], parts: Sequence[bool], height: float) -> bool:
    """Whether the pieces that are no bar or dot (not ``parts``; LONE_LETTERS of them at least) stand left to
    right, each at least LONE_GAP x ``height`` after the one before, with no bar or dot reaching across a gap:
    letters side by side (a short word written alone), not one character's pieces (an H whose bar joins its
    stems, an E's stem beside its bars)."""
    letters = sorted((g.box for g, p in zip(glyphs, parts) if not p), key=lambda b: b[0])
    if len(letters) < LONE_LETTERS:
        return False
    gaps = [(a[2], b[0]) for a, b in zip(letters[:-1], letters[1:])]
    if any(b - a < LONE_GAP * height for a, b in gaps):
        return False
    bars = [g.box for g, p in zip(glyphs, parts) if p]
    return not any(x0 < a and x1 > b for x0, _, x1, _ in bars for a, b in gaps)


def merge_broken(lines: Sequence[Line], mask: GlyphMask, score: MergeScore | None) -> list[Line]:
    """Join neighbouring glyphs of a word that are the pieces of one character written with the pen lifted
    or with strokes too faint to touch: the stems and bar of an H, the bar of a 5 or an F, a speck.

    Two or three neighbours are a candidate when each gap is at most ``MERGE_GAP`` line heights, the
    union is at most ``MERGE_SIZE`` line heights wide and tall, and a piece is a *part*, not a letter
    (``MERGE_PART``: a flat bar or a speck; two stems may well be "ll"). ``score(union_mask, piece_masks,
    parts)`` says how surely the union reads as one character, 0 to keep the pieces apart (the pipeline
    asks the recognizer); the best candidate starting at a glyph wins, left to right. Without ``score``
    nothing is joined. ``mask(glyph)`` draws a glyph's ink (image components or strokes): a joined
    glyph's ``strokes`` are its pieces' together.
    """
    if score is None:
        return list(lines)

    def join(glyphs: list[Glyph], height: float) -> list[Glyph]:
        i = 0
        while i < len(glyphs):
            best, best_n = 0.0, 0
            for n in (2, 3):
                run = glyphs[i : i + n]
                parts = [_height(g) <= MERGE_PART * height for g in run]
                if len(run) < n or not any(parts) or not _close(run, height):
                    continue
                sure = score(mask(_union(run)), [mask(g) for g in run], parts)
                if sure > best:
                    best, best_n = sure, n
            if best_n:
                glyphs[i : i + best_n] = [_union(glyphs[i : i + best_n])]
            i += 1
        return glyphs

    return _rewrite_words(lines, join)


def _union(run: Sequence[Glyph]) -> Glyph:
    return Glyph(union_box(g.box for g in run), tuple(sorted(k for g in run for k in g.strokes)))


def _close(run: Sequence[Glyph], height: float) -> bool:
    """Neighbours near enough, and together small enough, to be one character."""
    box = union_box(g.box for g in run)
    if box[2] - box[0] > MERGE_SIZE * height or box[3] - box[1] > MERGE_SIZE * height:
        return False
    return all(b.box[0] - a.box[2] <= MERGE_GAP * height for a, b in zip(run, run[1:]))


def stack_parts(units: Sequence[Unit], height: float) -> list[list[Unit]]:
    """Group the pieces of one character that lie one above the other: a torn-off bar of an E or T,
    a broken stem. Two units join when they overlap horizontally by half the narrower one, the gap
    between them is at most ``STACK_GAP`` glyph heights, and their union stays within ``STACK_SIZE``
    glyph heights each way (so glyphs of neighbouring lines never join). Returns groups in input order."""
    parent = list(range(len(units)))
    box = [list(u.box) for u in units]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(units)), key=lambda i: units[i].box[0])
    for pos, i in enumerate(order):
        a = units[i]
        for j in order[pos + 1 :]:
            b = units[j]
            if b.box[0] >= a.box[2]:
                break
            overlap = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
            gap = max(a.box[1], b.box[1]) - min(a.box[3], b.box[3])
            if overlap < 0.5 * max(min(a.width, b.width), 1e-6) or gap > STACK_GAP * height:
                continue
            ri, rj = find(i), find(j)
            if ri == rj:
                continue
            u = [min(box[ri][0], box[rj][0]), min(box[ri][1], box[rj][1]),
                 max(box[ri][2], box[rj][2]), max(box[ri][3], box[rj][3])]
            if u[2] - u[0] > STACK_SIZE * height or u[3] - u[1] > STACK_SIZE * height:
                continue
            parent[rj] = ri
            box[ri] = u
    groups: dict[int, list[Unit]] = {}
    for i, u in enumerate(units):
        groups.setdefault(find(i), []).append(u)
    return list(groups.values())


def _cut_columns(mask: np.ndarray, expected: float) -> list[int]:
    """Columns (in ``mask``'s x) at which touching glyphs come apart, in order.

    A piece at least ``SPLIT_PIECE`` expected widths wide is cut at its thinnest column (the least
    ink: where a single stroke joins two letters), if that column's ink is thin (at most 2.5 pen
    widths, or a third of the tallest column) and it leaves at least 0.55 expected widths either
    side; columns near a whole number of expected widths from the piece's left edge are preferred.
    The pieces are cut again the same way.
    """
    proj = mask.sum(0).astype(np.float32)
    thin = max(2.5 * _stroke_width(mask), 0.34 * float(proj.max()))
    margin = 0.55 * expected

    def cut(a: int, b: int) -> list[int]:
        if b - a < SPLIT_PIECE * expected:
            return []
        lo, hi = int(np.ceil(a + margin)), int(np.floor(b - margin))
        if hi <= lo:
            return []
        xs = np.arange(lo, hi + 1)
        phase = (xs - a) / expected
        cost = proj[xs] + 0.15 * float(proj.max()) * np.abs(phase - np.round(phase))
        x = int(xs[np.argmin(cost)])
        if proj[x] > thin:
            return []
        return cut(a, x) + [x] + cut(x, b)

    return cut(0, len(proj))


def _stroke_width(mask: np.ndarray) -> float:
    """The pen's width in a glyph mask: the median length of its vertical and horizontal ink runs."""
    runs = []
    for a in (mask, mask.T):
        d = np.diff(a.astype(np.int8), axis=0, prepend=0, append=0)
        starts, ends = np.nonzero(d.T == 1), np.nonzero(d.T == -1)
        runs.append(ends[1] - starts[1])
    r = np.concatenate(runs)
    return float(np.median(r)) if len(r) else 1.0


def split_touching(lines: Sequence[Line], labels: np.ndarray, accept: SplitCheck | None = None) -> list[Line]:
    """Split glyphs that are several touching characters, where the ink says so.

    A glyph at least ``SPLIT_WIDTH`` times as wide as the line's usual glyph (its median width,
    at most ``SPLIT_USUAL`` of the line's height) and wider than the line's height is cut where
    the ink is thin (``_cut_columns``). The ink right of a cut gets a
    new label in ``labels`` (modified in place), so ``glyph_mask`` gives each piece its own ink.
    ``accept(whole_mask, piece_masks)``, when given, decides whether a proposed split stands (the
    pipeline asks the recognizer: the pieces must read more surely than the whole).
    """
    out = []
    free: list[int] = []  # the next unused label, found once (the page's maximum is a pass over all of it)
    for line in lines:
        glyphs = line.glyphs
        height = typical_height([Unit(0, g.box) for g in glyphs])
        usual = min(float(np.median([g.box[2] - g.box[0] for g in glyphs])), SPLIT_USUAL * height)
        words = []
        for word in line.words:
            pieces: list[Glyph] = []
            for g in word.glyphs:
                width = g.box[2] - g.box[0]
                if width < SPLIT_WIDTH * usual or width < height:
                    pieces.append(g)
                    continue
                whole = glyph_mask(labels, g)
                x0, y0, x1, y1 = g.box
                saved = labels[y0:y1, x0:x1].copy()
                if not free:
                    free.append(int(labels.max()) + 1)
                parts = _split_glyph(g, labels, usual, free)
                if len(parts) > 1 and accept is not None and not accept(whole, [glyph_mask(labels, p) for p in parts]):
                    labels[y0:y1, x0:x1] = saved  # rejected: the pieces' ink goes back to the glyph
                    parts = [g]
                pieces.extend(parts)
            words.append(Word(union_box(p.box for p in pieces), tuple(pieces)))
        out.append(Line(union_box(w.box for w in words), tuple(words)))
    return out


def _split_glyph(g: Glyph, labels: np.ndarray, usual: float, free: list[int]) -> list[Glyph]:
    """``g`` cut at ``_cut_columns``: the pieces right of the first take new labels, from ``free[0]`` on (and
    move it on)."""
    mask = glyph_mask(labels, g)
    cuts = _cut_columns(mask, usual)
    if not cuts:
        return [g]
    x0, y0 = g.box[0], g.box[1]
    region = labels[y0 : g.box[3], x0 : g.box[2]]  # a view: relabelling writes through
    out = []
    bounds = [0] + cuts + [mask.shape[1]]
    for a, b in zip(bounds[:-1], bounds[1:]):
        part = np.zeros_like(mask)
        part[:, a:b] = mask[:, a:b]
        if not part.any():
            continue
        new = free[0] if out else None
        if new is not None:
            region[part] = new
            free[0] += 1
        ys, xs = np.nonzero(part)
        box = (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)
        out.append(Glyph(box, (new,) if new is not None else g.strokes))
    return out


def glyph_mask(labels: np.ndarray, glyph: Glyph) -> np.ndarray:
    """bool (h, w): the glyph's own components inside its box (neighbours that reach in are left out)."""
    x0, y0, x1, y1 = glyph.box
    return np.isin(labels[y0:y1, x0:x1], glyph.strokes)


# --- ink -----------------------------------------------------------------------------------------

def _touches(a: Stroke, b: Stroke, tol: float) -> bool:
    """True when either end of stroke b lies within ``tol`` of stroke a's points."""
    pts = a.points[:, :2]
    return any(float(np.min(np.hypot(*(pts - end).T))) < tol for end in (b.points[0, :2], b.points[-1, :2]))


def _join_strokes(strokes: Sequence[Stroke], height: float) -> list[list[int]]:
    """Group stroke indices that belong together by time and geometry.

    A stroke joins the group of the strokes written just before it when it
    resumes where the previous one stopped within 150 ms (a pen or tablet
    drop-out), or when, written within 2 s, one of its ends lies on their ink
    (the arches of an m, the second bar of a v) and the group stays narrower
    than 1.8 glyph heights (an m is about 1.5).
    """
    groups: list[list[int]] = []
    for i, s in enumerate(strokes):
        if groups:
            group = groups[-1]
            prev = strokes[group[-1]]
            dt = s.start_ms - prev.end_ms
            gap = float(np.hypot(*(s.points[0, :2] - prev.points[-1, :2])))
            if 0 <= dt < 150 and gap < DROPOUT_GAP * height:
                group.append(i)
                continue
            x0, _, x1, _ = union_box([s.box] + [strokes[j].box for j in group])
            if (0 <= dt < 2000 and x1 - x0 <= 1.8 * height
                    and any(_touches(strokes[j], s, TOUCH * height) for j in group)):
                group.append(i)
                continue
        groups.append([i])
    return groups


LINE_SIZES = 1.5  # lines whose writing differs in size by this factor are segmented each at its own size


def segment_ink(strokes: Sequence[Stroke]) -> list[Line]:
    """Lines of glyphs from strokes; ``Glyph.strokes`` lists the stroke indices of each glyph.

    The strokes' size sets how near strokes must come to join into a glyph: where the canvas holds lines
    written at sizes ``LINE_SIZES`` apart (a title above small notes), each line is segmented at its own
    size, so the small writing is not run together into a few glyphs.
    Boxes are the strokes' point bounds in ink coordinates, rounded outwards to integers.
    Raises:
        EmptyInputError: no strokes.
    """
    if not strokes:
        raise EmptyInputError("the canvas is empty")
    lines = _segment_ink(strokes)
    groups = [sorted(i for g in line.glyphs for i in g.strokes) for line in lines]
    sizes = [typical_height([Unit(i, strokes[i].box) for i in group]) for group in groups]
    if len(lines) < 2 or max(sizes) < LINE_SIZES * min(sizes):
        return lines
    out: list[Line] = []
    for index in groups:  # the lines as found, each segmented again on its own
        for line in _segment_ink([strokes[i] for i in index]):
            words = tuple(Word(w.box, tuple(Glyph(g.box, tuple(index[k] for k in g.strokes)) for g in w.glyphs))
                          for w in line.words)
            out.append(Line(line.box, words))
    return sorted(out, key=lambda line: (line.box[1] + line.box[3]) / 2)


def _segment_ink(strokes: Sequence[Stroke]) -> list[Line]:
    """``segment_ink`` at the size of all ``strokes``."""
    height = typical_height([Unit(i, s.box) for i, s in enumerate(strokes)])
    pen = INK_PEN * height  # points have no width; give them a pen's
    groups = _join_strokes(strokes, height)

    def units_of(groups: list[list[int]]) -> list[Unit]:
        boxes = [union_box(strokes[i].box for i in group) for group in groups]
        return [Unit(k, (x0 - pen, y0 - pen, x1 + pen, y1 + pen)) for k, (x0, y0, x1, y1) in enumerate(boxes)]

    # pieces of one letter one above the other (a P's bowl and stem, a t and its bar) are one unit
    # before lines are formed, so that no piece starts a line of its own
    stacked = redot(stack_parts(units_of(groups), height), height)
    groups = sorted((sorted(i for u in part for i in groups[u.index]) for part in stacked), key=lambda g: g[0])
    lines = layout(units_of(groups))

    def expand(glyph: Glyph) -> Glyph:
        members = tuple(sorted(i for k in glyph.strokes for i in groups[k]))
        return Glyph(_int_box(union_box(strokes[i].box for i in members)), members)

    out = []
    for line in lines:
        words = []
        for w in line.words:
            glyphs = tuple(expand(g) for g in w.glyphs)
            words.append(Word(union_box(g.box for g in glyphs), glyphs))
        out.append(Line(union_box(w.box for w in words), tuple(words)))
    return out
