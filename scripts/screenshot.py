"""Run the real app, write "Hello 2026" with pen events, wait for recognition, save a screenshot.

    python scripts/screenshot.py [--out resources/screenshot.png] [--sample resources/samples/hello.ink.json]

Uses an X display when there is one; otherwise re-runs itself under ``xvfb-run``
when installed, else falls back to Qt's offscreen platform (the correction
popup then cannot be captured). Settings and autosave go to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def reexec_under_xvfb() -> None:
    """Without a display, restart under a virtual X server if possible, else go offscreen."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") or os.environ.get("HWR_SCREENSHOT_CHILD"):
        return
    if shutil.which("xvfb-run"):
        env = dict(os.environ, HWR_SCREENSHOT_CHILD="1")
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x860x24", sys.executable, *sys.argv]
        sys.exit(subprocess.call(cmd, env=env))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"


def replay(canvas, strokes, speedup: float = 4.0) -> None:
    """Write ``strokes`` on ``canvas`` as tablet input with their pressure, roughly in real time / speedup."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    pen = QPointingDevice("screenshot pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 2)
    last_t = None
    for stroke in strokes:
        for k, (x, y, p, t) in enumerate(stroke.points):
            kind = (QTabletEvent.Type.TabletPress if k == 0 else
                    QTabletEvent.Type.TabletRelease if k == len(stroke.points) - 1 else QTabletEvent.Type.TabletMove)
            if last_t is not None and t - last_t > 8:
                QTest.qWait(int(min(t - last_t, 1000) / speedup))
            last_t = t
            pos = QPointF(x, y)
            held = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
            event = QTabletEvent(kind, pen, pos, canvas.mapToGlobal(pos), float(p), 0.0, 0.0, 0.0, 0.0, 0.0,
                                 Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton, held)
            QApplication.sendEvent(canvas, event)


def wait_for(condition, timeout_ms: int = 10000) -> bool:
    from PySide6.QtTest import QTest

    waited = 0
    while not condition() and waited < timeout_ms:
        QTest.qWait(20)
        waited += 20
    return condition()


def show_popup_for_least_certain(window):
    """Open the correction popup of the least confident glyph next to it in the text panel."""
    shown = window.shown()
    if shown is None or not shown.glyphs:
        return None
    i = min(range(len(shown.glyphs)), key=lambda j: shown.glyphs[j].confidence)
    popup = window.open_correction(i)
    view = window.result_view
    rect = view.cursor_rect_of(i)
    spot = view.viewport().mapToGlobal(rect.bottomLeft())
    bottom = window.frameGeometry().bottom() - popup.sizeHint().height()
    spot.setY(min(spot.y(), bottom))  # keep it on the window, where the capture is
    text_end = max(view.cursor_rect_of(j).right() for j in range(len(shown.glyphs)))
    spot.setX(view.viewport().mapToGlobal(rect.topLeft()).x() + text_end - rect.left() + 40)  # beside the text
    popup.move(spot)
    return popup


def grab(window, popup):
    """The window, with the popup when the platform lets us read the screen."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    area = window.frameGeometry()
    if popup is not None and popup.isVisible():
        area = area.united(popup.geometry())
    if QGuiApplication.platformName() == "xcb":
        shot = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
        if not shot.isNull():
            return shot
    return window.grab(QRect(0, 0, window.width(), window.height()))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "resources" / "screenshot.png"))
    parser.add_argument("--sample", default=str(ROOT / "resources" / "samples" / "hello.ink.json"))
    args = parser.parse_args(argv)
    reexec_under_xvfb()

    from PySide6.QtCore import QSettings
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from hwr_desktop.ink import load_ink
    from hwr_desktop.ui.app import build_window, parse_args

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("hwr-desktop")
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = build_window(parse_args(["--fresh"]), settings, Path(tmp))
        window.resize(1180, 720)
        window.move(40, 30)
        QTest.qWaitForWindowExposed(window)
        replay(window.canvas, load_ink(args.sample))
        ok = wait_for(lambda: window.shown() is not None and not window.worker.is_busy()
                      and window.shown().page.width > 0)
        QTest.qWait(400)
        popup = show_popup_for_least_certain(window)
        QTest.qWait(300)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        grab(window, popup).save(args.out)
        print(f"recognized: {window.current_text()!r} ({'ok' if ok else 'timed out'}); platform "
              f"{QApplication.platformName()}; saved {args.out}")
        if popup is not None:
            popup.close()
        window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
