"""Documents -> page images: single images, multi-page TIFF and PDF, with page selection.

A document is read page by page (``load_pages`` is a generator), so a long PDF
never sits in memory whole. A page that cannot be read is reported as a
``LoadedPage`` with an ``error``; the other pages still come out. A file that
cannot be opened at all raises ``InputError``.

PDF pages are rendered at 300 dpi by PDFium (``pypdfium2``), in gray. TIFF
frames are counted from the file's directory chain and decoded one at a time,
so a damaged frame fails only its page (where OpenCV can tell).

Hostile files are refused before they cost memory or time: an image's dimensions are read from its
header (PNG, JPEG, BMP, WebP, GIF, each TIFF frame) and checked against ``max_pixels()`` before any
pixel is decoded (a decompression bomb is a few kB that decode to gigabytes); a PDF page's size is
checked before it is rendered; and a document with more than ``max_pages()`` pages is read only
when pages are chosen. Both limits can be changed with the environment variables
``HWR_MAX_PIXELS`` and ``HWR_MAX_PAGES``.

The decoders keep quiet: OpenCV's log is silenced, and libpng and libjpeg, which print straight to the
C-level stderr ("libpng error: IDAT: CRC error", "Corrupt JPEG data: ..."), decode with file
descriptor 2 pointed elsewhere (``quiet_stderr``); what they said is logged at debug level. The
``InputError`` raised is the one line the user sees.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import struct
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from .errors import InputError

log = logging.getLogger(__name__)

if "OPENCV_LOG_LEVEL" not in os.environ:
    # Decoders' own complaints about a broken file ("[ERROR:0] ... TIFFReadDirectory") would reach the
    # user's terminal beside the one-line InputError that says the same; OPENCV_LOG_LEVEL brings them back.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

PDF_DPI = 300
PDF_SUFFIX = ".pdf"
TIFF_SUFFIXES = (".tif", ".tiff")
MAX_PIXELS = 200_000_000  # refuse larger pages (about 14,000 x 14,000); the default of max_pixels()
MAX_PAGES = 2_000  # a document with more pages is read only when pages are chosen; the default of max_pages()

PageSelection = frozenset[int]  # 1-based page numbers; None (not an empty set) means every page


class _Fd2Redirect:
    """Points file descriptor 2 at a temporary file while at least one thread is inside ``quiet()``.

    The descriptor belongs to the whole process, so the threads share one redirection: the first to
    come in sets it up, the last to leave restores the real stderr and logs what was caught. Anything
    else written to stderr meanwhile (by another thread, for the milliseconds a decode takes) is
    caught with it and logged at debug level. Where descriptor 2 cannot be duplicated (closed, as in
    a windowed app on Windows), nothing is redirected.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None  # a duplicate of the real stderr while redirected
        self._sink = None

    def _enter(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._redirect()

    def _redirect(self) -> None:
        """Point fd 2 at a new temporary file, keeping the real stderr in ``_saved``; on failure, nothing."""
        try:
            sys.stderr.flush()  # what Python wrote before goes where it was meant to
        except (AttributeError, OSError, ValueError):  # no sys.stderr (pythonw), or closed
            pass
        saved = sink = None
        try:
            saved = os.dup(2)
            sink = tempfile.TemporaryFile()
            os.dup2(sink.fileno(), 2)
        except OSError:
            if saved is not None:
                os.close(saved)
            if sink is not None:
                sink.close()
            return
        self._saved, self._sink = saved, sink

    def _leave(self) -> bytes:
        with self._lock:
            self._users -= 1
            if self._users or self._saved is None:
                return b""
            saved, sink, self._saved, self._sink = self._saved, self._sink, None, None
            os.dup2(saved, 2)
            os.close(saved)
            with sink:
                sink.seek(0)
                return sink.read()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        self._enter()
        try:
            yield
        finally:
            caught = self._leave()
            if caught.strip():
                log.debug("decoder said: %s", caught.decode("utf-8", "replace").strip())


_FD2 = _Fd2Redirect()


def quiet_stderr():
    """A context manager that keeps what C libraries print on stderr (fd 2) off the terminal; thread-safe,
    always restores stderr, and logs what was caught at debug level (see ``_Fd2Redirect``)."""
    return _FD2.quiet()


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


def _check_count(count: int, pages: PageSelection | None) -> None:
    """Refuse a document with no pages, or with more than ``max_pages()`` when no pages are chosen.

    Raises:
        InputError: saying how many pages there are and how to choose some.
    """
    if count == 0:
        raise InputError("the document has no pages")
    limit = max_pages()
    if pages is None and count > limit:
        raise InputError(f"the document has {count:,} pages, more than the {limit:,} read at once; "
                         f"choose pages (e.g. --pages 1-{limit}) or set HWR_MAX_PAGES")


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


def _limit(name: str, default: int) -> int:
    """A positive integer from the environment variable ``name``, or ``default`` when unset or invalid."""
    text = os.environ.get(name, "").strip().replace("_", "")
    if not text:
        return default
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if value < 1:
        log.warning("ignoring %s=%r (not a positive number); using %d", name, os.environ[name], default)
        return default
    return value


def max_pixels() -> int:
    """The largest page (width x height) read: ``HWR_MAX_PIXELS`` from the environment, else ``MAX_PIXELS``."""
    return _limit("HWR_MAX_PIXELS", MAX_PIXELS)


def max_pages() -> int:
    """The most pages read from one document when no pages are chosen: ``HWR_MAX_PAGES``, else ``MAX_PAGES``."""
    return _limit("HWR_MAX_PAGES", MAX_PAGES)


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


def decode_image(data: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Decode one image from its file bytes (uint8 (N,)); see ``LoadedPage.image`` for what comes back.

    The dimensions in the file's header are checked before decoding (see ``header_size``).
    Args:
        limit: the most pixels allowed (default ``max_pixels()``).
    Raises:
        InputError: not an image, or too large.
    """
    size = header_size(data)
    if size is not None:
        _check_size(*size, limit)
    try:
        with quiet_stderr():
            img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    except cv2.error as e:  # OpenCV's own size limit, or a decoder that gave up loudly
        if "MAX_IMAGE_PIXELS" in str(e):
            raise InputError("image too large (over OpenCV's limit)") from None
        raise InputError("not a readable image (corrupt or unsupported format)") from None
    except MemoryError:
        raise InputError("out of memory decoding the image") from None
    if img is None or img.size == 0:
        raise InputError("not a readable image (corrupt or unsupported format)")
    _check_size(img.shape[1], img.shape[0], limit)
    return img


def _check_size(width: float, height: float, limit: int | None = None) -> None:
    limit = max_pixels() if limit is None else limit
    if width * height > limit:
        raise InputError(f"image too large: {int(width)} x {int(height)} pixels "
                         f"(the limit is {limit:,} pixels; set HWR_MAX_PIXELS to change it)")


def header_size(data: np.ndarray | bytes) -> tuple[int, int] | None:
    """The (width, height) an image file's header claims, read without decoding any pixel.

    Knows PNG, JPEG, BMP, WebP, GIF and TIFF (its largest frame). Returns None for other formats
    and for headers too short or malformed to say; the decoder then judges the file.
    """
    buf = bytes(memoryview(data)[:1 << 16]) if not isinstance(data, bytes) else data[:1 << 16]
    try:
        if buf.startswith(b"\x89PNG\r\n\x1a\n") and buf[12:16] == b"IHDR":
            return struct.unpack_from(">II", buf, 16)
        if buf.startswith(b"\xff\xd8"):
            return _jpeg_size(buf)
        if buf.startswith(b"BM"):
            if struct.unpack_from("<I", buf, 14)[0] == 12:  # OS/2 core header: 16-bit sizes
                return struct.unpack_from("<HH", buf, 18)
            w, h = struct.unpack_from("<ii", buf, 18)
            return abs(w), abs(h)
        if buf.startswith(b"RIFF") and buf[8:12] == b"WEBP":
            return _webp_size(buf)
        if buf.startswith((b"GIF87a", b"GIF89a")):
            return struct.unpack_from("<HH", buf, 6)
        if buf[:2] in (b"II", b"MM"):
            sizes = [s for s in _tiff_directories(np.frombuffer(data, np.uint8)) if s is not None]
            return max(sizes, key=lambda s: s[0] * s[1]) if sizes else None
    except struct.error:
        return None
    return None


def _jpeg_size(buf: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's first start-of-frame marker (None when none is in ``buf``)."""
    i = 2
    while i + 4 <= len(buf):
        if buf[i] != 0xFF:
            return None
        marker = buf[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD9)):  # no length
            i += 2
            continue
        if marker == 0xDA:  # start of scan: no frame header before it
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack_from(">HH", buf, i + 5)
            return w, h
        i += 2 + struct.unpack_from(">H", buf, i + 2)[0]
    return None


def _webp_size(buf: bytes) -> tuple[int, int] | None:
    chunk = buf[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(buf[24:27], "little"), 1 + int.from_bytes(buf[27:30], "little")
    if chunk == b"VP8 ":
        w, h = struct.unpack_from("<HH", buf, 26)
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L":
        bits = struct.unpack_from("<I", buf, 21)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _tiff_pages(data: np.ndarray) -> list[np.ndarray]:
    size = header_size(data)
    if size is not None:
        _check_size(*size)
    try:
        with quiet_stderr():
            ok, mats = cv2.imdecodemulti(data, cv2.IMREAD_UNCHANGED)
    except cv2.error:
        ok, mats = False, []
    if not ok or not mats:
        raise InputError("not a readable image (corrupt or unsupported format)")
    for m in mats:
        _check_size(m.shape[1], m.shape[0])
    return list(mats)


def _tiff_directories(data: np.ndarray) -> list[tuple[int, int] | None]:
    """The frames of a classic (not Big) TIFF, from its directory chain, without decoding any.

    Args:
        data: the file's bytes, uint8 (N,).
    Returns:
        one entry per directory reached (a broken link ends the chain): the frame's (width, height),
        or None where the directory does not say; empty when ``data`` is not a classic TIFF.
    """
    buf = memoryview(data)
    if len(buf) < 8 or bytes(buf[:2]) not in (b"II", b"MM"):
        return []
    order = "<" if bytes(buf[:2]) == b"II" else ">"
    if struct.unpack_from(order + "H", buf, 2)[0] != 42:
        return []
    offset, seen, frames = struct.unpack_from(order + "I", buf, 4)[0], set(), []
    while offset and offset not in seen and offset + 2 <= len(buf):
        seen.add(offset)
        entries = struct.unpack_from(order + "H", buf, offset)[0]
        dims = {}
        for e in range(offset + 2, min(offset + 2 + 12 * entries, len(buf) - 11), 12):
            tag, kind = struct.unpack_from(order + "HH", buf, e)
            if tag in (256, 257) and kind in (3, 4):
                dims[tag] = struct.unpack_from(order + ("H" if kind == 3 else "I"), buf, e + 8)[0]
        frames.append((dims[256], dims[257]) if len(dims) == 2 else None)
        link = offset + 2 + 12 * entries
        offset = struct.unpack_from(order + "I", buf, link)[0] if link + 4 <= len(buf) else 0
    return frames


def _tiff_frame_count(data: np.ndarray) -> int | None:
    """How many frames a classic TIFF holds (``_tiff_directories``), or None when it cannot be told."""
    return len(_tiff_directories(data)) or None


def _tiff_frame(data: np.ndarray, index: int) -> np.ndarray:
    """Decode frame ``index`` (0-based) of a TIFF alone; see ``LoadedPage.image``.

    Raises:
        InputError: the frame cannot be decoded or is too large.
    """
    frames = _tiff_directories(data)
    if index < len(frames) and frames[index] is not None:
        _check_size(*frames[index])
    try:
        with quiet_stderr():
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
    if count is not None:
        _check_count(count, pages)
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


PDF_LOAD_ERRORS = {  # PDFium's FPDF_ERR_* codes -> what the user is told
    2: "the file cannot be opened",
    3: "not a readable PDF (damaged, or not a PDF)",
    4: "the PDF is password-protected (encrypted); remove the password and try again",
    5: "the PDF is password-protected (encrypted); remove the password and try again",
    6: "the PDF uses a security handler this program does not support",
}
PDF_NO_PAGES = "not a readable PDF (it has no pages, or is damaged)"


def _open_pdf(path: Path):
    import pypdfium2 as pdfium  # imported here: only PDFs need it

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        # PDFium's last error is not cleared by a load that fails without setting one (a document
        # with no pages reports "success" or whatever failed before): the password codes are trusted
        # only when the file names an /Encrypt dictionary.
        if code in (4, 5, 6) and not _mentions_encryption(path):
            code = None
        raise InputError(PDF_LOAD_ERRORS.get(code, PDF_NO_PAGES)) from None


def _mentions_encryption(path: Path, span: int = 1 << 16) -> bool:
    """Whether the first or last ``span`` bytes of a PDF (where its trailers live) name /Encrypt."""
    try:
        with open(path, "rb") as f:
            head = f.read(span)
            f.seek(max(0, f.seek(0, os.SEEK_END) - span))
            return b"/Encrypt" in head or b"/Encrypt" in f.read(span)
    except OSError:
        return False


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


def require_file(path: str | Path) -> Path:
    """``path`` as a Path. Raises InputError when it is a directory or does not exist."""
    p = Path(path)
    if p.is_dir():
        raise InputError("is a directory")
    if not p.exists():
        raise InputError("no such file")
    return p


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
    p = require_file(path)
    if is_pdf(p):
        if p.stat().st_size == 0:
            raise InputError("the file is empty")
        doc = _open_pdf(p)
        try:
            _check_count(len(doc), pages)
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
