"""Shared fixtures: the shipped model, a fake recognizer, and paths to the small real samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hwr_desktop.recognizer import ModelInfo, Recognizer

RESOURCES = Path(__file__).parent / "resources"
LABELS = tuple("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class FakeRecognizer:
    """Stands in for Recognizer: returns the rows of ``probs`` in turn (cycling), or a fixed char."""

    def __init__(self, chars: str = "1", probs: np.ndarray | None = None) -> None:
        self.labels = LABELS
        self.info = ModelInfo("fake.onnx", LABELS, "fake", {"val_accuracy": 0.5})
        self._chars = chars
        self._probs = probs
        self.calls = 0
        self.feature_kind = "features"
        self.placement = None  # lines read with the measured table

    def predict(self, glyphs: np.ndarray, batch: int = 256):
        n = len(glyphs)
        self.calls += 1
        if self._probs is not None:
            return np.stack([self._probs[i % len(self._probs)] for i in range(n)]).astype(np.float32), None
        out = np.full((n, len(LABELS)), 0.1 / (len(LABELS) - 1), np.float32)
        for i in range(n):
            out[i, LABELS.index(self._chars[i % len(self._chars)])] = 0.9
        return out, np.zeros((n, 4), np.float32)


@pytest.fixture(scope="session")
def recognizer() -> Recognizer:
    return Recognizer.from_path()


@pytest.fixture
def fake() -> FakeRecognizer:
    return FakeRecognizer()


@pytest.fixture
def resources_dir() -> Path:
    return RESOURCES
