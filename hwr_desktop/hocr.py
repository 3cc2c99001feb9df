"""PageResults -> hOCR 1.2 (XHTML), so results drop into existing OCR tooling (hocr-tools, search PDFs).

Classes written: ``ocr_page`` > ``ocr_carea`` > ``ocr_par`` > ``ocr_line`` > ``ocrx_word`` >
``ocrx_cinfo``. Every element carries ``bbox x0 y0 x1 y1`` in the page's pixels; words carry
``x_wconf`` (their lowest glyph confidence, 0-100) and characters ``x_conf`` (0-100), as in the
hOCR specification and Tesseract's output. A page that could not be read is an empty ``ocr_page``
whose title says why (``x_error``, a property outside the specification, which readers ignore).
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from . import __version__
from .results import Box, PageResult, union_box

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<title>{title}</title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="hwr {version}"/>
<meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrx_cinfo"/>
<meta name="ocr-number-of-pages" content="{pages}"/>
</head>
<body>
"""
FOOTER = "</body>\n</html>\n"


def _bbox(box: Box) -> str:
    return f"bbox {box[0]} {box[1]} {box[2]} {box[3]}"


def _attr(text: str) -> str:
    return escape(text, quote=True)


def page_hocr(page: PageResult, image: str, page_index: int) -> list[str]:
    """The ``ocr_page`` element of one page, as lines of XHTML.

    Args:
        image: the input file's name (the page's ``image`` property).
        page_index: 0-based position of this page in the document (element ids and ``ppageno``).
    """
    n = page_index + 1
    title = f'image "{image}"; {_bbox((0, 0, page.width, page.height))}; ppageno {page.page - 1}'
    if page.skew:
        title += f"; textangle {page.skew:.2f}"
    if page.error is not None:
        title += f'; x_error "{page.error}"'
    out = [f'<div class="ocr_page" id="page_{n}" title="{_attr(title)}">']
    paragraphs: dict[int, list] = {}
    for line in page.lines:
        paragraphs.setdefault(line.paragraph, []).append(line)
    word_no = glyph_no = line_no = 0
    for p_no, (_, lines) in enumerate(sorted(paragraphs.items()), 1):
        pbox = union_box(l.box for l in lines)
        out.append(f' <div class="ocr_carea" id="block_{n}_{p_no}" title="{_bbox(pbox)}">')
        out.append(f'  <p class="ocr_par" id="par_{n}_{p_no}" title="{_bbox(pbox)}">')
        for line in lines:
            line_no += 1
            out.append(f'   <span class="ocr_line" id="line_{n}_{line_no}" title="{_bbox(line.box)}">')
            for word in line.words:
                word_no += 1
                conf = min((g.confidence for g in word.glyphs), default=0.0) * 100
                chars = []
                for g in word.glyphs:
                    glyph_no += 1
                    chars.append(f'<span class="ocrx_cinfo" id="char_{n}_{glyph_no}" '
                                 f'title="{_bbox(g.box)}; x_conf {g.confidence * 100:.2f}">{escape(g.char)}</span>')
                out.append(f'    <span class="ocrx_word" id="word_{n}_{word_no}" '
                           f'title="{_bbox(word.box)}; x_wconf {conf:.0f}">{"".join(chars)}</span>')
            out.append("   </span>")
        out.append("  </p>")
        out.append(" </div>")
    out.append("</div>")
    return out


def to_hocr(documents: Sequence[tuple[str, Sequence[PageResult]]], title: str = "") -> str:
    """One hOCR document holding the pages of one or more input files.

    Args:
        documents: (file name, its pages) pairs, in output order.
        title: the document's title (default: the file name when there is one file).
    """
    pages = [(name, p) for name, ps in documents for p in ps]
    if not title and len(documents) == 1:
        title = documents[0][0]
    body = []
    for i, (name, page) in enumerate(pages):
        body.extend(page_hocr(page, name, i))
    return HEADER.format(title=escape(title), version=__version__, pages=len(pages)) + "\n".join(body) + "\n" + FOOTER
