"""Read UNIPEN 1.0 on-line handwriting (train_r01_v07 as shipped) into segments of pen strokes.

The format, as ``../shared/data/unipen/README.txt`` describes it and as this reader handles it:

- ``data/<category>/<contributor>/.../<name>.dat`` holds ``.INCLUDE`` and ``.SEGMENT`` lines; the pen data
  come from the files it includes (paths relative to ``include/``), in order, and includes may nest.
  Headers (``.COORD``, ``.X_POINTS_PER_INCH``, ``.POINTS_PER_SECOND``, ``.WRITER_ID`` ...) are state: a
  value holds until it is changed, across includes.
- An entry starts at a line beginning with ``.`` and runs to the next one. Every non-empty ``.PEN_DOWN``
  and ``.PEN_UP`` block is one *component*, numbered from 0 across the data file and all it includes; the
  count restarts at ``.START_SET``. Empty blocks are not counted.
- ``.SEGMENT <type> <delineation> <quality> "<label>"``: the delineation lists components ("3-5,7") or
  samples ("9:0-11:5", 0-based and inclusive); the segment's ink is its pen-down pieces. Labels are
  quoted with backslash escapes; ``\\@`` marks a ligature (kai), which is dropped from word labels, and a
  segment labelled only ``\\@`` is a connecting stroke (``Segment.ligature``).
- y points up (flipped here); units are device points (``.X_POINTS_PER_INCH`` or ``_PER_MM``, y rescaled
  when its resolution differs). Points come out in inches, y down.
- ``T`` columns are milliseconds, or microseconds (atu: told apart by the sampling step); without ``T`` a
  sample clock runs over pen-down and pen-up samples at ``.POINTS_PER_SECOND`` (absurd rates, as kai's
  9600 or art's 10, and none at all, read as 100 Hz), plus ``.DT`` pauses. A ``P`` column of 0 is the pen
  in the air (atu stores a whole line as one pen-down block): strokes are split there.

Writers: a segment's writer is ``<contributor>/<.WRITER_ID>`` (the id in force when its first component
was read; the include file's name where no id is given). ``split_of`` puts whole writers in validation
(the benchmarks') and dev (a training run's choice of epoch), the same way on every machine.

    python training/unipen.py stats --unipen ../shared/data/unipen/train_r01_v07_dev.tar.xz
    python training/unipen.py export --categories 8 --split val --limit 20 --out /tmp/unipen_ink
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import sys
import tarfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "unipen" / "train_r01_v07_dev.tar.xz"
CATEGORIES = ("1a", "1b", "1c", "1d", "2", "3", "6", "7", "8")
CHARACTER_CATEGORIES = ("1a", "1b", "1c", "1d", "3")  # 2 repeats exactly these
QUALITIES = ("?", "BAD", "OK", "GOOD")
USABLE = ("?", "OK", "GOOD")
DEFAULT_RATE = 100.0  # Hz, where .POINTS_PER_SECOND is missing or absurd
RATE_RANGE = (20.0, 1000.0)
MAX_DT_MS = 60_000.0  # a .DT pause longer than this is garbage (tos has 1935897193)
VAL_PERCENT = 15  # of the writers, chosen by a hash of the writer's name: never trained on, the benchmarks' writers
DEV_PERCENT = 5  # the next writers by that hash: not trained on either, they pick a training run's best epoch
LIGATURE = "\\@"


class UnipenError(ValueError):
    """A file that does not follow the format (a bad delineation, a component past the end)."""


@dataclass(frozen=True)
class Segment:
    """One labelled piece of ink.

    Attributes:
        category: "1a" ... "8" (the folder under ``data/``).
        file: the data file, relative to the archive root (``data/8/dar/dar2/isk.dat``).
        contributor: the contributor code ("dar").
        writer: ``<contributor>/<writer id>``: the unit of the train/validation split.
        kind: the segment type (CHARACTER, WORD, TEXT).
        quality: "?", "BAD", "OK" or "GOOD".
        label: the transcription, escapes resolved, ligature marks dropped.
        strokes: float64 (N_i, 3) per pen-down trace: x, y in inches (y down), t in ms.
        ligature: the segment is only a connecting stroke (label ``\\@``).
    """

    category: str
    file: str
    contributor: str
    writer: str
    kind: str
    quality: str
    label: str
    strokes: tuple[np.ndarray, ...]
    ligature: bool = False

    @property
    def split(self) -> str:
        return split_of(self.writer)


def split_of(writer: str, val_percent: int = VAL_PERCENT, dev_percent: int = DEV_PERCENT) -> str:
    """"val" for about ``val_percent`` % of the writers (by a stable hash of the name), "dev" for the next
    ``dev_percent`` %, else "train"."""
    h = int.from_bytes(hashlib.sha1(writer.encode("utf-8")).digest()[:4], "big") % 100
    return "val" if h < val_percent else "dev" if h < val_percent + dev_percent else "train"


# --- sources: the unpacked folder or the .tar.xz as shipped ---------------------------------------

class Source:
    """Text files of a UNIPEN tree by their path relative to its root (``data/...``, ``include/...``)."""

    def read(self, rel: str) -> str:
        raise NotImplementedError

    def data_files(self, category: str) -> list[str]:
        raise NotImplementedError


class FolderSource(Source):
    def __init__(self, root: Path):
        self.root = Path(root)

    def read(self, rel: str) -> str:
        try:
            return (self.root / rel).read_bytes().decode("latin-1")
        except FileNotFoundError:
            raise UnipenError(f"{rel}: no such file") from None

    def data_files(self, category: str) -> list[str]:
        base = self.root / "data" / category
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*.dat")) if base.is_dir() else []


class TarSource(Source):
    """A tar archive (any compression tarfile reads); every text file is read into memory once (539 MB for
    train_r01_v07), since a compressed tar cannot be read out of order."""

    def __init__(self, path: Path):
        self.files: dict[str, bytes] = {}
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.isfile():
                    f = tar.extractfile(member)
                    if f is not None:
                        self.files[_strip_top(member.name)] = f.read()

    def read(self, rel: str) -> str:
        try:
            return self.files[rel].decode("latin-1")
        except KeyError:
            raise UnipenError(f"{rel}: no such file in the archive") from None

    def data_files(self, category: str) -> list[str]:
        prefix = f"data/{category}/"
        return sorted(k for k in self.files if k.startswith(prefix) and k.endswith(".dat"))


def _strip_top(name: str) -> str:
    """``train_r01_v07/data/1a/...`` -> ``data/1a/...`` (the archive's top folder is not part of the paths)."""
    parts = name.split("/")
    for i, p in enumerate(parts):
        if p in ("data", "include"):
            return "/".join(parts[i:])
    return name


def open_source(path: str | Path) -> Source:
    """A UNIPEN tree: its folder (the one holding ``data/`` and ``include/``, or a folder above it) or its
    tar archive."""
    p = Path(path)
    if p.is_dir():
        for root in (p, *sorted(p.iterdir())):
            if root.is_dir() and (root / "data").is_dir() and (root / "include").is_dir():
                return FolderSource(root)
        raise UnipenError(f"{p}: no data/ and include/ folders in it")
    if p.is_file():
        return TarSource(p)
    raise UnipenError(f"{p}: no such file or folder")


# --- parsing ----------------------------------------------------------------------------------------

@dataclass
class _Component:
    pen_down: bool
    samples: np.ndarray  # float64 (n, k): the declared coordinates
    t_ms: np.ndarray  # float64 (n,)
    scale: tuple[float, float]  # inches per device point, x and y
    columns: tuple[str, ...]
    writer: str


@dataclass
class _State:
    """Headers in force; they persist across includes."""

    columns: tuple[str, ...] = ("X", "Y")
    x_res: float = 0.0  # points per inch
    y_res: float = 0.0
    rate: float = DEFAULT_RATE
    writer: str = ""
    clock_ms: float = 0.0  # the sample clock where no T column is given
    components: list[_Component] = field(default_factory=list)


_ENTRY = re.compile(r"^\.", re.MULTILINE)


def _entries(text: str) -> Iterator[tuple[str, str, str]]:
    """(keyword, rest of its first line, the lines after it) for every entry of a file."""
    for chunk in _ENTRY.split(text)[1:]:
        first, _, body = chunk.partition("\n")
        words = first.split(None, 1)
        if words:
            yield words[0], words[1].strip() if len(words) > 1 else "", body


def _numbers(body: str, ncols: int, where: str) -> np.ndarray:
    """float64 (n, ncols) from the lines of a pen block."""
    values = body.split()
    if not values:
        return np.zeros((0, ncols))
    try:
        arr = np.array(values, dtype=np.float64)
    except ValueError:
        raise UnipenError(f"{where}: a pen block holds something that is not a number") from None
    if arr.size % ncols:
        # some files end a block with a short line; keep the rows that are whole
        rows = [r.split() for r in body.splitlines() if r.strip()]
        arr = np.array([r[:ncols] for r in rows if len(r) >= ncols], dtype=np.float64)
        return arr.reshape(-1, ncols)
    return arr.reshape(-1, ncols)


def _resolution(rest: str, per_mm: bool) -> float:
    try:
        v = float(rest.split()[0])
    except (IndexError, ValueError):
        return 0.0
    return v * 25.4 if per_mm else v


def _times(samples: np.ndarray, columns: tuple[str, ...], state: _State) -> np.ndarray:
    n = len(samples)
    if "T" in columns:
        t = samples[:, columns.index("T")].astype(np.float64)
        steps = np.diff(t)
        steps = steps[steps > 0]
        if len(steps) and np.median(steps) > 200:  # microseconds (atu): ~4,900 per sample at 200 Hz
            t = t / 1000.0
        return t
    t = state.clock_ms + np.arange(n) * (1000.0 / state.rate)
    state.clock_ms += n * 1000.0 / state.rate
    return t


def _run_file(source: Source, rel: str, state: _State, contributor: str, depth: int = 0) -> list[tuple[str, str]]:
    """Read ``rel`` into ``state`` (headers and components), following includes; returns its .SEGMENT lines
    as (rest of line, the file) in order."""
    if depth > 8:
        raise UnipenError(f"{rel}: includes nest too deep")
    segments: list[tuple[str, str]] = []
    for keyword, rest, body in _entries(source.read(rel)):
        if keyword in ("PEN_DOWN", "PEN_UP"):
            samples = _numbers(body, len(state.columns), rel)
            if len(samples) == 0:
                continue  # empty blocks are not components
            t = _times(samples, state.columns, state)
            xr = state.x_res or 1000.0
            yr = state.y_res or xr
            state.components.append(_Component(keyword == "PEN_DOWN", samples, t, (1.0 / xr, 1.0 / yr),
                                               state.columns, state.writer or f"{contributor}/{Path(rel).stem}"))
        elif keyword == "INCLUDE":
            segments += _run_file(source, "include/" + rest.split()[0], state, contributor, depth + 1)
        elif keyword == "SEGMENT":
            segments.append((rest, rel))
        elif keyword == "COORD":
            state.columns = tuple(rest.split())
        elif keyword in ("X_POINTS_PER_INCH", "X_POINTS_PER_MM"):
            state.x_res = _resolution(rest, keyword.endswith("MM"))
        elif keyword in ("Y_POINTS_PER_INCH", "Y_POINTS_PER_MM"):
            state.y_res = _resolution(rest, keyword.endswith("MM"))
        elif keyword == "POINTS_PER_SECOND":
            try:
                rate = float(rest.split()[0])
            except (IndexError, ValueError):
                rate = DEFAULT_RATE
            state.rate = rate if RATE_RANGE[0] <= rate <= RATE_RANGE[1] else DEFAULT_RATE
        elif keyword == "DT":
            try:
                dt = float(rest.split()[0])
            except (IndexError, ValueError):
                dt = 0.0
            if 0 <= dt <= MAX_DT_MS:
                state.clock_ms += dt
        elif keyword == "WRITER_ID":
            wid = rest.split()[0] if rest.split() else ""
            state.writer = f"{contributor}/{wid}" if wid else ""
        elif keyword == "START_SET":
            state.components = []
    return segments


_SEGMENT = re.compile(r'^(\S+)\s+(\S+)\s+(\S+)\s+"((?:[^"\\]|\\.)*)"')
_RANGE = re.compile(r"^(\d+)(?::(\d+))?(?:-(\d+)(?::(\d+))?)?$")


def parse_label(raw: str) -> tuple[str, bool]:
    """A quoted label's text (``\\"`` and ``\\\\`` resolved, ``\\@`` ligature marks dropped), and whether it
    was only a ligature."""
    if raw.strip() == LIGATURE:
        return "", True
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt != "@":
                out.append(nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out), False


def parse_delineation(text: str) -> list[tuple[int, int | None, int, int | None]]:
    """``"3-5,7"`` / ``"9:0-11:5"`` -> [(first component, first sample or None, last component, last sample
    or None)], inclusive."""
    out = []
    for item in text.split(","):
        m = _RANGE.match(item.strip())
        if not m:
            raise UnipenError(f"bad delineation {text!r}")
        a, m_, b, n_ = m.groups()  # a lone "A:M" runs from sample M to the end of A
        first, last = int(a), int(b) if b is not None else int(a)
        if last < first:
            raise UnipenError(f"bad delineation {text!r}")
        out.append((first, int(m_) if m_ is not None else None, last, int(n_) if n_ is not None else None))
    return out


def _component_strokes(c: _Component, lo: int, hi: int) -> list[np.ndarray]:
    """The pen-down traces of samples lo..hi (inclusive) of a component, float64 (n, 3) x, y inches (y down), t ms."""
    s = c.samples[lo : hi + 1]
    t = c.t_ms[lo : hi + 1]
    x = s[:, c.columns.index("X")] * c.scale[0] if "X" in c.columns else s[:, 0] * c.scale[0]
    y = -(s[:, c.columns.index("Y")] if "Y" in c.columns else s[:, 1]) * c.scale[1]
    pts = np.stack([x, y, t], 1)
    if "P" not in c.columns:
        return [pts] if len(pts) else []
    down = s[:, c.columns.index("P")] > 0
    out, start = [], None
    for i, d in enumerate(np.append(down, False)):
        if d and start is None:
            start = i
        elif not d and start is not None:
            out.append(pts[start:i])
            start = None
    return out


def segment_strokes(components: Sequence[_Component], ranges: Sequence[tuple[int, int | None, int, int | None]],
                    delineation: str) -> list[np.ndarray]:
    """The pen-down ink of a delineation (``ranges``: ``parse_delineation(delineation)``), in writing order."""
    strokes: list[np.ndarray] = []
    for first, m, last, n in ranges:
        if last >= len(components):
            raise UnipenError(f"delineation {delineation!r} reaches component {last} of {len(components)}")
        for k in range(first, last + 1):
            c = components[k]
            lo = m if (k == first and m is not None) else 0
            hi = n if (k == last and n is not None) else len(c.samples) - 1
            if c.pen_down and lo <= hi:
                strokes += _component_strokes(c, lo, min(hi, len(c.samples) - 1))
    return strokes


def read_file(source: Source, rel: str, category: str | None = None) -> Iterator[Segment]:
    """Every segment of one data file (``data/<category>/<contributor>/...``)."""
    parts = rel.split("/")
    contributor = parts[2] if len(parts) > 3 and parts[0] == "data" else parts[0]
    category = category or (parts[1] if parts[0] == "data" else "")
    state = _State()
    for rest, where in _run_file(source, rel, state, contributor):
        m = _SEGMENT.match(rest)
        if not m:
            raise UnipenError(f"{where}: bad .SEGMENT line {rest[:80]!r}")
        kind, delineation, quality, raw = m.groups()
        ranges = parse_delineation(delineation)
        strokes = segment_strokes(state.components, ranges, delineation)
        if not strokes:
            continue
        label, ligature = parse_label(raw)
        yield Segment(category, rel, contributor, state.components[ranges[0][0]].writer, kind, quality.upper(), label,
                      tuple(strokes), ligature)


def read_segments(source: Source, categories: Iterable[str] = CHARACTER_CATEGORIES,
                  qualities: Sequence[str] = USABLE, split: str | None = None,
                  errors: list[str] | None = None) -> Iterator[Segment]:
    """The segments of ``categories`` whose quality is in ``qualities`` and, with ``split`` ("train" or "val"),
    whose writer is in that split; ligature-only segments are left out. A data file that cannot be read (its
    include missing, a bad delineation) is skipped and named in ``errors`` when given."""
    for cat in categories:
        for rel in source.data_files(cat):
            try:
                for seg in read_file(source, rel, cat):
                    if seg.quality in qualities and not seg.ligature and (split is None or seg.split == split):
                        yield seg
            except UnipenError as e:
                if errors is not None:
                    errors.append(f"{rel}: {e}")


# --- ink --------------------------------------------------------------------------------------------

PX_PER_INCH = 100.0  # ink coordinates of an exported segment: about a screen's


def to_ink_points(segment: Segment, px_per_inch: float = PX_PER_INCH, margin: float = 10.0) -> list[np.ndarray]:
    """float64 (n, 4) per stroke: x, y in pixels (top-left of the ink at ``margin``), pressure 1, t in ms from
    the first sample: the points of ``hwr_desktop.ink.Stroke``."""
    allpts = np.vstack(segment.strokes)
    x0, y0 = allpts[:, 0].min(), allpts[:, 1].min()
    t0 = allpts[:, 2].min()
    out = []
    for s in segment.strokes:
        p = np.empty((len(s), 4))
        p[:, 0] = (s[:, 0] - x0) * px_per_inch + margin
        p[:, 1] = (s[:, 1] - y0) * px_per_inch + margin
        p[:, 2] = 1.0
        p[:, 3] = s[:, 2] - t0
        out.append(p)
    return out


def written_lines(strokes: list[np.ndarray]) -> int:
    """The truth: how many lines the pen wrote. A stroke starts a line where the pen went back left, by half
    the text's width or 4 letter heights, whichever is less (a short line, a centred one), and down, its
    middle no higher than a quarter height above the line so far's bottom and 3/4 of a height below its middle
    (the dot of a lone "?" or the last bar of an "E" starts none). float (n, >=2) strokes, y down."""
    pts = np.vstack([s[:, :2] for s in strokes])
    width = float(np.ptp(pts[:, 0])) or 1.0
    heights = [float(np.ptp(s[:, 1])) for s in strokes]
    h = float(np.median(sorted(heights)[len(heights) // 2:])) or 1.0  # the taller half: letters, not dots
    lines, top, bottom, right = 1, strokes[0][:, 1].min(), strokes[0][:, 1].max(), strokes[0][:, 0].max()
    for s in strokes[1:]:
        x0, cy = s[:, 0].min(), (s[:, 1].min() + s[:, 1].max()) / 2
        if x0 < right - min(0.5 * width, 4 * h) and cy > bottom - 0.25 * h and cy > (top + bottom) / 2 + 0.75 * h:
            lines += 1
            top, bottom, right = s[:, 1].min(), s[:, 1].max(), s[:, 0].max()
        else:
            top, bottom, right = min(top, s[:, 1].min()), max(bottom, s[:, 1].max()), max(right, s[:, 0].max())
    return lines


def character_lines(segments: Sequence[Segment], min_chars: int = 4, symbols: str = "") -> list[list[Segment]]:
    """Category 3's characters put back on the lines they were cut from: each data file holds a writer's
    characters in writing order with their real positions (the alphabet, words and sentences, written as
    lines), so consecutive characters of a file form a line until the pen goes back left or moves off the
    line. Lines of ``min_chars`` or more characters, letters and digits only (and the characters of
    ``symbols``, with at least one letter or digit), each its characters in order."""
    out: list[list[Segment]] = []
    run: list[Segment] = []

    def flush() -> None:
        text = "".join(s.label for s in run)
        if len(run) >= min_chars and all(c.isalnum() or c in symbols for c in text) and any(c.isalnum() for c in text):
            out.append(list(run))
        run.clear()

    for seg in segments:
        pts = np.vstack(seg.strokes)
        if run:
            last = np.vstack(run[-1].strokes)
            height = float(np.median([np.ptp(np.vstack(s.strokes)[:, 1]) for s in run]))
            line_cy = float(np.median([np.vstack(s.strokes)[:, 1].mean() for s in run]))
            if (seg.file != run[-1].file or pts[:, 0].min() < last[:, 0].min() - 0.2 * height
                    or abs((pts[:, 1].min() + pts[:, 1].max()) / 2 - line_cy) > 1.2 * height):
                flush()
        run.append(seg)
    flush()
    return out


WRITTEN_PX = 28.0  # a line of category 3 is drawn with half its ink height (about its capitals' height) this many pixels


def character_line_ink(chars: Sequence[Segment]) -> tuple[list[np.ndarray], list[tuple[int, ...]]]:
    """One line of category 3 (``character_lines``) as ink points (``to_ink_points``), scaled so that half its ink
    height is WRITTEN_PX pixels (tablets differ in resolution), and per character the indices of its strokes."""
    strokes = [st for c in chars for st in c.strokes]
    owners, k = [], 0
    for c in chars:
        owners.append(tuple(range(k, k + len(c.strokes))))
        k += len(c.strokes)
    height = float(np.ptp(np.vstack(strokes)[:, 1]))
    line = dataclasses.replace(chars[0], strokes=tuple(strokes))
    return to_ink_points(line, WRITTEN_PX / max(0.5 * height, 1e-6)), owners


def to_ink_dict(segment: Segment, px_per_inch: float = PX_PER_INCH) -> dict:
    """The ``*.ink.json`` document of a segment (what ``hwr_desktop.ink.load_ink`` reads), with its label
    and origin under "unipen"."""
    return {
        "format": "hwr-ink", "version": 1,
        "strokes": [{"points": np.round(p, 2).tolist()} for p in to_ink_points(segment, px_per_inch)],
        "unipen": {"label": segment.label, "category": segment.category, "writer": segment.writer,
                   "file": segment.file, "quality": segment.quality},
    }


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40].strip("_") or "x"


def export(segments: Iterable[Segment], out: Path, limit: int | None = None) -> int:
    """Write each segment as ``NNNNN_<label>.ink.json`` and its label as ``.txt`` beside it; returns the count."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for seg in segments:
        if limit is not None and n >= limit:
            break
        stem = f"{n:05d}_{seg.category}_{_safe(seg.label)}"
        (out / f"{stem}.ink.json").write_text(json.dumps(to_ink_dict(seg)))
        (out / f"{stem}.txt").write_text(seg.label + "\n", encoding="utf-8")
        n += 1
    return n


CACHE_VERSION = 1
_META = ("category", "data_file", "contributor", "writer", "kind", "quality", "label")  # Segment's fields, as stored


def save_cache(segments: Iterable[Segment], path: Path) -> int:
    """Write segments to one ``.npz`` (points float32, offsets, labels, writers ...) that ``load_cache`` reads
    in seconds instead of parsing the tree again; returns the count."""
    pts, stroke_ends, seg_ends, meta = [], [], [], []
    n_pts = n_strokes = 0
    for seg in segments:
        for s in seg.strokes:
            pts.append(s.astype(np.float32))
            n_pts += len(s)
            stroke_ends.append(n_pts)
        n_strokes += len(seg.strokes)
        seg_ends.append(n_strokes)
        meta.append((seg.category, seg.file, seg.contributor, seg.writer, seg.kind, seg.quality, seg.label))
    cols = list(zip(*meta)) if meta else [()] * 7
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, version=CACHE_VERSION, points=np.vstack(pts) if pts else np.zeros((0, 3), np.float32),
                        stroke_ends=np.array(stroke_ends, np.int64), segment_ends=np.array(seg_ends, np.int64),
                        **{k: np.array(c, dtype=str) for k, c in zip(_META, cols)})
    return len(meta)


def load_cache(path: Path) -> list[Segment]:
    """The segments ``save_cache`` wrote (strokes as float64)."""
    with np.load(path) as z:
        if int(z["version"]) != CACHE_VERSION:
            raise UnipenError(f"{path}: cache version {int(z['version'])}, expected {CACHE_VERSION}")
        pts = z["points"].astype(np.float64)
        strokes = np.split(pts, z["stroke_ends"][:-1]) if len(pts) else []
        bounds = np.concatenate([[0], z["segment_ends"]])
        cols = [z[k] for k in _META]
    return [Segment(str(c), str(f), str(co), str(w), str(k), str(q), str(lab), tuple(strokes[a:b]))
            for (a, b), c, f, co, w, k, q, lab in zip(zip(bounds[:-1], bounds[1:]), *cols)]


def cached_segments(categories: Sequence[str], source_path: Path = DEFAULT_SOURCE,
                    cache_dir: Path | None = None, log=print) -> list[Segment]:
    """The usable segments of ``categories``, from ``cache_dir/unipen_<cats>.npz`` when it exists (else parsed
    from ``source_path``, cached there and read back from the cache, so that the run that makes the cache sees
    the same points as the runs after it). Without ``cache_dir``: parsed, not cached."""
    path = None if cache_dir is None else Path(cache_dir) / f"unipen_{'_'.join(categories)}.npz"
    if path is not None and path.exists():
        return load_cache(path)
    log(f"reading UNIPEN categories {', '.join(categories)} from {source_path} ...")
    errors: list[str] = []
    segs = list(read_segments(open_source(source_path), categories, errors=errors))
    for e in errors:
        log(f"  skipped {e}")
    if path is not None:
        save_cache(segs, path)
        log(f"  {len(segs)} segments cached in {path}")
        return load_cache(path)  # as every later run reads them (float32 points): the same figures either way
    return segs


def stats(source: Source, categories: Sequence[str]) -> dict:
    """Per category: segments, writers, and validation writers and segments."""
    out = {}
    for cat in categories:
        writers: dict[str, int] = defaultdict(int)
        quality: Counter = Counter()
        errors: list[str] = []
        for seg in read_segments(source, [cat], qualities=QUALITIES, errors=errors):
            writers[seg.writer] += 1
            quality[seg.quality] += 1
        val = [w for w in writers if split_of(w) == "val"]
        out[cat] = {"segments": sum(writers.values()), "writers": len(writers), "val_writers": len(val),
                    "val_segments": sum(writers[w] for w in val), "quality": dict(quality),
                    "unreadable_files": len(errors)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("stats", "export"):
        p = sub.add_parser(name)
        p.add_argument("--unipen", type=Path, default=DEFAULT_SOURCE, help="the .tar.xz or the unpacked folder")
        p.add_argument("--categories", default=",".join(CATEGORIES if name == "stats" else ("8",)))
    e = sub.choices["export"]
    e.add_argument("--split", choices=("train", "dev", "val", "all"), default="val")
    e.add_argument("--limit", type=int, default=20)
    e.add_argument("--contains", default="", help="only segments whose label contains this")
    e.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    try:
        source = open_source(args.unipen)
    except (UnipenError, OSError, tarfile.TarError) as err:
        print(f"unipen: {err}", file=sys.stderr)
        return 1
    cats = [c.strip() for c in args.categories.split(",") if c.strip()]
    bad = [c for c in cats if c not in CATEGORIES]
    if bad:
        print(f"unipen: unknown categories {bad} (known: {', '.join(CATEGORIES)})", file=sys.stderr)
        return 2
    if args.command == "stats":
        print(json.dumps(stats(source, cats), indent=1))
        return 0
    segs = read_segments(source, cats, split=None if args.split == "all" else args.split)
    n = export((s for s in segs if args.contains in s.label), args.out, args.limit)
    print(f"{n} segments written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
