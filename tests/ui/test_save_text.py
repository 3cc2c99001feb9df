"""File > Save Text: the canvas or the document's pages, as the user sees them (corrections in), as plain
text, JSON or hOCR through the CLI's own writer; a path that cannot be written is reported and loses nothing."""

import json
import xml.etree.ElementTree as ET

import cv2
import numpy as np
from PySide6.QtWidgets import QFileDialog

from hwr_desktop.ui.main_window import TEXT_FILTERS
from uihelpers import FakeRecognizer, one, seven, write

XHTML = "{http://www.w3.org/1999/xhtml}"


def corrected_canvas(qtbot, make_window):
    """A window whose canvas reads "1 1", the second glyph corrected to 7."""
    w = make_window(FakeRecognizer(chars="1"))
    write(w.canvas, [one(60, 60), seven(200, 60)])
    qtbot.waitUntil(lambda: w.current_text() == "1 1", timeout=5000)
    w.set_correction(1, "7")
    return w


def test_the_canvas_is_saved_as_text_json_and_hocr_with_its_corrections(qtbot, make_window, tmp_path):
    w = corrected_canvas(qtbot, make_window)
    out = tmp_path / "out"
    assert w.save_text(out / "note.txt")  # the folder is made
    assert (out / "note.txt").read_text(encoding="utf-8") == "1 7\n"
    assert w.save_text(out / "note.json")
    (file,) = json.loads((out / "note.json").read_text(encoding="utf-8"))["files"]
    (page,) = file["pages"]
    glyphs = [g for line in page["lines"] for word in line["words"] for g in word["glyphs"]]
    assert file["file"] == "canvas" and page["text"] == "1 7" and page["lines"][0]["text"] == "1 7"
    assert [g["char"] for g in glyphs] == ["1", "7"]
    assert glyphs[0]["confidence"] < 1.0 and glyphs[1]["confidence"] == 1.0  # the user chose the 7
    assert w.save_text(out / "note.hocr")
    root = ET.fromstring((out / "note.hocr").read_bytes())
    chars = [e.text for e in root.iter(f"{XHTML}span") if e.get("class") == "ocrx_cinfo"]
    assert chars == ["1", "7"]
    assert sorted(p.name for p in out.iterdir()) == ["note.hocr", "note.json", "note.txt"]  # no leftovers


def test_the_dialog_adds_the_chosen_formats_suffix(qtbot, make_window, tmp_path, monkeypatch):
    w = corrected_canvas(qtbot, make_window)
    answer = (str(tmp_path / "note"), TEXT_FILTERS["json"])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: answer)
    w.save_text_dialog()
    assert json.loads((tmp_path / "note.json").read_text(encoding="utf-8"))["files"][0]["pages"][0]["text"] == "1 7"
    answer = (str(tmp_path / "typed.txt"), TEXT_FILTERS["hocr"])  # a suffix typed wins over the filter
    w.save_text_dialog()
    assert (tmp_path / "typed.txt").read_text(encoding="utf-8") == "1 7\n"


def test_a_document_saves_its_recognized_pages(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer(chars="1"))
    img = np.full((200, 300), 240, np.uint8)
    cv2.line(img, (60, 40), (60, 120), 10, 6)
    path = tmp_path / "scan.tif"
    assert cv2.imwritemulti(str(path), [img, img])
    assert w.open_file(path)
    qtbot.waitUntil(lambda: w.current_text() == "1", timeout=5000)
    w.set_correction(0, "4")
    assert w.save_text(tmp_path / "scan.txt")
    assert (tmp_path / "scan.txt").read_text(encoding="utf-8") == "4\n"
    assert "1 of 2 pages" in w.statusBar().currentMessage()
    w.doc_pane.recognize_all()
    qtbot.waitUntil(lambda: not w.doc_pane.is_running(), timeout=5000)
    assert w.save_text(tmp_path / "scan.json")
    (file,) = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))["files"]
    assert file["file"] == "scan.tif" and [p["text"] for p in file["pages"]] == ["4", "1"]


def test_an_unwritable_path_is_reported_and_nothing_is_lost(qtbot, make_window, tmp_path):
    w = corrected_canvas(qtbot, make_window)
    out = tmp_path / "out"
    (out / "a folder").mkdir(parents=True)
    blocker = out / "a file"
    blocker.write_text("kept")
    for target in (blocker / "note.txt", out / "a folder"):  # under a file; a folder
        assert not w.save_text(target)
        assert "Could not save" in w.banner.text() and w.banner.isVisible()
    assert blocker.read_text() == "kept" and sorted(p.name for p in out.iterdir()) == ["a file", "a folder"]
    assert len(w.canvas.strokes) == 2 and w.current_text() == "1 7"


def test_nothing_to_save_says_so(qtbot, make_window, fake, tmp_path):
    w = make_window(fake)
    assert not w.save_text(tmp_path / "empty.txt")
    assert not (tmp_path / "empty.txt").exists() and "Nothing to save" in w.statusBar().currentMessage()
