"""Atomic writes: the new text or the old, never a mix."""

import pytest

from hwr_desktop.atomic import write_atomic


def test_write_atomic_replaces_the_file_whole(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, "first")
    write_atomic(path, "second \u00e9")
    assert path.read_text(encoding="utf-8") == "second \u00e9"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, "old")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "new \ud800")  # a lone surrogate cannot be encoded: the write fails part-way
    assert path.read_text(encoding="utf-8") == "old"
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError):
        write_atomic(tmp_path / "folder", "x")  # the rename fails
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "out.txt"]  # no temporary file left
    with pytest.raises(OSError):
        write_atomic(tmp_path / "missing" / "out.txt", "x")
