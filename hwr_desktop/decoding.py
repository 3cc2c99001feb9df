"""Class probabilities -> characters with alternatives, under a field mode and light word rules.

Modes restrict the alphabet: ``digits``, ``letters`` (A-Z a-z), ``upper``,
``lower``; ``auto`` allows everything and applies one word rule: in a word
that reads mostly as digits, glyphs that could be a digit are read as one
(O -> 0, l -> 1, S -> 5 when the digit is among their likely readings).
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np

from .errors import HwrError
from .results import Candidate

Mode = Literal["auto", "digits", "letters", "upper", "lower"]
MODES: tuple[str, ...] = ("auto", "digits", "letters", "upper", "lower")

_ALLOWED = {
    "digits": str.isdigit,
    "letters": str.isalpha,
    "upper": str.isupper,
    "lower": str.islower,
}

# A digit counts as a likely reading when its probability is at least this share of the best one.
DIGIT_SHARE = 0.05


def mode_mask(labels: Sequence[str], mode: str) -> np.ndarray:
    """bool (C,): which labels a mode allows."""
    if mode not in MODES:
        raise HwrError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "auto":
        return np.ones(len(labels), bool)
    allowed = np.array([_ALLOWED[mode](c) for c in labels], bool)
    if not allowed.any():
        raise HwrError(f"the model has no classes for mode {mode!r}")
    return allowed


def restrict(probs: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Zero the disallowed classes of float32 (N, C) probabilities and renormalize each row."""
    p = probs * allowed[None, :]
    s = p.sum(1, keepdims=True)
    # a row with no mass on the allowed classes: spread it evenly over them
    even = allowed[None, :] / allowed.sum()
    return np.where(s > 1e-12, p / np.maximum(s, 1e-12), even).astype(np.float32)


def top_k(probs: np.ndarray, labels: Sequence[str], k: int) -> list[tuple[Candidate, ...]]:
    """The k best candidates of each row, best first."""
    k = max(1, min(k, probs.shape[1]))
    order = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return [tuple(Candidate(labels[j], float(row[j])) for j in idx) for row, idx in zip(probs, order)]


def numeric_word(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Apply the digit-word rule to one word's float32 (n, C) probabilities; returns new probabilities.

    A word whose glyphs carry more digit than letter mass on average reads as a
    number: each glyph whose best digit is a likely reading is restricted to digits.
    """
    digit = np.array([c.isdigit() for c in labels], bool)
    if len(probs) < 2 or not digit.any():
        return probs
    mass = probs[:, digit].sum(1)
    if mass.mean() <= 0.5:
        return probs
    out = probs.copy()
    best = probs.max(1)
    best_digit = probs[:, digit].max(1)
    for i in np.nonzero(best_digit >= DIGIT_SHARE * best)[0]:
        out[i] = restrict(probs[i : i + 1], digit)[0]
    return out


def decode_word(probs: np.ndarray, labels: Sequence[str], mode: str = "auto") -> np.ndarray:
    """Probabilities of one word's glyphs after the mode and the word rules; float32 (n, C)."""
    p = restrict(probs, mode_mask(labels, mode))
    if mode == "auto":
        p = numeric_word(p, labels)
    return p
