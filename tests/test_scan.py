import cv2
import numpy as np
import pytest

from hwr_desktop.pipeline import prepare_page, recognize_image
from hwr_desktop.scan import edge_debris, estimate_skew, remove_rules, rotate_page, text_height

WORDS = [["HEL", "LO"], ["ABC", "DEF", "GH"], ["XYZ", "KT"]]
PITCH, TOP, LEFT, GLYPH_W, SPACE = 70, 60, 40, 28, 26


def text_page(words=WORDS, size=(300, 560), paper=225, ink=30):
    """A page of Hershey capitals; returns it and each glyph's box, line by line."""
    img = np.full(size, paper, np.uint8)
    boxes = []
    for r, line in enumerate(words):
        x, base = LEFT, TOP + r * PITCH
        row = []
        for word in line:
            for ch in word:
                one = np.zeros(size, np.uint8)
                cv2.putText(one, ch, (x, base), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 3)
                ys, xs = np.nonzero(one)
                row.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
                img[one > 0] = ink
                x += GLYPH_W
            x += SPACE
        boxes.append(row)
    return img, boxes


def rotate(img, angle):
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=int(np.median(img))), m


def expected_text(words=WORDS):
    return "\n".join(" ".join("1" * len(w) for w in line) for line in words)


@pytest.mark.parametrize("angle", [-12.0, -4.0, 3.0, 9.0, 14.0])
def test_skew_is_found(angle):
    img, _ = text_page(size=(500, 700))
    rotated, _ = rotate(img, angle)
    binary = rotated < 128
    assert estimate_skew(binary) == pytest.approx(angle, abs=0.4)


def test_one_glyph_is_not_deskewed():
    img = np.zeros((100, 100), bool)
    cv2.line(img.view(np.uint8), (20, 80), (80, 40), 1, 4)
    assert estimate_skew(img) == 0.0


def test_rotate_page_keeps_the_corners():
    img = np.full((100, 200), 200, np.uint8)
    out, m = rotate_page(img, 10.0)
    assert out.shape[0] > 100 and out.shape[1] > 200
    corners = np.array([[0, 0, 1], [199, 0, 1], [0, 99, 1], [199, 99, 1]], float) @ m.T
    assert (corners >= -1).all() and (corners[:, 0] <= out.shape[1] + 1).all() and (corners[:, 1] <= out.shape[0] + 1).all()


@pytest.mark.parametrize("angle", [-10.0, 7.0])
def test_skewed_page_reads_as_level_with_boxes_on_the_input(fake, angle):
    img, boxes = text_page(size=(420, 640))
    rotated, m = rotate(img, angle)
    page = recognize_image(rotated, fake)
    assert page.text == expected_text()
    assert page.skew == pytest.approx(angle, abs=0.4)
    assert (page.width, page.height) == (640, 420)
    got = [g.box for line in page.lines for g in line.glyphs]
    want = [b for row in boxes for b in row]
    for (x0, y0, x1, y1), g in zip(want, got):
        cx, cy = m @ [(x0 + x1) / 2, (y0 + y1) / 2, 1]  # the glyph's centre on the rotated input
        assert g[0] <= cx <= g[2] and g[1] <= cy <= g[3]
        assert (g[2] - g[0]) < 1.6 * (x1 - x0) + 8  # tight, not the rotated box of a rotated box


def draw_rules(img, spacing=PITCH, first=TOP + 6, value=140, thickness=2):
    for y in range(first, img.shape[0], spacing):
        cv2.line(img, (0, y), (img.shape[1] - 1, y), value, thickness)
    cv2.line(img, (22, 0), (22, img.shape[0] - 1), value, thickness)  # a margin line
    return img


def test_ruled_lines_are_not_read(fake):
    img, _ = text_page()
    page = recognize_image(draw_rules(img), fake)
    assert page.text == expected_text()


def test_strokes_crossing_a_rule_stay_whole():
    img = np.full((400, 400), 230, np.uint8)
    for x in range(40, 360, 40):
        cv2.line(img, (x, 60), (x, 130), 20, 4)  # "1"s crossing the rule at y=100
    cv2.line(img, (0, 100), (399, 100), 60, 3)
    cleaned = remove_rules(img < 128)
    n, _, stats, _ = cv2.connectedComponentsWithStats(cleaned.astype(np.uint8))
    assert n - 1 == 8
    assert (stats[1:, cv2.CC_STAT_HEIGHT] >= 70).all()


@pytest.mark.parametrize("name", ["punctuation", "Frontini_Monica_2_8_0_7_9", "Veronica_Trujillo", "answer",
                                  "WITH_A_QUALM_THE_JOLLY"])
def test_writing_on_a_crop_of_its_own_loses_no_strokes_as_rules(name):
    """Real writers' lines and words (UNIPEN validation writers) drawn on paper, cropped with a margin, at
    bodies of 14 to 30 px: their long strokes (a word's joins along the baseline, t-bars, an L's foot) are
    writing, not rules, so rule removal takes nothing away."""
    from pathlib import Path

    from hwr_desktop.binarize import binarize
    from hwr_desktop.ink import load_ink, rasterize

    strokes = load_ink(Path(__file__).parent / "resources" / "unipen" / f"{name}.ink.json")
    ys = np.concatenate([s.points[:, 1] for s in strokes])
    y10, y90 = np.percentile(ys, (10, 90))
    for body in (14, 18, 22, 26, 30):
        binary = binarize(rasterize(strokes, scale=body / (y90 - y10), width=2.5, margin=12))
        assert (binary & ~remove_rules(binary)).sum() == 0, body


def test_form_boxes_are_removed(fake):
    img, boxes = text_page(words=[["AB", "CD"], ["EFG"], ["HI"]], size=(260, 400))
    for row in boxes:  # one box around each line: a form field
        x0, y0 = row[0][0] - 12, min(b[1] for b in row) - 10
        x1, y1 = row[-1][2] + 12, max(b[3] for b in row) + 10
        cv2.rectangle(img, (x0, y0), (x1, y1), 40, 2)
    page = recognize_image(img, fake)
    assert page.text == "11 11\n111\n11"


def test_noisy_yellowed_photo_with_shadow_and_border(fake):
    img, _ = text_page()
    h, w = img.shape
    shade = np.linspace(1.0, 0.55, w)[None, :] * np.linspace(1.0, 0.8, h)[:, None]  # uneven light
    gray = img.astype(np.float32) * shade
    gray[:, :10] = 15  # a dark scanner border
    gray += np.random.default_rng(1).normal(0, 6, gray.shape)
    color = np.dstack([gray * 0.85, gray * 0.97, gray]).clip(0, 255).astype(np.uint8)  # yellowish paper (BGR)
    ok, jpeg = cv2.imencode(".jpg", color, [cv2.IMWRITE_JPEG_QUALITY, 60])
    page = recognize_image(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), fake)
    assert page.text == expected_text()


def test_prepare_page_without_skew_returns_no_transform():
    img, _ = text_page()
    binary, back, angle = prepare_page(img)
    assert back is None and angle == 0.0 and binary.shape == img.shape
    assert 20 <= text_height(binary) <= 30


def _cut_out(extra):
    """A 60x50 cut-out of one glyph (an L, 36 px tall) plus ``extra`` drawn on it; bool ink."""
    ink = np.zeros((60, 50), np.uint8)
    cv2.line(ink, (15, 10), (15, 46), 1, 3)
    cv2.line(ink, (15, 46), (35, 46), 1, 3)
    extra(ink)
    return ink.astype(bool)


def test_edge_debris_is_the_paper_edge_and_cut_off_bits():
    shadow = _cut_out(lambda m: cv2.line(m, (0, 58), (49, 57), 1, 2))  # paper edge along the bottom
    assert edge_debris(shadow, 36.0)[57:].sum() > 80 and not edge_debris(shadow, 36.0)[:50].any()
    side = _cut_out(lambda m: cv2.line(m, (48, 0), (48, 59), 1, 2))  # ... or along the right side
    assert edge_debris(side, 36.0)[:, 47:].sum() > 100
    bit = _cut_out(lambda m: cv2.circle(m, (2, 30), 3, 1, -1))  # a neighbour's stroke cut by the crop
    assert edge_debris(bit, 36.0)[25:36, :6].all(1).any()
    assert not (edge_debris(bit, 36.0) & _cut_out(lambda m: None)).any()  # the L is never debris
    assert remove_rules(shadow).sum() == _cut_out(lambda m: None).sum()


def test_writing_at_the_edge_is_not_debris():
    one = np.zeros((40, 6), bool)
    one[:, 1:4] = True  # a 1 cut out tightly: thin, against both sides, the only ink
    assert not edge_debris(one, 40.0).any()
    tight = _cut_out(lambda m: None)[8:49, 13:38]  # the L touching all four edges
    assert not edge_debris(tight, 36.0).any()
    slanted = _cut_out(lambda m: cv2.line(m, (0, 5), (6, 40), 1, 2))  # an l leaning on the left edge
    assert not edge_debris(slanted, 36.0).any()


def test_a_joined_up_word_written_with_a_thick_pen_is_no_rule():
    # "mmmmmmmmmmmmm" in one stroke: its humps meet the baseline so often that the rows there run on for the
    # whole word, but inside its ink, not apart from it as a rule is
    img = np.full((80, 280), 230, np.uint8)
    xs = np.arange(20, 250)
    ys = 50 - 14 * np.abs(np.sin(np.pi * (xs - 20) / 18))
    cv2.polylines(img, [np.stack([xs, ys], 1).astype(np.int32)], False, 30, 5)
    binary = img < 128
    assert (remove_rules(binary) == binary).all()


@pytest.mark.parametrize("length", [15, 23, 40, 90])
def test_runs_are_those_of_the_opening_of_the_whole_page(length):
    """``_runs`` opens only the rows (columns) that can hold a run: the same pixels as opening all of them,
    runs reaching the image's edge (which OpenCV's opening lets through shorter) included."""
    from hwr_desktop.scan import _runs, _thickened

    rng = np.random.default_rng(length)
    page = np.zeros((157, 203), np.uint8)
    for _ in range(60):  # strokes of every length and slope, some to the edges
        x0, y0 = int(rng.integers(-20, 223)), int(rng.integers(-20, 177))
        x1, y1 = x0 + int(rng.integers(-120, 120)), y0 + int(rng.integers(-3, 4))
        if rng.random() < 0.5:
            (x0, y0), (x1, y1) = (y0, x0), (y1, x1)  # upright
        cv2.line(page, (x0, y0), (x1, y1), 1, int(rng.integers(1, 4)))
    for horizontal in (True, False):
        thick = _thickened(page, horizontal)
        kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
        whole = (cv2.morphologyEx(thick, cv2.MORPH_OPEN, kernel) > 0) & (page > 0)
        assert whole.any()
        assert np.array_equal(_runs(page, length, horizontal, thick), whole)
