"""Personalization: the user's corrected glyphs, kept on disk, and a small classifier that learns from them.

Every correction in the app becomes a *sample*: the glyph as the model sees it
(normalized 28x28), the character the user chose, and the strokes when the
glyph was written on the canvas. ``SampleStore`` keeps them in a folder;
``PersonalModel`` reads the recognizer's features of those samples (its style embedding)
and nudges the network's probabilities towards the user's own way of writing.
No torch: the features come from the shipped ONNX model.

Store format (``samples.jsonl`` in the store's folder, UTF-8, one JSON object a line)::

    {"format": "hwr-samples", "version": 1}                      <- first line
    {"id": "3f2a...", "label": "a", "time": 1764160000.123,
     "image": "<base64 of 784 bytes>", "strokes": [[[x, y, pressure, t_ms], ...], ...]}

``image`` is the normalized glyph as uint8 (28, 28), row-major, ink 255 on
black 0 (``normalize_glyph`` output times 255, rounded): the same convention as
the npz files of ``../shared/data``. ``strokes`` is optional (absent for glyphs
cut from images) and holds the points as in an ``*.ink.json`` file. ``id`` is
a random hex string, ``time`` Unix seconds.

Adding appends one line and fsyncs, so a crash loses at most the line being
written; a torn last line is skipped when reading. Deleting rewrites the file
without the deleted samples (temporary file, fsync, rename), so their pixels
and strokes are really gone from disk, and a crash leaves the old or the new
file, never a mix.

``export_npz`` writes the ``../shared/data`` format: ``x`` uint8 (N, 28, 28)
white ink on black, ``y`` int64 indices into ``classes`` (a string array of
the labels present, sorted); ``training/finetune.py`` reads it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable, Iterable, NamedTuple, Sequence

import numpy as np

from .errors import InputError
from .atomic import write_atomic
from .normalize import SIZE

log = logging.getLogger(__name__)

STORE_FORMAT = "hwr-samples"
STORE_VERSION = 1
STORE_FILE = "samples.jsonl"

Points = list  # one stroke: [[x, y, pressure, t_ms], ...]


@dataclass(frozen=True)
class Sample:
    """One corrected glyph.

    Attributes:
        id: unique within the store (random hex).
        label: the character the user chose (one character).
        image: uint8 (28, 28), ink 255 on black 0: the normalized glyph.
        time: Unix seconds when it was stored.
        strokes: the glyph's strokes as point lists ``[[x, y, pressure, t_ms], ...]`` (empty for image glyphs).
    """

    id: str
    label: str
    image: np.ndarray = field(compare=False, repr=False)
    time: float = 0.0
    strokes: tuple = field(default=(), compare=False, repr=False)


def glyph_to_uint8(glyph: np.ndarray) -> np.ndarray:
    """float32 (28, 28) or (1, 28, 28) in [0, 1] (``normalize_glyph`` output) -> uint8 (28, 28), ink 255."""
    g = np.asarray(glyph, np.float32).reshape(SIZE, SIZE)
    return np.clip(np.round(g * 255.0), 0, 255).astype(np.uint8)


def uint8_to_glyphs(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28), ink 255 -> float32 (N, 1, 28, 28) in [0, 1], the recognizer's input."""
    return (np.asarray(images, np.float32) / 255.0)[:, None]


def _encode(s: Sample) -> str:
    d = {"id": s.id, "label": s.label, "time": round(s.time, 3),
         "image": base64.b64encode(np.ascontiguousarray(s.image, np.uint8).tobytes()).decode("ascii")}
    if s.strokes:
        d["strokes"] = [list(map(list, st)) for st in s.strokes]
    return json.dumps(d, separators=(",", ":"))


def _decode(line: str) -> Sample | None:
    """One record, or None for a torn or malformed line."""
    try:
        d = json.loads(line)
        raw = base64.b64decode(d["image"], validate=True)
        label, sid = str(d["label"]), str(d["id"])
    except (ValueError, KeyError, TypeError):
        return None
    if len(raw) != SIZE * SIZE or len(label) != 1 or not sid:
        return None
    image = np.frombuffer(raw, np.uint8).reshape(SIZE, SIZE).copy()
    image.setflags(write=False)
    strokes = d.get("strokes") or ()
    strokes = tuple(tuple(tuple(float(v) for v in p) for p in st) for st in strokes) if isinstance(strokes, list) else ()
    return Sample(sid, label, image, float(d.get("time", 0.0)), strokes)


class SampleStore:
    """The user's samples in ``folder`` (created on first write); see the module docstring for the format.

    Args:
        folder: the store's folder (the app uses its data folder's ``samples`` subfolder).
        clock: Unix seconds, for the samples' ``time``.
    Raises:
        InputError: the file exists but is not a sample store (wrong header).
    """

    def __init__(self, folder: str | Path, clock=time.time) -> None:
        self.folder = Path(folder)
        self.path = self.folder / STORE_FILE
        self._clock = clock
        self._samples: list[Sample] = self._read()

    def _read(self) -> list[Sample]:
        if not self.path.exists():
            return []
        try:
            lines = self.path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the sample store {self.path}: {e}") from None
        try:
            head = json.loads(lines[0])
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("format") != STORE_FORMAT:
            raise InputError(f"{self.path} is not an hwr sample store")
        if head.get("version") != STORE_VERSION:
            raise InputError(f"{self.path}: unsupported sample store version {head.get('version')!r}")
        out, seen, bad = [], set(), 0
        for line in lines[1:]:
            if not line.strip():
                continue
            s = _decode(line)
            if s is None or s.id in seen:
                bad += 1
                continue
            seen.add(s.id)
            out.append(s)
        if bad:
            log.warning("%s: skipped %d unreadable record(s)", self.path, bad)
        return out

    @property
    def samples(self) -> tuple[Sample, ...]:
        """All samples, oldest first."""
        return tuple(self._samples)

    def __len__(self) -> int:
        return len(self._samples)

    def _header(self) -> str:
        return json.dumps({"format": STORE_FORMAT, "version": STORE_VERSION})

    def add(self, image: np.ndarray, label: str, strokes: Iterable[Sequence[Sequence[float]]] = ()) -> Sample:
        """Store one glyph and return its sample; the line is on disk (fsynced) when this returns.

        Args:
            image: the normalized glyph: float32 in [0, 1] ((28, 28) or (1, 28, 28)) or uint8 (28, 28) ink 255.
            label: one character.
            strokes: the glyph's strokes, each a sequence of ``(x, y[, pressure, t_ms])`` points.
        Raises:
            InputError: a label that is not one character, or an image of the wrong shape.
            OSError: the folder cannot be written.
        """
        if not isinstance(label, str) or len(label) != 1:
            raise InputError(f"a sample's label must be one character, got {label!r}")
        img = np.asarray(image)
        if img.size != SIZE * SIZE:
            raise InputError(f"a sample's image must be {SIZE}x{SIZE}, got shape {img.shape}")
        img = img.reshape(SIZE, SIZE).astype(np.uint8) if img.dtype == np.uint8 else glyph_to_uint8(img)
        img.setflags(write=False)
        pts = tuple(tuple(tuple(round(float(v), 3) for v in p) for p in st) for st in strokes)
        sample = Sample(uuid.uuid4().hex, label, img, float(self._clock()), pts)
        self.folder.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a", encoding="utf-8") as f:
            if new:
                f.write(self._header() + "\n")
            elif not self._ends_with_newline():
                f.write("\n")  # a torn line from a crash stays on its own line
            f.write(_encode(sample) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self._samples.append(sample)
        return sample

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    def delete(self, ids: Iterable[str]) -> int:
        """Remove samples by id (unknown ids are ignored); returns how many went. The file is rewritten."""
        drop = set(ids)
        keep = [s for s in self._samples if s.id not in drop]
        removed = len(self._samples) - len(keep)
        if removed:
            self._rewrite(keep)
        return removed

    def clear(self) -> int:
        """Remove every sample; returns how many went."""
        return self.delete([s.id for s in self._samples])

    def _rewrite(self, samples: list[Sample]) -> None:
        write_atomic(self.path, "".join(line + "\n" for line in [self._header(), *map(_encode, samples)]))
        self._samples = samples

    def arrays(self) -> tuple[np.ndarray, list[str]]:
        """uint8 (N, 28, 28) images (ink 255) and their labels, oldest first."""
        if not self._samples:
            return np.zeros((0, SIZE, SIZE), np.uint8), []
        return np.stack([s.image for s in self._samples]), [s.label for s in self._samples]

    def export_npz(self, path: str | Path) -> int:
        """Write the samples as a ``../shared/data`` npz (``x``, ``y``, ``classes``); returns the count.

        Raises:
            OSError: the file cannot be written.
        """
        x, labels = self.arrays()
        classes = sorted(set(labels))
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[c] for c in labels], np.int64)
        np.savez_compressed(path, x=x, y=y, classes=np.array(classes, dtype="<U1"))
        return len(labels)


def load_npz_samples(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """Read a ``../shared/data``-style npz: uint8 (N, H, W) white on black and the label character of each."""
    with np.load(path) as d:
        classes = [str(c) for c in d["classes"]]
        return d["x"], [classes[int(i)] for i in d["y"]]


def load_samples(path: str | Path) -> tuple[np.ndarray, list[str]]:
    """The samples in ``path``: a sample store's folder (or the app's data folder holding ``samples/``), or an
    npz exported from the app (``export_npz``). Returns uint8 (N, 28, 28) images (ink 255) and N labels.

    Raises:
        InputError: nothing readable there, or an npz that is not an export of normalized glyphs.
    """
    p = Path(path)
    for folder in (p, p / "samples"):
        if (folder / STORE_FILE).is_file():
            return SampleStore(folder).arrays()
    if p.suffix.lower() != ".npz" or not p.is_file():
        raise InputError(f"{p}: neither a samples folder (with {STORE_FILE}) nor an exported .npz file")
    try:
        x, labels = load_npz_samples(p)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        raise InputError(f"{p}: not a samples export ({str(e).splitlines()[0][:120]})") from None
    if x.ndim != 3 or x.shape[1:] != (SIZE, SIZE) or len(x) != len(labels):
        raise InputError(f"{p}: samples must be {SIZE}x{SIZE} normalized glyphs, got shape {x.shape}")
    if any(len(c) != 1 for c in labels):
        raise InputError(f"{p}: sample labels must be single characters")
    return np.asarray(x, np.uint8), labels


# --- the personal classifier -------------------------------------------------------------------

@dataclass(frozen=True)
class BlendParams:
    """How strongly the user's samples move the network's probabilities (see ``PersonalModel``).

    Attributes:
        slope: log-probability gained per unit of cosine similarity above ``floor``.
        floor: below this similarity a sample says nothing (other classes, other writers sit lower).
        near: from here on a sample also adds probability mass: a glyph like a corrected one reads as it.
        near_mass: mass added at similarity 1 (before renormalization).
        count_half: a class's weight is n / (n + count_half) for n samples.
        copy: a glyph this similar to a sample is a copy of it: it reads as the sample's label, lookalikes or not.
        trust: share of a lookalike group's samples whose nearest other sample in the group has their label.
    """

    slope: float
    floor: float
    near: float
    near_mass: float = 1.0
    count_half: float = 1.0
    copy: float = 0.99
    trust: float = 0.9


COPY_SHARE = 0.9  # the probability a copy of a sample (similarity >= BlendParams.copy) gives the sample's label

# Tuned on held-out fonts as writers with other seeds than benchmarks/personal.py's (see its docstring).
PARAMS = {
    # the model's ``style`` output (training/style.py): one writer's glyphs of a character sit near 0.9 on
    # held-out fonts (0.6 for pen62's real hand), other writers' near 0.55
    "style": BlendParams(slope=10.0, floor=0.6, near=0.8, copy=0.95),
    # penultimate ``features`` (models without a style head): trained to ignore the writer, so all sit near 0.85
    "features": BlendParams(slope=80.0, floor=0.85, near=0.95),
}
# Characters that a lone glyph can hardly tell apart: the two cases of a letter, and these digit/letter links.
LOOKALIKE_LINKS = ("0oO", "1lI", "5sS", "2zZ", "9qg", "6b", "8B")


def l2_normalize(features: np.ndarray) -> np.ndarray:
    """float (N, F) -> float32 (N, F) rows of unit length (zero rows stay zero)."""
    f = np.asarray(features, np.float32)
    return f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-6)


def look_alike(a: str, b: str) -> bool:
    """Whether two characters look alike when alone: the same, the two cases of a letter, or two of one
    ``LOOKALIKE_LINKS`` link (0/o/O, 1/l/I, ...). Pairwise only: ``lookalike_groups`` also joins what these
    pairs chain together (i with l, through I)."""
    return a == b or (a.isalpha() and a.swapcase() == b) or any(a in link and b in link for link in LOOKALIKE_LINKS)


def lookalike_groups(labels: Sequence[str]) -> np.ndarray:
    """int (C,): a group id per label; labels in one group look alike when alone (c/C, 0/o/O, 1/l/I, ...)."""
    index = {c: i for i, c in enumerate(labels)}
    group = list(range(len(labels)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    def join(a: str, b: str) -> None:
        if a in index and b in index:
            group[root(index[a])] = root(index[b])

    for c in labels:
        if c.isalpha():
            join(c, c.swapcase())
    for link in LOOKALIKE_LINKS:
        for c in link[1:]:
            join(link[0], c)
    return np.array([root(i) for i in range(len(labels))])


def untrusted_groups(features: np.ndarray, y: np.ndarray, groups: np.ndarray, trust: float = 0.9) -> np.ndarray:
    """bool (C,): labels whose lookalike group the samples do not tell apart.

    A group with members is trusted when at least two of its labels have
    samples and at least ``trust`` of its samples have, as their nearest other
    sample within the group, one of their own label (leave-one-out). Otherwise
    the samples say "one of this group" and leave the choice inside it to the
    network and the line's context (size, neighbours).
    """
    out = np.zeros(len(groups), bool)
    for g in np.unique(groups[y]):
        members = groups == g
        if members.sum() < 2:
            continue
        inside = members[y]
        fy, yy = features[inside], y[inside]
        if len(np.unique(yy)) < 2:
            out |= members
            continue
        sims = fy @ fy.T
        np.fill_diagonal(sims, -np.inf)
        if (yy[sims.argmax(1)] == yy).mean() < trust:
            out |= members
    return out


class _Samples(NamedTuple):
    """A personal model's samples, replaced whole (never changed), so that readers on other threads see one.

    Attributes:
        features: float32 (M, F), rows of unit length (shape (0, 0) without samples).
        labels: int64 (M,), column indices of the samples' labels.
        shared: bool (C,), the labels whose lookalike group the samples do not tell apart (``untrusted_groups``).
        ids: M ids, one a sample (the store's, or positions).
    """

    features: np.ndarray
    labels: np.ndarray
    shared: np.ndarray
    ids: tuple


@dataclass(frozen=True)
class Decision:
    """How the user's samples changed one glyph's reading (``PersonalModel.decisions``).

    Attributes:
        own: the network's own best label.
        read: the best label once the samples are blended in.
        samples: the ids of the samples that decided it, nearest first: without them the glyph no longer
            reads ``read`` (usually one).
    """

    own: str
    read: str
    samples: tuple[Hashable, ...]


def _best(probs: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """int (N,): per row of float (N, C) ``probs``, the best column among bool (C,) ``allowed``."""
    return np.where(allowed, probs, -1.0).argmax(1)


class PersonalModel:
    """Nearest-neighbour evidence from the user's samples, blended into the network's probabilities.

    For each class ``c`` with samples, ``s_c`` is the largest cosine similarity
    between the glyph's (L2-normalized) features and that class's
    samples. The class's probability is multiplied by
    ``exp(slope * w_c * max(0, s_c - floor))`` and, for a near copy of a
    sample, gets ``near_mass * w_c * (s_c - near) / (1 - near)`` added, where
    ``w_c = n_c / (n_c + count_half)`` grows with the class's sample count
    ``n_c``. Classes without samples are left alone; the row is then
    renormalized. So the weight grows with similarity and with the number of
    samples, and without samples ``blend`` returns its input.

    Lookalikes (``lookalike_groups``: c/C, o/O/0, l/I/1, ...) are the
    exception. Isolated, most writers' c and C are the same shape, so a sample
    of c is evidence for "c or C", not for the case: unless the user's own
    samples tell the group's members apart (``untrusted_groups``), the group
    shares its strongest evidence, which leaves the choice inside it to the
    network and the line's context (size and neighbours decide case far better
    than shape). A glyph at least ``copy`` similar to a sample reads as the
    nearest sample's label, with ``COPY_SHARE`` of the probability: a corrected
    glyph, met again, reads as corrected.

    ``decisions`` says, per glyph, whether the samples changed its best reading
    and which samples decided it (each sample carries an id: the store's).

    Thread-safety: ``blend`` reads one immutable snapshot, ``update`` swaps in a
    new one, so the app may update it while recognition runs on another thread.

    Args:
        labels: the recognizer's labels (column order of its probabilities).
        kind: the features compared (``Recognizer.feature_kind``): ``"style"``, the model's style
            embedding, or ``"features"``, its penultimate features; each has its ``PARAMS``.
    Raises:
        ValueError: an unknown kind.
    """

    def __init__(self, labels: Sequence[str], kind: str = "style") -> None:
        if kind not in PARAMS:
            raise ValueError(f"unknown feature kind {kind!r} (known: {', '.join(PARAMS)})")
        self.labels = tuple(labels)
        self.kind = kind
        self.params = PARAMS[kind]
        self._index = {c: i for i, c in enumerate(self.labels)}
        self._groups = lookalike_groups(self.labels)
        self._state = self._samples(np.zeros((0, 0), np.float32), np.zeros(0, np.int64), ())

    @classmethod
    def for_recognizer(cls, recognizer) -> "PersonalModel":
        """An empty model for ``recognizer``'s labels and the kind of features it gives (``feature_kind``)."""
        return cls(recognizer.labels, recognizer.feature_kind or "features")

    @classmethod
    def from_samples(cls, images: np.ndarray, labels: Sequence[str], recognizer,
                     ids: Sequence[Hashable] | None = None) -> "PersonalModel":
        """A model of stored samples, with features computed by ``recognizer`` (its labels set the columns).

        Args:
            images: uint8 (N, 28, 28), ink 255 (``SampleStore.arrays``).
            labels: N characters; those the recognizer does not know are ignored.
            ids: N ids (``Sample.id``) that ``decisions`` names samples by (default: positions, 0 to N - 1).
        """
        model = cls.for_recognizer(recognizer)
        if len(labels):
            _, feats = recognizer.predict(uint8_to_glyphs(images))
            if feats is not None:
                model.set_samples(feats, labels, ids)
        return model

    def snapshot(self) -> "PersonalModel":
        """A model holding the samples as they are now, whatever ``update`` does to this one later."""
        copy = PersonalModel.__new__(PersonalModel)
        copy.__dict__.update(self.__dict__)
        return copy

    @property
    def size(self) -> int:
        """How many samples the model holds."""
        return len(self._state.labels)

    def counts(self) -> dict[str, int]:
        """Samples per label."""
        y = self._state.labels
        return {self.labels[i]: int(n) for i, n in enumerate(np.bincount(y, minlength=len(self.labels))) if n}

    def shared(self) -> set[str]:
        """Labels whose lookalike group the samples do not tell apart (see ``untrusted_groups``)."""
        return {self.labels[i] for i in np.nonzero(self._state.shared)[0]}

    def _samples(self, f: np.ndarray, y: np.ndarray, ids: Sequence[Hashable]) -> _Samples:
        return _Samples(f, y, untrusted_groups(f, y, self._groups, self.params.trust), tuple(ids))

    def set_samples(self, features: np.ndarray, labels: Sequence[str], ids: Sequence[Hashable] | None = None) -> None:
        """Replace all samples: float (N, F) features, their N labels (unknown labels are dropped) and N ids
        (default: their positions, 0 to N - 1)."""
        ids = range(len(labels)) if ids is None else ids
        if len(ids) != len(labels):
            raise ValueError(f"{len(ids)} ids for {len(labels)} samples")
        keep = [i for i, c in enumerate(labels) if c in self._index]
        f = l2_normalize(np.asarray(features)[keep]) if keep else np.zeros((0, 0), np.float32)
        y = np.array([self._index[labels[i]] for i in keep], np.int64)
        self._state = self._samples(f, y, [ids[i] for i in keep])

    def update(self, feature: np.ndarray, label: str, sample_id: Hashable | None = None) -> bool:
        """Learn one corrected glyph at once: float (F,) features, its label and its id (default: its position
        in the model); False if the label is unknown."""
        if label not in self._index:
            return False
        f, y, _, ids = self._state
        new = l2_normalize(np.asarray(feature, np.float32).reshape(1, -1))
        if f.size and f.shape[1] != new.shape[1]:
            raise ValueError(f"feature size {new.shape[1]} does not match the model's {f.shape[1]}")
        self._state = self._samples(np.vstack([f, new]) if f.size else new, np.append(y, self._index[label]),
                                    ids + (len(ids) if sample_id is None else sample_id,))
        return True

    def similarities(self, features: np.ndarray) -> np.ndarray:
        """float32 (N, C): per glyph and class, the best cosine similarity to the class's samples (-1: none)."""
        return self._similarities(self._state, features)

    def _similarities(self, state: _Samples, features: np.ndarray) -> np.ndarray:
        f, y = state.features, state.labels
        out = np.full((len(features), len(self.labels)), -1.0, np.float32)
        if not len(y) or not len(features):
            return out
        order = np.argsort(y, kind="stable")
        ys = y[order]
        starts = np.r_[0, np.nonzero(np.diff(ys))[0] + 1]  # where each class's run of samples begins
        sims = l2_normalize(features) @ f[order].T  # (N, M), samples grouped by class
        out[:, ys[starts]] = np.maximum.reduceat(sims, starts, axis=1)
        return out

    def blend(self, probs: np.ndarray, features: np.ndarray | None) -> np.ndarray:
        """The network's probabilities with the user's samples taken into account.

        Args:
            probs: float32 (N, C), rows summing to 1.
            features: float32 (N, F) the recognizer's features of the same glyphs (None: nothing to compare).
        Returns:
            float32 (N, C), rows summing to 1; ``probs`` itself when there are no samples or features.
        """
        return self._blend(self._state, probs, features)

    def _blend(self, state: _Samples, probs: np.ndarray, features: np.ndarray | None) -> np.ndarray:
        y, shared = state.labels, state.shared
        if features is None or not len(y) or not len(probs):
            return probs
        probs = np.asarray(probs, np.float32)
        sims = self._similarities(state, features)
        counts = np.bincount(y, minlength=len(self.labels)).astype(np.float32)
        k = self.params
        weight = counts / (counts + k.count_half)  # 0 for classes without samples
        evidence = weight * np.clip(sims - k.floor, 0.0, None)
        near = k.near_mass * weight * np.clip((sims - k.near) / (1.0 - k.near), 0.0, None)
        copy = sims >= k.copy
        for g in np.unique(self._groups[shared]):
            members = np.nonzero(self._groups == g)[0]
            cells = np.ix_(~copy[:, members].any(1), members)  # a copy of a sample keeps its own label's evidence
            evidence[cells] = evidence[cells].max(1, keepdims=True)
            # the group's near mass goes to its members in the network's proportions
            p = probs[cells]
            near[cells] = near[cells].max(1, keepdims=True) * p / np.maximum(p.sum(1, keepdims=True), 1e-12)
        q = probs * np.exp(k.slope * evidence) + near
        rows = np.nonzero(copy.any(1))[0]
        if len(rows):  # a copy reads as the label of the sample it copies, with COPY_SHARE of the probability
            best = sims[rows].argmax(1)
            rest = q[rows].sum(1) - q[rows, best]
            q[rows, best] = np.maximum(q[rows, best], rest * COPY_SHARE / (1.0 - COPY_SHARE))
        return (q / q.sum(1, keepdims=True)).astype(np.float32)

    def decisions(self, probs: np.ndarray, features: np.ndarray | None,
                  allowed: np.ndarray | None = None) -> list[Decision | None]:
        """Per glyph, whether the user's samples changed its best reading, and which samples decided it.

        Args:
            probs: float32 (N, C), the network's own probabilities (``blend``'s input).
            features: float32 (N, F) the recognizer's features of the same glyphs (None: nothing to compare).
            allowed: bool (C,), the labels the field mode allows (``decoding.mode_mask``); None: all.
        Returns:
            N entries: a ``Decision`` where the best allowed label with the samples blended in is not the
            network's own, else None.
        """
        state, n = self._state, len(probs)
        if features is None or not len(state.labels) or not n:
            return [None] * n
        allowed = np.ones(len(self.labels), bool) if allowed is None else np.asarray(allowed, bool)
        own = _best(np.asarray(probs), allowed)
        read = _best(self._blend(state, probs, features), allowed)
        out: list[Decision | None] = [None] * n
        for i in np.nonzero(own != read)[0]:
            ids = self._deciders(state, probs[i : i + 1], features[i : i + 1], int(read[i]), allowed)
            out[i] = Decision(self.labels[own[i]], self.labels[read[i]], ids)
        return out

    def _deciders(self, state: _Samples, probs: np.ndarray, features: np.ndarray, read: int,
                  allowed: np.ndarray) -> tuple:
        """The ids of the samples that make one glyph (float (1, C) ``probs``, (1, F) ``features``) read
        column ``read``: the samples of its lookalike group, nearest first, taken away one at a time until
        the glyph reads otherwise."""
        f, y = state.features, state.labels
        group = self._groups == self._groups[read]  # bool (C,): the labels that look like ``read``
        inside = group[y]  # the samples that can speak for ``read``
        sims = (l2_normalize(features) @ f.T)[0]
        keep, taken = np.ones(len(y), bool), []
        for j in [j for j in np.argsort(-sims, kind="stable") if inside[j]]:
            keep[j] = False
            taken.append(state.ids[j])
            shared = state.shared.copy()  # only this group's trust can change: work it out for its samples alone
            shared[group] = untrusted_groups(f[keep & inside], y[keep & inside], self._groups, self.params.trust)[group]
            rest = _Samples(f[keep], y[keep], shared, ())
            if _best(self._blend(rest, probs, features), allowed)[0] != read:
                break
        return tuple(taken)


class BlendLog:
    """A ``PersonalModel`` for one recognition: it blends as the model does (as it is when the log is made)
    and keeps what it was given, so that ``decisions`` can tell afterwards which glyphs the samples changed.

    The pipeline blends a page's glyphs in reading order (``pipeline.classify``), so the rows logged are the
    page's glyphs, in order.
    """

    def __init__(self, model: PersonalModel) -> None:
        self.model = model.snapshot()
        self._probs: list[np.ndarray] = []
        self._features: list[np.ndarray | None] = []

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    @property
    def rows(self) -> int:
        """How many glyphs were blended."""
        return sum(len(p) for p in self._probs)

    def blend(self, probs: np.ndarray, features: np.ndarray | None) -> np.ndarray:
        """``PersonalModel.blend``, logged."""
        self._probs.append(np.asarray(probs, np.float32))
        self._features.append(features)
        return self.model.blend(probs, features)

    def decisions(self, allowed: np.ndarray | None = None) -> list[Decision | None]:
        """``PersonalModel.decisions`` of every row blended, in order."""
        if not self._probs:
            return []
        if any(f is None for f in self._features):
            return [None] * self.rows
        return self.model.decisions(np.vstack(self._probs), np.vstack(self._features), allowed)
