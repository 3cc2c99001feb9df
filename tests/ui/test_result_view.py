"""ResultView: as tall as its text, up to a limit, then it scrolls; its hint is never cut off."""

from PySide6.QtWidgets import QVBoxLayout, QWidget

from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult
from hwr_desktop.ui.corrections import Corrections, correct
from hwr_desktop.ui.result_view import HINT, MAX_LINES, ResultView


def lines_of_ones(n: int):
    """A corrected page of ``n`` lines, each one glyph "1"."""
    rows = []
    for k in range(n):
        g = GlyphResult((10, 40 * k, 30, 40 * k + 30), "1", 0.9, (Candidate("1", 0.9),))
        rows.append(LineResult(g.box, "1", (WordResult(g.box, "1", (g,)),)))
    return correct(PageResult(100, 40 * n, "\n".join("1" * n), tuple(rows)), (), Corrections())


def hosted(qtbot) -> tuple[QWidget, ResultView]:
    """A ResultView below a filler, as in the window, in a shown 800 x 700 window (kept alive by the caller)."""
    host = QWidget()
    layout = QVBoxLayout(host)
    layout.addWidget(QWidget(), 1)
    view = ResultView()
    layout.addWidget(view)
    qtbot.addWidget(host)
    host.resize(800, 700)
    with qtbot.waitExposed(host):
        host.show()
    return host, view


def settled_height(qtbot, view: ResultView) -> int:
    qtbot.waitUntil(lambda: view.height() == view.wanted_height())
    return view.height()


def all_shown(view: ResultView) -> bool:
    """Whether the whole text fits in the view (nothing scrolled away or cut off)."""
    return view.verticalScrollBar().maximum() == 0 and view.document().size().height() <= view.viewport().height()


def test_the_view_grows_with_its_lines_then_scrolls(qtbot):
    _host, view = hosted(qtbot)
    line = view.fontMetrics().lineSpacing()
    view.show_result(lines_of_ones(1))
    one = settled_height(qtbot, view)
    view.show_result(lines_of_ones(5))
    five = settled_height(qtbot, view)
    assert five - one >= 3 * line and all_shown(view)
    view.show_result(lines_of_ones(40))
    many = settled_height(qtbot, view)
    assert many < (MAX_LINES + 2) * line and view.verticalScrollBar().maximum() > 0  # held, and it scrolls
    view.show_result(None)
    assert settled_height(qtbot, view) < five
    assert view.toPlainText() == HINT and all_shown(view)


def test_the_hint_fits_at_the_default_window_size(qtbot, make_window, fake):
    w = make_window(fake)
    view = w.result_view
    settled_height(qtbot, view)
    assert view.toPlainText() == HINT and all_shown(view)
    lines = view.document().size().height()
    narrow = w.width() // 2
    w.resize(narrow, w.height())
    qtbot.waitUntil(lambda: w.width() <= narrow + 50)
    settled_height(qtbot, view)
    assert view.document().size().height() > lines and all_shown(view)  # it wraps onto more lines, and still fits


def test_the_hint_and_stale_text_are_greyed_out(qtbot):
    from PySide6.QtGui import QTextCursor

    view = ResultView()
    qtbot.addWidget(view)

    def alpha() -> int:
        cursor = QTextCursor(view.document())
        cursor.setPosition(1)
        return cursor.charFormat().foreground().color().alpha()

    assert alpha() < 255  # the hint
    view.show_result(lines_of_ones(2))
    assert alpha() == 255
    view.set_stale(True)
    assert alpha() < 255


def test_a_period_is_shown_against_its_word_as_the_text_has_it(qtbot):
    def word(chars, x):
        glyphs = tuple(GlyphResult((x + 10 * k, 0, x + 10 * k + 8, 10), c, 0.9, (Candidate(c, 0.9),))
                       for k, c in enumerate(chars))
        return WordResult((x, 0, x + 10 * len(chars), 10), chars, glyphs)

    words = (word("hi", 0), word(".", 30))
    page = PageResult(100, 20, "hi.", (LineResult((0, 0, 40, 10), "hi.", words),))
    view = ResultView()
    qtbot.addWidget(view)
    shown = correct(page, (), Corrections())
    view.show_result(shown)
    assert shown.text == "hi." and view.toPlainText() == "hi."
