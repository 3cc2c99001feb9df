"""Edit > Settings (Ctrl+,): every value applies at once (the canvas redraws, the live timer takes the delay, the
field mode changes), persists, and comes back as the default on Restore Defaults; the shortcut list names it."""

from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QDialogButtonBox

from hwr_desktop.ui.settings import AppSettings
from hwr_desktop.ui.settings_dialog import SettingsDialog
from hwr_desktop.ui.shortcuts_dialog import ShortcutRow
from uihelpers import FakeRecognizer, draw, line, text_is, three, write


def open_settings(qtbot, w) -> SettingsDialog:
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, ",", QKeySequence("Ctrl+,")[0].keyboardModifiers())
    (dialog,) = w.findChildren(SettingsDialog)
    return dialog


def test_its_key_opens_it_and_the_shortcut_list_names_it(qtbot, make_window, fake):
    w = make_window(fake)
    dialog = open_settings(qtbot, w)
    assert dialog.isVisible() and dialog.delay.value() == 300
    assert ShortcutRow("Edit", "Settings", "Ctrl+,") in w.show_shortcuts().rows


def test_guide_lines_apply_at_once_and_the_ink_is_read_on_them(qtbot, make_window, qsettings):
    rec = FakeRecognizer(chars="qzk", p=0.5, second="j")
    w = make_window(rec)
    write(w.canvas, three())
    text_is(qtbot, w, "qzk")
    dialog = w.show_settings()
    with qtbot.waitSignal(w.worker.resultReady, timeout=5000):  # read again on the new rules
        dialog.spacing.setValue(120)
    assert w.canvas.guide_spacing == 120 and w.canvas.guide_rules() == (120.0, 120.0)
    assert AppSettings(qsettings).guide_spacing == 120
    dialog.guides.setChecked(False)
    assert not w.canvas.guides and not w.act_guides.isChecked() and not dialog.spacing.isEnabled()
    w.act_guides.setChecked(True)  # the menu and the dialog share the setting
    assert AppSettings(qsettings).guides


def test_delay_pen_and_start_mode_apply_at_once_and_persist(qtbot, make_window, qsettings):
    w = make_window(FakeRecognizer())
    dialog = w.show_settings()
    dialog.delay.setValue(650)
    assert w.live_timer.interval() == 650
    dialog.width.setValue(6.5)
    assert w.canvas.pen_width == 6.5 and w.width_box.value() == 6.5
    dialog.set_pen_color("#d01010")
    assert w.canvas.ink_color() == QColor("#d01010") and dialog.auto_color.isEnabled()
    w.canvas.set_guides(False)
    draw(w.canvas, line((50, 40), (52, 140)))
    assert QColor(w.canvas.grab().toImage().pixel(51, 90)).red() > 150  # the ink is drawn in it
    dialog.start_mode.setCurrentIndex(dialog.start_mode.findData("digits"))
    assert w.mode == "digits"
    w.mode_box.setCurrentIndex(w.mode_box.findData("letters"))  # used last, but the start mode wins next time
    w.close()
    again = make_window(FakeRecognizer(), mode="letters", delay_ms=None)
    assert again.mode == "digits" and again.live_timer.interval() == 650
    assert again.canvas.ink_color() == QColor("#d01010") and again.canvas.pen_width == 6.5
    dialog = again.show_settings()
    dialog.set_pen_color("")
    assert again.canvas.ink_color() == again.canvas.palette().color(QPalette.ColorRole.Text)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    s = AppSettings(qsettings)
    assert (s.live_delay_ms, s.pen_width, s.guide_spacing, s.start_mode) == (300, 3.0, 80, "last")
    assert again.live_timer.interval() == 300 and again.canvas.pen_width == 3.0 and dialog.delay.value() == 300


def test_joined_up_reading_can_be_turned_off_and_on(qtbot, make_window, qsettings, real_recognizer):
    import numpy as np

    from hwr_desktop.joined import LineReader
    from tests.probs import SpellingLineNet

    reader = LineReader(SpellingLineNet())  # reads every line as "ab"
    w = make_window(real_recognizer, line_reader=reader)
    t = np.linspace(0, 4 * np.pi, 60)
    write(w.canvas, [[[(float(100 + x * 12), float(200 + 12 * np.sin(3 * x))) for x in t]]])  # one joined stroke
    qtbot.waitUntil(lambda: w.current_text() == "ab", timeout=10000)
    dialog = w.show_settings()
    assert dialog.joined.isChecked()
    dialog.joined.setChecked(False)
    assert w.worker.line_reader is None and not AppSettings(qsettings).joined
    qtbot.waitUntil(lambda: w.current_text() not in ("", "ab"), timeout=10000)  # read glyph by glyph again
    dialog.joined.setChecked(True)
    assert w.worker.line_reader is reader
    qtbot.waitUntil(lambda: w.current_text() == "ab", timeout=10000)
