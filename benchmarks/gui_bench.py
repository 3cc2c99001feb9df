"""GUI benchmarks: start-up to first paint, pause-to-result for a 30-glyph line, memory after 10,000 strokes.

    python benchmarks/gui_bench.py [--strokes 10000] [--repeats 10]

Runs on Qt's offscreen platform unless a display is set (``QT_QPA_PLATFORM``
wins). Each number comes from the real window, the shipped model and the
sample handwriting in ``resources/samples/hello.ink.json``. Settings and
autosave go to a temporary folder. Start-up is measured with the package's bytecode compiled first, as an
installed package has it.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # before any heavy import: start-up is measured from here

import argparse  # noqa: E402
import compileall  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "hello.ink.json"
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mib() -> float:
    """Resident memory of this process in MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmRSS:"):
                return int(row.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def make_window(folder: Path, live: bool = True):
    from PySide6.QtCore import QSettings

    from hwr_desktop.ui.app import build_window, parse_args

    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("recognition/live", live)
    return build_window(parse_args(["--fresh"]), settings, folder)


def startup_child() -> None:
    """Child process: time from interpreter start of this script to the canvas's first paint."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    marks: dict[str, float] = {"qt_ready": time.perf_counter() - T_START}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "first_paint" not in marks:
                marks["first_paint"] = time.perf_counter() - T_START
                app.quit()
            return False

    with tempfile.TemporaryDirectory() as tmp:
        spy = FirstPaint()
        app.installEventFilter(spy)
        window = make_window(Path(tmp))
        marks["window_built"] = time.perf_counter() - T_START
        app.exec()
        window.close()
    print(json.dumps(marks))


def measure_startup() -> dict:
    # an installed package has its bytecode compiled (pip does it); a checkout run with PYTHONDONTWRITEBYTECODE
    # would compile every module at each start instead, about 0.4 s here
    compileall.compile_dir(str(ROOT / "hwr_desktop"), quiet=1)
    runs = []
    for _ in range(3):  # one start varies by a few hundred ms on this machine: the median of three
        out = subprocess.run([sys.executable, __file__, "--startup-child"], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return sorted(runs, key=lambda r: r["first_paint"])[1]


def thirty_glyph_line():
    """A 30-glyph line: "Hello 2026" three times and "202", as new strokes further and further right."""
    from hwr_desktop.ink import load_ink
    from inkline import side_by_side

    sample = load_ink(SAMPLE)  # 11 strokes, 9 glyphs; its last 4 strokes are the digits
    return side_by_side([sample, sample, sample, sample[-4:-1]], gap=60)


def measure_pause_to_result(repeats: int) -> dict:
    """From the live pause ending (the timer firing) until the text is painted in the result panel, each time
    after the line's last stroke was written anew."""
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from hwr_desktop.ink import Stroke

    QApplication.instance() or QApplication([sys.argv[0]])
    state: dict[str, float | None] = {}
    loop = QEventLoop()

    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and state.get("result") and not state.get("painted"):
                state["painted"] = time.perf_counter()
                loop.quit()
            return False

    with tempfile.TemporaryDirectory() as tmp:
        window = make_window(Path(tmp))
        QTest.qWaitForWindowExposed(window)
        for s in thirty_glyph_line():
            window.canvas.add_stroke(s)
        while window.worker.is_busy() or window.live_timer.isActive():
            QTest.qWait(20)
        spy = Painted()
        window.result_view.viewport().installEventFilter(spy)
        window.live_timer.timeout.connect(lambda: state.__setitem__("t0", time.perf_counter()))
        window.worker.resultReady.connect(lambda _: state.__setitem__("result", time.perf_counter()))
        times, to_result = [], []
        last = window.canvas.strokes[-1]
        for r in range(repeats):
            state.clear()
            # the last stroke written again a little further right: as after a new letter, the pen lifts and
            # the live pause starts; t0 is when it ends. Every other glyph is as before (the app keeps their
            # readings, pipeline.GlyphCache); this one is new to it.
            window.canvas.undo()
            moved = last.points.copy()
            moved[:, 0] += 0.5 * (r + 1)
            window.canvas.add_stroke(Stroke(moved))
            QTimer.singleShot(10_000, loop.quit)  # a deadline; the paint ends the loop first
            loop.exec()  # the event loop waits as the app's does (a polling loop here would slow the worker)
            end = state.get("painted") or state["result"]
            times.append((end - state["t0"]) * 1e3)
            to_result.append((state["result"] - state["t0"]) * 1e3)
        glyphs = len(window.shown().glyphs)
        window.close()
    return {"glyphs": glyphs, "median_ms": statistics.median(times), "max_ms": max(times),
            "result_median_ms": statistics.median(to_result), "repeats": repeats}


def measure_memory(n: int) -> dict:
    """RSS before and after ``n`` strokes on the canvas; the time to add them, undo one, and repaint all."""
    import numpy as np
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from hwr_desktop.ink import Stroke

    app = QApplication.instance() or QApplication([sys.argv[0]])
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        window = make_window(Path(tmp), live=False)
        QTest.qWaitForWindowExposed(window)
        QTest.qWait(50)
        before = rss_mib()
        t0 = time.perf_counter()
        for i in range(n):  # a page of short strokes, 24 points each, rows of 40 glyphs
            x, y = 40 + (i % 40) * 22, 60 + (i // 40) * 40
            t = np.linspace(0, 1, 24)
            xs, ys = x + 12 * t + rng.normal(0, 0.5, 24), y + 25 * np.sin(3 * t)
            pts = np.c_[xs, ys, np.full(24, 0.5), i * 500 + t * 200]
            window.canvas.add_stroke(Stroke(pts))
            if i % 500 == 0:
                app.processEvents()
        add_s = time.perf_counter() - t0
        app.processEvents()
        t1 = time.perf_counter()
        window.canvas.undo()  # repaints the region of the last stroke only
        window.canvas.repaint()
        undo_ms = (time.perf_counter() - t1) * 1e3
        t1 = time.perf_counter()
        window.canvas.set_pen_width(window.canvas.pen_width + 0.5)  # every stroke repainted from the model
        window.canvas.repaint()
        rebuild_ms = (time.perf_counter() - t1) * 1e3
        after = rss_mib()
        t2 = time.perf_counter()
        window.autosaver.flush()
        autosave_s = time.perf_counter() - t2
        window.close()
    return {"strokes": n, "rss_before_mib": before, "rss_after_mib": after, "add_s": add_s,
            "undo_ms": undo_ms, "rebuild_ms": rebuild_ms, "autosave_s": autosave_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--startup-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_child:
        startup_child()
        return 0
    start = measure_startup()
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM', 'default display')}")
    print(f"startup to first paint (median of 3): {start['first_paint'] * 1e3:.0f} ms "
          f"(Qt ready {start['qt_ready'] * 1e3:.0f} ms, window built incl. model {start['window_built'] * 1e3:.0f} ms)")
    line = measure_pause_to_result(args.repeats)
    print(f"pause end to result shown, {line['glyphs']}-glyph line: median {line['median_ms']:.1f} ms "
          f"(result signal {line['result_median_ms']:.1f} ms), max {line['max_ms']:.1f} ms over {line['repeats']} runs")
    mem = measure_memory(args.strokes)
    print(f"RSS after {mem['strokes']} strokes: {mem['rss_after_mib']:.0f} MiB "
          f"(before {mem['rss_before_mib']:.0f} MiB, +{mem['rss_after_mib'] - mem['rss_before_mib']:.0f}); "
          f"adding them took {mem['add_s']:.1f} s; undo {mem['undo_ms']:.0f} ms, "
          f"full repaint {mem['rebuild_ms']:.0f} ms, "
          f"the autosave write {mem['autosave_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
