"""Digital ink: strokes of (x, y, pressure, t_ms) points, an undoable stroke list, file I/O, rasterization.

An ``Ink`` tells its ``listener`` of every change as an ``Edit``, which ``Ink.apply`` makes again (the app's
autosave journal records and replays them); ``history_to_dict`` and ``ink_with_history`` keep the undo and
redo steps across a restart.

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
from typing import Callable, Iterable, Sequence

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


EDIT_OPS = ("add", "erase", "clear", "replace", "undo", "redo")


@dataclass(frozen=True)
class Edit:
    """One change made to an ``Ink``, as its ``listener`` hears of it and ``Ink.apply`` makes it again.

    Attributes:
        op: one of ``EDIT_OPS``: "add" (``strokes`` holds the one stroke added), "erase" (``indices``: the
            strokes removed, ascending, as they were numbered before), "clear", "replace" (``strokes``: the new
            strokes), "undo" or "redo".
    """

    op: str
    strokes: tuple[Stroke, ...] = ()
    indices: tuple[int, ...] = ()


Step = tuple  # one undo step: (op, items); see ``Ink._do``


class Ink:
    """An ordered list of strokes with per-stroke undo and redo.

    Every change (add, erase, clear, replace) is one undo step. The GUI's canvas holds
    one ``Ink`` and paints from it; the core recognizes it.

    Attributes:
        listener: called with an ``Edit`` after every change (None: nobody listens).
    """

    def __init__(self, strokes: Iterable[Stroke] = ()) -> None:
        self._strokes: list[Stroke] = list(strokes)
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self.listener: Callable[[Edit], None] | None = None

    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return tuple(self._strokes)

    def __len__(self) -> int:
        return len(self._strokes)

    def __bool__(self) -> bool:
        return bool(self._strokes)

    def add(self, stroke: Stroke) -> None:
        self._apply("add", [(len(self._strokes), stroke)])
        self._tell(Edit("add", (stroke,)))

    def erase(self, indices: Sequence[int]) -> None:
        """Remove the strokes at ``indices`` (one undo step); unknown indices are ignored."""
        items = [(i, self._strokes[i]) for i in sorted(set(indices)) if 0 <= i < len(self._strokes)]
        if items:
            self._apply("remove", items)
            self._tell(Edit("erase", indices=tuple(i for i, _ in items)))

    def clear(self) -> None:
        if self._strokes:
            self._apply("remove", list(enumerate(self._strokes)))
            self._tell(Edit("clear"))

    def replace(self, strokes: Iterable[Stroke]) -> None:
        """Put ``strokes`` in place of all current strokes (one undo step), e.g. when a file is opened."""
        old = list(enumerate(self._strokes))
        new = list(enumerate(strokes))
        if old or new:
            self._apply("replace", [old, new])  # type: ignore[list-item]
            self._tell(Edit("replace", tuple(s for _, s in new)))

    def apply(self, edit: Edit) -> bool:
        """Make ``edit`` again, as the listener heard of it; False when it changes nothing (an undo with
        nothing to undo, say).

        Raises:
            ValueError: an op not in ``EDIT_OPS``, or an "add" without exactly one stroke.
        """
        before = (len(self._undo), len(self._redo))  # every change moves one of the two stacks
        if edit.op == "add":
            if len(edit.strokes) != 1:
                raise ValueError("an 'add' edit carries exactly one stroke")
            self.add(edit.strokes[0])
        elif edit.op == "erase":
            self.erase(edit.indices)
        elif edit.op == "clear":
            self.clear()
        elif edit.op == "replace":
            self.replace(edit.strokes)
        elif edit.op in ("undo", "redo"):
            (self.undo if edit.op == "undo" else self.redo)()
        else:
            raise ValueError(f"unknown edit {edit.op!r}")
        return before != (len(self._undo), len(self._redo))

    def _tell(self, edit: Edit) -> None:
        if self.listener is not None:
            self.listener(edit)

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
        self._tell(Edit("undo"))
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        op, items = self._redo.pop()
        self._do(op, items)
        self._undo.append((op, items))
        self._tell(Edit("redo"))
        return True

    def history(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
        """The undo and the redo steps, oldest first (the last undo step is undone first); steps are never
        changed once made, so the tuples may be read on another thread."""
        return tuple(self._undo), tuple(self._redo)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(x0, y0, x1, y1)`` over all strokes, or None when empty."""
        if not self._strokes:
            return None
        boxes = np.array([s.box for s in self._strokes])
        return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())


# --- files ---------------------------------------------------------------------------------------

def stroke_to_json(stroke: Stroke) -> list[list[float]]:
    """A stroke's points as JSON values, ``[[x, y, pressure, t_ms], ...]``, rounded to 3 decimals."""
    return np.round(stroke.points, 3).tolist()


def stroke_from_json(pts: object) -> Stroke:
    """The stroke of a JSON point list (``stroke_to_json``'s, or 2 or 3 numbers a point).

    Raises:
        InputError: not a non-empty list of points of 2 to 4 numbers each, all of one length, or a bad value.
    """
    if not isinstance(pts, list) or not pts:
        raise InputError("a stroke needs a non-empty list of points")
    def number(v: object) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not all(isinstance(p, list) and 2 <= len(p) <= 4 and all(map(number, p)) for p in pts):
        raise InputError("it has a point that is not a list of 2 to 4 numbers")
    if len({len(p) for p in pts}) != 1:
        raise InputError("it mixes points of different lengths")
    return Stroke(np.array(pts, dtype=np.float64))


def ink_to_dict(strokes: Iterable[Stroke]) -> dict:
    """The JSON document of the ink file format."""
    return {
        "format": INK_FORMAT,
        "version": INK_VERSION,
        "strokes": [{"points": stroke_to_json(s)} for s in strokes],
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
        try:
            strokes.append(stroke_from_json(pts))
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


# --- undo history --------------------------------------------------------------------------------

def history_to_dict(strokes: Sequence[Stroke], history: tuple[Sequence[Step], Sequence[Step]]) -> dict:
    """An ink's undo and redo steps (``Ink.history``) as JSON values, to keep beside its ``strokes``
    (``ink_with_history`` reads them back)::

        {"strokes": [points, ...], "undo": [step, ...], "redo": [step, ...]}

    Steps are oldest first (the last undo step is undone first, the last redo step redone first).
    A step is ``["add", [[index, ref], ...]]``, ``["remove", [[index, ref], ...]]`` or
    ``["replace", [[[index, ref], ...], [[index, ref], ...]]]`` (the strokes before, then after); ``ref``
    numbers the ink's own strokes first, then the history's ``strokes`` (those no longer shown).
    """
    refs = {id(s): i for i, s in enumerate(strokes)}
    extra: list[Stroke] = []

    def ref(stroke: Stroke) -> int:
        if id(stroke) not in refs:
            refs[id(stroke)] = len(strokes) + len(extra)
            extra.append(stroke)
        return refs[id(stroke)]

    def items(pairs) -> list:
        return [[i, ref(s)] for i, s in pairs]

    def step(op: str, its) -> list:
        return [op, [items(its[0]), items(its[1])] if op == "replace" else items(its)]

    undo, redo = history
    doc = {"undo": [step(*u) for u in undo], "redo": [step(*r) for r in redo]}
    return {"strokes": [stroke_to_json(s) for s in extra], **doc}


def _fits(strokes: list[Stroke], op: str, items) -> bool:
    """Whether undo step ``(op, items)`` can be done to ``strokes`` as they are (``Ink._do``)."""
    if op == "add":
        return all(0 <= i <= len(strokes) + k for k, (i, _) in enumerate(items))
    if op == "remove":
        return all(0 <= i < len(strokes) and strokes[i] is s for i, s in items)
    return len(items[0]) == len(strokes) and all(a is b for (_, a), b in zip(items[0], strokes))


def ink_with_history(strokes: Sequence[Stroke], doc: object) -> Ink:
    """An ``Ink`` of ``strokes`` with the undo and redo steps of ``history_to_dict``'s ``doc``.

    Raises:
        InputError: ``doc`` is malformed, or its steps do not lead to and from ``strokes``.
    """
    if not isinstance(doc, dict):
        raise InputError("undo history: not a JSON object")
    pool = list(strokes)
    try:
        pool += [stroke_from_json(p) for p in doc.get("strokes", [])]
    except (InputError, TypeError) as e:
        raise InputError(f"undo history: a stroke: {e}") from None

    def items(raw) -> list[tuple[int, Stroke]]:
        if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 and all(type(v) is int for v in p)
                                                and 0 <= p[1] < len(pool) for p in raw):
            raise InputError("undo history: a step's strokes are not [index, stroke] pairs")
        return [(i, pool[k]) for i, k in raw]

    def step(raw) -> Step:
        if not isinstance(raw, list) or len(raw) != 2 or raw[0] not in ("add", "remove", "replace"):
            raise InputError(f"undo history: not a step: {str(raw)[:60]}")
        op, body = raw
        if op != "replace":
            return op, items(body)
        if not isinstance(body, list) or len(body) != 2:
            raise InputError("undo history: a replace step needs the strokes before and after")
        return op, [items(body[0]), items(body[1])]

    ink = Ink(strokes)
    ink._undo = [step(u) for u in _list(doc, "undo")]
    ink._redo = [step(r) for r in _list(doc, "redo")]
    trial = Ink(strokes)  # walk every step back and forth from ``strokes``: a bad one would break undo later
    for op, its in reversed(ink._undo):
        inverse = Ink._inverse(op, its)
        if not _fits(trial._strokes, *inverse):
            raise InputError("undo history: its undo steps do not lead to these strokes")
        trial._do(*inverse)
    trial = Ink(strokes)
    for op, its in reversed(ink._redo):
        if not _fits(trial._strokes, op, its):
            raise InputError("undo history: its redo steps do not lead from these strokes")
        trial._do(op, its)
    return ink


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InputError(f"undo history: {key!r} must be a list")
    return value


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
        widths = np.maximum(1, np.round(stroke_width((pressures[:-1] + pressures[1:]) / 2, width))).astype(int)
        if antialias:  # segment by segment: smoothed edges blend where segments overlap, as they always have
            for i in range(len(fixed) - 1):
                cv2.line(img, tuple(map(int, fixed[i])), tuple(map(int, fixed[i + 1])), 0, int(widths[i]),
                         line_type, shift)
            continue
        # a mask: one polyline per run of segments of the same width draws the pixels that segment-by-segment
        # lines would (each segment is capped at both ends either way), without a Python call per segment
        starts = np.flatnonzero(np.r_[True, widths[1:] != widths[:-1]])
        ends = np.r_[starts[1:], len(widths)]
        pts = fixed.reshape(-1, 1, 2).astype(np.int32)
        for a, b in zip(starts, ends):
            cv2.polylines(img, [pts[a : b + 1]], False, 0, int(widths[a]), line_type, shift)
    return img
