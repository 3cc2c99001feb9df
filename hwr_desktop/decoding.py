"""Class probabilities -> characters with alternatives, under a field mode and light word rules.

Modes restrict the alphabet: ``digits``, ``letters`` (A-Z a-z), ``upper``,
``lower``; ``auto`` allows everything and applies two word rules: in a word
that reads mostly as digits, glyphs that could be a digit are read as one
(O -> 0, l -> 1, S -> 5 when the digit is among their likely readings), and
in a word that reads mostly as letters, glyphs that could be a letter are
read as one (0 -> o, 1 -> l, 5 -> S).
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

# A reading counts as likely when its probability is at least this share of the best one.
SHARE = 0.05


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


def _word_rule(probs: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Restrict a word to the class group ``members`` (bool (C,)) when the group holds most of its mass.

    Each glyph whose best reading in the group is a likely one (at least
    ``SHARE`` of its best) is restricted to the group; others keep their reading.
    """
    if len(probs) < 2 or not members.any() or probs[:, members].sum(1).mean() <= 0.5:
        return probs
    out = probs.copy()
    best = probs.max(1)
    for i in np.nonzero(probs[:, members].max(1) >= SHARE * best)[0]:
        out[i] = restrict(probs[i : i + 1], members)[0]
    return out


def numeric_word(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """A word that is mostly digits reads as a number; float32 (n, C) -> (n, C)."""
    return _word_rule(probs, np.array([c.isdigit() for c in labels], bool))


def letter_word(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """A word that is mostly letters reads as letters; float32 (n, C) -> (n, C)."""
    return _word_rule(probs, np.array([c.isalpha() for c in labels], bool))


def decode_word(probs: np.ndarray, labels: Sequence[str], mode: str = "auto") -> np.ndarray:
    """Probabilities of one word's glyphs after the mode and the word rules; float32 (n, C)."""
    p = restrict(probs, mode_mask(labels, mode))
    if mode == "auto":
        p = letter_word(numeric_word(p, labels), labels)
    return p
