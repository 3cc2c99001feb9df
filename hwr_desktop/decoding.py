"""Class probabilities -> characters with alternatives, under a field mode and light word rules.

Modes restrict the alphabet: ``digits``, ``letters`` (A-Z a-z), ``upper``,
``lower``; ``auto`` allows everything and applies two word rules: in a word
that reads as a number (mostly digits, or every glyph could be a digit and
one of them surely is one: "lq6l" is 1961), glyphs that could be a digit are
read as one (O -> 0, l -> 1, S -> 5 when the digit is among their likely
readings), and in a word that reads mostly as letters, glyphs that could be
a letter are read as one (0 -> o, 1 -> l, 5 -> S).

Punctuation and symbols (the labels that are neither letters nor digits) stand apart from the word
rules: a glyph read surely as one (``SYMBOL_SURE``) keeps its reading, and neither counts for nor
against its word's being a number or a word of letters ("(555)", "12:30", "hello!"). Digits mode also
allows the signs that belong in numbers (``DIGIT_SIGNS``).

``top_k`` always offers a glyph's digit look-alike (9 for q, 1 for l, 0 for
O ...) and a digit's letter look-alikes among the alternatives when the mode
allows them, so that a correction never needs typing.
"""

from __future__ import annotations

import functools

from typing import Literal, Sequence

import numpy as np

from .errors import HwrError
from .results import Candidate

Mode = Literal["auto", "digits", "letters", "upper", "lower"]
MODES: tuple[str, ...] = ("auto", "digits", "letters", "upper", "lower")

DIGIT_SIGNS = ".,-+/:"  # what digits mode reads besides digits: 3.5, 1,000, -2, +1, 3/4, 12:30

_ALLOWED = {
    "digits": lambda c: c.isdigit() or c in DIGIT_SIGNS,
    "letters": str.isalpha,
    "upper": str.isupper,
    "lower": str.islower,
}

# A reading counts as likely when its probability is at least this share of the best one.
SHARE = 0.05


@functools.lru_cache(maxsize=64)
def label_mask(labels: tuple[str, ...], kind: str) -> np.ndarray:
    """bool (C,), read-only: which ``labels`` are of ``kind`` ("symbol", "digit", "alpha", "upper" or a mode), computed
    once per label set (the decoding asks for them per word)."""
    test = {"symbol": lambda c: not c.isalnum(), "digit": str.isdigit, "alpha": str.isalpha, "upper": str.isupper,
            "auto": lambda c: True}.get(kind) or _ALLOWED[kind]
    out = np.array([test(c) for c in labels], bool)
    out.flags.writeable = False
    return out


def mode_mask(labels: Sequence[str], mode: str) -> np.ndarray:
    """bool (C,): which labels a mode allows."""
    if mode not in MODES:
        raise HwrError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    allowed = label_mask(tuple(labels), mode)
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


# digit <-> letters that look like it alone; the alternatives of one always offer the other
DIGIT_LOOKALIKES = {"0": "Oo", "1": "lI", "2": "Zz", "4": "A", "5": "Ss", "6": "bG", "7": "T", "8": "B", "9": "qg"}


def lookalike_partners(labels: Sequence[str]) -> dict[int, list[int]]:
    """Per label index, the indices of its digit / letter look-alikes (``DIGIT_LOOKALIKES``), best first."""
    index = {c: i for i, c in enumerate(labels)}
    out: dict[int, list[int]] = {}
    for digit, letters in DIGIT_LOOKALIKES.items():
        if digit not in index:
            continue
        for c in letters:
            if c in index:
                out.setdefault(index[digit], []).append(index[c])
                out.setdefault(index[c], []).append(index[digit])
    return out


def top_k(probs: np.ndarray, labels: Sequence[str], k: int, allowed: np.ndarray | None = None) -> list[tuple[Candidate, ...]]:
    """The k best candidates of each row, best first. With k >= 2, the best reading's digit or letter
    look-alikes (``DIGIT_LOOKALIKES``) that ``allowed`` (bool (C,), default all) permits are always among
    them: they take the places of the weakest others."""
    k = max(1, min(k, probs.shape[1]))
    order = np.argsort(-probs, axis=1, kind="stable")
    partners = lookalike_partners(labels) if k >= 2 else {}
    out = []
    for row, idx in zip(probs, order):
        picked = list(idx[:k])
        want = [j for j in partners.get(int(idx[0]), []) if (allowed is None or allowed[j]) and j not in picked]
        for j in want[: k - 1]:
            picked[len(picked) - 1 - want.index(j)] = j
        picked = [picked[0]] + sorted(picked[1:], key=lambda j: -row[j])
        out.append(tuple(Candidate(labels[j], float(row[j])) for j in picked))
    return out


SYMBOL_SURE = 0.5  # a glyph read as punctuation or a symbol with this probability keeps that reading


def symbol_mask(labels: Sequence[str]) -> np.ndarray:
    """bool (C,): which labels are punctuation or symbols (neither letters nor digits)."""
    return label_mask(tuple(labels), "symbol")


# The glyph model is trained on as many samples of each class, so its probabilities assume every class equally
# likely; in writing a symbol is far rarer than a letter or a digit. Their probabilities are weighed by this
# prior (chosen on UNIPEN dev writers' lines) before any decoding.
SYMBOL_PRIOR = 0.5


def with_symbol_prior(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """float32 (n, C) probabilities with the symbols' weighed by ``SYMBOL_PRIOR``, rows renormalized."""
    weight = np.where(symbol_mask(labels), SYMBOL_PRIOR, 1.0).astype(np.float32)
    p = probs * weight
    return (p / np.maximum(p.sum(1, keepdims=True), 1e-12)).astype(np.float32)


def sure_symbols(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """bool (n,): the glyphs whose best reading is a symbol, held with at least ``SYMBOL_SURE``."""
    if not len(probs):
        return np.zeros(0, bool)
    best = probs.argmax(1)
    return symbol_mask(labels)[best] & (probs[np.arange(len(probs)), best] >= SYMBOL_SURE)


def _word_rule(probs: np.ndarray, members: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Restrict a word to the class group ``members`` (bool (C,)) when the group holds most of its mass.

    Each glyph whose best reading in the group is a likely one (at least ``SHARE`` of its best) is restricted
    to the group; others keep their reading, and so do the glyphs ``kept`` (bool (n,): sure symbols), which
    do not count towards the word's mass either.
    """
    rest = ~kept
    if rest.sum() < 2 or not members.any() or probs[rest][:, members].sum(1).mean() <= 0.5:
        return probs
    out = probs.copy()
    best = probs.max(1)
    for i in np.nonzero((probs[:, members].max(1) >= SHARE * best) & rest)[0]:
        out[i] = restrict(probs[i : i + 1], members)[0]
    return out


SURE_DIGIT = 0.5  # a glyph whose digit readings hold this much, twice its digits' look-alike letters, is surely a digit


def digit_mask(labels: Sequence[str]) -> np.ndarray:
    """bool (C,): which labels are digits."""
    return label_mask(tuple(labels), "digit")


def could_be_number(probs: np.ndarray, labels: Sequence[str]) -> bool:
    """Every glyph of the word but its sure symbols has a digit among its likely readings (at least ``SHARE``
    of its best), and there is one such glyph at least."""
    digits = digit_mask(labels)
    p = probs[~sure_symbols(probs, labels)]
    return bool(len(p) and digits.any() and (p[:, digits].max(1) >= SHARE * p.max(1)).all())


def numeric_word(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """A word that is mostly digits reads as a number, and so does one whose every glyph could be a digit
    (``could_be_number``) when one of them surely is one; float32 (n, C) -> (n, C)."""
    digits = digit_mask(labels)
    kept = sure_symbols(probs, labels)
    if (~kept).sum() >= 2 and could_be_number(probs, labels):
        partners = lookalike_partners(labels)
        lookalike = np.zeros(len(labels), bool)  # the letters that look like a digit
        lookalike[[j for i in np.nonzero(digits)[0] for j in partners.get(int(i), [])]] = True
        mass, letters = probs[:, digits].sum(1), probs[:, lookalike].sum(1)
        if (mass >= np.maximum(SURE_DIGIT, 2 * letters))[~kept].any():  # one surely a digit, not its look-alike
            out = probs.copy()
            out[~kept] = restrict(probs[~kept], digits)
            return out
    return _word_rule(probs, digits, kept)


# where punctuation stands in a word of letters: before it ("(word), after it (word?!), or inside (don't, e-mail,
# and/or, AT&T, a@b.c); a symbol read elsewhere in such a word (a t read as +, an x as *) is a letter if it can be
LEADING = "(\"'#@-"
TRAILING = ")\"'.,;:?!%"
INNER = "'-/&@."


def placed_symbols(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """bool (n,): the sure symbols (``sure_symbols``) of a word that stand where punctuation stands in a word of
    letters (``LEADING``, ``TRAILING``, ``INNER``); a word of one glyph keeps its sure symbol."""
    kept = sure_symbols(probs, labels)
    n = len(probs)
    if n < 2:
        return kept
    best = [labels[k] for k in probs.argmax(1)]
    out = kept.copy()
    for i in np.nonzero(kept)[0]:
        leads, trails = bool(kept[:i].all()), bool(kept[i + 1 :].all())  # only symbols before it / after it
        allowed = (LEADING if leads else "") + (TRAILING if trails else "") + ("" if leads or trails else INNER)
        out[i] = best[i] in allowed
    return out


def letter_word(probs: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """A word that is mostly letters reads as letters, its symbols kept where they belong (``placed_symbols``);
    float32 (n, C) -> (n, C)."""
    return _word_rule(probs, label_mask(tuple(labels), "alpha"), placed_symbols(probs, labels))


def decode_word(probs: np.ndarray, labels: Sequence[str], mode: str = "auto") -> np.ndarray:
    """Probabilities of one word's glyphs after the mode and the word rules; float32 (n, C)."""
    p = restrict(probs, mode_mask(labels, mode))
    if mode == "auto":
        p = letter_word(numeric_word(p, labels), labels)
    return p
