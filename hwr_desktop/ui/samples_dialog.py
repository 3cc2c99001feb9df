"""SamplesDialog ("My handwriting"): the glyphs learned from the user's corrections, to see, export and delete."""

from __future__ import annotations

import datetime
import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QVBoxLayout, QWidget)

from ..personal import Sample
from .personalize import Personalizer

THUMB = 56  # thumbnail side in pixels (the 28x28 glyph at 2x)
ID_ROLE = Qt.ItemDataRole.UserRole


def thumbnail(image: np.ndarray) -> QPixmap:
    """A stored glyph (uint8 (28, 28), ink 255 on black) as dark ink on white, THUMB pixels square."""
    data = np.ascontiguousarray(255 - image)
    img = QImage(data.data, data.shape[1], data.shape[0], data.strides[0], QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(img.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))


class SamplesDialog(QDialog):
    """A grid of the stored samples (thumbnail and label), with Export, Delete Selected and Delete All.

    Signals:
        changed(): samples were deleted (the window may want to recognize again).
    """

    changed = Signal()

    def __init__(self, personalizer: Personalizer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My handwriting")
        self.personalizer = personalizer
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid = QListWidget(self)
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setSpacing(4)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.itemSelectionChanged.connect(self._update_buttons)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.export_button = QPushButton("&Export\u2026", self)
        self.delete_button = QPushButton("&Delete Selected", self)
        self.clear_button = QPushButton("Delete &All\u2026", self)
        for b, slot in ((self.export_button, self.export_dialog), (self.delete_button, self.delete_selected),
                        (self.clear_button, self.confirm_delete_all)):
            b.setAutoDefault(False)
            b.clicked.connect(slot)
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.grid, 1)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.refresh()

    def refresh(self) -> None:
        """Show the store's samples again (newest first)."""
        self.grid.clear()
        samples = self.personalizer.samples
        for s in reversed(samples):
            item = QListWidgetItem(QIcon(thumbnail(s.image)), s.label)
            item.setData(ID_ROLE, s.id)
            item.setToolTip(self._tip(s))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.grid.addItem(item)
        chars = len({s.label for s in samples})
        where = html.escape(str(self.personalizer.folder))
        if self.personalizer.error:
            text = f"<b>Samples cannot be kept:</b> {html.escape(self.personalizer.error)}"
        elif samples:
            text = (f"{len(samples)} glyph{'s' * (len(samples) != 1)} of {chars} character{'s' * (chars != 1)}, "
                    f"learned from your corrections. Recognition leans towards them.<br><small>Stored in {where} "
                    f"(<code>hwr recognize --samples</code> with this folder reads files with them too)</small>")
        else:
            text = ("No samples yet. Each correction you make is kept here and teaches the recognizer your "
                    f"handwriting.<br><small>Stored in {where}</small>")
        self.summary.setText(text)
        self._update_buttons()

    @staticmethod
    def _tip(s: Sample) -> str:
        when = datetime.datetime.fromtimestamp(s.time).strftime("%Y-%m-%d %H:%M") if s.time else "?"
        kind = f"{len(s.strokes)} stroke{'s' * (len(s.strokes) != 1)}" if s.strokes else "from an image"
        return f"\u201c{s.label}\u201d, {kind}, {when}"

    def _update_buttons(self) -> None:
        has = self.grid.count() > 0
        self.export_button.setEnabled(has)
        self.clear_button.setEnabled(has)
        self.delete_button.setEnabled(bool(self.grid.selectedItems()))

    def selected_ids(self) -> list[str]:
        return [item.data(ID_ROLE) for item in self.grid.selectedItems()]

    def delete_selected(self) -> int:
        """Delete the selected samples from disk; returns how many went."""
        n = self.personalizer.delete(self.selected_ids())
        if n:
            self.refresh()
            self.changed.emit()
        return n

    def delete_all(self) -> int:
        """Delete every sample (no question asked; the button asks first)."""
        n = self.personalizer.clear()
        if n:
            self.refresh()
            self.changed.emit()
        return n

    def confirm_delete_all(self) -> None:
        n = len(self.personalizer.samples)
        answer = QMessageBox.question(self, "Delete all samples",
                                      f"Delete all {n} samples of your handwriting? This cannot be undone.")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_all()

    def export_to(self, path: str | Path) -> bool:
        """Write the samples as an npz (``x``, ``y``, ``classes``: the format of ../shared/data)."""
        try:
            n = self.personalizer.export_npz(path)
        except OSError as e:
            QMessageBox.warning(self, "Export failed", f"Could not write {Path(path).name}: {e.strerror or e}")
            return False
        self.summary.setText(self.summary.text().split("<br>")[0] + f"<br><small>Exported {n} to "
                             f"{html.escape(str(path))}</small>")
        return True

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export my handwriting", "my_handwriting.npz", "NumPy (*.npz)")
        if path:
            self.export_to(path if path.endswith(".npz") else path + ".npz")
