import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from hwr_desktop import cli
from hwr_desktop.decoding import MODES


@pytest.fixture
def page(tmp_path):
    img = np.full((100, 300), 235, np.uint8)
    for x in (20, 60, 180):
        cv2.line(img, (x, 20), (x, 80), 20, 4)
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), img)
    return path


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_plain_output(page, capsys):
    code, out, err = run(["recognize", "--mode", "digits", str(page)], capsys)
    assert code == 0 and err == ""
    assert out == "11 1\n"


def test_several_files_get_headers_and_failures_do_not_stop_the_run(page, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    code, out, err = run(["recognize", "--mode", "digits", str(page), str(bad), str(page)], capsys)
    assert code == 1
    assert out.count(f"==> {page} <==") == 2 and out.count("11 1") == 2
    assert err.strip() == f"hwr: {bad}: not a readable image (corrupt or unsupported format)"
    assert "Traceback" not in err


def test_json_document(page, tmp_path, capsys):
    code, out, _ = run(["recognize", "--json", "--top-k", "2", str(page), str(tmp_path / "gone.png")], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["model"]["classes"].startswith("0123456789ABC")
    ok, gone = doc["files"]
    assert gone == {"file": str(tmp_path / "gone.png"), "error": "no such file"}
    (p,) = ok["pages"]
    assert (p["width"], p["height"]) == (300, 100)
    line = p["lines"][0]
    assert [w["text"] for w in line["words"]] == [w for w in p["text"].split()]
    glyph = line["words"][0]["glyphs"][0]
    assert set(glyph) == {"box", "char", "confidence", "alternatives"}
    assert len(glyph["alternatives"]) == 2 and set(glyph["alternatives"][0]) == {"char", "p"}
    assert glyph["box"][0] <= 20 <= glyph["box"][2]


def test_ink_file(resources_dir, capsys):
    code, out, _ = run(["recognize", str(resources_dir / "omniglot_hello.ink.json")], capsys)
    assert code == 0 and out.strip() == "hello"  # its two l written apart stay two with the line recognizer on
    code, out, _ = run(["recognize", "--no-line-model", str(resources_dir / "omniglot_hello.ink.json")], capsys)
    assert code == 0 and len(out.strip()) == 5


def test_usage_errors_exit_2(capsys):
    for argv in (["recognize"], ["recognize", "--top-k", "0", "x.png"], ["recognize", "--mode", "greek", "x.png"], []):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 2


def test_missing_model_is_one_line(page, tmp_path, capsys):
    code, out, err = run(["recognize", "--model", str(tmp_path / "m.onnx"), str(page)], capsys)
    assert code == 1 and err.count("\n") == 1 and "model file not found" in err


def test_modes_match_the_decoder():
    assert cli.MODES == MODES


def test_console_script_help_runs_without_heavy_imports():
    code = "import sys; from hwr_desktop import cli; cli.build_parser(); print(sorted(m for m in ('cv2','onnxruntime','numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lexicon_options(page, tmp_path, capsys):
    words = tmp_path / "words.txt"
    words.write_text("zyx\n")
    assert run(["recognize", "--mode", "digits", "--lexicon", str(words), str(page)], capsys)[0] == 0
    code, _, err = run(["recognize", "--lexicon", str(tmp_path / "none.txt"), str(page)], capsys)
    assert code == 1 and err.startswith("hwr: lexicon: cannot read word list")
    code, _, err = run(["recognize", "--no-lexicon", "--lexicon", str(words), str(page)], capsys)
    assert code == 2 and "disagree" in err
    assert run(["recognize", "--no-lexicon", "--mode", "digits", str(page)], capsys)[:2] == (0, "11 1\n")


def test_no_context_gives_each_glyphs_own_reading(tmp_path, capsys):
    img = np.full((100, 300), 235, np.uint8)
    for x in (20, 60):
        cv2.line(img, (x, 20), (x, 80), 20, 4)
    path = tmp_path / "two.png"
    cv2.imwrite(str(path), img)
    code, out, _ = run(["recognize", "--no-context", "--json", str(path)], capsys)
    glyphs = [g for l in json.loads(out)["files"][0]["pages"][0]["lines"] for w in l["words"] for g in w["glyphs"]]
    assert code == 0 and len(glyphs) == 2
    assert all(g["char"] == g["alternatives"][0]["char"] for g in glyphs)


def _bar_sample_export(path, label):
    """An exported samples npz holding one glyph: a bar like the page fixture's, corrected to ``label``."""
    from hwr_desktop.binarize import binarize
    from hwr_desktop.normalize import normalize_glyph
    from hwr_desktop.personal import glyph_to_uint8
    from hwr_desktop.pipeline import single_glyph_mask

    img = np.full((100, 100), 235, np.uint8)
    cv2.line(img, (50, 20), (50, 80), 20, 4)
    glyph = glyph_to_uint8(normalize_glyph(single_glyph_mask(binarize(img))))
    np.savez(path, x=glyph[None], y=np.array([0]), classes=np.array([label]))
    return path


def test_samples_teach_the_cli_your_handwriting(page, tmp_path, capsys):
    assert run(["recognize", "--mode", "digits", str(page)], capsys)[:2] == (0, "11 1\n")
    export = _bar_sample_export(tmp_path / "mine.npz", "7")  # "my 7 is a bar"
    assert run(["recognize", "--mode", "digits", "--samples", str(export), str(page)], capsys)[:2] == (0, "77 7\n")
    code, out, err = run(["recognize", "--samples", str(tmp_path / "nowhere"), str(page)], capsys)
    assert code == 1 and out == "" and err.startswith("hwr: samples: ") and "nowhere" in err
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    code, _, err = run(["recognize", "--samples", str(bad), str(page)], capsys)
    assert code == 1 and "not a samples export" in err


def test_decoder_warnings_never_reach_stderr(page, tmp_path):
    """libpng and libjpeg print on the C-level stderr; only the CLI's own lines may come out."""
    rng = np.random.default_rng(0)
    noisy = cv2.imread(str(page), cv2.IMREAD_GRAYSCALE) - rng.integers(0, 40, (100, 300), dtype=np.uint8)
    png = cv2.imencode(".png", noisy)[1].tobytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(png[: len(png) // 2])  # "libpng error: PNG input buffer is incomplete"
    jpeg = bytearray(cv2.imencode(".jpg", noisy)[1].tobytes())
    jpeg[len(jpeg) // 2 : len(jpeg) // 2 + 16] = bytes(16)  # "Corrupt JPEG data: premature end of data segment"
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(bytes(jpeg))
    out = subprocess.run([sys.executable, "-m", "hwr_desktop.cli", "recognize", "--no-progress", str(truncated),
                          str(corrupt)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and f"==> {corrupt} <==" in out.stdout  # the corrupt JPEG still decodes
    assert out.stderr.splitlines() == [f"hwr: {truncated}: not a readable image (corrupt or unsupported format)"]


def test_an_output_that_cannot_be_written_is_one_line(page, tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")
    code, out, err = run(["recognize", "--mode", "digits", "--out", str(blocker), str(page)], capsys)
    assert code == 1 and out == ""
    assert err.startswith(f"hwr: {blocker / 'page.png.txt'}: cannot write: ") and err.count("\n") == 1


def test_json_words_carry_their_alternatives(page, capsys):
    code, out, _ = run(["recognize", "--json", "--mode", "digits", "--top-k", "3", str(page)], capsys)
    assert code == 0
    first, lone = json.loads(out)["files"][0]["pages"][0]["lines"][0]["words"]
    assert first["text"] == "11" and first["alternatives"][0] == "11"
    assert 1 < len(first["alternatives"]) <= 5 and all(len(a) == 2 and a.isdigit() for a in first["alternatives"])
    assert "alternatives" not in lone  # one glyph: its own alternatives
    code, out, _ = run(["recognize", "--json", "--word-alternatives", "0", str(page)], capsys)
    words = json.loads(out)["files"][0]["pages"][0]["lines"][0]["words"]
    assert code == 0 and all("alternatives" not in w for w in words)
    with pytest.raises(SystemExit):
        cli.main(["recognize", "--word-alternatives", "-1", str(page)])
    assert "must be at least 0" in capsys.readouterr().err
