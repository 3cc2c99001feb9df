"""The "My handwriting" dialog: see the stored glyphs, export them, delete some or all."""

import numpy as np

from hwr_desktop.personal import SampleStore, load_npz_samples
from hwr_desktop.ui.personalize import Personalizer
from hwr_desktop.ui.samples_dialog import ID_ROLE, SamplesDialog

from uihelpers import FakeRecognizer


def glyph(col: int) -> np.ndarray:
    img = np.zeros((28, 28), np.float32)
    img[4:24, col] = 1.0
    return img


def make_dialog(qtbot, folder, labels="a7b"):
    p = Personalizer(folder, FakeRecognizer())
    for i, c in enumerate(labels):
        p.learn(glyph(5 + i), c)
    d = SamplesDialog(p)
    qtbot.addWidget(d)
    return d


def test_shows_every_sample_with_its_label(qtbot, tmp_path):
    d = make_dialog(qtbot, tmp_path)
    assert [d.grid.item(i).text() for i in range(d.grid.count())] == ["b", "7", "a"]  # newest first
    assert "3 glyphs of 3 characters" in d.summary.text()
    assert "hwr recognize --samples" in d.summary.text()  # where the CLI finds them
    assert not d.delete_button.isEnabled() and d.export_button.isEnabled()


def test_delete_selected_removes_it_from_disk(qtbot, tmp_path):
    d = make_dialog(qtbot, tmp_path)
    gone = d.grid.item(1).data(ID_ROLE)
    d.grid.item(1).setSelected(True)
    assert d.delete_button.isEnabled()
    with qtbot.waitSignal(d.changed):
        d.delete_button.click()
    assert [d.grid.item(i).text() for i in range(d.grid.count())] == ["b", "a"]
    assert gone not in (tmp_path / "samples.jsonl").read_text()
    assert [s.label for s in SampleStore(tmp_path).samples] == ["a", "b"]


def test_export_then_delete_all(qtbot, tmp_path):
    d = make_dialog(qtbot, tmp_path / "store")
    assert d.export_to(tmp_path / "mine.npz")
    x, labels = load_npz_samples(tmp_path / "mine.npz")
    assert labels == ["a", "7", "b"] and x.shape == (3, 28, 28) and x.dtype == np.uint8
    assert "Exported 3" in d.summary.text()
    assert d.delete_all() == 3
    assert d.grid.count() == 0 and len(SampleStore(tmp_path / "store")) == 0
    assert not d.export_button.isEnabled() and "No samples yet" in d.summary.text()


def test_opens_from_the_tools_menu(qtbot, make_window, fake):
    w = make_window(fake)
    tools = [m for m in w.menuBar().actions() if m.text() == "&Tools"][0].menu()
    assert w.act_samples in tools.actions()
    d = w.show_samples()
    assert isinstance(d, SamplesDialog) and d.grid.count() == 0
    d.close()
