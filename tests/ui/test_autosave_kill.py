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


APP_KILLS = 8


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killing_the_app_while_it_is_written_on_loses_no_finished_stroke(tmp_path):
    from appkill import kill_runs, stroke_points
    from hwr_desktop.journal import read_journal
    from hwr_desktop.ui.autosave import AUTOSAVE_NAME, JOURNAL_NAME
    from hwr_desktop.ui.session import read_snapshot, replay

    result = kill_runs(tmp_path, np.random.default_rng(13), APP_KILLS)
    assert result["lost"] == 0, result["runs"]
    assert result["drawn"] >= 20, result["runs"]  # most runs were killed while strokes were being written
    session = replay(read_snapshot(result["data"] / AUTOSAVE_NAME), read_journal(result["data"] / JOURNAL_NAME).records)
    assert len(session.ink) in (result["drawn"], result["drawn"] + 1)
    starts = np.array([s.points[0, :2] for s in session.ink.strokes])
    assert np.allclose(starts, [stroke_points(k)[0] for k in range(len(starts))], atol=1e-3)  # in order, none twice
