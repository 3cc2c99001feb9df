"""The Image tab with PDFs and multi-page TIFFs: pages shown, recognized off the UI thread, navigated,
recognized all with progress and Cancel, per-page errors, per-page corrections, copying with paragraphs."""

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hwr_desktop.ui.pages import DocumentPages
from uihelpers import FakeRecognizer


def page(n, paragraph=False):
    """A page with a line of ``n`` bars (each reads "1"), and a second paragraph of two bars if asked."""
    img = np.full((600, 500), 240, np.uint8)
    for k in range(n):
        cv2.line(img, (60 + 50 * k, 60), (60 + 50 * k, 130), 10, 6)
    if paragraph:
        for k in range(2):
            cv2.line(img, (60 + 50 * k, 330), (60 + 50 * k, 400), 10, 6)
    return img


def write_pdf(path, images, broken=()):
    """A PDF of ``images`` (150 dpi); pages numbered in ``broken`` are too large to render."""
    first, *rest = [Image.fromarray(im) for im in images]
    first.save(path, save_all=True, append_images=rest, resolution=150)
    if broken:
        pdf = pdfium.PdfDocument(str(path))
        for n in sorted(broken):
            pdf.del_page(n - 1)
            pdf.new_page(30000, 30000, index=n - 1)  # 125,000 pixels square at 300 dpi: refused
        pdf.save(str(path) + ".tmp")
        pdf.close()
        (path.parent / (path.name + ".tmp")).replace(path)
    return path


PAGES = [page(2, paragraph=True), page(3), page(4)]
TEXTS = ["11\n\n11", "111", "1111"]


def idle(qtbot, w):
    qtbot.waitUntil(lambda: not w.worker.is_busy() and not w.doc_pane.is_running(), timeout=10000)


def test_open_pdf_shows_its_first_page(qtbot, make_window, tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [page(2), page(3)])
    w = make_window(FakeRecognizer(chars="1", p=0.9))
    assert w.open_file(path)
    assert w.image_view.has_image() and w.tabs.tabText(1) == "scan.pdf (page 1 of 2)"
    qtbot.waitUntil(lambda: w.current_text() == "11", timeout=5000)


def test_broken_pdf_is_reported(qtbot, make_window, tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4 broken")
    w = make_window(FakeRecognizer())
    assert not w.open_file(path)


def test_pages_are_rendered_and_recognized_as_they_are_shown(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer())
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    pane = w.doc_pane
    assert pane.bar.isVisible() and pane.count_label.text() == "of 3" and not pane.act_prev.isEnabled()
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[0], timeout=5000)
    assert pane.pages.done() == [1]  # nothing else was read
    pane.next_button.click()
    assert w.tabs.tabText(1) == "doc.pdf (page 2 of 3)" and pane.page_box.value() == 2
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[1], timeout=5000)
    assert w.image_view.has_image() and w.image_view.scene().sceneRect().height() == 1200  # rendered at 300 dpi
    assert len(w.image_view._boxes) == 3
    pane.page_box.setValue(3)  # typed into the page box
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[2], timeout=5000)
    assert not pane.act_next.isEnabled()
    w.image_view.setFocus()
    qtbot.keyClick(w.image_view, Qt.Key.Key_PageUp)
    assert pane.current == 2 and w.current_text() == TEXTS[1]  # cached: shown at once
    qtbot.keyClick(w.image_view, Qt.Key.Key_PageDown)
    assert pane.current == 3


def test_recognize_all_shows_progress_and_copies_every_page(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer(delay_s=0.05))
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    pane = w.doc_pane
    values = []
    pane.progress.valueChanged.connect(values.append)
    pane.run_button.click()
    assert pane.is_running() and pane.progress.isVisible() and pane.cancel_button.isVisible()
    assert not pane.run_button.isEnabled() and pane.current == 1  # the shown page stays
    idle(qtbot, w)
    assert pane.pages.done() == [1, 2, 3] and values[-1] == 3 and not pane.progress.isVisible()
    assert w.statusBar().currentMessage() == "Recognized all 3 pages"
    assert w.copy_text() and QApplication.clipboard().text() == "11\n\n11"  # this page, paragraphs apart
    assert pane.copy_all()
    assert QApplication.clipboard().text() == "\n\f\n".join(TEXTS)


def test_cancel_keeps_the_pages_done_and_the_app_usable(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer(delay_s=0.3))
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    pane = w.doc_pane
    pane.recognize_all()
    qtbot.waitUntil(lambda: 2 in pane._pending, timeout=5000)  # page 2 is being read
    pane.cancel_button.click()
    assert not pane.is_running() and not pane.progress.isVisible() and pane.run_button.isEnabled()
    assert "Cancelled" in w.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not w.worker.is_busy(), timeout=5000)
    assert pane.pages.done() == [1, 2]  # the page being read when Cancel came is kept; page 3 never started
    assert pane.copy_all() and QApplication.clipboard().text() == "\n\f\n".join(TEXTS[:2])
    pane.go_to(3)  # still usable: a page not read yet is read when shown
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[2], timeout=5000)


def test_a_page_that_fails_says_why_and_the_others_come_out(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer())
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES, broken={2}))
    pane = w.doc_pane
    pane.recognize_all()
    idle(qtbot, w)
    assert [pane.pages.text(n) for n in (1, 3)] == [TEXTS[0], TEXTS[2]]
    assert pane.pages.failed() == [2] and "too large" in pane.pages.result(2).error
    assert "failed: page 2" in w.statusBar().currentMessage()
    pane.go_to(2)
    assert "Page 2" in pane.note.text() and "too large" in pane.note.text()
    assert w.current_text() == "" and not w.image_view.has_image()
    assert not w.worker.is_busy()  # a page known to fail is not rendered again
    pane.go_to(3)
    assert pane.note.text() == "" and w.current_text() == TEXTS[2]


def test_a_broken_first_page_still_opens_the_document(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer())
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES, broken={1}))
    qtbot.waitUntil(lambda: "too large" in w.doc_pane.note.text(), timeout=5000)
    w.doc_pane.go_to(2)
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[1], timeout=5000)


def test_a_correction_on_page_2_survives_leaving_it(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer(chars="1", second="7"))
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    pane = w.doc_pane
    pane.go_to(2)
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[1], timeout=5000)
    item = w.image_view.box_item(0)  # left-click the first glyph's box: the correction popup opens
    qtbot.mouseClick(w.image_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=w.image_view.mapFromScene(item.rect().center()))
    popup = QApplication.activePopupWidget()
    assert popup is not None and [a.data() for a in popup.alternative_actions()][:2] == ["1", "7"]
    popup.alternative_actions()[1].trigger()
    assert w.current_text() == "711"
    pane.go_to(3)
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[2], timeout=5000)
    assert not any(w.shown().corrected)  # page 3 has its own corrections
    pane.go_to(2)
    assert w.current_text() == "711" and w.shown().corrected == (True, False, False)
    pane.go_to(1)
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[0], timeout=5000)
    assert pane.copy_all() and QApplication.clipboard().text() == "\n\f\n".join([TEXTS[0], "711", TEXTS[2]])


def test_changing_the_mode_reads_the_pages_again_and_keeps_corrections(qtbot, make_window, tmp_path):
    fake = FakeRecognizer()
    w = make_window(fake)
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[0], timeout=5000)
    w.set_correction(0, "4")
    calls = fake.calls
    w.mode_box.setCurrentIndex(w.mode_box.findData("digits"))
    qtbot.waitUntil(lambda: fake.calls > calls and not w.worker.is_busy(), timeout=5000)
    assert w.doc_pane.pages.done() == [1] and w.current_text() == "41\n\n11"


def test_multi_page_tiff_pages(qtbot, make_window, tmp_path):
    path = tmp_path / "scan.tif"
    cv2.imwritemulti(str(path), PAGES[:2])
    w = make_window(FakeRecognizer())
    assert w.open_file(path)
    assert w.tabs.tabText(1) == "scan.tif (page 1 of 2)"
    w.doc_pane.step(1)
    qtbot.waitUntil(lambda: w.current_text() == TEXTS[1], timeout=5000)


def test_only_a_few_rendered_pages_are_kept(tmp_path):
    pages = DocumentPages(tmp_path / "x.pdf", 100, keep_images=2)
    for n in (1, 2, 3):
        pages.keep_image(n, np.zeros((2, 2), np.uint8))
    assert pages.image(1) is None and pages.image(2) is not None and pages.image(3) is not None
    assert pages.clamp(0) == 1 and pages.clamp(500) == 100
    assert pages.all_text() == "" and pages.corrections(7) is pages.corrections(7)


def test_recognize_reads_the_shown_page_again_and_keeps_the_others(qtbot, make_window, tmp_path):
    fake = FakeRecognizer()
    w = make_window(fake)
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    w.doc_pane.recognize_all()
    idle(qtbot, w)
    calls = fake.calls
    w.doc_pane.go_to(2)
    w.recognize_now()
    qtbot.waitUntil(lambda: fake.calls > calls and not w.worker.is_busy(), timeout=5000)
    assert w.doc_pane.pages.done() == [1, 2, 3] and w.current_text() == TEXTS[1]


def test_zoom_stays_while_turning_pages_and_resets_for_a_new_document(qtbot, make_window, tmp_path):
    w = make_window(FakeRecognizer())
    assert w.open_file(write_pdf(tmp_path / "doc.pdf", PAGES))
    view, pane = w.image_view, w.doc_pane
    fitted = view.transform().m11()
    view.zoom(1.25)
    view.zoom(1.25)
    pane.next_button.click()
    qtbot.waitUntil(lambda: view.has_image() and pane.current == 2, timeout=5000)
    assert view.zoom_factor() == 1.5625 and view.transform().m11() > 1.3 * fitted  # (scroll bars take a little room)
    idle(qtbot, w)
    assert w.open_file(write_pdf(tmp_path / "other.pdf", PAGES[:1]))
    assert view.zoom_factor() == 1.0 and abs(view.transform().m11() - fitted) < 0.1 * fitted
