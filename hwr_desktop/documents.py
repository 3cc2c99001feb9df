"""Documents -> page images: single images, multi-page TIFF and PDF, with page selection.

A document is read page by page (``load_pages`` is a generator), so a long PDF
never sits in memory whole. A page that cannot be read is reported as a
``LoadedPage`` with an ``error``; the other pages still come out. A file that
cannot be opened at all raises ``InputError``.

PDF pages are rendered at 300 dpi by PDFium (``pypdfium2``), in gray. TIFF
frames are counted from the file's directory chain and decoded one at a time,
so a damaged frame fails only its page (where OpenCV can tell).
"""

from __future__ import annotations

import functools
import logging
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from .errors import InputError

log = logging.getLogger(__name__)

PDF_DPI = 300
PDF_SUFFIX = ".pdf"
TIFF_SUFFIXES = (".tif", ".tiff")
MAX_PIXELS = 200_000_000  # refuse larger pages (about 14,000 x 14,000); kept equal to pipeline.MAX_PIXELS

PageSelection = frozenset[int]  # 1-based page numbers; None (not an empty set) means every page


@dataclass(frozen=True)
class LoadedPage:
    """One page of a document.

    Attributes:
        number: 1-based page number in the file.
        image: the decoded page, uint8 or uint16, (H, W), (H, W, 3) BGR or (H, W, 4) BGRA; None on error.
        error: why the page could not be read; None when it could.
    """

    number: int
    image: np.ndarray | None = None
    error: str | None = None


def parse_pages(text: str) -> PageSelection:
    """Parse a page selection such as ``"1-3,7"`` or ``"5-"`` (from 5 to the end).

    Returns:
        the selected 1-based page numbers; an open range ``N-`` is capped at 100,000.
    Raises:
        InputError: malformed, zero, or a range that runs backwards.
    """
    pages: set[int] = set()
    if not text.strip():
        raise InputError("empty page selection")
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?", part)
        if not m:
            raise InputError(f"bad page selection {part.strip()!r} (expected e.g. 1-3,7)")
        first = int(m.group(1))
        last = first if not m.group(2) else (int(m.group(3)) if m.group(3) else 100_000)
        if first < 1:
            raise InputError("pages are numbered from 1")
        if last < first:
            raise InputError(f"bad page range {part.strip()!r} (runs backwards)")
        pages.update(range(first, last + 1))
    return frozenset(pages)


def _selected(count: int, pages: PageSelection | None) -> list[int]:
    """The 1-based page numbers of a ``count``-page document to read, in order.

    Pages selected beyond the end are ignored, so one selection can serve many files.
    Raises:
        InputError: the selection leaves no page of this document.
    """
    if pages is None:
        return list(range(1, count + 1))
    chosen = sorted(p for p in pages if p <= count)
    if not chosen:
        raise InputError(f"none of the selected pages exists (the document has {count} page{'s' * (count != 1)})")
    return chosen


def is_pdf(path: str | Path) -> bool:
    return str(path).lower().endswith(PDF_SUFFIX)


def is_tiff(path: str | Path) -> bool:
    return str(path).lower().endswith(TIFF_SUFFIXES)


def _read_bytes(path: Path) -> np.ndarray:
    try:
        data = np.fromfile(str(path), dtype=np.uint8)  # np.fromfile copes with non-ASCII paths
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror or e}") from None
    if data.size == 0:
        raise InputError("the file is empty")
    return data


def decode_image(data: np.ndarray) -> np.ndarray:
    """Decode one image from its file bytes (uint8 (N,)); see ``LoadedPage.image`` for what comes back.

    Raises:
        InputError: not an image, or too large.
    """
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if img is None or img.size == 0:
        raise InputError("not a readable image (corrupt or unsupported format)")
    _check_size(img.shape[1], img.shape[0])
    return img


def _check_size(width: float, height: float) -> None:
    if width * height > MAX_PIXELS:
        raise InputError(f"image too large: {int(width)} x {int(height)} pixels")


def _tiff_pages(data: np.ndarray) -> list[np.ndarray]:
    ok, mats = cv2.imdecodemulti(data, cv2.IMREAD_UNCHANGED)
    if not ok or not mats:
        raise InputError("not a readable image (corrupt or unsupported format)")
    for m in mats:
        _check_size(m.shape[1], m.shape[0])
    return list(mats)


def _tiff_frame_count(data: np.ndarray) -> int | None:
    """How many frames a classic (not Big) TIFF holds, from its directory chain, without decoding any.

    Args:
        data: the file's bytes, uint8 (N,).
    Returns:
        the number of directories reached (a broken link ends the chain), or None when ``data`` is not
        a classic TIFF or has no readable directory.
    """
    buf = memoryview(data)
    if len(buf) < 8 or bytes(buf[:2]) not in (b"II", b"MM"):
        return None
    order = "<" if bytes(buf[:2]) == b"II" else ">"
    if struct.unpack_from(order + "H", buf, 2)[0] != 42:
        return None
    offset, seen = struct.unpack_from(order + "I", buf, 4)[0], set()
    while offset and offset not in seen and offset + 2 <= len(buf):
        seen.add(offset)
        entries = struct.unpack_from(order + "H", buf, offset)[0]
        link = offset + 2 + 12 * entries
        offset = struct.unpack_from(order + "I", buf, link)[0] if link + 4 <= len(buf) else 0
    return len(seen) or None


def _tiff_frame(data: np.ndarray, index: int) -> np.ndarray:
    """Decode frame ``index`` (0-based) of a TIFF alone; see ``LoadedPage.image``.

    Raises:
        InputError: the frame cannot be decoded or is too large.
    """
    try:
        ok, mats = cv2.imdecodemulti(data, cv2.IMREAD_UNCHANGED, range=(index, index + 1))
    except cv2.error:
        ok, mats = False, []
    if not ok or not mats or mats[0].size == 0:
        raise InputError("the page cannot be read (damaged TIFF frame)")
    _check_size(mats[0].shape[1], mats[0].shape[0])
    return mats[0]


@functools.cache
def _can_decode_one_frame() -> bool:
    """Whether ``cv2.imdecodemulti`` takes a ``range`` (older releases refuse the keyword)."""
    try:
        cv2.imdecodemulti(np.zeros(0, np.uint8), cv2.IMREAD_UNCHANGED, range=(0, 1))
    except TypeError:
        return False
    except cv2.error:  # the empty buffer: the keyword itself was taken
        pass
    return True


def _tiff_document(data: np.ndarray, pages: PageSelection | None) -> tuple[list[int], Iterator[LoadedPage]]:
    """A multi-page TIFF's selected pages, decoded one at a time; a damaged frame fails only its page.

    Falls back to decoding every frame at once where the frames cannot be counted (not a classic
    TIFF) or where this OpenCV's ``imdecodemulti`` takes no frame range.
    """
    count = _tiff_frame_count(data) if _can_decode_one_frame() else None
    if count is None:
        images = _tiff_pages(data)
        numbers = _selected(len(images), pages)
        return numbers, (LoadedPage(n, images[n - 1]) for n in numbers)
    numbers = _selected(count, pages)
    return numbers, _tiff_frames(data, numbers)


def _tiff_frames(data: np.ndarray, numbers: list[int]) -> Iterator[LoadedPage]:
    for n in numbers:
        try:
            yield LoadedPage(n, _tiff_frame(data, n - 1))
        except InputError as e:
            yield LoadedPage(n, error=str(e))


def _open_pdf(path: Path):
    import pypdfium2 as pdfium  # imported here: only PDFs need it

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        reason = str(e).replace("Failed to load document", "").strip(" .()") or "corrupt"
        raise InputError(f"not a readable PDF ({reason.removeprefix('PDFium: ')})") from None


def render_pdf_page(doc, index: int, dpi: int = PDF_DPI) -> np.ndarray:
    """Render page ``index`` (0-based) of an open ``pypdfium2.PdfDocument``: uint8 (H, W) gray.

    Raises:
        InputError: the page cannot be loaded or would be too large at ``dpi``.
    """
    import pypdfium2 as pdfium

    try:
        page = doc[index]
    except pdfium.PdfiumError:
        raise InputError("the page cannot be read (damaged PDF page)") from None
    try:
        w, h = page.get_size()
        scale = dpi / 72.0
        _check_size(w * scale, h * scale)
        bitmap = page.render(scale=scale, grayscale=True)
        image = bitmap.to_numpy()
        if image.ndim == 3:  # some PDFium builds hand back BGR(A) even when asked for gray
            image = cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
        return np.ascontiguousarray(image)
    except pdfium.PdfiumError as e:
        raise InputError(f"the page cannot be rendered ({e})") from None
    except MemoryError:
        raise InputError("out of memory rendering the page") from None
    finally:
        page.close()


def page_count(path: str | Path) -> int:
    """How many pages ``path`` has (1 for single images).

    Raises:
        InputError: unreadable.
    """
    p = Path(path)
    if is_pdf(p):
        doc = _open_pdf(p)
        try:
            return len(doc)
        finally:
            doc.close()
    if is_tiff(p):
        data = _read_bytes(p)
        return _tiff_frame_count(data) or len(_tiff_pages(data))
    return 1


def open_document(path: str | Path, pages: PageSelection | None = None, *,
                  dpi: int = PDF_DPI) -> tuple[list[int], Iterator[LoadedPage]]:
    """Open an image, multi-page TIFF or PDF and select its pages.

    Args:
        path: the file.
        pages: 1-based page numbers to read (None: all); numbers past the end are ignored.
        dpi: resolution PDF pages are rendered at.
    Returns:
        the 1-based numbers of the pages that will be read, and an iterator over them
        (``LoadedPage``, in page order; a page that cannot be read carries ``error``).
    Raises:
        InputError: the file cannot be opened or read, or no selected page exists.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory")
    if not p.exists():
        raise InputError("no such file")
    if is_pdf(p):
        doc = _open_pdf(p)
        try:
            numbers = _selected(len(doc), pages)
        except InputError:
            doc.close()
            raise
        return numbers, _pdf_pages(p, doc, numbers, dpi)
    data = _read_bytes(p)
    if is_tiff(p):
        return _tiff_document(data, pages)
    numbers = _selected(1, pages)
    return numbers, iter([LoadedPage(1, decode_image(data))])


def _pdf_pages(path: Path, doc, numbers: list[int], dpi: int) -> Iterator[LoadedPage]:
    try:
        for n in numbers:
            try:
                yield LoadedPage(n, render_pdf_page(doc, n - 1, dpi))
            except InputError as e:
                log.info("%s: page %d: %s", path, n, e)
                yield LoadedPage(n, error=str(e))
    finally:
        doc.close()


def load_pages(path: str | Path, pages: PageSelection | None = None, *, dpi: int = PDF_DPI) -> Iterator[LoadedPage]:
    """The selected pages of a document, one at a time (``open_document`` without the page list).

    Raises:
        InputError: as ``open_document``, when iteration starts.
    """
    yield from open_document(path, pages, dpi=dpi)[1]
