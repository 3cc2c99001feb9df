"""Whole-word alternatives: a beam over the glyphs' candidates, words of the list first when the ink allows them,
the case of the word as read."""

import pytest

from hwr_desktop.lexicon import Lexicon
from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult, page_json
from hwr_desktop.words import beam_readings, folded_candidates, like_case, with_word_alternatives, word_alternatives


def glyph(*cands, x=0):
    """A glyph whose candidates are ``("c", p)`` pairs, best first."""
    alts = tuple(Candidate(c, p) for c, p in cands)
    return GlyphResult((x, 0, x + 8, 10), alts[0].char, alts[0].p, alts)


def word(*glyphs):
    return WordResult((0, 0, 10 * len(glyphs), 10), "".join(g.char for g in glyphs), tuple(glyphs))


def test_cases_of_a_letter_count_as_one_candidate():
    assert folded_candidates(glyph(("C", 0.5), ("e", 0.3), ("c", 0.2))) == pytest.approx({"c": 0.7, "e": 0.3})
    bare = GlyphResult((0, 0, 1, 1), "Q", 0.8, ())
    assert folded_candidates(bare) == {"q": 0.8}


def test_the_beam_finds_the_likeliest_readings_in_order():
    options = [{"a": 0.6, "o": 0.4}, {"b": 0.9, "h": 0.1}, {"c": 0.5, "e": 0.5}]
    found = beam_readings(options, width=3)
    assert [t for t, _ in found] == ["abc", "abe", "obc"]
    assert found[0][1] == pytest.approx(0.6 * 0.9 * 0.5)
    assert len(beam_readings(options, width=100)) == 8  # every combination


def test_readings_without_a_word_list_are_the_best_combinations():
    w = word(glyph(("c", 0.6), ("e", 0.4)), glyph(("a", 0.9), ("o", 0.1)), glyph(("t", 0.8), ("f", 0.2)))
    assert word_alternatives(w, n=3) == ("cat", "eat", "caf")
    assert word_alternatives(w, n=1) == ("cat",)
    assert word_alternatives(word(glyph(("x", 0.9))), n=5) == ()  # one glyph: its own alternatives say it all


def test_a_word_of_the_list_within_reach_comes_first():
    # "hcllo": the list's "hello" is a tenth as likely as the best reading, within reach
    w = word(glyph(("h", 0.9)), glyph(("c", 0.9), ("e", 0.09)), glyph(("l", 0.9)), glyph(("l", 0.9)),
             glyph(("o", 0.9), ("0", 0.1)))
    lex = Lexicon(["hello", "world"])
    alts = word_alternatives(w, lex, 3)
    assert alts[0] == "hello" and "hcllo" in alts
    far = word(glyph(("h", 0.9)), glyph(("c", 0.999), ("e", 0.001)), glyph(("l", 0.9)), glyph(("l", 0.9)),
               glyph(("o", 0.9)))
    assert word_alternatives(far, lex, 3) == ("hcllo", "hello")  # too far: by its score only


def test_a_word_whose_letter_no_glyph_offers_is_not_listed():
    w = word(glyph(("c", 0.9), ("e", 0.1)), glyph(("a", 0.9)), glyph(("t", 0.9)))
    assert word_alternatives(w, Lexicon(["cot", "eat"]), 5) == ("eat", "cat")


def test_marks_in_a_word_stay_around_the_word_of_the_list():
    w = word(glyph(("h", 0.9)), glyph(("c", 0.9), ("e", 0.09)), glyph(("l", 0.9)), glyph(("l", 0.9)),
             glyph(("o", 0.9)), glyph((".", 0.8), (",", 0.2)))
    assert word_alternatives(w, Lexicon(["hello"]), 2) == ("hello.", "hcllo.")
    apostrophe = word(glyph(("c", 0.9)), glyph(("a", 0.9)), glyph(("n", 0.9)), glyph(("'", 0.9)), glyph(("t", 0.9)))
    assert word_alternatives(apostrophe, Lexicon(["cant"]), 2)[0] == "can't"


def test_the_word_as_read_is_always_offered():
    w = word(glyph(("x", 0.9), ("c", 0.1)), glyph(("a", 0.8), ("o", 0.2)), glyph(("t", 0.95), ("b", 0.05)))
    lex = Lexicon(["cat", "cot", "cab", "cob"])  # cab and cob are out of reach
    assert word_alternatives(w, lex, 2) == ("cat", "xat")  # two words of the list would leave it out
    assert word_alternatives(w, lex, 3) == ("cat", "cot", "xat")


def test_the_case_follows_the_word_as_read():
    assert like_case("hello", "Hcllo") == "Hello"
    assert like_case("hello", "HCLLO") == "HELLO"
    assert like_case("hello", "hcllo") == "hello"
    assert like_case("cat", "C4T") == "CAT"  # the digit's letter takes the word's case
    assert like_case("cat", "c4t") == "cat"
    assert like_case("a1", "A1") == "A1" and like_case("1a", "1A") == "1A"
    assert like_case("iphone", "iPhonc") == "iPhone"  # mixed: letter by letter
    assert like_case("10", "lO") == "10"
    lex = Lexicon(["hello"])
    w = word(glyph(("H", 0.9), ("h", 0.05)), glyph(("c", 0.9), ("E", 0.05), ("e", 0.04)), glyph(("l", 0.9)),
             glyph(("l", 0.9)), glyph(("o", 0.9)))
    assert word_alternatives(w, lex, 2) == ("Hello", "Hcllo")


def test_a_page_gains_alternatives_in_json_only_where_it_has_some():
    two = word(glyph(("o", 0.6), ("0", 0.4)), glyph(("n", 0.7), ("h", 0.3), x=10))
    one = word(glyph(("7", 0.9), ("1", 0.1), x=30))
    page = PageResult(40, 10, "on 7", (LineResult((0, 0, 40, 10), "on 7", (two, one)),))
    assert all("alternatives" not in w for line in page_json(page)["lines"] for w in line["words"])
    filled = with_word_alternatives(page, Lexicon(["oh", "on"]), 3)
    assert filled.text == page.text and filled.glyphs == page.glyphs
    assert [w.alternatives for w in filled.lines[0].words] == [("on", "oh", "0n"), ()]
    words = page_json(filled)["lines"][0]["words"]
    assert words[0]["alternatives"] == ["on", "oh", "0n"] and "alternatives" not in words[1]
