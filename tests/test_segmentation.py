import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from hwr_desktop.errors import EmptyInputError
from hwr_desktop.ink import Stroke, load_ink
from hwr_desktop.segmentation import Unit, glyph_mask, group_words, layout, segment_image, segment_ink, typical_height, word_gap_threshold


def blob_image(boxes, size=(200, 600)) -> np.ndarray:
    img = np.zeros(size, bool)
    for x0, y0, x1, y1 in boxes:
        img[y0:y1, x0:x1] = True
    return img


def test_three_blobs_three_boxes_in_order():
    boxes = [(300, 50, 320, 90), (20, 52, 40, 90), (160, 48, 182, 91)]
    lines, _ = segment_image(blob_image(boxes))
    assert len(lines) == 1
    got = [g.box for g in lines[0].glyphs]
    assert got == sorted(boxes)


def test_two_lines_in_reading_order_even_when_skewed():
    boxes = []
    for line_y in (40, 140):
        for k in range(8):
            x = 20 + k * 60
            y = line_y + int(k * 60 * np.tan(np.deg2rad(4)))  # 4 degrees of skew
            boxes.append((x, y, x + 25, y + 40))
    lines, _ = segment_image(blob_image(boxes, (260, 600)))
    assert len(lines) == 2
    assert [g.box[0] for g in lines[0].glyphs] == [20 + k * 60 for k in range(8)]
    assert lines[0].box[1] < lines[1].box[1]


def test_dot_of_i_joins_its_stem_and_specks_are_dropped():
    img = blob_image([(100, 60, 108, 100), (101, 45, 107, 51), (150, 60, 175, 100)])
    img[150, 300] = True  # a speck
    lines, labels = segment_image(img)
    glyphs = lines[0].glyphs
    assert len(glyphs) == 2
    assert glyphs[0].box == (100, 45, 108, 100)
    assert len(glyphs[0].strokes) == 2


def test_overlapping_parts_of_one_character_merge():
    # the two strokes of an "x" drawn apart: they overlap horizontally
    img = np.zeros((120, 200), np.uint8)
    cv2.line(img, (50, 30), (90, 90), 1, 3)
    cv2.line(img, (92, 28), (52, 92), 1, 3)
    img[55:65, 68:74] = 0  # break them where they cross
    lines, _ = segment_image(img.astype(bool))
    assert len(lines[0].glyphs) == 1


def test_words_split_on_wide_gaps():
    xs = [10, 45, 80, 200, 235]  # "abc de"
    lines = layout([Unit(i, (x, 10, x + 25, 50)) for i, x in enumerate(xs)])
    assert [len(w.glyphs) for w in lines[0].words] == [3, 2]


def test_word_gap_threshold_bounds():
    assert word_gap_threshold([], 40) == pytest.approx(16)
    assert word_gap_threshold([5, 5, 6, 5, 5], 40) == pytest.approx(16)  # never below 0.4 x height ...
    assert word_gap_threshold([5, 5, 6], 40) == pytest.approx(12.5)  # ... but a short line: 2.5 x its smallest gap
    assert word_gap_threshold([1, 1, 1], 40) == pytest.approx(10)  # ... never below 0.25 x height
    assert word_gap_threshold([30, 30], 40) == pytest.approx(32)  # never above 0.8 x height
    assert group_words([], 10) == []


def test_empty_raises():
    with pytest.raises(EmptyInputError):
        segment_image(np.zeros((50, 50), bool))
    with pytest.raises(EmptyInputError):
        segment_ink([])


def stroke(points, t0=0.0, dt=10.0) -> Stroke:
    pts = [(x, y, 0.5, t0 + i * dt) for i, (x, y) in enumerate(points)]
    return Stroke(np.array(pts, float))


def test_ink_glyphs_from_strokes():
    strokes = [
        stroke([(30, 10), (30, 50)], 0),  # "1"
        stroke([(40, 25), (40, 50)], 1000),  # stem of "i"
        stroke([(40, 15)], 1500),  # its dot, a single point
        stroke([(60, 10), (60, 50)], 2000), stroke([(52, 22), (70, 22)], 2500),  # "t"
        stroke([(150, 10), (180, 10), (160, 50)], 4000),  # "7" after a word gap
    ]
    lines = segment_ink(strokes)
    assert len(lines) == 1
    words = lines[0].words
    assert [[g.strokes for g in w.glyphs] for w in words] == [[(0,), (1, 2), (3, 4)], [(5,)]]
    assert words[1].glyphs[0].box == (150, 10, 180, 50)  # the points' bounds
    assert words[0].glyphs[0].box == (30, 10, 30, 50)


def test_ink_dropout_is_joined():
    a = stroke([(10, 10), (10, 30)], 0)
    b = stroke([(10, 31), (10, 50)], a.end_ms + 40)  # the pen lost contact for 40 ms
    c = stroke([(40, 10), (40, 50)], 2000)
    lines = segment_ink([a, b, c])
    assert [g.strokes for g in lines[0].glyphs] == [(0, 1), (2,)]


def test_ink_dot_written_off_to_the_side_joins_its_stem_but_a_period_does_not():
    strokes = [
        stroke([(40, 25), (40, 50)], 0),  # stem of "i"
        stroke([(34, 12)], 600),  # its dot, 6 units to the left
        stroke([(60, 25), (60, 50)], 1000),  # "l"-like stem
        stroke([(68, 49)], 1500),  # a period at the baseline
    ]
    glyphs = segment_ink(strokes)[0].glyphs
    assert [g.strokes for g in glyphs] == [(0, 1), (2,), (3,)]


def test_the_two_ticks_of_a_double_quote_are_one_glyph_but_two_letters_stay_two():
    line = [stroke([(10, 20), (10, 60)], 0), stroke([(30, 30), (30, 60)], 500), stroke([(50, 20), (50, 60)], 1000)]
    quote = [stroke([(70, 10), (69, 22)], 1500), stroke([(76, 10), (75, 22)], 1800)]  # raised, side by side
    after = [stroke([(95, 20), (95, 60)], 2500), stroke([(115, 30), (115, 60)], 3000)]
    glyphs = segment_ink(line + quote + after)[0].glyphs
    assert [g.strokes for g in glyphs] == [(0,), (1,), (2,), (3, 4), (5,), (6,)]
    low = [stroke([(70, 48), (69, 60)], 1500), stroke([(76, 48), (75, 60)], 1800)]  # on the line: two letters
    assert len(segment_ink(line + low + after)[0].glyphs) == 7


def test_an_equals_sign_written_alone_is_one_glyph_but_two_rows_of_dashes_are_two_lines():
    eq = [stroke([(10, 20), (40, 21)], 0), stroke([(11, 32), (41, 32)], 600)]
    assert [[g.strokes for g in line.glyphs] for line in segment_ink(eq)] == [[(0, 1)]]
    rows = [stroke([(10, 20), (40, 21)], 0), stroke([(60, 20), (90, 21)], 600),
            stroke([(10, 120), (40, 121)], 1200), stroke([(60, 120), (90, 121)], 1800)]
    assert [[g.strokes for g in line.glyphs] for line in segment_ink(rows)] == [[(0,), (1,)], [(2,), (3,)]]


def test_an_i_dotted_late_over_the_letter_after_it_gets_its_dot_back():
    strokes = [
        stroke([(10, 30), (10, 60)], 0),  # the stem of an i
        stroke([(20, 60), (20, 30), (32, 30), (34, 60)], 500),  # an n
        stroke([(24, 12), (25, 14)], 1200),  # the i's dot, written over the n's left shoulder
        stroke([(45, 45), (55, 45), (50, 30), (44, 40), (48, 60), (58, 58)], 1800),  # an e
    ]
    glyphs = segment_ink(strokes)[0].glyphs
    assert [g.strokes for g in glyphs] == [(0, 2), (1,), (3,)]
    dotted_n = [stroke([(20, 60), (20, 30), (32, 30), (34, 60)], 0), stroke([(26, 12), (27, 14)], 500),
                stroke([(45, 45), (55, 45), (50, 30), (44, 40), (48, 60), (58, 58)], 1000)]
    assert [g.strokes for g in segment_ink(dotted_n)[0].glyphs] == [(0, 1), (2,)]  # no stem beside it: it stays


def test_ink_touching_strokes_of_one_letter_join():
    m = [
        stroke([(10, 20), (10, 60)], 0),
        stroke([(10, 30), (20, 20), (30, 30), (30, 60)], 500),  # first arch, starting on the stem
        stroke([(30, 32), (40, 20), (50, 30), (50, 60)], 1200),  # second arch, starting on the first
    ]
    v = [stroke([(80, 20), (90, 60)], 3000), stroke([(100, 20), (90.5, 59.5)], 3500)]
    lines = segment_ink(m + v)
    assert [g.strokes for g in lines[0].glyphs] == [(0, 1, 2), (3, 4)]


def test_ink_two_lines():
    top = [stroke([(x, 10), (x, 50)], i * 500) for i, x in enumerate((10, 40, 70))]
    bottom = [stroke([(x, 110), (x, 150)], 5000 + i * 500) for i, x in enumerate((10, 40))]
    lines = segment_ink(bottom + top)
    assert [len(l.glyphs) for l in lines] == [3, 2]
    assert lines[0].box[1] == 10


def test_ink_line_of_mixed_heights_stays_one_line():
    # x-height 20 on the baseline y=60: small letters, tall stems (l, d), descenders (g, p), a t whose
    # bar floats above, a comma below the baseline, and a word written twice as large
    strokes = [stroke([(10, 40), (10, 60)], 0), stroke([(20, 40), (28, 60)], 300),  # two small letters
               stroke([(40, 15), (40, 60)], 600),  # l
               stroke([(55, 40), (55, 85)], 900),  # descender of g/p
               stroke([(70, 25), (70, 60)], 1200), stroke([(62, 33), (82, 31)], 1500),  # t, its bar apart
               stroke([(90, 58), (88, 70)], 1800),  # a comma
               stroke([(130, 20), (130, 60)], 2400), stroke([(150, 20), (170, 60)], 2800),  # "HI" twice as large
               stroke([(190, 20), (190, 60)], 3200), stroke([(210, 40), (218, 60)], 3600)]
    lines = segment_ink(strokes)
    assert len(lines) == 1
    assert sorted(i for g in lines[0].glyphs for i in g.strokes) == list(range(len(strokes)))


def letter(x: float, top: float, bottom: float, t: float, width: float = 12) -> Stroke:
    """A zig-zag letter-like stroke from ``top`` to ``bottom`` that is ``width`` wide."""
    ys = np.linspace(top, bottom, 5)
    return stroke([(x + (width if k % 2 else 0), y) for k, y in enumerate(ys)], t)


def test_ink_two_lines_close_together_with_descenders_and_stems():
    # baselines 60 and 125, x-height 20: the g of the first line reaches down to 80, the d below up to 84
    top = [letter(x, 40, 60, i * 300) for i, x in enumerate((10, 25, 40, 85, 100))]
    top += [letter(55, 40, 80, 1500), letter(70, 20, 60, 1800, 3)]  # g, l
    bottom = [letter(x, 105, 125, 5000 + i * 300) for i, x in enumerate((10, 25, 70, 85))]
    bottom += [letter(52, 84, 125, 6500)]  # d
    lines = segment_ink(top + bottom)
    assert [sorted(i for g in l.glyphs for i in g.strokes) for l in lines] == [list(range(7)), list(range(7, 12))]


UNIPEN_SAMPLES = sorted((Path(__file__).parent / "resources" / "unipen").glob("*.ink.json"))


@pytest.mark.parametrize("path", UNIPEN_SAMPLES, ids=[p.name.split(".")[0] for p in UNIPEN_SAMPLES])
def test_real_writers_text_has_as_many_lines_as_written(path):
    # UNIPEN validation writers' texts (tests/resources/README.md): one line each, with commas, descenders,
    # capitals and a word written larger, that the line finder used to cut in two; and words in a column
    truth = json.loads(path.read_text())["unipen"]["lines"]
    strokes = load_ink(path)
    lines = segment_ink(strokes)
    assert len(lines) == truth
    assert sorted(i for l in lines for g in l.glyphs for i in g.strokes) == list(range(len(strokes)))


def test_the_real_samples_are_there():
    assert len(UNIPEN_SAMPLES) == 14


def test_paragraphs_start_after_a_blank_line():
    from hwr_desktop.segmentation import join_lines, paragraph_numbers

    tops = [0, 60, 120, 240, 300]  # lines 40 high, 20 apart; a line left blank before the fourth
    boxes = [(0, t, 300, t + 40) for t in tops]
    assert paragraph_numbers(boxes) == [0, 0, 0, 1, 1]
    assert join_lines(["a", "b", "c", "d", "e"], [0, 0, 0, 1, 1]) == "a\nb\nc\n\nd\ne"
    assert paragraph_numbers(boxes[:2]) == [0, 0] and paragraph_numbers([]) == []
    assert paragraph_numbers([(0, 0, 9, 40), (0, 130, 9, 170)]) == [0, 1]


def _hershey_line(text, pitch, size=(120, 520)):
    img = np.zeros(size, np.uint8)
    for k, ch in enumerate(text):
        cv2.putText(img, ch, (20 + k * pitch, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 1, 4)
    return img.astype(bool)


@pytest.mark.parametrize("text, pitch", [("ABCDE", 28)])
def test_touching_characters_are_split_where_the_ink_is_thin(text, pitch):
    touching = _hershey_line(text, pitch)  # letters about 28 px wide: some run into their neighbours
    n, _ = cv2.connectedComponents(touching.astype(np.uint8))
    assert n - 1 == 3
    lines, labels = segment_image(touching)
    glyphs = lines[0].glyphs
    assert len(glyphs) == 5
    for g in glyphs:  # each piece is one letter wide and holds its own ink
        assert 14 <= g.box[2] - g.box[0] <= 40
        assert glyph_mask(labels, g).sum() > 100


def test_wide_single_letters_are_not_split():
    lines, _ = segment_image(_hershey_line("MWMW", 34))  # M and W are wide but are one letter each
    assert len(lines[0].glyphs) == 4


def test_a_lone_i_with_a_big_dot_is_one_glyph():
    img = blob_image([(12, 22, 14, 32), (11, 16, 15, 20)], size=(41, 28))  # stem 10 px, dot 4 px: as cut out alone
    lines, _ = segment_image(img)
    assert len(lines) == 1 and len(lines[0].glyphs) == 1 and lines[0].glyphs[0].box == (11, 16, 15, 32)


@pytest.mark.parametrize("dot", [
    (12, 9, 17, 14),  # a blot 5 px wide over a 9 px stem, well above it (photographed, tiny)
    (8, 12, 12, 16),  # a dot beside the stem's top: same line, not overlapping
    (13, 4, 16, 10),  # a short dash 6 px tall, high above
])
def test_a_lone_i_with_a_dot_as_big_as_half_its_stem_is_one_glyph(dot):
    img = blob_image([(13, 17, 15, 26), dot], size=(32, 28))
    lines, _ = segment_image(img)
    assert len(lines) == 1 and len(lines[0].glyphs) == 1


def test_a_small_letter_beside_a_tall_one_is_not_a_dot():
    img = blob_image([(10, 10, 13, 40), (16, 26, 28, 40)], size=(50, 40))  # an l and an o on the baseline
    lines, _ = segment_image(img)
    assert len(lines) == 1 and len(lines[0].glyphs) == 2


def test_a_line_of_small_letters_over_a_line_of_capitals_stays_apart():
    small = [(x, 10, x + 14, 24) for x in (10, 40, 70)]  # x-height letters, tightly above...
    caps = [(x, 40, x + 20, 70) for x in (10, 40, 70)]  # ... a line of capitals: not dots
    lines, _ = segment_image(blob_image(small + caps, size=(100, 120)))
    assert [len(l.glyphs) for l in lines] == [3, 3]


def test_a_bar_torn_off_the_top_of_an_E_stays_with_it():
    img = blob_image([(11, 6, 17, 8), (9, 9, 21, 20)], size=(28, 25))  # the top bar, then the rest of the E
    lines, _ = segment_image(img)
    assert len(lines) == 1 and [g.box for g in lines[0].glyphs] == [(9, 6, 21, 20)]
    assert len(lines[0].glyphs[0].strokes) == 2


def test_glyphs_of_lines_close_together_do_not_stack():
    boxes = [(10, 10, 30, 40), (12, 44, 30, 74)]  # one glyph above another, 4 px apart: two lines
    lines, _ = segment_image(blob_image(boxes, size=(90, 60)))
    assert [len(l.glyphs) for l in lines] == [1, 1]


def _broken_h_line() -> np.ndarray:
    """A line "o H o ll": a broken H (two stems, a bar touching neither) and two stems close together."""
    return blob_image([(20, 60, 50, 100),  # o
                       (80, 50, 86, 100), (90, 72, 110, 78), (114, 50, 120, 100),  # H in three pieces
                       (150, 60, 180, 100),  # o
                       (210, 50, 216, 100), (222, 50, 228, 100)])  # l l


def test_broken_pieces_join_when_the_score_says_so():
    calls = []

    def score(union, pieces, parts):
        calls.append((union.shape[1], len(pieces), parts))
        return 0.9 if len(pieces) == 3 else 0.5  # the whole H reads surer than any pair

    lines, labels = segment_image(_broken_h_line(), merge=score)
    boxes = [g.box for g in lines[0].glyphs]
    assert (80, 50, 120, 100) in boxes and len(boxes) == 5  # o H o l l
    h = next(g for g in lines[0].glyphs if g.box == (80, 50, 120, 100))
    assert glyph_mask(labels, h).sum() == 6 * 50 * 2 + 20 * 6  # all the H's ink, nothing else
    # every candidate holds the bar (a part); the two stems of "ll" are never offered (no part among them)
    assert calls and all(any(parts) for _, _, parts in calls)
    assert all(w <= 42 for w, _, _ in calls)


def test_broken_pieces_stay_apart_without_a_score_or_when_it_says_no():
    for merge in (None, lambda union, pieces, parts: 0.0):
        lines, _ = segment_image(_broken_h_line(), merge=merge)
        # the stems stay apart; the bar left on its own between them is a mark at mid-height, kept as a
        # hyphen would be (drop_marks), not read as a letter
        assert [g.box[0] for g in lines[0].glyphs] == [20, 80, 90, 114, 150, 210, 222]


def test_pieces_too_far_apart_are_not_offered():
    calls = []
    img = blob_image([(80, 50, 86, 100), (100, 72, 120, 78), (134, 50, 140, 100),  # gaps of 14 px, height 50
                      (300, 50, 330, 100), (360, 50, 390, 100)])  # more letters: not an image of one character

    def score(union, pieces, parts):
        calls.append(1)
        return 1.0

    lines, _ = segment_image(img, merge=score)
    assert not calls and len(lines[0].glyphs) == 5  # the bar on its own stays a mark (a hyphen's place)


def test_a_lone_character_in_pieces_is_offered_whole():
    # an E whose three bars touch neither the stem nor each other: the stacked bars are one glyph beside the stem
    img = blob_image([(30, 20, 36, 90), (40, 20, 70, 25), (40, 52, 62, 57), (40, 85, 70, 90)], (110, 100))
    offered = []

    def score(union, pieces, parts):
        offered.append((union.shape, len(pieces), parts))
        return 0.9 if union.shape == (70, 40) else 0.0

    lines, labels = segment_image(img, merge=score)
    assert len(lines) == 1 and [g.box for g in lines[0].glyphs] == [(30, 20, 70, 90)]
    assert glyph_mask(labels, lines[0].glyphs[0]).sum() == 6 * 70 + 30 * 5 * 2 + 22 * 5
    assert offered[-1][0] == (70, 40) and not offered[-1][2][0]  # the stem is a letter
    apart, _ = segment_image(img, merge=lambda union, pieces, parts: 0.0)
    assert len(apart) == 1 and [g.box for g in apart[0].glyphs] == [(30, 20, 36, 90), (40, 20, 70, 90)]


def test_a_short_word_written_alone_keeps_its_letters_however_surely_the_whole_reads(monkeypatch):
    # "got" alone: three letters side by side, together about twice as wide as tall (a lone character's shape)
    img = blob_image([(10, 30, 40, 70), (50, 30, 80, 70), (90, 20, 110, 70)], (100, 130))
    sure = lambda union, pieces, parts: 0.99  # noqa: E731 (the whole reads as an "m" surely)
    lines, _ = segment_image(img, merge=sure)
    assert [g.box for line in lines for g in line.glyphs] == [(10, 30, 40, 70), (50, 30, 80, 70), (90, 20, 110, 70)]
    from hwr_desktop import segmentation

    monkeypatch.setattr(segmentation, "LONE_GAP", 0.25)  # gaps of 10 px are a fifth of the height: pieces then
    lines, _ = segment_image(img, merge=sure)
    assert [g.box for line in lines for g in line.glyphs] == [(10, 20, 110, 70)]


def test_a_joined_up_word_in_pieces_of_unequal_heights_is_one_line():
    # the pieces of a scanned cursive word written uphill: joined letters, a t rising high, a bar across it
    img = blob_image([(10, 48, 40, 66), (42, 38, 70, 59), (72, 10, 78, 59), (82, 40, 110, 60),
                      (66, 22, 86, 25)], (80, 130))
    lines, _ = segment_image(img)
    assert len(lines) == 1 and sum(len(w.glyphs) for w in lines[0].words) >= 4


def test_a_wide_image_of_a_few_letters_is_never_offered_as_one():
    offered = []
    img = blob_image([(10, 20, 16, 60), (30, 20, 60, 60), (80, 20, 110, 60), (130, 20, 160, 60)], (80, 200))
    segment_image(img, merge=lambda union, pieces, parts: offered.append(len(pieces)) or 1.0)
    assert 4 not in offered  # four glyphs, four times as wide as tall: not one character


def test_a_scanned_period_and_hyphen_stay_a_dash_at_the_baseline_goes_and_a_lone_mark_is_kept():
    # "ab. c-d": the period against the b and the hyphen at mid-height between c and d are punctuation;
    # a dash low between two letters is taken for a rule's end, and one far from both letters for dust
    img = blob_image([(20, 50, 45, 100), (55, 30, 80, 100), (88, 92, 94, 100),  # a b .
                      (130, 65, 150, 100), (175, 75, 195, 80), (220, 30, 245, 100)])  # c (x-height) - d
    lines, _ = segment_image(img)
    assert [g.box[0] for g in lines[0].glyphs] == [20, 55, 88, 130, 175, 220]
    low = blob_image([(20, 50, 45, 100), (55, 30, 80, 100), (130, 65, 150, 100), (160, 95, 180, 100),
                      (190, 30, 215, 100)])  # a b c _ d
    lines, _ = segment_image(low)
    assert [g.box[0] for g in lines[0].glyphs] == [20, 55, 130, 190]
    far = blob_image([(20, 50, 45, 100), (55, 30, 80, 100), (130, 65, 150, 100), (200, 75, 220, 80),
                      (290, 30, 315, 100)])  # a b c   -   d
    lines, _ = segment_image(far)
    assert [g.box[0] for line in lines for g in line.glyphs] == [20, 55, 130, 290]
    tick = blob_image([(20, 50, 45, 100), (55, 30, 80, 100), (86, 32, 92, 48), (98, 65, 120, 100),
                       (126, 65, 148, 100)])  # a b ' s s: a raised tick between two letters is an apostrophe
    lines, _ = segment_image(tick)
    assert [g.box[0] for g in lines[0].glyphs] == [20, 55, 86, 98, 126]
    lone, _ = segment_image(blob_image([(88, 92, 94, 100)]))  # an image of a period alone still has its glyph
    assert len(lone[0].glyphs) == 1


def test_words_written_flat_in_one_stroke_are_not_marks():
    from hwr_desktop.segmentation import drop_marks

    # two joined-up words, each one wide flat stroke, and a period: only the period is a mark
    strokes = [stroke([(10 + 10 * k, 20 + 6 * (k % 2)) for k in range(12)], 0),
               stroke([(150 + 10 * k, 20 + 6 * (k % 2)) for k in range(11)], 3000),
               stroke([(262, 30), (263, 31)], 5000)]
    lines = drop_marks(segment_ink(strokes))
    assert [g.strokes for line in lines for g in line.glyphs] == [(0,), (1,)]


def test_spaces_between_short_numbers_stay():
    # "9 19 91": digits 30 high, 6 apart inside a number and 15 between numbers
    def digit(x, t):
        return stroke([(x, 10), (x + 12, 10), (x + 12, 40)], t)

    strokes = [digit(10, 0), digit(37, 1000), digit(55, 2000), digit(82, 3000), digit(100, 4000)]
    lines = segment_ink(strokes)
    assert [len(w.glyphs) for w in lines[0].words] == [1, 2, 2]


def test_a_word_written_larger_keeps_its_letters_together():
    small = [stroke([(x, 40), (x + 10, 60)], i * 300) for i, x in enumerate((10, 24, 38))]
    big = [stroke([(x, 0), (x + 20, 60)], 2000 + i * 300) for i, x in enumerate((80, 116, 152))]  # gaps 16
    lines = segment_ink(small + big)
    assert [len(w.glyphs) for w in lines[0].words] == [3, 3]


def test_natural_word_gap_between_two_kinds_of_gaps():
    from hwr_desktop.segmentation import natural_word_gap

    # a writer who spaces words little: letter gaps 0-6, word gaps 15-20 at a letter height of 40
    gaps = [2, 5, 0, 15, 3, 6, 1, 20, 4, 2, 17, 5]
    t = natural_word_gap(gaps, 40)
    assert t is not None and 6 < t < 15
    assert natural_word_gap([3, 4, 5, 4, 3, 5, 4], 40) is None  # one kind of gap: one word
    assert natural_word_gap([2, 30, 3], 40) is None  # too few gaps to tell


def test_a_lone_i_with_its_dot_off_to_the_side_may_be_offered_whole():
    from hwr_desktop.results import Glyph, Line, Word
    from hwr_desktop.segmentation import merge_lone_character

    # a stem and a dot-sized dash above and beside it, taken apart: tall and narrow, which alone would refuse
    stem, dot = Glyph((10, 20, 13, 60), (0,)), Glyph((16, 8, 22, 11), (1,))
    lines = [Line(dot.box, (Word(dot.box, (dot,)),)), Line(stem.box, (Word(stem.box, (stem,)),))]
    offered = []

    def score(whole, pieces, parts):
        offered.append(parts)
        return 0.9

    merged = merge_lone_character(lines, lambda g: np.ones((4, 4), bool), score)
    assert offered == [[True, False]] and [g.strokes for l in merged for g in l.glyphs] == [(0, 1)]
    two_stems = [Line(b, (Word(b, (Glyph(b, (k,)),)),)) for k, b in enumerate([(10, 0, 13, 40), (10, 45, 13, 85)])]
    assert merge_lone_character(two_stems, lambda g: np.ones((4, 4), bool), score) == two_stems  # no dot: refused


def test_a_word_written_larger_keeps_its_letters_together_and_its_neighbours_their_spaces():
    # "9583 can": digits at the cap height (29 px), "can" written twice as large (x-height 40 px, not a capital's
    # height): its letter gaps (14 px) are wider than the digits' (6 px) but narrower than a space in its size
    boxes, x = [], 0
    for size, n, gap, space in ((29, 4, 6, 24), (40, 3, 14, 48)):
        for _ in range(n):
            boxes.append((x, 100 - size, x + 20, 100))
            x += 20 + gap
        x += space - gap
    words = group_words(boxes, typical_height([Unit(i, b) for i, b in enumerate(boxes)]))
    assert [len(w) for w in words] == [4, 3]


def test_a_line_written_small_under_large_ones_keeps_its_letters_apart():
    # "Hello 2026" and "answer" (resources/samples/joined.ink.json), and under them a UNIPEN writer's smaller
    # "but-few more before going!": measured by the large writing, its strokes ran together into 4 glyphs
    from hwr_desktop.segmentation import _segment_ink

    large = load_ink(Path(__file__).resolve().parents[1] / "resources" / "samples" / "joined.ink.json")
    small = load_ink(Path(__file__).parent / "resources" / "unipen" / "punctuation.ink.json")
    moved = [Stroke(s.points + [50.0, 450.0, 0.0, 1e6]) for s in small]
    alone = [[g.strokes for g in line.glyphs] for line in segment_ink(small)]
    lines = segment_ink(list(large) + moved)
    assert len(lines) == 3
    assert [[tuple(i - len(large) for i in g.strokes) for g in line.glyphs] for line in lines[2:]] == alone
    assert len(_segment_ink(list(large) + moved)[2].glyphs) < len(lines[2].glyphs)


def test_a_scanned_period_against_its_word_stays_and_dust_apart_goes():
    letters = [(20, 40, 50, 100), (60, 40, 90, 100), (100, 40, 130, 100)]
    period = (136, 90, 146, 100)  # a solid dot on the baseline, against the last letter
    dust = (400, 90, 410, 100)  # the same dot far from any letter
    corner = (285, 88, 297, 100)  # against the next word too, but a thin corner: a bit of an outline, no pen's dot
    img = blob_image(letters + [period, dust, (240, 40, 270, 100), (285, 98, 297, 100), (285, 88, 287, 100)])
    lines, _ = segment_image(img)
    boxes = [g.box for g in lines[0].glyphs]
    assert period in boxes and dust not in boxes and corner not in boxes
