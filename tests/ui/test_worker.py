"""RecognitionWorker: results arrive as signals from a background thread; stale ones are dropped."""

import dataclasses
import threading

import numpy as np

from hwr_desktop.ink import Stroke
from hwr_desktop.results import with_glyphs
from hwr_desktop.ui.worker import INK, RecognitionWorker
from tests.probs import SpellingLineNet
from uihelpers import FakeRecognizer


def strokes(n):
    return [Stroke(np.array([[40.0 * i, 0, 0.5, 0], [40.0 * i + 2, 60, 0.5, 50]])) for i in range(n)]


class ThreadSpy(FakeRecognizer):
    def predict(self, glyphs, batch=256):
        self.thread = threading.current_thread()
        return super().predict(glyphs, batch)


def test_result_comes_back_with_glyph_keys(qtbot):
    fake = ThreadSpy(chars="17")
    worker = RecognitionWorker(fake)
    ink = strokes(2)
    with qtbot.waitSignal(worker.resultReady, timeout=5000) as sig:
        worker.recognize_ink(ink, "digits")
    outcome = sig.args[0]
    assert outcome.page.text == "17"
    assert outcome.keys == (frozenset([ink[0]]), frozenset([ink[1]]))
    assert fake.thread is not threading.main_thread()


def test_stale_result_is_dropped(qtbot):
    worker = RecognitionWorker(FakeRecognizer(delay_s=0.2))
    got = []
    worker.resultReady.connect(got.append)
    worker.recognize_ink(strokes(1), "auto")
    worker.invalidate(INK)  # the ink changed while it ran
    with qtbot.waitSignal(worker.resultReady, timeout=5000):
        worker.recognize_ink(strokes(3), "auto")
    assert [len(o.page.glyphs) for o in got] == [3]
    assert not worker.is_busy()


def test_no_model_reports_failure(qtbot):
    worker = RecognitionWorker(None)
    with qtbot.waitSignal(worker.failed) as sig:
        assert not worker.recognize_ink(strokes(1), "auto")
    assert "model" in sig.args[0]


def test_errors_in_the_pipeline_become_messages(qtbot):
    class Broken(FakeRecognizer):
        def predict(self, glyphs, batch=256):
            raise RuntimeError("boom")

    worker = RecognitionWorker(Broken())
    with qtbot.waitSignal(worker.failed, timeout=5000) as sig:
        worker.recognize_ink(strokes(1), "auto")
    assert "boom" in sig.args[0]


def test_a_letter_joined_from_strokes_keys_all_of_them(qtbot, real_recognizer):
    def line(p0, p1, t0):
        return Stroke(np.array([[p0[0] + (p1[0] - p0[0]) * i / 11, p0[1] + (p1[1] - p0[1]) * i / 11, 0.5, t0 + 10 * i]
                                for i in range(12)]))

    ink = [line((30, 20), (30, 90), 0), line((70, 20), (70, 90), 400), line((38, 55), (62, 55), 800)]  # an H
    worker = RecognitionWorker(real_recognizer)
    with qtbot.waitSignal(worker.resultReady, timeout=10000) as sig:
        worker.recognize_ink(ink, "auto")
    outcome = sig.args[0]
    assert outcome.page.text == "H"
    assert outcome.keys == (frozenset(ink),)  # a correction of this glyph is stored with all three strokes


def test_glyphs_are_marked_only_where_the_samples_changed_what_is_shown():
    from hwr_desktop.personal import PersonalModel
    from hwr_desktop.results import Candidate, GlyphResult, LineResult, PageResult, WordResult
    from hwr_desktop.ui.worker import mark_personal
    from uihelpers import LABELS

    model = PersonalModel(LABELS, "features")
    model.update(np.array([1, 0, 0, 0], np.float32), "7", "s7")
    probs = np.full((2, len(LABELS)), 0.2 / (len(LABELS) - 2), np.float32)
    probs[:, LABELS.index("1")], probs[:, LABELS.index("7")] = 0.6, 0.2
    feats = np.array([[1, 0, 0, 0], [0, 1, 0, 0]], np.float32)  # a copy of the sample; unlike it

    def page(chars):
        glyphs = tuple(GlyphResult((20 * i, 0, 20 * i + 5, 10), c, 0.9, (Candidate(c, 0.9),))
                       for i, c in enumerate(chars))
        word = WordResult((0, 0, 25, 10), chars, glyphs)
        return PageResult(40, 10, chars, (LineResult((0, 0, 25, 10), chars, (word,)),))

    def recognize(shown, blends=1):
        """A pipeline run that blends the two glyphs ``blends`` times and reads them as ``shown``."""
        def run(logged):
            for _ in range(blends if logged is not None else 0):
                logged.blend(probs, feats)
            return page(shown)
        return run

    def marks(shown, blends=1):
        return [g.samples for g in mark_personal(recognize(shown, blends), model, "auto").glyphs]

    assert marks("71") == [("s7",), ()]
    assert marks("11") == [(), ()]  # the line's context read it as the network did: no mark
    assert marks("71", blends=2) == [(), ()]  # more rows than glyphs: no mark rather than a wrong one
    assert mark_personal(recognize("71"), None, "auto") == page("71")
    # the line recognizer read the second glyph's word anew (a glyph of another box): the first keeps its mark
    joined = page("71")
    second = dataclasses.replace(joined.glyphs[1], box=(20, 0, 30, 10))
    rest = with_glyphs(joined, [joined.glyphs[0], second])
    run = recognize("71")
    marked = mark_personal(lambda logged: (run(logged), rest)[1], model, "auto", [g.box for g in page("71").glyphs])
    assert [g.samples for g in marked.glyphs] == [("s7",), ()]


def test_letters_of_a_joined_word_come_back_without_stroke_keys(qtbot, real_recognizer):
    from hwr_desktop.joined import LineReader

    t = np.linspace(0, 4 * np.pi, 120)
    ink = [Stroke(np.c_[100 + t * 12, 200 + 12 * np.sin(3 * t)])]  # one stroke, written joined up
    worker = RecognitionWorker(real_recognizer)
    worker.line_reader = LineReader(SpellingLineNet())
    with qtbot.waitSignal(worker.resultReady, timeout=10000) as sig:
        worker.recognize_ink(ink, "auto")
    outcome = sig.args[0]
    assert outcome.page.text == "ab"
    # both letters share the stroke: their corrections are kept by box (as on an image), not by strokes
    assert outcome.keys == (frozenset(), frozenset())
