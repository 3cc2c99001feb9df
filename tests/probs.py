"""Helpers for tests of decoding: hand-made class probabilities over the 62 labels."""

import numpy as np

LABELS = tuple("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def row(**p) -> np.ndarray:
    """One glyph's probabilities: ``row(O=0.6, _0=0.3)`` (a leading underscore names a digit), the rest tiny."""
    r = np.full(len(LABELS), 1e-4, np.float32)
    for ch, v in p.items():
        r[LABELS.index(ch[-1])] = v
    return r / r.sum()


def text(probs: np.ndarray) -> str:
    """The best reading of each row."""
    return "".join(LABELS[i] for i in probs.argmax(1))
