"""Learning from corrections: each corrected glyph goes into the user's SampleStore and the PersonalModel at once.

Plain Python (no Qt), used by the main window and the "My handwriting" dialog.
The store keeps images, not features: when the model changes, the personal
model is rebuilt from the stored glyphs with the new recognizer's features.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..binarize import binarize, to_gray
from ..errors import EmptyInputError, HwrError
from ..ink import Stroke
from ..normalize import normalize_glyph
from ..personal import PersonalModel, Sample, SampleStore
from ..pipeline import ink_glyph_mask, single_glyph_mask
from ..results import Box

log = logging.getLogger(__name__)

CROP_MARGIN = 4  # pixels of page around an image glyph's box when it is cut out again


def ink_glyph(strokes: Iterable[Stroke]) -> tuple[np.ndarray, list[list[list[float]]]]:
    """A glyph's strokes -> its normalized image float32 (28, 28) as ``recognize_ink`` sees it, and
    the strokes' points (in writing order) for the store."""
    ordered = sorted(strokes, key=lambda s: (s.start_ms, s.box))
    return normalize_glyph(ink_glyph_mask(ordered)), [s.points.tolist() for s in ordered]


def image_glyph(image: np.ndarray, box: Box) -> np.ndarray:
    """The glyph at ``box`` (input pixels) of an image, cut out, binarized and normalized: float32 (28, 28).

    Raises:
        EmptyInputError: no ink inside the box.
    """
    gray = to_gray(image)
    h, w = gray.shape
    x0, y0 = max(0, int(box[0]) - CROP_MARGIN), max(0, int(box[1]) - CROP_MARGIN)
    x1, y1 = min(w, int(box[2]) + CROP_MARGIN), min(h, int(box[3]) + CROP_MARGIN)
    if x1 <= x0 or y1 <= y0:
        raise EmptyInputError("the glyph's box lies outside the image")
    return normalize_glyph(single_glyph_mask(binarize(gray[y0:y1, x0:x1])))


class Personalizer:
    """The user's samples (on disk) and the personal model built from them for the current recognizer.

    Args:
        folder: the sample store's folder.
        recognizer: the loaded recognizer (or a stand-in with ``labels`` and ``predict``); None: no model yet.
    Attributes:
        error: why the store could not be opened ("" when it could); samples are then not kept.
    """

    def __init__(self, folder: str | Path, recognizer=None) -> None:
        self.folder = Path(folder)
        self.error = ""
        try:
            self.store: SampleStore | None = SampleStore(self.folder)
        except HwrError as e:
            self.store, self.error = None, str(e)
            log.warning("personal samples are off: %s", e)
        self._recognizer = None
        self.model: PersonalModel | None = None
        self.set_recognizer(recognizer)

    @property
    def samples(self) -> tuple[Sample, ...]:
        return self.store.samples if self.store is not None else ()

    def set_recognizer(self, recognizer) -> None:
        """Use another model: the personal model is rebuilt from the stored glyphs with its features."""
        self._recognizer = recognizer
        self._rebuild()

    def _rebuild(self) -> None:
        if self._recognizer is None:
            self.model = None
            return
        images, labels = self.store.arrays() if self.store is not None else (np.zeros((0, 28, 28), np.uint8), [])
        self.model = PersonalModel.from_samples(images, labels, self._recognizer, [s.id for s in self.samples])

    def learn(self, glyph: np.ndarray, label: str, strokes: Sequence = ()) -> Sample | None:
        """Store a corrected glyph and update the model at once.

        Args:
            glyph: float32 (28, 28) in [0, 1], the normalized glyph.
            label: the user's text; only single characters are learned (None otherwise).
        Raises:
            OSError: the store could not be written (the model is then not updated either).
        """
        if self.store is None or len(label) != 1:
            return None
        sample = self.store.add(glyph, label, strokes)
        if self.model is not None:
            _, feats = self._recognizer.predict(np.asarray(glyph, np.float32).reshape(1, 1, 28, 28))
            if feats is not None:
                self.model.update(feats[0], label, sample.id)
        return sample

    def learn_ink(self, strokes: Iterable[Stroke], label: str) -> Sample | None:
        """Learn the glyph made of ``strokes`` (a correction on the canvas)."""
        strokes = list(strokes)
        if not strokes or len(label) != 1:
            return None
        glyph, points = ink_glyph(strokes)
        return self.learn(glyph, label, points)

    def learn_image(self, image: np.ndarray, box: Box, label: str) -> Sample | None:
        """Learn the glyph at ``box`` of ``image`` (a correction on the Image tab); None if no ink is there."""
        if len(label) != 1:
            return None
        try:
            glyph = image_glyph(image, box)
        except EmptyInputError:
            return None
        return self.learn(glyph, label)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete samples from disk and forget them; returns how many went."""
        if self.store is None:
            return 0
        n = self.store.delete(ids)
        if n:
            self._rebuild()
        return n

    def clear(self) -> int:
        return self.delete([s.id for s in self.samples])

    def export_npz(self, path: str | Path) -> int:
        """Write the samples as a ``../shared/data``-style npz; returns the count."""
        return self.store.export_npz(path) if self.store is not None else 0
