"""Durable ink: every edit is in the journal when the pen lifts; a crash (no clean shutdown) loses no stroke, and
the next start brings back the ink, its undo and redo steps, the corrections and the document at its page, and
says so; the journal is folded into the autosave and truncated; damaged files are kept and named."""

import cv2
import numpy as np

from hwr_desktop.ink import load_ink
from hwr_desktop.journal import read_journal
from hwr_desktop.ui.autosave import AUTOSAVE_NAME, JOURNAL_NAME
from uihelpers import FakeRecognizer, one, seven, write


def same_ink(a, b):
    return len(a) == len(b) and all(np.allclose(x.points, y.points, atol=1e-3) for x, y in zip(a, b))


def crash(window):
    """Leave ``window`` as a killed process would: nothing more of it runs, nothing is flushed or closed."""
    window.autosaver._timer.stop()
    window.autosaver._timer.timeout.disconnect()
    window.autosaver.flush = window.autosaver.close = lambda: None
    window.live_timer.stop()


def three_pages(path):
    pages = []
    for n in (1, 2, 3):
        img = np.full((300, 400), 240, np.uint8)
        for k in range(n):
            cv2.line(img, (60 + 50 * k, 60), (60 + 50 * k, 130), 10, 6)
        pages.append(img)
    assert cv2.imwritemulti(str(path), pages)
    return path


def test_each_stroke_is_in_the_journal_when_the_pen_lifts(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    for k in range(3):
        write(w.canvas, [one(60 + 80 * k, 60)])
        records = read_journal(data_dir / JOURNAL_NAME).records  # read from disk, no event loop in between
        assert [r["op"] for r in records] == ["fresh"] + ["add"] * (k + 1)
    assert w.autosaver.journal.wait_synced(1.0)


def test_a_crash_loses_no_stroke_and_the_next_start_brings_everything_back(qtbot, make_window, fake, data_dir,
                                                                           tmp_path):
    w = make_window(fake)
    assert w.open_file(three_pages(tmp_path / "scan.tif"))
    w.doc_pane.go_to(2)
    w.tabs.setCurrentIndex(0)
    write(w.canvas, [one(60, 60), seven(200, 60), one(340, 60), one(480, 60)])
    qtbot.waitUntil(lambda: w.current_text().replace(" ", "") == "1111", timeout=5000)
    w.set_correction(1, "7")
    w.canvas.erase([0])
    w.canvas.undo()  # the erase, then the last "1", go to the redo stack
    w.canvas.undo()
    written = w.canvas.strokes
    crash(w)  # right after the last edit: the autosave was not written since
    assert {"correct", "erase", "undo"} <= {r["op"] for r in read_journal(data_dir / JOURNAL_NAME).records}

    again = make_window(FakeRecognizer())
    assert again.restore_autosave()
    assert same_ink(again.canvas.strokes, written)
    assert "Restored your ink from the last session" in again.banner.text() and again.banner.kind == "info"
    assert "reopened scan.tif at page 2" in again.banner.text()
    assert again.doc_pane.pages.path == tmp_path / "scan.tif" and again.doc_pane.current == 2
    qtbot.waitUntil(lambda: again.shown("ink") is not None and again.shown("ink").text.replace(" ", "") == "171",
                    timeout=5000)
    assert again.act_undo.isEnabled() and again.act_redo.isEnabled()
    assert again.canvas.redo() and len(again.canvas.strokes) == 4  # the undone "1" is back
    last = again.canvas.strokes[-1]
    assert again.canvas.redo() and same_ink(again.canvas.strokes, written[1:] + (last,))  # the erase again
    for left in (4, 3, 2, 1, 0):
        assert again.canvas.undo() and len(again.canvas.strokes) == left
    assert not again.canvas.undo()

    again.autosaver.flush()  # the journal is folded into the autosave and truncated
    assert read_journal(data_dir / JOURNAL_NAME).records == ()
    assert load_ink(data_dir / AUTOSAVE_NAME) == []


def test_a_session_that_starts_fresh_does_not_mix_with_the_last(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), one(160, 60)])
    w.close()
    fresh = make_window(FakeRecognizer())  # started with --fresh: no restore
    write(fresh.canvas, [seven(60, 60)])
    crash(fresh)
    again = make_window(FakeRecognizer())
    assert again.restore_autosave() and len(again.canvas.strokes) == 1


def test_a_damaged_journal_is_kept_and_the_rest_restored(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), one(160, 60), one(260, 60)])
    crash(w)
    path = data_dir / JOURNAL_NAME
    lines = path.read_bytes().split(b"\n")
    lines[3] = b"\x00 disk trouble"  # the second stroke's record
    path.write_bytes(b"\n".join(lines))
    again = make_window(FakeRecognizer())
    assert again.restore_autosave() and len(again.canvas.strokes) == 2
    assert "1 damaged journal record skipped" in again.banner.text() and again.banner.kind == "error"
    assert len(list(data_dir.glob(JOURNAL_NAME + ".damaged-*"))) == 1


def test_an_unreadable_journal_is_moved_aside_and_the_autosave_still_restored(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    w.close()
    (data_dir / JOURNAL_NAME).write_text("not a journal\n")
    again = make_window(FakeRecognizer())
    assert again.restore_autosave() and len(again.canvas.strokes) == 1
    assert "the journal could not be read" in again.banner.text()
    assert len(list(data_dir.glob(JOURNAL_NAME + ".unreadable-*"))) == 1
    write(again.canvas, [one(160, 60)])  # a new journal goes on
    assert [r["op"] for r in read_journal(data_dir / JOURNAL_NAME).records][-1] == "add"


def test_without_its_journal_the_numbering_goes_on_after_the_autosave(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), one(160, 60)])
    w.close()
    (data_dir / JOURNAL_NAME).unlink()  # lost: the next records must still come after the autosave's
    fresh = make_window(FakeRecognizer())  # not restored: it starts afresh
    write(fresh.canvas, [seven(260, 60)])
    crash(fresh)
    last = make_window(FakeRecognizer())
    assert last.restore_autosave() and len(last.canvas.strokes) == 1


def test_a_document_gone_since_is_named_and_the_ink_still_restored(qtbot, make_window, fake, data_dir, tmp_path):
    w = make_window(fake)
    assert w.open_file(three_pages(tmp_path / "scan.tif"))
    w.tabs.setCurrentIndex(0)
    write(w.canvas, [one(60, 60)])
    crash(w)
    (tmp_path / "scan.tif").unlink()
    again = make_window(FakeRecognizer())
    assert again.restore_autosave() and len(again.canvas.strokes) == 1
    assert again.banner.text().startswith("Restored your ink from the last session (1 stroke). Not restored: scan.tif")
    assert again.doc_pane.pages is None
