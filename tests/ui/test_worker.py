"""RecognitionWorker: results arrive as signals from a background thread; stale ones are dropped."""

import threading

import numpy as np

from hwr_desktop.ink import Stroke
from hwr_desktop.ui.worker import INK, RecognitionWorker
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
