"""Autosave survives a kill: a writer process killed (SIGKILL) at random points always leaves a readable
autosave holding the last state it wrote (or the one it was writing), never a torn file."""

import sys

import numpy as np
import pytest

from killtrial import kill_trial

KILLS = 8  # benchmarks/soak.py --kills runs hundreds


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killing_the_writer_at_random_points_never_loses_the_last_good_state(tmp_path):
    rng = np.random.default_rng(6)
    results = []
    for k in range(KILLS):
        folder = tmp_path / str(k)
        folder.mkdir()
        results.append(kill_trial(folder, rng))
    assert all(r["ok"] for r in results), results
    assert sum(r["reported"] > 0 for r in results) >= KILLS // 2  # most kills land mid-loop, not before the first write
