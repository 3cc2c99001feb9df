"""The sample store (on disk, survives restarts, deletes for real) and the personal classifier's blend."""

import json

import numpy as np
import pytest

from hwr_desktop.errors import InputError
from hwr_desktop.personal import (PARAMS, STORE_FILE, BlendLog, Decision, PersonalModel, SampleStore, load_npz_samples,
                                  lookalike_groups, uint8_to_glyphs)
from hwr_desktop.pipeline import classify

from conftest import LABELS


def glyph(seed: int) -> np.ndarray:
    """A float32 (28, 28) glyph in [0, 1], like normalize_glyph's output."""
    img = np.zeros((28, 28), np.float32)
    rng = np.random.default_rng(seed)
    img[4:24, rng.integers(4, 20)] = 1.0
    img[rng.integers(4, 24), 4:24] = 0.5
    return img


STROKES = [[[0.0, 0.0, 1.0, 0.0], [0.0, 10.0, 0.5, 16.0]], [[-3.0, 2.0, 1.0, 40.0], [3.0, 2.0, 1.0, 55.0]]]


def test_samples_survive_a_restart(tmp_path):
    store = SampleStore(tmp_path / "samples", clock=lambda: 1234.5)
    a = store.add(glyph(1), "a", STROKES)
    b = store.add((glyph(2) * 255).astype(np.uint8), "7")
    again = SampleStore(tmp_path / "samples")
    assert [(s.id, s.label, s.time) for s in again.samples] == [(a.id, "a", 1234.5), (b.id, "7", 1234.5)]
    assert np.array_equal(again.samples[0].image, np.round(glyph(1) * 255).astype(np.uint8))
    assert again.samples[0].image.dtype == np.uint8 and again.samples[0].image.shape == (28, 28)
    assert [list(map(list, s)) for s in again.samples[0].strokes] == STROKES
    assert again.samples[1].strokes == ()


def test_a_torn_last_line_is_skipped_and_the_next_add_still_works(tmp_path):
    store = SampleStore(tmp_path)
    store.add(glyph(1), "a")
    with open(tmp_path / STORE_FILE, "a", encoding="utf-8") as f:
        f.write('{"id": "x", "label": "b", "ima')  # a crash in the middle of a write
    assert [s.label for s in SampleStore(tmp_path).samples] == ["a"]
    SampleStore(tmp_path).add(glyph(2), "c")
    assert [s.label for s in SampleStore(tmp_path).samples] == ["a", "c"]


def test_delete_really_deletes(tmp_path):
    store = SampleStore(tmp_path)
    keep = store.add(glyph(1), "a", STROKES)
    gone = store.add(glyph(2), "b", STROKES)
    assert store.delete([gone.id, "no-such-id"]) == 1
    text = (tmp_path / STORE_FILE).read_text()
    assert gone.id not in text and keep.id in text
    assert [s.id for s in SampleStore(tmp_path).samples] == [keep.id]
    store.export_npz(tmp_path / "out.npz")
    x, labels = load_npz_samples(tmp_path / "out.npz")
    assert labels == ["a"] and len(x) == 1
    assert store.clear() == 1
    assert len(SampleStore(tmp_path)) == 0 and keep.id not in (tmp_path / STORE_FILE).read_text()


def test_export_is_in_the_shared_data_format(tmp_path):
    store = SampleStore(tmp_path)
    for i, c in enumerate("bab7"):
        store.add(glyph(i), c)
    store.export_npz(tmp_path / "mine.npz")
    with np.load(tmp_path / "mine.npz") as d:
        assert d["x"].dtype == np.uint8 and d["x"].shape == (4, 28, 28)
        assert d["y"].dtype == np.int64
        assert [str(c) for c in d["classes"]] == ["7", "a", "b"]
        assert [str(d["classes"][i]) for i in d["y"]] == list("bab7")
        assert d["x"].max() == 255 and d["x"][0, 0, 0] == 0  # white ink on black
        assert np.array_equal(d["x"][1], store.samples[1].image)


def test_bad_input_is_refused(tmp_path):
    store = SampleStore(tmp_path)
    with pytest.raises(InputError):
        store.add(glyph(1), "ab")
    with pytest.raises(InputError):
        store.add(np.zeros((10, 10)), "a")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / STORE_FILE).write_text(json.dumps({"format": "something-else"}) + "\n")
    with pytest.raises(InputError):
        SampleStore(tmp_path / "other")


def _probs(rows: list[dict[str, float]]) -> np.ndarray:
    out = np.full((len(rows), len(LABELS)), 1e-3, np.float32)
    for i, row in enumerate(rows):
        for c, p in row.items():
            out[i, LABELS.index(c)] = p
    return out / out.sum(1, keepdims=True)


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_blend_leaves_classes_without_samples_alone(kind):
    model = PersonalModel(LABELS, kind)
    f = np.eye(4, dtype=np.float32)
    model.update(f[0], "7")
    probs = _probs([{"1": 0.6, "7": 0.2, "l": 0.1}, {"1": 0.6, "7": 0.2, "l": 0.1}])
    feats = np.stack([f[0] * 0.9 + f[1] * 0.1, f[2]])  # close to the "7" sample; unlike it
    out = model.blend(probs, feats)
    assert np.allclose(out.sum(1), 1.0, atol=1e-5)
    others = [i for i, c in enumerate(LABELS) if c != "7"]
    for row_in, row_out in zip(probs, out):
        ratio = row_out[others] / row_in[others]
        assert np.allclose(ratio, ratio[0], rtol=1e-4)  # unchanged apart from renormalization
    assert out[0, LABELS.index("7")] > out[0, LABELS.index("1")]
    assert np.allclose(out[1], probs[1], atol=1e-6)  # dissimilar: nothing changes
    assert PersonalModel(LABELS, kind).blend(probs, feats) is probs


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_blend_grows_with_similarity_and_sample_count(kind):
    f = np.eye(4, dtype=np.float32)
    probs = _probs([{"1": 0.8, "7": 0.1}] * 4)
    k = PARAMS[kind]
    sims = [k.floor + (k.copy - k.floor) * t for t in (0.3, 0.6, 0.9)] + [1.0]  # the last one a copy
    feats = np.stack([f[0] * s + f[1] * np.sqrt(1 - s * s) for s in sims])
    one = PersonalModel(LABELS, kind)
    one.update(f[0], "7")
    p7 = one.blend(probs, feats)[:, LABELS.index("7")]
    assert p7[0] < p7[1] < p7[2] < p7[3]
    assert p7[3] >= 0.9 - 1e-4  # a copy of a sample reads as its label
    two = PersonalModel(LABELS, kind)
    two.set_samples(np.stack([f[0], f[0]]), ["7", "7"])
    assert two.blend(probs, feats)[0, LABELS.index("7")] > p7[0]
    assert two.counts() == {"7": 2} and two.size == 2
    assert not two.update(f[0], "\u00e9")  # a label the model does not know is ignored


def _unit(*parts: tuple[int, float]) -> np.ndarray:
    v = np.zeros(8, np.float32)
    for i, w in parts:
        v[i] = w
    return v / np.linalg.norm(v)


def test_lookalike_groups_join_cases_and_digit_letter_pairs():
    g = lookalike_groups(LABELS)
    same = lambda a, b: g[LABELS.index(a)] == g[LABELS.index(b)]  # noqa: E731
    assert same("c", "C") and same("0", "o") and same("O", "0") and same("1", "l") and same("I", "1")
    assert not same("c", "e") and not same("7", "1") and not same("a", "b")


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_samples_that_do_not_tell_case_apart_leave_case_to_the_network(kind):
    # the user's c and C are the same shape (as for most writers): the samples say "c or C", not which
    model = PersonalModel(LABELS, kind)
    model.set_samples(np.stack([_unit((0, 1)), _unit((0, 1), (1, 0.1)), _unit((0, 1), (2, 0.25)),
                                _unit((0, 1), (3, 0.25))]), ["c", "c", "C", "C"])
    assert model.shared() >= {"c", "C"}
    probs = _probs([{"C": 0.5, "c": 0.2, "e": 0.25}])
    out = model.blend(probs, _unit((0, 1), (4, 0.5))[None])[0]  # similar, not a copy
    ic, iC, ie = LABELS.index("c"), LABELS.index("C"), LABELS.index("e")
    assert out[iC] / out[ic] == pytest.approx(probs[0, iC] / probs[0, ic], rel=1e-4)  # case untouched
    assert out[iC] + out[ic] > probs[0, iC] + probs[0, ic]  # but the group gained over e
    # a copy of a sample still reads as that sample's label
    copy = model.blend(probs, _unit((0, 1), (1, 0.1))[None])[0]
    assert copy.argmax() == ic


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_samples_that_tell_case_apart_decide_it(kind):
    model = PersonalModel(LABELS, kind)
    model.set_samples(np.stack([_unit((0, 1)), _unit((0, 1), (1, 0.1)), _unit((5, 1)), _unit((5, 1), (1, 0.1))]),
                      ["c", "c", "C", "C"])
    assert not model.shared() & {"c", "C"}
    probs = _probs([{"C": 0.5, "c": 0.2, "e": 0.25}])
    out = model.blend(probs, _unit((0, 1), (4, 0.5))[None])[0]  # similar, not a copy
    assert out.argmax() == LABELS.index("c")
    # one sample of one case says nothing about case
    one = PersonalModel(LABELS, kind)
    one.update(_unit((0, 1)), "c")
    assert {"c", "C"} <= one.shared()
    assert one.blend(probs, _unit((0, 1), (4, 0.5))[None])[0].argmax() == LABELS.index("C")


def test_the_shipped_model_personalizes_on_its_style_output(recognizer):
    assert recognizer.feature_kind == "style"
    model = PersonalModel.for_recognizer(recognizer)
    assert model.kind == "style" and model.params == PARAMS["style"]
    with pytest.raises(ValueError, match="unknown feature kind"):
        PersonalModel(LABELS, "pixels")


def test_a_corrected_glyph_reads_as_its_label_afterwards(recognizer):
    g = glyph(3)[None, None]
    before = classify(g, recognizer)[0]
    wrong = "Q" if recognizer.labels[int(before.argmax())] != "Q" else "k"
    _, feats = recognizer.predict(g)
    model = PersonalModel.for_recognizer(recognizer)
    model.update(feats[0], wrong)
    after = classify(g, recognizer, personal=model)[0]
    assert recognizer.labels[int(after.argmax())] == wrong
    assert np.array_equal(classify(g, recognizer), before[None])  # the raw network result is unchanged


def test_model_from_stored_samples(tmp_path, recognizer):
    store = SampleStore(tmp_path)
    store.add(glyph(3), "Q")
    x, labels = store.arrays()
    model = PersonalModel.from_samples(x, labels, recognizer)
    assert model.counts() == {"Q": 1}
    out = classify(uint8_to_glyphs(x), recognizer, personal=model)
    assert recognizer.labels[int(out[0].argmax())] == "Q"


def test_export_reads_back_through_the_training_loader(tmp_path):
    from training.datasets import load_npz
    from training.synth import CLASSES

    store = SampleStore(tmp_path)
    for i, c in enumerate("zA3"):
        store.add(glyph(i), c)
    store.export_npz(tmp_path / "mine.npz")
    x, y = load_npz(tmp_path / "mine.npz")
    assert [CLASSES[i] for i in y] == ["z", "A", "3"]
    assert np.array_equal(x, store.arrays()[0])


def test_samples_load_from_a_store_a_data_folder_or_an_export(tmp_path):
    from hwr_desktop.personal import load_samples

    store = SampleStore(tmp_path / "data" / "samples")
    store.add(glyph(1), "a")
    store.add(glyph(2), "B")
    for where in (tmp_path / "data" / "samples", tmp_path / "data"):  # the store, or the app's data folder
        x, labels = load_samples(where)
        assert x.shape == (2, 28, 28) and labels == ["a", "B"]
    store.export_npz(tmp_path / "mine.npz")
    x, labels = load_samples(tmp_path / "mine.npz")
    assert x.dtype == np.uint8 and sorted(labels) == ["B", "a"]
    with pytest.raises(InputError, match="neither a samples folder"):
        load_samples(tmp_path / "empty")
    np.savez(tmp_path / "wrong.npz", x=np.zeros((1, 10, 10), np.uint8), y=np.array([0]), classes=np.array(["a"]))
    with pytest.raises(InputError, match="28x28"):
        load_samples(tmp_path / "wrong.npz")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(InputError, match="not a samples export"):
        load_samples(tmp_path / "junk.npz")


def test_decisions_name_the_sample_that_changed_a_reading():
    model = PersonalModel(LABELS, "style")
    model.set_samples(np.stack([_unit((0, 1)), _unit((5, 1))]), ["7", "b"], ids=["seven", "bee"])
    probs = _probs([{"1": 0.6, "7": 0.2}, {"1": 0.6, "7": 0.2}])
    near, far = _unit((0, 1), (1, 0.05)), _unit((2, 1))  # a copy of the "7" sample; nothing like any sample
    d = model.decisions(probs, np.stack([near, far]))
    assert d[0] == Decision("1", "7", ("seven",)) and d[1] is None
    assert model.decisions(probs, None) == [None, None]
    assert PersonalModel(LABELS, "style").decisions(probs, np.stack([near, far])) == [None, None]


def test_decisions_take_as_many_samples_as_it_takes_nearest_first():
    model = PersonalModel(LABELS, "style")
    model.set_samples(np.stack([_unit((0, 1), (1, 0.03)), _unit((0, 1)), _unit((5, 1))]), ["7", "7", "7"])
    probs = _probs([{"1": 0.6, "7": 0.2}])
    d = model.decisions(probs, _unit((0, 1), (1, 0.01))[None])[0]
    assert d.read == "7" and d.samples == (1, 0)  # either copy alone keeps it a 7; the far one plays no part
    model.update(_unit((7, 1)), "Q")
    assert model.decisions(probs, _unit((7, 1))[None])[0] == Decision("1", "Q", (3,))  # ids default to positions


def test_a_sample_of_a_lookalike_decides_its_group_and_the_mode_is_respected():
    model = PersonalModel(LABELS, "style")
    model.update(_unit((0, 1)), "c", "mine")  # one sample of one case: evidence for "c or C"
    probs = _probs([{"o": 0.5, "C": 0.3, "c": 0.1}])
    d = model.decisions(probs, _unit((0, 1), (4, 0.4))[None])[0]  # similar, not a copy
    assert d == Decision("o", "C", ("mine",))  # the case as the network had it, the group from the sample
    zero = PersonalModel(LABELS, "style")
    zero.update(_unit((0, 1)), "0")
    oh = _probs([{"O": 0.6, "0": 0.3}])
    assert zero.decisions(oh, _unit((0, 1))[None])[0].read == "0"
    digits = np.array([c.isdigit() for c in LABELS])
    assert zero.decisions(oh, _unit((0, 1))[None], digits) == [None]  # in Digits mode it read 0 anyway


def test_a_blend_log_blends_as_its_model_was_and_sees_every_row():
    model = PersonalModel(LABELS, "style")
    model.update(_unit((0, 1)), "7", "seven")
    logged = BlendLog(model)
    model.update(_unit((2, 1)), "Q", "later")  # after the log was made: not in it
    probs = _probs([{"1": 0.6, "7": 0.2}] * 3)
    feats = np.stack([_unit((0, 1)), _unit((2, 1)), _unit((0, 1))])
    out = np.vstack([logged.blend(probs[:2], feats[:2]), logged.blend(probs[2:], feats[2:])])
    assert logged.rows == 3 and out[1].argmax() == LABELS.index("1")
    assert [d and d.samples for d in logged.decisions()] == [("seven",), None, ("seven",)]


def test_the_pipeline_blends_each_glyph_once_in_reading_order(fake):
    from hwr_desktop.ink import Stroke
    from hwr_desktop.pipeline import recognize_image, recognize_ink

    strokes = [Stroke(np.array([[x, 0.0], [x + 2, 40.0]])) for x in (0, 60, 120)]
    page = np.full((80, 200), 255, np.uint8)
    page[20:60, 40:46] = page[20:60, 120:126] = 0
    for run in (lambda log: recognize_ink(strokes, fake, personal=log),
                lambda log: recognize_image(page, fake, personal=log)):
        logged = BlendLog(PersonalModel(LABELS, "features"))
        result = run(logged)
        assert logged.rows == len(result.glyphs) > 0  # so the log's rows are the page's glyphs
