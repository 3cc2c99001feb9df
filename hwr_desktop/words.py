"""Whole-word alternatives: the likeliest readings of a word, combined from its glyphs' candidates.

A reading takes one candidate per glyph (``GlyphResult.alternatives``) and scores the product of their
probabilities; a small beam search (``BEAM`` readings kept after each glyph) finds the best ones. The two cases
of a letter count as one candidate (their probabilities summed), so that readings differ in letters, not in
case, and every reading takes the case of the word as read (``like_case``): a Capitalized word offers
Capitalized words. Words of a word list (``lexicon.Lexicon``) come first when the ink allows them: each letter
among its glyph's candidates, and the word at least ``REACH`` times as likely as the best reading. The word as
read is always among the alternatives.

``with_word_alternatives`` fills ``WordResult.alternatives`` over a page after recognition (the app's worker,
``hwr recognize --format json``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from .lexicon import Lexicon
from .results import GlyphResult, PageResult, WordResult

N_ALTERNATIVES = 5  # readings offered per word
BEAM = 16  # readings kept after each glyph (at least the number asked for)
REACH = 0.01  # a word of the list is offered when at least this times as likely as the best reading
LETTERS = "abcdefghijklmnopqrstuvwxyz"

Options = dict[str, float]  # a glyph's candidates, case folded: character -> probability


def folded_candidates(glyph: GlyphResult) -> Options:
    """A glyph's candidates with a letter's two cases as one (lower case), their probabilities summed, best first;
    a glyph read as a letter or digit offers no punctuation (whole-word readings differ in letters: "1/" is no
    reading of "11"; the glyph's own popup still offers it); a glyph without alternatives offers its own reading."""
    out: Options = {}
    for cand in glyph.alternatives or ():
        if glyph.char.isalnum() and not cand.char.isalnum():
            continue
        c = cand.char.lower()
        out[c] = out.get(c, 0.0) + float(cand.p)
    if not out:
        out[glyph.char.lower()] = float(glyph.confidence)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def beam_readings(options: Sequence[Options], width: int = BEAM) -> list[tuple[str, float]]:
    """The ``width`` likeliest readings of a word (one candidate per glyph), best first, with their probability
    (the product of the candidates'); ties keep the glyphs' own order of candidates."""
    beam: list[tuple[str, float]] = [("", 1.0)]
    for opts in options:
        grown = [(text + c, p * q) for text, p in beam for c, q in opts.items()]
        beam = sorted(grown, key=lambda r: -r[1])[:width]  # sorted is stable: ties stay in order
    return beam


def list_readings(options: Sequence[Options], lexicon: Lexicon, k: int, floor: float) -> list[tuple[str, float]]:
    """Up to ``k`` readings that spell a word of ``lexicon`` (every letter among its glyph's candidates) with a
    probability of at least ``floor``, best first. Glyphs that offer no letter or digit (marks: an apostrophe, a
    period) keep their best reading around the word: "hcllo." can read "hello."."""
    spots = [i for i, opts in enumerate(options) if any(c.isalnum() for c in opts)]
    marks = {i: max(opts.items(), key=lambda kv: kv[1]) for i, opts in enumerate(options) if i not in spots}
    letter_p = np.zeros((len(spots), len(LETTERS)), np.float64)
    for row, i in enumerate(spots):
        for c, p in options[i].items():
            if c in LETTERS:
                letter_p[row, LETTERS.index(c)] = p
    around = float(np.prod([p for _, p in marks.values()]))
    found = []
    for word, logp in lexicon.best_words(letter_p, k):
        idx = [LETTERS.index(c) for c in word]
        p = float(np.exp(logp)) * around
        if letter_p[np.arange(len(word)), idx].min() > 0 and p >= floor:
            letters = iter(word)
            found.append(("".join(marks[i][0] if i in marks else next(letters) for i in range(len(options))), p))
    return found


def like_case(text: str, model: str) -> str:
    """``text`` (lower case letters, digits) in the case of ``model``, a reading of the same glyphs: ALL CAPS when
    the model's letters are all capitals (two or more), lower case when they are all small, Capitalized when the
    model starts with its only capital; otherwise letter by letter as the model (a small letter where it has
    none)."""
    letters = [c for c in model if c.isalpha()]
    if not letters:
        return text
    if all(c.isupper() for c in letters) and len(letters) >= 2:
        return text.upper()
    if all(c.islower() for c in letters):
        return text.lower()
    if model[:1].isupper() and all(c.islower() for c in letters[1:]):
        return text[:1].upper() + text[1:].lower()
    return "".join(c.upper() if m.isupper() else c.lower() for c, m in zip(text, model.ljust(len(text))))


def word_alternatives(word: WordResult, lexicon: Lexicon | None = None,
                      n: int = N_ALTERNATIVES) -> tuple[str, ...]:
    """Up to ``n`` readings of ``word``, likeliest first after the words of ``lexicon`` within ``REACH`` (see the
    module docstring); the word as read is always among them. Empty for a word of one glyph, or ``n`` < 1."""
    if len(word.glyphs) < 2 or n < 1:
        return ()
    options = [folded_candidates(g) for g in word.glyphs]
    found = beam_readings(options, max(BEAM, n))
    listed = list_readings(options, lexicon, n, found[0][1] * REACH) if lexicon is not None else []
    ranked = list(dict.fromkeys([t for t, _ in listed] + [t for t, _ in found]))[:n]
    model = "".join(g.char for g in word.glyphs)
    if model.lower() not in ranked:
        ranked = ranked[: n - 1] + [model.lower()]
    return tuple(like_case(t, model) for t in ranked)


def with_word_alternatives(page: PageResult, lexicon: Lexicon | None = None, n: int = N_ALTERNATIVES) -> PageResult:
    """``page`` with every word's ``alternatives`` filled (``word_alternatives``); nothing else changes. A word
    the line recognizer read (``joined``) keeps the readings it came with (its beam's and the word list's)."""
    lines = tuple(replace(line, words=tuple(replace(w, alternatives=w.alternatives[:n] if w.alternatives
                                                    else word_alternatives(w, lexicon, n))
                                            for w in line.words)) for line in page.lines)
    return replace(page, lines=lines)
