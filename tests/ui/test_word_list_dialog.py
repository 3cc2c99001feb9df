"""Tools > Edit Word Lists: the user's words, to filter, add, remove, rename, import and export, used by the next
recognition at once; the shipped list read-only; lists added and forgotten; word lists switched off."""

from PySide6.QtCore import Qt

from hwr_desktop.ui.settings import AppSettings
from hwr_desktop.ui.word_list_dialog import WordListDialog
from uihelpers import FakeRecognizer, text_is, three, write


def test_words_added_in_the_dialog_read_at_once_and_bad_ones_stay_typed(qtbot, make_window, data_dir):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    dialog = w.show_word_lists()
    assert dialog.lists.count() == 2 and dialog.lists.item(0).text() == "My words \u2014 0 words"
    assert "0 words in 1 list" in dialog.summary.text()
    dialog.new_word.setText("qzj hwr")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert (data_dir / "words.txt").read_text(encoding="utf-8") == "qzj\nhwr\n" and dialog.new_word.text() == ""
    text_is(qtbot, w, "qzj")  # the next recognition uses it
    assert "2 words in 1 list" in dialog.summary.text() and dialog.words() == ["hwr", "qzj"]
    dialog.new_word.setText("r2d2")
    assert not dialog.add_typed()
    assert dialog.new_word.text() == "r2d2" and "not a word the lists can hold" in dialog.message.text()
    assert (data_dir / "words.txt").read_text(encoding="utf-8") == "qzj\nhwr\n"


def test_filter_remove_and_rename(qtbot, make_window, data_dir):
    (data_dir).mkdir(parents=True)
    (data_dir / "words.txt").write_text("qzj\nhwr\nhwrite\n", encoding="utf-8")
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzj")
    dialog = w.show_word_lists()
    dialog.filter.setText("HW")
    assert dialog.words() == ["hwr", "hwrite"]
    dialog.filter.clear()
    dialog.select_words(["qzj"])
    assert dialog.remove_selected() == 1
    assert (data_dir / "words.txt").read_text(encoding="utf-8") == "hwr\nhwrite\n"
    text_is(qtbot, w, "qzk")  # no longer in the list
    assert dialog.proxy.setData(dialog.proxy.index(0, 0), "Hwr2")  # a bad spelling: the file stays as it was,
    # and the view shows the word again
    qtbot.waitUntil(lambda: "not a word the lists can hold" in dialog.message.text(), timeout=3000)
    assert dialog.words() == ["hwr", "hwrite"]
    dialog.proxy.setData(dialog.proxy.index(0, 0), "Qzj")  # hwr, the first in alphabetical order
    qtbot.waitUntil(lambda: (data_dir / "words.txt").read_text(encoding="utf-8") == "Qzj\nhwrite\n", timeout=3000)
    text_is(qtbot, w, "qzj")


def test_the_shipped_list_is_read_only_and_can_be_switched_off(qtbot, make_window, qsettings):
    w = make_window(FakeRecognizer(chars="cbt", p=0.5, second="a"))
    write(w.canvas, three())
    text_is(qtbot, w, "cat")
    dialog = w.show_word_lists()
    dialog.lists.setCurrentRow(1)
    assert dialog.current_list().kind == "shipped" and len(dialog.words()) > 30000
    assert not dialog.new_word.isEnabled() and not dialog.add_button.isEnabled()
    assert not dialog.import_button.isEnabled() and not dialog.forget_button.isEnabled()
    dialog.select_words(["cat"])
    assert not dialog.remove_button.isEnabled() and dialog.remove_selected() == 0
    dialog.use_box.setChecked(False)
    assert not w.act_lexicon.isChecked() and AppSettings(qsettings).lexicon is False
    text_is(qtbot, w, "cbt")


def test_import_export_and_list_files(qtbot, make_window, tmp_path, qsettings, data_dir):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    dialog = w.show_word_lists()
    source = tmp_path / "in.txt"
    source.write_text("qzj 42\nhwr\n", encoding="utf-8")
    assert dialog.import_file(source)
    assert "Added 2 words from in.txt to My words; 1 token that is not a word left out" == dialog.message.text()
    assert dialog.export_file(tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "qzj\nhwr\n"
    assert not dialog.export_file(tmp_path / "nowhere" / "out.txt") and "Could not write" in dialog.message.text()
    names = tmp_path / "names.txt"
    names.write_text("Anna\nBert\n", encoding="utf-8")
    assert dialog.add_list_file(names)
    assert AppSettings(qsettings).word_lists == (str(names.resolve()),) and w.in_word_lists("bert")
    assert dialog.current_list().name == "names.txt" and dialog.forget_button.isEnabled()
    assert "4 words in 2 lists" in dialog.summary.text()
    dialog.new_word.setText("Carl")
    assert dialog.add_typed() and names.read_text(encoding="utf-8") == "Anna\nBert\nCarl\n"
    assert not dialog.add_list_file(tmp_path / "missing.txt") and "Could not add the list" in dialog.message.text()
    assert dialog.forget_list() and AppSettings(qsettings).word_lists == () and names.exists()
    assert not w.in_word_lists("bert") and w.in_word_lists("qzj")


def test_a_list_that_cannot_be_read_is_shown_so_and_never_written(qtbot, tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    dialog = WordListDialog(tmp_path / "words.txt", [str(latin)])
    qtbot.addWidget(dialog)
    assert dialog.lists.item(1).text() == "latin1.txt \u2014 cannot be read"
    assert "Cannot be read: latin1.txt" in dialog.summary.text()
    dialog.lists.setCurrentRow(1)
    assert "cannot read word list" in dialog.message.text() and not dialog.new_word.isEnabled()
    dialog.new_word.setText("fine")
    assert not dialog.add_typed() and latin.read_bytes() == "caf\xe9\n".encode("latin-1")
    assert dialog.forget_button.isEnabled()  # it can still be forgotten
