import numpy as np

from hwr_desktop.context import decode_line, fit_baseline, line_metrics, word_case
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


def test_words_are_cased_separately():
    boxes = [tall(0), tall(25), tall(50), small(120), small(145)]
    probs = np.stack([row(A=0.9), row(C=0.5, c=0.5), row(E=0.9), row(a=0.9), row(C=0.6, c=0.4)])
    out = decode_line(probs, boxes, [slice(0, 3), slice(3, 5)], LABELS)
    assert text(out) == "ACEac"
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-5)
