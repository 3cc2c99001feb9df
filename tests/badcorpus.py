"""A corpus of strange, broken and hostile input files, written on demand (nothing large lives in the repo).

``make_corpus(folder)`` writes every case and returns them as ``Case`` records. Each case says what
must happen when it is recognized: ``"error"`` (an ``InputError``, one line), ``"ok"`` (read, maybe
with no text), or ``"either"`` (a decoder may salvage it or refuse it; both are fine, a crash is not).
Used by ``tests/test_bad_inputs.py`` and ``benchmarks/fuzz_loaders.py``.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

Expect = str  # "error" | "ok" | "either"


@dataclass(frozen=True)
class Case:
    """One bad input: ``kind`` groups cases for the report, ``reason`` is a fragment the error must contain."""

    name: str
    kind: str
    path: Path
    expect: Expect
    reason: str = ""


def page(h: int = 240, w: int = 400) -> np.ndarray:
    """A light page with three dark bars: uint8 (h, w)."""
    img = np.full((h, w), 235, np.uint8)
    for k in range(3):
        cv2.line(img, (30 + 40 * k, 60), (30 + 40 * k, 140), 20, 5)
    return img


def encode(ext: str, image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return buf.tobytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, depth: int = 8, color: int = 0, idat: bytes = b"") -> bytes:
    """A PNG whose IHDR claims ``width`` x ``height``; ``idat`` the compressed data (default none)."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of ``side`` x ``side`` white pixels: a few kB on disk, ``side**2`` bytes decoded."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    z = zlib.compressobj(9)
    data = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    return png_header(side, side, depth=1, color=0, idat=data)


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, a baseline SOF0 claiming ``width`` x ``height`` (one component), EOI."""
    sof = struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def tiff_header(width: int, height: int) -> bytes:
    """A little-endian TIFF whose one directory claims ``width`` x ``height`` 8-bit gray, with one tiny strip."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 16)]
    ifd_at = 8 + 16
    out = b"II*\x00" + struct.pack("<I", ifd_at) + b"\x00" * 16 + struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        out += struct.pack("<HHI", tag, typ, count) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
    return out + struct.pack("<I", 0)


def bmp_header(width: int, height: int) -> bytes:
    """A BMP file and info header claiming ``width`` x ``height`` at 8 bits, and no pixels."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info


def webp_header(width: int, height: int) -> bytes:
    """A RIFF WebP with a VP8X chunk claiming a ``width`` x ``height`` canvas, and nothing to decode."""
    vp8x = bytes([0, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf(pages: int, *, page_kids: str | None = None, encrypt: bool = False) -> bytes:
    """A small hand-written PDF: ``pages`` blank Letter pages sharing one page object's content.

    Args:
        page_kids: the page tree's /Kids array text in place of the real pages (to break it).
        encrypt: add a standard-security /Encrypt dictionary whose user password is not empty.
    """
    objs = {1: "<< /Type /Catalog /Pages 2 0 R >>"}
    first = 4
    kids = page_kids or "[" + " ".join(f"{first + i} 0 R" for i in range(pages)) + "]"
    objs[2] = f"<< /Type /Pages /Kids {kids} /Count {pages} >>"
    objs[3] = "<< /Length 0 >>\nstream\n\nendstream"
    for i in range(pages):
        objs[first + i] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    n = first + pages
    if encrypt:
        objs[n] = ("<< /Filter /Standard /V 1 /R 2 /P -44 "
                   "/O <" + "ab" * 32 + "> /U <" + "cd" * 32 + "> >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += f"{k} 0 obj\n{objs[k]}\nendobj\n".encode()
    xref = len(out)
    size = max(objs) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for k in range(1, size):
        out += f"{offsets[k]:010d} 00000 n \n".encode()
    trailer = f"<< /Size {size} /Root 1 0 R"
    if encrypt:
        trailer += f" /Encrypt {n} 0 R /ID [<{'01' * 16}> <{'01' * 16}>]"
    out += f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def ink_doc(strokes: list) -> dict:
    return {"format": "hwr-ink", "version": 1, "strokes": [{"points": s} for s in strokes]}


def good_stroke(x: float = 10.0) -> list:
    return [[x, 10.0, 0.5, 0.0], [x + 2, 60.0, 0.5, 80.0]]


def make_corpus(folder: str | Path) -> list[Case]:
    """Write every bad input into ``folder`` and return the cases."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, kind: str, data: bytes | str, expect: Expect, reason: str = "") -> None:
        path = d / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, kind, path, expect, reason))

    img = page()
    png, jpg, tif = encode(".png", img), encode(".jpg", img), encode(".tif", img)
    # --- image files ---
    add("empty.png", "empty file", b"", "error", "empty")
    add("empty.pdf", "empty file", b"", "error", "empty")
    add("empty.ink.json", "empty file", b"", "error", "JSON")
    add("truncated.png", "truncated image", png[: len(png) // 2], "either")
    add("truncated-header.png", "truncated image", png[:20], "error")
    add("truncated.jpg", "truncated image", jpg[: len(jpg) // 2], "either")
    add("truncated.tif", "truncated image", tif[: len(tif) // 2], "either")
    add("jpeg-named.png", "wrong extension", jpg, "ok")
    add("png-named.pdf", "wrong extension", png, "error", "PDF")
    add("pdf-named.png", "wrong extension", pdf(1), "error", "not a readable image")
    add("text.png", "not an image", "hello, this is not an image\n" * 10, "error", "not a readable image")
    add("random.jpg", "not an image", np.random.default_rng(0).integers(0, 256, 4096, np.uint8).tobytes(), "error")
    add("gray16.png", "unusual image", encode(".png", img.astype(np.uint16) * 257), "ok")
    rgba = cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA)
    rgba[:, :200, 3] = 0  # half transparent
    add("alpha.png", "unusual image", encode(".png", rgba), "ok")
    add("palette.png", "unusual image", _palette_png(img), "ok")
    add("one-pixel.png", "unusual image", encode(".png", np.zeros((1, 1), np.uint8)), "ok")
    add("all-white.png", "blank page", encode(".png", np.full((800, 600), 255, np.uint8)), "ok")
    add("all-black.png", "blank page", encode(".png", np.zeros((800, 600), np.uint8)), "ok")
    for name, data in [("bomb-header.png", png_header(60000, 60000)), ("bomb-30k.png", png_header(30000, 30000)),
                       ("bomb.png", png_bomb(20000)), ("bomb.jpg", jpeg_header(60000, 60000)),
                       ("bomb.tif", tiff_header(60000, 60000)), ("bomb.bmp", bmp_header(60000, 60000)),
                       ("bomb.webp", webp_header(16000, 16000))]:
        add(name, "decompression bomb", data, "error", "too large")
    # --- PDFs ---
    add("encrypted.pdf", "PDF", pdf(1, encrypt=True), "error", "password")
    add("no-pages.pdf", "PDF", pdf(0), "error", "no pages")
    add("pages-10000.pdf", "PDF", pdf(10_000), "error", "10,000 pages")
    add("broken-tree.pdf", "PDF", pdf(2, page_kids="[1 0 R 3 0 R]"), "either")
    add("truncated.pdf", "PDF", pdf(2)[:200], "either")
    add("garbage.pdf", "PDF", b"%PDF-1.4\n" + b"\x00garbage" * 100, "error", "PDF")
    # --- paths ---
    add("with spaces é ü 漢字.png", "path", png, "ok")
    # --- ink files ---
    add("not-json.ink.json", "ink file", "{strokes: [", "error", "JSON")
    add("binary.ink.json", "ink file", b"\xff\xfe\x00garbage", "error")
    add("list.ink.json", "ink file", "[1, 2, 3]", "error", "object")
    add("wrong-format.ink.json", "ink file", json.dumps({"format": "svg", "version": 1, "strokes": []}), "error", "format")
    add("wrong-version.ink.json", "ink file", json.dumps({**ink_doc([]), "version": 99}), "error", "version")
    add("bool-version.ink.json", "ink file", json.dumps({**ink_doc([]), "version": True}), "error", "version")
    add("no-strokes.ink.json", "ink file", json.dumps({"format": "hwr-ink", "version": 1}), "error", "strokes")
    add("nan.ink.json", "ink file", '{"format":"hwr-ink","version":1,"strokes":[{"points":[[NaN,1],[2,3]]}]}',
        "error", "NaN")
    add("infinity.ink.json", "ink file", '{"format":"hwr-ink","version":1,"strokes":[{"points":[[1e999,1],[2,3]]}]}',
        "error", "NaN")
    add("huge-coords.ink.json", "ink file", json.dumps(ink_doc([[[1e300, 5.0], [2.0, 3.0]]])), "error", "exceeds")
    add("far-apart.ink.json", "ink file", json.dumps(ink_doc([good_stroke(0), [[999999.0, 999999.0], [999990, 999960]]])),
        "ok")
    add("string-points.ink.json", "ink file", json.dumps(ink_doc([[["1", "2"], ["3", "4"]]])), "error", "numbers")
    add("ragged.ink.json", "ink file", json.dumps(ink_doc([[[1, 2], [3, 4, 0.5]]])), "error", "lengths")
    add("deep.ink.json", "ink file", "[" * 100_000 + "]" * 100_000, "error")
    add("empty-strokes.ink.json", "ink file", json.dumps(ink_doc([[], [], good_stroke()])), "ok")
    add("only-empty-strokes.ink.json", "ink file", json.dumps(ink_doc([[], []])), "ok")
    return cases


def add_unreadable(folder: str | Path) -> Case | None:
    """A PNG nobody may read (mode 000); None where permissions do not bind (running as root, Windows)."""
    if os.name != "posix" or os.geteuid() == 0:
        return None
    path = Path(folder) / "unreadable.png"
    path.write_bytes(encode(".png", page()))
    path.chmod(0)
    return Case(path.name, "path", path, "error", "permission")


def _palette_png(img: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(buf, format="PNG")
    return buf.getvalue()


def make_models(folder: str | Path, shipped: str | Path) -> list[Case]:
    """Broken model files made from the ``shipped`` one: each must give a ``ModelError`` naming the file."""
    import onnx

    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    data = Path(shipped).read_bytes()
    cases = [Case("missing.onnx", "model", d / "missing.onnx", "error", "not found")]
    for name, blob in [("empty.onnx", b""), ("truncated.onnx", data[: len(data) // 2]), ("text.onnx", b"not a model\n")]:
        (d / name).write_bytes(blob)
        cases.append(Case(name, "model", d / name, "error", name))
    for name, key, value in [("labels-missing.onnx", "hwr_labels", None), ("labels-two.onnx", "hwr_labels", '["0", "1"]'),
                             ("labels-not-json.onnx", "hwr_labels", "{oops"),
                             ("labels-words.onnx", "hwr_labels", json.dumps(["ab"] * 62)),
                             ("preprocess-old.onnx", "hwr_preprocess", "old-1")]:
        m = onnx.load_from_string(data)
        props = [p for p in m.metadata_props if p.key != key]
        del m.metadata_props[:]
        m.metadata_props.extend(props)
        if value is not None:
            m.metadata_props.add(key=key, value=value)
        onnx.save(m, str(d / name))
        cases.append(Case(name, "model", d / name, "error", name))
    return cases
