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
