"""Strange, broken and hostile inputs (``badcorpus``): each gives a one-line InputError or a result,
never a crash or a hang, and the good files of the same run still come out."""

from __future__ import annotations

import os
import time

import cv2
import numpy as np
import pytest

import badcorpus
from hwr_desktop import cli, documents
from hwr_desktop.errors import InputError, ModelError
from hwr_desktop.pipeline import recognize_file
from hwr_desktop.recognizer import Recognizer, default_model_path

SECONDS_PER_INPUT = 5.0  # far above what any case takes (the slowest, a 20,000 x 20,000 bomb, is refused unread)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    cases = badcorpus.make_corpus(folder)
    unreadable = badcorpus.add_unreadable(folder)
    return cases + ([unreadable] if unreadable else [])


def test_every_bad_input_is_one_input_error_or_a_result(corpus, fake):
    for case in corpus:
        start = time.perf_counter()
        try:
            pages = recognize_file(case.path, fake)
            messages = [p.error for p in pages if p.error is not None]  # a page that fails alone
        except InputError as e:
            messages = [str(e)]
        assert time.perf_counter() - start < SECONDS_PER_INPUT, case.name
        outcome = "error" if messages else "ok"
        assert case.expect in (outcome, "either"), (case.name, outcome)
        for message in messages:
            assert message and "\n" not in message, case.name
            assert case.reason.lower() in message.lower(), (case.name, message)


def test_the_cli_reports_each_on_one_line_and_reads_the_good_file(corpus, tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), badcorpus.page())
    errors = [c for c in corpus if c.expect == "error"]
    start = time.perf_counter()
    code = cli.main(["recognize", "--no-progress", *[str(c.path) for c in errors], str(good)])
    out, err = capsys.readouterr()
    assert time.perf_counter() - start < SECONDS_PER_INPUT * len(errors)
    assert code == 1
    lines = err.splitlines()
    assert "Traceback" not in err
    for case in errors:
        mine = [line for line in lines if line.startswith(f"hwr: {case.path}: ")]
        assert len(mine) == 1, (case.name, mine)
    assert f"==> {good} <==" in out and out.rstrip().splitlines()[-1].strip()  # the good page's text


def test_the_console_shows_only_one_line_per_bad_file(corpus, tmp_path):
    """No decoder chatter, no traceback: run as a user would, in a fresh process."""
    import subprocess
    import sys
    from pathlib import Path

    bad = [c for c in corpus if c.kind in ("truncated image", "not an image", "decompression bomb", "PDF")]
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), badcorpus.page())
    run = subprocess.run([sys.executable, "-m", "hwr_desktop.cli", "recognize", "--no-progress", "--no-lexicon",
                          *[str(c.path) for c in bad], str(good)], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1], env={**os.environ, "HWR_MAX_PAGES": "2000"})
    lines = run.stderr.splitlines()
    assert run.returncode == 1 and lines and all(line.startswith("hwr: ") for line in lines), run.stderr
    assert f"==> {good} <==" in run.stdout


def test_a_ten_thousand_page_pdf_is_read_when_pages_are_chosen(tmp_path, fake):
    path = tmp_path / "long.pdf"
    path.write_bytes(badcorpus.pdf(10_000))
    start = time.perf_counter()
    pages = recognize_file(path, fake, pages=frozenset({1, 9_999}))
    assert [p.page for p in pages] == [1, 9_999] and time.perf_counter() - start < SECONDS_PER_INPUT
    assert documents.page_count(path) == 10_000


def test_the_page_limit_can_be_changed(tmp_path, fake, monkeypatch):
    path = tmp_path / "three.pdf"
    path.write_bytes(badcorpus.pdf(3))
    monkeypatch.setenv("HWR_MAX_PAGES", "2")
    with pytest.raises(InputError, match="3 pages, more than the 2"):
        recognize_file(path, fake)
    assert len(recognize_file(path, fake, pages=frozenset({1, 2, 3}))) == 3


def test_the_pixel_limit_is_checked_before_decoding_and_can_be_changed(tmp_path, fake, monkeypatch):
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), badcorpus.page(240, 400))
    assert recognize_file(path, fake)
    monkeypatch.setenv("HWR_MAX_PIXELS", "50000")

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a page over the limit")

    monkeypatch.setattr(documents.cv2, "imdecode", no_decoding)
    with pytest.raises(InputError, match=r"400 x 240 pixels \(the limit is 50,000"):
        recognize_file(path, fake)
    monkeypatch.setenv("HWR_MAX_PIXELS", "nonsense")  # ignored, with a warning: the default holds
    assert documents.max_pixels() == documents.MAX_PIXELS


@pytest.mark.parametrize("make, size", [
    (lambda: badcorpus.png_header(123, 45), (123, 45)),
    (lambda: badcorpus.jpeg_header(640, 480), (640, 480)),
    (lambda: badcorpus.tiff_header(70, 80), (70, 80)),
    (lambda: badcorpus.bmp_header(9, -7), (9, 7)),
    (lambda: badcorpus.webp_header(300, 200), (300, 200)),
    (lambda: badcorpus.encode(".png", np.zeros((31, 17), np.uint8)), (17, 31)),
    (lambda: badcorpus.encode(".jpg", np.zeros((31, 17), np.uint8)), (17, 31)),
    (lambda: badcorpus.encode(".tif", np.zeros((31, 17), np.uint8)), (17, 31)),
    (lambda: badcorpus.encode(".bmp", np.zeros((31, 17), np.uint8)), (17, 31)),
    (lambda: badcorpus.encode(".webp", np.zeros((31, 17, 3), np.uint8)), (17, 31)),
    (lambda: b"P5\n17 31\n255\n", None),
    (lambda: b"", None),
])
def test_header_sizes(make, size):
    assert documents.header_size(make()) == size


def test_huge_ink_files_are_refused_unread(tmp_path, monkeypatch):
    from hwr_desktop import ink

    path = tmp_path / "big.ink.json"
    path.write_text('{"format": "hwr-ink", "version": 1, "strokes": []}' + " " * 2000)
    monkeypatch.setattr(ink, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match="too large"):
        ink.load_ink(path)


@pytest.fixture(scope="module")
def bad_models(tmp_path_factory):
    return badcorpus.make_models(tmp_path_factory.mktemp("models"), default_model_path())


def test_every_bad_model_is_a_model_error_naming_the_file(bad_models):
    for case in bad_models:
        with pytest.raises(ModelError) as e:
            Recognizer.from_path(case.path)
        assert case.name in str(e.value) and "\n" not in str(e.value), case.name


def test_the_cli_reports_a_bad_model_on_one_line(bad_models, tmp_path, capsys):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), badcorpus.page())
    for case in bad_models:
        assert cli.main(["recognize", "--model", str(case.path), str(good)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("hwr: model: ") and case.name in err, case.name
