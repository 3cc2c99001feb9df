"""The line recognizer's stage: a line's ink -> its height-normalized image -> per-frame probabilities.

Joined-up writing cannot be cut into glyphs first, so a line (or a word) is read whole by a CTC network
(``training/train_lines.py``). Like the glyph model's ``normalize_glyph``, ``normalize_line`` is the one
function that prepares its input, for training and for the app alike, whatever drew the ink:

- the line is scaled so that the middle 80 % of its ink rows span ``BODY`` pixels (about the x-height,
  whatever mix of ascenders and capitals it holds), with its median ink row on row ``CENTER`` of a
  ``HEIGHT``-row image; what falls outside is cut off;
- its strokes are thinned to a skeleton and redrawn with one pen width, so a mouse, a marker and a
  300 dpi scan look alike to the network.

Changing anything here changes what the model was trained on: bump ``LINE_PREPROCESS_VERSION`` and
retrain. ``LineRecognizer`` refuses a model whose metadata names another version.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from .errors import EmptyInputError, ModelError
from .ink import Stroke, rasterize
from .normalize import thin
from .recognizer import check_preprocess, model_labels, model_report, open_session

log = logging.getLogger(__name__)

LINE_PREPROCESS_VERSION = "hwr-line-1"
HEIGHT = 40  # rows of the network's input
BODY = 14  # the middle 80 % of a line's ink rows span this many rows ...
CENTER = 20  # ... around its median ink row, drawn on this row
PAD = 6  # blank columns either side (the network reads blanks there)
MAX_WIDTH = 4000  # columns; a longer line is drawn smaller (split long lines before, where it matters)
_WORK = 2  # thin and redraw at this multiple of the output resolution
_PEN = 4  # redraw width in work pixels (2 output pixels)
INK_BODY_PX = 3 * BODY * _WORK // 2  # ink lines are drawn with this body before normalization (42 px)

DEFAULT_LINE_MODEL = "line_model.onnx"


@dataclass(frozen=True)
class LineImage:
    """A normalized line and how its columns map back onto the input.

    Attributes:
        image: float32 (HEIGHT, W) in [0, 1], ink = 1.0.
        x0: the input x (pixels of the mask given to ``normalize_line``) of the image's column ``PAD``.
        scale: image columns per input pixel; input x = x0 + (column - PAD) / scale.
    """

    image: np.ndarray
    x0: float
    scale: float

    def to_input_x(self, column: float) -> float:
        return self.x0 + (column - PAD) / self.scale


def line_body(mask: np.ndarray) -> tuple[float, float]:
    """(median ink row, body height) of a bool (H, W) line mask: the body is the span of the middle 80 % of
    its ink rows, at least a quarter of the ink's height and one pixel (a flat dash has a body).

    Raises:
        EmptyInputError: no ink.
    """
    rows = np.nonzero(np.asarray(mask))[0]
    if rows.size == 0:
        raise EmptyInputError("the line holds no ink")
    p10, p50, p90 = np.percentile(rows, (10, 50, 90))
    height = float(rows.max() - rows.min() + 1)
    return float(p50), max(float(p90 - p10), height / 4, 1.0)


def normalize_line(mask: np.ndarray) -> LineImage:
    """Turn one line's ink mask into the line recognizer's input (see the module docstring).

    Args:
        mask: bool or uint8 (H, W); True / nonzero = ink. Any size, any margin; one written line.
    Returns:
        the ``LineImage``: float32 (HEIGHT, W') in [0, 1], W' = the ink's width scaled + 2 * PAD.
    Raises:
        EmptyInputError: the mask holds no ink.
    """
    m = np.asarray(mask) > 0
    cols = np.nonzero(m.any(axis=0))[0]
    if cols.size == 0:
        raise EmptyInputError("the line holds no ink")
    center, body = line_body(m)
    scale = BODY / body
    xa, xb = int(cols[0]), int(cols[-1]) + 1
    width = xb - xa
    if width * scale > MAX_WIDTH - 2 * PAD:
        scale = (MAX_WIDTH - 2 * PAD) / width
    # the input rows that land inside the output, with a margin for the pen
    top = int(math.floor(center - CENTER / scale)) - 1
    bottom = int(math.ceil(center + (HEIGHT - CENTER) / scale)) + 1
    crop = np.zeros((bottom - top, width), np.uint8)
    sa, sb = max(top, 0), min(bottom, m.shape[0])
    if sb > sa:
        crop[sa - top : sb - top] = m[sa:sb, xa:xb]
    work = scale * _WORK
    nw, nh = max(1, round(width * work)), max(1, round(crop.shape[0] * work))
    if work < 1.0:
        k = int(np.ceil(1.0 / work))  # thicken before shrinking so that hairlines survive the average
        crop = cv2.dilate(crop, np.ones((k, k), np.uint8))
        small = cv2.resize(crop.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    else:
        small = cv2.resize(crop.astype(np.float32), (nw, nh), interpolation=cv2.INTER_LINEAR)
    # place: input row ``center`` on output row CENTER, input column xa on output column PAD
    out_w = min(MAX_WIDTH, int(round(width * scale)) + 2 * PAD)
    canvas = np.zeros((HEIGHT * _WORK, out_w * _WORK), np.uint8)
    oy = int(round((CENTER - (center - top) * scale) * _WORK))
    ox = PAD * _WORK
    ya, yb = max(0, oy), min(canvas.shape[0], oy + nh)
    xb2 = min(canvas.shape[1], ox + nw)
    if yb > ya and xb2 > ox:
        canvas[ya:yb, ox:xb2] = small[ya - oy : yb - oy, : xb2 - ox] >= 0.5
    if not canvas.any():  # a speck smaller than a work pixel
        canvas[CENTER * _WORK, ox] = 1
    pen = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_PEN, _PEN))
    redrawn = cv2.dilate(thin(canvas), pen).astype(np.float32)
    image = cv2.resize(redrawn, (out_w, HEIGHT), interpolation=cv2.INTER_AREA)
    return LineImage(image, float(xa), float(scale))


def ink_line_mask(strokes: Sequence[Stroke]) -> tuple[np.ndarray, tuple[float, float], float]:
    """Draw one line's strokes for ``normalize_line``, at the size where its body is about INK_BODY_PX.

    The body is estimated from the points themselves (the middle 80 % of their y, as ``line_body`` does on
    pixels), so a line's size on the canvas does not matter.
    Returns:
        bool (H, W) ink mask; the ink coordinates (x, y) of its pixel (0, 0); pixels per ink unit.
    Raises:
        EmptyInputError: no strokes.
    """
    if not strokes:
        raise EmptyInputError("the line holds no ink")
    pts = np.vstack([s.points[:, :2] for s in strokes])
    y10, y90 = np.percentile(pts[:, 1], (10, 90))
    height = float(np.ptp(pts[:, 1]))
    width = float(np.ptp(pts[:, 0]))
    body = max(float(y90 - y10), height / 4, 1e-6)
    scale = INK_BODY_PX / body
    if width * scale > 3 * MAX_WIDTH:
        scale = 3 * MAX_WIDTH / max(width, 1e-6)
    if max(width, height) * scale < 1.0:  # a dot
        scale = 1.0 / max(width, height, 1e-6)
    margin = 4
    x0, y0 = float(pts[:, 0].min()), float(pts[:, 1].min())
    image = rasterize(strokes, (x0, y0, float(pts[:, 0].max()), float(pts[:, 1].max())), scale=scale,
                      width=3.0, margin=margin, antialias=False)
    return image < 128, (x0 - margin / scale, y0 - margin / scale), float(scale)


def default_line_model_path() -> Path:
    """The shipped line model: ``resources/line_model.onnx`` (installed as ``hwr_desktop.resources``)."""
    try:
        return Path(str(resources.files("hwr_desktop.resources").joinpath(DEFAULT_LINE_MODEL)))
    except ModuleNotFoundError:  # a source checkout that is not installed
        return Path(__file__).resolve().parents[1] / "resources" / DEFAULT_LINE_MODEL


@dataclass(frozen=True)
class LineModelInfo:
    """What the line model file says about itself: its labels (index 0 of its output is the CTC blank,
    label i is output i + 1), its preprocessing, its stride (input columns per output frame) and its report."""

    path: str
    labels: tuple[str, ...]
    preprocess: str
    stride: int
    report: dict


class LineRecognizer:
    """Reads normalized lines: ``LineRecognizer.from_path``, then ``predict``. Passed around, never global."""

    def __init__(self, session, info: LineModelInfo) -> None:
        self._session = session
        self.info = info
        self.labels = info.labels
        self.stride = info.stride
        self._input = session.get_inputs()[0].name

    @classmethod
    def from_path(cls, path: str | Path | None = None, threads: int = 0) -> "LineRecognizer":
        """Load and check a line model (None: the shipped one).

        Raises:
            ModelError: missing or unreadable file, or metadata this program cannot use.
        """
        p = Path(path) if path is not None else default_line_model_path()
        session = open_session(p, threads, "line model")
        meta = session.get_modelmeta().custom_metadata_map
        labels = model_labels(meta, "hwr_line_labels", p, "line model")
        try:
            stride = int(meta["hwr_line_stride"])
        except (KeyError, ValueError, TypeError):
            raise ModelError(f"line model {p} has no valid 'hwr_line_stride' metadata") from None
        if stride < 1:
            raise ModelError(f"line model {p}: the stride must be positive")
        preprocess = check_preprocess(meta, "hwr_line_preprocess", LINE_PREPROCESS_VERSION, p, "line model")
        inputs = session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[1:3] != [1, HEIGHT]:
            raise ModelError(f"line model {p}: expected one input of shape (N, 1, {HEIGHT}, W)")
        out_shape = session.get_outputs()[0].shape
        if out_shape[-1] != len(labels) + 1:
            raise ModelError(f"line model {p}: {out_shape[-1]} outputs but {len(labels)} labels and a blank")
        return cls(session, LineModelInfo(str(p), labels, preprocess, stride, model_report(meta)))

    def predict(self, lines: Sequence[LineImage]) -> list[np.ndarray]:
        """Per-frame probabilities of each line: float32 (T_i, 1 + len(labels)), rows summing to 1, column 0
        the blank; frame t covers image columns [t * stride, (t + 1) * stride). Lines of similar width go
        through the network together (padded with blank columns)."""
        out: list[np.ndarray | None] = [None] * len(lines)
        order = sorted(range(len(lines)), key=lambda i: lines[i].image.shape[1])
        budget = 8 * 400  # columns per call: onnxruntime's working memory grows with the batch (about 4 MB per 100 columns)
        i = 0
        while i < len(order):
            w = lines[order[i]].image.shape[1]
            j = i + 1
            while j < len(order) and (j - i + 1) * lines[order[j]].image.shape[1] <= budget:
                j += 1
            group = order[i:j]
            width = max(lines[k].image.shape[1] for k in group)
            width = int(math.ceil(max(width, w) / self.stride) * self.stride)
            batch = np.zeros((len(group), 1, HEIGHT, width), np.float32)
            for r, k in enumerate(group):
                batch[r, 0, :, : lines[k].image.shape[1]] = lines[k].image
            probs = self._session.run(None, {self._input: batch})[0]
            for r, k in enumerate(group):
                frames = int(math.ceil(lines[k].image.shape[1] / self.stride))
                out[k] = probs[r, :frames]
            i = j
        return out  # type: ignore[return-value]
