"""CTC decoding: a line recognizer's per-frame probabilities -> text, character spans and alternatives.

The network (``lines.LineRecognizer``) gives, per frame, the probability of each label and of the blank
(column 0). Decoders, each small and tested on hand-made matrices:

- ``best_path``: the likeliest label per frame, repeats merged, blanks dropped; each character keeps the
  frames it was read on (``Span``), which give its box on the line;
- ``sequence_logp``: how likely the frames are to spell given texts (the CTC forward sum), for many texts
  at once: what the word list is scored with;
- ``beam_search``: prefix beam search with a character language model (``CharLM``), for n-best readings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Container, Iterable, Sequence

import numpy as np

BLANK = 0
NEG = -1e30


@dataclass(frozen=True)
class Span:
    """One character of a CTC reading: its label index (into the model's labels, blank excluded, so
    ``labels[index]``), the frames [start, end) it was read on, and its peak frame and probability there."""

    index: int
    start: int
    end: int
    peak: int
    p: float


def best_path(probs: np.ndarray) -> list[Span]:
    """Greedy decoding of float (T, 1 + C) probabilities (column 0 blank): the spans of the characters read."""
    best = probs.argmax(1)
    spans: list[Span] = []
    prev = BLANK
    for t, k in enumerate(best):
        if k != BLANK:
            p = float(probs[t, k])
            if k == prev:
                s = spans[-1]
                spans[-1] = Span(s.index, s.start, t + 1, t if p > s.p else s.peak, max(p, s.p))
            else:
                spans.append(Span(int(k) - 1, t, t + 1, t, p))
        prev = k
    return spans


def sequence_logp(probs: np.ndarray, targets: Sequence[Sequence[int]]) -> np.ndarray:
    """log P(target | frames) under CTC for each target (label indices, blank excluded), all at once.

    Args:
        probs: float (T, 1 + C) per-frame probabilities, column 0 the blank.
        targets: texts as label indices (``labels[i]`` is column i + 1).
    Returns:
        float64 (len(targets),); -inf-like (NEG) for a target longer than the frames can hold. Exact to
        rounding wherever log P > -700; a target less likely than that may lose paths that fall under
        exp(-700) of the likeliest at a frame, and gets a value below -700 all the same.
    """
    n = len(targets)
    if n == 0:
        return np.zeros(0)
    T = len(probs)
    L = max(len(t) for t in targets)
    S = 2 * L + 1
    ext = np.zeros((n, S), np.int64)  # blank, c1, blank, c2, ..., blank (columns of probs)
    length = np.zeros(n, np.int64)
    skip = np.zeros((n, S), bool)  # may jump from s - 2 (a different character, not a blank)
    for i, t in enumerate(targets):
        cols = np.asarray(t, np.int64) + 1
        ext[i, 1 : 2 * len(t) : 2] = cols
        length[i] = 2 * len(t) + 1
        if len(t) > 1:
            skip[i, 3 : 2 * len(t) : 2] = cols[1:] != cols[:-1]
    valid = np.arange(S)[None, :] < length[:, None]
    if T == 0:
        return np.where(length == 1, 0.0, NEG)
    # the forward sum in probabilities, each target's row rescaled to a maximum of 1 every frame (the scales'
    # logs summed): as exact as the log-space recursion, without a logaddexp per state and frame
    p = np.maximum(np.asarray(probs, np.float64), 1e-30)
    emit = p[:, ext] * valid  # (T, n, S): each state's label's probability per frame, 0 past a target's end
    skip_f = skip.astype(np.float64)
    # two buffers, alpha in columns 2.. of each, columns 0 and 1 left 0 (no state before the first); each
    # frame's alpha is made in the other buffer from these views, with no array allocated per frame
    bufs = np.zeros((2, n, S + 2))
    views = [(b[:, 2:], b[:, 1:-1], b[:, :-2]) for b in bufs]
    bufs[0, :, 2] = emit[0, :, 0]
    bufs[0, :, 3] = emit[0, :, 1]
    tmp = np.empty((n, S))
    logscale = np.zeros(n)
    add, mul = np.add, np.multiply
    for t, e in enumerate(emit[1:], 1):
        alpha, s1, s2 = views[(t - 1) & 1]
        nxt = views[t & 1][0]
        add(alpha, s1, out=nxt)
        mul(s2, skip_f, out=tmp)
        nxt += tmp
        nxt *= e
        if t & 7 == 0 or t == T - 1:  # rescaled often enough that no row underflows (emissions >= 1e-30)
            top = nxt.max(1)  # > 0: the all-blank path keeps state 0 alive
            nxt /= top[:, None]
            logscale += np.log(top)
    alpha = views[(T - 1) & 1][0]
    rows = np.arange(n)
    end = alpha[rows, length - 1] + np.where(length > 1, alpha[rows, np.maximum(length - 2, 0)], 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(end) + logscale
    return np.where(end > 0, out, NEG)


class CharLM:
    """A character trigram model of words (lower case a-z, interpolated with bigrams, unigrams and a uniform
    floor), trained on a word list: ``logp(ch, context)`` is log P(next letter | the word's letters so far),
    with "$" for the end of the word."""

    ORDER = 3
    WEIGHTS = (0.6, 0.25, 0.1, 0.05)  # trigram, bigram, unigram, uniform

    ALPHABET = "^abcdefghijklmnopqrstuvwxyz$"  # "^" pads the start of a word, "$" ends it

    def __init__(self, words: Iterable[str]) -> None:
        code = {c: i for i, c in enumerate(self.ALPHABET)}
        n = len(self.ALPHABET)
        seqs = [[0, 0] + [code[c] for c in w] + [n - 1] for w in (w.strip().lower() for w in words)
                if w.isascii() and w.isalpha()]
        flat = np.array([x for q in seqs for x in q], np.int64)
        ends = np.cumsum([len(q) for q in seqs])
        i = np.arange(len(flat))
        starts = np.concatenate([[0], ends[:-1]]) if len(seqs) else np.zeros(0, np.int64)
        pos = i - np.repeat(starts, [len(q) for q in seqs]) if len(seqs) else i
        at = i[pos >= 2]  # every letter and end of every word, with the two before it
        tri = np.zeros((n, n, n))
        np.add.at(tri, (flat[at - 2], flat[at - 1], flat[at]), 1.0)
        bi, uni = tri.sum(0), tri.sum((0, 1))
        w3, w2, w1, w0 = self.WEIGHTS
        with np.errstate(invalid="ignore", divide="ignore"):
            lone = w0 / (n - 1) + w1 * np.nan_to_num(uni / uni.sum())  # no context: unigram and floor
            after = lone[None] + w2 * np.nan_to_num(bi / bi.sum(1, keepdims=True))  # [last][next]
            p = after[None] + w3 * np.nan_to_num(tri / tri.sum(2, keepdims=True))  # [before last][last][next]
        self._code = code
        # Python floats, for the beam's scalar work
        self._table, self._after, self._lone = np.log(p).tolist(), np.log(after).tolist(), np.log(lone).tolist()
        self._unknown = math.log(w0 / (n - 1))
        self.steps: dict[tuple[str, str], float] = {}  # ``_lm_step``'s values, kept across searches

    def logp(self, ch: str, context: str) -> float:
        """log P(``ch`` | the last letters of ``context``); ``ch`` a lower-case letter or "$"."""
        ctx = ("^^" + context)[-2:]
        a, b, c = self._code.get(ctx[0]), self._code.get(ctx[1]), self._code.get(ch)
        if c is None:
            return self._unknown
        if b is None:
            return self._lone[c]
        return self._after[b][c] if a is None else self._table[a][b][c]

    def word_logp(self, word: str) -> float:
        """log P of a whole word (letters only, case folded), its end included."""
        w = word.lower()
        return sum(self.logp(c, w[:i]) for i, c in enumerate(w)) + self.logp("$", w)


CAPITAL_START = math.log(0.25)  # a word that starts with a capital
CASE_CHANGE = math.log(0.05)  # a capital after a lower-case letter, or a lower-case letter after two capitals
OTHER = math.log(0.02)  # a digit or punctuation mark
SURE_BLANK = math.log(0.999)  # a frame this surely blank starts no character (the beam search skips it)


STEPS_KEPT = 200_000  # ``CharLM.steps`` is emptied beyond this many


def _lm_step(lm: CharLM, word: str, ch: str) -> float:
    """The language model's log probability of ``ch`` following ``word`` (the current word's characters),
    kept in ``lm.steps``: the searches of a page ask for the same steps again and again."""
    key = (word, ch)
    score = lm.steps.get(key)
    if score is None:
        if len(lm.steps) >= STEPS_KEPT:
            lm.steps.clear()
        score = lm.steps[key] = _lm_step_anew(lm, word, ch)
    return score


def _lm_step_anew(lm: CharLM, word: str, ch: str) -> float:
    if ch == " ":
        letters = word.lower()
        return lm.logp("$", letters) if letters.isalpha() else 0.0
    if not ch.isalpha() or not ch.isascii():
        return OTHER
    letters = word if word.isalpha() else ""
    score = lm.logp(ch.lower(), letters.lower()) if word.isalpha() or not word else lm.logp(ch.lower(), "")
    if ch.isupper():
        if not word:
            score += CAPITAL_START
        elif not word.isupper():
            score += CASE_CHANGE
    elif len(word) >= 2 and word.isupper():
        score += CASE_CHANGE
    return score


def _lae(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) for Python floats (numpy's is slow on scalars)."""
    if a < b:
        a, b = b, a
    return a if b <= NEG else a + math.log1p(math.exp(b - a))


def beam_search(probs: np.ndarray, labels: Sequence[str], lm: CharLM | None = None, *, beam: int = 10,
                alpha: float = 0.5, beta: float = 1.0, prune: float = 1e-3, allowed: np.ndarray | None = None,
                nbest: int = 5, prefixes: Container[str] | None = None, words: Container[str] | None = None,
                tried: int = 6) -> list[tuple[str, float]]:
    """Prefix beam search over float (T, 1 + C) probabilities (column 0 blank).

    Args:
        lm: a character model weighed by ``alpha``, with ``beta`` added per character (None: the network alone).
        prune: labels below this probability in a frame are not tried there (the frame's best always is);
            ``tried``: at most this many labels a frame, the likeliest.
        allowed: bool (C,), the labels that may be read (a field mode); None: all.
        prefixes, words: read one word of a list only (lower-case letters): every reading must be one of
            ``prefixes`` as it grows and one of ``words`` at the end (``lexicon.Lexicon.prefixes`` and the list).
    Returns:
        up to ``nbest`` (text, score) pairs, best first; score = log P(frames, text) + alpha * LM + beta * length.
    """
    logp = np.log(np.maximum(np.asarray(probs, np.float64), 1e-30))
    if allowed is not None:
        logp[:, 1:][:, ~np.asarray(allowed, bool)] = NEG
    rows = logp.tolist()  # Python floats: the loop below is scalar work
    floor = math.log(prune)
    # per frame, the labels tried there: the likeliest ``tried`` above ``prune`` (the best one at least)
    order = np.argsort(-logp[:, 1:], axis=1, kind="stable")[:, :tried]
    ranked_p = np.take_along_axis(logp[:, 1:], order, 1) >= floor
    lower = [c.lower() for c in labels]
    # per frame, (label, its character, its log probability there) for the labels tried
    tries = [[(k, labels[k], row[k + 1]) for k in ([k for k, ok in zip(o, f) if ok] or o[:1])]
             for o, f, row in zip(order.tolist(), ranked_p.tolist(), rows)]
    steps: dict[tuple[str, str], float] = {}  # the LM's step for (word, character), once each
    # prefix -> [log p ending in a blank, log p ending in its last label, LM score, the current word's text,
    # that text in lower case]
    beams: dict[tuple, list] = {(): [0.0, NEG, 0.0, "", ""]}
    for t in range(len(logp)):
        row = rows[t]
        blank = row[BLANK]
        cands: Sequence[tuple[int, str, float]] = () if blank > SURE_BLANK else tries[t]  # a sure blank starts nothing
        nxt: dict[tuple, list] = {}
        for prefix, (pb, pnb, lm_score, word, low) in beams.items():
            total = _lae(pb, pnb)
            last = prefix[-1] if prefix else -1
            e = nxt.get(prefix)
            stay_b, stay_nb = total + blank, (pnb + row[last + 1] if prefix else NEG)
            if e is None:
                nxt[prefix] = [stay_b, stay_nb, lm_score, word, low]
            else:
                e[0], e[1] = _lae(e[0], stay_b), _lae(e[1], stay_nb)
            for k, ch, lp in cands:
                ext = prefix + (k,)
                p_new = (pb if last == k else total) + lp
                e = nxt.get(ext)
                if e is not None:
                    e[1] = _lae(e[1], p_new)
                    continue
                if prefixes is not None and low + lower[k] not in prefixes:
                    continue
                step = steps.get((word, ch))
                if step is None:
                    step = steps[(word, ch)] = beta + (alpha * _lm_step(lm, word, ch) if lm is not None else 0.0)
                nxt[ext] = ([NEG, p_new, lm_score + step, "", ""] if ch == " " else
                            [NEG, p_new, lm_score + step, word + ch, low + lower[k]])
        if len(nxt) > beam:
            ranked = sorted(nxt.items(), key=lambda kv: -(_lae(kv[1][0], kv[1][1]) + kv[1][2]))
            beams = dict(ranked[:beam])
        else:
            beams = nxt
    final = []
    for prefix, (pb, pnb, lm_score, _, _) in beams.items():
        text = "".join(labels[i] for i in prefix)
        if words is not None and text.lower() not in words:
            continue
        end = 0.0
        if lm is not None and text:
            end = alpha * _lm_step(lm, text.rsplit(" ", 1)[-1], " ")
        final.append((text.strip(), float(_lae(pb, pnb) + lm_score + end)))
    final.sort(key=lambda x: -x[1])
    seen, out = set(), []
    for text, score in final:
        if text not in seen:
            seen.add(text)
            out.append((text, score))
    return out[:nbest]


def align(probs: np.ndarray, target: Sequence[int]) -> list[Span]:
    """The likeliest way (Viterbi) the frames of float (T, 1 + C) probabilities spell ``target`` (label
    indices, blank excluded): one span per character, in order. [] for an empty target; a target longer
    than the frames allow gets one frame per character from the start, as far as they go."""
    n = len(target)
    if n == 0:
        return []
    logp = np.log(np.maximum(np.asarray(probs, np.float64), 1e-30))
    T = len(logp)
    S = 2 * n + 1
    ext = np.zeros(S, np.int64)
    ext[1::2] = np.asarray(target, np.int64) + 1
    skip = np.zeros(S, bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    if T < n:
        return [Span(int(k), min(i, T - 1), min(i, T - 1) + 1, min(i, T - 1), float(probs[min(i, T - 1), k + 1]))
                for i, k in enumerate(target)] if T else []
    emit = logp[:, ext]  # (T, S): each state's label's log probability per frame
    skip_pen = np.where(skip, 0.0, NEG)  # a jump from s - 2 where it is allowed
    buf = np.full(S + 2, NEG)  # the scores in columns 2..: columns 0 and 1 stay NEG (no state before the first)
    score = buf[2:]
    score[0] = emit[0, 0]
    score[1] = emit[0, 1]
    back = np.zeros((T, S), np.int8)  # 0: stayed, 1: from s - 1, 2: from s - 2
    s1, s2 = buf[1:-1], buf[:-2]
    for t in range(1, T):
        from2 = s2 + skip_pen
        best = np.maximum(score, s1)
        step = (s1 > score).astype(np.int8)  # ties stay, as the first of equals
        step[from2 > best] = 2
        np.maximum(best, from2, out=best)
        best += emit[t]
        back[t] = step
        score[:] = best
    s = S - 1 if score[S - 1] >= score[S - 2] else S - 2
    states = np.zeros(T, np.int64)
    for t in range(T - 1, -1, -1):
        states[t] = s
        s -= int(back[t, s])
    spans = []
    for i, k in enumerate(target):
        frames = np.nonzero(states == 2 * i + 1)[0]
        if frames.size == 0:  # cannot happen on a full alignment; keep the span list whole anyway
            frames = np.array([min(T - 1, spans[-1].end if spans else 0)])
        col = probs[frames, k + 1]
        j = int(col.argmax())
        spans.append(Span(int(k), int(frames[0]), int(frames[-1]) + 1, int(frames[j]), float(col[j])))
    return spans
