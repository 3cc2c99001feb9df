"""Start-up: arguments, a missing model, the About dialog; and the core never importing Qt."""

import subprocess
import sys
from pathlib import Path

import pytest

from hwr_desktop.ui.app import build_window, parse_args
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
