"""Gray image -> binary ink raster.

Works for dark ink on light paper and for light ink on dark backgrounds,
under uneven lighting: the paper's brightness is estimated with a grey
closing at low resolution, divided out, and the result thresholded with Otsu,
capped so that a blank page stays blank.
"""

from __future__ import annotations

import cv2
import numpy as np

from .errors import InputError
from .regions import connected, pick

# Ink must be at least this much darker than the local paper (ratio to it) ...
MAX_INK_RATIO = 0.82
# ... though fainter pixels joined to such ink count too (hysteresis), down to this ratio.
FAINT_INK_RATIO = 0.90


def to_gray(image: np.ndarray) -> np.ndarray:
    """Convert any decoded image to 8-bit gray.

    Args:
        image: (H, W), (H, W, 3) BGR or (H, W, 4) BGRA; uint8, uint16 or float in [0, 1].
            Transparent pixels count as white paper.
    Returns:
        uint8 (H, W).
    Raises:
        InputError: unsupported shape or dtype.
    """
    a = np.asarray(image)
    if a.ndim not in (2, 3) or a.size == 0:
        raise InputError(f"unsupported image shape {a.shape}")
    if a.dtype == np.uint16:
        a = (a / 257.0).round().astype(np.uint8)
    elif a.dtype in (np.float32, np.float64):
        a = (np.clip(a, 0.0, 1.0) * 255).round().astype(np.uint8)
    elif a.dtype == bool:
        a = a.astype(np.uint8) * 255
    elif a.dtype != np.uint8:
        raise InputError(f"unsupported image dtype {a.dtype}")
    if a.ndim == 2:
        return a
    channels = a.shape[2]
    if channels == 1:
        return a[:, :, 0]
    if channels == 4:
        alpha = a[:, :, 3:4].astype(np.float32) / 255.0
        rgb = a[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return cv2.cvtColor(rgb.round().astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if channels == 3:
        return cv2.cvtColor(a, cv2.COLOR_BGR2GRAY)
    raise InputError(f"unsupported number of channels: {channels}")


def estimate_ink_is_dark(gray: np.ndarray) -> bool:
    """True when the image is dark ink on a light background (the usual case).

    Decided by the median: paper covers most of any page.
    """
    return gray_median(gray) >= 110.0


def gray_median(gray: np.ndarray) -> float:
    """``np.median`` of a uint8 image, from its histogram (a page's worth of pixels is not sorted); exact: the
    histogram is counted in slices of rows that float32 counts hold exactly."""
    g = np.ascontiguousarray(gray)
    rows = max(1, (1 << 23) // max(1, g.shape[1]))
    counts = np.zeros(256, np.int64)
    for a in range(0, g.shape[0], rows):
        counts += cv2.calcHist([g[a : a + rows]], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    cum = np.cumsum(counts)
    n = int(cum[-1])
    low, high = np.searchsorted(cum, [(n - 1) // 2 + 1, n // 2 + 1])  # the middle one or two, in sorted order
    return (float(low) + float(high)) / 2


def estimate_background(gray: np.ndarray) -> np.ndarray:
    """Local paper brightness for dark-ink images.

    Args:
        gray: uint8 (H, W), dark ink on lighter paper.
    Returns:
        uint8 (H, W), the paper level at each pixel (>= 1).
    """
    h, w = gray.shape
    f = max(1, min(h, w) // 256)  # work near 256 px on the short side
    small = cv2.resize(gray, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else gray
    k = max(7, (min(small.shape) // 12) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    bg = cv2.blur(bg, (k, k))
    if f > 1:
        bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(bg, 1)


def binarize(image: np.ndarray) -> np.ndarray:
    """Binarize a page or crop.

    The image is divided by its paper level. Pixels
    darker than Otsu's threshold (at most ``MAX_INK_RATIO`` of the paper) are
    ink; fainter pixels (up to ``FAINT_INK_RATIO``) are ink too where they join
    such ink, so faint and thin pen strokes stay whole while paper texture stays out.

    Args:
        image: any array ``to_gray`` accepts, either polarity.
    Returns:
        bool (H, W), True = ink.
    """
    gray = to_gray(image)
    if not estimate_ink_is_dark(gray):
        gray = 255 - gray
    # ink / paper, 255 = as bright as the paper; saturating uint8 arithmetic keeps big pages small in memory
    level = cv2.divide(gray, estimate_background(gray), scale=255.0)
    otsu, _ = cv2.threshold(level, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    strong_level = min(float(otsu), MAX_INK_RATIO * 255.0)
    weak_level = min(float(otsu), FAINT_INK_RATIO * 255.0)  # only where Otsu sees faint ink as ink
    weak = level <= weak_level
    if weak_level <= strong_level:  # Otsu's threshold is below both: every weak pixel is strong ink already
        return weak
    return hysteresis(level <= strong_level, weak)  # Otsu's dark class includes its threshold


def hysteresis(strong: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """The connected parts of ``weak`` (bool (H, W)) that contain a ``strong`` pixel."""
    n, labels, stats = connected(weak)
    keep = np.zeros(n, bool)
    keep[labels[strong]] = True
    return pick(labels, stats, keep)
