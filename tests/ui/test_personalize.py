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


def test_a_glyph_read_from_a_sample_is_marked_and_forgetting_the_sample_takes_it_back(qtbot, make_window, data_dir,
                                                                                      real_recognizer):
    from hwr_desktop.ui.colors import PERSONAL, glyph_color

    w = make_window(real_recognizer, mode="auto")
    write(w.canvas, [one(60, 60)])
    qtbot.waitUntil(lambda: w.shown() is not None and len(w.shown().glyphs) == 1, timeout=10000)
    first = w.shown().glyphs[0].char
    label = "Q" if first != "Q" else "k"
    w.set_correction(0, label)  # a wrong correction: kept as a sample of the user's handwriting
    (sample,) = w.personalizer.samples
    assert not w.shown().is_personal(0)  # the corrected glyph itself is marked as corrected
    w.canvas.clear()
    write(w.canvas, [one(300, 60)])  # the same glyph again: the sample makes it read as the correction
    qtbot.waitUntil(lambda: w.shown() is not None and len(w.shown().glyphs) == 1
                    and not w.shown().corrected[0], timeout=10000)
    shown = w.shown()
    assert w.current_text() == label and shown.is_personal(0) and shown.glyphs[0].samples == (sample.id,)
    assert glyph_color(shown, 0).name() == PERSONAL and PERSONAL in w.result_view.toHtml()
    popup = w.open_correction(0)
    assert popup.actions()[0].text() == f"Read as \u201c{label}\u201d from your handwriting"
    assert popup.forget_action.text() == "Forget this sample"
    popup.forget_action.trigger()
    assert len(SampleStore(data_dir / "samples")) == 0 and w.personalizer.model.size == 0
    qtbot.waitUntil(lambda: w.current_text() == first, timeout=10000)  # read again, by the network alone
    assert not w.shown().is_personal(0) and w.shown().glyphs[0].samples == ()


def test_a_glyph_the_samples_did_not_change_offers_nothing_to_forget(qtbot, make_window):
    w = make_window(FakeRecognizer(chars="1"))
    write(w.canvas, [one(60, 60)])
    qtbot.waitUntil(lambda: w.current_text() == "1", timeout=5000)
    popup = w.open_correction(0)
    assert popup.forget_action is None and popup.actions()[0].text() == "Read as \u201c1\u201d (90%)"
    popup.close()


def test_the_popup_forgets_every_sample_that_decided_the_glyph(qtbot):
    from hwr_desktop.results import Candidate, GlyphResult
    from hwr_desktop.ui.correction_popup import CorrectionPopup

    glyph = GlyphResult((0, 0, 10, 10), "7", 0.8, (Candidate("7", 0.8), Candidate("1", 0.2)), ("a1", "b2"))
    popup = CorrectionPopup(glyph, "7", False)
    qtbot.addWidget(popup)
    assert popup.forget_action.text() == "Forget these 2 samples"
    with qtbot.waitSignal(popup.forget) as forgot:
        popup.forget_action.trigger()
    assert forgot.args == [("a1", "b2")]
    corrected = CorrectionPopup(glyph, "x", True)  # corrected by hand: the samples no longer decide it
    qtbot.addWidget(corrected)
    assert corrected.forget_action is None


def test_a_letter_of_a_joined_word_is_corrected_by_box_and_taught(qtbot, make_window, data_dir, real_recognizer):
    from hwr_desktop.joined import LineReader
    from tests.probs import SpellingLineNet

    w = make_window(real_recognizer, mode="auto")
    w.worker.line_reader = LineReader(SpellingLineNet())  # reads every line as "ab"
    t = np.linspace(0, 4 * np.pi, 60)
    write(w.canvas, [[[(float(100 + x * 12), float(200 + 12 * np.sin(3 * x))) for x in t]]])  # one stroke
    qtbot.waitUntil(lambda: w.current_text() == "ab", timeout=10000)
    w.set_correction(1, "c")
    qtbot.waitUntil(lambda: w.current_text() == "ac", timeout=5000)
    assert [s.label for s in SampleStore(data_dir / "samples").samples] == ["c"]  # the ink in its box, taught
    saved = w.corrections["ink"].to_json(w.canvas.strokes)
    assert [(c["strokes"], c["char"]) for c in saved] == [([], "c")]  # kept by box, and saved with the ink
