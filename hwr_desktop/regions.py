"""Connected components of page-sized masks, cheaply.

A 300 dpi page is 8.7 million pixels, and the scan steps label its ink again and again. Two things make that
cheaper without changing any result:

- ``connected``: labels as uint16 wherever the page has fewer than 65,535 components (every page of writing):
  half the memory traffic of int32, about half the time; int32 past that;
- ``pick``: the mask of some of the components, drawn inside their own boxes when there are few of them (or few
  left out), instead of a lookup over every pixel of the page.
"""

from __future__ import annotations

import cv2
import numpy as np

FEW = 64  # up to this many components are drawn box by box


def _u8(mask: np.ndarray) -> np.ndarray:
    """A bool or uint8 mask as uint8 for OpenCV (a bool array is viewed, not copied)."""
    m = np.asarray(mask)
    if m.dtype == bool:
        m = np.ascontiguousarray(m).view(np.uint8)
    return m if m.dtype == np.uint8 else (m != 0).astype(np.uint8)


def connected(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The 8-connected components of a mask (nonzero = in).

    Returns:
        (count with the background, labels uint16 or int32 (H, W) with 0 the background, stats as OpenCV's
        ``connectedComponentsWithStats`` gives them: int32 (count, 5) of x, y, width, height, area).
    """
    m = _u8(mask)
    try:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:  # more components than uint16 can number
        n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8, ltype=cv2.CV_32S)
    return n, labels, stats


def pick(labels: np.ndarray, stats: np.ndarray, which: np.ndarray) -> np.ndarray:
    """bool (H, W): the pixels of the components ``i`` with ``which[i]`` (``which[0]``, the background, is
    ignored), as ``which[labels]`` but at the cost of the chosen components' boxes when few are chosen or few
    are not."""
    which = np.asarray(which, bool).copy()
    which[0] = False
    chosen = np.flatnonzero(which)
    if chosen.size <= FEW:
        out = np.zeros(labels.shape, bool)
        for i in chosen:
            x, y, w, h = stats[i, :4]
            out[y : y + h, x : x + w] |= labels[y : y + h, x : x + w] == i
        return out
    left = np.flatnonzero(~which[1:]) + 1
    if left.size <= FEW:
        out = labels > 0
        for i in left:
            x, y, w, h = stats[i, :4]
            out[y : y + h, x : x + w] &= labels[y : y + h, x : x + w] != i
        return out
    return which[labels]
