"""Results: glyphs replaced in place, and the optional ``samples`` of a glyph in JSON only when it says something."""

import json

from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult, page_json, with_glyphs


def page():
    glyphs = [GlyphResult((10 * i, 0, 10 * i + 8, 10), c, 0.9, (Candidate(c, 0.9),)) for i, c in enumerate("ab7")]
    words = (WordResult((0, 0, 18, 10), "ab", tuple(glyphs[:2])), WordResult((20, 0, 28, 10), "7", (glyphs[2],)))
    return PageResult(30, 10, "ab 7", (LineResult((0, 0, 28, 10), "ab 7", words),))


def test_with_glyphs_replaces_each_glyph_where_it_is():
    original = page()
    marked = [g if i != 2 else GlyphResult(g.box, g.char, g.confidence, g.alternatives, ("s1",))
              for i, g in enumerate(original.glyphs)]
    again = with_glyphs(original, marked)
    assert again.glyphs == tuple(marked) and again.text == original.text
    assert [w.text for w in again.lines[0].words] == ["ab", "7"]
    assert again.lines[0].words[1].glyphs[0].samples == ("s1",)


def test_samples_appear_in_json_only_where_a_sample_decided_the_reading():
    plain = json.dumps(page_json(page()))
    assert "samples" not in plain
    marked = with_glyphs(page(), [GlyphResult(g.box, g.char, g.confidence, g.alternatives, ("s1",) if i == 0 else ())
                                  for i, g in enumerate(page().glyphs)])
    glyphs = [g for w in page_json(marked)["lines"][0]["words"] for g in w["glyphs"]]
    assert glyphs[0]["samples"] == ["s1"] and all("samples" not in g for g in glyphs[1:])
