"""DocumentPane: the Image tab. A document's page (an ``ImageView``) under a bar to move between pages,
recognize them all (with progress and Cancel) and copy the text of all pages.

Pages are rendered and recognized off the UI thread, one job per page (``RecognitionWorker.load_page``).
"Recognize all pages" asks for the next page only when the previous one has come back, so Cancel
takes effect after the page being read, whose result is kept with the others; navigation requests
slip in between the pages of a run. The per-page state lives in a ``DocumentPages``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from .colors import LOW
from .image_view import ImageView
from .pages import DocumentPages
from .qimage import array_to_qimage
from .worker import PAGE, PageOutcome, RecognitionWorker


class DocumentPane(QWidget):
    """Shows one page of a document at a time and keeps every page's result and corrections.

    Args:
        worker: runs the page jobs (and is shared with the ink).
        mode: gives the field mode to recognize with.

    Signals:
        pageShown(int): another page (or document) is shown; its image and result may still be coming
            (sent again when its image arrives).
        resultChanged(int): page n has a new result (possibly an error).
        message(str): something to say in the status bar.
    """

    pageShown = Signal(int)
    resultChanged = Signal(int)
    message = Signal(str)

    def __init__(self, worker: RecognitionWorker, mode: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._mode = mode
        self.pages: DocumentPages | None = None
        self._pending: dict[int, bool] = {}  # page -> recognition asked for, for jobs in flight
        self._run: list[int] | None = None  # pages "recognize all" still has to read; None when not running
        self.view = ImageView()
        self._build()
        worker.pageReady.connect(self._on_page_ready)

    # --- construction ----------------------------------------------------------------------------

    def _action(self, text: str, slot, keys=(), tip: str = "") -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(tip or text)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build(self) -> None:
        self.act_prev = self._action("\u25c0", lambda: self.step(-1), ["PgUp"], "Previous page (Page Up)")
        self.act_next = self._action("\u25b6", lambda: self.step(1), ["PgDown"], "Next page (Page Down)")
        self.act_recognize_all = self._action("Recognize All Pages", self.recognize_all,
                                              tip="Read every page in the background")
        self.act_cancel = self._action("Cancel", self.cancel, tip="Stop after the page being read")
        self.act_copy_all = self._action("Copy All Pages", self.copy_all,
                                         tip="Copy the text of every recognized page, with corrections")
        self.prev_button, self.next_button = QToolButton(), QToolButton()
        self.prev_button.setDefaultAction(self.act_prev)
        self.next_button.setDefaultAction(self.act_next)
        self.page_box = QSpinBox()
        self.page_box.setKeyboardTracking(False)  # typing "12" goes to 12, not 1 then 12
        self.page_box.setToolTip("Page number")
        self.page_box.valueChanged.connect(self.go_to)
        self.count_label = QLabel()
        self.note = QLabel()  # "loading", or the page's error
        self.note.setStyleSheet(f"color:{LOW}")
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m pages")
        self.progress.setMaximumWidth(220)
        self.run_button, self.cancel_button, self.copy_all_button = QPushButton(), QPushButton(), QPushButton()
        for button, act in ((self.run_button, self.act_recognize_all), (self.cancel_button, self.act_cancel),
                            (self.copy_all_button, self.act_copy_all)):
            button.setText(act.text())
            button.setToolTip(act.toolTip())
            button.clicked.connect(act.trigger)
        self.bar = QWidget()
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_button, QLabel("Page"), self.page_box, self.count_label, self.next_button):
            row.addWidget(w)
        row.addWidget(self.note, 1)
        for w in (self.progress, self.cancel_button, self.run_button, self.copy_all_button):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.view, 1)
        self.bar.hide()
        self._show_running(False)

    # --- state -----------------------------------------------------------------------------------

    @property
    def current(self) -> int:
        """The shown page number (1 when no document is open)."""
        return self.pages.current if self.pages else 1

    def document_page(self) -> tuple[str, int] | None:
        """The open file and the shown page number (None without a document): names a page across documents."""
        return (str(self.pages.path), self.pages.current) if self.pages else None

    def is_running(self) -> bool:
        """Whether "recognize all pages" is running."""
        return self._run is not None

    def _can_recognize(self) -> bool:
        return self.worker.recognizer is not None

    # --- documents and navigation ----------------------------------------------------------------

    def open(self, path: str | Path, count: int, first: np.ndarray | None) -> None:
        """Show a new document whose first page is already rendered (``first``; None: render it again,
        it failed); page 1 is recognized."""
        self.worker.invalidate(PAGE)  # results of the previous document are dropped
        self._pending.clear()
        self._run = None
        self.pages = DocumentPages(path, count)
        if first is not None:
            self.pages.keep_image(1, first)
        self.bar.setVisible(count > 1)
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, count)
        self.page_box.setValue(1)
        self.page_box.blockSignals(False)
        self.count_label.setText(f"of {count}")
        self._show_running(False)
        self.view.reset_zoom()  # a new document starts fitted; its pages keep the zoom the user picks
        self._show_page()

    def step(self, delta: int) -> None:
        """Go ``delta`` pages forward (negative: back)."""
        self.go_to(self.current + delta)

    def go_to(self, number: int) -> None:
        """Show page ``number`` (clamped to the document); it is rendered and recognized if need be."""
        if self.pages is None:
            return
        number = self.pages.clamp(number)
        if number != self.pages.current:
            self.pages.current = number
            self._show_page()

    def _show_page(self) -> None:
        pages, n = self.pages, self.pages.current
        if self.page_box.value() != n:
            self.page_box.blockSignals(True)
            self.page_box.setValue(n)
            self.page_box.blockSignals(False)
        self.act_prev.setEnabled(n > 1)
        self.act_next.setEnabled(n < pages.count)
        image = pages.image(n)
        if image is not None:
            self.view.set_image(array_to_qimage(image))
        else:
            self.view.clear_image()
        self._update_note()
        self.pageShown.emit(n)
        result = pages.result(n)
        self._request(n, recognize=result is None and self._can_recognize(),
                      render=image is None and (result is None or result.error is None))  # not a failed one again

    def _update_note(self) -> None:
        pages, n = self.pages, self.pages.current
        result = pages.result(n)
        if result is not None and result.error is not None:
            self.note.setText(f"Page {n}: {result.error}")
        elif not self.view.has_image():
            self.note.setText(f"Loading page {n}\u2026")
        else:
            self.note.setText("")

    def _request(self, number: int, *, recognize: bool, render: bool = True) -> None:
        """Ask the worker for page ``number`` (its image if it is not kept, its result if ``recognize``)."""
        if not (recognize or render) or self._pending.get(number, False) or (number in self._pending and not recognize):
            return
        image = self.pages.image(number)
        if self.worker.load_page(self.pages.path, number, self._mode(), image=image, recognize=recognize):
            self._pending[number] = recognize

    # --- recognition -----------------------------------------------------------------------------

    def recognize_again(self) -> None:
        """Forget every page's result (the mode or model changed) and read the shown page again;
        a running "recognize all" starts over."""
        if self.pages is None:
            return
        self.worker.invalidate(PAGE)
        self._pending.clear()
        self.pages.forget_results()
        if self._run is not None:
            self._run = list(range(1, self.pages.count + 1))
        self._show_page()
        self._next_in_run()

    def recognize_shown(self) -> None:
        """Read the shown page again (the Recognize button); the other pages keep their results."""
        if self.pages is None:
            return
        if not self._can_recognize():
            self.message.emit("No recognition model is loaded")
            return
        n = self.pages.current
        self._pending.pop(n, None)  # a new request for it, even if one is in flight
        self._request(n, recognize=True)

    def recognize_all(self) -> None:
        """Read every page not read yet, one after another in the background, with progress."""
        if self.pages is None or self._run is not None:
            return
        if not self._can_recognize():
            self.message.emit("No recognition model is loaded")
            return
        self._run = [n for n in range(1, self.pages.count + 1) if self.pages.result(n) is None]
        self.progress.setRange(0, self.pages.count)
        self._show_running(True)
        self._next_in_run()

    def cancel(self) -> None:
        """Stop "recognize all" once the page being read is done (that page's result is kept)."""
        if self._run is None:
            return
        self._run = None
        self._show_running(False)
        done = len(self.pages.done())
        self.message.emit(f"Cancelled: {done} of {self.pages.count} pages recognized")

    def _next_in_run(self) -> None:
        run = self._run
        if run is None:
            return
        while run and self.pages.result(run[0]) is not None:
            run.pop(0)
        self.progress.setValue(len(self.pages.done()))
        if not run:
            self._finish_run()
        elif not self._pending.get(run[0], False):  # else it is being read already: wait for it
            self._request(run[0], recognize=True, render=False)
            if run[0] not in self._pending:  # the worker refused (no model)
                self.cancel()

    def _finish_run(self) -> None:
        self._run = None
        self._show_running(False)
        failed = self.pages.failed()
        n = self.pages.count
        if failed:
            self.message.emit(f"Recognized {n - len(failed)} of {n} pages; failed: "
                              + ", ".join(f"page {p} ({self.pages.result(p).error})" for p in failed))
        else:
            self.message.emit(f"Recognized all {n} pages")

    def _show_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.act_cancel.setEnabled(running)
        self.run_button.setEnabled(not running)
        self.act_recognize_all.setEnabled(not running)

    def _on_page_ready(self, outcome: PageOutcome) -> None:
        pages, n = self.pages, outcome.number
        if pages is None:
            return
        self._pending.pop(n, None)
        if outcome.image is not None:
            pages.keep_image(n, outcome.image)
            if n == pages.current and not self.view.has_image():
                self.view.set_image(array_to_qimage(outcome.image))
                self.pageShown.emit(n)
        if outcome.page is not None:
            pages.set_result(n, outcome.page)
        if n == pages.current:
            self._update_note()
        if outcome.page is not None:
            self.resultChanged.emit(n)
        if n == pages.current and pages.result(n) is None and self._can_recognize():
            self._request(n, recognize=True, render=False)  # rendered only, or asked for before the model came
        self._next_in_run()

    # --- clipboard -------------------------------------------------------------------------------

    def copy_all(self) -> bool:
        """Put the corrected text of every recognized page on the clipboard (pages apart by a form feed line)."""
        if self.pages is None or not self.pages.done():
            self.message.emit("Nothing to copy yet: recognize the pages first")
            return False
        QGuiApplication.clipboard().setText(self.pages.all_text())
        done, n = len(self.pages.done()), self.pages.count
        self.message.emit(f"Copied the text of all {n} pages" if done == n
                          else f"Copied the text of {done} of {n} pages (Recognize All Pages reads the rest)")
        return True
