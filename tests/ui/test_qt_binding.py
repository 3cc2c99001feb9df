"""The installed Qt binding survives a long session of calls.

PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to None or True on
every void call and signal emit until the interpreter aborts ("none_dealloc");
pyproject.toml pins below it. This test fails on such a build.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SESSION = """
from PySide6.QtCore import QObject, Signal
class Source(QObject):
    changed = Signal()
s = Source()
for _ in range(100_000):  # void calls and emits, like a few minutes of drawing
    s.setObjectName("x")
    s.changed.emit()
print("survived")
"""


def test_a_long_session_of_qt_calls_survives():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", SESSION], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "survived" in out.stdout, out.stderr[-500:]
