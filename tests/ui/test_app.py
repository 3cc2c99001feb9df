"""Start-up: arguments, a missing display, a missing model, the About dialog; and the core never importing Qt."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hwr_desktop.ui.app import NO_DISPLAY, build_window, display_problem, parse_args
from uihelpers import one, write

ROOT = Path(__file__).resolve().parents[2]


def test_file_argument_opens_it_at_start(qtbot, qsettings, data_dir, tmp_path):
    from hwr_desktop.ink import Stroke, save_ink
    import numpy as np

    path = tmp_path / "start.ink.json"
    save_ink(path, [Stroke(np.array([[10.0, 10, 0.5, 0], [12, 90, 0.5, 80]]))])
    window = build_window(parse_args([str(path), "--fresh"]), qsettings, data_dir)
    qtbot.addWidget(window)
    assert len(window.canvas.strokes) == 1 and not window.banner.isVisible()


def test_missing_model_still_opens_and_keeps_writing(qtbot, qsettings, data_dir, tmp_path):
    window = build_window(parse_args(["--model", str(tmp_path / "nope.onnx")]), qsettings, data_dir)
    qtbot.addWidget(window)
    assert window.isVisible()
    assert "could not be loaded" in window.banner.text() and "nope.onnx" in window.banner.text()
    assert not window.act_recognize.isEnabled()
    write(window.canvas, [one(60, 60)])
    assert len(window.canvas.strokes) == 1
    assert not window.load_model(tmp_path / "still-nope.onnx")
    assert "still-nope.onnx" in window.banner.text() and len(window.canvas.strokes) == 1


def test_loading_a_model_later_recognizes_the_waiting_ink(qtbot, make_window, fake):
    window = make_window(None, model_error="model file not found: x.onnx")
    write(window.canvas, [one(60, 60)])
    window.set_recognizer(fake)
    qtbot.waitUntil(lambda: window.current_text() == "1", timeout=5000)
    assert not window.banner.isVisible() and window.act_recognize.isEnabled()


def test_about_shows_model_path_classes_and_accuracy(qtbot, make_window, real_recognizer):
    window = make_window(real_recognizer)
    dialog = window.show_about()
    text = dialog.text.text()
    assert real_recognizer.info.path in text
    assert f"{len(real_recognizer.labels)}:" in text
    assert f"{real_recognizer.info.report['val_accuracy']:.1%}" in text
    assert real_recognizer.info.placement.endswith("model.placement.onnx") and real_recognizer.info.placement in text
    dialog.close()


def test_version_argument(qapp, capsys):
    from hwr_desktop.ui.app import main

    with pytest.raises(SystemExit) as e:
        main(["hwr-desktop", "--version"])
    assert e.value.code == 0 and "hwr-desktop" in capsys.readouterr().out


def test_the_core_does_not_import_qt():
    code = "import sys, hwr_desktop.pipeline, hwr_desktop.cli; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    for path in (ROOT / "hwr_desktop").glob("*.py"):
        assert "PySide6" not in path.read_text(encoding="utf-8"), path


def _without_display(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return {**env, **extra}


def _start(args, env):
    return subprocess.run([sys.executable, "-m", "hwr_desktop.ui.app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux")
def test_no_display_is_one_line_and_status_1():
    out = _start([], _without_display())
    assert out.stderr == "hwr-desktop: no display (DISPLAY / WAYLAND_DISPLAY not set)\n"
    assert out.returncode == 1 and out.stdout == ""
    assert _start(["--version"], _without_display()).returncode == 0  # needs no display
    shown = _start(["--version"], _without_display(QT_QPA_PLATFORM="offscreen"))  # an explicit platform is Qt's
    assert shown.returncode == 0 and "hwr-desktop" in shown.stdout


def test_which_platforms_need_a_display():
    argv = ["hwr-desktop"]
    assert display_problem({}, argv, "linux") == NO_DISPLAY
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, argv, "linux") == NO_DISPLAY
    assert display_problem({"QT_QPA_PLATFORM": "wayland;xcb"}, argv, "linux") == NO_DISPLAY
    assert display_problem({"DISPLAY": ":0"}, argv, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, argv, "linux") is None
    for platform in ("offscreen", "minimal", "vnc:size=800x600", "wayland;offscreen"):
        assert display_problem({"QT_QPA_PLATFORM": platform}, argv, "linux") is None
    assert display_problem({}, ["hwr-desktop", "-platform", "offscreen", "a.png"], "linux") is None
    assert display_problem({}, argv, "win32") is None and display_problem({}, argv, "darwin") is None
