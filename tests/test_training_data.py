"""The training data readers and generators (no torch needed)."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from hwr_desktop.personal import lookalike_groups

from training.datasets import CLASS_INDEX, Job, WriterBatches, ink_mask, load_emnist, read_idx, run_job, unipen_jobs, writer_set
from training.synth import CLASSES, augment, load_font_manifest, render_font, render_hershey, writer_glyphs

FONTS = Path(__file__).resolve().parents[1] / "training" / "fonts"


def write_idx(path: Path, arr: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


def test_emnist_reader_on_files_in_the_official_format(tmp_path):
    imgs = np.zeros((3, 28, 28), np.uint8)
    imgs[:, 2, 20] = 255  # stored transposed, as EMNIST does: upright, this pixel is at row 20, column 2
    write_idx(tmp_path / "images.gz", imgs)
    write_idx(tmp_path / "labels.gz", np.array([36, 10, 62]))
    (tmp_path / "mapping.txt").write_text("10 65\n36 97\n62 36\n")  # A, a, and "$" (not one of our classes)
    x, y = load_emnist(tmp_path / "images.gz", tmp_path / "labels.gz", tmp_path / "mapping.txt")
    assert x.shape == (2, 28, 28)
    assert [CLASSES[i] for i in y] == ["a", "A"]
    assert x[0, 20, 2] == 255 and x[0, 2, 20] == 0


def test_idx_reader_rejects_bad_files(tmp_path):
    (tmp_path / "short").write_bytes(b"\x00")
    with pytest.raises(ValueError):
        read_idx(tmp_path / "short")
    (tmp_path / "trunc").write_bytes(struct.pack(">HBB", 0, 8, 1) + struct.pack(">I", 10) + b"\x01\x02")
    with pytest.raises(ValueError, match="expected 10"):
        read_idx(tmp_path / "trunc")


def test_vendored_fonts_have_licences_and_render():
    fonts = load_font_manifest(FONTS)
    assert len(fonts) >= 60
    for f in fonts:
        assert f.path.is_file() and (f.path.parent / "LICENSE").is_file()
    mask = render_font(fonts[0].path, "g", 64)
    assert mask.dtype == bool and mask.sum() > 50


def test_hershey_and_augmentation_keep_ink():
    rng = np.random.default_rng(0)
    m = render_hershey(0, "R", False, 2)
    assert m.sum() > 50
    for _ in range(10):
        assert augment(m, rng).sum() > 20


def test_jobs_make_normalized_samples():
    img = np.zeros((28, 28), np.uint8)
    img[4:24, 12:16] = 255
    x, y = run_job(Job("real", CLASS_INDEX["1"], 3, seed=1, image=img, keep_plain=True))
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8 and (y == CLASS_INDEX["1"]).all()
    x2, _ = run_job(Job("hershey", CLASS_INDEX["k"], 2, seed=2, font="simplex"))
    assert x2.shape == (2, 28, 28) and x2.max() == 255


def test_ink_jobs_draw_pen_trajectories_through_the_app_s_rasterization():
    from hwr_desktop.normalize import normalize_glyph
    from hwr_desktop.pipeline import ink_glyph_mask
    from hwr_desktop.ink import Stroke

    # an "L" in inches, y down, two strokes
    strokes = (np.array([[0.0, 0.0], [0.0, 0.3]], np.float32), np.array([[0.0, 0.3], [0.2, 0.3]], np.float32))
    plain = ink_mask(strokes)
    assert np.array_equal(plain, ink_glyph_mask([Stroke(s) for s in strokes]))
    x, y = run_job(Job("ink", CLASS_INDEX["L"], 3, 7, strokes=strokes, keep_plain=True))
    assert x.shape == (3, 28, 28) and list(y) == [CLASS_INDEX["L"]] * 3
    np.testing.assert_array_equal(x[0], (normalize_glyph(plain) * 255).round().astype(np.uint8))  # the plain one
    assert not np.array_equal(x[1], x[0])  # the others are varied


def test_unipen_characters_of_training_writers_train_dev_writers_validate_val_writers_stay_out():
    from training.unipen import Segment, split_of

    writers = [f"w/{i}" for i in range(300)]
    stroke = (np.array([[0.0, 0.0, 0.0], [0.1, 0.2, 10.0]]),)
    segs = [Segment("1c", "f", "w", w, "CHARACTER", "OK", "a", stroke) for w in writers]
    segs.append(Segment("1d", "f", "w", "w/0", "CHARACTER", "OK", "?", stroke))  # not one of the classes
    train, val = unipen_jobs(segs, 2, seed=0)
    splits = [split_of(w) for w in writers]
    assert len(train) == splits.count("train") and len(val) == splits.count("dev") and splits.count("val") > 30
    assert all(j.kind == "ink" and j.label == CLASS_INDEX["a"] for j in train + val)
    assert {j.copies for j in train} == {2} and all(j.keep_plain and j.copies == 1 for j in val)


def test_a_writer_draws_each_character_once_and_varies_it():
    draws = []

    def draw(ch, rng):
        draws.append(ch)
        return render_hershey(0, ch, False, 2) if ch != "b" else np.zeros((10, 10), bool)

    x, y = writer_glyphs(draw, 3, np.random.default_rng(0), classes="abc")
    assert draws == ["a", "b", "c"]  # one base shape per character: the writer's, held fixed
    assert x.shape == (6, 28, 28) and x.dtype == np.uint8 and list(y) == [0, 0, 0, 2, 2, 2]  # empty "b" skipped
    assert len({g.tobytes() for g in x[:3]}) == 3  # the copies differ (augmentation)
    again, _ = writer_glyphs(draw, 3, np.random.default_rng(0), classes="abc")
    assert np.array_equal(again, x)  # a seed reproduces a writer


def test_style_batches_pair_lookalikes_of_the_same_writers():
    x, y, w = writer_set(FONTS, per_class=2, seed=0, workers=1, limit=3)
    assert len(np.unique(w)) == 3 and len(x) == len(y) == len(w) and x.dtype == np.uint8
    batches = WriterBatches(y, w, seed=0, pairs=6, writers=2, per=2)
    idx, gid = batches()
    assert len(idx) == len(gid) > 0
    assert np.array_equal(gid, w[idx] * len(CLASSES) + y[idx])  # a group is one writer's one character
    _, counts = np.unique(gid, return_counts=True)
    assert counts.max() == 2  # two glyphs of each (writer, character): positives for the contrastive loss
    group = lookalike_groups(CLASSES)
    present = set(zip(w[idx].tolist(), y[idx].tolist()))
    for writer, c in present:
        partners = set(np.nonzero(group == group[c])[0].tolist()) - {c}
        if partners:  # c comes with a look-alike (C, or o/O for 0, ...) drawn by the same writer
            assert any((writer, q) in present for q in partners), CLASSES[c]


def test_a_font_draws_its_symbols_but_not_a_character_it_lacks():
    from training.synth import SYMBOLS, font_draws

    font = load_font_manifest(FONTS)[0].path
    assert all(font_draws(font, c) for c in "?!()")
    assert not font_draws(font, "\u4e2d")  # a CJK character: the font's missing-glyph box
    assert set(SYMBOLS) <= set(CLASSES) and len(CLASSES) == 62 + len(SYMBOLS)
