import json

import cv2
import numpy as np
import pytest

from conftest import LABELS, FakeRecognizer
from probs import SpellingLineNet
from hwr_desktop.errors import EmptyInputError, InputError
from hwr_desktop.ink import Stroke, load_ink, rasterize
from hwr_desktop.pipeline import (
    load_image,
    recognize_file,
    recognize_glyph_image,
    recognize_image,
    recognize_ink,
)


def blobs_page() -> np.ndarray:
    """Two lines: three glyphs, a word gap, two glyphs; then four glyphs."""
    img = np.full((200, 500), 230, np.uint8)
    for x in (20, 60, 100, 220, 260):
        cv2.rectangle(img, (x, 30), (x + 20, 80), 20, -1)
    for x in (20, 60, 100, 140):
        cv2.rectangle(img, (x, 120), (x + 20, 170), 20, -1)
    return img


def test_structure_of_a_page(fake):
    page = recognize_image(blobs_page(), fake, k=3)
    assert page.text == "111 11\n1111"
    assert (page.width, page.height) == (500, 200)
    assert [len(l.words) for l in page.lines] == [2, 1]
    g = page.lines[0].words[1].glyphs[0]
    assert g.box == (220, 30, 241, 81)
    assert g.char == "1" and len(g.alternatives) == 3 and g.alternatives[0].char == "1"
    assert g.confidence == pytest.approx(g.alternatives[0].p)


def test_blank_page_gives_no_lines(fake):
    page = recognize_image(np.full((100, 100), 250, np.uint8), fake)
    assert page.text == "" and page.lines == ()
    assert fake.calls == 0


def test_real_digits_through_the_image_path(recognizer, resources_dir):
    expected = json.loads((resources_dir / "mnist_digits.json").read_text())["text"]
    page = recognize_image(load_image(resources_dir / "mnist_digits.png"), recognizer, mode="digits")
    got = page.text.replace(" ", "")
    assert len(got) == len(expected)
    assert sum(a == b for a, b in zip(got, expected)) >= 18


def test_real_strokes_through_the_ink_path(recognizer, resources_dir):
    strokes = load_ink(resources_dir / "omniglot_hello.ink.json")
    page = recognize_ink(strokes, recognizer, mode="lower")
    assert len(page.lines) == 1 and len(page.lines[0].glyphs) == 5
    assert sum(a == b for a, b in zip(page.text, "hello")) >= 4
    for g in page.glyphs:  # boxes in ink coordinates, inside the ink's bounds
        assert 0 <= g.box[0] <= g.box[2] <= page.width and 0 <= g.box[1] <= g.box[3] <= page.height


def test_ink_mode_restricts_output(fake):
    strokes = [Stroke(np.array([[10, 10, 0.5, 0], [10, 50, 0.5, 100]])), Stroke(np.array([[40, 10, 0.5, 900], [40, 50, 0.5, 1000]]))]
    assert recognize_ink(strokes, fake).text == "11"
    assert recognize_ink(strokes, fake, mode="upper").text.isupper()
    assert recognize_ink([], fake).text == ""


def test_single_glyph_image(recognizer, fake):
    img = np.full((60, 50), 220, np.uint8)
    cv2.line(img, (25, 8), (25, 52), 30, 3)
    img[2, 2] = 0  # a speck is ignored
    g = recognize_glyph_image(img, fake)
    assert g.char == "1" and g.box[1] >= 5  # the speck at (2, 2) is not part of it
    with pytest.raises(EmptyInputError):
        recognize_glyph_image(np.full((20, 20), 200, np.uint8), fake)


def test_files_errors(tmp_path, fake):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "junk.png").write_bytes(b"this is not an image")
    with pytest.raises(InputError, match="empty"):
        load_image(tmp_path / "empty.png")
    with pytest.raises(InputError, match="not a readable image"):
        load_image(tmp_path / "junk.png")
    with pytest.raises(InputError, match="no such file"):
        recognize_file(tmp_path / "missing.png", fake)
    with pytest.raises(InputError, match="directory"):
        recognize_file(tmp_path, fake)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".bmp", ".tiff", ".webp"])
def test_image_formats(tmp_path, fake, suffix):
    path = tmp_path / f"p\u00e4ge{suffix}"
    ok, data = cv2.imencode(suffix, blobs_page())
    assert ok
    data.tofile(str(path))
    pages = recognize_file(path, fake)
    assert len(pages) == 1 and pages[0].text == "111 11\n1111"


def test_ink_on_guide_lines_takes_its_size_from_the_rules():
    probs = np.full(len(LABELS), 1e-4, np.float32)
    probs[LABELS.index("O")], probs[LABELS.index("o")] = 0.55, 0.45  # the glyphs alone: O rather than o

    def circle(x, height, t0):  # on the rule at y = 160
        a = np.linspace(0, 2 * np.pi, 30)
        pts = np.stack([x + 12 + 12 * np.cos(a), 160 - height / 2 + height / 2 * np.sin(a),
                        np.full(30, 0.5), t0 + np.arange(30) * 10.0], 1)
        return Stroke(pts)

    fake = FakeRecognizer(probs=probs[None])
    guides = (80.0, 80.0)  # rules at y = 80, 160, 240 ...
    small_ink = [circle(0, 26, 0), circle(30, 26, 1000)]
    assert recognize_ink(small_ink, fake).text == "OO"
    assert recognize_ink(small_ink, fake, guides=guides).text == "oo"
    assert recognize_ink([circle(0, 44, 0), circle(30, 44, 1000)], fake, guides=guides).text == "OO"
    assert recognize_ink(small_ink, fake, guides=(120.0, 80.0)).text == "oo"  # across the rules: read as on them


def test_a_letter_written_in_pieces_reads_as_one(recognizer):
    # an H whose bar touches neither stem, then two stems close together: "H" and "ll", not "lTl" and "H"
    img = np.full((120, 260), 255, np.uint8)
    for x in (30, 70, 150, 172):
        cv2.line(img, (x, 20), (x, 90), 0, 5)
    cv2.line(img, (38, 55), (62, 55), 0, 5)
    page = recognize_image(img, recognizer)
    assert [len(w.glyphs) for w in page.lines[0].words] == [1, 2]
    assert page.lines[0].words[0].text == "H"


@pytest.mark.parametrize("char, segments", [
    ("E", [((30, 20), (30, 90)), ((40, 20), (70, 20)), ((40, 55), (62, 55)), ((40, 90), (70, 90))]),
    ("F", [((30, 20), (30, 90)), ((40, 20), (70, 20)), ((40, 52), (62, 52))]),
    ("T", [((20, 20), (80, 20)), ((50, 30), (50, 90))]),
])
def test_an_image_of_one_letter_in_pieces_reads_as_that_letter(recognizer, char, segments):
    img = np.full((110, 100), 255, np.uint8)
    for a, b in segments:  # no stroke touches another: without joining they read "lI", "T", ...
        cv2.line(img, a, b, 0, 5)
    assert recognize_image(img, recognizer).text == char


def _line_stroke(p0, p1, t0):
    pts = [[p0[0] + (p1[0] - p0[0]) * i / 11, p0[1] + (p1[1] - p0[1]) * i / 11, 0.5, t0 + 10 * i] for i in range(12)]
    return Stroke(np.array(pts, float))


def test_strokes_of_one_letter_that_do_not_touch_read_as_that_letter(recognizer):
    h = [((30, 20), (30, 90)), ((70, 20), (70, 90)), ((38, 55), (62, 55))]  # H, its bar touching neither stem
    ll = [((130, 20), (130, 90)), ((152, 20), (152, 90))]  # two l, close together
    strokes = [_line_stroke(a, b, 400 * i) for i, (a, b) in enumerate(h + ll)]
    first, second = recognize_ink(strokes, recognizer).text.split()
    assert first == "H" and len(second) == 2 and set(second) <= set("lI1")  # two bare stems: l or I alike
    e = [((30, 20), (30, 90)), ((40, 20), (70, 20)), ((40, 55), (62, 55)), ((40, 90), (70, 90))]  # E alone
    assert recognize_ink([_line_stroke(a, b, 400 * i) for i, (a, b) in enumerate(e)], recognizer).text == "E"


def test_words_written_one_under_another_in_one_stroke_each_are_not_one_character(recognizer, resources_dir):
    # a UNIPEN dev writer's list: 4 joined-up words in a column, together less than twice as tall as wide, that
    # the classifier liked better as one "E" than as 4 glyphs it cannot read (merge_lone_character)
    from hwr_desktop.pipeline import ink_lines

    strokes = load_ink(resources_dir / "unipen" / "glow_gods_green_grow.ink.json")
    lines = ink_lines(strokes, recognizer)
    assert len(lines) == 4 and [len(line.glyphs) for line in lines] == [1, 1, 1, 1]


def test_marks_on_the_canvas_are_read_as_punctuation(recognizer, resources_dir):
    # real strokes of "hello", then a period on its baseline: every stroke is read, none dropped
    strokes = load_ink(resources_dir / "omniglot_hello.ink.json")
    pts = np.vstack([s.points[:, :2] for s in strokes])
    x1, base = pts[:, 0].max(), np.percentile(pts[:, 1], 95)
    t = max(s.points[-1, 3] for s in strokes)
    period = Stroke(np.array([[x1 + 6, base - 1, 1, t + 500], [x1 + 7, base, 1, t + 510]]))
    page = recognize_ink(strokes + [period], recognizer)
    assert page.text.startswith("hello") and page.text.endswith(".")
    assert sum(len(w.glyphs) for line in page.lines for w in line.words) == 6


def test_a_word_in_one_stroke_takes_the_line_reading_with_a_box_per_letter(recognizer):
    from hwr_desktop.joined import LineReader

    t = np.linspace(0, 4 * np.pi, 120)
    stroke = Stroke(np.c_[100 + t * 12, 200 + 12 * np.sin(3 * t)])  # a joined-up scrawl, 150 wide
    glyphs_only = recognize_ink([stroke], recognizer)
    assert len(glyphs_only.glyphs) <= 2  # the glyph pipeline cannot cut it into letters
    page = recognize_ink([stroke], recognizer, line_reader=LineReader(SpellingLineNet()))
    assert page.text == "ab"
    a, b = page.glyphs
    assert 95 <= a.box[0] < a.box[2] <= b.box[0] + 1 < b.box[2] <= 255
    assert page.lines[0].words[0].alternatives[0] == "ab"


def test_the_line_reader_reads_image_lines_too(recognizer):
    from hwr_desktop.joined import LineReader

    img = np.full((120, 400), 255, np.uint8)
    t = np.linspace(0, 4 * np.pi, 200)
    pts = np.c_[60 + t * 20, 60 + 15 * np.sin(3 * t)].astype(np.int32)
    cv2.polylines(img, [pts], False, 0, 3)
    page = recognize_image(img, recognizer, line_reader=LineReader(SpellingLineNet()))
    assert page.text == "ab"
    assert all(50 <= g.box[0] and g.box[2] <= 320 for g in page.glyphs)


def test_a_real_cursive_word_in_one_stroke_reads_as_that_word(recognizer, resources_dir):
    """A UNIPEN validation writer's "answer", written in one stroke (never trained on): glyph by glyph it is one
    wrong glyph; with the shipped line recognizer it reads as the word, a box and alternatives per letter."""
    from hwr_desktop.joined import LineReader

    path = resources_dir / "unipen" / "answer.ink.json"
    assert len(load_ink(path)) == 1
    assert len(recognize_file(path, recognizer)[0].glyphs) == 1
    page = recognize_file(path, recognizer, line_reader=LineReader.from_path())[0]
    assert page.text == "answer"
    glyphs = page.glyphs
    assert [g.char for g in glyphs] == list("answer")
    assert all(a.box[2] <= b.box[0] + 1 for a, b in zip(glyphs, glyphs[1:]))  # left to right, side by side
    assert all(len(g.alternatives) >= 2 for g in glyphs)
    assert page.lines[0].words[0].alternatives[0] == "answer"


def test_a_word_written_larger_than_its_line_is_read_as_a_line_image_of_its_own():
    from hwr_desktop.joined import LineReader

    def ring(cx, r, t0):
        a = np.linspace(0, 2 * np.pi, 40)
        return Stroke(np.c_[cx + r * np.cos(a), 200 - r - r * np.sin(a), np.ones(40), t0 + 10 * np.arange(40)])

    strokes, x = [], 50.0
    for size in (10, 10, 0, 26, 26, 0, 10, 10):  # "oo OO oo": the middle word 2.6 times as large
        if size:
            strokes.append(ring(x + size, size, 1000 * len(strokes)))
        x += 2 * size + 8 if size else 40

    class Counting(SpellingLineNet):
        images = []

        def predict(self, lines):
            self.images += [li.image.shape for li in lines]
            return super().predict(lines)

    net = Counting()
    page = recognize_ink(strokes, FakeRecognizer("o"), line_reader=LineReader(net))
    # the whole line was read ahead (beside the glyphs); then three runs of one size, each scaled on its own
    assert len(net.images) == 4 and all(w < net.images[0][1] for _, w in net.images[1:])
    assert len(page.lines) == 1 and len(page.lines[0].words) == 3


def test_a_lines_letters_are_its_glyphs_but_the_marks_word_by_word():
    from hwr_desktop.pipeline import letter_classes, line_letters
    from hwr_desktop.results import Glyph, Line, Word

    g = [Glyph((10 * i, 0, 10 * i + 8, 20)) for i in range(6)]
    line = Line((0, 0, 60, 20), (Word((0, 0, 28, 20), tuple(g[:3])), Word((30, 0, 38, 20), (g[3],)),
                                 Word((40, 0, 58, 20), tuple(g[4:]))))
    letters, spans = line_letters(line, [False, False, True, True, False, False])  # "ab." "," "cd"
    assert letters == [0, 1, 4, 5] and spans == [slice(0, 2), slice(2, 4)]
    labels = list("ab.,'-!")
    assert "".join(c for c, ok in zip(labels, letter_classes([line], labels, "auto")) if ok) == "ab,'!"
    alone = Line((0, 0, 8, 20), (Word((0, 0, 8, 20), (g[0],)),))
    assert "".join(c for c, ok in zip(labels, letter_classes([alone], labels, "auto")) if ok) == "ab!"
    digits = list("0123456789,:/+")
    assert "".join(c for c, ok in zip(digits, letter_classes([alone], digits, "digits")) if ok) == "0123456789"
    assert "".join(c for c, ok in zip(digits, letter_classes([line], digits, "digits")) if ok) == "0123456789,:/+"


def test_the_glyph_cache_runs_the_network_only_on_glyphs_it_has_not_seen(recognizer, resources_dir):
    from hwr_desktop.pipeline import GlyphCache, recognize_ink

    ink = load_ink(resources_dir / "omniglot_hello.ink.json")
    calls = []

    class Counting:
        labels = recognizer.labels
        placement = recognizer.placement

        def predict(self, glyphs):
            calls.append(len(glyphs))
            return recognizer.predict(glyphs)

    rec, cache = Counting(), GlyphCache()
    plain = recognize_ink(ink, recognizer)
    assert recognize_ink(ink, rec, cache=cache) == plain
    moved = Stroke(ink[-1].points + [3.0, 0.0, 0.0, 0.0])  # the last letter written again, a little apart
    again = recognize_ink(list(ink[:-1]) + [moved], rec, cache=cache)
    assert calls[-1] == 1 and again.text == plain.text  # only the new glyph went to the network
    assert recognize_ink(ink, recognizer, cache=cache) == plain  # another recognizer: read afresh


def test_a_real_writers_line_keeps_its_punctuation(recognizer, resources_dir):
    # a UNIPEN validation writer's "but-few more before going!" (category 3, put back on its line)
    ink = load_ink(resources_dir / "unipen" / "punctuation.ink.json")
    text = recognize_ink(ink, recognizer).text
    assert text.startswith("but-few ") and text.endswith("!") and len(text.split()) == 4


def test_reading_the_lines_ahead_beside_the_glyphs_changes_no_reading(recognizer, resources_dir, monkeypatch):
    """The whole lines are read in a worker thread while the glyphs are read (``read_ahead``): the same page as
    reading them afterwards, on ink and on an image of it."""
    from hwr_desktop import pipeline
    from hwr_desktop.joined import LineReader

    reader = LineReader.from_path()
    ink = load_ink(resources_dir / "unipen" / "glow_gods_green_grow.ink.json")
    image = rasterize(ink, scale=0.5, width=3.0)
    ahead = [recognize_ink(ink, recognizer, line_reader=reader), recognize_image(image, recognizer, line_reader=reader)]
    monkeypatch.setattr(pipeline, "read_ahead", lambda *args: None)
    after = [recognize_ink(ink, recognizer, line_reader=reader), recognize_image(image, recognizer, line_reader=reader)]
    for a, b in zip(ahead, after):
        assert len(a.lines) >= 2 and a.text
        assert a == b
