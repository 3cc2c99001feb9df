"""Readers for the training sources, and the builder of the normalized training set.

Sources (see ../shared/data/README.md): MNIST digits, NIST capitals (Kaggle A-Z
sample), Omniglot lower case, vendored handwriting fonts, OpenCV's Hershey
fonts, and optionally the official EMNIST gzip IDX files. ``writer_set`` and
``WriterBatches`` make the writer-labelled glyphs of the style head (training/style.py).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import struct
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from training.synth import (
    CLASSES,
    HERSHEY_FACES,
    SYMBOLS,
    augment,
    load_font_manifest,
    normalize_or_none,
    font_draws,
    render_font,
    render_hershey,
    simulate_scan,
    upsample_real,
    writer_glyphs,
)
from hwr_desktop.personal import lookalike_groups

CLASS_INDEX = {c: i for i, c in enumerate(CLASSES)}
OMNIGLOT_HELDOUT_DRAWERS = (9, 10)


def load_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``../shared/data`` npz: images uint8 (N, H, W) white ink on black, labels as indices into CLASSES."""
    with np.load(path) as d:
        x = d["x"]
        names = [str(c) for c in d["classes"]]
        y = np.array([CLASS_INDEX[names[i]] for i in d["y"]], np.int64)
    return x, y


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (gzip or plain), the format of MNIST and EMNIST.

    Returns:
        uint8 array shaped as the header says: (N,) for labels, (N, H, W) for images.
    Raises:
        ValueError: not an IDX file of unsigned bytes, or truncated.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {int(np.prod(dims))} values, found {body.size}")
    return body.reshape(dims)


def load_emnist(images: Path, labels: Path, mapping: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read official EMNIST files (e.g. ``emnist-byclass-train-images-idx3-ubyte.gz``).

    EMNIST stores images transposed; they are returned upright, white ink on black.
    ``mapping`` is the set's ``*-mapping.txt`` ("label ascii_code" per line).
    Labels whose character is not one of the classes are dropped.
    """
    x = read_idx(images).transpose(0, 2, 1)
    raw = read_idx(labels).astype(np.int64)
    table = {}
    for line in mapping.read_text().split("\n"):
        if line.strip():
            label, code = line.split()
            table[int(label)] = chr(int(code))
    chars = [table.get(int(v), "") for v in raw]
    keep = np.array([c in CLASS_INDEX for c in chars], bool)
    y = np.array([CLASS_INDEX[c] for c, k in zip(chars, keep) if k], np.int64)
    return np.ascontiguousarray(x[keep]), y


# --- building the normalized set -------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One source glyph and how many samples to make of it (the first unaugmented if ``keep_plain``)."""

    kind: str  # "real" | "font" | "hershey" | "ink"
    label: int
    copies: int
    seed: int
    image: np.ndarray | None = None  # real: uint8 (H, W) white on black
    strokes: tuple[np.ndarray, ...] = ()  # ink: float (n, >= 2) x, y per pen-down trace (UNIPEN, y down)
    font: str = ""  # font: path; hershey: face name
    italic: bool = False
    keep_plain: bool = False
    scan_p: float = 0.0  # chance that a sample is photographed and read back through the app's binarizer


def ink_mask(strokes: tuple[np.ndarray, ...], rng: np.random.Generator | None = None) -> np.ndarray:
    """Pen trajectories drawn as the canvas draws a glyph (``pipeline.ink_glyph_mask``, the app's own
    rasterization); with ``rng``, the points first get a small random slant and stretch, as another hand
    would write them. bool (H, W), True = ink."""
    from hwr_desktop.ink import Stroke
    from hwr_desktop.pipeline import ink_glyph_mask

    m = np.eye(2)
    if rng is not None:
        m = np.array([[rng.uniform(0.85, 1.15), rng.uniform(-0.25, 0.25)], [0.0, rng.uniform(0.9, 1.1)]])
    return ink_glyph_mask([Stroke(np.asarray(s)[:, :2] @ m.T) for s in strokes])


def _source_mask(job: Job, rng: np.random.Generator) -> np.ndarray:
    char = CLASSES[job.label]
    if job.kind == "ink":
        return ink_mask(job.strokes, rng if not job.keep_plain else None)
    if job.kind == "real":
        return upsample_real(job.image)
    if job.kind == "font":
        return render_font(Path(job.font), char, int(rng.integers(40, 90)))
    return render_hershey(HERSHEY_FACES[job.font], char, job.italic, int(rng.integers(1, 5)))


def run_job(job: Job) -> tuple[np.ndarray, np.ndarray]:
    """Make the samples of one job: uint8 (k, 28, 28) (ink 255) and labels (k,)."""
    rng = np.random.default_rng(job.seed)
    out = []
    for i in range(job.copies):
        mask = _source_mask(job, rng)
        if not (job.keep_plain and i == 0):
            strength = 0.6 if job.kind in ("real", "ink") else 1.0
            mask = augment(mask, rng, strength)
        if rng.random() < job.scan_p:
            mask = simulate_scan(mask, rng)
        g = normalize_or_none(mask)
        if g is not None:
            out.append((g * 255).round().astype(np.uint8))
    x = np.stack(out) if out else np.zeros((0, 28, 28), np.uint8)
    return x, np.full(len(out), job.label, np.int64)


def build(jobs: list[Job], workers: int = 2, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Run jobs in a process pool; returns uint8 (N, 28, 28), int64 (N,)."""
    xs, ys = [], []
    with Pool(workers) as pool:
        for i, (x, y) in enumerate(pool.imap(run_job, jobs, chunksize=64)):
            xs.append(x)
            ys.append(y)
            if (i + 1) % 5000 == 0:
                log(f"  built {i + 1}/{len(jobs)} jobs")
    return np.concatenate(xs), np.concatenate(ys)


def heldout_font_indices(n_fonts: int, holdout: int = 4) -> list[int]:
    """Indices of the fonts kept for validation: every (n // holdout)-th font, ``holdout`` of them."""
    step = max(1, n_fonts // max(1, holdout))
    return [k for k in range(0, n_fonts, step)][:holdout]


def plan_jobs(
    data_dir: Path,
    font_dir: Path,
    *,
    font_copies: int,
    hershey_copies: int,
    real_letter_copies: int,
    mnist_limit: int | None,
    seed: int,
    holdout_fonts: int = 4,
    emnist: tuple[Path, Path, Path] | None = None,
    scan_p: float = 0.0,
    unipen: list | None = None,
    unipen_copies: int = 1,
) -> tuple[list[Job], list[Job]]:
    """Lay out the training and validation jobs. Validation: held-out fonts, MNIST train[55000:], 10 % of NIST
    capitals, and the characters of UNIPEN's *dev* writers (``unipen``: ``training/unipen.py`` Segments;
    its validation writers are never used here: they are for the benchmarks)."""
    rng = np.random.default_rng(seed)
    seeds = iter(rng.integers(0, 2**31, size=10_000_000))
    train: list[Job] = []
    val: list[Job] = []

    x, y = load_npz(data_dir / "mnist" / "mnist_train.npz")
    n_train = 55000 if mnist_limit is None else min(55000, mnist_limit)
    for img, lab in zip(x[:n_train], y[:n_train]):
        train.append(Job("real", int(lab), 1, int(next(seeds)), image=img, keep_plain=rng.random() < 0.5))
    for img, lab in zip(x[55000:57000], y[55000:57000]):
        val.append(Job("real", int(lab), 1, int(next(seeds)), image=img, keep_plain=True))

    x, y = load_npz(data_dir / "kaggle_az_sample" / "kaggle_az_sample_all.npz")
    order = np.random.default_rng(seed + 1).permutation(len(y))
    cut = len(y) // 10
    for i in order[cut:]:
        train.append(Job("real", int(y[i]), real_letter_copies, int(next(seeds)), image=x[i], keep_plain=True))
    for i in order[:cut]:
        val.append(Job("real", int(y[i]), 1, int(next(seeds)), image=x[i], keep_plain=True))

    omniglot = data_dir / "omniglot_latin" / "omniglot_latin_dev.npz"
    if omniglot.exists():  # drawers 9 and 10 are kept out: they measure the ink path (benchmarks/)
        x, y = load_npz(omniglot)
        with np.load(omniglot) as d:
            drawer = d["drawer"]
        for img, lab, who in zip(x, y, drawer):
            if who not in OMNIGLOT_HELDOUT_DRAWERS:
                train.append(Job("real", int(lab), real_letter_copies * 2, int(next(seeds)), image=img, keep_plain=True))

    fonts = load_font_manifest(font_dir)
    skip = {f["name"]: f.get("skip", "") for f in json.loads((font_dir / "manifest.json").read_text())["fonts"]}
    held_out = set(heldout_font_indices(len(fonts), holdout_fonts))
    for k, spec in enumerate(fonts):
        is_val = k in held_out
        for ch in CLASSES:
            if ch in skip[spec.name] or (ch in SYMBOLS and not font_draws(spec.path, ch)):
                continue
            job = Job("font", CLASS_INDEX[ch], 2 if is_val else font_copies, int(next(seeds)), font=str(spec.path))
            (val if is_val else train).append(job)

    for face in HERSHEY_FACES:
        for italic in (False, True):
            for ch in CLASSES:
                train.append(Job("hershey", CLASS_INDEX[ch], hershey_copies, int(next(seeds)), font=face, italic=italic))

    more_train, more_val = unipen_jobs(unipen or (), unipen_copies, seed + 2)
    train += more_train
    val += more_val

    if emnist is not None:
        x, y = load_emnist(*emnist)
        for img, lab in zip(x, y):
            train.append(Job("real", int(lab), 1, int(next(seeds)), image=img, keep_plain=rng.random() < 0.5))
    if scan_p > 0:
        train = [dataclasses.replace(j, scan_p=scan_p) for j in train]
    return train, val


def unipen_jobs(segments, copies: int, seed: int) -> tuple[list[Job], list[Job]]:
    """Ink jobs of UNIPEN characters (``training/unipen.py`` Segments) whose label is a class: the training
    writers' to train on (``copies`` samples each), the dev writers' to validate on; the validation writers'
    are left out (the benchmarks measure on them)."""
    rng = np.random.default_rng(seed)
    train: list[Job] = []
    val: list[Job] = []
    for seg in segments:
        if seg.label not in CLASS_INDEX or seg.split == "val":
            continue
        strokes = tuple(np.asarray(p[:, :2], np.float32) for p in seg.strokes)
        job_seed = int(rng.integers(0, 2**31))
        if seg.split == "dev":
            val.append(Job("ink", CLASS_INDEX[seg.label], 1, job_seed, strokes=strokes, keep_plain=True))
        else:
            train.append(Job("ink", CLASS_INDEX[seg.label], copies, job_seed, strokes=strokes,
                             keep_plain=rng.random() < 0.3))
    return train, val


def _writer(job: tuple) -> tuple[np.ndarray, np.ndarray]:
    kind, source, per_class, seed = job
    if kind == "font":
        drawn = {c: font_draws(Path(source), c) for c in SYMBOLS}

        def draw(ch, rng):  # a symbol the font lacks is left out (an empty mask)
            if not drawn.get(ch, True):
                return np.zeros((1, 1), bool)
            return render_font(Path(source), ch, int(rng.integers(50, 80)))
    else:
        face, italic, thickness = source

        def draw(ch, rng):
            return render_hershey(HERSHEY_FACES[face], ch, italic, thickness)
    return writer_glyphs(draw, per_class, np.random.default_rng(seed))


def writer_set(font_dir: Path, per_class: int, seed: int, workers: int = 2,
               limit: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Glyphs of every training font and Hershey face (upright and italic) as writers: x, class, writer id."""
    fonts = load_font_manifest(font_dir)
    held = set(heldout_font_indices(len(fonts), 4))
    rng = np.random.default_rng(seed)
    jobs = [("font", str(f.path), per_class, int(rng.integers(2**31))) for i, f in enumerate(fonts) if i not in held]
    for face in HERSHEY_FACES:
        for italic in (False, True):
            jobs.append(("hershey", (face, italic, int(rng.integers(1, 5))), per_class, int(rng.integers(2**31))))
    if limit:
        jobs = jobs[:limit]
    with Pool(workers) as pool:
        made = pool.map(_writer, jobs)
    x = np.concatenate([m[0] for m in made])
    y = np.concatenate([m[1] for m in made])
    w = np.concatenate([np.full(len(m[1]), i) for i, m in enumerate(made)])
    return x, y, w


class WriterBatches:
    """Index batches for the style head (training/style.py): ``pairs`` characters, each with one look-alike
    partner (c/C, 0/o, ...), each drawn by ``writers`` writers, ``per`` glyphs of each (writer, character).

    Calling it returns the glyph indices and a group id per glyph, ``writer * len(CLASSES) + class``.
    """

    def __init__(self, y: np.ndarray, w: np.ndarray, seed: int, pairs: int = 12, writers: int = 4, per: int = 3):
        self.index: dict[tuple[int, int], np.ndarray] = {}
        order = np.lexsort((y, w))
        keys = np.stack([w[order], y[order]], 1)
        cuts = np.nonzero(np.any(np.diff(keys, axis=0) != 0, axis=1))[0] + 1
        for chunk in np.split(order, cuts):
            self.index[(int(w[chunk[0]]), int(y[chunk[0]]))] = chunk
        groups = lookalike_groups(CLASSES)
        self.partners = [np.nonzero((groups == groups[c]) & (np.arange(len(CLASSES)) != c))[0]
                         for c in range(len(CLASSES))]
        self.writer_ids = np.unique(w)
        self.rng = np.random.default_rng(seed)
        self.pairs, self.writers, self.per = pairs, writers, per

    def __call__(self) -> tuple[np.ndarray, np.ndarray]:
        rng, idx, gid = self.rng, [], []
        n_classes = len(CLASSES)
        for _ in range(self.pairs):
            c = int(rng.integers(n_classes))
            chars = [c] + ([int(rng.choice(self.partners[c]))] if len(self.partners[c]) else [])
            for wr in rng.choice(self.writer_ids, min(self.writers, len(self.writer_ids)), replace=False):
                for ch in chars:
                    pool = self.index.get((int(wr), ch))
                    if pool is None:
                        continue
                    take = rng.choice(pool, min(self.per, len(pool)), replace=False)
                    idx.extend(take)
                    gid.extend([int(wr) * n_classes + ch] * len(take))
        return np.array(idx), np.array(gid)
