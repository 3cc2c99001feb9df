"""The line reading as words with boxes, and the per-word choice between it and the glyph reading, on a
hand-made line (a fake line network: its output is fixed)."""

from dataclasses import replace

import numpy as np
import pytest

from hwr_desktop import joined
from hwr_desktop.joined import LineFrames, LineReader, combine_line, line_words, word_regions
from hwr_desktop.lexicon import Lexicon
from hwr_desktop.lines import HEIGHT, PAD, LineImage
from hwr_desktop.results import Candidate, GlyphResult, LineResult, WordResult, union_box

LABELS = ("a", "b", "c", "o", "n", "1", " ")
STRIDE = 4


class FakeLineRecognizer:
    labels = LABELS
    stride = STRIDE

    def __init__(self, probs):
        self.probs = probs

    def predict(self, lines):
        return [self.probs for _ in lines]


def spell(*chars_at, frames=20, sure=0.9):
    """Probabilities over ``frames`` frames: blank everywhere except (label, frame) pairs."""
    p = np.full((frames, 1 + len(LABELS)), (1 - sure) / len(LABELS))
    p[:, 0] = sure
    for ch, t in chars_at:
        p[t] = (1 - sure) / len(LABELS)
        p[t, 1 + LABELS.index(ch)] = sure
    return p / p.sum(1, keepdims=True)


# "ab ba": a at frames 2-3, b at 5-6, a space at 9, b at 12-13, a at 15-16
LINE = spell(("a", 2), ("a", 3), ("b", 5), ("b", 6), (" ", 9), ("b", 12), ("b", 13), ("a", 15), ("a", 16))
FRAMES = LineFrames(LineImage(np.zeros((HEIGHT, 20 * STRIDE), np.float32), 0.0, 1.0), STRIDE)  # x = 4 f - PAD


def word(text, x0, x1, conf=0.99):
    n = len(text)
    step = (x1 - x0) / n
    glyphs = tuple(GlyphResult((int(x0 + i * step), 10, int(x0 + (i + 1) * step), 30), c, conf, (Candidate(c, conf),))
                   for i, c in enumerate(text))
    return WordResult(union_box(g.box for g in glyphs), text, glyphs)


def read(reader, first, conf):
    """The text of the line "<first> ba" combined: ``first`` a glyph word read ``conf`` surely beside "ba" (read
    surely, as the line network reads it), both glyph by glyph, against ``LINE`` ("ab ba")."""
    line = LineResult((0, 10, 62, 30), f"{first} ba", (word(first, 2, 22, conf=conf), word("ba", 42, 62)))
    return combine_line(line, LINE, FRAMES, reader).text


@pytest.fixture(scope="module")
def reader():
    return LineReader(FakeLineRecognizer(LINE))


def test_frames_and_page_x_map_both_ways():
    assert FRAMES.x_of(3) == 3 * STRIDE - PAD
    assert FRAMES.frame_of(FRAMES.x_of(7.5)) == pytest.approx(7.5)


def test_the_spaces_of_the_best_path_cut_the_words():
    assert word_regions(LINE, LABELS) == [(0, 9), (9, 20)]


def test_line_words_give_each_character_its_frames_and_alternatives(reader):
    words = line_words(LINE, reader)
    assert [w.text for w in words] == ["ab", "ba"]
    (s0, e0, p0, alts0), (s1, e1, _, _) = words[0].chars
    assert s0 <= 3 < e0 <= s1 <= 6 < e1
    assert alts0[0].char == "a" and p0 > 0.5 and len(alts0) > 1
    assert words[0].alternatives[0] == "ab" and len(words[0].alternatives) > 1


def test_a_joined_word_read_as_one_glyph_takes_the_line_reading_with_a_box_per_letter(reader):
    kept = word("ba", 42, 62)
    line = LineResult((0, 10, 62, 30), "c ba", (word("c", 2, 22, conf=0.3), kept))
    out = combine_line(line, LINE, FRAMES, reader)
    assert out.text == "ab ba"
    first = out.words[0]
    assert first.text == "ab" and [g.char for g in first.glyphs] == ["a", "b"]
    assert first.glyphs[0].box[2] <= first.glyphs[1].box[0] + 1  # side by side, in order
    assert 0 <= first.glyphs[0].box[0] and first.glyphs[1].box[2] <= 30
    assert first.alternatives and first.alternatives[0] == "ab"
    assert out.words[1] is kept  # the glyph reading agreed: left as it was


def test_the_glyph_reading_stays_where_the_line_network_does_not_find_it_much_less_likely(reader, monkeypatch):
    monkeypatch.setattr(joined, "GLYPH_PRIOR", 1e6)
    assert read(reader, "cc", 0.3) == "cc ba"
    # ... but not where it has fewer letters than the line reading: letters merged into one glyph
    assert read(reader, "c", 0.3) == "ab ba"


def test_sure_printed_letters_and_words_too_tall_for_the_line_image_keep_the_glyph_reading(reader):
    assert read(reader, "cc", 0.95) == "cc ba"
    tall = WordResult((2, 0, 22, 200), "c", tuple(GlyphResult((2, 0, 22, 200), "c", 0.3, ()) for _ in range(1)))
    line = LineResult((0, 0, 62, 200), "c ba", (tall, word("ba", 42, 62)))
    assert combine_line(line, LINE, FRAMES, reader).text == "c ba"  # 200 px: far beyond 2.5 bodies of 14 px


def test_the_word_list_pulls_a_near_reading_onto_a_word(reader):
    # "aob" read, the list has "ab" only ... near enough when the frames allow it
    lex = Lexicon(["ab", "ba"])
    p = spell(("a", 2), ("o", 4), ("b", 6), frames=10, sure=0.6)
    got = line_words(p, reader, lexicon=lex)
    assert [w.text for w in got] == ["ab"]
    assert line_words(p, reader)[0].text == "aob"


def test_digits_mode_reads_no_letters_on_a_line(reader):
    assert [LABELS[i] for i in np.nonzero(reader.allowed("digits"))[0]] == ["1", " "]
    assert all(set(w.text) <= {"1"} for w in line_words(LINE, reader, mode="digits"))


def sized(text, x0, height, conf=0.9):
    """A word of small letters ``height`` tall (their x-height), standing on y = 100."""
    glyphs = tuple(GlyphResult((x0 + 12 * i, 100 - height, x0 + 12 * i + 10, 100), c, conf, (Candidate(c, conf),))
                   for i, c in enumerate(text))
    return WordResult(union_box(g.box for g in glyphs), text, glyphs)


def test_words_written_at_another_size_are_read_as_lines_of_their_own():
    words = [sized("con", 0, 20), sized("an", 50, 22), sized("no", 90, 45), sized("on", 130, 21)]
    assert joined.size_runs(words) == [[0, 1], [2], [3]]
    # a word whose size nothing tells (no letter read surely) stays in the run it is in
    words[2] = sized("no", 90, 45, conf=0.2)
    assert joined.size_runs(words) == [[0, 1, 2, 3]]
    # nor one whose letters read fairly but not RUN_SURE surely: the pieces of a joined-up word the glyph layout
    # cut apart, whose sizes are those of pieces
    words[2] = sized("no", 90, 45, conf=joined.RUN_SURE - 0.05)
    assert joined.size_runs(words) == [[0, 1, 2, 3]]
    words[2] = sized("no", 90, 45, conf=joined.RUN_SURE)
    assert joined.size_runs(words) == [[0, 1], [2], [3]]
    # a capital or a tall letter is measured by its usual extent, not taken for a larger word
    assert joined.size_runs([sized("con", 0, 20), sized("b", 50, 29), sized("1", 70, 30)]) == [[0, 1, 2]]


def joined_words(*parts):
    """One word of the glyphs of ``parts`` (``sized`` words), as a layout that saw no gap between them gives."""
    glyphs = tuple(g for p in parts for g in p.glyphs)
    return WordResult(union_box(g.box for g in glyphs), "".join(p.text for p in parts), glyphs)


def test_a_small_word_run_into_a_large_one_is_split_at_the_step():
    small, large = sized("my", 0, 20), sized("ox", 26, 44)  # gap 2 px between them, as between the letters
    large = WordResult(large.box, large.text, tuple(
        GlyphResult((g.box[0] + 8 * i, g.box[1], g.box[2] + 8 * i + 8, g.box[3]), g.char, g.confidence, g.alternatives)
        for i, g in enumerate(large.glyphs)))  # large letters stand further apart than small ones
    parts = joined.split_sizes(joined_words(small, large))
    assert [p.text for p in parts] == ["my", "ox"]
    assert [len(p.glyphs) for p in parts] == [2, 2] and parts[1].box[0] == large.box[0]
    # sizes that differ less than SPLIT_STEP, one letter of a size alone, or no gap at the step: one word
    # (each letter's height over its usual extent: "my" 15.5, "ox" 22.7, 1.46 times as large, under SPLIT_STEP)
    assert joined.word_size(sized("ox", 26, 22)) / joined.word_size(sized("my", 0, 20)) <= joined.SPLIT_STEP
    assert [p.text for p in joined.split_sizes(joined_words(sized("my", 0, 20), sized("ox", 26, 22)))] == ["myox"]
    assert [p.text for p in joined.split_sizes(joined_words(sized("m", 0, 20), sized("ox", 14, 44)))] == ["mox"]
    tight = sized("myox", 0, 20)
    tight = WordResult(tight.box, tight.text, tight.glyphs[:2] + tuple(
        GlyphResult((g.box[0], 56, g.box[2], 100), g.char, g.confidence, g.alternatives) for g in tight.glyphs[2:]))
    assert [p.text for p in joined.split_sizes(tight)] == ["myox"]  # 2 px between all letters
    word = sized("cat", 0, 20)
    assert joined.split_sizes(word) == [word]


def test_a_glyph_word_beside_a_line_words_characters_is_weighed_with_it(reader, monkeypatch):
    # "ab ba": the last word's characters spike at frames 12-16 (x up to 62), its region runs to the line's end;
    # a stray glyph word at x 64-70 (a t's bar run on, a speck the best path left out) is read with it: weighed
    # with "ba" as one group (kept apart, it would stay), where the line network's blanks there outweigh it
    # (without the credit for the glyph reading's extra letter)
    monkeypatch.setattr(joined, "GLYPH_MORE", 0.0)
    line = LineResult((0, 10, 70, 30), "ab ba c", (word("ab", 2, 22), word("ba", 42, 58), word("c", 64, 70, conf=0.5)))
    assert combine_line(line, LINE, FRAMES, reader).text == "ab ba"


def test_numbers_keep_the_glyph_reading_with_every_digit(reader):
    # the line network reads "1 ba": it sees a digit where the glyph reading has the number "11" (its "11" ran
    # into one 1): the number keeps every digit of the glyph reading
    one = spell(("1", 2), ("1", 3), (" ", 9), ("b", 12), ("b", 13), ("a", 15), ("a", 16))
    line = LineResult((0, 10, 62, 30), "11 ba", (word("11", 2, 22, conf=0.5), word("ba", 42, 62)))
    assert combine_line(line, one, FRAMES, LineReader(FakeLineRecognizer(one))).text == "11 ba"
    # where the line network reads letters ("ab ba"), the glyphs' "11" read unsurely is weighed like any word: a
    # joined word that the glyphs took for digits; and a word of letters and digits always is
    assert read(reader, "11", 0.5) == "ab ba"
    assert read(reader, "c1", 0.5) == "ab ba"
    # digits each read at least NUMBERS_KEPT surely are a number, whatever the line network reads there ...
    assert read(reader, "11", joined.NUMBERS_KEPT) == "11 ba"
    # ... unless it reads far more letters there than there are digits ("54" for "schools"): a joined-up word
    four = spell(("a", 1), ("b", 2), ("c", 4), ("a", 6), (" ", 9), ("b", 12), ("b", 13), ("a", 15), ("a", 16))
    line = LineResult((0, 10, 62, 30), "11 ba", (word("11", 2, 22, conf=joined.NUMBERS_KEPT), word("ba", 42, 62)))
    got = combine_line(line, four, FRAMES, LineReader(FakeLineRecognizer(four))).text
    assert "1" not in got and got.startswith("abc")


def test_the_glyph_models_say_on_both_readings_counts_letter_for_letter(reader, monkeypatch):
    # "cc" read fairly surely (0.85, below GLYPH_SURE) glyph by glyph, "ab" by the line: two letters, two glyphs
    monkeypatch.setattr(joined, "GLYPH_WEIGHT", 0.0)
    assert read(reader, "cc", 0.85) == "ab ba"
    monkeypatch.setattr(joined, "GLYPH_WEIGHT", 100.0)  # the glyph model's doubt about "ab" outweighs the line's
    assert read(reader, "cc", 0.85) == "cc ba"
    # ... which says nothing where the letters do not match glyph for glyph (one glyph, two letters)
    assert read(reader, "c", 0.85) == "ab ba"


def test_a_line_reading_that_drops_a_glyph_needs_more_evidence(reader, monkeypatch):
    # three glyphs "cco" where the line reads two letters "ab": without the extra credit the line reading wins
    monkeypatch.setattr(joined, "GLYPH_MORE", 0.0)
    assert read(reader, "cco", 0.3) == "ab ba"
    monkeypatch.setattr(joined, "GLYPH_MORE", 1e6)
    assert read(reader, "cco", 0.3) == "cco ba"


def test_a_doubled_letter_the_line_network_ran_into_one_keeps_both_glyphs(reader, monkeypatch):
    # glyphs "abb" (the two b written apart, each read fairly surely); the line network has no blank between its b
    # frames, so it reads "ab" and would score "abb" as needing one: the glyph reading is scored as "ab" there
    monkeypatch.setattr(joined, "GLYPH_MORE", 0.0)  # the doubled letter alone decides here
    assert read(reader, "abb", 0.6) == "abb ba"
    monkeypatch.setattr(joined, "DOUBLE_SURE", 2.0)  # never collapsed: the line reading drops a b
    assert read(reader, "abb", 0.6) == "ab ba"


def test_a_glyph_takes_the_alternative_the_line_network_reads_where_that_is_likelier(reader):
    # glyphs "cb": the c also reads a (0.3); the line network reads "ab" there: the c becomes an a, its box and
    # alternatives kept; where no alternative of a glyph is what the network reads, the reading stays as it was
    c = GlyphResult((2, 10, 10, 30), "c", 0.6, (Candidate("c", 0.6), Candidate("a", 0.3)))
    b = GlyphResult((12, 10, 20, 30), "b", 0.9, (Candidate("b", 0.9),))
    got = joined.reletter([WordResult((2, 10, 20, 30), "cb", (c, b))], LINE, 0, 8, reader)
    assert [w.text for w in got] == ["ab"]
    assert got[0].glyphs[0].box == c.box and got[0].glyphs[0].confidence == pytest.approx(0.3)
    assert got[0].glyphs[0].alternatives == c.alternatives and got[0].glyphs[1] is b
    o = replace(c, char="o", alternatives=(Candidate("o", 0.6), Candidate("n", 0.3)))
    kept = [WordResult((2, 10, 20, 30), "ob", (o, b))]
    assert joined.reletter(kept, LINE, 0, 8, reader)[0] is kept[0]


def test_line_characters_are_matched_to_glyphs_in_order_by_place_and_look():
    def g(ch, x0, x1):
        return GlyphResult((x0, 0, x1, 30), ch, 0.9, (Candidate(ch, 0.9),))

    # the line network's characters spike near their letters' left edges: the O's lies nearer the N than the O,
    # but in order and by look each belongs to its own letter (and the R, read K, to the R)
    glyphs = [g("R", 127, 165), g("N", 179, 236), g("O", 252, 285), g("W", 292, 360)]
    assert joined._match_glyphs([("K", 124), ("N", 182), ("O", 241), ("W", 288)], glyphs) == [0, 1, 2, 3]
    # a glyph no character belongs to is passed over; two characters may share one glyph (a joined pair)
    glyphs = [g("a", 0, 10), g("x", 14, 20), g("b", 24, 34)]
    assert joined._match_glyphs([("a", 2), ("b", 25)], glyphs) == [0, 2]
    assert joined._match_glyphs([("a", 2), ("c", 6), ("b", 25)], glyphs)[1] in (0, 1)


def test_a_glyph_the_line_reading_left_out_is_put_back(reader, monkeypatch):
    # glyphs "abb" (two b written apart, each read 0.85 surely); the line network reads "ab" (no blank between its
    # b frames): the third glyph, which none of its characters fell on, is ink the writer meant
    monkeypatch.setattr(joined, "DOUBLE_SURE", 2.0)
    monkeypatch.setattr(joined, "GLYPH_MORE", 0.0)
    monkeypatch.setattr(joined, "GLYPH_PRIOR", 0.0)
    monkeypatch.setattr(joined, "FILL_SURE", None)
    assert read(reader, "abb", 0.85) == "ab ba"
    monkeypatch.setattr(joined, "FILL_SURE", 0.8)
    line = LineResult((0, 10, 62, 30), "abb ba", (word("abb", 2, 22, conf=0.85), word("ba", 42, 62)))
    got = combine_line(line, LINE, FRAMES, reader)
    assert got.text == "abb ba"
    # the line's b spikes on the last glyph: the middle one goes back in, itself (box and alternatives)
    assert got.words[0].glyphs[1] == line.words[0].glyphs[1]
    # ... unless the line network finds the reading with it far less likely, or the glyph is read unsurely
    monkeypatch.setattr(joined, "FILL_MARGIN", 0.0)
    assert read(reader, "abb", 0.85) == "ab ba"
    monkeypatch.setattr(joined, "FILL_MARGIN", 8.0)
    assert read(reader, "abb", 0.7) == "ab ba"


def test_letters_read_surely_are_weighed_where_only_the_line_reading_is_a_listed_word(reader):
    # "cc" read surely glyph by glyph is kept as printed letters; but where the word list has the line network's
    # "ab" (and not "cc"), the two readings are weighed, and the listed one wins here
    line = LineResult((0, 10, 62, 30), "cc ba", (word("cc", 2, 22, conf=0.95), word("ba", 42, 62)))
    assert combine_line(line, LINE, FRAMES, reader).text == "cc ba"
    assert combine_line(line, LINE, FRAMES, reader, lexicon=Lexicon(["ab", "ba", "dog"])).text == "ab ba"
    assert combine_line(line, LINE, FRAMES, reader, lexicon=Lexicon(["ab", "ba", "cc"])).text == "cc ba"


def test_the_word_list_needs_more_evidence_to_replace_a_capitalized_reading(monkeypatch):
    # "aob" and "Aob" read equally surely, the list has "ab": a capitalized reading is often a name the list lacks,
    # so the margin that lets "ab" replace "aob" (LIST_MARGIN) is wider than the one for "Aob" (CAP_MARGIN)
    class CaseRecognizer(FakeLineRecognizer):
        labels = ("A", "a", "b", "o", " ")

    labels = CaseRecognizer.labels

    def probs(first):
        p = np.full((10, 1 + len(labels)), 0.4 / len(labels))
        p[:, 0] = 0.6
        for ch, t in ((first, 2), ("o", 4), ("b", 6)):
            p[t] = 0.4 / len(labels)
            p[t, 1 + labels.index(ch)] = 0.6
        return p / p.sum(1, keepdims=True)

    lex = Lexicon(["ab"])
    reader = LineReader(CaseRecognizer(probs("a")))
    allowed = reader.allowed("auto")
    _, readings = joined.read_word(probs("a"), reader, allowed, lex)
    scores = dict(readings)
    gap = scores["aob"] - scores["ab"]
    assert gap > 1.0
    monkeypatch.setattr(joined, "LIST_MARGIN", gap + 0.5)
    monkeypatch.setattr(joined, "CAP_MARGIN", gap - 0.5)
    assert joined.read_word(probs("a"), reader, allowed, lex)[0] == "ab"
    best, readings = joined.read_word(probs("A"), reader, allowed, lex)
    assert best == "Aob"
    assert any(t.lower() == "ab" for t, _ in readings)  # still offered among the alternatives


def test_a_space_the_network_finds_fairly_likely_cuts_the_words(monkeypatch):
    # "ab ba" with the space at frame 9 below the blank (0.45 against 0.55): the best path runs the words together
    p = LINE.copy()
    p[9] = 0.0
    p[9, 0], p[9, 1 + LABELS.index(" ")] = 0.55, 0.45
    monkeypatch.setattr(joined, "SPACE_CUT", None)
    assert word_regions(p, LABELS) == [(0, 20)]
    monkeypatch.setattr(joined, "SPACE_CUT", 0.3)
    assert word_regions(p, LABELS) == [(0, 9), (9, 20)]
    assert [w.text for w in line_words(p, LineReader(FakeLineRecognizer(p)))] == ["ab", "ba"]
    monkeypatch.setattr(joined, "SPACE_CUT", 0.5)
    assert word_regions(p, LABELS) == [(0, 20)]


def test_a_doubled_letter_beside_a_misread_glyph_is_still_put_back():
    # glyphs "abbc" where the line network reads "abn": its n falls on the c (a glyph read as another letter, so
    # possibly half of one, whose neighbour would be no letter of its own), but the unclaimed glyph between is a
    # second b beside the b the line read: a doubled letter CTC ran into one ("0119" read "019"), put back
    from hwr_desktop.joined import LineWord, _fill_in

    probs = spell(("a", 3), ("b", 5), ("n", 9), frames=14, sure=0.6)
    frames = LineFrames(LineImage(np.zeros((HEIGHT, 14 * STRIDE), np.float32), 0.0, 1.0), STRIDE)  # x = 4 f - 6

    def line_reading(text):
        chars = tuple((a, a + 2, 0.6, (Candidate(c, 0.6),)) for c, a in zip(text, (2, 4, 8)))
        return LineWord(text, (0, 14), chars, (text,))

    def fill(glyph_text):
        glyphs = word(glyph_text, 1, 33, conf=0.9)  # glyphs at x 1-9, 9-17, 17-25, 25-33
        lw = line_reading("abn")
        words = [WordResult(glyphs.box, lw.text, glyphs.glyphs[:2] + glyphs.glyphs[3:])]
        return [w.text for w in _fill_in(words, [lw], [glyphs], frames, probs, (0, 14), LABELS)]

    assert fill("abbc") == ["abbn"]
    assert fill("abcc") == ["abn"]  # a c beside the misread c: maybe its other half, left out
