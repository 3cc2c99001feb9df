"""Kill an autosave writer at a random moment and check the autosave (used by tests and benchmarks/soak.py).

The writer is a separate process running the app's own ``autosave.write`` in a loop, each time with one
stroke more, printing the stroke count after each write returns. It is killed with SIGKILL at a random
point; the file must then read back whole, holding the last reported state or the one being written.
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

WRITER = """
import sys
from pathlib import Path
import numpy as np
from hwr_desktop.ink import Stroke
from hwr_desktop.ui.autosave import write

path, points = Path(sys.argv[1]), int(sys.argv[2])
t = np.linspace(0, 6.28, points)
base = np.column_stack([40 + 30 * np.cos(t), 40 + 30 * np.sin(t), np.full(points, 0.5), t * 100])
strokes = []
print("ready", flush=True)
for k in range(1, 100000):
    strokes.append(Stroke(base + (k * 70.0, 0, 0, k * 1000.0)))
    write(path, strokes, [{"glyph": k, "char": "x"}])
    print(k, flush=True)
"""


def kill_trial(folder: Path, rng: np.random.Generator, points: int = 2000, max_delay_s: float = 0.3) -> dict:
    """One writer, killed after a random delay; returns what was found.

    Returns:
        a dict: ``reported`` (last count the writer said it wrote), ``found`` (strokes in the file, or
        None when it did not exist yet), ``error`` (why it could not be read, or None), ``ok`` (readable
        and ``found`` is ``reported`` or ``reported + 1``).
    """
    from hwr_desktop.errors import InputError
    from hwr_desktop.ui.document import load_document

    path = folder / "autosave.ink.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(points)], stdout=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(float(rng.uniform(0, max_delay_s)))
    proc.send_signal(signal.SIGKILL)
    out = proc.communicate()[0].split()
    reported = int(out[-1]) if out else 0
    found, error = None, None
    if path.exists():
        try:
            strokes, corrections = load_document(path)
            found = len(strokes)
            if corrections != [{"glyph": found, "char": "x"}]:
                error = "the corrections do not match the strokes"
        except InputError as e:
            error = str(e)
    ok = error is None and (found or 0) in (reported, reported + 1)
    return {"reported": reported, "found": found, "error": error, "ok": ok}
