"""InkCanvas: mouse and tablet input, undo/redo, eraser, scratch-out, clear, painting."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette

from hwr_desktop.ui.canvas import ERASER, MOUSE_PRESSURE, InkCanvas
from uihelpers import draw, draw_tablet, line, one, seven, stylus, write, zigzag


@pytest.fixture
def canvas(qtbot):
    c = InkCanvas()
    c.resize(600, 400)
    qtbot.addWidget(c)
    with qtbot.waitExposed(c):
        c.show()
    return c


def test_mouse_stroke_becomes_one_stroke_in_canvas_pixels(canvas, qtbot):
    with qtbot.waitSignal(canvas.inkChanged):
        draw(canvas, line((50, 40), (52, 140)))
    (s,) = canvas.strokes
    assert s.points.shape == (20, 4)
    assert s.box == pytest.approx((50, 40, 52, 140))
    assert np.all(s.points[:, 2] == MOUSE_PRESSURE)
    assert np.all(np.diff(s.points[:, 3]) >= 0)


def test_strokes_are_painted_where_they_were_drawn(canvas):
    canvas.set_guides(False)
    draw(canvas, line((100, 50), (100, 150)))
    image = canvas.grab().toImage()
    dark = QColor(image.pixel(100, 100)).lightness()
    light = QColor(image.pixel(200, 100)).lightness()
    assert dark < 100 < light


def test_undo_redo_per_stroke(canvas):
    write(canvas, [one(50, 40), seven(120, 40)])
    assert len(canvas.strokes) == 2
    assert canvas.undo() and len(canvas.strokes) == 1
    assert canvas.undo() and len(canvas.strokes) == 0
    assert not canvas.undo()
    assert canvas.redo() and canvas.redo() and len(canvas.strokes) == 2
    assert not canvas.redo()


def test_clear_is_undoable(canvas):
    write(canvas, [one(50, 40), seven(120, 40)])
    before = canvas.strokes
    canvas.clear()
    assert canvas.strokes == ()
    canvas.undo()
    assert canvas.strokes == before


def test_eraser_drag_removes_touched_strokes_in_one_step(canvas):
    write(canvas, [one(50, 40), one(120, 40), one(300, 40)])
    canvas.set_tool(ERASER)
    draw(canvas, line((30, 90), (140, 90), 30))  # across the first two "1"s
    assert len(canvas.strokes) == 1 and canvas.strokes[0].box[0] > 290
    canvas.undo()
    assert len(canvas.strokes) == 3


def test_scratch_out_deletes_what_it_covers_and_is_not_added(canvas):
    write(canvas, [one(50, 40), seven(200, 40)])
    seven_stroke = canvas.strokes[1]
    draw(canvas, zigzag(30, 80, 40, 140))
    assert canvas.strokes == (seven_stroke,)
    canvas.undo()
    assert len(canvas.strokes) == 2


def test_zigzag_over_blank_paper_is_ink(canvas):
    draw(canvas, zigzag(300, 350, 40, 100))
    assert len(canvas.strokes) == 1


def test_tablet_pressure_is_kept_and_widens_the_line(canvas, qtbot):
    canvas.set_guides(False)
    canvas.set_pen_width(6.0)
    dev = stylus()
    events = draw_tablet(canvas, line((50, 100), (250, 100), 30), 0.1, dev)
    draw_tablet(canvas, line((50, 250), (250, 250), 30), 1.0, dev)
    assert all(e.isAccepted() for e in events)  # accepted: Qt sends no duplicate mouse events
    light, heavy = canvas.strokes
    assert np.allclose(light.points[:, 2], 0.1) and np.allclose(heavy.points[:, 2], 1.0)
    image = canvas.grab().toImage()
    thin = sum(QColor(image.pixel(150, y)).lightness() < 160 for y in range(80, 120))
    thick = sum(QColor(image.pixel(150, y)).lightness() < 160 for y in range(230, 270))
    assert thick >= thin + 3


def test_ink_color_follows_the_palette_but_not_the_model(canvas):
    draw(canvas, line((50, 40), (52, 140)))
    points = canvas.strokes[0].points.copy()
    light_ink = canvas.ink_color()
    dark = QPalette(canvas.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    canvas.setPalette(dark)
    assert canvas.ink_color() != light_ink
    canvas.set_guides(False)
    image = canvas.grab().toImage()
    assert QColor(image.pixel(51, 90)).lightness() > 180  # light ink on dark paper
    assert np.array_equal(canvas.strokes[0].points, points)


def test_canvas_grows_when_writing_near_its_edge(canvas):
    w0, h0 = canvas.minimumWidth(), canvas.minimumHeight()
    draw(canvas, line((500, 300), (590, 390)))
    assert canvas.minimumWidth() > max(w0, 590) and canvas.minimumHeight() > max(h0, 390)


def test_guides_toggle_changes_the_paper(canvas):
    canvas.set_guides(True)
    with_lines = canvas.grab().toImage()
    canvas.set_guides(False)
    blank = canvas.grab().toImage()
    y = canvas.guide_spacing
    assert with_lines.pixel(300, y) != blank.pixel(300, y)


def test_right_click_on_a_result_box_reports_the_glyph(canvas, qtbot):
    from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult
    from hwr_desktop.ui.corrections import Corrections, correct

    g = GlyphResult((40, 40, 60, 140), "1", 0.9, (Candidate("1", 0.9),))
    page = PageResult(60, 140, "1", (LineResult(g.box, "1", (WordResult(g.box, "1", (g,)),)),))
    canvas.set_result(correct(page, [], Corrections()))
    with qtbot.waitSignal(canvas.glyphClicked) as sig:
        qtbot.mouseClick(canvas, Qt.MouseButton.RightButton, pos=QPoint(50, 90))
    assert sig.args == [0]
    assert canvas.strokes == ()  # a right click draws nothing


def lightness(canvas, x, y):
    return QColor(canvas.grab().toImage().pixel(x, y)).lightness()


def test_undo_repaints_only_what_changed_and_keeps_the_rest(canvas):
    canvas.set_guides(False)
    draw(canvas, line((100, 50), (100, 150)))  # a vertical bar
    draw(canvas, line((50, 100), (150, 100)))  # a horizontal bar across it
    assert lightness(canvas, 70, 100) < 100
    canvas.undo()
    assert lightness(canvas, 70, 100) > 200  # the horizontal bar is gone
    assert lightness(canvas, 100, 100) < 100 and lightness(canvas, 100, 60) < 100  # the vertical one is whole
    canvas.redo()
    assert lightness(canvas, 70, 100) < 100


def test_erased_and_scratched_ink_disappears_from_the_screen(canvas):
    canvas.set_guides(False)
    write(canvas, [one(50, 40), one(200, 40)])
    canvas.set_tool(ERASER)
    draw(canvas, line((40, 90), (70, 90)))
    assert lightness(canvas, 52, 90) > 200 and lightness(canvas, 202, 90) < 100
    canvas.set_tool("pen")
    draw(canvas, zigzag(180, 230, 40, 140))
    assert canvas.strokes == ()
    assert lightness(canvas, 202, 90) > 200 and lightness(canvas, 180, 40) > 200  # neither the 1 nor the zig-zag


def test_many_strokes_keep_pen_up_cheap(canvas):
    import time

    from hwr_desktop.ink import Stroke

    for i in range(2000):
        x, y = 20 + (i % 40) * 14, 20 + (i // 40) * 7
        canvas.add_stroke(Stroke(np.array([[x, y, 0.5, i], [x + 5, y + 5, 0.5, i + 1]], float)))
    t = time.perf_counter()
    for k in range(20):
        draw(canvas, line((100 + k, 300), (110 + k, 380), 10))
    per_stroke_ms = (time.perf_counter() - t) / 20 * 1e3
    assert len(canvas.strokes) == 2020
    assert per_stroke_ms < 25  # a pen-up does no work in proportion to the page


def test_guide_spacing_and_ink_colour_can_be_set(canvas):
    canvas.set_guide_spacing(50)
    assert canvas.guide_rules() == (50.0, 50.0)
    image = canvas.grab().toImage()
    assert image.pixel(300, 50) != image.pixel(300, 75)  # a rule at 50, paper between rules
    draw(canvas, line((50, 10), (52, 140)))
    points = canvas.strokes[0].points.copy()
    canvas.set_ink_color(QColor("#0a8f0a"))
    assert canvas.ink_color() == QColor("#0a8f0a")
    assert QColor(canvas.grab().toImage().pixel(51, 90)).green() > 120  # all ink drawn again in it
    canvas.set_ink_color(None)
    assert canvas.ink_color() == canvas.palette().color(QPalette.ColorRole.Text)
    assert np.array_equal(canvas.strokes[0].points, points)
