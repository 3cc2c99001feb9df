"""Files: autosave and restore, open and save ink, open images, drag and drop, and errors that keep the ink."""

import json

import cv2
import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from hwr_desktop.ink import load_ink
from uihelpers import FakeRecognizer, one, seven, write


def same_ink(a, b):
    return len(a) == len(b) and all(np.allclose(x.points, y.points, atol=1e-3) for x, y in zip(a, b))


def test_autosave_then_restore_gives_the_same_ink_and_corrections(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), seven(200, 60)])
    qtbot.waitUntil(lambda: w.current_text() == "1 1")
    w.set_correction(1, "7")
    written = w.canvas.strokes
    qtbot.waitUntil(lambda: (data_dir / "autosave.ink.json").exists(), timeout=5000)  # debounced, no quit needed
    w.autosaver.flush()
    assert same_ink(load_ink(data_dir / "autosave.ink.json"), written)  # a plain ink file for the CLI too

    again = make_window(FakeRecognizer())
    assert again.restore_autosave()
    assert same_ink(again.canvas.strokes, written)
    qtbot.waitUntil(lambda: again.current_text() == "1 7", timeout=5000)


def test_quitting_saves_the_latest_stroke(qtbot, make_window, fake, data_dir):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    w.close()  # before the autosave delay has passed
    assert len(load_ink(data_dir / "autosave.ink.json")) == 1


def test_unreadable_autosave_is_kept_aside_and_reported(qtbot, make_window, fake, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / "autosave.ink.json").write_text("{ not json")
    w = make_window(fake)
    assert not w.restore_autosave()
    assert "could not be restored" in w.banner.text()
    assert [p.name.startswith("autosave.ink.json.unreadable") for p in data_dir.iterdir()] == [True]


def test_a_failing_file_shows_an_error_and_keeps_the_ink(qtbot, make_window, fake, tmp_path):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), one(150, 60)])
    before = w.canvas.strokes
    bad_image = tmp_path / "scan.png"
    bad_image.write_bytes(b"not a png at all")
    bad_ink = tmp_path / "notes.ink.json"
    bad_ink.write_text(json.dumps({"format": "something-else"}))
    for path in (bad_image, bad_ink, tmp_path / "missing.jpg", tmp_path):
        assert not w.open_file(path)
        assert path.name in w.banner.text() and w.banner.isVisible()
        assert w.statusBar().currentMessage()
        assert w.canvas.strokes == before


def test_save_and_open_ink_round_trip(qtbot, make_window, fake, tmp_path):
    w = make_window(fake)
    write(w.canvas, [one(60, 60), seven(200, 60)])
    qtbot.waitUntil(lambda: w.current_text() == "1 1")
    w.set_correction(1, "7")
    path = tmp_path / "note.ink.json"
    assert w.save_ink(path)
    saved = w.canvas.strokes

    other = make_window(FakeRecognizer())
    write(other.canvas, [one(400, 60)])
    assert other.open_file(path)
    assert same_ink(other.canvas.strokes, saved)
    qtbot.waitUntil(lambda: other.current_text() == "1 7", timeout=5000)
    other.canvas.undo()  # opening a file is one undo step: the old ink comes back
    assert len(other.canvas.strokes) == 1 and other.canvas.strokes[0].box[0] > 390


def test_saving_into_a_missing_folder_reports_it(qtbot, make_window, fake, tmp_path):
    w = make_window(fake)
    write(w.canvas, [one(60, 60)])
    assert not w.save_ink(tmp_path / "no" / "such" / "dir.ink.json")
    assert "Could not save" in w.banner.text() and len(w.canvas.strokes) == 1


def digits_png(path):
    img = np.full((120, 260), 255, np.uint8)
    cv2.line(img, (40, 20), (40, 100), 0, 6)
    cv2.line(img, (120, 20), (170, 20), 0, 6)
    cv2.line(img, (170, 20), (135, 100), 0, 6)
    cv2.imwrite(str(path), img)


def test_open_image_shows_it_and_its_glyph_boxes(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer(chars="17", p=0.4))
    write(w.canvas, [one(60, 60)])
    path = tmp_path / "digits.png"
    digits_png(path)
    assert w.open_file(path)
    assert w.tabs.currentIndex() == 1 and w.image_view.has_image()
    qtbot.waitUntil(lambda: w.current_text() == "1 7", timeout=5000)
    item = w.image_view.box_item(1)
    view_pos = w.image_view.mapFromScene(item.rect().center())
    with qtbot.waitSignal(w.image_view.glyphClicked) as sig:
        qtbot.mouseClick(w.image_view.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert sig.args == [1]
    QApplication.activePopupWidget().close()
    w.set_correction(0, "4")
    assert w.current_text() == "4 7"
    assert len(w.canvas.strokes) == 1  # the ink is untouched
    w.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: w.current_text() == "1", timeout=5000)


def drag_enter_event(pos, mime):
    """QDragEnterEvent at ``pos`` (PySide6 6.12 wants a QPointF, older releases a QPoint)."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(pos, *args)
    except TypeError:
        return QDragEnterEvent(pos.toPoint(), *args)


def drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(200, 200)
    enter = drag_enter_event(pos, mime)
    QApplication.sendEvent(window, enter)
    event = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return enter.isAccepted(), event.isAccepted()


def test_dropping_a_file_opens_it(qtbot, make_window, fake, tmp_path):
    w = make_window(fake)
    path = tmp_path / "digits.png"
    digits_png(path)
    assert drop(w, path) == (True, True)
    assert w.tabs.currentIndex() == 1 and w.image_view.has_image()
