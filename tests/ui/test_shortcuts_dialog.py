"""Help > Keyboard Shortcuts: every key the actions have, under their menus, read when the dialog opens."""

from PySide6.QtGui import QAction, QKeySequence

from hwr_desktop.ui.shortcuts_dialog import ShortcutRow, ShortcutsDialog, action_label, shortcut_rows


def test_the_dialog_lists_every_action_with_keys(qtbot, make_window, fake):
    w = make_window(fake)
    dialog = w.show_shortcuts()
    rows = dialog.rows
    assert ShortcutRow("Edit", "Undo", QKeySequence(QKeySequence.StandardKey.Undo).toString(
        QKeySequence.SequenceFormat.NativeText)) in rows
    assert ShortcutRow("File", "Save Text", "Ctrl+Shift+S") in rows
    assert ShortcutRow("Help", "Keyboard Shortcuts", "F1") in rows
    assert ShortcutRow("Image tab", "Next page", "PgDown") in rows
    listed = {r.action for r in rows}
    for act in w.actions() + w.doc_pane.actions():  # none with keys is left out
        if any(not k.isEmpty() for k in act.shortcuts()):
            assert action_label(act) in listed, act.text()
    assert len(listed) == len(rows)  # each once
    shown = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert shown == list(dict.fromkeys(r.group for r in rows))
    dialog.close()


def test_the_list_follows_the_keys_the_actions_have(qtbot, make_window, fake):
    w = make_window(fake)
    w.act_guides.setShortcut(QKeySequence("Ctrl+Alt+L"))
    w.act_live.setShortcut(QKeySequence("Ctrl+L"))
    rows = w.show_shortcuts().rows
    assert ShortcutRow("View", "Guide Lines", "Ctrl+Alt+L") in rows
    assert ShortcutRow("Tools", "Live", "Ctrl+L") in rows


def test_rows_skip_actions_without_keys_and_name_arrows_by_their_tooltip(qtbot):
    plain, arrow, keyless = QAction("&Open\u2026"), QAction("\u25b6"), QAction("Nothing")
    plain.setShortcut(QKeySequence("Ctrl+O"))
    arrow.setShortcut(QKeySequence("PgDown"))
    arrow.setToolTip("Next page (Page Down)")
    rows = shortcut_rows([("&File", [plain, keyless]), ("Pages", [arrow, plain])])
    assert rows == [ShortcutRow("File", "Open", "Ctrl+O"), ShortcutRow("Pages", "Next page", "PgDown")]
    dialog = ShortcutsDialog(rows)
    qtbot.addWidget(dialog)
    assert dialog.tree.topLevelItem(1).child(0).text(1) == "PgDown"


def test_its_own_key_opens_it(qtbot, make_window, fake):
    w = make_window(fake)
    w.canvas.setFocus()
    key = w.act_shortcuts.shortcuts()[0]
    qtbot.keyClick(w.canvas, key[0].key(), key[0].keyboardModifiers())
    assert len(w.findChildren(ShortcutsDialog)) == 1
