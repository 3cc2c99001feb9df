"""Helpers for tests of decoding: hand-made class probabilities over the shipped model's labels (digits,
letters, punctuation and symbols)."""

import numpy as np

LABELS = tuple("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" ".,;:?!'\"-()/+=&@#%*")


def row(symbols: dict | None = None, **p) -> np.ndarray:
    """One glyph's probabilities: ``row(O=0.6, _0=0.3)`` (a leading underscore names a digit), ``row({"!": 0.8},
    l=0.1)`` for symbols; the rest tiny."""
    r = np.full(len(LABELS), 1e-4, np.float32)
    for ch, v in {**p, **(symbols or {})}.items():
        r[LABELS.index(ch[-1])] = v
    return r / r.sum()


def text(probs: np.ndarray) -> str:
    """The best reading of each row."""
    return "".join(LABELS[i] for i in probs.argmax(1))


class SpellingLineNet:
    """A stand-in line network (``lines.LineRecognizer``) that reads every line as "ab": an a a third of the
    way in, a b two thirds in, blanks elsewhere."""

    labels = ("a", "b", " ")
    stride = 4

    def predict(self, lines):
        out = []
        for li in lines:
            t = int(np.ceil(li.image.shape[1] / self.stride))
            p = np.full((t, 4), 0.01)
            p[:, 0] = 0.97
            p[t // 3], p[2 * t // 3] = [0.01, 0.97, 0.01, 0.01], [0.01, 0.01, 0.97, 0.01]
            out.append(p / p.sum(1, keepdims=True))
        return out
