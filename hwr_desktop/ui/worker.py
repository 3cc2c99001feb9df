"""Recognition off the UI thread: a one-thread pool runs the pipeline and results come back as signals.

Every request carries the generation of its source ("ink", "image" or "page") at the
time it was made; ``invalidate`` bumps the generation when the input changes,
so a result computed for older input is dropped instead of shown. A queued
request that is already stale when its turn comes is skipped without work.

Document pages ("page") are rendered from their file and recognized in one job
each (``load_page``); such a job never fails as a whole: a page that cannot be
read or recognized comes back as a ``PageResult`` with ``error`` set.

With a personal model, each glyph that the user's samples made read otherwise than
the network alone carries the ids of those samples (``GlyphResult.samples``, see
``mark_personal``), so the window can show it and offer to forget them. Every word of
two glyphs or more carries its likeliest readings (``WordResult.alternatives``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..decoding import mode_mask
from ..documents import open_document
from ..errors import HwrError
from ..ink import Stroke
from ..personal import BlendLog
from ..pipeline import GlyphCache, ink_lines, recognize_image, recognize_ink
from ..results import Line, PageResult, with_glyphs
from ..words import with_word_alternatives
from .corrections import GlyphKey
from .word_lists import WordLists

log = logging.getLogger(__name__)

INK, IMAGE, PAGE = "ink", "image", "page"
TOP_K = 5


@dataclass(frozen=True)
class Outcome:
    """A finished recognition.

    Attributes:
        source: ``"ink"`` or ``"image"``.
        generation: the source's generation the request was made at.
        page: the result.
        keys: per glyph of ``page.glyphs``, the strokes forming it (empty frozensets for images).
        elapsed_ms: time spent in the pipeline.
    """

    source: str
    generation: int
    page: PageResult
    keys: tuple[GlyphKey, ...]
    elapsed_ms: float


def ink_glyph_keys(strokes: Sequence[Stroke], lines: Sequence[Line], page: PageResult | None = None
                   ) -> tuple[GlyphKey, ...]:
    """The stroke sets of the glyphs of ``lines`` (``pipeline.ink_lines``), in reading order; with ``page``, of
    the glyphs of ``page`` instead: a glyph of ``lines`` keeps its strokes where the page has it (same box), a
    letter the line recognizer read inside a joined word shares its strokes with its neighbours, so it gets
    none (its correction is found by its box, as on an image)."""
    if page is None:
        return tuple(frozenset(strokes[i] for i in g.strokes) for line in lines for g in line.glyphs)
    by_box = {g.box: g.strokes for line in lines for g in line.glyphs}
    return tuple(frozenset(strokes[i] for i in by_box.get(g.box, ())) for g in page.glyphs)


def _lexicon(words: WordLists | None):
    """The built lexicon of ``words`` (built here, in the calling thread, the first time), or None."""
    return words.lexicon() if words is not None else None


def mark_personal(recognize: Callable[[BlendLog | None], PageResult], personal, mode: str,
                  boxes: Sequence[tuple] | None = None) -> PageResult:
    """Run ``recognize`` (a pipeline call taking the personal model) and mark, in its result, each glyph that
    the user's samples made read otherwise than the network alone: its ``samples`` name the samples that
    decided it (``PersonalModel.decisions``). A glyph shown as the network's own best reading (the line's
    context chose it anyway) is not marked.

    Args:
        personal: a ``personal.PersonalModel``, or None (nothing is marked).
        boxes: the boxes of the glyphs the pipeline blends, in its order (ink: ``ink_lines``' glyphs), where
            the result may hold other glyphs (the line recognizer's letters of a joined word, which no sample
            decided): glyphs are then matched by box. Without it, the result's glyphs are the blended ones.
    """
    logged = BlendLog(personal) if personal is not None else None
    page = recognize(logged)
    if logged is None:
        return page
    decisions = logged.decisions(mode_mask(logged.labels, mode))
    glyphs = page.glyphs
    rows = list(boxes) if boxes is not None else [g.box for g in glyphs]
    if len(decisions) != len(rows):  # the pipeline blended other rows too: better no mark than a wrong one
        log.debug("personal marks left out: %d rows blended for %d glyphs", len(decisions), len(rows))
        return page
    by_box = dict(zip(rows, decisions))
    marked = []
    for g in glyphs:
        d = by_box.get(g.box)
        marked.append(dataclasses.replace(g, samples=tuple(map(str, d.samples))) if d is not None and g.char != d.own
                      else g)
    return with_glyphs(page, marked) if any(g.samples for g in marked) else page


def run_ink(strokes: Sequence[Stroke], recognizer, mode: str, personal=None, words: WordLists | None = None,
            guides: tuple[float, float] | None = None, line_reader=None,
            cache: GlyphCache | None = None) -> tuple[PageResult, tuple[GlyphKey, ...]]:
    """Recognize ink as the app does: the user's samples marked (``mark_personal``), each word's alternatives
    filled (``words.with_word_alternatives``, the word lists first when on), joined-up words read by
    ``line_reader`` (a ``joined.LineReader``) when there is one, the glyphs read before taken from ``cache``;
    and the glyphs' stroke sets."""
    lines = ink_lines(strokes, recognizer) if strokes else []
    lexicon = _lexicon(words)
    page = mark_personal(lambda p: recognize_ink(strokes, recognizer, mode=mode, k=TOP_K, personal=p,
                                                 lexicon=lexicon, guides=guides, lines=lines,
                                                 line_reader=line_reader, cache=cache), personal, mode,
                         [g.box for line in lines for g in line.glyphs])
    keys = ink_glyph_keys(strokes, lines, page if line_reader is not None else None)
    return with_word_alternatives(page, lexicon), keys


def _recognize_image(image: np.ndarray, recognizer, mode: str, personal, words: WordLists | None,
                     line_reader=None) -> PageResult:
    """An image read as ``run_ink`` reads ink."""
    lexicon = _lexicon(words)
    page = mark_personal(lambda p: recognize_image(image, recognizer, mode=mode, k=TOP_K, personal=p,
                                                   lexicon=lexicon, line_reader=line_reader), personal, mode)
    return with_word_alternatives(page, lexicon)


def run_image(image: np.ndarray, recognizer, mode: str, personal=None,
              words: WordLists | None = None, line_reader=None) -> tuple[PageResult, tuple[GlyphKey, ...]]:
    page = _recognize_image(image, recognizer, mode, personal, words, line_reader)
    return page, tuple(frozenset() for _ in page.glyphs)


@dataclass(frozen=True)
class PageOutcome:
    """A document page rendered, and recognized when asked, in the background.

    Attributes:
        generation: the "page" generation the request was made at.
        number: the 1-based page number.
        image: the rendered page (as ``LoadedPage.image``); None when it could not be read.
        page: its result, ``error`` set when it failed; None when it was only rendered.
        elapsed_ms: time spent rendering and recognizing.
    """

    generation: int
    number: int
    image: np.ndarray | None
    page: PageResult | None
    elapsed_ms: float


def run_page(path: str | Path, number: int, recognizer, mode: str, *, image: np.ndarray | None = None,
             recognize: bool = True, personal=None, words: WordLists | None = None,
             line_reader=None) -> tuple[int, np.ndarray | None, PageResult | None]:
    """Render page ``number`` of a document (unless ``image`` is given) and recognize it if ``recognize``.

    Returns:
        ``(number, image, result)``; problems come back as a result with ``error`` set (and no lines).
    """
    try:
        if image is None:
            _, pages = open_document(path, frozenset({number}))
            loaded = list(pages)[0]  # read to the end: a PDF closes then
            if loaded.error is not None:
                return number, None, PageResult(0, 0, "", (), number, loaded.error)
            image = loaded.image
        if not recognize:
            return number, image, None
        result = _recognize_image(image, recognizer, mode, personal, words, line_reader)
        return number, image, dataclasses.replace(result, page=number)
    except HwrError as e:
        return number, image, PageResult(0, 0, "", (), number, str(e))
    except Exception as e:  # a bug must fail this page only
        log.exception("page %d failed", number)
        return number, image, PageResult(0, 0, "", (), number, f"{e.__class__.__name__}: {e}")


def _build_quietly(words: WordLists, prefixes: bool = False) -> None:
    """Build a lexicon ahead of use (with ``prefixes``, the prefixes of its words, which the line reader asks);
    a failure is logged here and reported by the recognition that needs it."""
    try:
        lexicon = words.lexicon()
        if prefixes:
            lexicon.prefixes
    except HwrError as e:
        log.warning("word lists: %s", e)


class _Relay(QObject):
    """Carries a job's end back to the UI thread (queued, since it is emitted from the pool's thread)."""

    ended = Signal(str, int, object, str, float)  # source, generation, (page, keys) or None, error, ms


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], tuple], source: str, generation: int,
                 is_stale: Callable[[str, int], bool], relay: _Relay) -> None:
        super().__init__()
        self._fn, self._source, self._generation = fn, source, generation
        self._is_stale, self._relay = is_stale, relay

    def run(self) -> None:
        result, error, t = None, "", time.perf_counter()
        if not self._is_stale(self._source, self._generation):
            try:
                result = self._fn()
            except HwrError as e:
                error = str(e)
            except Exception as e:  # a bug must not kill the app or lose the ink: report it
                log.exception("recognition failed")
                error = f"recognition failed: {e.__class__.__name__}: {e}"
        self._relay.ended.emit(self._source, self._generation, result, error, (time.perf_counter() - t) * 1e3)


class RecognitionWorker(QObject):
    """Runs recognitions one at a time in the background.

    Signals:
        resultReady(Outcome): a result for the current input.
        pageReady(PageOutcome): a document page for the current document.
        failed(str): a recognition of the current input raised; the message.
        busyChanged(bool): work started or all work ended.
    """

    resultReady = Signal(object)
    pageReady = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, recognizer=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._recognizer = recognizer
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.ended.connect(self._on_ended)
        self._generation = {INK: 0, IMAGE: 0, PAGE: 0}
        self._pending = 0
        self.personal = None  # a PersonalModel blended into every recognition (hwr_desktop.personal)
        self.words: WordLists | None = None  # word lists re-ranking words in every recognition; None: off
        self.line_reader = None  # a joined.LineReader reading joined-up words in every recognition; None: off
        self.glyph_cache = GlyphCache()  # the glyph model's outputs for the glyphs read before (pipeline.GlyphCache)

    @property
    def recognizer(self):
        return self._recognizer

    def set_recognizer(self, recognizer) -> None:
        self._recognizer = recognizer
        self.invalidate(INK)
        self.invalidate(IMAGE)
        self.invalidate(PAGE)

    def generation(self, source: str) -> int:
        return self._generation[source]

    def invalidate(self, source: str = INK) -> int:
        """The source's input changed: results of earlier requests will be dropped."""
        self._generation[source] += 1
        return self._generation[source]

    def is_busy(self) -> bool:
        return self._pending > 0

    def warm_up(self) -> None:
        """Build the word lists' lexicon (and the line reader's language model) in the background now, so the next
        recognition need not wait for them."""
        words, reader = self.words, self.line_reader
        if words is not None:
            self._pool.start(lambda: _build_quietly(words, reader is not None))
        if reader is not None:
            self._pool.start(lambda: reader.lm)

    def recognize_ink(self, strokes: Sequence[Stroke], mode: str, guides: tuple[float, float] | None = None) -> bool:
        """Queue recognition of ``strokes`` (written on ruled lines ``guides``, if given: first rule y,
        spacing); False (and ``failed``) when there is no model."""
        strokes, rec, personal, words = tuple(strokes), self._recognizer, self.personal, self.words
        reader = self.line_reader
        cache = self.glyph_cache
        return self._submit(INK, lambda: run_ink(strokes, rec, mode, personal, words, guides, reader, cache))

    def recognize_image(self, image: np.ndarray, mode: str) -> bool:
        rec, personal, words, reader = self._recognizer, self.personal, self.words, self.line_reader
        return self._submit(IMAGE, lambda: run_image(image, rec, mode, personal, words, reader))

    def load_page(self, path: str | Path, number: int, mode: str, *, image: np.ndarray | None = None,
                  recognize: bool = True) -> bool:
        """Queue rendering (unless ``image`` is given) and recognition (if ``recognize``) of a document page;
        ``pageReady`` brings it. False (and ``failed``) when recognition is asked for without a model."""
        rec, personal, words, reader = self._recognizer, self.personal, self.words, self.line_reader
        return self._submit(PAGE, lambda: run_page(path, number, rec, mode, image=image, recognize=recognize,
                                                   personal=personal, words=words, line_reader=reader),
                            needs_model=recognize)

    def wait(self, msecs: int = -1) -> bool:
        """Block until queued work ends (for shutdown and tests); results still arrive as events."""
        return self._pool.waitForDone(msecs)

    def _submit(self, source: str, fn: Callable[[], tuple], needs_model: bool = True) -> bool:
        if needs_model and self._recognizer is None:
            self.failed.emit("no recognition model is loaded")
            return False
        self._pending += 1
        if self._pending == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Job(fn, source, self._generation[source], self._stale, self._relay))
        return True

    def _stale(self, source: str, generation: int) -> bool:
        return self._generation[source] != generation

    def _on_ended(self, source: str, generation: int, result, error: str, ms: float) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busyChanged.emit(False)
        if self._stale(source, generation):
            return
        if error:
            self.failed.emit(error)
        elif result is not None and source == PAGE:
            self.pageReady.emit(PageOutcome(generation, *result, ms))
        elif result is not None:
            page, keys = result
            self.resultReady.emit(Outcome(source, generation, page, keys, ms))
