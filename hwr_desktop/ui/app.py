"""``hwr-desktop [FILE]``: start the app, optionally opening an image or an ``*.ink.json`` file."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Mapping, Sequence

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..errors import HwrError
from ..recognizer import Recognizer
from . import crash_guard
from .main_window import DISPLAY_NAME, MainWindow

log = logging.getLogger(__name__)

ORGANIZATION = "hwr"
APP_NAME = "hwr-desktop"
DISPLAY_PLATFORMS = ("xcb", "wayland")  # Qt platform plugins that need a display server (wayland-egl and the like too)
NO_DISPLAY = "no display (DISPLAY / WAYLAND_DISPLAY not set)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=APP_NAME, description="Write, see it recognized, correct it, copy it.")
    parser.add_argument("file", nargs="?", metavar="FILE", help="an image or *.ink.json file to open")
    parser.add_argument("--model", metavar="ONNX", help="a model file instead of the shipped one")
    parser.add_argument("--fresh", action="store_true", help="start with an empty canvas (the autosave is kept)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def display_problem(env: Mapping[str, str], argv: Sequence[str], platform: str = sys.platform) -> str | None:
    """Why Qt would find no screen to open the window on, or None when it will (or may) find one.

    On Linux the default platform plugins (xcb, wayland) need ``DISPLAY`` or ``WAYLAND_DISPLAY``; without
    either, Qt aborts with a misleading message about missing xcb libraries. A platform chosen explicitly
    (``QT_QPA_PLATFORM`` or ``-platform``), such as offscreen or minimal, is left to Qt.
    Args:
        env: the environment (``os.environ``).
        argv: the command line, program name first.
    """
    if not platform.startswith("linux") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    args = list(argv[1:])
    for flag in ("-platform", "--platform"):
        if flag in args[:-1]:
            chosen = args[args.index(flag) + 1]
    plugins = [p.split(":")[0].strip() for p in chosen.split(";") if p.strip()]
    if plugins and not all(p.startswith(DISPLAY_PLATFORMS) for p in plugins):
        return None
    return NO_DISPLAY


def load_recognizer(path: str | None) -> tuple[Recognizer | None, str | None]:
    """The model, or None and the reason it could not be loaded."""
    try:
        return Recognizer.from_path(path), None
    except HwrError as e:
        return None, str(e)


def load_line_reader(path: str | None = None):
    """The line recognizer (joined-up writing), or None when it cannot be loaded (logged: glyphs are read alone)."""
    from ..joined import LineReader

    try:
        return LineReader.from_path(path)
    except HwrError as e:
        log.warning("joined-up writing is off: %s", e)
        return None


def data_dir() -> Path:
    """Where the autosave lives (the platform's app data folder)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def build_window(args: argparse.Namespace, settings: QSettings, folder: Path) -> MainWindow:
    """The shown window for parsed ``args``: model loaded (or its problem shown), autosave restored, FILE opened."""
    recognizer, error = load_recognizer(args.model)
    window = MainWindow(recognizer, settings, folder, model_error=error, line_reader=load_line_reader())
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
    problem = None if existing else display_problem(os.environ, argv)
    if problem:
        build_parser().parse_known_args(argv[1:])  # --help and --version need no display
        print(f"{APP_NAME}: {problem}", file=sys.stderr)
        return 1
    app = existing or QApplication(argv)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)
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
