"""Tools > Use Word Lists: dictionary words re-rank readings (persisted, re-read when toggled), the user's own
lists and the edits of their files; View > Guide Lines: ink written on the rules is read with their baseline and
spacing."""

import numpy as np
import pytest

from hwr_desktop.errors import InputError
from hwr_desktop.ui.settings import AppSettings
from hwr_desktop.ui.word_lists import (MY_WORDS, WordLists, add_words, export_words, import_words, list_words,
                                       remove_words, rename_word)
from uihelpers import FakeRecognizer, text_is, three, write


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
    dialog = w.show_word_lists()
    assert dialog.add_list_file(words)
    text_is(qtbot, w, "qzj")
    assert AppSettings(qsettings).word_lists == (str(words.resolve()),)
    bad = tmp_path / "empty.txt"
    bad.write_text("12 34\n", encoding="utf-8")
    assert not dialog.add_list_file(bad) and "holds no usable words" in dialog.message.text()
    assert not dialog.add_list_file(tmp_path / "missing.txt") and "cannot read word list" in dialog.message.text()
    assert AppSettings(qsettings).word_lists == (str(words.resolve()),)
    w.close()
    again = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"), settings=qsettings)
    assert again.word_lists.paths == (str(words.resolve()),)
    write(again.canvas, three())
    text_is(qtbot, again, "qzj")
    dialog = again.show_word_lists()
    dialog.lists.setCurrentRow(1)
    assert dialog.forget_list()
    text_is(qtbot, again, "qzk")
    assert AppSettings(qsettings).word_lists == () and words.exists()


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
    w = make_window(FakeRecognizer(chars="O", p=0.4, second="o"))  # alone: O (0.4) rather than o (0.3)
    assert w.canvas.guides and w.canvas.guide_rules() == (80.0, 80.0)
    write(w.canvas, [ring(60, 160, 26), ring(100, 160, 26)])  # 26 px tall on the rule at y = 160
    text_is(qtbot, w, "oo")
    w.act_guides.trigger()  # no guide lines: nothing tells the size, the glyphs' own reading
    assert w.canvas.guide_rules() is None
    text_is(qtbot, w, "OO")


def test_words_are_added_once_and_the_file_made_when_missing(tmp_path):
    mine = tmp_path / "data" / MY_WORDS
    assert list_words(mine, missing_ok=True) == []
    assert add_words(mine, ["hwr", "Anna", "hwr"]) == ["hwr", "Anna"]
    assert add_words(mine, [" anna ", "qzj"]) == ["qzj"]  # Anna is there already, case aside
    assert mine.read_text(encoding="utf-8") == "hwr\nAnna\nqzj\n"
    assert list_words(mine) == ["hwr", "Anna", "qzj"]


def test_a_bad_word_is_named_and_nothing_is_written(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("hwr", encoding="utf-8")  # no newline at the end
    for bad in ("naïve", "r2d2", "a", "two words"):
        with pytest.raises(InputError, match="is not a word the lists can hold"):
            add_words(mine, ["fine", bad])
    assert mine.read_text(encoding="utf-8") == "hwr"
    add_words(mine, ["fine"])
    assert mine.read_text(encoding="utf-8") == "hwr\nfine\n"


def test_removing_and_renaming_leave_every_other_line_as_it_was(tmp_path):
    mine = tmp_path / "names.dic"
    mine.write_text("# my names\nAnna  Bert\n\n1234\nanna\nCarl\n", encoding="utf-8")
    assert remove_words(mine, ["ANNA"]) == 2
    assert mine.read_text(encoding="utf-8") == "# my names\nBert\n\n1234\nCarl\n"
    assert remove_words(mine, ["nobody"]) == 0
    assert rename_word(mine, "carl", "Karl") == 1
    assert mine.read_text(encoding="utf-8") == "# my names\nBert\n\n1234\nKarl\n"
    with pytest.raises(InputError):
        rename_word(mine, "Karl", "K4rl")
    assert list_words(mine) == ["my", "names", "Bert", "Karl"]  # as the lexicon reads it: any token of letters


def test_an_unreadable_list_is_never_written_over(tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9\nhwr\n".encode("latin-1"))
    for edit in (lambda: add_words(latin, ["new"]), lambda: remove_words(latin, ["hwr"])):
        with pytest.raises(InputError, match="cannot read word list"):
            edit()
    assert latin.read_bytes() == "caf\xe9\nhwr\n".encode("latin-1")


def test_import_and_export(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("alpha beta\n42 beta gamma-ray\n", encoding="utf-8")
    mine = tmp_path / MY_WORDS
    add_words(mine, ["beta"])
    assert import_words(source, mine) == (["alpha"], 2)  # beta was there; 42 and gamma-ray are not words
    with pytest.raises(InputError, match="holds no usable words"):
        import_words(_numbers(tmp_path), mine)
    out = tmp_path / "out" / "words.txt"
    with pytest.raises(OSError):
        export_words(out, ["alpha"])  # no such folder
    export_words(tmp_path / "out.txt", list_words(mine))
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "beta\nalpha\n"


def _numbers(folder):
    path = folder / "numbers.txt"
    path.write_text("1 2 3\n", encoding="utf-8")
    return path
