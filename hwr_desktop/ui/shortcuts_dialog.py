"""ShortcutsDialog (Help > Keyboard Shortcuts): the app's keys, read from its actions when it opens, so the list
cannot drift from what the keys do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

ActionGroup = tuple[str, Sequence[QAction]]  # a heading (a menu's title) and its actions, in order


@dataclass(frozen=True)
class ShortcutRow:
    """One action that has keys.

    Attributes:
        group: the heading it is listed under (its menu, or the pane it works in).
        action: what it does: its text without the mnemonic ``&`` and the trailing ellipsis.
        keys: its shortcuts in the platform's notation, comma separated (``Ctrl+Shift+Z, Ctrl+Y``).
    """

    group: str
    action: str
    keys: str


def plain(text: str) -> str:
    """A menu text without its mnemonic marks (``&File`` -> ``File``, ``&&`` -> ``&``)."""
    return re.sub(r"&(.)", r"\1", text)


def action_label(act: QAction) -> str:
    """What an action is called: its text (``&Save Ink…`` -> ``Save Ink``), or, for a text without letters
    (an arrow button), its tooltip without the keys in brackets."""
    text = plain(act.text()).rstrip("\u2026").strip()
    if not any(c.isalpha() for c in text):
        text = re.sub(r"\s*\([^)]*\)$", "", act.toolTip()).strip() or text
    return text


def key_text(act: QAction) -> str:
    """An action's shortcuts as the platform writes them, comma separated; "" when it has none (a standard key
    that this platform does not bind, such as Quit offscreen, is an empty sequence)."""
    keys = (k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
    return ", ".join(k for k in keys if k)


def shortcut_rows(groups: Sequence[ActionGroup]) -> list[ShortcutRow]:
    """A row per action that has shortcuts, group by group in order; an action in two groups is listed in the first."""
    rows, seen = [], set()
    for title, actions in groups:
        for act in actions:
            keys = key_text(act)
            if not keys or act.isSeparator() or act.menu() is not None or id(act) in seen:
                continue
            seen.add(id(act))
            rows.append(ShortcutRow(plain(title), action_label(act), keys))
    return rows


class ShortcutsDialog(QDialog):
    """Lists ``rows`` (``shortcut_rows``) under their headings: action, keys."""

    def __init__(self, rows: Sequence[ShortcutRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = list(rows)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        headings: dict[str, QTreeWidgetItem] = {}
        for row in self.rows:
            if row.group not in headings:
                heading = headings[row.group] = QTreeWidgetItem(self.tree, [row.group])
                heading.setFirstColumnSpanned(True)
                font = heading.font(0)
                font.setBold(True)
                heading.setFont(0, font)
            QTreeWidgetItem(headings[row.group], [row.action, row.keys])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setMinimumSize(420, 460)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
