"""``hwr-desktop [FILE]``: start the app, optionally opening an image or an ``*.ink.json`` file."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..errors import HwrError
from ..recognizer import Recognizer
from . import crash_guard
from .main_window import MainWindow

ORGANIZATION = "hwr"
APP_NAME = "hwr-desktop"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=APP_NAME, description="Write, see it recognized, correct it, copy it.")
    parser.add_argument("file", nargs="?", metavar="FILE", help="an image or *.ink.json file to open")
    parser.add_argument("--model", metavar="ONNX", help="a model file instead of the shipped one")
    parser.add_argument("--fresh", action="store_true", help="start with an empty canvas (the autosave is kept)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(list(argv))


def load_recognizer(path: str | None) -> tuple[Recognizer | None, str | None]:
    """The model, or None and the reason it could not be loaded."""
    try:
        return Recognizer.from_path(path), None
    except HwrError as e:
        return None, str(e)


def data_dir() -> Path:
    """Where the autosave lives (the platform's app data folder)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def build_window(args: argparse.Namespace, settings: QSettings, folder: Path) -> MainWindow:
    """The shown window for parsed ``args``: model loaded (or its problem shown), autosave restored, FILE opened."""
    recognizer, error = load_recognizer(args.model)
    window = MainWindow(recognizer, settings, folder, model_error=error)
    if not args.fresh:
        window.restore_autosave()
    window.show()
    if args.file:
        window.open_file(args.file)
    return window


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app until its window closes; ``argv`` like ``sys.argv`` (program name first). Returns the exit status."""
    argv = list(sys.argv if argv is None else argv) or [APP_NAME]
    existing = QApplication.instance()
    app = existing or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("hwr")
    args = parse_args(argv[1:] if existing else app.arguments()[1:])  # Qt strips its own options
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    folder = data_dir()
    window = build_window(args, QSettings(), folder)
    guard = crash_guard.install(window, folder)  # an exception in a slot: ink saved, user told, app goes on
    status = app.exec()
    guard.uninstall()
    del window
    return status


if __name__ == "__main__":
    sys.exit(main())
