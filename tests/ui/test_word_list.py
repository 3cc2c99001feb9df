"""Tools > Word List: dictionary words re-rank readings (persisted, re-read when toggled), the user's own lists;
View > Guide Lines: ink written on the rules is read with their baseline and spacing."""

import numpy as np

from hwr_desktop.ui.settings import AppSettings
from hwr_desktop.ui.word_lists import WordLists
from uihelpers import FakeRecognizer, one, write


def three(x=60):
    """Three strokes close together (one word), between the guide lines (rules at y = 80, 160)."""
    return [one(x + 30 * i, 70, h=60) for i in range(3)]


def text_is(qtbot, w, text):
    qtbot.waitUntil(lambda: w.current_text() == text, timeout=5000)


def test_word_list_is_on_by_default_and_toggling_reads_again_and_persists(qtbot, make_window, qsettings):
    w = make_window(FakeRecognizer(chars="cbt", p=0.5, second="a"))  # each glyph: its letter, else "a"
    assert w.act_lexicon.isChecked() and w.worker.words is w.word_lists
    write(w.canvas, three())
    text_is(qtbot, w, "cat")  # the ink allows a word: it wins
    w.act_lexicon.trigger()
    text_is(qtbot, w, "cbt")  # the glyphs' own reading
    assert w.worker.words is None and AppSettings(qsettings).lexicon is False
    w.close()
    again = make_window(FakeRecognizer(), settings=qsettings)
    assert not again.act_lexicon.isChecked() and again.worker.words is None


def test_the_users_own_word_list_is_added_kept_and_forgotten(qtbot, make_window, qsettings, tmp_path):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    words = tmp_path / "mine.txt"
    words.write_text("qzj\nhwr\n", encoding="utf-8")
    assert w.add_word_list(words)
    text_is(qtbot, w, "qzj")
    assert AppSettings(qsettings).word_lists == (str(words.resolve()),)
    assert w.act_forget_words.isEnabled()
    bad = tmp_path / "empty.txt"
    bad.write_text("12 34\n", encoding="utf-8")
    assert not w.add_word_list(bad) and not w.add_word_list(tmp_path / "missing.txt")
    assert w.banner.isVisible() and AppSettings(qsettings).word_lists == (str(words.resolve()),)
    w.close()
    again = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"), settings=qsettings)
    assert again.word_lists.paths == (str(words.resolve()),)
    write(again.canvas, three())
    text_is(qtbot, again, "qzj")
    again.forget_word_lists()
    text_is(qtbot, again, "qzk")
    assert AppSettings(qsettings).word_lists == () and not again.act_forget_words.isEnabled()


def test_word_lists_build_once_and_leave_out_a_missing_file(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("qzj\n", encoding="utf-8")
    words = WordLists([str(mine), str(tmp_path / "gone.txt")])
    lexicon = words.lexicon()
    assert words.lexicon() is lexicon and "qzj" in lexicon and "cat" in lexicon
    assert words.skipped == (str(tmp_path / "gone.txt"),)


def ring(x, bottom, height, n=30):
    """A closed loop (an o) of ``height`` whose bottom is at ``bottom``."""
    a = np.linspace(0, 2 * np.pi, n)
    r = height / 2
    return [[(x + r + r * np.sin(t), bottom - r + r * np.cos(t)) for t in a]]


def test_small_letters_written_on_a_guide_line_read_lower_case(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="O", p=0.55, second="o"))  # alone: O rather than o
    assert w.canvas.guides and w.canvas.guide_rules() == (80.0, 80.0)
    write(w.canvas, [ring(60, 160, 26), ring(100, 160, 26)])  # 26 px tall on the rule at y = 160
    text_is(qtbot, w, "oo")
    w.act_guides.trigger()  # no guide lines: nothing tells the size, the glyphs' own reading
    assert w.canvas.guide_rules() is None
    text_is(qtbot, w, "OO")
