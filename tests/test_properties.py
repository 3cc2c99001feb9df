"""Property-based tests (hypothesis, small budgets): random strokes, images, bytes and probabilities never
raise anything but the documented errors, and every box lies inside its input.

``benchmarks/fuzz_loaders.py`` runs the loaders for a longer, fixed budget.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import badcorpus
from conftest import LABELS
from hwr_desktop.context import MARKS
from hwr_desktop.documents import decode_image, header_size
from hwr_desktop.errors import EmptyInputError, InputError
from hwr_desktop.ink import MAX_COORD, Stroke, ink_from_dict, rasterize
from hwr_desktop.pipeline import recognize_image, recognize_ink
from hwr_desktop.segmentation import segment_image

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_float = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**20, 10**20)
coord = st.floats(-MAX_COORD, MAX_COORD, allow_nan=False)


class RandomRecognizer:
    """Random probabilities (rows sum to 1) from a seed: drives decoding with anything the network might say."""

    def __init__(self, seed: int) -> None:
        self.labels = LABELS
        self.rng = np.random.default_rng(seed)
        self.placement = None

    def predict(self, glyphs, batch: int = 128):
        logits = self.rng.normal(0, self.rng.uniform(0.1, 8), (len(glyphs), len(LABELS)))
        p = np.exp(logits - logits.max(1, keepdims=True))
        return (p / p.sum(1, keepdims=True)).astype(np.float32), None


@functools.cache
def lexicon():
    from hwr_desktop.lexicon import Lexicon

    return Lexicon.from_files(())


def inside(box, x0, y0, x1, y1) -> bool:
    return x0 <= box[0] <= box[2] <= x1 and y0 <= box[1] <= box[3] <= y1


def all_boxes(page):
    for line in page.lines:
        yield line.box
        for word in line.words:
            yield word.box
            for g in word.glyphs:
                yield g.box


def check_page(page, x0, y0, x1, y1) -> None:
    """Every box inside the input, every confidence a probability, every char a label or a mark's punctuation
    (``context.MARKS``: on the canvas, marks are read by their place on the line)."""
    for box in all_boxes(page):
        assert inside(box, x0, y0, x1, y1), (box, (x0, y0, x1, y1))
    for line in page.lines:
        for word in line.words:
            for g in word.glyphs:
                assert (g.char in LABELS or g.char in MARKS) and 0.0 <= g.confidence <= 1.0 + 1e-6
                assert all(0.0 <= c.p <= 1.0 + 1e-6 for c in g.alternatives)


# --- the ink model -------------------------------------------------------------------------------

@FAST
@given(st.lists(st.lists(any_float, min_size=0, max_size=5), max_size=6))
def test_a_stroke_is_made_or_refused_with_input_error(points):
    try:
        s = Stroke(np.array(points, dtype=np.float64) if points and len({len(p) for p in points}) == 1 else points)
    except InputError:
        return
    assert np.isfinite(s.points).all() and s.points.shape[1] == 4 and len(s) >= 1
    assert (0 <= s.points[:, 2]).all() and (s.points[:, 2] <= 1).all()


json_value = st.recursive(st.none() | st.booleans() | any_float | st.text(max_size=5),
                          lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
                          max_leaves=30)


@FAST
@given(st.fixed_dictionaries({"format": st.sampled_from(["hwr-ink", "x"]), "version": st.sampled_from([1, 1.0, True, 2]),
                              "strokes": st.lists(st.fixed_dictionaries({"points": json_value}) | json_value, max_size=4)})
       | json_value)
def test_any_json_document_is_strokes_or_input_error(doc):
    try:
        strokes = ink_from_dict(doc)
    except InputError as e:
        assert "\n" not in str(e)
        return
    assert all(isinstance(s, Stroke) for s in strokes)
    json.dumps(badcorpus.ink_doc([s.points.tolist() for s in strokes]))  # what was read can be written


strokes_st = st.lists(
    st.lists(st.tuples(coord, coord, st.floats(0, 1), st.floats(0, 1e6)), min_size=1, max_size=12).map(
        lambda pts: Stroke(np.array(sorted(pts, key=lambda p: p[3])))), min_size=1, max_size=10)
small_strokes_st = st.lists(
    st.lists(st.tuples(st.floats(0, 300), st.floats(0, 200), st.floats(0, 1), st.floats(0, 5000)),
             min_size=1, max_size=12).map(lambda pts: Stroke(np.array(pts))), min_size=1, max_size=12)


@FAST
@given(small_strokes_st, st.floats(0.05, 2), st.floats(0.5, 6), st.integers(0, 6), st.booleans())
def test_rasterize_gives_paper_and_ink_of_the_promised_size(strokes, scale, width, margin, antialias):
    img = rasterize(strokes, scale=scale, width=width, margin=margin, antialias=antialias)
    pts = np.vstack([s.points[:, :2] for s in strokes])
    w = int(np.ceil((pts[:, 0].max() - pts[:, 0].min()) * scale)) + 2 * margin + 1
    h = int(np.ceil((pts[:, 1].max() - pts[:, 1].min()) * scale)) + 2 * margin + 1
    assert img.dtype == np.uint8 and img.shape == (h, w) and img.min() < 255  # something is drawn


@FAST
@given(strokes_st | small_strokes_st, st.integers(0, 2**32 - 1), st.sampled_from(["auto", "digits", "letters", "upper"]),
       st.booleans())
@example([Stroke(np.array([[0.0, 0.0], [1e-310, 1e-310]]))], 0, "auto", False)  # once overflowed the glyph's scale
def test_recognize_ink_boxes_lie_inside_the_ink(strokes, seed, mode, with_lexicon):
    page = recognize_ink(strokes, RandomRecognizer(seed), mode=mode, lexicon=lexicon() if with_lexicon else None)
    pts = np.vstack([s.points[:, :2] for s in strokes])
    x0, y0 = np.floor(pts.min(0))
    x1, y1 = np.ceil(pts.max(0))
    check_page(page, x0, y0, x1, y1)
    assert sum(len(w.glyphs) for line in page.lines for w in line.words) >= 1


@st.composite
def mixed_writing(draw):
    """A line of handwriting-like strokes of mixed sizes: letters of 10 to 60 units, dots, short bars and
    commas, left to right with random gaps."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    strokes, x, t = [], 10.0, 0.0
    for _ in range(draw(st.integers(1, 14))):
        kind = rng.choice(["letter", "letter", "letter", "dot", "bar", "comma"])
        size = float(rng.uniform(10, 60))
        base = 100.0 + rng.uniform(-5, 5)
        if kind == "letter":
            n = int(rng.integers(3, 8))
            pts = np.stack([x + np.linspace(0, 0.6 * size, n) + rng.normal(0, 1, n),
                            base - rng.uniform(0, size, n)], 1)
        elif kind == "dot":
            pts = np.array([[x, base - rng.uniform(0, 40)]])
        elif kind == "bar":
            y = base - rng.uniform(5, 40)
            pts = np.array([[x - 5, y], [x + rng.uniform(3, 15), y + rng.uniform(-1, 1)]])
        else:
            pts = np.array([[x, base], [x - 2, base + rng.uniform(3, 8)]])
        pts = np.hstack([pts, np.ones((len(pts), 1)), t + 10.0 * np.arange(len(pts))[:, None]])
        strokes.append(Stroke(pts))
        x = float(pts[:, 0].max()) + rng.uniform(1, 25)
        t += float(rng.uniform(100, 900))
    return strokes


@FAST
@given(mixed_writing())
def test_on_the_canvas_no_stroke_is_lost(recognizer, strokes):
    # every stroke ends up in exactly one glyph of the result, whatever its size beside its neighbours
    from hwr_desktop.pipeline import ink_lines

    lines = ink_lines(strokes, recognizer)
    members = sorted(i for line in lines for g in line.glyphs for i in g.strokes)
    assert members == list(range(len(strokes)))
    page = recognize_ink(strokes, recognizer, lines=lines)
    assert sum(len(w.glyphs) for line in page.lines for w in line.words) == sum(len(l.glyphs) for l in lines)


# --- images --------------------------------------------------------------------------------------

@st.composite
def images(draw):
    h, w = draw(st.integers(1, 120)), draw(st.integers(1, 160))
    channels = draw(st.sampled_from([None, 3, 4]))
    dtype = draw(st.sampled_from([np.uint8, np.uint16]))
    shape = (h, w) if channels is None else (h, w, channels)
    kind = draw(st.sampled_from(["noise", "blobs", "flat"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    top = np.iinfo(dtype).max
    if kind == "noise":
        return rng.integers(0, top, shape, dtype, endpoint=True)
    img = np.full(shape, rng.integers(0, top, endpoint=True), dtype)
    if kind == "blobs":
        for _ in range(rng.integers(1, 12)):
            y, x = rng.integers(0, h), rng.integers(0, w)
            img[y : y + rng.integers(1, 30), x : x + rng.integers(1, 20)] = rng.integers(0, top, endpoint=True)
    return img


@FAST
@given(arrays(np.bool_, st.tuples(st.integers(1, 80), st.integers(1, 120))))
def test_segment_image_boxes_lie_inside_the_image(binary):
    try:
        lines, labels = segment_image(binary)
    except EmptyInputError:
        return
    h, w = binary.shape
    assert labels.shape == binary.shape
    for line in lines:
        assert inside(line.box, 0, 0, w, h)
        for g in line.glyphs:
            assert inside(g.box, 0, 0, w, h) and g.box[0] < g.box[2] and g.box[1] < g.box[3]


@FAST
@given(images(), st.integers(0, 2**32 - 1), st.booleans())
def test_recognize_image_boxes_lie_inside_the_image(image, seed, with_lexicon):
    page = recognize_image(image, RandomRecognizer(seed), lexicon=lexicon() if with_lexicon else None)
    h, w = image.shape[:2]
    assert (page.width, page.height) == (w, h)
    check_page(page, 0, 0, w, h)


# --- decoding files ------------------------------------------------------------------------------

SEEDS = [badcorpus.encode(ext, badcorpus.page(24, 40)) for ext in (".png", ".jpg", ".tif", ".bmp", ".webp")]


@st.composite
def mutated(draw):
    """A small valid image file with bytes flipped, cut, or inserted."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        i = draw(st.integers(0, len(data)))
        if op == "flip" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[i:]
        else:
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@settings(max_examples=150, deadline=None)
@given(mutated() | st.binary(max_size=200))
def test_decode_image_gives_an_image_or_input_error(data):
    header_size(data)  # never raises
    try:
        img = decode_image(np.frombuffer(data, np.uint8))
    except InputError as e:
        assert "\n" not in str(e)
        return
    assert img.ndim in (2, 3) and img.size > 0


@pytest.mark.parametrize("data", SEEDS)
def test_the_seeds_decode(data):
    assert decode_image(np.frombuffer(data, np.uint8)).shape[:2] == (24, 40)
