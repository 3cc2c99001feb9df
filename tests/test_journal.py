"""The autosave journal: records on disk when append returns, a torn last record ignored, truncation, numbering."""

import json
import time

import numpy as np
import pytest

from hwr_desktop.errors import InputError
from hwr_desktop.ink import Edit, Ink, Stroke
from hwr_desktop.journal import Journal, edit_record, read_journal, record_edit


def stroke(x: float) -> Stroke:
    return Stroke(np.array([[x, 0, 0.5, 0], [x, 10, 0.5, 16]], float))


def test_records_read_back_in_order_with_their_numbers(tmp_path):
    j = Journal(tmp_path / "sub" / "j")  # the folder is made on the first append
    assert not (tmp_path / "sub").exists()
    assert [j.append({"op": "undo"}), j.append({"op": "redo"})] == [1, 2]
    read = read_journal(tmp_path / "sub" / "j")  # on disk before any close or fsync
    assert [(r["n"], r["op"]) for r in read.records] == [(1, "undo"), (2, "redo")]
    assert read.after == 0 and read.last == 2 and not read.torn and read.damaged == 0
    assert j.wait_synced(5.0)
    j.close()


def test_a_record_torn_anywhere_is_ignored_and_all_whole_ones_read_back(tmp_path):
    path = tmp_path / "j"
    j = Journal(path)
    for x in range(5):
        j.append(edit_record(Edit("add", (stroke(x),))))
    j.close()
    data = path.read_bytes()
    ends = [i + 1 for i, b in enumerate(data) if b == ord("\n")]  # header, then 5 records
    for k, end in enumerate(ends[1:], start=1):
        for cut in (end - 1, end - len(data[ends[k - 1]:end]) // 2, ends[k - 1] + 1):  # mid-record cuts
            path.write_bytes(data[:cut])
            read = read_journal(path)
            assert read.torn and read.damaged == 0
            assert [r["n"] for r in read.records] == list(range(1, k))  # every whole record, no more
            assert read.size == ends[k - 1]
    path.write_bytes(data[: ends[0] // 2])  # even the header cut short: an empty journal, not an error
    assert read_journal(path).records == () and read_journal(path).torn


def test_appending_after_a_torn_record_cuts_it_off(tmp_path):
    path = tmp_path / "j"
    j = Journal(path)
    j.append({"op": "undo"})
    j.close()
    with open(path, "ab") as f:
        f.write(b'{"n": 2, "op": "add", "poi')  # killed while writing record 2
    again = Journal(path)
    assert again.seq == 1
    again.append({"op": "redo"})
    again.close()
    assert [(r["n"], r["op"]) for r in read_journal(path).records] == [(1, "undo"), (2, "redo")]


def test_a_damaged_line_in_the_middle_is_skipped_and_counted(tmp_path):
    path = tmp_path / "j"
    j = Journal(path)
    for _ in range(3):
        j.append({"op": "undo"})
    j.close()
    lines = path.read_bytes().split(b"\n")
    lines[2] = b"\xff garbage"
    path.write_bytes(b"\n".join(lines))
    read = read_journal(path)
    assert [r["n"] for r in read.records] == [1, 3] and read.damaged == 1 and not read.torn


def test_truncation_keeps_the_numbering_going(tmp_path):
    path = tmp_path / "j"
    j = Journal(path)
    j.append({"op": "undo"})
    j.append({"op": "undo"})
    assert not j.truncate(1)  # record 2 came after the autosave that holds record 1: keep them
    assert j.truncate(2)
    read = read_journal(path)
    assert read.records == () and read.after == 2
    assert j.append({"op": "redo"}) == 3
    j.close()
    assert Journal(path).seq == 3
    assert Journal(tmp_path / "none", after=7).seq == 7  # a missing journal goes on after the autosave's record


def test_a_file_that_is_not_a_journal_is_refused(tmp_path):
    (tmp_path / "j").write_text(json.dumps({"format": "something-else"}) + "\n")
    with pytest.raises(InputError, match="not an hwr journal"):
        read_journal(tmp_path / "j")
    (tmp_path / "k").write_text(json.dumps({"format": "hwr-journal", "version": 9, "after": 0}) + "\n")
    with pytest.raises(InputError, match="version"):
        Journal(tmp_path / "k")


def test_edits_survive_the_record_format_and_replay_to_the_same_ink():
    a, b, c = stroke(0), stroke(20), stroke(40)
    ink, heard = Ink(), []
    ink.listener = heard.append
    for s in (a, b, c):
        ink.add(s)
    ink.erase([1])
    ink.undo()
    ink.redo()
    ink.clear()
    ink.undo()
    ink.replace([b])
    ink.undo()
    assert [e.op for e in heard] == ["add"] * 3 + ["erase", "undo", "redo", "clear", "undo", "replace", "undo"]
    again = Ink()
    for edit in heard:
        assert again.apply(record_edit(json.loads(json.dumps(edit_record(edit)))))
    assert again.strokes == ink.strokes
    assert [len(h) for h in again.history()] == [len(h) for h in ink.history()]
    assert not again.apply(Edit("erase", indices=(99,)))  # changes nothing


@pytest.mark.parametrize("record, reason", [
    ({"n": 1, "op": "add", "points": [[1, "a"]]}, "numbers"),
    ({"n": 1, "op": "add"}, "non-empty list"),
    ({"n": 1, "op": "erase", "strokes": ["x"]}, "indices"),
    ({"n": 1, "op": "replace", "strokes": 3}, "list"),
    ({"n": 1, "op": "scribble"}, "not an ink edit"),
])
def test_bad_records_name_the_problem(record, reason):
    with pytest.raises(InputError, match=reason):
        record_edit(record)


def test_append_is_quick_and_the_fsync_follows_within_the_budget(tmp_path):
    j = Journal(tmp_path / "j")
    record = edit_record(Edit("add", (Stroke(np.random.default_rng(0).uniform(0, 500, (60, 4))),)))
    durable = []
    for _ in range(20):
        t = time.perf_counter()
        j.append(record)
        assert j.wait_synced(1.0)
        durable.append(time.perf_counter() - t)
    j.close()
    assert sorted(durable)[len(durable) // 2] < 0.1  # a stroke is on disk within 100 ms of pen-up
