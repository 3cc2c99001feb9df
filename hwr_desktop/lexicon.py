"""Word lists that re-rank words whose glyphs allow a dictionary word.

A word's reading is replaced by the best dictionary word of the same length
only when the ink supports it: its letters (either case) must together be at
least ``MIN_RATIO`` as likely as the glyphs' own best reading, and every one of
them must be a plausible reading of its glyph (``MIN_P``). Case is left to the
glyphs and the line context; the lexicon only picks letters.

The shipped list, ``resources/words_en.txt``, holds the 40,000 alphabetic words
of SCOWL's American English "small" list (see ``words_en.LICENSE.txt``); users
add their own word lists, one word per line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .errors import InputError

MIN_RATIO = 0.05  # the dictionary word's probability / the best reading's, at least
MIN_P = 0.01  # each of its letters' probability (either case) in its glyph, at least
MAX_WORD = 24
SHIPPED = "words_en.txt"


def is_word(word: str) -> bool:
    """Whether ``word`` can be a word of a list: 2 to ``MAX_WORD`` letters a-z, either case."""
    return 2 <= len(word) <= MAX_WORD and word.isascii() and word.isalpha()


def word_list_text(path: str | Path) -> str:
    """The text of a word list file (UTF-8).

    Raises:
        InputError: the file cannot be read (missing, a folder, not UTF-8).
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read word list {path}: {e.__class__.__name__}: {e}") from None


def read_words(path: str | Path) -> list[str]:
    """The whitespace-separated tokens of a word list file, as written (usable words or not: see ``is_word``).

    Raises:
        InputError: the file cannot be read (``word_list_text``).
    """
    return word_list_text(path).split()


def shipped_words_path() -> Path:
    try:
        return Path(str(resources.files("hwr_desktop.resources").joinpath(SHIPPED)))
    except ModuleNotFoundError:  # a source checkout that is not installed
        return Path(__file__).resolve().parents[1] / "resources" / SHIPPED


class Lexicon:
    """Words bucketed by length as letter indices (a-z = 0-25), for vectorized scoring."""

    def __init__(self, words: Iterable[str]) -> None:
        by_len: dict[int, set[str]] = {}
        for w in words:
            w = w.strip().lower()
            if is_word(w):
                by_len.setdefault(len(w), set()).add(w)
        self._words = {n: sorted(ws) for n, ws in by_len.items()}
        self._sets = {n: frozenset(ws) for n, ws in by_len.items()}
        self._codes = {
            n: np.frombuffer("".join(ws).encode(), np.uint8).reshape(len(ws), n) - ord("a") for n, ws in self._words.items()
        }
        self._prefixes: frozenset[str] | None = None

    def __len__(self) -> int:
        return sum(len(w) for w in self._words.values())

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._sets.get(len(word), ())

    @classmethod
    def from_files(cls, paths: Sequence[str | Path], shipped: bool = True) -> "Lexicon":
        """The shipped list (unless ``shipped`` is False) plus the words of ``paths`` (one per line).

        Raises:
            InputError: a word list cannot be read.
        """
        files = ([shipped_words_path()] if shipped else []) + [Path(p) for p in paths]
        return cls(w for f in files for w in read_words(f))

    def best_word(self, letter_p: np.ndarray) -> tuple[str, float] | None:
        """The likeliest word of this length.

        Args:
            letter_p: float (n, 26), each glyph's probability of each letter a-z (cases summed).
        Returns:
            (word, log probability), or None when the lexicon has no word of length n.
        """
        scores = self._scores(letter_p)
        if scores is None:
            return None
        k = int(scores.argmax())
        return self._words[len(letter_p)][k], float(scores[k])

    def best_words(self, letter_p: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` likeliest words of this length, best first.

        Args:
            letter_p: float (n, 26), as for ``best_word``.
        Returns:
            up to ``k`` (word, log probability) pairs; [] when the lexicon has no word of length n.
        """
        scores = self._scores(letter_p)
        if scores is None or k < 1:
            return []
        top = np.arange(len(scores)) if k >= len(scores) else np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))][:k]
        words = self._words[len(letter_p)]
        return [(words[i], float(scores[i])) for i in top]

    @property
    def prefixes(self) -> frozenset[str]:
        """Every beginning of a word of the list ("", "h", "he", ... "hello"), built on first use: what a search
        that may read only the list's words grows along (``ctc.beam_search``)."""
        if self._prefixes is None:
            self._prefixes = frozenset(w[:i] for ws in self._words.values() for w in ws for i in range(len(w) + 1))
        return self._prefixes

    def _scores(self, letter_p: np.ndarray) -> np.ndarray | None:
        """float (m,): the log probability of each of the lexicon's m words of length n under float (n, 26)
        ``letter_p``; None when it has none."""
        codes = self._codes.get(len(letter_p))
        if codes is None:
            return None
        logp = np.log(np.maximum(letter_p, 1e-12))
        return logp[np.arange(len(letter_p))[None, :], codes].sum(1)


def apply_lexicon(probs: np.ndarray, labels: Sequence[str], lexicon: Lexicon) -> np.ndarray:
    """Re-rank one word's float32 (n, C) probabilities towards a dictionary word the ink supports.

    Returns the probabilities unchanged, or with each changed glyph's dictionary
    letter (in the case the glyph prefers) made its best reading.
    """
    n = len(probs)
    if n < 2:
        return probs
    lower = np.array([labels.index(c) if c in labels else -1 for c in "abcdefghijklmnopqrstuvwxyz"])
    upper = np.array([labels.index(c) if c in labels else -1 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
    if (lower < 0).any() or (upper < 0).any():
        return probs
    letter_p = probs[:, lower] + probs[:, upper]
    found = lexicon.best_word(letter_p)
    if found is None:
        return probs
    word, score = found
    best_score = float(np.log(np.maximum(probs.max(1), 1e-12)).sum())
    idx = np.frombuffer(word.encode(), np.uint8) - ord("a")
    if score < best_score + np.log(MIN_RATIO) or letter_p[np.arange(n), idx].min() < MIN_P:
        return probs
    out = probs.copy()
    for i, j in enumerate(idx):
        k = lower[j] if probs[i, lower[j]] >= probs[i, upper[j]] else upper[j]
        if out[i].argmax() != k:
            out[i, k] = out[i].max() * 1.05
            out[i] /= out[i].sum()
    return out
