"""Context decoding: read case and descenders from a line's geometry, and keep case consistent within words.

``decode_line`` is the decoding of hwr; ``pipeline`` calls it for every line
unless asked for the glyphs' own (raw) readings.

Isolated, ``c`` and ``C``, ``p`` and ``P``, ``9`` and ``g`` look alike; on a
line they do not: a small ``c`` reaches the x-height, a capital the cap height;
``p`` hangs below the baseline, ``P`` sits on it. ``decode_line`` estimates the
line's baseline, x-height and cap height from the glyphs themselves (those whose
reading is not in doubt), scores each class by how well its usual top and bottom
(measured on real writers' lines: ``resources/geometry.json``, made by
``training/geometry.py``; a hand-set profile where it has no entry) fit the
glyph's, and reweights the network's probabilities by that score
(bounded, so a confident reading is never overturned by geometry alone). Then,
within each word, letters whose case is in doubt follow the word's case: ALL
CAPS, Capitalized or lower case.

Ink written on ruled guide lines can say where the rules are (``guides``: the
first rule's y and the spacing). A line with no sure glyph then takes its
x-height from the rules' spacing, on its own baseline (the rule's when it sits
on one), so a word reads the same across a rule as on one (``guide_metrics``).
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from .decoding import (could_be_number, decode_word, digit_mask, label_mask, letter_word, numeric_word, sure_symbols,
                       symbol_mask)
from .lexicon import Lexicon, apply_lexicon
from .results import Box
from .stats import median

log = logging.getLogger(__name__)

# Vertical extent of each class, in x-heights above the baseline: (top, bottom).
_SMALL = "acemnorsuvwxz"
_DESCENDER = "gpqy"
_CAP = 1.45  # usual cap height / x-height
_PROFILE: dict[str, tuple[float, float]] = {}
for _c in _SMALL:
    _PROFILE[_c] = (1.0, 0.0)
for _c in _DESCENDER:
    _PROFILE[_c] = (1.0, -0.5)
for _c in "bdhklf" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789":
    _PROFILE[_c] = (_CAP, 0.0)
_PROFILE["t"] = (1.25, 0.0)
_PROFILE["i"] = (1.3, 0.0)
_PROFILE["j"] = (1.3, -0.5)
# punctuation and symbols (the measured table has them where real writers' lines held enough of them)
for _c in "?!%&@#/":
    _PROFILE[_c] = (_CAP, 0.0)
for _c in "()":
    _PROFILE[_c] = (_CAP + 0.1, -0.3)
_PROFILE[":"], _PROFILE[";"] = (0.9, 0.0), (0.9, -0.4)
_PROFILE['"'], _PROFILE["'"], _PROFILE["*"] = (_CAP, 0.85), (_CAP, 0.85), (_CAP, 0.6)
_PROFILE[","] = (0.3, -0.4)
for _c in "+=":
    _PROFILE[_c] = (0.9, 0.1)
FLOOR = 0.05  # the lowest geometric score: geometry alone moves a reading by at most 1/FLOOR
SIGMA = 0.22  # tolerance of a glyph's top and bottom, in x-heights, in the hand-set profile

GEOMETRY = "geometry.json"  # where characters sit on their line, measured on real writers (training/geometry.py)


def geometry_path() -> Path:
    try:
        return Path(str(resources.files("hwr_desktop.resources").joinpath(GEOMETRY)))
    except ModuleNotFoundError:  # a source checkout that is not installed
        return Path(__file__).resolve().parents[1] / "resources" / GEOMETRY


def load_profile(path: Path) -> dict[str, tuple[float, float, float, float]]:
    """The measured table (``training/geometry.py``): per character (top, bottom, top spread, bottom spread)
    in x-heights above the baseline; empty (the hand-set profile stays) where it cannot be read."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))["profile"]
        return {c: (float(v[0]), float(v[1]), float(v[2]), float(v[3])) for c, v in table.items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        log.warning("line geometry table %s not read (%s): hand-set profile used", path, e)
        return {}


# the hand-set profile, with the same tolerance everywhere, where the measured table has no entry
_SPREAD: dict[str, tuple[float, float]] = {c: (SIGMA, SIGMA) for c in _PROFILE}
for _c, (_top, _bottom, _st, _sb) in load_profile(geometry_path()).items():
    _PROFILE[_c], _SPREAD[_c] = (_top, _bottom), (_st, _sb)

# Letters whose reading leaves no doubt about their size (used to measure the line).
_SURE_SMALL = set("aemnr")
_SURE_TALL = set("ABDEFGHLNQRT" + "bdhfl" + "I1" + "23456789")

GUIDE_X_HEIGHT = 0.35  # x-height / rule spacing assumed for writing on guide lines (cap height ~0.5)
GUIDE_TOLERANCE = 0.15  # glyph bottoms within this fraction of the spacing of a rule sit on it


def extent(char: str) -> float | None:
    """How tall ``char`` is usually written, in x-heights (a descender's tail included), or None for a mark."""
    profile = _PROFILE.get(char)
    return None if profile is None else profile[0] - profile[1]


def fit_baseline(boxes: Sequence[Box]) -> tuple[float, float]:
    """A robust line ``y = a + b x`` through the glyph bottoms (descenders are outliers).

    Returns:
        (a, b). With fewer than 4 glyphs the slope is 0.
    """
    xs = np.array([(b[0] + b[2]) / 2 for b in boxes], float)
    ys = np.array([b[3] for b in boxes], float)
    if len(boxes) < 4:
        return median(ys.tolist()), 0.0
    # Theil-Sen slope, then the intercept from the upper half of the residuals (bottoms above descenders).
    i, j = np.triu_indices(len(xs), 1)
    dx = xs[j] - xs[i]
    ok = np.abs(dx) > 1e-6
    slope = float(np.median((ys[j] - ys[i])[ok] / dx[ok])) if ok.any() else 0.0
    slope = float(np.clip(slope, -0.3, 0.3))
    res = (ys - slope * xs).tolist()
    middle = median(res)
    return median([r for r in res if r <= middle]), slope  # 4 glyphs at least here


def guide_metrics(boxes: Sequence[Box], guides: tuple[float, float]) -> tuple[float, float, float] | None:
    """Baseline and x-height of a line written on ruled guide lines: the baseline its glyphs sit on, and the
    x-height the rules' spacing gives (``GUIDE_X_HEIGHT``). Where the rules fall does not matter: a word
    written across a rule or between two reads as it does on one; on a rule (within ``GUIDE_TOLERANCE`` of the
    spacing) the baseline is the rule's.

    Args:
        boxes: the line's glyph boxes.
        guides: (y of a rule, spacing of the rules), in the boxes' coordinates.
    Returns:
        (a, b, GUIDE_X_HEIGHT * spacing) with the baseline ``y = a + b x``, or None without a spacing.
    """
    y0, spacing = guides
    if not spacing > 0:
        return None
    a, b = fit_baseline(boxes)
    x = 0.5 * (min(bx[0] for bx in boxes) + max(bx[2] for bx in boxes))
    base = a + b * x
    rule = y0 + round((base - y0) / spacing) * spacing
    if abs(base - rule) <= GUIDE_TOLERANCE * spacing:
        return float(rule), 0.0, GUIDE_X_HEIGHT * spacing
    return a, b, GUIDE_X_HEIGHT * spacing


def line_metrics(boxes: Sequence[Box], probs: np.ndarray, labels: Sequence[str],
                 guides: tuple[float, float] | None = None) -> tuple[float, float, float] | None:
    """Baseline and x-height of a line, measured on glyphs whose size is not in doubt.

    With ``guides`` (first rule y, rule spacing) and no sure glyph, the line is measured on the
    rule it sits on (``guide_metrics``).

    Returns:
        (a, b, x_height) with the baseline ``y = a + b x``, or None when nothing gives a measure.
    """
    a, b = fit_baseline(boxes)
    best = probs.argmax(1)
    small, tall = [], []
    for box, k, row in zip(boxes, best, probs):
        if row[k] < 0.6:
            continue
        ascent = a + b * (box[0] + box[2]) / 2 - box[1]
        if labels[k] in _SURE_SMALL:
            small.append(ascent)
        elif labels[k] in _SURE_TALL:
            tall.append(ascent / _CAP)
    if not small and not tall:
        return guide_metrics(boxes, guides) if guides is not None else None
    if small and tall:  # both: trust the small letters, corrected towards the capitals when they disagree
        xh = 0.5 * (median(small) + median(tall))
    else:
        xh = median(small or tall)
    return a, b, max(xh, 1.0)


def geometry_scores(boxes: Sequence[Box], labels: Sequence[str], metrics: tuple[float, float, float]) -> np.ndarray:
    """float32 (n, C) in [FLOOR, 1]: how well each class's usual top and bottom fit each glyph."""
    a, b, xh = metrics
    box = np.asarray(boxes, float).reshape(-1, 4)
    base = a + b * (box[:, 0] + box[:, 2]) / 2
    return table_scores((base - box[:, 1]) / xh, (base - box[:, 3]) / xh, labels)


def table_scores(tops: np.ndarray, bottoms: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """float32 (n, C) in [FLOOR, 1]: how well each class's usual top and bottom (the measured table, else the
    hand-set profile) fit glyphs whose tops and bottoms are ``tops``, ``bottoms`` (n,), in x-heights above the
    baseline."""
    top = np.array([_PROFILE.get(c, (_CAP, 0.0))[0] for c in labels])
    bottom = np.array([_PROFILE.get(c, (_CAP, 0.0))[1] for c in labels])
    s_top = np.array([_SPREAD.get(c, (SIGMA, SIGMA))[0] for c in labels])
    s_bottom = np.array([_SPREAD.get(c, (SIGMA, SIGMA))[1] for c in labels])
    g_top, g_bottom = np.asarray(tops, float)[:, None], np.asarray(bottoms, float)[:, None]
    d = ((g_top - top) / s_top) ** 2 + ((g_bottom - bottom) / s_bottom) ** 2
    return np.maximum(np.exp(-0.5 * d), FLOOR).astype(np.float32)


PLACEMENT_VERSION = "2"  # the columns of ``placement``: a placement head is trained for one version
PLACEMENT_DIM = 10


def _others_mean(values: np.ndarray, default: float) -> np.ndarray:
    """Per element, the mean of the other elements (``default`` where there is none)."""
    n = len(values)
    if n < 2:
        return np.full(n, default)
    return (values.sum() - values) / (n - 1)


def placement(boxes: Sequence[Box], metrics: tuple[float, float, float], probs: np.ndarray,
              words: Sequence[slice], labels: Sequence[str]) -> np.ndarray:
    """Where each glyph sits on its line and among its word, what a placement head reads beside the glyph
    model's probabilities; float32 (n, PLACEMENT_DIM), clipped to [-4, 4]. Per glyph: its top and bottom in
    x-heights above the baseline, its width in x-heights, the log of its height over the median of the line's;
    whether it begins its word, whether it ends it, the log of the word's length; how much the other glyphs of
    its word, and of its line, read as capitals (the capitals' share of their letters' probability; 0.5 where
    there are none) and how much the others of its word read as digits.

    Args:
        boxes: the line's glyph boxes, reading order.
        metrics: (a, b, x_height) of ``line_metrics``.
        probs: float32 (n, C), the readings the head is given.
        words: slices of the n glyphs, one per word.
    The one function for training (training/placement.py) and the app."""
    a, b, xh = metrics
    box = np.asarray(boxes, float).reshape(-1, 4)
    n = len(box)
    base = a + b * (box[:, 0] + box[:, 2]) / 2
    height = np.maximum(box[:, 3] - box[:, 1], 1.0)
    upper_mass = probs[:, label_mask(tuple(labels), "upper")].sum(1)
    letter_mass = probs[:, label_mask(tuple(labels), "alpha")].sum(1)
    upper = np.where(letter_mass > 1e-3, upper_mass / np.maximum(letter_mass, 1e-3), 0.5)
    digit = probs[:, digit_mask(labels)].sum(1)
    word_cols = np.zeros((n, 5))
    for w in words:
        k = len(range(*w.indices(n)))
        word_cols[w.start, 0] = 1.0
        word_cols[w.stop - 1, 1] = 1.0
        word_cols[w, 2] = np.log(k)
        word_cols[w, 3] = _others_mean(upper[w], 0.5)
        word_cols[w, 4] = _others_mean(digit[w], 0.0)
    out = np.column_stack([(base - box[:, 1]) / xh, (base - box[:, 3]) / xh, (box[:, 2] - box[:, 0]) / xh,
                           np.log(height / np.median(height)), word_cols[:, :4], _others_mean(upper, 0.5),
                           word_cols[:, 4]])
    return np.clip(out, -4.0, 4.0).astype(np.float32)


def apply_geometry(probs: np.ndarray, boxes: Sequence[Box], labels: Sequence[str],
                   guides: tuple[float, float] | None = None, head=None,
                   words: Sequence[slice] | None = None) -> np.ndarray:
    """Reweight a line's float32 (n, C) probabilities by where its glyphs sit on it; unchanged if the line gives
    no measure.

    With a placement ``head`` (``recognizer.PlacementHead``: probabilities and ``placement`` in, probabilities
    out, trained on real writers' lines), the head decides a line of several glyphs; without one, and for a
    glyph alone, the measured table's scores (``geometry_scores``) reweight them. ``words``: slices of the
    glyphs, one per word (None: one word). A single glyph is measured only against ``guides``
    (``guide_metrics``)."""
    if len(boxes) < 2:
        metrics = guide_metrics(boxes, guides) if guides is not None and len(boxes) else None
    else:
        metrics = line_metrics(boxes, probs, labels, guides)
    if metrics is None:
        return probs
    if head is not None and len(boxes) >= 2:  # the head learned lines; the classes left out (field, ...) stay out
        where = placement(boxes, metrics, probs, words or [slice(0, len(boxes))], labels)
        p = head(probs, where) * (probs > 0)
        return (p / np.maximum(p.sum(1, keepdims=True), 1e-12)).astype(np.float32)
    p = probs * geometry_scores(boxes, labels, metrics)
    return (p / np.maximum(p.sum(1, keepdims=True), 1e-12)).astype(np.float32)


def _partner(labels: Sequence[str]) -> np.ndarray:
    """int (C,): the index of each letter's other case, -1 for digits."""
    index = {c: i for i, c in enumerate(labels)}
    return np.array([index.get(c.swapcase(), -1) if c.isalpha() else -1 for c in labels])


def word_case(probs: np.ndarray, labels: Sequence[str], doubt: float = 0.25) -> np.ndarray:
    """Make the case of doubtful letters follow the word's case; float32 (n, C) -> (n, C).

    A letter is doubtful when its other case holds at least ``doubt`` of the pair's
    probability. The word's case comes from its letters that are not in doubt:
    all upper -> ALL CAPS, all lower -> lower case (the first letter keeps its own
    reading), both -> Capitalized (letters after the first go lower). Then ``mixed_case``.
    """
    partner = _partner(labels)
    best = probs.argmax(1)
    sure_upper, sure_lower, doubtful = [], [], []
    for i, k in enumerate(best):
        c = labels[k]
        if not c.isalpha():
            continue
        other = partner[k]
        pair = probs[i, k] + probs[i, other]
        if probs[i, other] >= doubt * pair:
            doubtful.append(i)
        elif c.isupper():
            sure_upper.append(i)
        else:
            sure_lower.append(i)
    if not doubtful or not (sure_upper or sure_lower):
        return probs
    out = probs.copy()
    for i in doubtful:
        if sure_upper and not sure_lower:
            upper = True
        elif sure_lower and not sure_upper:
            if i == 0:
                continue  # a capital may start a lower-case word
            upper = False
        else:  # Capitalized
            if i == 0:
                continue
            upper = False
        k = best[i]
        lo, up = (k, partner[k]) if labels[k].islower() else (partner[k], k)
        keep, give = (up, lo) if upper else (lo, up)
        out[i, keep] += out[i, give]
        out[i, give] = 0.0
    return mixed_case(out, labels)


MIXED_DOUBT = 0.02  # a letter against its word's case flips when its other case holds this share of the pair


def mixed_case(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """After its first letter a word is in one case: when there one case outnumbers the other by at least
    two letters (waLking, WALkING), the letters of the other case take it, each only if the network gives
    its other case at least ``MIXED_DOUBT`` of the pair (a shape that can only be a capital stays one)."""
    partner = _partner(labels)
    best = probs.argmax(1)
    letters = [i for i in range(1, len(best)) if partner[best[i]] >= 0]
    upper = [i for i in letters if labels[best[i]].isupper()]
    lower = [i for i in letters if labels[best[i]].islower()]
    if not upper or not lower or abs(len(upper) - len(lower)) < 2:
        return probs
    out = probs.copy()
    for i in upper if len(upper) < len(lower) else lower:
        k, other = best[i], partner[best[i]]
        if probs[i, other] >= MIXED_DOUBT * (probs[i, k] + probs[i, other]):
            out[i, other] += out[i, k]
            out[i, k] = 0.0
    return out


ONE_SHAPE = "cosuvwxz"  # letters whose two cases are one shape: only their size tells them apart
CAP_RATIO = 0.8  # ... after a capital that begins their word, at most this share of its height: lower case


def under_the_capital(probs: np.ndarray, boxes: Sequence[Box], labels: Sequence[str]) -> np.ndarray:
    """A word that begins with a capital and goes on in letters of one shape in both cases (o/O, s/S, x/X)
    written clearly smaller than it is Capitalized, not ALL CAPS: "Fox", not "FOX". Where every letter after
    the first that reads as a capital is such a letter at most CAP_RATIO of the first letter's height, they go
    lower case; nothing changes where one is taller (a big first capital of a word in capitals), where one reads
    as a capital of its own shape (an E, an R: the word is in capitals), or where the first letter is no capital.
    float32 (n, C) -> (n, C), one word."""
    if len(probs) < 2:
        return probs
    best = probs.argmax(1)
    chars = [labels[k] for k in best]
    if not (chars[0].isalpha() and chars[0].isupper()):
        return probs
    if any(c.isupper() and c.lower() not in ONE_SHAPE for c in chars[1:]):
        return probs
    height = np.array([b[3] - b[1] for b in boxes], float)
    index = {c: i for i, c in enumerate(labels)}
    caps = [i for i in range(1, len(chars)) if chars[i].isupper() and chars[i].lower() in index]
    # all of them smaller, or none changes: "FOX" with a big F and an O a little smaller is no "FoX"
    if not caps or any(height[i] > CAP_RATIO * height[0] for i in caps):
        return probs
    out = probs.copy()
    for i in caps:
        k, other = best[i], index[chars[i].lower()]
        out[i, other] += out[i, k]
        out[i, k] = 0.0
    return out


FIRST_RATIO = 1.0  # a first letter of one shape no taller than this many times the rest's letters has their case


def first_by_size(probs: np.ndarray, boxes: Sequence[Box], labels: Sequence[str]) -> np.ndarray:
    """The first letter of a word, of one shape in both cases, takes the case of the letters after it where it
    is written their size: "sun", not "Sun", where the s is no taller than the u and n (measured against the
    small letters after it, a c e m n ...); "COW", not "cOW", where the c is as tall as the capitals. A first
    letter clearly taller (or smaller) than the rest keeps its reading. float32 (n, C) -> (n, C), one word."""
    if len(probs) < 2:
        return probs
    best = probs.argmax(1)
    chars = [labels[k] for k in best]
    first = chars[0]
    rest = [i for i in range(1, len(chars)) if chars[i].isalpha()]
    if not (first.isalpha() and first.lower() in ONE_SHAPE and rest):
        return probs
    height = np.array([b[3] - b[1] for b in boxes], float)
    if first.isupper() and all(chars[i].islower() for i in rest):
        small = [height[i] for i in rest if chars[i] in _SMALL]
        if not small or height[0] > FIRST_RATIO * median(small):
            return probs
        other = first.lower()
    elif first.islower() and len(rest) >= 2 and all(chars[i].isupper() for i in rest):
        if height[0] * FIRST_RATIO < median([height[i] for i in rest]):
            return probs
        other = first.upper()
    else:
        return probs
    index = {c: i for i, c in enumerate(labels)}
    if other not in index:
        return probs
    out = probs.copy()
    out[0, index[other]] += out[0, best[0]]
    out[0, best[0]] = 0.0
    return out


def lone_glyphs(probs: np.ndarray, words: Sequence[slice], labels: Sequence[str]) -> np.ndarray:
    """One-glyph words follow their line: on a line of numbers a lone 6 that also looks like a G is a 6,
    on a line of words a lone O is a letter. Needs at least 3 glyphs on the line; float32 (n, C) -> (n, C)."""
    lone = [w.start for w in words if w.stop - w.start == 1]
    if not lone or len(probs) < 3:
        return probs
    line = letter_word(numeric_word(probs, labels), labels)  # the word rules applied to the whole line
    out = probs.copy()
    lone = [i for i in lone if not sure_symbols(probs[i : i + 1], labels)[0]]  # a lone "&" or "?" stays
    out[lone] = line[lone]
    return out


MARKS = ".,'-"  # what a mark on the canvas reads as, by its place on the line (``read_marks``)


def read_marks(boxes: Sequence[Box], metrics: tuple[float, float, float] | None) -> np.ndarray:
    """float32 (n, len(MARKS)) scores, rows summing to 1: which punctuation each mark of a line is, from where
    it sits against the line's baseline and x-height (``metrics``: a, b, x-height, from its letters): a dot
    on the baseline is a period, a mark reaching below it a comma, one above the middle of the x-height an
    apostrophe, a flat one a hyphen. Without metrics the marks' own boxes are all there is: a flat
    one is a hyphen, the others periods."""
    out = np.zeros((len(boxes), len(MARKS)), np.float32)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        w, h = x1 - x0, max(y1 - y0, 1e-6)
        flat = w >= 2.0 * h
        if metrics is None:
            scores = {"-": 0.7, ".": 0.2} if flat else {".": 0.7, ",": 0.1, "'": 0.1}
        else:
            a, b, xh = metrics
            base = a + b * (x0 + x1) / 2
            top, bottom = (base - y0) / xh, (base - y1) / xh  # in x-heights above the baseline
            if flat and bottom <= 0.15 and top <= 0.4:  # flat on the baseline: a period dashed off, or a hyphen
                scores = {".": 0.6, "-": 0.35}
            elif flat:  # above it, a hyphen wherever it sits (between digits it rides high)
                scores = {"-": 0.8, ".": 0.1}
            elif bottom > 0.55:
                scores = {"'": 0.8, "-": 0.1}
            elif bottom < -0.2 and top < 0.7:
                scores = {",": 0.8, ".": 0.15}
            else:
                scores = {".": 0.8, ",": 0.1, "-": 0.05 + 0.3 * flat}
        for c, v in scores.items():
            out[i, MARKS.index(c)] = v
    out += 0.01
    return out / out.sum(1, keepdims=True)


MARK_SHAPES = '"=:;*+'  # the symbols a mark may also be, told apart by their shape (the glyph model)
MARK_READINGS = MARKS + MARK_SHAPES


def mark_readings(place: np.ndarray, probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """float32 (n, len(MARK_READINGS)), rows summing to 1: what each mark of a line reads as. The glyph model
    (``probs``, (n, C) over ``labels``) tells the shapes apart (two bars are an equals sign, two ticks a quote),
    the mark's place on the line (``place``, ``read_marks``) which of the marks of one stroke it is (scaled
    into its box, a period, a comma and an apostrophe are the same blot). A model without the marks among its
    labels leaves the place alone."""
    index = {c: i for i, c in enumerate(labels)}
    marks = [index[c] for c in MARKS if c in index]
    out = np.zeros((len(place), len(MARK_READINGS)), np.float32)
    if not marks:
        out[:, : len(MARKS)] = place
        return out
    out[:, : len(MARKS)] = place * probs[:, marks].sum(1, keepdims=True)
    for j, c in enumerate(MARK_SHAPES, len(MARKS)):
        if c in index:
            out[:, j] = probs[:, index[c]]
    out += 1e-6
    return out / out.sum(1, keepdims=True)


def mark_metrics(boxes: Sequence[Box], probs: np.ndarray, labels: Sequence[str],
                 guides: tuple[float, float] | None = None) -> tuple[float, float, float] | None:
    """The baseline and x-height that marks are placed against: ``line_metrics`` of the line's letters, or, when
    no letter is sure of its size, their baseline and 0.75 of their median height."""
    if not len(boxes):
        return None
    metrics = line_metrics(boxes, probs, labels, guides) if len(boxes) >= 2 else None
    if metrics is None:
        a, b = fit_baseline(boxes)
        metrics = (a, b, max(0.75 * float(np.median([bx[3] - bx[1] for bx in boxes])), 1.0))
    return metrics


NUMBER_BOOST = 6.0  # beside a number, the digit readings of a word that could be one weigh this much more


def numbers_beside_numbers(probs: np.ndarray, words: Sequence[slice], labels: Sequence[str]) -> np.ndarray:
    """On a line that holds a number, a word of two glyphs or more whose every glyph could be a digit
    leans to digits (``NUMBER_BOOST``): "10 20 30", where the 10 alone reads as lO; a clear ISO stays."""
    digits = digit_mask(labels)
    signs = digits | symbol_mask(labels)
    best = probs.argmax(1)
    numbers = [bool(digits[best[w]].any()) and bool(signs[best[w]].all()) for w in words]
    if not any(numbers):
        return probs
    out = probs.copy()
    weight = np.where(digits, NUMBER_BOOST, 1.0).astype(np.float32)
    for w, is_number in zip(words, numbers):
        if not is_number and len(probs[w]) >= 2 and could_be_number(probs[w], labels):
            boosted = probs[w] * weight
            out[w] = boosted / boosted.sum(1, keepdims=True)
    return out


def decode_words(probs: np.ndarray, words: Sequence[slice], labels: Sequence[str], mode: str = "auto") -> np.ndarray:
    """A line's glyphs decoded as far as ``decode_line`` goes before the line's geometry: the field mode and the
    word rules per word, then, in auto mode, numbers beside numbers and lone glyphs like the rest of the line."""
    p = np.concatenate([decode_word(probs[w], labels, mode) for w in words])
    if mode == "auto":
        p = numbers_beside_numbers(p, words, labels)
        p = lone_glyphs(p, words, labels)
    return p


def decode_line(probs: np.ndarray, boxes: Sequence[Box], words: Sequence[slice], labels: Sequence[str],
                mode: str = "auto", lexicon: Lexicon | None = None,
                guides: tuple[float, float] | None = None, head=None) -> np.ndarray:
    """Decode one line's glyphs (reading order) in context: the one decoding function of hwr.

    Steps: the field mode and the word rules per word (``decoding.decode_word``), words that could be
    numbers beside numbers (``numbers_beside_numbers``), lone glyphs
    read like the rest of their line (``lone_glyphs``), the line's geometry (case, descenders), case consistency per word, then the lexicon (if any) per word.

    Args:
        probs: float32 (n, C), the glyphs' own probabilities (the network's, or blended with the user's).
        boxes: the n glyph boxes.
        words: slices of the n glyphs, one per word.
        mode: the field mode (``decoding.MODES``).
        lexicon: a word list, or None.
        guides: (first rule y, rule spacing) of ruled lines the ink was written on, in the boxes'
            coordinates, or None; used only for a line with no sure glyph (``line_metrics``).
        head: the glyph model's placement head (``Recognizer.placement``), or None for the measured table
            (which field modes other than auto use too).
    Returns:
        float32 (n, C), rows summing to 1.
    """
    if not len(probs):
        return probs
    # the head learned auto mode's readings; a field mode's restricted ones keep the measured table
    p = apply_geometry(decode_words(probs, words, labels, mode), boxes, labels, guides,
                       head if mode == "auto" else None, words)
    p = np.concatenate([word_case(p[w], labels) for w in words])
    p = np.concatenate([first_by_size(under_the_capital(p[w], boxes[w], labels), boxes[w], labels) for w in words])
    if lexicon is not None and mode != "digits":
        p = np.concatenate([listed_core(p[w], labels, lexicon) for w in words])
    return p


def listed_core(probs: np.ndarray, labels: Sequence[str], lexicon: Lexicon) -> np.ndarray:
    """``apply_lexicon`` on a word without the sure symbols at its ends ("(hello)!" looks up "hello");
    float32 (n, C) -> (n, C)."""
    kept = sure_symbols(probs, labels)
    start, stop = 0, len(probs)
    while start < stop and kept[start]:
        start += 1
    while stop > start and kept[stop - 1]:
        stop -= 1
    out = probs.copy()
    out[start:stop] = apply_lexicon(probs[start:stop], labels, lexicon)
    return out
