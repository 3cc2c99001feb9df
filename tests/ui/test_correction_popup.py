"""The correction popup's word section: the word's alternatives (picked as corrections of its glyphs), taking
them back, and adding the word to the user's word list."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hwr_desktop.results import Candidate, GlyphResult
from hwr_desktop.ui.correction_popup import CorrectionPopup, WordChoice
from uihelpers import FakeRecognizer, one, text_is, three, write


def texts(actions):
    return [a.text() for a in actions]


def test_a_word_alternative_corrects_the_glyphs_it_changes_and_teaches_them(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))  # no English word: the glyphs' reading
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    alternatives = w.shown().word_at(1)[0].alternatives
    second = alternatives[1]  # one glyph read as j instead (which one: the line's geometry decides)
    changed = tuple(a != b for a, b in zip("qzk", second))
    assert alternatives[0] == "qzk" and set(second) <= set("qzkj") and sum(changed) == 1
    popup = w.open_correction(1)
    words = popup.word_actions
    assert texts(words)[:2] == ["qzk", second] and words[0].isChecked() and not words[1].isChecked()
    assert len(popup.alternative_actions()) == 5  # the glyph's own alternatives are still there, first
    words[1].trigger()
    assert w.current_text() == second and w.shown().corrected == changed
    assert len(w.personalizer.samples) == 1  # the one glyph that changed is kept as a sample
    again = w.open_correction(0)
    assert [a.text() for a in again.word_actions if a.isChecked()] == [second]
    undo = next(a for a in again.actions() if a.text() == "Undo corrections of this word")
    undo.trigger()
    assert w.current_text() == "qzk" and not any(w.shown().corrected) and len(w.personalizer.samples) == 0


def test_a_correction_offers_to_add_its_word_to_the_word_list(qtbot, make_window, data_dir):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    assert w.set_word(0, "qzj")
    popup = w.open_correction(2)
    assert popup.add_word_action.text() == "Add \u201cqzj\u201d to word list"
    popup.add_word_action.trigger()
    assert (data_dir / "words.txt").read_text(encoding="utf-8") == "qzj\n"
    assert w.word_lists.paths[0] == str(data_dir / "words.txt") and w.in_word_lists("qzj")
    w.set_word(0, "")  # the corrections go: the word list reads it now
    qtbot.waitUntil(lambda: w.current_text() == "qzj" and not any(w.shown().corrected), timeout=5000)
    popup = w.open_correction(2)
    assert popup.add_word_action is None  # in the list already
    popup.close()
    w.canvas.clear()
    write(w.canvas, three(300))
    text_is(qtbot, w, "qzj")  # new ink reads with it too


def test_a_word_that_does_not_fit_its_glyphs_is_refused(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    assert not w.set_word(0, "toolong") and w.banner.isVisible() and w.current_text() == "qzk"
    assert not w.add_to_word_list("r2d2") and not (w.my_words.exists())


def test_a_one_glyph_word_has_no_word_section(qtbot, make_window, fake):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    text_is(qtbot, w, "1")
    popup = w.open_correction(0)
    assert popup.word_actions == [] and popup.add_word_action is None
    assert not any(a.text().startswith("Word ") for a in popup.actions())
    popup.close()


def test_clicking_a_glyph_of_a_word_in_the_text_offers_the_word(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="qzk", p=0.5, second="j"))
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    view = w.result_view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursor_rect_of(1).center())
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, CorrectionPopup) and texts(popup.word_actions)[0] == "qzk"
    popup.close()


def test_the_word_section_of_the_popup(qtbot):
    glyph = GlyphResult((0, 0, 10, 10), "c", 0.6, (Candidate("c", 0.6), Candidate("e", 0.4)))
    popup = CorrectionPopup(glyph, "c", False, word=WordChoice("Hcllo", ("Hello", "Hcllo"), False, True))
    qtbot.addWidget(popup)
    chosen, added = [], []
    popup.wordChosen.connect(chosen.append)
    popup.addWord.connect(added.append)
    assert texts(popup.word_actions) == ["Hello", "Hcllo"] and popup.word_actions[1].isChecked()
    assert "Word \u201cHcllo\u201d" in texts(popup.actions())
    popup.word_actions[0].trigger()
    popup.add_word_action.trigger()
    assert chosen == ["Hello"] and added == ["Hcllo"]
    alone = CorrectionPopup(glyph, "c", False, word=WordChoice("cat", ("cat",), False, False))
    qtbot.addWidget(alone)
    assert alone.word_actions == [] and len(alone.actions()) == len(popup.actions()) - 4  # no section, words, add
