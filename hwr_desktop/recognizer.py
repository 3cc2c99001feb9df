"""The glyph classifier: an onnxruntime session whose labels and preprocessing travel in the model file."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import ModelError
from .normalize import PREPROCESS_VERSION, SIZE

log = logging.getLogger(__name__)

DEFAULT_MODEL = "model.onnx"
PLACEMENT_SUFFIX = ".placement.onnx"  # a glyph model's placement head lies beside it (model.placement.onnx)


def default_model_path() -> Path:
    """The shipped model: ``resources/model.onnx``, installed as the package ``hwr_desktop.resources``."""
    try:
        return Path(str(resources.files("hwr_desktop.resources").joinpath(DEFAULT_MODEL)))
    except ModuleNotFoundError:  # running from a source checkout that is not installed
        return Path(__file__).resolve().parents[1] / "resources" / DEFAULT_MODEL


def open_session(path: Path, threads: int = 0, what: str = "model"):
    """An onnxruntime session on ``path`` (CPU, ``threads`` intra-op threads, 0: all cores, no spinning).

    Raises:
        ModelError: the file is missing or onnxruntime cannot load it (the message names ``what`` and the file).
    """
    if not path.is_file():
        raise ModelError(f"{what} file not found: {path}")
    try:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.log_severity_level = 3
        # no busy-waiting between calls: on 2 cores a spinning worker starves the Python thread
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own exception types for corrupt files
        raise ModelError(f"cannot load {what} {path}: {str(e).splitlines()[0][:200]}") from None


def model_labels(meta: dict, key: str, path: Path, what: str = "model") -> tuple[str, ...]:
    """The labels a model's metadata ``key`` holds (a JSON list of single characters).

    Raises:
        ModelError: missing, not a list, empty, or not single characters.
    """
    try:
        labels = tuple(json.loads(meta[key]))
    except (KeyError, ValueError, TypeError):
        raise ModelError(f"{what} {path} has no valid {key!r} metadata") from None
    if not labels or not all(isinstance(c, str) and len(c) == 1 for c in labels):
        raise ModelError(f"{what} {path}: labels must be single characters")
    return labels


def check_preprocess(meta: dict, key: str, expected: str, path: Path, what: str = "model") -> str:
    """The preprocessing version in metadata ``key``. Raises ModelError unless it is ``expected``."""
    preprocess = meta.get(key, "")
    if preprocess != expected:
        raise ModelError(f"{what} {path} was trained with preprocessing {preprocess!r}, this program uses {expected!r}")
    return preprocess


def model_report(meta: dict) -> dict:
    """The training report in the metadata (``hwr_report``); {} when there is none or it is not JSON."""
    try:
        return json.loads(meta.get("hwr_report", "{}"))
    except ValueError:
        return {}


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256: what a placement head names its glyph model by."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


class PlacementHead:
    """The glyph model's second stage: its probabilities and where each glyph sits on its line
    (``context.placement``) in, probabilities out (``training/placement.py``). ``context.apply_geometry``
    calls it; build one with ``PlacementHead.beside``."""

    def __init__(self, session, path: Path) -> None:
        self._session = session
        self.path = path

    @classmethod
    def beside(cls, model: Path, labels: Sequence[str]) -> "PlacementHead | None":
        """The head lying beside ``model`` (``PLACEMENT_SUFFIX``), or None where there is none or it was not
        trained for this model, its labels and ``context.placement`` (the glyph model then reads lines with the
        measured table alone; a head that cannot be used is logged)."""
        from .context import PLACEMENT_DIM, PLACEMENT_VERSION

        path = model.with_name(model.stem + PLACEMENT_SUFFIX)
        if not path.is_file():
            return None
        try:
            session = open_session(path, 1, "placement head")  # a small MLP: one thread is quickest
            meta = session.get_modelmeta().custom_metadata_map
            if model_labels(meta, "hwr_labels", path, "placement head") != tuple(labels):
                raise ModelError(f"placement head {path}: its labels are not the model's")
            if meta.get("hwr_placement") != PLACEMENT_VERSION:
                raise ModelError(f"placement head {path} reads placements of version {meta.get('hwr_placement')!r}, "
                                 f"this program gives {PLACEMENT_VERSION!r}")
            if meta.get("hwr_glyph_model") != file_digest(model):
                raise ModelError(f"placement head {path} was trained for another glyph model")
            shapes = {i.name: i.shape[1:] for i in session.get_inputs()}
            if shapes != {"probs": [len(labels)], "placement": [PLACEMENT_DIM]}:
                raise ModelError(f"placement head {path}: unexpected inputs {shapes}")
        except ModelError as e:
            log.warning("%s: lines read with the measured table", e)
            return None
        return cls(session, path)

    def __call__(self, probs: np.ndarray, placement: np.ndarray) -> np.ndarray:
        """float32 (n, C) probabilities and (n, PLACEMENT_DIM) placements -> float32 (n, C), rows summing to 1."""
        if not len(probs):
            return probs
        out = self._session.run(["placed"], {"probs": np.ascontiguousarray(probs, np.float32),
                                            "placement": np.ascontiguousarray(placement, np.float32)})[0]
        return (out / np.maximum(out.sum(1, keepdims=True), 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class ModelInfo:
    """What the model file says about itself."""

    path: str
    labels: tuple[str, ...]
    preprocess: str
    report: dict
    placement: str | None = None  # the placement head's file, None where lines are read with the measured table


class Recognizer:
    """Classifies normalized glyphs. Build one with ``Recognizer.from_path`` and pass it around."""

    def __init__(self, session, info: ModelInfo, placement: PlacementHead | None = None) -> None:
        self._session = session
        self.info = info
        self.labels = info.labels
        self.placement = placement  # the placement head, or None: lines are read with the measured table
        outputs = [o.name for o in session.get_outputs()]
        # what personalization compares: the style embedding where the model has one, else penultimate features
        self.feature_kind = next((name for name in ("style", "features") if name in outputs), None)
        self._outputs = ["probs"] + ([self.feature_kind] if self.feature_kind else [])

    @classmethod
    def from_path(cls, path: str | Path | None = None, threads: int = 0) -> "Recognizer":
        """Load and check a model, with its placement head where one lies beside it (``PlacementHead.beside``).

        Args:
            path: an ONNX file; None for the shipped model.
            threads: intra-op threads for onnxruntime (0: its default, all cores).
        Raises:
            ModelError: missing or unreadable file, or metadata this program cannot use.
        """
        p = Path(path) if path is not None else default_model_path()
        session = open_session(p, threads, "model")
        meta = session.get_modelmeta().custom_metadata_map
        labels = model_labels(meta, "hwr_labels", p)
        preprocess = check_preprocess(meta, "hwr_preprocess", PREPROCESS_VERSION, p)
        inputs = session.get_inputs()
        if len(inputs) != 1 or list(inputs[0].shape[1:]) != [1, SIZE, SIZE]:
            raise ModelError(f"model {p}: expected one input of shape (N, 1, {SIZE}, {SIZE})")
        out_shape = session.get_outputs()[0].shape
        if out_shape[-1] != len(labels):
            raise ModelError(f"model {p}: {out_shape[-1]} outputs but {len(labels)} labels")
        head = PlacementHead.beside(p, labels)
        info = ModelInfo(str(p), labels, preprocess, model_report(meta), None if head is None else str(head.path))
        return cls(session, info, head)

    def predict(self, glyphs: np.ndarray, batch: int = 64) -> tuple[np.ndarray, np.ndarray | None]:
        """Classify normalized glyphs.

        Args:
            glyphs: float32 (N, 1, 28, 28) in [0, 1], from ``normalize_batch``.
            batch: glyphs per onnxruntime call; 64 keeps its working memory near 20 MB.
        Returns:
            probabilities float32 (N, C), rows summing to 1, and the features that
            personalization compares, float32 (N, F): the ``style`` output where the
            model has one (training/style.py), else its penultimate ``features``
            (``feature_kind`` says which; None if the model has neither).
        """
        x = np.ascontiguousarray(glyphs, dtype=np.float32)
        if x.shape[0] == 0:
            return np.zeros((0, len(self.labels)), np.float32), None
        probs, feats = [], []
        for i in range(0, len(x), batch):
            out = self._session.run(self._outputs, {self._session.get_inputs()[0].name: x[i : i + batch]})
            probs.append(out[0])
            if len(out) > 1:
                feats.append(out[1])
        return np.concatenate(probs), (np.concatenate(feats) if feats else None)
