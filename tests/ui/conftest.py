"""Fixtures for the GUI tests: offscreen Qt, a fake recognizer, isolated settings and data folders, and pen input."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported anywhere

import hwr_desktop.ui  # noqa: E402,F401  (installs the PySide6 reference guard before any Qt call)

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from hwr_desktop.recognizer import Recognizer
from uihelpers import FakeRecognizer


@pytest.fixture
def fake() -> FakeRecognizer:
    return FakeRecognizer()


@pytest.fixture(scope="session")
def real_recognizer() -> Recognizer:
    """The shipped model (loaded once)."""
    return Recognizer.from_path()


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """Settings in a temporary INI file, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_window(qtbot, qsettings, data_dir):
    """Build a shown MainWindow with the given recognizer (None: no model), isolated settings and data folder."""
    from hwr_desktop.ui.main_window import MainWindow

    def make(recognizer, *, model_error=None, live=True, mode="auto", delay_ms=30, settings=None, data=None,
             line_reader=None):
        s = settings or qsettings
        s.setValue("recognition/live", live)
        s.setValue("recognition/mode", mode)
        w = MainWindow(recognizer, s, data or data_dir, model_error=model_error, live_delay_ms=delay_ms,
                       line_reader=line_reader)
        qtbot.addWidget(w)
        with qtbot.waitExposed(w):
            w.show()
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)  # window shortcuts need an active window
        return w

    return make
