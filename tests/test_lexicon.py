import numpy as np
import pytest

from hwr_desktop.errors import InputError
from hwr_desktop.lexicon import Lexicon, apply_lexicon, is_word, shipped_words_path
from probs import LABELS, row, text


def test_shipped_list_loads_with_common_words():
    lex = Lexicon.from_files([])
    assert shipped_words_path().is_file() and len(lex) > 30000
    assert "house" in lex and "House" in lex and "xqzt" not in lex


def test_a_word_the_glyphs_allow_is_chosen():
    lex = Lexicon(["clear", "dear", "hello"])
    # "he1lo": the third glyph reads 1 but l is a plausible second reading
    word = np.stack([row(h=0.9), row(e=0.8, c=0.1), row(_1=0.6, l=0.3), row(l=0.9), row(o=0.5, _0=0.4)])
    assert text(apply_lexicon(word, LABELS, lex)) == "hello"


def test_case_stays_with_the_glyphs():
    lex = Lexicon(["hello"])
    word = np.stack([row(H=0.9), row(e=0.8), row(I=0.6, l=0.3), row(l=0.9), row(O=0.5, o=0.4)])
    assert text(apply_lexicon(word, LABELS, lex)) == "HellO"  # letters from the lexicon, case from the ink


def test_a_word_the_ink_does_not_support_is_not_forced():
    lex = Lexicon(["hello"])
    word = np.stack([row(h=0.9), row(a=0.95), row(l=0.9), row(l=0.9), row(o=0.9)])  # "hallo": e is implausible
    assert text(apply_lexicon(word, LABELS, lex)) == "hallo"
    other_length = np.stack([row(h=0.9), row(i=0.9)])
    np.testing.assert_array_equal(apply_lexicon(other_length, LABELS, lex), other_length)


def test_user_word_list(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("Zyxwv\nhwr\n")
    lex = Lexicon.from_files([mine], shipped=False)
    assert len(lex) == 2 and "zyxwv" in lex
    with pytest.raises(InputError, match="cannot read word list"):
        Lexicon.from_files([tmp_path / "missing.txt"])


def test_best_words_ranks_the_words_of_a_length():
    lex = Lexicon(["cat", "cot", "car", "dog", "hello"])
    letter_p = np.full((3, 26), 1e-6)
    for i, probs in enumerate(({"c": 0.9}, {"a": 0.7, "o": 0.3}, {"t": 0.6, "r": 0.4})):
        for c, p in probs.items():
            letter_p[i, ord(c) - ord("a")] = p
    found = lex.best_words(letter_p, 3)
    assert [w for w, _ in found] == ["cat", "car", "cot"]
    assert found[0][1] == pytest.approx(np.log(0.9 * 0.7 * 0.6)) and lex.best_word(letter_p)[0] == "cat"
    assert len(lex.best_words(letter_p, 10)) == 4 and lex.best_words(letter_p[:2], 3) == []


def test_a_usable_word_is_two_to_24_letters():
    assert is_word("Anna") and is_word("ok") and not is_word("a") and not is_word("naïve")
    assert not is_word("r2d2") and not is_word("x" * 25)


def test_prefixes_of_a_list():
    lex = Lexicon(["hello", "help", "yellow"])
    assert {"", "h", "he", "hel", "hell", "hello", "help"} <= lex.prefixes and "hx" not in lex.prefixes
