"""numpy images to QImage (a copy that owns its pixels)."""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtGui import QImage


def to_uint8(image: np.ndarray) -> np.ndarray:
    """uint8 or uint16 (H, W[, C]) -> uint8 of the same shape (uint16 keeps its top 8 bits)."""
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    return image.astype(np.uint8, copy=False)


def array_to_qimage(image: np.ndarray) -> QImage:
    """A decoded image as ``load_image`` returns it: (H, W) gray, (H, W, 3) BGR or (H, W, 4) BGRA."""
    img = to_uint8(image)
    if img.ndim == 2:
        fmt, data = QImage.Format.Format_Grayscale8, np.ascontiguousarray(img)
    elif img.shape[2] == 3:
        fmt, data = QImage.Format.Format_RGB888, np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    elif img.shape[2] == 4:
        fmt, data = QImage.Format.Format_RGBA8888, np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGRA2RGBA))
    else:
        raise ValueError(f"unsupported image shape {img.shape}")
    h, w = data.shape[:2]
    return QImage(data.data, w, h, data.strides[0], fmt).copy()
