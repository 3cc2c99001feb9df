"""Batch: folders, --out/--resume, formats, and the same outputs from a loop, a process pool and Dask."""

import json
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest

from hwr_desktop import batch, cli, formats
from hwr_desktop.batch import FileOutcome, Options, expand_inputs, in_input_order, run_loop
from hwr_desktop.hocr import to_hocr
from hwr_desktop.pipeline import IMAGE_SUFFIXES, recognize_image

XHTML = "{http://www.w3.org/1999/xhtml}"


def bars_page(groups, size=(420, 420)):
    """Lines of vertical bars; ``groups`` lists per line the bars per word. A None line is left blank."""
    img = np.full(size, 232, np.uint8)
    y = 30
    for line in groups:
        if line is not None:
            x = 20
            for n in line:
                for _ in range(n):
                    cv2.line(img, (x, y), (x, y + 40), 25, 4)
                    x += 22
                x += 40
        y += 65
    return img


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    for i, groups in enumerate([[(2, 1)], [(1,), (3,)], [(2,), None, (1, 1)], [(4,)]]):
        cv2.imwrite(str(d / ("sub" if i == 3 else "") / f"p{i}.png"), bars_page(groups))
    (d / "notes.txt").write_text("not an image")
    (d / "broken.png").write_bytes(b"\x89PNG broken")
    return d


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_folder_inputs_are_found_recursively(folder):
    found = expand_inputs([str(folder)])
    assert [rel for _, rel in found] == ["broken.png", "p0.png", "p1.png", "p2.png", "sub/p3.png"]


def test_paragraph_break_in_text(fake):
    page = recognize_image(bars_page([(2,), (1,), None, None, (3,)]), fake)
    assert page.text == "11\n1\n\n111"
    assert [l.paragraph for l in page.lines] == [0, 0, 1]


def test_hocr_is_valid_xhtml_with_boxes_and_confidences(fake):
    page = recognize_image(bars_page([(2, 1), None, None, (1,)]), fake)
    doc = ET.fromstring(to_hocr([("a&b.png", [page])]).encode())
    body = doc.find(f"{XHTML}body")
    classes = [e.get("class") for e in body.iter() if e.get("class")]
    for cls in ("ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word", "ocrx_cinfo"):
        assert cls in classes
    pages = [e for e in body.iter() if e.get("class") == "ocr_page"]
    assert pages[0].get("title").startswith('image "a&b.png"; bbox 0 0 420 420; ppageno 0')
    assert len([e for e in body.iter() if e.get("class") == "ocr_par"]) == 2
    words = [e for e in body.iter() if e.get("class") == "ocrx_word"]
    assert ["".join(w.itertext()) for w in words] == ["11", "1", "1"]
    first = page.lines[0].words[0]
    assert words[0].get("title") == f"bbox {' '.join(map(str, first.box))}; x_wconf {min(g.confidence for g in first.glyphs) * 100:.0f}"
    chars = [e for e in body.iter() if e.get("class") == "ocrx_cinfo"]
    assert len(chars) == len(page.glyphs) == 4
    for c, g in zip(chars, page.glyphs):
        assert c.get("title") == f"bbox {' '.join(map(str, g.box))}; x_conf {g.confidence * 100:.2f}"
    ids = [e.get("id") for e in body.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_cli_formats(folder, capsys):
    p0 = str(folder / "p0.png")
    code, out, _ = run(["recognize", "--mode", "digits", "--format", "hocr", p0], capsys)
    assert code == 0 and ET.fromstring(out.encode()).tag == f"{XHTML}html"
    code, out, _ = run(["recognize", "--mode", "digits", "--format", "json", p0], capsys)
    assert json.loads(out)["files"][0]["pages"][0]["text"] == "11 1"
    code, out, _ = run(["recognize", "--mode", "digits", "--format", "text", str(folder / "p2.png")], capsys)
    assert out == "11\n\n1 1\n"
    with pytest.raises(SystemExit):
        cli.main(["recognize", "--format", "pdf", p0])
    assert cli.FORMATS == formats.FORMATS


def test_out_and_resume(folder, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, err = run(["recognize", "--mode", "digits", "--out", str(out_dir), str(folder)], capsys)
    assert code == 1 and out == ""
    assert err.strip() == f"hwr: {folder / 'broken.png'}: not a readable image (corrupt or unsupported format)"
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())
    assert written == ["p0.png.txt", "p1.png.txt", "p2.png.txt", "sub/p3.png.txt"]
    assert (out_dir / "p1.png.txt").read_text() == "1\n111\n"
    (out_dir / "p1.png.txt").write_text("kept")
    (out_dir / "p2.png.txt").unlink()
    code, _, err = run(["recognize", "--mode", "digits", "--out", str(out_dir), "--resume", str(folder)], capsys)
    assert (out_dir / "p1.png.txt").read_text() == "kept"  # done already: skipped
    assert (out_dir / "p2.png.txt").read_text() == "11\n\n1 1\n"  # redone
    assert "broken.png" in err  # failed inputs are retried
    code, _, err = run(["recognize", "--resume", str(folder)], capsys)
    assert code == 2 and "--resume needs --out" in err


def _outputs(out_dir):
    return {p.name: p.read_text() for p in sorted(out_dir.rglob("*.json"))}


def _strip_model(text):
    doc = json.loads(text)
    return doc["files"]


def test_pool_gives_the_same_outputs_as_a_loop(folder, tmp_path, capsys):
    args = ["recognize", "--format", "json", str(folder)]
    code1, _, err1 = run(args + ["--jobs", "1", "--out", str(tmp_path / "loop")], capsys)
    code2, _, err2 = run(args + ["--jobs", "2", "--out", str(tmp_path / "pool")], capsys)
    assert (code1, err1) == (code2, err2)
    loop, pool = _outputs(tmp_path / "loop"), _outputs(tmp_path / "pool")
    assert len(loop) == 4 and loop == pool
    code, out, _ = run(["recognize", "--jobs", "2", "--mode", "digits", str(folder)], capsys)
    assert out.index("p0.png") < out.index("p1.png") < out.index("p3.png")  # stdout keeps input order


def test_pool_workers_get_every_option(folder, tmp_path, capsys):
    # --no-context and --no-lexicon must reach the worker processes, not only the loop
    args = ["recognize", "--format", "json", "--no-context", "--no-lexicon", str(folder)]
    assert run(args + ["--jobs", "1", "--out", str(tmp_path / "loop")], capsys)[0] == 1  # broken.png
    assert run(args + ["--jobs", "2", "--out", str(tmp_path / "pool")], capsys)[0] == 1
    assert _outputs(tmp_path / "loop") == _outputs(tmp_path / "pool")
    with_context = ["recognize", "--format", "json", "--jobs", "2", "--out", str(tmp_path / "ctx"), str(folder)]
    run(with_context, capsys)
    assert _outputs(tmp_path / "ctx") != _outputs(tmp_path / "pool")  # the options made a difference


def test_dask_local_cluster_gives_the_same_outputs_as_a_loop(folder, tmp_path, capsys):
    import distributed  # in the test extra: a missing install fails here, it is not skipped

    args = ["recognize", "--format", "json", str(folder)]
    run(args + ["--out", str(tmp_path / "loop")], capsys)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        code, _, err = run(args + ["--dask", cluster.scheduler_address, "--out", str(tmp_path / "dask")], capsys)
    assert code == 1 and "broken.png" in err
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "loop")


def test_unreachable_dask_scheduler_is_one_line(folder, capsys, monkeypatch):
    import distributed  # noqa: F401  (in the test extra: must be importable)

    def refuse(*a, **k):
        raise OSError("connection refused")

    monkeypatch.setattr("distributed.Client", refuse)
    code, _, err = run(["recognize", "--dask", "tcp://127.0.0.1:9", str(folder / "p0.png")], capsys)
    assert code == 1 and err.strip() == "hwr: tcp://127.0.0.1:9: cannot reach the Dask scheduler at tcp://127.0.0.1:9: connection refused"


def test_outcomes_come_back_in_input_order(fake):
    names = ["a", "b", "a", "c"]
    shuffled = [FileOutcome("c"), FileOutcome("a", error="x"), FileOutcome("b"), FileOutcome("a")]
    seen = []
    got = list(in_input_order(iter(shuffled), names, seen.append))
    assert [o.name for o in got] == names and seen == shuffled
    assert [o.name for o in run_loop(["x.png"], Options(), fake)] == ["x.png"]


def test_suffix_lists_agree():
    assert set(IMAGE_SUFFIXES) <= set(batch.DOCUMENT_SUFFIXES) and ".pdf" in batch.DOCUMENT_SUFFIXES
