"""MainWindow: write, see it recognized, correct it, copy it; open images and ink files.

The window wires the parts together: the canvas (ink model and input), the
worker (recognition off the UI thread), the result view, the corrections, the
autosaver and the settings. It never drops ink on an error: problems show in
an inline banner and in the status bar.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import (QAction, QActionGroup, QCloseEvent, QColor, QCursor, QDragEnterEvent, QDropEvent,
                           QGuiApplication, QIcon, QKeySequence)
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QLabel, QMainWindow, QScrollArea, QTabWidget,
                               QToolBar, QVBoxLayout, QWidget)

from ..decoding import MODES
from ..errors import HwrError
from ..formats import SUFFIXES, format_of, write_pages
from ..ink import rasterize
from ..journal import edit_record
from ..lexicon import is_word
from ..documents import is_pdf, is_tiff, open_document, page_count
from ..pipeline import IMAGE_SUFFIXES, is_ink_file
from ..results import PageResult
from ..recognizer import Recognizer
from .about_dialog import AboutDialog
from .autosave import Autosaver
from .banner import ErrorBanner
from .canvas import ERASER, PEN, InkCanvas
from .corrections import CorrectedPage, Corrections, correct, word_edits
from .correction_popup import CorrectionPopup, WordChoice
from .document import load_document, save_document
from .document_pane import DocumentPane
from .personalize import Personalizer
from .session import DocumentPage, Session, Snapshot
from .result_view import ResultView
from .samples_dialog import SamplesDialog
from .settings import AppSettings
from .settings_dialog import SettingsDialog
from .shortcuts_dialog import ActionGroup, ShortcutsDialog, shortcut_rows
from .word_list_dialog import WordListDialog
from .word_lists import MY_WORDS, WordLists, add_words
from .worker import IMAGE, INK, PAGE, Outcome, RecognitionWorker, run_ink

log = logging.getLogger(__name__)

DISPLAY_NAME = "hwr"  # the application's display name, which window systems add to window titles
TITLE = f"Handwriting recognition \u2014 {DISPLAY_NAME}"  # ends with it, so that Qt does not add it again
MODE_NAMES = {"auto": "Auto", "digits": "Digits 0-9", "letters": "Letters", "upper": "UPPERCASE", "lower": "lowercase"}
OPEN_FILTER = ("Ink, images and PDFs (*.ink.json *.pdf " + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;"
               "Ink (*.ink.json);;Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;PDF (*.pdf);;All files (*)")
TEXT_FILTERS = {"text": "Text (*.txt)", "json": "JSON with boxes, confidences and alternatives (*.json)",
                "hocr": "hOCR, for OCR tools (*.hocr)"}  # File > Save Text: format -> file dialog filter
CANVAS_NAME = "canvas"  # the "file" the ink's text comes from, in JSON and hOCR
NOTHING_TO_SAVE = "Nothing to save yet: write or open something first"
INK_TAB, IMAGE_TAB = 0, 1


class MainWindow(QMainWindow):
    """The app window.

    Args:
        recognizer: a loaded ``Recognizer`` (or a stand-in with ``labels``, ``info``, ``predict``); None if it failed.
        settings: where preferences live (tests pass an INI file in a temporary folder).
        data_dir: the folder for the autosave and, in ``samples/``, the glyphs learned from corrections.
        model_error: why the model is missing, shown at once.
        clock: monotonic seconds for stroke timestamps.
        live_delay_ms: the pause before live recognition (default: the setting, ``AppSettings.live_delay_ms``,
            ``settings.LIVE_DELAY_MS`` unless changed); the setting, changed in Edit > Settings, replaces it.
    """

    def __init__(self, recognizer, settings: QSettings, data_dir: str | Path, *, model_error: str | None = None,
                 clock: Callable[[], float] = time.monotonic, live_delay_ms: int | None = None,
                 line_reader=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self.settings = AppSettings(settings)
        self.corrections = {INK: Corrections(), IMAGE: Corrections()}
        self._outcome: dict[str, Outcome | None] = {INK: None, IMAGE: None}
        self._shown: dict[str, CorrectedPage | None] = {INK: None, IMAGE: None}
        self._image = None
        self._document: DocumentPage | None = None  # the document shown in the Image tab and its page
        self._model_error = model_error
        self.canvas = InkCanvas(clock=clock)
        self.result_view = ResultView()
        self.banner = ErrorBanner()
        self.worker = RecognitionWorker(recognizer, self)
        self._line_reader = line_reader  # joined-up words read whole (joined.LineReader); None: glyphs only
        self.worker.line_reader = line_reader if self.settings.joined else None
        self.doc_pane = DocumentPane(self.worker, lambda: self.mode)  # the Image tab: pages of an opened file
        self.image_view = self.doc_pane.view
        self.autosaver = Autosaver(data_dir, parent=self)
        self.personalizer = Personalizer(Path(data_dir) / "samples", recognizer)  # corrections teach the model
        self.worker.personal = self.personalizer.model
        self.my_words = Path(data_dir) / MY_WORDS  # the app's own word list ("My words")
        self.word_lists = WordLists(self._user_lists(self.settings.word_lists))  # built once, in the worker's thread
        self._learned: dict = {}  # (source, glyph key) or (source, (file, page), box) -> id of its stored sample
        self.live_timer = QTimer(self, singleShot=True,
                                 interval=live_delay_ms if live_delay_ms is not None else self.settings.live_delay_ms)
        self._build_layout()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._connect()
        self._apply_settings()
        if recognizer is None:
            self._show_model_problem(model_error or "no model was given")

    # --- construction ----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.canvas)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(scroll, "Ink")
        self.tabs.addTab(self.doc_pane, "Image")
        self.tabs.setTabEnabled(IMAGE_TAB, False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.result_view)  # as tall as its text, up to a limit (``ResultView.wanted_height``)
        self.setCentralWidget(central)
        self.busy_label = QLabel("")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.resize(1000, 680)

    def _action(self, text: str, slot, shortcuts=(), icon: str = "", checkable: bool = False, tip: str = "") -> QAction:
        act = QAction(QIcon.fromTheme(icon) if icon else QIcon(), text, self)
        act.setShortcuts([QKeySequence(s) for s in shortcuts])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setCheckable(checkable)
        if tip or shortcuts:
            keys = ", ".join(QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts)
            act.setToolTip(f"{tip or text.replace('&', '')}" + (f" ({keys})" if keys else ""))
        (act.toggled if checkable else act.triggered).connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        a = self._action
        self.act_open = a("&Open\u2026", self.open_dialog, [QKeySequence.StandardKey.Open], "document-open",
                          tip="Open an image or an ink file")
        self.act_save = a("&Save Ink\u2026", self.save_dialog, [QKeySequence.StandardKey.Save], "document-save")
        self.act_save_text = a("Save &Text\u2026", self.save_text_dialog, ["Ctrl+Shift+S"], "document-save-as",
                               tip="Save the text as you see it, corrections in: plain text, JSON or hOCR")
        self.act_model = a("Load &Model\u2026", self.model_dialog)
        self.act_quit = a("&Quit", self.close, [QKeySequence.StandardKey.Quit], "application-exit")
        self.act_undo = a("&Undo", self.canvas.undo, [QKeySequence.StandardKey.Undo], "edit-undo")
        self.act_redo = a("&Redo", self.canvas.redo, self._redo_keys(), "edit-redo")
        self.act_clear = a("C&lear", self.canvas.clear, ["Ctrl+Delete"], "edit-clear",
                           tip="Clear the canvas (undoable)")
        self.act_copy = a("&Copy Text", self.copy_text, [QKeySequence.StandardKey.Copy], "edit-copy")
        self.act_copy_clear = a("Copy and Clea&r", self.copy_and_clear, ["Ctrl+Shift+C"])
        self.act_recognize = a("Reco&gnize", self.recognize_now, ["Ctrl+Return", "Ctrl+Enter"], "system-run")
        self.act_live = a("&Live", self._set_live, checkable=True, tip="Recognize as you write")
        self.act_guides = a("&Guide Lines", self._set_guides, ["Ctrl+G"], checkable=True)
        self.act_pen = a("&Pen", lambda on: on and self.canvas.set_tool(PEN), ["P"], "draw-freehand", checkable=True)
        self.act_eraser = a("&Eraser", lambda on: on and self.canvas.set_tool(ERASER), ["E"], "draw-eraser",
                            checkable=True, tip="Erase whole strokes")
        self.act_about = a("&About hwr", self.show_about, [], "help-about")
        self.act_settings = a("Se&ttings\u2026", self.show_settings, ["Ctrl+,"], "preferences-system",
                              tip="Guide lines, recognition delay, pen width and colour, field mode at start")
        self.act_shortcuts = a("&Keyboard Shortcuts", self.show_shortcuts, [QKeySequence.StandardKey.HelpContents],
                               "help-keyboard-shortcuts", tip="Every key of the app")
        self.act_samples = a("My &Handwriting\u2026", self.show_samples,
                             tip="See, export or delete the glyphs learned from your corrections")
        self.act_lexicon = a("Use &Word Lists", self._set_lexicon, checkable=True,
                             tip="Prefer dictionary words where the ink allows them (not in Digits mode)")
        self.act_word_lists = a("Edit Word Li&sts\u2026", self.show_word_lists,
                                tip="See, add, remove, import and export the words of your lists")
        group = QActionGroup(self)
        group.addAction(self.act_pen)
        group.addAction(self.act_eraser)
        self.act_pen.setChecked(True)
        self.mode_box = QComboBox()
        for mode in MODES:
            self.mode_box.addItem(MODE_NAMES.get(mode, mode), mode)
        self.mode_box.setToolTip("Field mode: which characters to expect")
        self.width_box = QDoubleSpinBox()
        self.width_box.setRange(0.5, 20.0)
        self.width_box.setSingleStep(0.5)
        self.width_box.setSuffix(" px")
        self.width_box.setToolTip("Pen width (display only)")

    @staticmethod
    def _redo_keys() -> list:
        keys = [QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
        unique = []
        for k in keys:
            if not k.isEmpty() and k not in unique:
                unique.append(k)
        return unique

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        for title, actions in (
            ("&File", [self.act_open, self.act_save, self.act_save_text, None, self.act_model, None, self.act_quit]),
            ("&Edit", [self.act_undo, self.act_redo, None, self.act_copy, self.act_copy_clear,
                       self.doc_pane.act_copy_all, None, self.act_clear, None, self.act_settings]),
            ("&Tools", [self.act_pen, self.act_eraser, None, self.act_recognize, self.act_live, None,
                        self.act_lexicon, self.act_word_lists, None, self.act_samples]),
            ("&View", [self.act_guides]),
            ("&Help", [self.act_shortcuts, None, self.act_about]),
        ):
            menu = bar.addMenu(title)
            for act in actions:
                menu.addSeparator() if act is None else menu.addAction(act)
        tools = QToolBar("Main")
        tools.setObjectName("mainToolBar")
        tools.setMovable(False)
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for item in (self.act_open, self.act_save, None, self.act_pen, self.act_eraser, None, self.act_undo,
                     self.act_redo, self.act_clear, None, QLabel(" Mode "), self.mode_box, self.act_live,
                     self.act_recognize, None, self.act_copy, None, QLabel(" Pen "), self.width_box, self.act_guides):
            if item is None:
                tools.addSeparator()
            elif isinstance(item, QAction):
                tools.addAction(item)
            else:
                tools.addWidget(item)
        self.addToolBar(tools)

    def _connect(self) -> None:
        self.canvas.inkChanged.connect(self._on_ink_changed)
        self.canvas.edited.connect(lambda edit: self.autosaver.record(edit_record(edit)))  # on disk at once
        self.canvas.strokeStarted.connect(self.live_timer.stop)
        self.canvas.glyphClicked.connect(lambda i: self.open_correction(i, INK))
        self.canvas.toolChanged.connect(self._on_tool_changed)
        self.image_view.glyphClicked.connect(lambda i: self.open_correction(i, IMAGE))
        self.doc_pane.pageShown.connect(self._on_page_shown)
        self.doc_pane.resultChanged.connect(self._on_page_result)
        self.doc_pane.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.result_view.glyphClicked.connect(lambda i: self.open_correction(i))
        self.result_view.glyphHovered.connect(self._on_glyph_hovered)
        self.live_timer.timeout.connect(self._recognize_ink)
        self.worker.resultReady.connect(self._on_result)
        self.worker.failed.connect(lambda msg: self.show_error(f"Recognition failed: {msg}"))
        self.worker.busyChanged.connect(lambda busy: self.busy_label.setText("Recognizing\u2026" if busy else ""))
        self.autosaver.failed.connect(self.show_error)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.mode_box.currentIndexChanged.connect(self._on_mode_changed)
        self.width_box.valueChanged.connect(self._set_pen_width)

    def _apply_settings(self) -> None:
        s = self.settings
        self.width_box.setValue(s.pen_width)
        self.canvas.set_pen_width(s.pen_width)
        self.canvas.set_ink_color(QColor(s.pen_color) if s.pen_color else None)
        self.act_guides.setChecked(s.guides)
        self.canvas.set_guides(s.guides)
        self.canvas.set_guide_spacing(s.guide_spacing)
        self.act_live.setChecked(s.live)
        self.mode_box.setCurrentIndex(max(0, self.mode_box.findData(s.start_with)))
        self._use_word_lists(s.lexicon)
        self.act_lexicon.setChecked(s.lexicon)
        missing = [Path(p).name for p in s.word_lists if not Path(p).is_file()]
        if missing:
            self.statusBar().showMessage(f"Word list not found, left out: {', '.join(missing)}", 10000)
        if s.geometry is not None:
            self.restoreGeometry(s.geometry)
        self._update_edit_actions()

    # --- state -----------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.mode_box.currentData()

    @property
    def live(self) -> bool:
        return self.act_live.isChecked()

    def current_source(self) -> str:
        return IMAGE if self.tabs.currentIndex() == IMAGE_TAB else INK

    def shown(self, source: str | None = None) -> CorrectedPage | None:
        """The corrected result of a source (default: the visible one), or None."""
        return self._shown[source or self.current_source()]

    def current_text(self) -> str:
        """The visible result's text, with corrections."""
        shown = self.shown()
        return shown.text if shown else ""

    def _update_edit_actions(self) -> None:
        ink = self.canvas.ink
        self.act_undo.setEnabled(ink.can_undo())
        self.act_redo.setEnabled(ink.can_redo())
        self.act_clear.setEnabled(bool(ink))
        self.act_recognize.setEnabled(self.worker.recognizer is not None)

    # --- ink and recognition ---------------------------------------------------------------------

    def _on_ink_changed(self) -> None:
        self.worker.invalidate(INK)
        self._update_edit_actions()
        self._schedule_autosave()
        if not self.canvas.ink:
            self.live_timer.stop()
            self._outcome[INK] = None
            self._refresh(INK)
        elif self.live and self.worker.recognizer is not None:
            self.live_timer.start()
        elif self.current_source() == INK:
            self.result_view.set_stale(True)
            self.statusBar().showMessage("Ink changed: press Recognize (Ctrl+Return) to read it again", 4000)

    def recognize_now(self) -> None:
        """Recognize the visible page now (the Recognize button)."""
        if self.current_source() == IMAGE:
            self.doc_pane.recognize_shown()
        elif not self.canvas.ink:
            self.statusBar().showMessage("Nothing to recognize: write something first", 4000)
        else:
            self._recognize_ink()

    def _recognize_ink(self) -> None:
        self.live_timer.stop()
        if self.canvas.ink:
            self.worker.invalidate(INK)
            self.worker.recognize_ink(self.canvas.strokes, self.mode, self.canvas.guide_rules())

    def _recognize_image(self) -> None:
        """Read the opened document again (mode, model or samples changed): the shown page now, others when shown."""
        self.doc_pane.recognize_again()

    def _on_page_shown(self, number: int) -> None:
        """Page ``number`` of the document is shown: its image, result and corrections become the Image tab's."""
        pages = self.doc_pane.pages
        result = pages.result(number)
        self._image = pages.image(number)
        self.corrections[IMAGE] = pages.corrections(number)
        self._record_document((str(pages.path.absolute()), number))
        self._outcome[IMAGE] = Outcome(IMAGE, 0, result, tuple(frozenset() for _ in result.glyphs), 0.0) \
            if result is not None else None
        self.tabs.setTabText(IMAGE_TAB, pages.path.name + (f" (page {number} of {pages.count})" if pages.count > 1
                                                            else ""))
        self._refresh(IMAGE)

    def _on_page_result(self, number: int) -> None:
        if number != self.doc_pane.current:
            return
        self._on_page_shown(number)
        result = self.doc_pane.pages.result(number)
        if result.error is not None:
            self.statusBar().showMessage(f"Page {number} could not be read: {result.error}", 10000)
        else:
            n = len(result.glyphs)
            self.statusBar().showMessage(f"Recognized {n} character{'s' * (n != 1)} on page {number}", 3000)

    def _ensure_current_ink(self) -> None:
        """Recognize the ink now, on this thread, if the shown result is older than the ink (before copying)."""
        outcome, rec = self._outcome[INK], self.worker.recognizer
        if not self.canvas.ink or rec is None or (outcome and outcome.generation == self.worker.generation(INK)):
            return
        self.live_timer.stop()
        generation = self.worker.invalidate(INK)  # drops what is in flight
        try:
            page, keys = run_ink(self.canvas.strokes, rec, self.mode, self.worker.personal, self.worker.words,
                                 self.canvas.guide_rules(), self.worker.line_reader, self.worker.glyph_cache)
        except HwrError as e:
            self.show_error(f"Recognition failed: {e}")
            return
        self._on_result(Outcome(INK, generation, page, keys, 0.0))

    def _on_result(self, outcome: Outcome) -> None:
        self._outcome[outcome.source] = outcome
        self._refresh(outcome.source)
        n = len(outcome.page.glyphs)
        self.statusBar().showMessage(f"Recognized {n} character{'s' * (n != 1)} in {outcome.elapsed_ms:.0f} ms", 3000)

    def _refresh(self, source: str) -> None:
        """Recompute the corrected result of ``source`` and show it wherever it appears."""
        outcome = self._outcome[source]
        shown = correct(outcome.page, outcome.keys, self.corrections[source]) if outcome else None
        self._shown[source] = shown
        (self.canvas if source == INK else self.image_view).set_result(shown)
        if source == self.current_source():
            self.result_view.show_result(shown)

    def _on_tab_changed(self, _index: int) -> None:
        source = self.current_source()
        self.result_view.show_result(self._shown[source])
        if source == INK and self._outcome[INK] and self._outcome[INK].generation != self.worker.generation(INK):
            self.result_view.set_stale(not self.live)

    def _on_mode_changed(self, _index: int) -> None:
        self.settings.mode = self.mode
        self._read_again()

    def _read_again(self) -> None:
        """Recognize the ink and the opened document again (a setting that changes the reading changed)."""
        if self.canvas.ink and self.worker.recognizer is not None:
            self._recognize_ink()
        if self.worker.recognizer is not None:
            self._recognize_image()

    def _on_tool_changed(self, tool: str) -> None:
        (self.act_eraser if tool == ERASER else self.act_pen).setChecked(True)
        self.tabs.setCurrentIndex(INK_TAB)

    def _set_live(self, on: bool) -> None:
        self.settings.live = on
        outcome = self._outcome[INK]
        if on and self.canvas.ink and (outcome is None or outcome.generation != self.worker.generation(INK)):
            self._recognize_ink()

    def _set_guides(self, on: bool) -> None:
        self.settings.guides = on
        self.canvas.set_guides(on)
        if self.canvas.ink and self.worker.recognizer is not None:  # the rules help read the ink
            self._recognize_ink()

    # --- word lists ------------------------------------------------------------------------------

    def _user_lists(self, paths) -> tuple[str, ...]:
        """The user's word list files: the app's own (once it exists) and ``paths`` (``AppSettings.word_lists``)."""
        mine = (str(self.my_words),) if self.my_words.is_file() else ()
        return mine + tuple(str(p) for p in paths if Path(p) != self.my_words)

    def _use_word_lists(self, on: bool) -> None:
        self.worker.words = self.word_lists if on else None
        self.worker.warm_up()

    def _set_lexicon(self, on: bool) -> None:
        """Tools > Word List: dictionary words re-rank the readings (or not); everything is read again."""
        if on == (self.worker.words is not None):
            return
        self.settings.lexicon = on
        self._use_word_lists(on)
        self._read_again()

    def _set_word_lists(self, paths) -> None:
        """Use the user's list files ``paths`` (besides the app's own), as they are on disk now: read again."""
        self.settings.word_lists = paths
        self.word_lists = WordLists(self._user_lists(paths))
        self._use_word_lists(self.act_lexicon.isChecked())
        if self.act_lexicon.isChecked():
            self._read_again()

    def _reload_word_lists(self) -> None:
        """A list's words changed on disk: the next recognition (now) uses them."""
        self._set_word_lists(self.settings.word_lists)

    def add_to_word_list(self, word: str) -> bool:
        """Add ``word`` to the app's own word list (My words) and read again with it; False (and the problem
        shown) when it is not a usable word or the list cannot be written."""
        try:
            added = add_words(self.my_words, [word])
        except HwrError as e:
            self.show_error(f"Could not add the word: {e}")
            return False
        except OSError as e:
            self.show_error(f"Could not add the word to {self.my_words}: {e.strerror or e}")
            return False
        self._reload_word_lists()
        self.statusBar().showMessage(f"Added \u201c{word}\u201d to your word list" if added
                                     else f"\u201c{word}\u201d is in your word list already", 4000)
        return True

    def in_word_lists(self, word: str) -> bool:
        """Whether ``word`` (case aside) is in the shipped list or the user's (False when they cannot be read)."""
        try:
            return word in self.word_lists.lexicon()
        except HwrError:
            return False

    def show_word_lists(self) -> WordListDialog:
        """Tools \u2192 Edit Word Lists: the words of the user's lists and the shipped one; edits apply at once."""
        dialog = WordListDialog(self.my_words, self.settings.word_lists, self.act_lexicon.isChecked(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.wordsChanged.connect(self._reload_word_lists)
        dialog.listsChanged.connect(self._set_word_lists)
        dialog.enabledChanged.connect(self.act_lexicon.setChecked)
        dialog.open()
        return dialog

    def _set_pen_width(self, width: float) -> None:
        self.settings.pen_width = width
        self.canvas.set_pen_width(width)

    # --- settings --------------------------------------------------------------------------------

    def show_settings(self) -> SettingsDialog:
        """Edit \u2192 Settings: every change applies at once (``apply_setting``)."""
        dialog = SettingsDialog(self.settings, MODE_NAMES, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.apply_setting)
        dialog.open()
        return dialog

    def apply_setting(self, name: str) -> None:
        """Make the stored setting ``name`` (an ``AppSettings`` property) take effect now."""
        s = self.settings
        if name == "guides":
            self.act_guides.setChecked(s.guides)  # -> _set_guides: the canvas, and the ink read again
        elif name == "guide_spacing" and s.guide_spacing != self.canvas.guide_spacing:
            self.canvas.set_guide_spacing(s.guide_spacing)
            if s.guides and self.canvas.ink and self.worker.recognizer is not None:  # the rules help read the ink
                self._recognize_ink()
        elif name == "live_delay_ms":
            self.live_timer.setInterval(s.live_delay_ms)
        elif name == "pen_width":
            self.width_box.setValue(s.pen_width)  # -> _set_pen_width
        elif name == "pen_color":
            self.canvas.set_ink_color(QColor(s.pen_color) if s.pen_color else None)
        elif name == "start_mode" and s.start_with != self.mode:
            self.mode_box.setCurrentIndex(max(0, self.mode_box.findData(s.start_with)))
        elif name == "joined":
            reader = self._line_reader if s.joined else None
            if reader is not self.worker.line_reader:
                self.worker.line_reader = reader
                self.worker.warm_up()
                if self.worker.recognizer is not None:
                    self._recognize_ink()
                    self._recognize_image()

    def _on_glyph_hovered(self, index: int) -> None:
        shown = self.shown()
        if shown is None or not 0 <= index < len(shown.glyphs):
            self.statusBar().clearMessage()
            return
        g = shown.glyphs[index]
        alts = ", ".join(f"{c.char} {c.p:.0%}" for c in g.alternatives[1:])
        how = " from your handwriting" if shown.is_personal(index) else ""
        self.statusBar().showMessage(f"\u201c{g.char}\u201d {g.confidence:.0%}{how}; also: {alts}. Click to correct.")

    # --- corrections -----------------------------------------------------------------------------

    def open_correction(self, index: int, source: str | None = None) -> CorrectionPopup | None:
        """Pop up the alternatives of glyph ``index`` under the pointer; returns the popup (None if no glyph)."""
        source = source or self.current_source()
        shown = self._shown[source]
        if shown is None or not 0 <= index < len(shown.glyphs):
            return None
        glyph, key = shown.glyphs[index], shown.keys[index]
        popup = CorrectionPopup(glyph, shown.chars[index], shown.corrected[index], self,
                                word=self._word_choice(shown, index))
        popup.chosen.connect(lambda text: self._apply_correction(source, key, glyph.box, text))
        popup.wordChosen.connect(lambda text: self._apply_word(source, shown, index, text))
        popup.addWord.connect(self.add_to_word_list)
        popup.forget.connect(self.forget_samples)
        popup.popup(QCursor.pos())
        return popup

    def _word_choice(self, shown: CorrectedPage, index: int) -> WordChoice:
        """What the popup of glyph ``index`` offers for its word."""
        word, span = shown.word_at(index)
        text = shown.word_text(index)
        return WordChoice(text, word.alternatives, any(shown.corrected[i] for i in span),
                          is_word(text) and not self.in_word_lists(text))

    def forget_samples(self, ids) -> int:
        """Delete the user's samples ``ids`` (those that made a glyph read as it does) from the store and the
        personal model, and read everything again; returns how many went."""
        try:
            n = self.personalizer.delete(ids)
        except OSError as e:
            self.show_error(f"Could not forget the sample: {e.strerror or e}")
            return 0
        self._on_samples_deleted()
        self.statusBar().showMessage(f"Forgot {n} sample{'s' * (n != 1)} of your handwriting; read again" if n
                                     else "That sample was already forgotten", 4000)
        return n

    def set_correction(self, index: int, text: str, source: str | None = None) -> None:
        """Override glyph ``index`` of the visible result with ``text`` ("" reverts it)."""
        source = source or self.current_source()
        shown = self._shown[source]
        if shown is not None and 0 <= index < len(shown.glyphs):
            self._apply_correction(source, shown.keys[index], shown.glyphs[index].box, text)

    def set_word(self, index: int, text: str, source: str | None = None) -> bool:
        """Make the word holding glyph ``index`` of the visible result read ``text`` (one character per glyph;
        "" takes its corrections back), as corrections of its glyphs; False when it cannot be."""
        source = source or self.current_source()
        shown = self._shown[source]
        return shown is not None and 0 <= index < len(shown.glyphs) and self._apply_word(source, shown, index, text)

    def _apply_word(self, source: str, shown: CorrectedPage, index: int, text: str) -> bool:
        """Correct each glyph of the word of ``shown`` holding glyph ``index`` that ``text`` changes (each one a
        correction like any other: it is journaled, taught and can be taken back)."""
        try:
            edits = word_edits(shown, index, text)
        except ValueError as e:
            self.show_error(f"Could not correct the word: {e}")
            return False
        self._correct(source, [(shown.keys[i], shown.glyphs[i].box, char) for i, char in edits],
                      f"Corrected the word to \u201c{text}\u201d" if text else "Word corrections removed")
        return True

    def _apply_correction(self, source: str, key, box, text: str) -> None:
        self._correct(source, [(key, box, text)], f"Corrected to \u201c{text}\u201d" if text else "Correction removed")

    def _correct(self, source: str, edits, message: str) -> None:
        """Set the corrections ``edits`` of ``source`` ((glyph key, box, text) each; text "" takes one back): show
        them, journal and autosave them (ink), say ``message``, and teach each to the personal model."""
        for key, box, text in edits:
            self.corrections[source].set(key, box, text)
        self._refresh(source)
        if source == INK:
            for key, box, text in edits:
                self._record_correction(key, box, text)
            self._schedule_autosave()
        self.statusBar().showMessage(message, 3000)
        for key, box, text in edits:
            self._learn(source, key, box, text)

    def _learn(self, source: str, key, box, text: str) -> None:
        """Keep the corrected glyph as a sample and teach the personal model at once; a changed or
        undone correction takes its earlier sample back."""
        glyph_id = (source, key) if key else (source, self.doc_pane.document_page(), tuple(box))
        old = self._learned.pop(glyph_id, None)
        if old is not None:
            self.personalizer.delete([old])
        try:
            if source == INK and key:
                sample = self.personalizer.learn_ink(key, text)
            elif source == INK and self.canvas.strokes:  # a letter of a joined-up word: the ink inside its box
                x0, y0, x1, y1 = box
                page = rasterize(self.canvas.strokes, (float(x0), float(y0), float(x1), float(y1)), margin=0)
                sample = self.personalizer.learn_image(page, (0, 0, x1 - x0, y1 - y0), text)
            elif source == IMAGE and self._image is not None:
                sample = self.personalizer.learn_image(self._image, box, text)
            else:
                sample = None
        except OSError as e:
            self.show_error(f"Could not keep the corrected glyph: {e.strerror or e}")
            return
        if sample is not None:
            self._learned[glyph_id] = sample.id
        self.worker.personal = self.personalizer.model

    # --- clipboard -------------------------------------------------------------------------------

    def copy_text(self) -> bool:
        """Put the visible text, with corrections, on the clipboard; False when there is none."""
        if self.current_source() == INK:
            self._ensure_current_ink()
        text = self.current_text()
        if not text:
            self.statusBar().showMessage("Nothing to copy yet", 3000)
            return False
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {len(text)} characters", 3000)
        return True

    def copy_and_clear(self) -> bool:
        """Copy, then clear the canvas (undo brings the ink back)."""
        if not self.copy_text():
            return False
        if self.current_source() == INK:
            self.canvas.clear()
            self.statusBar().showMessage("Copied and cleared (Ctrl+Z brings the ink back)", 4000)
        return True

    # --- files -----------------------------------------------------------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Open an ``*.ink.json`` (onto the canvas, undoable) or an image (in the Image tab) and recognize it.

        On failure the problem is shown and nothing else changes.
        """
        p = Path(path)
        try:
            if is_ink_file(p):
                self._open_ink(p)
            else:
                self._open_image(p)
        except (HwrError, OSError, ValueError) as e:
            self.show_error(f"Could not open {p.name or p}: {e}")
            return False
        self.banner.hide()
        self.statusBar().showMessage(f"Opened {p.name}", 4000)
        return True

    def _open_ink(self, path: Path) -> None:
        if path.is_dir():
            raise HwrError("it is a folder")
        strokes, corrections = load_document(path)
        self.canvas.replace_strokes(strokes)
        for c in Corrections.from_json(corrections, strokes):
            self.corrections[INK].set(c.key, c.box, c.char)
            self._record_correction(c.key, c.box, c.char)
        self.tabs.setCurrentIndex(INK_TAB)
        if self.worker.recognizer is not None:
            self._recognize_ink()

    def _open_image(self, path: Path) -> None:
        """Show an image, or the first page of a PDF or multi-page TIFF (rendered at 300 dpi); the other
        pages are rendered when shown or recognized."""
        numbers, pages = open_document(path, frozenset({1}))
        first = list(pages)[0]  # read to the end: a PDF closes then
        count = page_count(path) if is_pdf(path) or is_tiff(path) else 1
        if first.error is not None and count == 1:
            raise HwrError(f"page 1: {first.error}")
        self.doc_pane.open(path, count, first.image)  # shows page 1 (``_on_page_shown``); a broken one says why
        self.tabs.setTabEnabled(IMAGE_TAB, True)
        self.tabs.setCurrentIndex(IMAGE_TAB)

    def save_ink(self, path: str | Path) -> bool:
        """Write the ink and its corrections to ``path`` (an ink file the CLI also reads)."""
        strokes = self.canvas.strokes
        try:
            save_document(path, strokes, self.corrections[INK].to_json(strokes))
        except OSError as e:
            self.show_error(f"Could not save {Path(path).name}: {e.strerror or e}")
            return False
        self.statusBar().showMessage(f"Saved {len(strokes)} strokes to {Path(path).name}", 4000)
        return True

    def text_pages(self) -> tuple[str, list[PageResult]] | None:
        """What File > Save Text writes for the visible tab: a name and the pages as the user sees them
        (corrections in): the canvas, or every recognized page of the document; None when nothing is read yet."""
        if self.current_source() == INK:
            self._ensure_current_ink()
            shown = self._shown[INK]
            return (CANVAS_NAME, [shown.as_page()]) if shown is not None and shown.glyphs else None
        pages = self.doc_pane.pages
        return (pages.path.name, pages.corrected_pages()) if pages is not None and pages.done() else None

    def save_text(self, path: str | Path, fmt: str | None = None) -> bool:
        """Write the visible text, corrections in, to ``path`` in ``fmt`` (``formats.FORMATS``; default: by the
        suffix, text when it names none), whole or not at all; False (and the problem shown) when it cannot be."""
        found = self.text_pages()
        if found is None or self.worker.recognizer is None:
            self.statusBar().showMessage(NOTHING_TO_SAVE, 4000)
            return False
        name, pages = found
        path = Path(path)
        try:
            write_pages(path, name, pages, fmt or format_of(path), self.worker.recognizer.info)
        except OSError as e:
            self.show_error(f"Could not save {path.name or path}: {e.strerror or e}")
            return False
        count = self.doc_pane.pages.count if self.current_source() == IMAGE else 1
        what = "the text" if len(pages) == count else f"the text of {len(pages)} of {count} pages"
        self.statusBar().showMessage(f"Saved {what} to {path.name}", 4000)
        return True

    def save_text_dialog(self) -> None:
        found = self.text_pages()
        if found is None:
            self.statusBar().showMessage(NOTHING_TO_SAVE, 4000)
            return
        stem = "handwriting" if found[0] == CANVAS_NAME else found[0]  # scan.pdf -> scan.pdf.txt, as hwr --out
        path, chosen = QFileDialog.getSaveFileName(self, "Save text", stem + SUFFIXES["text"],
                                                   ";;".join(TEXT_FILTERS.values()))
        if not path:
            return
        if Path(path).suffix.lower() not in SUFFIXES.values():  # no suffix typed: the chosen filter's
            path += SUFFIXES[next((f for f, label in TEXT_FILTERS.items() if label == chosen), "text")]
        self.save_text(path)  # in the format its suffix names

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image or ink", "", OPEN_FILTER)
        if path:
            self.open_file(path)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save ink", "handwriting.ink.json", "Ink (*.ink.json)")
        if path:
            self.save_ink(path if is_ink_file(path) else path + ".ink.json")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    # --- autosave --------------------------------------------------------------------------------

    def _record_correction(self, key, box, text: str) -> None:
        """Journal a correction of the ink (the glyph of strokes ``key``, or at ``box`` for a letter of a joined-up
        word, whose key is empty); one whose strokes are gone is not kept."""
        index = {s: i for i, s in enumerate(self.canvas.strokes)}
        if all(s in index for s in key):
            self.autosaver.record({"op": "correct", "strokes": sorted(index[s] for s in key),
                                   "box": [int(v) for v in box], "char": text})

    def _record_document(self, document: DocumentPage) -> None:
        if document != self._document:
            self._document = document
            self.autosaver.record({"op": "document", "path": document[0], "page": document[1]})
            self._schedule_autosave()

    def _schedule_autosave(self) -> None:
        strokes = self.canvas.strokes
        corrections = self.corrections[INK].to_json(strokes) if len(self.corrections[INK]) else []
        self.autosaver.schedule(Snapshot(strokes, self.canvas.ink.history(), corrections, self._document))

    def autosave_now(self) -> None:
        """Write the ink and its corrections to the autosave now and wait for it (after an error, on quit)."""
        self._schedule_autosave()
        self.autosaver.flush()

    def restore_autosave(self) -> bool:
        """Bring back the last session: the ink with its undo history and corrections, and the document that
        was open at the page shown; the banner says so. False if there was nothing to bring back."""
        try:
            session = self.autosaver.load()
        except HwrError as e:
            self.show_error(str(e))
            return False
        if session is None:
            return False
        self.corrections[INK] = session.corrections
        self.canvas.set_ink(session.ink)
        n = len(session.ink)
        news = [f"Restored your ink from the last session ({n} stroke{'s' * (n != 1)})"] if n else []
        news += self._reopen(session)
        self._schedule_autosave()  # folds the journal into the autosave
        if not news and not session.problems:
            return False
        self._tell_restored(news, session.problems)
        if self.worker.recognizer is not None and self.canvas.ink:
            self._recognize_ink()
        return bool(news)

    def _reopen(self, session: Session) -> list[str]:
        """Open the session's document at its page again; what to tell about it."""
        if session.document is None:
            return []
        path, page = session.document
        if not Path(path).is_file():
            session.problems.append(f"{Path(path).name} is no longer at {Path(path).parent}")
            return []
        if not self.open_file(path):
            session.problems.append(f"{Path(path).name} could not be opened again")
            return []
        self.doc_pane.go_to(page)
        return [f"reopened {Path(path).name}" + (f" at page {self.doc_pane.current}" if self.doc_pane.pages.count > 1
                                                 else "")]

    def _tell_restored(self, news: list[str], problems: list[str]) -> None:
        """Say what came back (and what did not) in the banner (before the model's problem, if it has one)."""
        text = "; ".join(news) or "Nothing could be restored from the last session"
        text = text[0].upper() + text[1:] + "." + "".join(f" Not restored: {p}." for p in problems)
        self.statusBar().showMessage(text, 8000)
        if self.worker.recognizer is None and not self.banner.isHidden():  # keep the model's problem in sight
            self.banner.show_message(f"{text} {self.banner.label.text()}")
        else:
            self.banner.show_message(text, "error" if problems else "info")

    # --- model, errors, about --------------------------------------------------------------------

    def set_recognizer(self, recognizer) -> None:
        """Use another model; everything is recognized again."""
        self.worker.set_recognizer(recognizer)
        self.personalizer.set_recognizer(recognizer)
        self.worker.personal = self.personalizer.model
        self._model_error = None
        self.banner.hide()
        self._update_edit_actions()
        self._recognize_ink()
        self._recognize_image()

    def load_model(self, path: str | Path) -> bool:
        try:
            recognizer = Recognizer.from_path(path)
        except HwrError as e:
            self.show_error(str(e))
            return False
        self.set_recognizer(recognizer)
        self.statusBar().showMessage(f"Loaded model {Path(path).name}", 4000)
        return True

    def model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", "", "ONNX model (*.onnx)")
        if path:
            self.load_model(path)

    def _show_model_problem(self, message: str) -> None:
        self._update_edit_actions()
        self.show_error(f"The recognition model could not be loaded: {message}. You can still write: your ink is "
                        "kept and autosaved. Use File \u2192 Load Model\u2026 to choose a model file.")

    def show_error(self, message: str) -> None:
        """Show a problem in the banner and the status bar; nothing else changes."""
        log.warning("%s", message)
        self.banner.show_message(message)
        self.statusBar().showMessage(message, 10000)

    def show_samples(self) -> SamplesDialog:
        """Tools \u2192 My Handwriting: the learned glyphs, to see, export and delete."""
        dialog = SamplesDialog(self.personalizer, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._on_samples_deleted)
        dialog.open()
        return dialog

    def _on_samples_deleted(self) -> None:
        kept = {s.id for s in self.personalizer.samples}
        self._learned = {k: v for k, v in self._learned.items() if v in kept}
        self.worker.personal = self.personalizer.model
        self._recognize_ink()
        self._recognize_image()

    def show_about(self) -> AboutDialog:
        rec = self.worker.recognizer
        dialog = AboutDialog(rec.info if rec is not None else None, self._model_error, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def shortcut_groups(self) -> list[ActionGroup]:
        """Every action under a heading, for the shortcuts list: each menu's, the Image tab's (pages), then any
        other action of the window, so that one with keys but in no menu is listed too."""
        groups: list[ActionGroup] = [(a.text(), a.menu().actions()) for a in self.menuBar().actions() if a.menu()]
        return groups + [("Image tab", self.doc_pane.actions()), ("Other", self.actions())]

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help \u2192 Keyboard Shortcuts: the keys as the actions have them now."""
        dialog = ShortcutsDialog(shortcut_rows(self.shortcut_groups()), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save everything before going: the ink (synchronously) and the window settings."""
        self.live_timer.stop()
        self._schedule_autosave()
        self.autosaver.close()
        self.worker.invalidate(INK)
        self.worker.invalidate(IMAGE)
        self.worker.invalidate(PAGE)
        self.worker.wait(3000)
        self.settings.geometry = self.saveGeometry()
        self.settings.sync()
        event.accept()
