"""The session on disk: the autosave holds strokes, undo history, corrections and the document; journal records
after it replay onto it; records it already holds are not applied twice; bad ones are skipped and named."""

import json

import numpy as np

from hwr_desktop.ink import Edit, Ink, Stroke
from hwr_desktop.journal import edit_record
from hwr_desktop.ui.corrections import Corrections
from hwr_desktop.ui.session import Snapshot, read_snapshot, replay, write_snapshot


def stroke(x: float) -> Stroke:
    return Stroke(np.array([[x, 0, 0.5, 0], [x, 10, 0.5, 16]], float))


def numbered(records, start=1):
    return [{"n": start + k, **r} for k, r in enumerate(records)]


def test_a_snapshot_reads_back_whole(tmp_path):
    ink = Ink()
    for x in (0, 20, 40):
        ink.add(stroke(x))
    ink.undo()
    corrections = Corrections()
    corrections.set(frozenset([ink.strokes[1]]), (20, 0, 21, 10), "7")
    snap = Snapshot(ink.strokes, ink.history(), corrections.to_json(ink.strokes), ("/tmp/scan.pdf", 3), seq=12)
    write_snapshot(tmp_path / "a" / "autosave.ink.json", snap)
    session = read_snapshot(tmp_path / "a" / "autosave.ink.json")
    assert session.ink.strokes == ink.strokes and session.seq == 12 and session.problems == []
    assert session.document == ("/tmp/scan.pdf", 3)
    assert session.corrections.find(frozenset([stroke(20)]), (0, 0, 0, 0)).char == "7"
    assert session.ink.redo() and len(session.ink) == 3
    assert read_snapshot(tmp_path / "none.ink.json").ink.strokes == ()


def test_a_bad_history_or_document_is_left_out_and_named(tmp_path):
    path = tmp_path / "autosave.ink.json"
    write_snapshot(path, Snapshot((stroke(0),), seq=4))
    doc = json.loads(path.read_text())
    doc["hwr_history"] = {"undo": [["add", [[9, 0]]]]}
    doc["hwr_document"] = {"path": 3}
    path.write_text(json.dumps(doc))
    session = read_snapshot(path)
    assert len(session.ink) == 1 and not session.ink.can_undo() and session.document is None
    assert len(session.problems) == 2 and "undo history" in session.problems[0]


def test_replay_applies_only_the_records_after_the_snapshot():
    session = read_snapshot("/nonexistent/autosave.ink.json")
    session.seq = 2
    records = numbered([edit_record(Edit("add", (stroke(x),))) for x in (0, 20, 40, 60)])
    replay(session, records)
    assert [s.points[0, 0] for s in session.ink.strokes] == [40, 60] and session.seq == 4
    replay(session, records)  # the same records again (a crash before the journal was truncated): nothing
    assert len(session.ink) == 2


def test_replay_brings_back_corrections_documents_and_fresh_starts():
    session = read_snapshot("/nonexistent/autosave.ink.json")
    replay(session, numbered([
        edit_record(Edit("add", (stroke(0),))),
        edit_record(Edit("add", (stroke(20),))),
        {"op": "correct", "strokes": [1], "box": [20, 0, 21, 10], "char": "7"},
        {"op": "document", "path": "/tmp/scan.pdf", "page": 2},
        {"op": "undo"},
        {"op": "correct", "strokes": [5], "box": [0, 0, 1, 1], "char": "x"},  # no such stroke: skipped
        {"op": "teleport"},  # unknown: skipped
    ]))
    assert len(session.ink) == 1 and session.ink.can_redo()
    assert session.document == ("/tmp/scan.pdf", 2)
    assert session.corrections.find(frozenset([stroke(20)]), (0, 0, 0, 0)).char == "7"
    assert session.problems == ["2 journal records could not be replayed"]
    replay(session, numbered([{"op": "fresh"}, edit_record(Edit("add", (stroke(90),)))], start=8))
    assert [s.points[0, 0] for s in session.ink.strokes] == [90] and session.document is None
    assert len(session.corrections) == 0
