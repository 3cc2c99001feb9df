"""MainWindow: write, see it recognized (live or on demand), correct it, copy it."""

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from uihelpers import FakeRecognizer, one, send_mouse, seven, write


def wait_text(qtbot, window, text, timeout=5000):
    qtbot.waitUntil(lambda: window.current_text() == text, timeout=timeout)


def test_real_model_reads_a_written_1_and_7_in_digits_mode(qtbot, make_window, real_recognizer):
    w = make_window(real_recognizer, mode="digits")
    write(w.canvas, [one(60, 60), seven(140, 60)])
    qtbot.waitUntil(lambda: w.result_view.shown is not None and len(w.result_view.shown.glyphs) == 2, timeout=10000)
    assert w.current_text().replace(" ", "") == "17"
    assert w.result_view.toPlainText().replace(" ", "") == "17"


def test_live_mode_waits_for_the_pen_to_lift(qtbot, make_window, fake):
    w = make_window(fake, delay_ms=50)
    stroke = one(60, 60)[0]
    send_mouse(w.canvas, QMouseEvent.Type.MouseButtonPress, stroke[0])
    for p in stroke[1:]:
        send_mouse(w.canvas, QMouseEvent.Type.MouseMove, p)
    assert not w.live_timer.isActive() and fake.calls == 0  # still writing
    send_mouse(w.canvas, QMouseEvent.Type.MouseButtonRelease, stroke[-1])
    assert w.live_timer.isActive()
    wait_text(qtbot, w, "1")
    assert fake.calls == 1


def test_without_live_mode_the_recognize_shortcut_runs_it(qtbot, make_window, fake):
    w = make_window(fake, live=False)
    write(w.canvas, [one(60, 60)])
    assert not w.live_timer.isActive() and not w.worker.is_busy()
    w.canvas.setFocus()
    with qtbot.waitSignal(w.worker.resultReady, timeout=5000):
        qtbot.keyClick(w.canvas, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.current_text() == "1"
    write(w.canvas, [one(200, 60)])  # the shown text no longer matches: greyed out, not recognized
    assert w.result_view._stale and fake.calls == 1


def test_results_of_older_ink_are_never_shown(qtbot, make_window):
    slow = FakeRecognizer(chars="1", delay_s=0.15)
    w = make_window(slow, delay_ms=1)
    shown = []
    w.worker.resultReady.connect(lambda o: shown.append(len(o.page.glyphs)))
    write(w.canvas, [one(60, 60)])
    qtbot.waitUntil(lambda: w.worker.is_busy(), timeout=2000)
    write(w.canvas, [one(200, 60)])  # the ink changes while the first recognition runs
    qtbot.waitUntil(lambda: w.result_view.shown is not None, timeout=5000)
    assert shown == [2] and w.current_text() == "1 1"


def test_low_confidence_glyphs_are_marked(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="1", p=0.4))
    write(w.canvas, [one(60, 60)])
    wait_text(qtbot, w, "1")
    assert w.result_view.shown.is_low(0)
    assert "underline" in w.result_view.toHtml()


def test_correction_from_alternatives_sticks_when_more_ink_comes(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="1", second="7"))
    write(w.canvas, [seven(60, 60)])
    wait_text(qtbot, w, "1")
    popup = w.open_correction(0)
    assert [a.data() for a in popup.alternative_actions()][:2] == ["1", "7"]
    popup.alternative_actions()[1].trigger()
    assert w.current_text() == "7"
    write(w.canvas, [one(20, 60)])  # new ink in front of the corrected glyph
    wait_text(qtbot, w, "17")
    assert w.result_view.shown.corrected == (False, True)


def test_typed_correction_and_revert(qtbot, make_window, fake):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    wait_text(qtbot, w, "1")
    popup = w.open_correction(0)
    popup.field.setText("l")
    qtbot.keyClick(popup.field, Qt.Key.Key_Return)
    assert w.current_text() == "l"
    w.open_correction(0).actions()[-1].trigger()  # "Undo correction"
    assert w.current_text() == "1"


def test_clicking_a_glyph_in_the_text_opens_its_alternatives(qtbot, make_window, fake):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    wait_text(qtbot, w, "1")
    view = w.result_view
    with qtbot.waitSignal(view.glyphClicked, timeout=2000) as sig:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursor_rect_of(0).center())
    assert sig.args == [0]
    popup = QApplication.activePopupWidget()
    assert popup is not None and "1" in [a.data() for a in popup.alternative_actions()]
    popup.close()


def test_right_click_on_the_canvas_box_opens_its_alternatives(qtbot, make_window, fake):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    wait_text(qtbot, w, "1")
    qtbot.mouseClick(w.canvas, Qt.MouseButton.RightButton, pos=QPoint(62, 110))
    popup = QApplication.activePopupWidget()
    assert popup is not None and len(popup.alternative_actions()) == 5
    popup.close()


def test_copy_and_copy_then_clear(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="17"))
    write(w.canvas, [one(60, 60), seven(110, 60)])
    wait_text(qtbot, w, "17")
    w.set_correction(0, "4")
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "47"
    QApplication.clipboard().clear()
    qtbot.keyClick(w.canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.clipboard().text() == "47"
    assert w.canvas.strokes == ()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(w.canvas.strokes) == 2


def test_copy_right_after_writing_copies_the_new_ink(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="1"), delay_ms=5000)  # the live pause has not ended yet
    write(w.canvas, [one(60, 60), one(200, 60)])
    assert w.copy_text()
    assert QApplication.clipboard().text() == "1 1"


def test_undo_redo_shortcuts(qtbot, make_window, fake):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), one(120, 60)])
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(w.canvas.strokes) == 1
    qtbot.keyClick(w.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(w.canvas.strokes) == 2
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(w.canvas.strokes) == 2
    assert w.act_undo.isEnabled() and not w.act_redo.isEnabled()


def test_mode_box_reruns_recognition_with_that_mode(qtbot, make_window, real_recognizer):
    w = make_window(real_recognizer, mode="auto")
    write(w.canvas, [one(60, 60)])
    qtbot.waitUntil(lambda: w.result_view.shown is not None, timeout=10000)
    w.mode_box.setCurrentIndex(w.mode_box.findData("digits"))
    qtbot.waitUntil(lambda: w.current_text() == "1", timeout=10000)
    assert w.settings.mode == "digits"


def test_settings_are_kept(qtbot, make_window, fake, qsettings):
    w = make_window(fake)
    w.width_box.setValue(5.5)
    w.act_guides.setChecked(False)
    w.act_live.setChecked(False)
    w.mode_box.setCurrentIndex(w.mode_box.findData("upper"))
    w.close()
    again = make_window(fake, live=False, mode="upper")
    assert again.canvas.pen_width == 5.5 and not again.canvas.guides and not again.live and again.mode == "upper"
    assert np.isclose(again.width_box.value(), 5.5)


def test_the_title_names_the_app_once(make_window, fake):
    from hwr_desktop.ui.main_window import DISPLAY_NAME

    title = make_window(fake).windowTitle()
    # X11, Wayland and Windows add " — <display name>" to a title that does not end with it
    # (QPlatformWindow::formatWindowTitle); the offscreen platform does not, so the rule is applied here
    shown = title if title.endswith(DISPLAY_NAME) else f"{title} \u2014 {DISPLAY_NAME}"
    assert shown == "Handwriting recognition \u2014 hwr"
