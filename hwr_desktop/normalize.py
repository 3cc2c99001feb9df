"""Glyph crop -> the model's 28x28 input. Shared by the app and by training/.

The recognizer sees every glyph the same way, whatever drew it (a 0.3 mm pen
photographed at 20 px, a thick marker scanned at 300 dpi, a font, a mouse on
the canvas): the ink mask is cropped, scaled to fit a 20x20 box with its
aspect ratio kept, thinned to a one-pixel skeleton and redrawn with a fixed
pen width. Stroke width, the largest gap between synthetic and real
handwriting, is thereby taken out of the problem.

Changing anything here changes what the model was trained on: bump
``PREPROCESS_VERSION`` and retrain. ``Recognizer`` refuses a model whose
metadata names another version.
"""

from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from .errors import EmptyInputError

PREPROCESS_VERSION = "hwr-skel-1"
SIZE = 28  # side of the model input
FIT = 20  # the glyph's longer side in the model input
_WORK = 2  # work at this multiple of the output resolution
_PEN = 5  # redraw width in work pixels (2.5 output pixels)


def _zhang_suen_luts() -> tuple[np.ndarray, np.ndarray]:
    """Deletion tables for the two Zhang-Suen sub-iterations, indexed by neighbour code.

    Bit i of the code is neighbour P(i+2) in the order N, NE, E, SE, S, SW, W, NW.
    """
    lut1 = np.zeros(256, np.uint8)
    lut2 = np.zeros(256, np.uint8)
    for code in range(256):
        p = [(code >> i) & 1 for i in range(8)]  # p[0]=P2 (N) ... p[7]=P9 (NW)
        b = sum(p)
        a = sum(1 for i in range(8) if p[i] == 0 and p[(i + 1) % 8] == 1)
        if not (2 <= b <= 6 and a == 1):
            continue
        p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
        if p2 * p4 * p6 == 0 and p4 * p6 * p8 == 0:
            lut1[code] = 1
        if p2 * p4 * p8 == 0 and p2 * p6 * p8 == 0:
            lut2[code] = 1
    return lut1, lut2


_LUT1, _LUT2 = _zhang_suen_luts()
# filter2D correlates: kernel[dy + 1, dx + 1] weighs the neighbour at (dy, dx).
_CODE_KERNEL = np.array([[128, 1, 2], [64, 0, 4], [32, 16, 8]], np.float32)


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning.

    Args:
        mask: uint8 (H, W), 1 = ink, 0 = background.
    Returns:
        uint8 (H, W), the one-pixel-wide skeleton, 1 = ink.
    """
    return thin_many(np.asarray(mask)[None])[0]


def thin_many(masks: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of each of uint8 (N, H, W) masks (1 = ink), until nothing changes or 4 max(H, W)
    iterations: the masks still changing are thinned together, stacked with a blank row between each two.
    Thinning looks at a pixel's 8 neighbours only and leaves a thinned mask as it is, so each comes out as it
    would thinned alone, without a Python loop per mask."""
    n, h, w = masks.shape
    out = np.zeros((n, h + 1, w), np.uint8)
    out[:, :h] = masks
    active = np.arange(n)
    for _ in range(4 * max(h, w)):
        if active.size == 0:
            break
        tall = out[active].reshape(-1, w)
        changed = np.zeros(active.size, bool)
        for lut in (_LUT1, _LUT2):
            # the neighbour code of every pixel (at most 255: exact in uint8)
            code = cv2.filter2D(tall, -1, _CODE_KERNEL, borderType=cv2.BORDER_CONSTANT)
            delete = cv2.LUT(code, lut)
            delete &= tall  # 1 where an ink pixel goes
            changed |= delete.reshape(active.size, -1).any(1)
            tall -= delete
        out[active] = tall.reshape(active.size, h + 1, w)
        active = active[changed]
    return out[:, :h].copy()


def ink_bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box ``(x0, y0, x1, y1)`` (x1, y1 exclusive) of the nonzero pixels of a (H, W) mask."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        raise EmptyInputError("the glyph holds no ink")
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def normalize_glyph(mask: np.ndarray) -> np.ndarray:
    """Turn one glyph's ink mask into the model's input.

    Args:
        mask: bool or uint8 (H, W); True / nonzero = ink. Any size, any margin.
    Returns:
        float32 (28, 28) in [0, 1], ink = 1.0: the glyph fitted into a 20x20 box
        (aspect ratio kept), centred, with a uniform 2.5 px stroke.
    Raises:
        EmptyInputError: the mask holds no ink.
    """
    return _redraw(thin(_fit(mask)))


def _fit(mask: np.ndarray) -> np.ndarray:
    """The glyph's ink cropped and scaled into the FIT box, centred on the work canvas: uint8, 1 = ink."""
    m = np.asarray(mask) > 0
    x0, y0, x1, y1 = ink_bbox(m)
    crop = m[y0:y1, x0:x1].astype(np.uint8)
    h, w = crop.shape
    work, fit = SIZE * _WORK, FIT * _WORK
    scale = fit / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if scale < 1.0:
        # Thicken before shrinking so that hairlines survive the area average.
        k = int(np.ceil(1.0 / scale))
        crop = cv2.dilate(crop, np.ones((k, k), np.uint8))
        small = cv2.resize(crop.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    else:
        small = cv2.resize(crop.astype(np.float32), (nw, nh), interpolation=cv2.INTER_LINEAR)
    canvas = np.zeros((work, work), np.uint8)
    ox, oy = (work - nw) // 2, (work - nh) // 2
    canvas[oy : oy + nh, ox : ox + nw] = small >= 0.5
    if not canvas.any():  # a speck smaller than a work pixel
        canvas[work // 2, work // 2] = 1
    return canvas


def _redraw(skeleton: np.ndarray) -> np.ndarray:
    """A skeleton on the work canvas redrawn with the fixed pen, at the model's size: float32 (SIZE, SIZE)."""
    pen = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_PEN, _PEN))
    redrawn = cv2.dilate(skeleton, pen).astype(np.float32)
    return cv2.resize(redrawn, (SIZE, SIZE), interpolation=cv2.INTER_AREA)


def normalize_batch(masks: Sequence[np.ndarray]) -> np.ndarray:
    """``normalize_glyph`` of several glyph masks (thinned together, ``thin_many``); float32 (N, 1, 28, 28).

    Raises:
        EmptyInputError: a mask holds no ink.
    """
    work = SIZE * _WORK
    canvases = np.zeros((len(masks), work, work), np.uint8)
    for i, m in enumerate(masks):
        canvases[i] = _fit(m)
    out = np.zeros((len(masks), 1, SIZE, SIZE), np.float32)
    for i, skeleton in enumerate(thin_many(canvases)):
        out[i, 0] = _redraw(skeleton)
    return out
