import cv2
import numpy as np
import pytest

from hwr_desktop.binarize import binarize, estimate_ink_is_dark, to_gray
from hwr_desktop.errors import InputError


def page_with_text(h=200, w=400, ink=30, paper=220) -> np.ndarray:
    img = np.full((h, w), paper, np.uint8)
    cv2.putText(img, "A7x", (40, 130), cv2.FONT_HERSHEY_SIMPLEX, 3, ink, 5)
    return img


def text_mask(h=200, w=400) -> np.ndarray:
    img = np.zeros((h, w), np.uint8)
    cv2.putText(img, "A7x", (40, 130), cv2.FONT_HERSHEY_SIMPLEX, 3, 255, 5)
    return img > 127


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def test_dark_ink_on_light_paper():
    assert agreement(binarize(page_with_text()), text_mask()) > 0.9


def test_light_ink_on_dark_background():
    img = 255 - page_with_text()
    assert not estimate_ink_is_dark(img)
    assert agreement(binarize(img), text_mask()) > 0.9


def test_uneven_lighting_and_shadow():
    img = page_with_text().astype(np.float32)
    gradient = np.linspace(0.45, 1.0, img.shape[1])[None, :]  # a shadow across the page
    shaded = (img * gradient).astype(np.uint8)
    out = binarize(shaded)
    assert agreement(out, text_mask()) > 0.85
    assert out[:, :30].sum() < 20  # the dark paper at the left is not ink


def test_blank_and_noisy_pages_stay_blank():
    rng = np.random.default_rng(0)
    blank = np.full((300, 300), 200, np.uint8)
    assert binarize(blank).sum() == 0
    noisy = np.clip(200 + rng.normal(0, 6, (300, 300)), 0, 255).astype(np.uint8)
    assert binarize(noisy).mean() < 0.001


def test_color_alpha_16bit_and_float_inputs():
    gray = page_with_text()
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert np.array_equal(binarize(bgr), binarize(gray))
    bgra = np.dstack([np.zeros_like(gray)] * 3 + [255 - gray])  # ink drawn only through alpha
    assert agreement(binarize(bgra), text_mask()) > 0.85
    assert np.array_equal(binarize(gray.astype(np.uint16) * 257), binarize(gray))
    assert to_gray(gray.astype(np.float32) / 255).dtype == np.uint8


def test_bad_shapes_raise():
    with pytest.raises(InputError):
        to_gray(np.zeros((0, 5), np.uint8))
    with pytest.raises(InputError):
        to_gray(np.zeros((4, 4, 2, 2), np.uint8))
    with pytest.raises(InputError):
        to_gray(np.zeros((4, 4), np.int32))


def test_faint_ink_joined_to_darker_ink_is_kept_but_faint_paper_marks_are_not():
    img = np.full((100, 200), 210, np.uint8)
    cv2.line(img, (20, 50), (90, 50), 150, 3)  # a pale pen stroke (ratio 0.71)
    cv2.line(img, (90, 50), (150, 50), 182, 3)  # fading further (ratio 0.87, above the 0.82 limit for ink)
    cv2.circle(img, (100, 85), 4, 182, -1)  # a faint smudge on its own
    out = binarize(img)
    assert out[50, 20:150].mean() > 0.9
    assert not out[80:90, 95:105].any()


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (3, 5), (101, 100), (3000, 2900), (5, 4000)])
def test_gray_median_is_numpys_median(shape):
    from hwr_desktop.binarize import gray_median

    rng = np.random.default_rng(shape[0] * shape[1])
    for g in (rng.integers(0, 256, shape, dtype=np.uint8),
              np.clip(rng.normal(200, 30, shape), 0, 255).astype(np.uint8)):
        assert gray_median(g) == float(np.median(g))


@pytest.mark.parametrize("ink", [40, 180])
def test_binarize_is_the_hysteresis_of_its_two_thresholds(ink):
    """Dark ink (Otsu's threshold low: one threshold) and faint ink (two, joined by hysteresis) both come out
    as the strong pixels' components of the weak mask."""
    import cv2

    from hwr_desktop.binarize import FAINT_INK_RATIO, MAX_INK_RATIO, estimate_background, hysteresis

    rng = np.random.default_rng(ink)
    page = np.clip(rng.normal(235, 6, (300, 400)), 0, 255).astype(np.uint8)
    for _ in range(30):
        p = rng.integers(0, 400, 4)
        cv2.line(page, (int(p[0]), int(p[1]) % 300), (int(p[2]), int(p[3]) % 300), int(ink + rng.integers(0, 30)), 2)
    level = cv2.divide(page, estimate_background(page), scale=255.0)
    otsu, _ = cv2.threshold(level, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    expected = hysteresis(level <= min(otsu, MAX_INK_RATIO * 255), level <= min(otsu, FAINT_INK_RATIO * 255))
    assert expected.any()
    assert np.array_equal(binarize(page), expected)
