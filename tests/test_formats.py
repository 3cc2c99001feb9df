"""formats: one file's pages in text, JSON or hOCR, written whole by the one writer the CLI and the app share."""

import json
import xml.etree.ElementTree as ET

import pytest

from hwr_desktop.formats import format_of, render_pages, write_pages
from hwr_desktop.recognizer import ModelInfo
from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult

INFO = ModelInfo("model.onnx", tuple("0123456789"), "v1", {})


def page(text: str, number: int = 1) -> PageResult:
    """A page of one word, a glyph per character."""
    glyphs = tuple(GlyphResult((10 * i, 0, 10 * i + 8, 20), c, 0.8, (Candidate(c, 0.8),)) for i, c in enumerate(text))
    box = (0, 0, 10 * len(text), 20)
    return PageResult(100, 40, text, (LineResult(box, text, (WordResult(box, text, glyphs),)),), page=number)


def test_the_three_formats_of_a_files_pages():
    pages = [page("12", 1), page("7", 2)]
    assert render_pages("scan.pdf", pages, "text", INFO) == "12\n\f\n7\n"
    doc = json.loads(render_pages("scan.pdf", pages, "json", INFO))
    assert doc["model"]["path"] == "model.onnx" and doc["files"][0]["file"] == "scan.pdf"
    assert [p["text"] for p in doc["files"][0]["pages"]] == ["12", "7"]
    root = ET.fromstring(render_pages("scan.pdf", pages, "hocr", INFO).encode())
    assert len([e for e in root.iter() if e.get("class") == "ocr_page"]) == 2


def test_write_pages_makes_the_folder_and_writes_whole(tmp_path):
    target = tmp_path / "a" / "b" / "out.json"
    write_pages(target, "x.png", [page("3")], "json", INFO)
    assert json.loads(target.read_text(encoding="utf-8"))["files"][0]["pages"][0]["text"] == "3"
    with pytest.raises(OSError):
        write_pages(tmp_path / "a", "x.png", [page("3")], "text", INFO)  # a folder is in the way
    assert target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_the_suffix_names_the_format():
    assert [format_of(n) for n in ("a.txt", "a.JSON", "b.hocr", "c", "scan.pdf.json", "notes.md")] == \
        ["text", "json", "hocr", "text", "json", "text"]
