import numpy as np
import pytest

from hwr_desktop.decoding import decode_word, letter_word, mode_mask, numeric_word, restrict, sure_symbols, top_k
from hwr_desktop.errors import HwrError
from probs import LABELS, row, text


def test_modes_allow_the_right_classes():
    digits = mode_mask(LABELS, "digits")
    assert "".join(c for c, ok in zip(LABELS, digits) if ok) == "0123456789.,:-/+"
    assert mode_mask(LABELS, "letters").sum() == 52
    assert mode_mask(LABELS, "upper").sum() == 26 and mode_mask(LABELS, "lower").sum() == 26
    assert mode_mask(LABELS, "auto").all()
    with pytest.raises(HwrError):
        mode_mask(LABELS, "greek")


def test_restrict_renormalizes():
    p = np.stack([row(O=0.7, _0=0.2, o=0.1)])
    r = restrict(p, mode_mask(LABELS, "digits"))
    assert r[0].argmax() == LABELS.index("0") and r.sum() == pytest.approx(1.0)


def test_top_k_is_sorted_and_sized():
    (cands,) = top_k(np.stack([row(a=0.5, d=0.3, _0=0.2)]), LABELS, 3)
    assert [c.char for c in cands] == ["a", "d", "0"]
    assert cands[0].p >= cands[1].p >= cands[2].p


def test_a_digit_row_reads_as_a_number():
    # "2O1S": the O and S are likelier letters, but the word is a number
    word = np.stack([row(_2=0.9), row(O=0.6, _0=0.35), row(_1=0.8, l=0.2), row(S=0.55, _5=0.4)])
    out = numeric_word(word, LABELS)
    assert text(out) == "2015"


def test_a_word_of_letters_keeps_its_readings_and_drops_digit_mass():
    word = np.stack([row(H=0.9), row(O=0.6, _0=0.35), row(t=0.9)])
    out = decode_word(word, LABELS, "auto")
    assert text(out) == "HOt"
    assert out[1, LABELS.index("0")] == 0.0 and out[1].sum() == pytest.approx(1.0)


def test_digits_inside_a_word_of_letters_read_as_letters():
    # "he1lo" with the 1 also a plausible l; the 0 in "w0rd" also a plausible o
    word = np.stack([row(h=0.9), row(e=0.9), row(_1=0.7, l=0.25), row(l=0.9), row(o=0.9)])
    assert text(decode_word(word, LABELS, "auto")) == "hello"
    word = np.stack([row(w=0.9), row(_0=0.6, o=0.3), row(r=0.9), row(d=0.9)])
    assert text(letter_word(word, LABELS)) == "word"


def test_glyph_without_digit_reading_is_not_forced():
    word = np.stack([row(_4=0.9), row(_2=0.9), row(x=0.999)])  # x has no digit reading worth the name
    out = numeric_word(word, LABELS)
    assert LABELS[out[2].argmax()] == "x"


def test_a_word_whose_glyphs_all_could_be_digits_and_one_surely_is_reads_as_a_number():
    # "1961" written so that the network reads l, q, 6, l: the 6 is surely a digit, the others could be
    word = np.stack([row(l=0.6, _1=0.3), row(q=0.7, _9=0.2), row(_6=0.9), row(l=0.55, _1=0.35)])
    assert text(numeric_word(word, LABELS)) == "1961"
    # a real word stays a word: not every glyph could be a digit, or none surely is one
    assert text(decode_word(np.stack([row(l=0.6, _1=0.3), row(o=0.7, _0=0.25), row(v=0.9)]), LABELS)) == "lov"
    assert text(decode_word(np.stack([row(l=0.6, _1=0.3), row(o=0.7, _0=0.25), row(l=0.7, _1=0.2)]), LABELS)) == "lol"


def test_alternatives_always_offer_the_digit_of_a_look_alike_and_the_letters_of_a_digit():
    probs = np.stack([row(q=0.6, g=0.3, a=0.05, d=0.04), row(_1=0.5, _7=0.3, l=0.0001)])
    q, one = top_k(probs, LABELS, 3)
    assert q[0].char == "q" and "9" in [c.char for c in q] and len(q) == 3
    assert one[0].char == "1" and {"l", "I"} <= {c.char for c in one} and len(one) == 3
    assert [c.p for c in q[1:]] == sorted((c.p for c in q[1:]), reverse=True)
    (digits_only,) = top_k(probs[1:], LABELS, 3, mode_mask(LABELS, "digits"))
    assert not any(c.char.isalpha() for c in digits_only)  # the mode's alphabet holds
    assert len(top_k(probs, LABELS, 1)[0]) == 1


def test_a_surely_read_symbol_keeps_its_reading_in_a_word_of_letters():
    word = np.stack([row(h=0.9), row(i=0.8, l=0.1), row({"!": 0.8}, l=0.1, i=0.05)])
    assert text(decode_word(word, LABELS)) == "hi!"
    unsure = np.stack([row(h=0.9), row(i=0.8, l=0.1), row({"/": 0.4}, l=0.35, I=0.2)])  # a slanted l, not a slash
    assert text(decode_word(unsure, LABELS)) == "hil"
    assert list(sure_symbols(word, LABELS)) == [False, False, True]


def test_symbols_neither_make_nor_break_a_number():
    time = np.stack([row(_1=0.9), row(_2=0.5, Z=0.4), row({":": 0.9}), row(_3=0.9), row(O=0.6, _0=0.3)])
    assert text(decode_word(time, LABELS)) == "12:30"
    phone = np.stack([row({"(": 0.8}, C=0.1), row(_5=0.6, S=0.3), row(S=0.5, _5=0.4), row({")": 0.7}, J=0.2)])
    assert text(decode_word(phone, LABELS)) == "(55)"


def test_a_symbol_inside_a_word_of_letters_where_punctuation_does_not_stand_reads_as_a_letter():
    t_as_plus = np.stack([row(s=0.9), row({"+": 0.6}, t=0.3), row(o=0.9), row(p=0.9)])
    assert text(decode_word(t_as_plus, LABELS)) == "stop"
    apostrophe = np.stack([row(d=0.9), row(o=0.9), row(n=0.9), row({"'": 0.6}, l=0.3), row(t=0.9)])
    assert text(decode_word(apostrophe, LABELS)) == "don't"
    quoted = np.stack([row({"(": 0.7}, C=0.2), row(h=0.9), row(i=0.9), row({")": 0.7}, J=0.2), row({"?": 0.8}, _2=0.1)])
    assert text(decode_word(quoted, LABELS)) == "(hi)?"
    x_as_star = np.stack([row(b=0.9), row(o=0.9), row({"*": 0.6}, x=0.3)])  # a star ends no word of letters
    assert text(decode_word(x_as_star, LABELS)) == "box"
