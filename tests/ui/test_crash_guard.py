"""The app-wide exception handler: an exception in a slot or a thread is logged, shown, and costs no ink."""

import threading

import pytest
from PySide6.QtCore import QTimer

import badcorpus
from hwr_desktop.recognizer import default_model_path
from hwr_desktop.ui import crash_guard
from hwr_desktop.ui.app import build_window, parse_args
from hwr_desktop.ui.autosave import AUTOSAVE_NAME
from hwr_desktop.ui.document import load_document
from uihelpers import one, write


@pytest.fixture
def guarded(make_window, fake, data_dir):
    window = make_window(fake)
    guard = crash_guard.install(window, data_dir)
    yield window, guard
    guard.uninstall()


def test_an_exception_in_a_slot_saves_the_ink_logs_it_and_tells_the_user(qtbot, guarded, data_dir):
    window, guard = guarded
    write(window.canvas, [one(60, 60)])

    def boom():
        raise RuntimeError("boom in a slot")

    with qtbot.waitSignal(guard.caught, timeout=5000) as sig:
        QTimer.singleShot(0, boom)
    assert sig.args[0] == "RuntimeError: boom in a slot"
    assert "boom in a slot" in window.banner.text() and "errors.log" in window.banner.text()
    log = (data_dir / crash_guard.LOG_NAME).read_text()
    assert "Traceback" in log and "RuntimeError: boom in a slot" in log
    strokes, _ = load_document(data_dir / AUTOSAVE_NAME)  # saved at once, not after the debounce
    assert len(strokes) == 1
    write(window.canvas, [one(160, 60)])  # the app goes on
    assert len(window.canvas.strokes) == 2


def test_an_exception_on_another_thread_is_shown_on_the_gui_thread(qtbot, guarded):
    window, guard = guarded
    write(window.canvas, [one(60, 60)])
    shown_on = []
    guard.caught.connect(lambda _: shown_on.append(threading.current_thread()))

    def worker():
        raise ValueError("boom in a thread")

    with qtbot.waitSignal(guard.caught, timeout=5000):
        t = threading.Thread(target=worker)
        t.start()
    t.join()
    assert shown_on == [threading.main_thread()]
    assert "boom in a thread" in window.banner.text() and len(window.canvas.strokes) == 1


def test_an_error_while_handling_one_does_not_loop(qtbot, guarded, monkeypatch):
    window, guard = guarded

    def broken_save():
        raise OSError("disk gone")

    monkeypatch.setattr(window, "autosave_now", broken_save)
    with qtbot.waitSignal(guard.caught, timeout=5000):
        QTimer.singleShot(0, lambda: 1 / 0)
    assert guard.count == 1 and "ZeroDivisionError" in window.banner.text()


def test_uninstall_restores_the_previous_hooks(make_window, fake, data_dir):
    import sys

    before = sys.excepthook, threading.excepthook
    guard = crash_guard.install(make_window(fake), data_dir)
    assert sys.excepthook != before[0]
    guard.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_app_opens_with_every_bad_model_and_names_it(qtbot, qsettings, data_dir, tmp_path):
    for case in badcorpus.make_models(tmp_path, default_model_path()):
        window = build_window(parse_args(["--model", str(case.path), "--fresh"]), qsettings, data_dir)
        qtbot.addWidget(window)
        assert window.isVisible() and case.name in window.banner.text(), case.name
        assert not window.act_recognize.isEnabled()
        window.close()
