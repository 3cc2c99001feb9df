"""AboutDialog: version, model file, its classes and its measured accuracy."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from .. import __version__


def model_summary(info, error: str | None = None) -> str:
    """HTML describing a ``ModelInfo`` (or why there is none)."""
    if info is None:
        return f"<p><b>No model loaded.</b><br>{html.escape(error or '')}</p>"
    report = info.report or {}
    acc = report.get("val_accuracy")
    if isinstance(acc, (int, float)):
        acc_text = f"{acc:.1%} on {report.get('val_samples', '?')} validation glyphs"
    else:
        acc_text = "not reported"
    rows = [
        ("Model file", html.escape(str(info.path))),
        ("Classes", f"{len(info.labels)}: <tt>{html.escape(''.join(info.labels))}</tt>"),
        ("Measured accuracy", acc_text),
        ("Preprocessing", html.escape(info.preprocess)),
        ("Line placement", html.escape(info.placement) if info.placement
         else "measured table (no placement head for this model)"),
    ]
    for key, value in report.items():  # any other measured accuracy the training run reported
        if key.endswith("accuracy") and key != "val_accuracy" and isinstance(value, (int, float)):
            rows.append((html.escape(key.replace("_", " ").capitalize()), f"{value:.1%}"))
    body = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


class AboutDialog(QDialog):
    """Shows what the app is and which model it runs."""

    def __init__(self, info, error: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About hwr")
        self.text = QLabel(
            f"<h3>hwr {__version__}</h3><p>Offline handwriting recognition: digits, Latin letters and punctuation. "
            f"Nothing leaves this computer.</p>{model_summary(info, error)}", self)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
