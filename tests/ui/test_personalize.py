"""Corrections teach the recognizer: the app stores the corrected glyph (image, strokes, label) and reads it so."""

import numpy as np

from hwr_desktop.ink import Stroke
from hwr_desktop.personal import STORE_FILE, SampleStore
from hwr_desktop.ui.personalize import Personalizer, image_glyph, ink_glyph

from uihelpers import FakeRecognizer, one, seven, write


def test_a_correction_is_stored_with_its_strokes(qtbot, make_window, data_dir):
    w = make_window(FakeRecognizer(chars="1", second="7"))
    write(w.canvas, [seven(60, 60)])
    qtbot.waitUntil(lambda: w.current_text() == "1", timeout=5000)
    w.set_correction(0, "7")
    store = SampleStore(data_dir / "samples")  # as after a restart
    assert [s.label for s in store.samples] == ["7"]
    sample = store.samples[0]
    assert sample.image.dtype == np.uint8 and sample.image.max() == 255
    assert len(sample.strokes) == 1 and len(sample.strokes[0]) == len(w.canvas.strokes[0].points)
    assert np.array_equal(sample.image, np.round(ink_glyph(w.canvas.strokes)[0] * 255).astype(np.uint8))
    w.set_correction(0, "")  # undone: its sample goes too
    assert len(SampleStore(data_dir / "samples")) == 0


def test_a_corrected_glyph_reads_as_its_label_afterwards(qtbot, make_window, data_dir, real_recognizer):
    w = make_window(real_recognizer, mode="auto")
    write(w.canvas, [one(60, 60)])
    qtbot.waitUntil(lambda: w.shown() is not None and len(w.shown().glyphs) == 1, timeout=10000)
    first = w.shown().glyphs[0].char
    label = "Q" if first != "Q" else "k"
    w.set_correction(0, label)
    assert w.personalizer.model.counts() == {label: 1} and w.worker.personal is w.personalizer.model
    w.canvas.clear()
    write(w.canvas, [one(300, 60)])  # the same glyph written again, elsewhere: a new glyph, not a corrected one
    qtbot.waitUntil(lambda: w.shown() is not None and len(w.shown().glyphs) == 1
                    and not w.shown().corrected[0], timeout=10000)
    assert w.current_text() == label
    again = Personalizer(data_dir / "samples", real_recognizer)  # a restart rebuilds the model from disk
    assert again.model.counts() == {label: 1}


def test_personalizer_learns_image_glyphs_and_deletes(tmp_path, real_recognizer):
    page = np.full((60, 80), 235, np.uint8)
    page[15:45, 38:42] = 20  # a dark bar: a "1" on paper
    p = Personalizer(tmp_path, real_recognizer)
    assert image_glyph(page, (38, 15, 42, 45)).shape == (28, 28)
    s = p.learn_image(page, (38, 15, 42, 45), "l")
    assert s is not None and s.strokes == () and p.model.counts() == {"l": 1}
    assert p.learn_image(page, (0, 0, 10, 10), "x") is None  # no ink there
    assert p.learn_ink([Stroke(np.array([[0, 0], [0, 30]]))], "ab") is None  # only single characters
    assert p.delete([s.id]) == 1 and p.model.size == 0
    assert s.id not in (tmp_path / STORE_FILE).read_text()
