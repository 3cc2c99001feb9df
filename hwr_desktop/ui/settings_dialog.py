"""SettingsDialog (Edit > Settings): guide lines and their spacing, the recognition delay, the pen's width and
colour, and the field mode at start.

Every change is stored at once (``AppSettings``) and announced by ``changed`` with the setting's name, so that
the window applies it at once (the canvas redraws, the live timer takes the new delay); there is nothing to
confirm. Restore Defaults puts every setting of the dialog back.
"""

from __future__ import annotations

from typing import Mapping

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from .settings import GUIDE_SPACING, LAST_USED, LIVE_DELAY, PEN_WIDTH, AppSettings

NAMES = ("guides", "guide_spacing", "live_delay_ms", "pen_width", "pen_color", "start_mode", "joined")  # what the dialog sets
SWATCH = 16  # px, the pen colour's sample on its button


class SettingsDialog(QDialog):
    """Edits the settings ``NAMES`` of ``settings``, applying each as it changes.

    Args:
        mode_names: each field mode (``decoding.MODES``) and what the mode box calls it.
    Signals:
        changed(str): the name of the ``AppSettings`` property that was just stored.
    """

    changed = Signal(str)

    def __init__(self, settings: AppSettings, mode_names: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.guides = QCheckBox("Show &guide lines", self)
        self.spacing = self._spin(QSpinBox(self), GUIDE_SPACING, 5, " px",
                                  "Room between the ruled lines; ink written on them is read with their spacing")
        self.delay = self._spin(QSpinBox(self), LIVE_DELAY, 50, " ms",
                                "How long after the pen lifts the ink is read (with Live on)")
        self.width = self._spin(QDoubleSpinBox(self), PEN_WIDTH, 0.5, " px", "How thick the ink is drawn (only shown: "
                                "the recognizer sees every pen alike)")
        self.width.setDecimals(1)
        self.color_button = QPushButton("&Choose\u2026", self)
        self.auto_color = QPushButton("&Automatic", self)
        self.auto_color.setToolTip("The ink follows the theme: dark on light, light on dark")
        self.start_mode = QComboBox(self)
        self.start_mode.addItem("The one used last", LAST_USED)
        for mode, name in mode_names.items():
            self.start_mode.addItem(name, mode)
        self.joined = QCheckBox("Read &joined-up writing", self)
        self.joined.setToolTip("Read each line whole too (a line recognizer), so that words whose letters join or "
                               "touch read as words; off: glyph by glyph only, a little faster")
        self._lay_out()
        self.load()
        self.joined.toggled.connect(lambda on: self._store("joined", on))
        self.guides.toggled.connect(lambda on: self._store("guides", on))
        self.spacing.valueChanged.connect(lambda v: self._store("guide_spacing", v))
        self.delay.valueChanged.connect(lambda v: self._store("live_delay_ms", v))
        self.width.valueChanged.connect(lambda v: self._store("pen_width", v))
        self.color_button.clicked.connect(self.choose_color)
        self.auto_color.clicked.connect(lambda: self.set_pen_color(""))
        self.start_mode.currentIndexChanged.connect(lambda _i: self._store("start_mode", self.start_mode.currentData()))

    @staticmethod
    def _spin(box, bounds: tuple, step: float, suffix: str, tip: str):
        box.setRange(*bounds)
        box.setSingleStep(step)
        box.setSuffix(suffix)
        box.setToolTip(tip)
        return box

    def _lay_out(self) -> None:
        color = QHBoxLayout()
        color.addWidget(self.color_button)
        color.addWidget(self.auto_color)
        color.addStretch(1)
        form = QFormLayout()
        form.addRow("Canvas:", self.guides)
        form.addRow("Guide line &spacing:", self.spacing)
        form.addRow("Read after a &pause of:", self.delay)
        form.addRow("Pen &width:", self.width)
        form.addRow("Pen colour:", color)
        form.addRow("Field &mode at start:", self.start_mode)
        form.addRow("Recognition:", self.joined)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.RestoreDefaults
                                   | QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def load(self) -> None:
        """Show the stored values (no change is announced)."""
        s = self.settings
        widgets = (self.guides, self.spacing, self.delay, self.width, self.start_mode, self.joined)
        for widget in widgets:
            widget.blockSignals(True)
        self.guides.setChecked(s.guides)
        self.spacing.setValue(s.guide_spacing)
        self.delay.setValue(s.live_delay_ms)
        self.width.setValue(s.pen_width)
        self.start_mode.setCurrentIndex(max(0, self.start_mode.findData(s.start_mode)))
        self.joined.setChecked(s.joined)
        for widget in widgets:
            widget.blockSignals(False)
        self._show_state()

    def _show_state(self) -> None:
        self.spacing.setEnabled(self.settings.guides)
        color = self.settings.pen_color
        swatch = QPixmap(SWATCH, SWATCH)
        swatch.fill(QColor(color) if color else self.palette().text().color())
        self.color_button.setIcon(QIcon(swatch))
        self.color_button.setToolTip(f"The ink is drawn in {color}" if color else "The ink follows the theme")
        self.auto_color.setEnabled(bool(color))

    def _store(self, name: str, value) -> None:
        setattr(self.settings, name, value)
        self._show_state()
        self.changed.emit(name)

    def set_pen_color(self, color: str) -> None:
        """Draw the ink in ``color`` (a name Qt knows, ``#rrggbb``); "" follows the theme."""
        self._store("pen_color", color)

    def choose_color(self) -> None:
        current = QColor(self.settings.pen_color or self.palette().text().color())
        color = QColorDialog.getColor(current, self, "Pen colour")
        if color.isValid():
            self.set_pen_color(color.name())

    def restore_defaults(self) -> None:
        """Every setting of the dialog back to its default, applied at once."""
        for name in NAMES:
            self.settings.restore(name)
        self.load()
        for name in NAMES:
            self.changed.emit(name)
