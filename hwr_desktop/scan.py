"""Scanned pages: skew, rotation, and removal of ruled lines, form boxes and dark borders.

Each step is one small function on plain arrays, used by ``pipeline.recognize_image``:

1. ``estimate_skew``: the angle that makes the text lines level, from the projection
   profile of the ink (the profile is sharpest when lines run along rows);
2. ``rotate_page``: rotate the gray page by it on a canvas large enough to keep the corners;
3. ``remove_rules``: long thin horizontal and vertical runs (notebook rules, margins,
   form boxes, table lines) are taken out, strokes that cross them are kept whole;
   dark scanner borders touching the page edge go too, and so does debris at the edge of a cut-out
   (``edge_debris``: the paper's edge or shadow along it, bits of neighbouring writing cut off).

Boxes found on the rotated page are mapped back to the input page with ``map_points``.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from .regions import connected, pick
from .segmentation import Unit, tall_median, typical_height

log = logging.getLogger(__name__)

MAX_SKEW = 15.0  # degrees searched either way
MIN_SKEW_PIECES = 8  # pages with fewer pieces of ink are not deskewed
MIN_SKEW = 0.4  # smaller angles are left alone (rotation costs time and blurs a little)
SKEW_WORK_PX = 900  # the long side of the page is reduced to about this for the estimate
STRIP = 3.0  # an image less tall than this many of its pieces of ink is a strip of one line of writing ...
STRIP_SPAN = 0.9  # ... where a rule runs across at least this share of its width (and none stands upright)
RULE_LENGTH = 3.0  # a rule is at least this many text heights long ...
RULE_PAGE_FRACTION = 1 / 12  # ... and this fraction of the page's width (height for vertical rules)
RULE_EDGE = 2  # pixels beside a run where a rule's ink has stopped ...
RULE_CLEAR = 0.5  # ... along at least this share of its length
BOX_SIDE = 0.5  # a vertical run at least this many text heights tall joining two rules is a box side
FRAME_BAND = 0.15  # the sides of a drawn box are looked for in bands this many text heights wide ...
FRAME_COVER = 0.9  # ... and must ink this fraction of each side
RUN_ROWS_ALL = 0.25  # where more than this share of the rows may hold a run, all are opened at once
BORDER_BLOB = 4.0  # ink touching the page edge larger than this many text heights is a scanner border
EDGE_BIT = 0.35  # ink touching the page edge smaller than this many text heights is cut-off debris
EDGE_LINE = 0.2  # ink hugging a page edge, at most this many text heights thick, is its shadow ...
EDGE_HUG = 0.5  # ... when it lies against the edge along at least this fraction of its length


def estimate_skew(binary: np.ndarray, max_angle: float = MAX_SKEW) -> float:
    """The skew of the text lines.

    Args:
        binary: bool (H, W), True = ink.
        max_angle: search range in degrees, either way.
    Returns:
        angle in degrees, counter-clockwise positive as in ``cv2.getRotationMatrix2D``: rotating the
        page by ``-angle`` levels it. Lines rising to the right have a positive angle. 0.0 for pages
        with fewer than ``MIN_SKEW_PIECES`` pieces of ink.
    """
    h, w = binary.shape
    f = max(1.0, max(h, w) / SKEW_WORK_PX)
    small = binary.astype(np.uint8) * 255
    if f > 1:
        small = cv2.resize(small, (max(1, round(w / f)), max(1, round(h / f))), interpolation=cv2.INTER_AREA)
    ink = small > 64
    n, _ = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    if n - 1 < MIN_SKEW_PIECES:  # a glyph or two: their own slant is no evidence of the page's skew
        return 0.0
    ys, xs = np.nonzero(ink)
    if len(xs) > 150_000:
        keep = np.random.default_rng(0).choice(len(xs), 150_000, replace=False)
        xs, ys = xs[keep], ys[keep]
    xs = xs.astype(np.float32) - small.shape[1] / 2
    ys = ys.astype(np.float32)

    def score(angle: float) -> float:
        t = np.deg2rad(angle)
        # for lines rising to the right (y falls as x grows), y + x tan(a) is constant along a line
        proj = ys * np.cos(t) + xs * np.sin(t)
        counts = np.bincount((proj - proj.min()).astype(np.int64))
        return float(np.dot(counts, counts))

    coarse = np.arange(-max_angle, max_angle + 1e-6, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-6, 0.05)
    best = float(max(fine, key=score))
    return float(np.clip(best, -max_angle, max_angle))


def rotate_page(gray: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate a page counter-clockwise by ``angle`` degrees on a canvas that keeps all of it.

    Args:
        gray: uint8 (H, W).
    Returns:
        the rotated page, uint8 (H', W'), the new corners filled with the page's median (its paper), and the 2x3 float64
        affine matrix taking input (x, y) to rotated (x, y).
    """
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(w * c + h * s)), int(np.ceil(w * s + h * c))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    paper = int(np.median(gray[:: max(1, h // 200), :: max(1, w // 200)]))
    out = cv2.warpAffine(gray, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=paper)
    return out, m


def map_points(matrix: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply a 2x3 affine ``matrix`` to points; float arrays of equal shape in and out."""
    return (matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2],
            matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2])


def text_height(binary: np.ndarray) -> float:
    """The typical height of the handwriting on a page (``segmentation.typical_height`` of its
    components), leaving out flat pieces (rules, dashes) and specks; 0.0 when there are none.

    Args:
        binary: bool (H, W), True = ink.
    """
    units = _text_units(binary)
    return typical_height(units) if units else 0.0


def _text_units(binary: np.ndarray) -> list[Unit]:
    """The components of ``text_height``: not flat (rules, dashes), not specks."""
    n, _, stats = connected(binary)
    units = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if area >= 6 and w <= 6 * h and max(w, h) >= 4:  # not flat (rules, dashes); 1s and ls stay
            units.append(Unit(i, (float(x), float(y), float(x + w), float(y + h))))
    return units


def _piece_height(units: list[Unit]) -> float:
    """How tall the pieces of ink (``_text_units``) are as they lie on the page: ``typical_height``'s statistic
    of their heights alone (not half their widths); 0.0 when there are none."""
    return tall_median([u.height for u in units]) if units else 0.0


def _thickened(binary_u8: np.ndarray, horizontal: bool) -> np.ndarray:
    """The ink thickened across one direction by a pixel each side and closed along it (small gaps bridged):
    what ``_runs`` looks for runs in."""
    across = (3, 1) if horizontal else (1, 3)  # (rows, cols) as numpy shapes: thicken across the run
    along = (1, 5) if horizontal else (5, 1)
    thick = cv2.dilate(binary_u8, np.ones(across, np.uint8))
    return cv2.morphologyEx(thick, cv2.MORPH_CLOSE, np.ones(along, np.uint8))


def _runs(binary_u8: np.ndarray, length: int, horizontal: bool, thick: np.ndarray | None = None) -> np.ndarray:
    """Ink pixels lying on straight runs at least ``length`` long (tolerating a 1-pixel step and small gaps).
    ``thick``: ``_thickened(binary_u8, horizontal)`` when the caller has it.

    The opening along rows (columns) treats each row (column) on its own, so it is run only on the rows that
    can hold such a run (``_run_rows``): the same result, a fraction of the work on a page of writing."""
    if thick is None:
        thick = _thickened(binary_u8, horizontal)
    kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
    lines = _run_rows(thick if horizontal else thick.T, length)
    if lines.size > RUN_ROWS_ALL * thick.shape[0 if horizontal else 1]:  # gathering them would cost more
        return (cv2.morphologyEx(thick, cv2.MORPH_OPEN, kernel) > 0) & (binary_u8 > 0)
    out = np.zeros(binary_u8.shape, bool)
    if lines.size and horizontal:
        out[lines] = (cv2.morphologyEx(thick[lines], cv2.MORPH_OPEN, kernel) > 0) & (binary_u8[lines] > 0)
    elif lines.size:
        opened = cv2.morphologyEx(np.ascontiguousarray(thick[:, lines]), cv2.MORPH_OPEN, kernel)
        out[:, lines] = (opened > 0) & (binary_u8[:, lines] > 0)
    return out


_FULL_BLOCK = np.frombuffer(bytes([1] * 8), np.uint64)[0]


def _run_rows(thick: np.ndarray, length: int) -> np.ndarray:
    """The rows of uint8 (H, W) ``thick`` (0 or 1; a view will do) that may hold a run of ``length`` nonzero pixels:
    such a run covers at least K = (length + 1) // 8 - 1 whole aligned blocks of 8 pixels of its row, so rows
    without K full blocks in a row (found on the image 8 times narrower) hold none, unless their ink reaches
    an end of the row."""
    h, w = thick.shape
    k = (length + 1) // 8 - 1
    if k < 2 or w < 16:
        return np.arange(h)
    if thick.flags.c_contiguous:  # rows in memory: 8 pixels of 1 are one 64-bit word of 0x01 bytes
        region = thick if w % 8 == 0 else np.ascontiguousarray(thick[:, : w // 8 * 8])
        blocks = (region.view(np.uint64) == _FULL_BLOCK).view(np.uint8)
    else:  # a transposed view (columns as rows): the blocks' minimum over 8 strided slabs
        blocks = np.ascontiguousarray(thick[:, : w // 8 * 8].reshape(h, w // 8, 8).min(axis=2))
    full = cv2.erode(blocks, np.ones((1, k), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    # OpenCV's opening takes the image's outside as ink: a shorter run reaching the first or last pixel counts
    return np.flatnonzero(full.any(axis=1) | (thick[:, 0] > 0) | (thick[:, -1] > 0))


def _lone(runs: np.ndarray, binary: np.ndarray, horizontal: bool) -> np.ndarray:
    """The runs that lie apart from other ink along most of their length (a rule, with writing touching it
    here and there), not inside a band of ink (the body of a word written with a thick pen, whose rows run
    on for several letters): per piece, the share of its positions along it where the ink stops on both
    sides within RULE_EDGE pixels must reach RULE_CLEAR."""
    n, labels, stats = connected(runs)
    if n <= 1:
        return np.zeros(runs.shape, bool)
    across = binary.shape[0] if horizontal else binary.shape[1]

    def ink(at: np.ndarray, pos: np.ndarray) -> np.ndarray:  # the page's ink at (across, along) positions
        return binary[at, pos] if horizontal else binary[pos, at]

    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        own = labels[y : y + h, x : x + w] == i
        if not horizontal:  # along the page's rows: work on the piece's box turned
            own, x, y = own.T, y, x
        along = np.flatnonzero(own.any(0))
        first = y + own.argmax(0)[along]
        last = y + own.shape[0] - 1 - own[::-1].argmax(0)[along]
        pos = x + along
        above, below = first - RULE_EDGE, last + RULE_EDGE
        clear_above = (above < 0) | ~ink(np.clip(above, 0, across - 1), pos)
        clear = clear_above & ((below >= across) | ~ink(np.clip(below, 0, across - 1), pos))
        keep[i] = clear.mean() >= RULE_CLEAR
    return pick(labels, stats, keep)


def _thickness(mask: np.ndarray, horizontal: bool) -> int:
    """Median thickness of the runs in ``mask`` (area over length of each piece), at least 1."""
    n, _, stats = connected(mask)
    if n <= 1:
        return 1
    length = stats[1:, cv2.CC_STAT_WIDTH if horizontal else cv2.CC_STAT_HEIGHT]
    return max(1, int(round(float(np.median(stats[1:, cv2.CC_STAT_AREA] / np.maximum(length, 1))))))


def _box_sides(binary_u8: np.ndarray, hmask: np.ndarray, height: float, thick: np.ndarray | None = None
               ) -> np.ndarray:
    """Short vertical runs whose both ends meet a horizontal rule: the sides of form boxes (``thick``: the
    ink ``_thickened`` vertically, when the caller has it)."""
    length = max(5, int(BOX_SIDE * height))
    vert = _runs(binary_u8, length, horizontal=False, thick=thick)
    n, labels, stats = connected(vert)
    if n <= 1 or not hmask.any():
        return np.zeros_like(hmask)
    near = cv2.dilate(hmask.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if near[y, x : x + w].any() and near[y + h - 1, x : x + w].any():
            keep[i] = True
    return pick(labels, stats, keep)


def _restore_crossings(cleaned: np.ndarray, mask: np.ndarray, thickness: int, horizontal: bool) -> np.ndarray:
    """Put back the rule pixels that bridge ink on both sides of the rule (strokes crossing it)."""
    span = thickness + 4
    kernel = np.ones((span, 1) if horizontal else (1, span), np.uint8)
    bridged = cv2.morphologyEx(cleaned.astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
    return cleaned | (bridged & mask)


def _border_blobs(binary: np.ndarray, height: float, components: tuple | None = None) -> np.ndarray:
    """Ink components that touch the page edge and are far larger than the writing (scanner borders, shadows).
    ``components``: ``connected(binary)`` when the caller has it."""
    n, labels, stats = components or connected(binary)
    h, w = binary.shape
    big = BORDER_BLOB * height
    drop = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        if (x == 0 or y == 0 or x + bw == w or y + bh == h) and (bw > big or bh > big):
            drop[i] = True
    return pick(labels, stats, drop)


def _frames(binary: np.ndarray, height: float, components: tuple | None = None) -> np.ndarray:
    """The edges of boxes drawn around writing (form fields, cells): components whose four sides are
    straight and nearly fully inked, and that either hold other ink or are much larger than the writing.
    ``components``: ``connected(binary)`` when the caller has it.

    Returns:
        bool (H, W): the pixels of those components lying along their four sides.
    """
    n, labels, stats = components or connected(binary)
    out = np.zeros(binary.shape, bool)
    band = max(2, int(round(FRAME_BAND * height)))
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if min(w, h) < 0.8 * height or min(w, h) <= 3 * band:
            continue
        own = labels[y : y + h, x : x + w] == i
        sides = (own[:band].any(0), own[-band:].any(0), own[:, :band].any(1), own[:, -band:].any(1))
        if min(float(s.mean()) for s in sides) < FRAME_COVER:
            continue
        inner = binary[y + band : y + h - band, x + band : x + w - band] & ~own[band:-band, band:-band]
        if not inner.any() and max(w, h) < 1.5 * height:
            continue  # a boxy 0 or O written on its own
        edge = np.zeros_like(own)
        edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
        out[y : y + h, x : x + w] |= own & edge
    return out


def remove_rules(binary: np.ndarray, height: float | None = None) -> np.ndarray:
    """Take ruled lines, form boxes, table lines and scanner borders out of a page.

    A rule is a straight run RULE_LENGTH text heights long that lies apart from other ink (``_lone``); on a
    strip of one line of writing (a cropped word or line, less tall than STRIP of its pieces of ink) only a
    run across STRIP_SPAN of its width, since the joins of joined-up writing run long there too.

    Args:
        binary: bool (H, W), True = ink, ideally deskewed.
        height: the handwriting's typical height in pixels (default: ``text_height`` of the page
            less its longest rules, so that writing touching the rules does not hide its size).
    Returns:
        bool (H, W): the ink that is left. Strokes crossing a rule keep the pixels where they cross it.
    """
    h, w = binary.shape
    u8 = binary.astype(np.uint8)
    thick_h, thick_v = _thickened(u8, True), _thickened(u8, False)
    units = _text_units(binary)
    piece = _piece_height(units)
    if height is None:
        # runs a quarter of the page long, and RULE_LENGTH times as long as the pieces of ink are tall: on a
        # crop of joined-up writing, its connecting strokes run a quarter of the crop but along the letters
        hl, vl = int(max(15, w // 4, RULE_LENGTH * piece)), int(max(15, h // 4, RULE_LENGTH * piece))
        long_h = _runs(u8, hl, True, thick_h) if w // 4 > 15 and hl < w else np.zeros_like(binary)
        long_v = _runs(u8, vl, False, thick_v) if h // 4 > 15 and vl < h else np.zeros_like(binary)
        rest = binary & ~long_h & ~long_v
        height = text_height(rest)
        if height <= 0 or rest.sum() < 0.5 * binary.sum():  # a short strip of writing: its strokes are not rules
            height = typical_height(units) if units else 0.0  # the whole page's text_height
    if height <= 0:
        return binary
    hlen = int(max(RULE_LENGTH * height, RULE_PAGE_FRACTION * w, 15))
    vlen = int(max(RULE_LENGTH * height, RULE_PAGE_FRACTION * h, 15))
    if h < STRIP * piece:
        # a strip of one line of writing (a word or a line cropped): a rule runs across all of it, writing
        # (its joined letters' strokes along the baseline, a t-bar) does not; no rule stands across a strip
        hlen, vlen = max(hlen, int(STRIP_SPAN * w)), h
    hmask = _lone(_runs(u8, hlen, True, thick_h), binary, True) if hlen < w else np.zeros_like(binary)
    vmask = _lone(_runs(u8, vlen, False, thick_v), binary, False) if vlen < h else np.zeros_like(binary)
    vmask |= _box_sides(u8, hmask, height, thick_v)
    cleaned = binary
    if hmask.any() or vmask.any():
        log.debug("rules: %d horizontal, %d vertical pixels", int(hmask.sum()), int(vmask.sum()))
        cleaned = binary & ~hmask & ~vmask
        cleaned = _restore_crossings(cleaned, hmask, _thickness(hmask, True), horizontal=True)
        cleaned = _restore_crossings(cleaned, vmask & ~hmask, _thickness(vmask, False), horizontal=False)
        cleaned &= ~_leftovers(cleaned, hmask | vmask, height)
    # each step's components serve the next while it takes nothing away (as on most pages)
    components = connected(cleaned)
    for step in (_frames, _border_blobs):
        gone = step(cleaned, height, components)
        if gone.any():
            cleaned = cleaned & ~gone
            components = connected(cleaned)
    return cleaned & ~edge_debris(cleaned, height, components)


def edge_debris(binary: np.ndarray, height: float, components: tuple | None = None) -> np.ndarray:
    """Ink at the page edge that is not writing: what a crop or photo of writing picks up at its edges.

    Two kinds: bits touching the edge smaller than ``EDGE_BIT`` text heights
    (strokes of neighbouring writing cut by the crop, specks), and thin lines
    hugging an edge (within a few pixels of it) (the paper's edge, its shadow, the scanner lid): at most
    ``EDGE_LINE`` text heights thick across the edge and lying against it along
    ``EDGE_HUG`` of their length. Only taken when other, larger ink is left on
    the page, so a cut-out 1 or l that fills its image stays.

    Args:
        binary: bool (H, W), True = ink.
        height: the writing's typical height in pixels.
        components: ``connected(binary)`` when the caller has it.
    Returns:
        bool (H, W): the debris pixels.
    """
    n, labels, stats = components or connected(binary)
    h, w = binary.shape
    drop = np.zeros(n, bool)
    near = max(2, int(round(0.05 * height)))  # "at the edge": within this many pixels of it
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        gaps = {"left": x, "right": w - (x + bw), "top": y, "bottom": h - (y + bh)}
        if min(gaps.values()) > near:
            continue
        if max(bw, bh) < EDGE_BIT * height and min(gaps.values()) == 0:
            drop[i] = True
            continue
        own = labels[y : y + bh, x : x + bw] == i
        for side, gap in gaps.items():
            if gap > near:
                continue
            across, along = (bw, bh) if side in ("left", "right") else (bh, bw)
            if across > max(3.0, EDGE_LINE * height) or along < 2 * across:
                continue
            reach = 2 * near - gap  # the band within 2 * near of the page edge, in the component's box
            band = {"left": own[:, :reach], "right": own[:, max(0, bw - reach):], "top": own[:reach],
                    "bottom": own[max(0, bh - reach):]}[side]
            hugging = band.any(1 if side in ("left", "right") else 0).mean()
            if hugging >= EDGE_HUG:
                drop[i] = True
    if not drop.any():
        return np.zeros_like(binary)
    kept = [i for i in range(1, n) if not drop[i]]
    if not kept or max(max(stats[i, 2], stats[i, 3]) for i in kept) < 0.5 * height:
        return np.zeros_like(binary)  # nothing that looks like writing would be left: keep everything
    return pick(labels, stats, drop)


def _leftovers(cleaned: np.ndarray, removed: np.ndarray, height: float) -> np.ndarray:
    """Small bits of ink lying wholly beside removed rules (blurred edges, where two rules cross)."""
    near = cv2.dilate(removed.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    n, labels, stats = connected(cleaned)
    inside = np.bincount(labels[near & cleaned], minlength=n)
    small = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) < 0.3 * height
    drop = (inside == stats[:, cv2.CC_STAT_AREA]) & small
    return pick(labels, stats, drop)
