"""Kill the real app with SIGKILL while it is written on, start it again, and count the strokes lost.

The app runs as ``hwr-desktop`` does (``hwr_desktop.ui.app.main``: the shipped model, the autosave restored
from its data folder, the crash guard), offscreen, with its data and settings folders in a temporary folder
(``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``). A timer in the child writes a stroke every ``STEP_MS`` with mouse
events on the canvas, pausing now and then so that the autosave is also written whole and the journal
truncated, and prints the stroke count after each pen-up. Each run restores what the last one left and says
how many strokes came back; a stroke counts as lost when fewer come back than the last run reported (the
stroke it was killed in the middle of is not counted: it was never finished).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
STEP_MS = 25
PAUSE_MS = 900  # longer than the autosave's delay: the autosave is written whole and the journal truncated
PAUSE_EVERY = 12  # strokes
JOINED_OFF = True  # the app reads glyph by glyph here (Settings: Read joined-up writing off)

CHILD = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from hwr_desktop.ui import app
from hwr_desktop.ui.main_window import MainWindow
from appkill import stroke_points
from uihelpers import draw

qapp = QApplication(["hwr-desktop"])
if {JOINED_OFF}:  # the journal is what is tested: recognition load only slows the strokes written down
    from PySide6.QtCore import QSettings
    qapp.setOrganizationName(app.ORGANIZATION)
    qapp.setApplicationName(app.APP_NAME)
    QSettings().setValue("recognition/joined", False)


def start():
    window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
    print("restored", len(window.canvas.strokes), flush=True)
    timer = QTimer(window)

    def step():
        draw(window.canvas, stroke_points(len(window.canvas.strokes)))
        n = len(window.canvas.strokes)
        print("drawn", n, flush=True)
        timer.setInterval({PAUSE_MS} if n % {PAUSE_EVERY} == 0 else {STEP_MS})

    timer.timeout.connect(step)
    timer.start({STEP_MS})


QTimer.singleShot(0, start)
sys.exit(app.main(["hwr-desktop"]))
"""


def stroke_points(k: int) -> list[tuple[float, float]]:
    """Stroke ``k``: a short down stroke at its own place in rows of 25 (canvas pixels)."""
    x, y = 40.0 + (k % 25) * 34, 40.0 + (k // 25) * 130
    return [(x + 0.2 * t, y + 6.0 * t) for t in range(16)]


def _start(folder: Path) -> subprocess.Popen:
    here = Path(__file__).resolve().parent
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(folder / "data"),
           "XDG_CONFIG_HOME": str(folder / "config"),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(here), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env, cwd=ROOT)


def _counts(lines: list[str], word: str) -> list[int]:
    return [int(line.split()[1]) for line in lines if line.startswith(word + " ")]


def kill_runs(folder: Path, rng: np.random.Generator, kills: int, max_life_s: float = 1.2) -> dict:
    """Start the app ``kills`` times, each killed at a random moment (one run in four while it starts and
    restores, the others while it is written on), then once more to count what came back.

    Returns:
        a dict: ``lost`` (strokes fewer than reported, over all restarts), ``drawn`` (strokes the runs
        reported), ``restored`` (strokes the last run came back with), ``runs`` (per run: restored, last
        reported, and when it was killed: "starting" or seconds after it restored) and ``data`` (the data folder).
    """
    expected, lost, runs = 0, 0, []
    for run in range(kills + 1):
        proc = _start(folder)
        lines: list[str] = []
        if run < kills and rng.random() < 0.25:  # somewhere in the start: imports, model, restore, first autosave
            time.sleep(float(rng.uniform(0.2, 1.0)))
            when = "starting"
        else:
            lines.append(proc.stdout.readline().strip())  # "restored N": the window is up
            when = round(float(rng.uniform(0.0, max_life_s)), 2) if run < kills else 0.0
            time.sleep(when)
        proc.send_signal(signal.SIGKILL)
        lines += proc.communicate()[0].split("\n")
        restored, drawn = _counts(lines, "restored"), _counts(lines, "drawn")
        if restored:
            lost += max(0, expected - restored[0])
            assert restored[0] <= expected + 1, f"run {run} restored {restored[0]} strokes of {expected}"
            expected = restored[0]
        if drawn:
            expected = drawn[-1]
        runs.append({"restored": restored[0] if restored else None, "reported": expected, "killed": when})
    return {"lost": lost, "drawn": expected, "restored": runs[-1]["restored"], "runs": runs,
            "data": folder / "data" / "hwr" / "hwr-desktop"}
