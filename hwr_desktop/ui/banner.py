"""ErrorBanner: an inline message strip above the work area; it never blocks and never touches the ink.

Problems show in red; news that needs no action (the ink restored after a restart) in a calm blue.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


STYLES = {  # background, border, text
    "error": ("#fdecea", "#e0a39c", "#611a15"),
    "info": ("#e8f1fb", "#9dbfe3", "#173a5e"),
}


class ErrorBanner(QFrame):
    """Shows one message at a time until closed or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.kind = ""
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("\u2715")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        """Show ``text`` as a problem (``kind`` "error") or as news (``"info"``)."""
        if kind != self.kind:
            back, border, color = STYLES[kind]
            self.setStyleSheet(f"#errorBanner {{ background: {back}; border: 1px solid {border}; border-radius: 4px; }}"
                               f"#errorBanner QLabel {{ color: {color}; }}")
            self.kind = kind
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
