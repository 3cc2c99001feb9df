import json

import numpy as np
import pytest

from hwr_desktop.context import decode_line, fit_baseline, guide_metrics, line_metrics, mixed_case, word_case
from probs import LABELS, row, text


# Glyph boxes on a baseline at y = 100: x-height 30, cap height 44, descenders to 115.
def small(x):
    return (x, 70, x + 20, 100)


def tall(x):
    return (x, 56, x + 20, 100)


def desc(x):
    return (x, 70, x + 20, 115)


def test_baseline_ignores_descenders_and_follows_a_slope():
    boxes = [(x, 60 + x // 10, x + 20, 100 + x // 10) for x in range(0, 200, 25)]
    boxes[3] = (boxes[3][0], boxes[3][1], boxes[3][2], boxes[3][3] + 15)  # a descender
    a, b = fit_baseline(boxes)
    assert abs(b - 0.1) < 0.02 and abs(a + b * 10 - 101) < 2


def test_line_metrics_from_sure_glyphs():
    boxes = [tall(0), small(25), small(50)]
    probs = np.stack([row(H=0.9), row(a=0.9), row(n=0.9)])
    a, b, xh = line_metrics(boxes, probs, LABELS)
    assert abs(a - 100) < 1 and b == 0.0 and 28 <= xh <= 32
    assert line_metrics(boxes, np.stack([row(o=0.5, O=0.5)] * 3), LABELS) is None  # nothing sure: no measure


def test_size_decides_case_on_a_line():
    # "Hello" with an o that the glyph alone reads as O
    boxes = [tall(0), small(25), tall(50), tall(75), small(100)]
    probs = np.stack([row(H=0.95), row(e=0.9), row(l=0.9), row(l=0.9), row(O=0.55, o=0.45)])
    assert text(decode_line(probs, boxes, [slice(0, 5)], LABELS)) == "Hello"
    # and a capital O among capitals stays capital
    boxes = [tall(0), tall(25), tall(50)]
    probs = np.stack([row(H=0.95), row(O=0.45, o=0.55), row(T=0.9)])
    assert text(decode_line(probs, boxes, [slice(0, 3)], LABELS)) == "HOT"


def test_descender_separates_p_from_P_and_g_from_9():
    boxes = [small(0), desc(25), small(50), desc(75)]
    probs = np.stack([row(a=0.9), row(P=0.6, p=0.4), row(e=0.9), row(_9=0.6, g=0.4)])
    assert text(decode_line(probs, boxes, [slice(0, 4)], LABELS)) == "apeg"


def test_geometry_does_not_overturn_a_confident_reading():
    boxes = [tall(0), small(25), tall(50)]
    probs = np.stack([row(H=0.95), row(a=0.9), row(a=0.99)])  # a tall 'a' the network is sure of
    assert text(decode_line(probs, boxes, [slice(0, 3)], LABELS)) == "Haa"


def test_word_case_all_caps_capitalized_and_lower():
    caps = np.stack([row(B=0.9), row(o=0.6, O=0.4), row(x=0.55, X=0.45)])
    assert text(word_case(caps, LABELS)) == "BOX"
    cap = np.stack([row(s=0.6, S=0.4), row(U=0.6, u=0.4), row(n=0.9)])
    assert text(word_case(cap, LABELS)) == "sun"  # lower case: the first letter keeps its own reading
    mixed = np.stack([row(H=0.9), row(O=0.6, o=0.4), row(m=0.9), row(E=0.9)])
    assert text(word_case(mixed, LABELS)) == "HomE"  # sure letters are never changed


def test_letters_of_one_shape_smaller_than_the_capital_before_them_are_lower_case():
    from hwr_desktop.context import under_the_capital

    # "Fox": the o and x read as capitals (the first letter's a capital), but stand at the x-height
    fox = np.stack([row(F=0.9), row(O=0.9, o=0.1), row(X=0.9, x=0.1)])
    assert text(under_the_capital(fox, [tall(0), small(25), small(50)], LABELS)) == "Fox"
    # as tall as the capital: FOX; and a capital of its own shape after the first says the word is in capitals
    assert text(under_the_capital(fox, [tall(0), tall(25), tall(50)], LABELS)) == "FOX"
    fer = np.stack([row(F=0.9), row(O=0.9), row(R=0.9)])
    assert text(under_the_capital(fer, [tall(0), small(25), small(50)], LABELS)) == "FOR"
    # no capital first: nothing to measure against
    sox = np.stack([row(s=0.9), row(O=0.9), row(X=0.9)])
    assert text(under_the_capital(sox, [tall(0), small(25), small(50)], LABELS)) == "sOX"
    # all smaller than the capital, or none changes: a big F and an O a little smaller is no "FoX"
    assert text(under_the_capital(fox, [tall(0), small(25), (50, 60, 70, 100)], LABELS)) == "FOX"
    # through decode_line, whatever the line's geometry made of them
    out = decode_line(np.stack([row(F=0.95), row(O=0.6, o=0.4), row(X=0.6, x=0.4)]), [tall(0), small(25), small(50)],
                      [slice(0, 3)], LABELS)
    assert text(out) == "Fox"
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-5)


def test_a_first_letter_of_one_shape_written_the_size_of_the_rest_takes_their_case():
    from hwr_desktop.context import first_by_size

    sun = np.stack([row(S=0.6, s=0.4), row(u=0.9), row(n=0.9)])
    assert text(first_by_size(sun, [small(0), small(25), small(50)], LABELS)) == "sun"
    assert text(first_by_size(sun, [tall(0), small(25), small(50)], LABELS)) == "Sun"  # taller: a capital
    cow = np.stack([row(c=0.6, C=0.4), row(O=0.9), row(W=0.9)])
    assert text(first_by_size(cow, [tall(0), tall(25), tall(50)], LABELS)) == "COW"
    assert text(first_by_size(cow, [small(0), tall(25), tall(50)], LABELS)) == "cOW"  # smaller: as read
    ham = np.stack([row(H=0.9), row(a=0.9), row(m=0.9)])  # an H has a shape of its own
    assert text(first_by_size(ham, [small(0), small(25), small(50)], LABELS)) == "Ham"


def test_words_are_cased_separately():
    boxes = [tall(0), tall(25), tall(50), small(120), small(145)]
    probs = np.stack([row(A=0.9), row(C=0.5, c=0.5), row(E=0.9), row(a=0.9), row(C=0.6, c=0.4)])
    out = decode_line(probs, boxes, [slice(0, 3), slice(3, 5)], LABELS)
    assert text(out) == "ACEac"
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-5)


# Guide lines every 80 px (a rule at y = 100): x-height 0.35 * 80 = 28 px is assumed on them.
GUIDES = (20.0, 80.0)
AMBIGUOUS = [row(c=0.5, C=0.5), row(o=0.5, O=0.5), row(s=0.5, S=0.5), row(x=0.5, X=0.5)]


def on_rule(x, height, bottom=100):
    return (x, bottom - height, x + 20, bottom)


def test_guides_measure_a_line_with_no_sure_glyph():
    boxes = [on_rule(x, 26) for x in (0, 25, 50, 75)]
    probs = np.stack(AMBIGUOUS)
    assert line_metrics(boxes, probs, LABELS) is None
    a, b, xh = line_metrics(boxes, probs, LABELS, GUIDES)
    assert (a, b) == (100.0, 0.0) and abs(xh - 28) < 1e-6
    assert guide_metrics(boxes, (20.0, 0.0)) is None


def test_on_a_rule_small_glyphs_read_lower_and_tall_ones_upper():
    probs = np.stack(AMBIGUOUS)
    small_line = [on_rule(x, 26, 100 + dy) for x, dy in zip((0, 25, 50, 75), (0, 3, -2, 1))]
    assert text(decode_line(probs, small_line, [slice(0, 4)], LABELS, guides=GUIDES)) == "cosx"
    tall_line = [on_rule(x, 42, 100 + dy) for x, dy in zip((0, 25, 50, 75), (0, 3, -2, 1))]
    assert text(decode_line(probs, tall_line, [slice(0, 4)], LABELS, guides=GUIDES)) == "COSX"
    one = decode_line(probs[:1], tall_line[:1], [slice(0, 1)], LABELS, guides=GUIDES)  # a single glyph too
    assert text(one) == "C"


def test_where_the_rules_fall_does_not_matter_and_sure_glyphs_measure_themselves():
    probs = np.stack(AMBIGUOUS)
    on = [on_rule(x, 26, 100 + dy) for x, dy in zip((0, 25, 50, 75), (0, 3, -2, 1))]
    for base in (140, 120, 85):  # half way between two rules, across one, just off one
        off = [on_rule(x, 26, base + dy) for x, dy in zip((0, 25, 50, 75), (0, 3, -2, 1))]
        assert text(decode_line(probs, off, [slice(0, 4)], LABELS, guides=GUIDES)) == text(
            decode_line(probs, on, [slice(0, 4)], LABELS, guides=GUIDES)) == "cosx"
    assert guide_metrics(on, (20.0, 0.0)) is None
    # sure glyphs measure the line themselves: a big 'a' sets the x-height, not the rules
    boxes = [on_rule(0, 40), on_rule(25, 40)]
    sure = np.stack([row(a=0.9), row(o=0.5, O=0.5)])
    assert abs(line_metrics(boxes, sure, LABELS, GUIDES)[2] - 40) < 1e-6
    assert text(decode_line(sure, boxes, [slice(0, 2)], LABELS, guides=GUIDES)) == "ao"


def test_lone_glyphs_follow_their_line():
    boxes = [tall(x) for x in (0, 40, 80, 120)]
    probs = np.stack([row(_3=0.9), row(G=0.6, _6=0.35), row(_2=0.9), row(_9=0.9)])  # "3 G 2 9": a row of numbers
    words = [slice(i, i + 1) for i in range(4)]
    assert text(decode_line(probs, boxes, words, LABELS)) == "3629"
    probs = np.stack([row(_0=0.6, O=0.35), row(K=0.9), row(A=0.9), row(Y=0.9)])  # "0 K A Y": letters
    assert text(decode_line(probs, boxes, words, LABELS))[0] == "O"


def test_a_letter_against_its_words_case_takes_it():
    # "waLK": after the first letter one lower and two upper letters: no clear majority, left alone
    even = np.stack([row(w=0.9), row(a=0.9), row(L=0.9, l=0.1), row(K=0.9, k=0.1)])
    assert text(mixed_case(even, LABELS)) == "waLK"
    # "waLking": one capital against four lower letters after the first -> "walking"
    word = np.stack([row(w=0.9), row(a=0.9), row(L=0.9, l=0.05), row(k=0.9), row(i=0.9), row(n=0.9), row(g=0.9)])
    assert text(mixed_case(word, LABELS)) == "walking"
    # and the other way: "WALkING" -> "WALKING"
    caps = np.stack([row(W=0.9), row(A=0.9), row(L=0.9), row(k=0.9, K=0.05), row(I=0.9), row(N=0.9), row(G=0.9)])
    assert text(mixed_case(caps, LABELS)) == "WALKING"
    # a shape the network gives no other case to stays as read; the first letter is never counted or changed
    sure = np.stack([row(w=0.9), row(a=0.9), row(L=1.0), row(k=0.9), row(i=0.9), row(n=0.9), row(g=0.9)])
    assert text(mixed_case(sure, LABELS)) == "waLking"
    first = np.stack([row(W=0.9, w=0.1), row(a=0.9), row(l=0.9), row(k=0.9)])
    assert text(mixed_case(first, LABELS)) == "Walk"


def test_a_word_that_could_be_a_number_beside_numbers_leans_to_digits():
    from hwr_desktop.context import numbers_beside_numbers

    # "10 20 30": the 10 alone reads lO, the others surely numbers; a clear ISO beside a number stays ISO
    probs = np.stack([row(l=0.55, _1=0.35), row(O=0.6, _0=0.35), row(_2=0.9), row(_0=0.9), row(_3=0.9), row(_0=0.9),
                      row(I=0.85, _1=0.1), row(S=0.85, _5=0.1), row(O=0.85, _0=0.1)])
    words = [slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 9)]
    assert text(numbers_beside_numbers(probs, words, LABELS)) == "102030ISO"
    assert text(numbers_beside_numbers(probs[:2], words[:1], LABELS)) == "lO"  # no number beside it


def test_marks_read_by_their_place_on_the_line():
    from hwr_desktop.context import MARKS, read_marks

    metrics = (100.0, 0.0, 20.0)  # baseline y = 100, x-height 20
    boxes = [(10, 96, 14, 100),  # a dot on the baseline
             (20, 97, 23, 108),  # reaching below it
             (30, 70, 33, 78),  # high up
             (40, 88, 52, 90)]  # flat, at mid x-height
    got = "".join(MARKS[i] for i in read_marks(boxes, metrics).argmax(1))
    assert got == ".,'-"
    assert "".join(MARKS[i] for i in read_marks(boxes[:1] + boxes[3:], None).argmax(1)) == ".-"  # no line: by shape
    assert np.allclose(read_marks(boxes, metrics).sum(1), 1.0)


def test_the_measured_line_geometry_is_read_and_a_broken_table_leaves_the_hand_set_one(tmp_path, caplog):
    from hwr_desktop.context import geometry_path, load_profile

    good = tmp_path / "g.json"
    good.write_text(json.dumps({"profile": {"g": [0.95, -1.0, 0.25, 0.35, 300]}}))
    assert load_profile(good) == {"g": (0.95, -1.0, 0.25, 0.35)}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with caplog.at_level("WARNING"):
        assert load_profile(bad) == {}
    assert "hand-set profile used" in caplog.text
    # the shipped table, measured on real writers: descenders hang well below the baseline, ascenders rise
    # above the capitals, small letters reach about one x-height
    shipped = load_profile(geometry_path())
    assert shipped["g"][1] < -0.7 and shipped["l"][0] > shipped["A"][0] > shipped["a"][0] and 0.8 < shipped["a"][0] < 1.1


def test_each_character_is_scored_by_its_own_spread(monkeypatch):
    from hwr_desktop import context

    monkeypatch.setitem(context._PROFILE, "a", (1.0, 0.0))
    monkeypatch.setitem(context._PROFILE, "b", (1.0, 0.0))
    monkeypatch.setitem(context._SPREAD, "a", (0.1, 0.1))
    monkeypatch.setitem(context._SPREAD, "b", (0.5, 0.5))
    box = (0, 70, 10, 100)  # top 1.5 x-heights above the baseline y = 100 (x-height 20): half too tall for both
    a, b = context.geometry_scores([box], ["a", "b"], (100.0, 0.0, 20.0))[0]
    assert a == pytest.approx(context.FLOOR) and b > 0.5


def test_the_word_list_looks_up_a_word_without_its_punctuation():
    from hwr_desktop.context import listed_core
    from hwr_desktop.lexicon import Lexicon

    lex = Lexicon(["hello"])
    word = np.stack([row({"(": 0.9}), row(h=0.9), row(e=0.8, c=0.1), row(_1=0.6, l=0.3), row(l=0.9),
                     row(o=0.5, _0=0.4), row({")": 0.8}), row({"!": 0.9})])
    assert text(listed_core(word, LABELS, lex)) == "(hello)!"


def test_closing_punctuation_joins_the_word_before_it():
    from hwr_desktop.pipeline import line_text

    assert line_text(["what", "?", "yes", "!", "(see", "below", ")"]) == "what? yes! (see below)"
    assert line_text(["a", "-", "b"]) == "a - b"


def test_a_mark_reads_by_its_place_and_by_its_shape():
    from hwr_desktop.context import MARK_READINGS, mark_readings, read_marks

    metrics = (100.0, 0.0, 20.0)  # baseline y = 100, x-height 20
    place = read_marks([(10, 96, 14, 100), (30, 96, 34, 100)], metrics)  # two dots on the baseline
    probs = np.stack([row({".": 0.5, "'": 0.3}, o=0.2), row({"=": 0.9, "-": 0.05})])  # a blot; two bars
    got = mark_readings(place, probs, LABELS)
    assert [MARK_READINGS[i] for i in got.argmax(1)] == [".", "="]
    assert np.allclose(got.sum(1), 1.0)
    old = mark_readings(place, probs[:, :62], LABELS[:62])  # a model without marks: the place alone
    assert [MARK_READINGS[i] for i in old.argmax(1)] == [".", "."]


def test_placement_is_where_a_glyph_sits_on_its_line_and_among_its_word():
    from hwr_desktop.context import PLACEMENT_DIM, placement

    boxes = [(0, 60, 10, 100), (20, 80, 30, 100), (40, 80, 50, 120), (70, 80, 80, 100)]  # tall, small, descender
    probs = np.stack([row(T=1.0), row(a=1.0), row(g=0.5, **{"9": 0.5}), row(c=0.5, C=0.5)])
    got = placement(boxes, (100.0, 0.0, 20.0), probs, [slice(0, 3), slice(3, 4)], LABELS)  # baseline 100, xh 20
    assert got.shape == (4, PLACEMENT_DIM) and got.dtype == np.float32
    np.testing.assert_allclose(got[:, 0], [2.0, 1.0, 1.0, 1.0])  # top, x-heights above the baseline
    np.testing.assert_allclose(got[:, 1], [0.0, 0.0, -1.0, 0.0])  # bottom
    np.testing.assert_allclose(got[:, 2], [0.5] * 4)  # width
    np.testing.assert_allclose(got[:, 3], np.log([40 / 30, 20 / 30, 40 / 30, 20 / 30]))  # height / the median
    np.testing.assert_allclose(got[:, 4], [1, 0, 0, 1])  # begins its word
    np.testing.assert_allclose(got[:, 5], [0, 0, 1, 1])  # ends it
    np.testing.assert_allclose(got[:, 6], np.log([3, 3, 3, 1]))  # the word's length
    np.testing.assert_allclose(got[:, 7], [0.0, 0.5, 0.5, 0.5], atol=0.01)  # the word's others as capitals
    np.testing.assert_allclose(got[:, 8], [(0 + 0 + 0.5) / 3, (1 + 0 + 0.5) / 3, (1 + 0 + 0.5) / 3, 1 / 3],
                               atol=0.01)  # the line's others as capitals
    np.testing.assert_allclose(got[:, 9], [0.25, 0.25, 0.0, 0.0], atol=0.01)  # the word's others as digits


def test_a_placement_head_decides_the_line_and_keeps_out_what_the_field_left_out():
    from hwr_desktop.context import PLACEMENT_DIM, apply_geometry

    seen = []

    def head(probs, place):  # lifts every capital of a glyph whose top stands above 1.2 x-heights
        seen.append(place)
        lift = np.where(np.array([c.isupper() for c in LABELS])[None], np.where(place[:, :1] > 1.2, 20.0, 0.05), 1.0)
        return probs * lift

    boxes = [(0, 100, 20, 120), (30, 92, 50, 120), (60, 100, 80, 120), (90, 100, 110, 120)]  # n, (tall) c, n, n
    probs = np.stack([row(n=0.9, m=0.1), row(c=0.5, C=0.4, e=0.1), row(n=0.9, m=0.1), row(n=0.9, m=0.1)])
    probs[:, [LABELS.index(c) for c in "0123456789N"]] = 0  # classes the field (or the word rules) left out
    out = apply_geometry(probs, boxes, LABELS, head=head)
    assert len(seen) == 1 and seen[0].shape == (4, PLACEMENT_DIM)
    assert text(out) == "nCnn"
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-5)
    assert (out[probs == 0] == 0).all()  # what the probabilities held at 0 stays at 0
