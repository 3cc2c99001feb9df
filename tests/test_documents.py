import os
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from hwr_desktop import cli
from hwr_desktop.documents import PDF_DPI, load_pages, open_document, page_count, parse_pages
from hwr_desktop.errors import InputError
from hwr_desktop.pipeline import recognize_file


def bars(n: int, size=(240, 400)) -> np.ndarray:
    """A page with ``n`` vertical bars (read as "1"s by the fake recognizer), 40 px apart."""
    img = np.full(size, 235, np.uint8)
    for k in range(n):
        x = 30 + 40 * k
        cv2.line(img, (x, 60), (x, 140), 20, 5)
    return img


def write_pdf(path, images, dpi=PDF_DPI):
    pil = [Image.fromarray(a) for a in images]
    pil[0].save(path, save_all=True, append_images=pil[1:], resolution=dpi)
    return path


def break_second_page(path):
    """Point the page tree's second kid at the catalog, which is no page (same length: xref offsets stay valid)."""
    data = path.read_bytes()
    kids = re.search(rb"/Kids \[ (\d+) 0 R (\d+) 0 R", data)
    catalog = re.search(rb"(\d+) 0 obj\s*<<\s*/Type /Catalog", data).group(1)
    assert len(catalog) == len(kids.group(2))
    path.write_bytes(data[: kids.start(2)] + catalog + data[kids.end(2) :])


def test_parse_pages():
    assert parse_pages("1-3,7") == {1, 2, 3, 7}
    assert parse_pages(" 2 , 4-5") == {2, 4, 5}
    assert min(parse_pages("5-")) == 5 and len(parse_pages("5-")) > 1000
    for bad in ("", "0", "3-1", "a", "1,,2", "-2"):
        with pytest.raises(InputError):
            parse_pages(bad)


def test_pdf_pages_render_at_300_dpi(tmp_path):
    path = write_pdf(tmp_path / "doc.pdf", [bars(1), bars(2), bars(3)], dpi=150)
    assert page_count(path) == 3
    pages = list(load_pages(path, parse_pages("2-3,9")))
    assert [p.number for p in pages] == [2, 3]
    assert pages[0].image.dtype == np.uint8 and pages[0].image.ndim == 2
    assert pages[0].image.shape == (480, 800)  # 150 dpi source shown at 300 dpi: twice the pixels


def test_pdf_recognized_page_by_page(tmp_path, fake):
    path = write_pdf(tmp_path / "doc.pdf", [bars(1), bars(2), bars(3)])
    pages = recognize_file(path, fake, pages=parse_pages("1,3"))
    assert [(p.page, p.text) for p in pages] == [(1, "1"), (3, "111")]
    assert all(p.error is None for p in pages)
    seen = []
    recognize_file(path, fake, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_broken_pdf_page_is_reported_and_the_others_come_out(tmp_path, fake):
    path = write_pdf(tmp_path / "doc.pdf", [bars(1), bars(2), bars(3)])
    break_second_page(path)
    pages = recognize_file(path, fake)
    assert [p.page for p in pages] == [1, 2, 3]
    assert pages[0].text == "1" and pages[2].text == "111"
    assert pages[1].error and "page" in pages[1].error and pages[1].lines == ()


def test_multipage_tiff(tmp_path, fake):
    path = tmp_path / "scan.tiff"
    assert cv2.imwritemulti(str(path), [bars(2), bars(4)])
    numbers, pages = open_document(path)
    assert numbers == [1, 2]
    assert [p.text for p in recognize_file(path, fake)] == ["11", "1111"]
    assert [p.text for p in recognize_file(path, fake, pages=frozenset({2}))] == ["1111"]


def test_unreadable_documents(tmp_path, fake):
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 nothing else")
    with pytest.raises(InputError, match="not a readable PDF"):
        recognize_file(tmp_path / "junk.pdf", fake)
    (tmp_path / "one.png").write_bytes(cv2.imencode(".png", bars(1))[1].tobytes())
    with pytest.raises(InputError, match="none of the selected pages"):
        recognize_file(tmp_path / "one.png", fake, pages=frozenset({2}))


def test_cli_pages_and_page_errors(tmp_path, capsys):
    path = write_pdf(tmp_path / "doc.pdf", [bars(1), bars(2), bars(3)])
    break_second_page(path)
    code = cli.main(["recognize", "--mode", "digits", "--pages", "2-3", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == f"hwr: {path}: page 2: the page cannot be read (damaged PDF page)"
    assert out.strip().endswith("111")
    with pytest.raises(SystemExit) as e:
        cli.main(["recognize", "--pages", "3-1", str(path)])
    assert e.value.code == 2


def damage_tiff_frame(path, index):
    """Point frame ``index``'s strip (tag 273) of a classic little-endian TIFF past the end: it cannot be decoded."""
    import struct

    data = bytearray(path.read_bytes())
    offset = struct.unpack_from("<I", data, 4)[0]
    for _ in range(index):
        offset = struct.unpack_from("<I", data, offset + 2 + 12 * struct.unpack_from("<H", data, offset)[0])[0]
    for e in range(struct.unpack_from("<H", data, offset)[0]):
        entry = offset + 2 + 12 * e
        tag, kind, count = struct.unpack_from("<HHI", data, entry)
        if tag == 273:  # LONG offsets, in the entry or (several strips) in an array it points to
            assert kind == 4
            at = entry + 8 if count == 1 else struct.unpack_from("<I", data, entry + 8)[0]
            struct.pack_into(f"<{count}I", data, at, *[10**8] * count)
    path.write_bytes(bytes(data))


def test_a_damaged_tiff_frame_fails_only_its_page(tmp_path, fake):
    path = tmp_path / "scan.tif"
    assert cv2.imwritemulti(str(path), [bars(1), bars(2), bars(3)])
    damage_tiff_frame(path, 1)
    assert page_count(path) == 3
    pages = recognize_file(path, fake)
    assert [p.text for p in pages] == ["1", "", "111"]
    assert pages[1].error and "damaged TIFF frame" in pages[1].error and pages[0].error is pages[2].error is None


def test_quiet_stderr_catches_fd_2_and_always_restores_it(capfd, caplog):
    import logging
    import threading

    from hwr_desktop.documents import quiet_stderr

    with caplog.at_level(logging.DEBUG, logger="hwr_desktop.documents"):
        with quiet_stderr():
            os.write(2, b"libpng error: inside\n")
        with pytest.raises(ValueError), quiet_stderr():
            os.write(2, b"before raising\n")
            raise ValueError
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
    assert "libpng error: inside" in caplog.text and "before raising" in caplog.text
    entered, release = threading.Barrier(3), threading.Event()

    def decode() -> None:  # threads overlap: the first in redirects, the last out restores
        with quiet_stderr():
            entered.wait()
            release.wait()
            os.write(2, b"from a thread\n")

    threads = [threading.Thread(target=decode) for _ in range(2)]
    for t in threads:
        t.start()
    entered.wait()
    release.set()
    for t in threads:
        t.join()
    os.write(2, b"restored\n")
    assert capfd.readouterr().err == "restored\n"
