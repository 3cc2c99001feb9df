"""WordListDialog (Tools > Edit Word Lists): the words of the user's lists, to filter, add, remove, rename, import
and export; the shipped English list, read-only; and whether word lists are used at all.

Every edit goes to the list's file at once (``word_lists.add_words`` and the like: the file is read as it is
now and written whole or not at all) and is announced (``wordsChanged``), so that the next recognition uses it.
A list that cannot be read is shown as such and never written. Problems show in the dialog and lose nothing:
a word that cannot be added stays in the field.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import (QItemSelectionModel, QModelIndex, QSortFilterProxyModel, QStringListModel, Qt, QTimer,
                            Signal)
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout,
                               QLabel, QLineEdit, QListView, QListWidget, QPushButton, QVBoxLayout, QWidget)

from ..errors import HwrError
from ..lexicon import shipped_words_path
from .colors import LOW
from .word_lists import add_words, check_word_list, export_words, import_words, list_words, remove_words, rename_word

FILE_FILTER = "Word lists (*.txt *.dic *.lst);;All files (*)"


@dataclass(frozen=True)
class WordList:
    """One list the dialog shows.

    Attributes:
        name: what it is called (``My words``, the file's name, ``English (shipped, read-only)``).
        path: its file.
        kind: ``"mine"`` (the app's own list), ``"file"`` (a file the user added) or ``"shipped"`` (read-only).
    """

    name: str
    path: Path
    kind: str

    @property
    def editable(self) -> bool:
        return self.kind != "shipped"


def plural(n: int, what: str) -> str:
    """``1 word``, ``312 words``, ``40,000 words``."""
    return f"{n:,} {what}{'s' * (n != 1)}"


class WordListDialog(QDialog):
    """The lists on the left, the chosen list's words on the right (filter, add, remove, double-click to rename).

    Args:
        my_words: the app's own list file (``word_lists.MY_WORDS`` in its data folder; made by the first word added).
        paths: the other list files of the user (``AppSettings.word_lists``).
        enabled: whether word lists are used when reading (Tools > Use Word Lists).
    Signals:
        wordsChanged(): the words of a list changed on disk.
        listsChanged(tuple): the user's other list files are now these (one added or forgotten).
        enabledChanged(bool): "Use word lists when reading" was switched.
    """

    wordsChanged = Signal()
    listsChanged = Signal(object)
    enabledChanged = Signal(bool)

    def __init__(self, my_words: str | Path, paths: Sequence[str] = (), enabled: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Word lists")
        self.my_words = Path(my_words)
        self.paths = tuple(str(p) for p in paths)
        self._words: list[str] = []  # the chosen list's words, as its file has them
        self._counts: dict[Path, int | None] = {}  # words per list file; None: it cannot be read
        self._shipped: list[str] | None = None
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.use_box = QCheckBox("&Use word lists when reading (not in Digits mode)", self)
        self.use_box.setChecked(enabled)
        self.use_box.toggled.connect(self._on_use_toggled)
        self.lists = QListWidget(self)
        self.lists.setMaximumWidth(260)
        self.lists.currentRowChanged.connect(lambda _row: self._show_words())
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter")
        self.filter.setClearButtonEnabled(True)
        self.model = QStringListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.sort(0)  # alphabetical, kept so as words change
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QListView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setUniformItemSizes(True)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.model.dataChanged.connect(self._on_renamed)
        self.new_word = QLineEdit(self)
        self.new_word.setPlaceholderText("New word")
        self.new_word.returnPressed.connect(self.add_typed)
        self.new_word.textChanged.connect(lambda _t: self._update_buttons())
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._build_buttons()
        self._lay_out()
        self.resize(640, 480)
        self.refresh()

    def _build_buttons(self) -> None:
        def button(text: str, slot: Callable[[], object], tip: str) -> QPushButton:
            b = QPushButton(text, self)
            b.setAutoDefault(False)
            b.setToolTip(tip)
            b.clicked.connect(lambda: slot())
            return b

        self.add_button = button("&Add", self.add_typed, "Add the word typed (several, separated by spaces)")
        self.remove_button = button("&Remove", self.remove_selected, "Take the selected words out of this list")
        self.import_button = button("&Import\u2026", self.import_dialog, "Add the words of a text file to this list")
        self.export_button = button("&Export\u2026", self.export_dialog, "Write this list's words to a text file")
        self.add_list_button = button("Add List &File\u2026", self.add_list_dialog,
                                      "Use a text file of your own words (one per line) as a list; the file stays "
                                      "where it is")
        self.forget_button = button("&Forget List", self.forget_list, "Stop using this list (the file stays)")

    def _lay_out(self) -> None:
        entry = QHBoxLayout()
        entry.addWidget(self.new_word, 1)
        entry.addWidget(self.add_button)
        entry.addWidget(self.remove_button)
        right = QVBoxLayout()
        right.addWidget(self.filter)
        right.addWidget(self.view, 1)
        right.addLayout(entry)
        left = QVBoxLayout()
        left.addWidget(self.lists, 1)
        left.addWidget(self.add_list_button)
        left.addWidget(self.forget_button)
        middle = QHBoxLayout()
        middle.addLayout(left)
        middle.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.use_box)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    # --- what is shown -----------------------------------------------------------------------------

    def word_lists(self) -> list[WordList]:
        """The lists shown, in order: My words, the user's files, the shipped English list."""
        return ([WordList("My words", self.my_words, "mine")]
                + [WordList(Path(p).name, Path(p), "file") for p in self.paths]
                + [WordList("English (shipped, read-only)", shipped_words_path(), "shipped")])

    def current_list(self) -> WordList:
        return self.word_lists()[max(0, self.lists.currentRow())]

    def words(self) -> list[str]:
        """The chosen list's words shown (the filter applied), in alphabetical order."""
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def refresh(self) -> None:
        """Count every list again, keep the chosen one (or the first) and show its words."""
        row = max(0, self.lists.currentRow())
        self._counts = {wl.path: self._count(wl) for wl in self.word_lists()}
        self.lists.blockSignals(True)
        self.lists.clear()
        for wl in self.word_lists():
            n = self._counts[wl.path]
            self.lists.addItem(f"{wl.name} \u2014 " + ("cannot be read" if n is None else plural(n, "word")))
            self.lists.item(self.lists.count() - 1).setToolTip(str(wl.path))
        self.lists.setCurrentRow(min(row, self.lists.count() - 1))
        self.lists.blockSignals(False)
        self._show_words()
        self._summarize()

    def _count(self, wl: WordList) -> int | None:
        try:
            return len(self._read(wl))
        except HwrError:
            return None

    def _read(self, wl: WordList) -> list[str]:
        """The words of a list (the shipped one read once).

        Raises:
            InputError: its file cannot be read.
        """
        if wl.kind == "shipped":
            if self._shipped is None:
                self._shipped = list_words(wl.path)
            return self._shipped
        return list_words(wl.path, missing_ok=wl.kind == "mine")

    def _summarize(self) -> None:
        mine = [wl for wl in self.word_lists() if wl.editable]
        words: set[str] = set()
        for wl in mine:
            if self._counts.get(wl.path) is not None:
                words |= {w.lower() for w in self._read(wl)}
        shipped = self._counts.get(shipped_words_path())
        text = f"<b>{plural(len(words), 'word')} in {plural(len(mine), 'list')}</b> of yours"
        text += f", and {shipped:,} in the shipped English list." if shipped is not None else "."
        unreadable = [wl.name for wl in self.word_lists() if self._counts.get(wl.path) is None]
        if unreadable:
            text += " <span style='color:%s'>Cannot be read: %s.</span>" % (LOW, html.escape(", ".join(unreadable)))
        self.summary.setText(text)

    def _show_words(self) -> None:
        wl = self.current_list()
        try:
            self._words = list(self._read(wl))
        except HwrError as e:
            self._words = []
            self.tell(str(e), error=True)
        self.model.setStringList(self._words)  # a reset, not dataChanged: no rename
        editable = wl.editable and self._counts.get(wl.path) is not None
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed if editable
                                  else QAbstractItemView.EditTrigger.NoEditTriggers)
        self.new_word.setEnabled(editable)
        self.new_word.setPlaceholderText(f"New word for {wl.name}" if editable else f"{wl.name} is read-only")
        self._update_buttons()

    def _update_buttons(self) -> None:
        wl = self.current_list()
        editable = wl.editable and self._counts.get(wl.path) is not None
        self.add_button.setEnabled(editable and bool(self.new_word.text().strip()))
        self.remove_button.setEnabled(editable and self.view.selectionModel().hasSelection())
        self.import_button.setEnabled(editable)
        self.export_button.setEnabled(bool(self._words))
        self.forget_button.setEnabled(wl.kind == "file")

    def tell(self, text: str, error: bool = False) -> None:
        """Say what happened under the lists (a problem in the warning colour)."""
        self.message.setStyleSheet(f"color: {LOW}" if error else "")
        self.message.setText(text)

    def select_words(self, words: Sequence[str]) -> None:
        """Select these words of the chosen list (for Remove)."""
        wanted = {w.lower() for w in words}
        selection = self.view.selectionModel()
        selection.clearSelection()
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data().lower() in wanted:
                selection.select(index, QItemSelectionModel.SelectionFlag.Select)

    # --- edits -------------------------------------------------------------------------------------

    def _edit(self, edit: Callable[[Path], str]) -> bool:
        """Run ``edit`` on the chosen list's file; it returns what to tell. A problem is told instead."""
        wl = self.current_list()
        try:
            told = edit(wl.path)
        except HwrError as e:
            self.tell(str(e), error=True)
            return False
        except OSError as e:
            self.tell(f"Could not write {wl.path.name}: {e.strerror or e}", error=True)
            return False
        self.refresh()
        self.tell(told)
        self.wordsChanged.emit()
        return True

    def add_typed(self) -> bool:
        """Add the words typed in the field (separated by spaces) to the chosen list; they stay there on a problem."""
        words = self.new_word.text().split()
        if not words or not self.current_list().editable:
            return False

        def add(path: Path) -> str:
            added = add_words(path, words)
            return (f"Added {', '.join(added)} to {self.current_list().name}" if added
                    else f"Already in {self.current_list().name}: {', '.join(words)}")

        if not self._edit(add):
            return False
        self.new_word.clear()
        return True

    def remove_selected(self) -> int:
        """Take the selected words out of the chosen list; returns how many."""
        words = [i.data() for i in self.view.selectionModel().selectedIndexes()]
        if not words or not self.current_list().editable:
            return 0
        done = self._edit(lambda path: f"Removed {plural(remove_words(path, words), 'word')} from "
                                       f"{self.current_list().name}")
        return len(words) if done else 0

    def _on_renamed(self, top_left: QModelIndex, _bottom_right: QModelIndex, _roles=()) -> None:
        """A word was edited in the view: spell it so in the file, once the view is done with the edit."""
        old, new = self._words[top_left.row()], str(top_left.data()).strip()
        if new != old:
            QTimer.singleShot(0, lambda: self.rename(old, new))

    def rename(self, old: str, new: str) -> bool:
        """Spell the chosen list's word ``old`` as ``new``; on a problem the view shows ``old`` again."""
        if self._edit(lambda path: f"Renamed {old} to {new} in {self.current_list().name}"
                                   if rename_word(path, old, new) else f"{old} is no longer in the list"):
            return True
        self._show_words()
        return False

    def import_file(self, source: str | Path) -> bool:
        """Add the words of the file ``source`` to the chosen list."""
        def add(path: Path) -> str:
            added, bad = import_words(source, path)
            what = "is not a word" if bad == 1 else "are not words"
            left = f"; {plural(bad, 'token')} that {what} left out" if bad else ""
            return f"Added {plural(len(added), 'word')} from {Path(source).name} to {self.current_list().name}{left}"

        return self.current_list().editable and self._edit(add)

    def export_file(self, path: str | Path) -> bool:
        """Write the chosen list's words to ``path``, one a line."""
        try:
            export_words(path, self._words)
        except OSError as e:
            self.tell(f"Could not write {Path(path).name}: {e.strerror or e}", error=True)
            return False
        self.tell(f"Exported {plural(len(self._words), 'word')} to {Path(path).name}")
        return True

    def add_list_file(self, path: str | Path) -> bool:
        """Use the file ``path`` as one more list (after checking that it holds words)."""
        path = str(Path(path).resolve())
        try:
            n = check_word_list(path)
        except HwrError as e:
            self.tell(f"Could not add the list: {e}", error=True)
            return False
        if path != str(self.my_words.resolve()) and path not in self.paths:
            self._set_paths(self.paths + (path,))
        self.lists.setCurrentRow(1 + self.paths.index(path) if path in self.paths else 0)
        self.tell(f"Using {Path(path).name}: {plural(n, 'word')}")
        return True

    def forget_list(self) -> bool:
        """Stop using the chosen list file (the file stays)."""
        wl = self.current_list()
        if wl.kind != "file":
            return False
        self._set_paths(tuple(p for p in self.paths if Path(p) != wl.path))
        self.tell(f"{wl.name} is no longer used (the file stays at {wl.path.parent})")
        return True

    def _set_paths(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self.refresh()
        self.listsChanged.emit(paths)

    def _on_use_toggled(self, on: bool) -> None:
        self.tell("Word lists are used when reading" if on else "Word lists are not used: words read as the glyphs "
                  "are, letter by letter")
        self.enabledChanged.emit(on)

    # --- file dialogs ------------------------------------------------------------------------------

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Import words into {self.current_list().name}", "", FILE_FILTER)
        if path:
            self.import_file(path)

    def export_dialog(self) -> None:
        name = self.current_list().path.name
        path, _ = QFileDialog.getSaveFileName(self, "Export words", name, FILE_FILTER)
        if path:
            self.export_file(path)

    def add_list_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a list of my own words", "", FILE_FILTER)
        if path:
            self.add_list_file(path)
