"""The Image tab opens PDFs and multi-page TIFFs (their first page for now)."""

import cv2
import numpy as np
from PIL import Image

from uihelpers import FakeRecognizer


def page(n):
    img = np.full((200, 300), 240, np.uint8)
    for k in range(n):
        cv2.line(img, (40 + 50 * k, 50), (40 + 50 * k, 140), 10, 6)
    return img


def test_open_pdf_shows_its_first_page(qtbot, make_window, tmp_path):
    path = tmp_path / "scan.pdf"
    Image.fromarray(page(2)).save(path, save_all=True, append_images=[Image.fromarray(page(3))], resolution=150)
    w = make_window(FakeRecognizer(chars="1", p=0.9))
    assert w.open_file(path)
    assert w.image_view.has_image() and w.tabs.tabText(1) == "scan.pdf (page 1 of 2)"
    qtbot.waitUntil(lambda: w.current_text() == "11", timeout=5000)


def test_broken_pdf_is_reported(qtbot, make_window, tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4 broken")
    w = make_window(FakeRecognizer())
    assert not w.open_file(path)
