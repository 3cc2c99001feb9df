"""CTC decoding on tiny hand-made matrices (columns: blank, then the labels)."""

import numpy as np
import pytest

from hwr_desktop.ctc import CharLM, align, beam_search, best_path, sequence_logp

LABELS = "ab "


def frames(*rows):
    """Probabilities from (blank, a, b, space) rows, each normalized."""
    p = np.array(rows, float)
    return p / p.sum(1, keepdims=True)


# a a _ b b _  : "ab"
AB = frames([1, 8, 0.5, 0.5], [1, 8, 0.5, 0.5], [9, 0.4, 0.3, 0.3], [1, 0.5, 8, 0.5], [1, 0.5, 8, 0.5], [9, 0.4, 0.3, 0.3])


def test_best_path_merges_repeats_and_keeps_each_characters_frames():
    spans = best_path(AB)
    assert [LABELS[s.index] for s in spans] == ["a", "b"]
    assert [(s.start, s.end) for s in spans] == [(0, 2), (3, 5)]
    assert all(0.7 < s.p < 0.9 for s in spans)


def test_a_blank_between_two_equal_labels_reads_them_twice():
    p = frames([1, 8, 1, 1], [9, 1, 1, 1], [1, 8, 1, 1])
    assert [LABELS[s.index] for s in best_path(p)] == ["a", "a"]


def test_sequence_logp_agrees_with_a_brute_force_sum_over_paths():
    import itertools

    p = AB[:4]

    def collapse(path):
        out, prev = [], 0
        for k in path:
            if k and k != prev:
                out.append(k - 1)
            prev = k
        return tuple(out)

    for target in [(0, 1), (0,), (1, 0), (0, 0), (2,)]:
        brute = sum(np.prod([p[t, k] for t, k in enumerate(path)])
                    for path in itertools.product(range(4), repeat=4) if collapse(path) == target)
        assert sequence_logp(p, [target])[0] == pytest.approx(np.log(brute), abs=1e-9)


def test_sequence_logp_holds_over_long_lines_of_tiny_probabilities():
    """Hundreds of frames, most of their probabilities at the 1e-30 floor: the same as the plain recursion
    in log space (no underflow), for targets read and not read."""
    rng = np.random.default_rng(2)
    T, C = 300, 4
    p = np.full((T, C + 1), 1e-40)
    p[np.arange(T), rng.integers(0, C + 1, T)] = 1.0  # peaked frames, as a trained network gives
    p[::7] = rng.dirichlet(np.ones(C + 1), T // 7 + 1)
    p /= p.sum(1, keepdims=True)
    read = best_path_labels(p)
    near = [read[:10] + [(read[10] + 1) % C] + read[11:], read[:20] + read[21:], read + [read[-1]]]
    targets = [list(rng.integers(0, C, n)) for n in (1, 5, 40, 120)] + near + [read]

    def reference(target):  # the CTC forward sum in log space, one state at a time
        lp = np.log(np.maximum(p, 1e-30))
        ext = [0] + [x for k in target for x in (k + 1, 0)]
        a = np.full(len(ext), -np.inf)
        a[0], a[1] = lp[0, 0], lp[0, ext[1]]
        for t in range(1, T):
            b = a.copy()
            for s in range(1, len(ext)):
                b[s] = np.logaddexp(b[s], a[s - 1])
                if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                    b[s] = np.logaddexp(b[s], a[s - 2])
            a = b + lp[t, ext]
        return np.logaddexp(a[-1], a[-2])

    got = sequence_logp(p, targets)
    for target, value in zip(targets, got):
        expected = reference(target)
        if expected > -700:
            assert value == pytest.approx(expected, rel=1e-9)
        else:  # hopeless: a path under exp(-700) of the likeliest one at a frame may be lost
            assert value < -700
    assert got[-1] > -50 > got[2]  # the frames' own reading is likely, a random one is not
    assert got[4:7].max() > -700  # readings one error away are scored exactly


def best_path_labels(p):
    return [s.index for s in best_path(p)]


def test_sequence_logp_scores_many_targets_at_once_and_the_reading_wins():
    got = sequence_logp(AB, [[0, 1], [1, 0], [0], [0, 1, 0, 1, 0, 1, 0]])
    assert got[0] > max(got[1], got[2])
    assert got[3] < -1e29  # 7 characters (with a repeat-free path) do not fit 6 frames


def test_beam_search_finds_the_reading_and_offers_others():
    out = beam_search(AB, LABELS, nbest=3)
    assert out[0][0] == "ab"
    assert len(out) == 3 and len({t for t, _ in out}) == 3
    assert out[0][1] >= out[1][1] >= out[2][1]


def test_the_language_model_breaks_a_tie_towards_a_word_it_knows():
    # frame 1 is "a" or "b" evenly: the word list knows "ab", not "aa"
    p = frames([1, 8, 0.1, 0.1], [9, 0.1, 0.1, 0.1], [1, 4, 4, 0.1], [9, 0.1, 0.1, 0.1])
    lm = CharLM(["ab", "bab", "abb"])
    assert beam_search(p, LABELS, lm, alpha=1.0, beta=0.0)[0][0] == "ab"
    assert lm.word_logp("ab") > lm.word_logp("aa")


def test_a_field_mode_keeps_disallowed_labels_out():
    out = beam_search(AB, LABELS, allowed=np.array([False, True, True]))
    assert all("a" not in t for t, _ in out)


def test_align_puts_each_character_on_its_frames():
    spans = align(AB, [0, 1])
    assert [(s.start, s.end) for s in spans] == [(0, 2), (3, 5)]
    # a reading the best path does not give is still aligned, in order, one span per character
    spans = align(AB, [0, 0, 1])
    assert [s.index for s in spans] == [0, 0, 1]
    assert spans[0].end <= spans[1].start and spans[1].end <= spans[2].start
    assert align(AB, []) == []


def test_a_search_held_to_a_word_list_reads_only_its_words():
    # the frames read "aa" best; the list knows "ab" and "b" only
    p = frames([1, 8, 0.1, 0.1], [9, 0.1, 0.1, 0.1], [1, 6, 3, 0.1], [9, 0.1, 0.1, 0.1])
    words = {"ab", "b"}
    prefixes = {w[:i] for w in words for i in range(len(w) + 1)}
    assert beam_search(p, LABELS)[0][0] == "aa"
    held = beam_search(p, LABELS, prefixes=prefixes, words=words)
    assert held[0][0] == "ab" and all(t in words for t, _ in held)


def test_align_takes_the_likeliest_path_of_the_reading():
    """Against a brute force over every frame path that spells the target: the spans cover the frames the
    likeliest such path gives each character."""
    import itertools

    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.ones(4), 6)

    def collapse(path):
        out, prev = [], 0
        for t, k in enumerate(path):
            if k and k != prev:
                out.append([k - 1, t, t + 1])
            elif k and k == prev:
                out[-1][2] = t + 1
            prev = k
        return out

    for target in [(0, 1), (1,), (0, 0), (2, 0, 2)]:
        best = max((path for path in itertools.product(range(4), repeat=len(p))
                    if [c[0] for c in collapse(path)] == list(target)),
                   key=lambda path: np.prod([p[t, k] for t, k in enumerate(path)]))
        spans = align(p, list(target))
        assert [(s.index, s.start, s.end) for s in spans] == [tuple(c) for c in collapse(best)]


def test_the_language_models_steps_are_kept_between_searches_and_bounded(monkeypatch):
    import hwr_desktop.ctc as ctc

    p = frames([1, 8, 0.1, 0.1], [9, 0.1, 0.1, 0.1], [1, 4, 4, 0.1], [9, 0.1, 0.1, 0.1])
    lm = CharLM(["ab", "bab", "abb"])
    first = beam_search(p, LABELS, lm, alpha=1.0)
    assert lm.steps  # kept for the next search
    assert beam_search(p, LABELS, lm, alpha=1.0) == first
    monkeypatch.setattr(ctc, "STEPS_KEPT", 2)
    fresh = CharLM(["ab", "bab", "abb"])
    assert beam_search(p, LABELS, fresh, alpha=1.0) == first
    assert len(fresh.steps) <= 2
