"""Corrections keyed by strokes, matched by box for images, and serialized against a stroke list."""

import numpy as np
import pytest

from hwr_desktop.ink import Stroke
from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult
from hwr_desktop.ui.corrections import Corrections, correct, iou


def stroke(x):
    return Stroke(np.array([[x, 0, 0.5, 0], [x, 10, 0.5, 10]], float))


def page(chars, boxes):
    glyphs = tuple(GlyphResult(b, c, 0.9, (Candidate(c, 0.9), Candidate("x", 0.1))) for c, b in zip(chars, boxes))
    words = (WordResult(boxes[0], chars, glyphs),)
    return PageResult(100, 20, chars, (LineResult(boxes[0], chars, words),))


def test_correction_follows_the_strokes_not_the_position():
    a, b, c = stroke(0), stroke(20), stroke(40)
    corr = Corrections()
    corr.set(frozenset([a]), (0, 0, 5, 10), "7")
    first = correct(page("12", [(0, 0, 5, 10), (20, 0, 25, 10)]), [frozenset([a]), frozenset([b])], corr)
    assert first.text == "72" and first.corrected == (True, False)
    # new ink in front: the corrected glyph moved to index 1
    later = correct(page("412", [(-20, 0, -15, 10), (0, 0, 5, 10), (20, 0, 25, 10)]),
                    [frozenset([c]), frozenset([a]), frozenset([b])], corr)
    assert later.text == "472"
    # a stroke added to the glyph makes it another glyph
    merged = correct(page("4", [(0, 0, 5, 10)]), [frozenset([a, c])], corr)
    assert merged.text == "4"


def test_image_glyphs_match_by_box_overlap():
    corr = Corrections()
    corr.set(frozenset(), (0, 0, 10, 10), "Q")
    assert correct(page("O", [(0, 0, 10, 11)]), [], corr).text == "Q"
    assert correct(page("O", [(5, 0, 15, 10)]), [], corr).text == "O"
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0


def test_empty_text_reverts_and_json_round_trip():
    a, b = stroke(0), stroke(20)
    corr = Corrections()
    corr.set(frozenset([a, b]), (0, 0, 25, 10), "H")
    corr.set(frozenset([stroke(99)]), (99, 0, 100, 10), "gone")  # its stroke is not in the list: not saved
    data = corr.to_json([a, b])
    assert data == [{"strokes": [0, 1], "box": [0, 0, 25, 10], "char": "H"}]
    back = Corrections.from_json(data + [{"bad": 1}], [stroke(0), stroke(20)])
    assert back.find(frozenset([a, b]), (0, 0, 1, 1)).char == "H"
    back.set(frozenset([a, b]), (0, 0, 25, 10), "")
    assert len(back) == 0


def paragraphs_page():
    """Three one-glyph lines; the third starts a new paragraph."""
    lines = []
    for n, (c, para) in enumerate((("a", 0), ("b", 0), ("c", 1))):
        box = (0, 30 * n, 10, 30 * n + 10)
        g = GlyphResult(box, c, 0.9, (Candidate(c, 0.9), Candidate("x", 0.1)))
        lines.append(LineResult(box, c, (WordResult(box, c, (g,)),), paragraph=para))
    return PageResult(100, 100, "a\nb\n\nc", tuple(lines))


def test_corrected_text_keeps_the_paragraph_breaks(qtbot):
    from hwr_desktop.ui.result_view import ResultView

    corr = Corrections()
    corr.set(frozenset(), (0, 60, 10, 70), "Z")
    shown = correct(paragraphs_page(), [], corr)
    assert shown.text == "a\nb\n\nZ"
    view = ResultView()
    qtbot.addWidget(view)
    view.show_result(shown)
    assert view.toPlainText() == "a\nb\n\nZ"
    assert [view.glyph_position(i) for i in range(3)] == [0, 2, 5]


def test_as_page_is_the_result_as_seen():
    corr = Corrections()
    corr.set(frozenset(), (0, 60, 10, 70), "Z")
    original = paragraphs_page()
    seen = correct(original, [], corr).as_page()
    assert seen.text == "a\nb\n\nZ" and [line.text for line in seen.lines] == ["a", "b", "Z"]
    assert [w.text for line in seen.lines for w in line.words] == ["a", "b", "Z"]
    last = seen.glyphs[2]
    assert (last.char, last.confidence, last.alternatives) == ("Z", 1.0, original.glyphs[2].alternatives)
    assert seen.glyphs[:2] == original.glyphs[:2] and seen.lines[2].paragraph == 1
    assert (seen.width, seen.height, seen.page) == (original.width, original.height, original.page)
    assert correct(original, [], Corrections()).as_page() == original  # nothing corrected: the same result


def test_a_word_is_corrected_glyph_by_glyph():
    from hwr_desktop.ui.corrections import word_edits

    boxes = [(0, 0, 5, 10), (10, 0, 15, 10), (20, 0, 25, 10)]
    corr = Corrections()
    corr.set(frozenset(), boxes[2], "x")
    shown = correct(page("abc", boxes), [], corr)
    word, span = shown.word_at(1)
    assert word.text == "abc" and span == range(0, 3) and shown.word_text(1) == "abx"
    assert word_edits(shown, 1, "obx") == [(0, "o")]  # only the glyphs that change
    assert word_edits(shown, 0, "abc") == [(2, "")]  # back to what was recognized: the correction goes
    assert word_edits(shown, 2, "") == [(2, "")]  # all the word's corrections go
    with pytest.raises(ValueError, match="has 2 characters for a word of 3 glyphs"):
        word_edits(shown, 0, "ab")
    with pytest.raises(IndexError):
        shown.word_at(3)


def test_a_letter_of_a_joined_word_keeps_its_correction_by_box_in_the_saved_ink():
    # two letters read from one stroke share it: their corrections are kept by box, and saved so
    stroke = Stroke(np.array([[0.0, 0, 0.5, 0], [80, 10, 0.5, 300]]))
    c = Corrections()
    c.set(frozenset(), (0, 0, 40, 20), "h")
    c.set(frozenset(), (40, 0, 80, 20), "e")
    data = c.to_json([stroke])
    assert data == [{"strokes": [], "box": [0, 0, 40, 20], "char": "h"}, {"strokes": [], "box": [40, 0, 80, 20], "char": "e"}]
    back = Corrections.from_json(data, [stroke])
    assert back.find(frozenset(), (1, 0, 40, 20)).char == "h"
    assert back.find(frozenset(), (40, 0, 79, 20)).char == "e"
