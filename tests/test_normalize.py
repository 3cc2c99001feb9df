from pathlib import Path

import cv2
import numpy as np
import pytest

from hwr_desktop.errors import EmptyInputError
from hwr_desktop.normalize import SIZE, ink_bbox, normalize_batch, normalize_glyph, thin, thin_many

GOLDEN = Path(__file__).parent / "resources" / "golden_normalize.npy"


def seven(scale: int = 1, thickness: int = 3) -> np.ndarray:
    img = np.zeros((60 * scale, 50 * scale), np.uint8)
    pts = np.array([[8, 10], [40, 10], [18, 52]]) * scale
    cv2.polylines(img, [pts.reshape(-1, 1, 2).astype(np.int32)], False, 1, thickness * scale)
    cv2.line(img, (14 * scale, 31 * scale), (34 * scale, 31 * scale), 1, thickness * scale)
    return img.astype(bool)


def test_golden_output_is_pinned():
    """The training data and the shipped model were made with this exact output; a change needs a retrain
    (and a new PREPROCESS_VERSION). The file was written once by ``np.save(GOLDEN, normalize_glyph(seven()))``."""
    np.testing.assert_allclose(normalize_glyph(seven()), np.load(GOLDEN), atol=1e-6)


def test_shape_range_and_centring():
    out = normalize_glyph(seven())
    assert out.shape == (SIZE, SIZE) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0 and out.max() > 0.9
    ys, xs = np.nonzero(out > 0.2)
    # the longer side fills the 20 px box (plus the redrawn pen) and the glyph is centred
    assert 19 <= ys.max() - ys.min() + 1 <= 23
    assert abs((ys.min() + ys.max()) / 2 - 13.5) <= 1.0
    assert abs((xs.min() + xs.max()) / 2 - 13.5) <= 1.0


def test_position_margin_scale_and_stroke_width_do_not_matter():
    ref = normalize_glyph(seven())
    padded = np.pad(seven(), ((30, 5), (2, 40)))
    assert np.abs(normalize_glyph(padded) - ref).mean() < 1e-6
    big_thick = normalize_glyph(seven(scale=4, thickness=6))
    assert np.abs(big_thick - ref).mean() < 0.05  # a marker at 4x size reads like a fine pen


def test_hairline_survives_downscaling():
    img = np.zeros((400, 300), bool)
    img[20:380, 150] = True  # a 1 px stroke, 360 px long
    out = normalize_glyph(img)
    assert out.max() > 0.9 and (out > 0.5).sum() >= 20


def test_empty_mask_raises():
    with pytest.raises(EmptyInputError):
        normalize_glyph(np.zeros((10, 10), bool))
    with pytest.raises(EmptyInputError):
        ink_bbox(np.zeros((3, 3)))


def test_thin_gives_one_pixel_lines():
    img = np.zeros((30, 30), np.uint8)
    img[5:25, 10:17] = 1  # a bar 7 px wide
    sk = thin(img)
    assert sk.sum() > 0
    rows = np.nonzero(sk.sum(1))[0]
    assert rows.size >= 10  # the bar's length is kept (Zhang-Suen shortens the ends a little)
    assert (sk.sum(1)[rows] == 1).all()  # one pixel per row along the bar


def test_batch_matches_single():
    masks = [seven(), np.pad(seven(), 3)]
    b = normalize_batch(masks)
    assert b.shape == (2, 1, SIZE, SIZE)
    np.testing.assert_allclose(b[0, 0], normalize_glyph(masks[0]))
    assert normalize_batch([]).shape == (0, 1, SIZE, SIZE)


def test_masks_thinned_together_come_out_as_each_alone():
    rng = np.random.default_rng(5)
    masks = np.zeros((40, 56, 56), np.uint8)
    for m in masks:  # strokes of many widths: each mask needs its own number of iterations
        for _ in range(rng.integers(1, 4)):
            a, b = rng.integers(0, 56, 2), rng.integers(0, 56, 2)
            cv2.line(m, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 1, int(rng.integers(1, 14)))
    masks[3, 0, :] = 1  # ink on the edges: the rows between the stacked masks keep them apart
    masks[4, -1, :] = 1
    together = thin_many(masks)
    for m, t in zip(masks, together):
        assert np.array_equal(t, thin(m))
    glyphs = [m[: 20 + i, : 50 - i] for i, m in enumerate(masks) if m[: 20 + i, : 50 - i].any()]
    np.testing.assert_array_equal(normalize_batch(glyphs)[:, 0], np.stack([normalize_glyph(g) for g in glyphs]))
