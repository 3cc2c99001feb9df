"""Digital ink: strokes of (x, y, pressure, t_ms) points, an undoable stroke list, file I/O, rasterization.

The ink file format (``*.ink.json``), shared by the CLI and the app::

    {"format": "hwr-ink", "version": 1,
     "strokes": [{"points": [[x, y, pressure, t_ms], ...]}, ...]}

x grows to the right, y downwards, in any unit (the app uses canvas pixels);
pressure lies in [0, 1] (1.0 where the device has none); t_ms is milliseconds
from any origin, non-decreasing within a stroke.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import cv2
import numpy as np

from .errors import InputError
from .atomic import write_atomic

INK_FORMAT = "hwr-ink"
INK_VERSION = 1
MAX_POINTS = 2_000_000  # in one file
MAX_COORD = 1e6
MAX_FILE_BYTES = 128 * 2**20  # an ink file this large is refused unread (MAX_POINTS points take about 70 MB)


@dataclass(frozen=True, eq=False)
class Stroke:
    """One pen-down to pen-up trace.

    Attributes:
        points: float64 (N, 4), N >= 1: x, y, pressure in [0, 1], t_ms. Read-only.
    """

    points: np.ndarray

    def __post_init__(self) -> None:
        try:
            p = np.array(self.points, dtype=np.float64, copy=True)
        except (ValueError, TypeError):  # ragged rows, or values that are not numbers
            raise InputError("a stroke needs (N, 2..4) numeric points") from None
        if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] not in (2, 3, 4):
            raise InputError(f"a stroke needs (N, 2..4) points, got shape {p.shape}")
        if p.shape[1] < 4:
            extra = np.zeros((p.shape[0], 4 - p.shape[1]))
            if p.shape[1] == 2:
                extra[:, 0] = 1.0  # pressure unknown: full
            p = np.hstack([p, extra])
        if not np.isfinite(p).all():
            raise InputError("a stroke holds a NaN or infinite coordinate")
        if np.abs(p[:, :2]).max() > MAX_COORD:
            raise InputError(f"a stroke coordinate exceeds {MAX_COORD:g}")
        p[:, 2] = np.clip(p[:, 2], 0.0, 1.0)
        p.setflags(write=False)
        object.__setattr__(self, "points", p)
        lo, hi = p[:, :2].min(0), p[:, :2].max(0)
        object.__setattr__(self, "_box", (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stroke) and np.array_equal(self.points, other.points)

    def __hash__(self) -> int:
        return hash(self.points.tobytes())

    def __len__(self) -> int:
        return len(self.points)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the points."""
        return self._box  # type: ignore[attr-defined]

    @property
    def start_ms(self) -> float:
        return float(self.points[0, 3])

    @property
    def end_ms(self) -> float:
        return float(self.points[-1, 3])


class Ink:
    """An ordered list of strokes with per-stroke undo and redo.

    Every change (add, erase, clear) is one undo step. The GUI's canvas holds
    one ``Ink`` and paints from it; the core recognizes it.
    """

    def __init__(self, strokes: Iterable[Stroke] = ()) -> None:
        self._strokes: list[Stroke] = list(strokes)
        self._undo: list[tuple[str, list[tuple[int, Stroke]]]] = []
        self._redo: list[tuple[str, list[tuple[int, Stroke]]]] = []

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return tuple(self._strokes)

    def __len__(self) -> int:
        return len(self._strokes)

    def __bool__(self) -> bool:
        return bool(self._strokes)

    def add(self, stroke: Stroke) -> None:
        self._apply("add", [(len(self._strokes), stroke)])

    def erase(self, indices: Sequence[int]) -> None:
        """Remove the strokes at ``indices`` (one undo step); unknown indices are ignored."""
        items = [(i, self._strokes[i]) for i in sorted(set(indices)) if 0 <= i < len(self._strokes)]
        if items:
            self._apply("remove", items)

    def clear(self) -> None:
        if self._strokes:
            self._apply("remove", list(enumerate(self._strokes)))

    def replace(self, strokes: Iterable[Stroke]) -> None:
        """Put ``strokes`` in place of all current strokes (one undo step), e.g. when a file is opened."""
        old = list(enumerate(self._strokes))
        new = list(enumerate(strokes))
        if old or new:
            self._apply("replace", [old, new])  # type: ignore[list-item]

    def _apply(self, op: str, items) -> None:
        self._do(op, items)
        self._undo.append((op, items))
        self._redo.clear()

    def _do(self, op: str, items) -> None:
        if op == "add":
            for i, s in items:
                self._strokes.insert(i, s)
        elif op == "remove":
            for i, _ in reversed(items):
                del self._strokes[i]
        else:  # replace: items = [old, new]
            self._strokes = [s for _, s in items[1]]

    @staticmethod
    def _inverse(op: str, items):
        if op == "add":
            return "remove", items
        if op == "remove":
            return "add", items
        return "replace", [items[1], items[0]]

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        """Revert the last change; False when there is none."""
        if not self._undo:
            return False
        op, items = self._undo.pop()
        self._do(*self._inverse(op, items))
        self._redo.append((op, items))
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        op, items = self._redo.pop()
        self._do(op, items)
        self._undo.append((op, items))
        return True

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(x0, y0, x1, y1)`` over all strokes, or None when empty."""
        if not self._strokes:
            return None
        boxes = np.array([s.box for s in self._strokes])
        return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())


# --- files ---------------------------------------------------------------------------------------

def ink_to_dict(strokes: Iterable[Stroke]) -> dict:
    """The JSON document of the ink file format."""
    return {
        "format": INK_FORMAT,
        "version": INK_VERSION,
        "strokes": [{"points": np.round(s.points, 3).tolist()} for s in strokes],
    }


def ink_from_dict(doc: object) -> list[Stroke]:
    """Validate an ink document and return its strokes.

    Raises:
        InputError: wrong format or version, or malformed strokes; the message says which.
    """
    if not isinstance(doc, dict):
        raise InputError("ink file: the top level must be a JSON object")
    if doc.get("format") != INK_FORMAT:
        raise InputError(f"ink file: format must be {INK_FORMAT!r}, got {doc.get('format')!r}")
    version = doc.get("version")
    if type(version) is not int or version != INK_VERSION:  # True == 1 in Python: refuse it too
        raise InputError(f"ink file: unsupported version {version!r} (this program reads {INK_VERSION})")
    raw = doc.get("strokes")
    if not isinstance(raw, list):
        raise InputError("ink file: 'strokes' must be a list")
    strokes, total = [], 0
    for k, s in enumerate(raw):
        pts = s.get("points") if isinstance(s, dict) else None
        if not isinstance(pts, list):
            raise InputError(f"ink file: stroke {k} has no 'points' list")
        if not pts:
            continue  # an empty stroke carries nothing
        total += len(pts)
        if total > MAX_POINTS:
            raise InputError(f"ink file: more than {MAX_POINTS} points")
        if not all(isinstance(p, list) and 2 <= len(p) <= 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p) for p in pts):
            raise InputError(f"ink file: stroke {k} has a point that is not a list of 2 to 4 numbers")
        width = {len(p) for p in pts}
        if len(width) != 1:
            raise InputError(f"ink file: stroke {k} mixes points of different lengths")
        try:
            strokes.append(Stroke(np.array(pts, dtype=np.float64)))
        except InputError as e:
            raise InputError(f"ink file: stroke {k}: {e}") from None
    return strokes


def read_ink_json(path: str | Path) -> object:
    """The parsed JSON of an ink file, any shape (``ink_from_dict`` validates it).

    Raises:
        InputError: unreadable, larger than ``MAX_FILE_BYTES``, not UTF-8, or not valid JSON
        (nesting too deep for the parser included).
    """
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"ink file too large: {size:,} bytes (the limit is {MAX_FILE_BYTES:,})")
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read ink file: {e.__class__.__name__}: {e}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"ink file is not valid JSON: {e}") from None
    except RecursionError:
        raise InputError("ink file is not valid JSON: nested too deeply") from None


def load_ink(path: str | Path) -> list[Stroke]:
    """Read a ``*.ink.json`` file. Raises InputError naming the problem."""
    return ink_from_dict(read_ink_json(path))


def save_ink(path: str | Path, strokes: Iterable[Stroke]) -> None:
    """Write strokes as a ``*.ink.json`` file, atomically (``atomic.write_atomic``)."""
    write_atomic(path, json.dumps(ink_to_dict(strokes), separators=(",", ":")))


# --- rasterization -------------------------------------------------------------------------------

def stroke_width(pressure: float, base: float) -> float:
    """Pen width for a pressure in [0, 1]: from 0.5x to 1.5x the base width."""
    return base * (0.5 + pressure)


def rasterize(
    strokes: Sequence[Stroke],
    box: tuple[float, float, float, float] | None = None,
    scale: float = 1.0,
    width: float = 3.0,
    margin: int = 4,
    antialias: bool = True,
) -> np.ndarray:
    """Draw strokes as ink on white.

    Args:
        strokes: the strokes to draw.
        box: the ink-coordinate region to draw (default: the strokes' bounds).
        scale: output pixels per ink unit.
        width: pen width in output pixels at pressure 0.5 (widths follow pressure).
        margin: blank output pixels around the box.
        antialias: smooth edges (for display); False draws faster, for masks.
    Returns:
        uint8 (H, W): 255 paper, 0 ink. Pixel (margin, margin) is the box's top-left corner.
    """
    if box is None:
        pts = np.vstack([s.points[:, :2] for s in strokes]) if strokes else np.zeros((1, 2))
        box = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
    x0, y0, x1, y1 = box
    w = int(math.ceil((x1 - x0) * scale)) + 2 * margin + 1
    h = int(math.ceil((y1 - y0) * scale)) + 2 * margin + 1
    img = np.full((h, w), 255, np.uint8)
    shift = 4  # sub-pixel precision for cv2 drawing
    f = float(1 << shift)
    line_type = cv2.LINE_AA if antialias else cv2.LINE_8
    for s in strokes:
        xy = (s.points[:, :2] - (x0, y0)) * scale + margin
        fixed = np.round(xy * f).astype(np.int64)
        pressures = s.points[:, 2]
        if len(fixed) == 1:
            r = max(1, int(round(stroke_width(pressures[0], width) / 2)))
            cv2.circle(img, (int(fixed[0, 0]), int(fixed[0, 1])), r << shift, 0, -1, line_type, shift)
            continue
        if np.ptp(pressures) < 1e-6:  # constant width: one call
            t = max(1, int(round(stroke_width(pressures[0], width))))
            cv2.polylines(img, [fixed.reshape(-1, 1, 2).astype(np.int32)], False, 0, t, line_type, shift)
            continue
        for i in range(len(fixed) - 1):
            t = max(1, int(round(stroke_width((pressures[i] + pressures[i + 1]) / 2, width))))
            cv2.line(img, tuple(map(int, fixed[i])), tuple(map(int, fixed[i + 1])), 0, t, line_type, shift)
    return img
