"""The UNIPEN reader (training/unipen.py) on small trees written in the format, one quirk each."""

import json
import tarfile

import numpy as np
import pytest

from hwr_desktop.ink import load_ink

from training import unipen


def write_tree(root, files: dict[str, str]):
    for rel, text in files.items():
        p = root / "train_r01_v07" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="latin-1")
    return root / "train_r01_v07"


DOC = """.VERSION 1.0
.COMMENT   a header file
           whose comment runs on
.COORD X Y
.X_POINTS_PER_INCH 100
.Y_POINTS_PER_INCH 100
.POINTS_PER_SECOND 100
.WRITER_ID w1
"""

DATA = """.PEN_DOWN
0 100
0 0
.PEN_UP
.PEN_DOWN
10 100
20 0
30 100
.PEN_UP
30 100
50 50
.PEN_DOWN
50 50
60 50
.WRITER_ID w2
.PEN_DOWN
100 0
100 100
"""


def simple_tree(tmp_path, segments: str, data: str = DATA, doc: str = DOC):
    return write_tree(tmp_path, {
        "include/xyz/xyz.doc": doc,
        "include/xyz/data/d1.dat": data,
        "data/1c/xyz/d1.dat": f".VERSION 1.0\n.INCLUDE xyz/xyz.doc\n.INCLUDE xyz/data/d1.dat\n{segments}",
    })


def read_all(root, cats=("1c",), **kw):
    return list(unipen.read_segments(unipen.open_source(root), cats, **kw))


def test_components_count_nonempty_pen_down_and_pen_up_blocks(tmp_path):
    # components: 0 = down (2), [empty up: not counted], 1 = down (3), 2 = up (2), 3 = down (2), 4 = down (2)
    root = simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "l"\n.SEGMENT CHARACTER 1-3 OK "A"\n'
                                 '.SEGMENT CHARACTER 4 ? "I"\n')
    segs = read_all(root)
    assert [s.label for s in segs] == ["l", "A", "I"]
    assert [len(s.strokes) for s in segs] == [1, 2, 1]  # the pen-up piece of "A" is the pen in the air
    np.testing.assert_allclose(segs[1].strokes[1][:, :2], [[0.5, -0.5], [0.6, -0.5]])  # inches, y flipped


def test_y_points_up_and_is_flipped(tmp_path):
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "l"\n'))
    y = segs[0].strokes[0][:, 1]
    # written from tablet y=100 down to y=0: y up on the tablet, so in image rows (y down) the first point is higher
    assert y[0] < y[1]
    assert y[0] == pytest.approx(-1.0) and y[1] == pytest.approx(0.0)


def test_headers_persist_and_the_writer_is_the_one_in_force(tmp_path):
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "a"\n.SEGMENT CHARACTER 4 GOOD "b"\n'))
    assert [s.writer for s in segs] == ["xyz/w1", "xyz/w2"]
    assert segs[0].contributor == "xyz" and segs[0].category == "1c" and segs[0].file == "data/1c/xyz/d1.dat"


def test_point_level_delineation(tmp_path):
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 1:1-3:0 GOOD "x"\n.SEGMENT CHARACTER 1:2 OK "y"\n'))
    x, y = segs
    assert [len(s) for s in x.strokes] == [2, 1]  # samples 1..2 of component 1, sample 0 of component 3
    np.testing.assert_allclose(x.strokes[0][:, 0], [0.2, 0.3])
    assert [len(s) for s in y.strokes] == [1]  # a lone "A:M" runs from M to the end


def test_labels_escapes_and_ligatures(tmp_path):
    segs = read_all(simple_tree(tmp_path, '.SEGMENT WORD 0-1 GOOD "t\\@h\\@e"\n.SEGMENT CHARACTER 2 GOOD "\\@"\n'
                                          '.SEGMENT CHARACTER 3 GOOD "\\""\n.SEGMENT CHARACTER 4 GOOD "\\\\"\n'))
    assert [s.label for s in segs] == ["the", '"', "\\"]  # the ligature-only segment is left out
    assert unipen.parse_label("\\@") == ("", True)


def test_quality_filter(tmp_path):
    root = simple_tree(tmp_path, '.SEGMENT CHARACTER 0 BAD "a"\n.SEGMENT CHARACTER 1 OK "b"\n')
    assert [s.label for s in read_all(root)] == ["b"]
    assert [s.label for s in read_all(root, qualities=unipen.QUALITIES)] == ["a", "b"]


def test_nested_includes(tmp_path):
    root = write_tree(tmp_path, {
        "include/imp/imp0.doc": DOC,
        "include/imp/data/a.dat": ".INCLUDE imp/imp0.doc\n" + DATA,
        "data/1a/imp/a.dat": '.INCLUDE imp/data/a.dat\n.SEGMENT CHARACTER 0 GOOD "1"\n',
    })
    segs = read_all(root, ("1a",))
    assert [s.label for s in segs] == ["1"] and segs[0].writer == "imp/w1"


def test_start_set_restarts_the_count(tmp_path):
    data = ".PEN_DOWN\n0 0\n1 1\n.START_SET\n.PEN_DOWN\n5 5\n6 6\n"
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "a"\n', data=data))
    np.testing.assert_allclose(segs[0].strokes[0][:, 0], [0.05, 0.06])


def test_time_column_in_microseconds_and_pressure_lifts(tmp_path):
    doc = DOC.replace(".COORD X Y", ".COORD X Y T P")
    data = ".PEN_DOWN\n0 0 0 1\n1 0 5000 1\n2 0 10000 0\n3 0 15000 0\n4 0 20000 1\n5 0 25000 1\n"
    segs = read_all(simple_tree(tmp_path, '.SEGMENT WORD 0 GOOD "ab"\n', data=data, doc=doc))
    strokes = segs[0].strokes
    assert [len(s) for s in strokes] == [2, 2]  # the P = 0 samples are the pen in the air
    np.testing.assert_allclose(strokes[1][:, 2], [20.0, 25.0])  # microseconds read as ms


def test_sample_clock_runs_over_pen_up_samples_and_dt(tmp_path):
    data = ".PEN_DOWN\n0 0\n1 1\n.PEN_UP\n2 2\n3 3\n.DT 500\n.DT 1935897193\n.PEN_DOWN\n4 4\n"
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 0-2 GOOD "a"\n', data=data))
    np.testing.assert_allclose(segs[0].strokes[1][:, 2], [540.0])  # 4 samples at 100 Hz, then 500 ms; garbage DT ignored


def test_absurd_rate_and_per_mm_resolution(tmp_path):
    doc = DOC.replace(".POINTS_PER_SECOND 100", ".POINTS_PER_SECOND 9600").replace(
        ".X_POINTS_PER_INCH 100\n.Y_POINTS_PER_INCH 100", ".X_POINTS_PER_MM 10\n.Y_POINTS_PER_MM 5")
    segs = read_all(simple_tree(tmp_path, '.SEGMENT CHARACTER 1 GOOD "a"\n', doc=doc))
    s = segs[0].strokes[0]
    np.testing.assert_allclose(s[:, 2], [20.0, 30.0, 40.0])  # 100 Hz assumed
    np.testing.assert_allclose(s[1, :2], [20 / 254, 0.0])
    np.testing.assert_allclose(s[0, 1], -100 / 127)  # y at 5 per mm


def test_a_bad_file_is_reported_and_the_rest_read(tmp_path):
    root = write_tree(tmp_path, {
        "include/xyz/xyz.doc": DOC,
        "include/xyz/data/d1.dat": DATA,
        "data/1c/xyz/a.dat": '.INCLUDE xyz/xyz.doc\n.INCLUDE xyz/data/missing.dat\n.SEGMENT CHARACTER 0 GOOD "a"\n',
        "data/1c/xyz/b.dat": '.INCLUDE xyz/xyz.doc\n.INCLUDE xyz/data/d1.dat\n.SEGMENT CHARACTER 9 GOOD "b"\n',
        "data/1c/xyz/c.dat": '.INCLUDE xyz/xyz.doc\n.INCLUDE xyz/data/d1.dat\n.SEGMENT CHARACTER 0 GOOD "c"\n',
    })
    errors = []
    assert [s.label for s in read_all(root, errors=errors)] == ["c"]
    assert len(errors) == 2 and "missing.dat" in errors[0] and "component 9" in errors[1]


def test_tar_archive_reads_like_the_folder(tmp_path):
    root = simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "l"\n.SEGMENT CHARACTER 1-3 OK "A"\n')
    archive = tmp_path / "u.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(root, arcname="train_r01_v07")
    a, b = read_all(root), read_all(archive)
    assert [s.label for s in a] == [s.label for s in b]
    for x, y in zip(a, b):
        for s, t in zip(x.strokes, y.strokes):
            np.testing.assert_array_equal(s, t)


def test_writer_split_is_stable_and_about_the_share_asked():
    names = [f"c{i % 7}/w{i}" for i in range(4000)]
    val = [n for n in names if unipen.split_of(n) == "val"]
    dev = [n for n in names if unipen.split_of(n) == "dev"]
    assert 0.12 < len(val) / len(names) < 0.18 and 0.03 < len(dev) / len(names) < 0.07
    assert unipen.split_of("apa/123") == unipen.split_of("apa/123")
    assert all(unipen.split_of(n, 0, 0) == "train" for n in names[:50])


def test_export_writes_ink_files_the_app_reads(tmp_path):
    root = simple_tree(tmp_path, '.SEGMENT CHARACTER 1-3 OK "A"\n')
    n = unipen.main(["export", "--unipen", str(root), "--categories", "1c", "--split", "all", "--out",
                     str(tmp_path / "out")])
    assert n == 0
    files = sorted((tmp_path / "out").glob("*.ink.json"))
    assert len(files) == 1
    strokes = load_ink(files[0])
    assert len(strokes) == 2 and strokes[0].points[:, 0].min() == pytest.approx(10.0)
    assert json.loads(files[0].read_text())["unipen"]["label"] == "A"
    assert files[0].with_name(files[0].name.replace(".ink.json", ".txt")).read_text() == "A\n"


def test_missing_source_is_a_clear_error(tmp_path, capsys):
    assert unipen.main(["stats", "--unipen", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_cache_round_trip(tmp_path):
    root = simple_tree(tmp_path, '.SEGMENT CHARACTER 0 GOOD "l"\n.SEGMENT CHARACTER 1-3 OK "A"\n'
                                 '.SEGMENT WORD 4 BAD "\\"x\\""\n')
    segs = read_all(root, qualities=unipen.QUALITIES)
    assert unipen.save_cache(segs, tmp_path / "c.npz") == 3
    back = unipen.load_cache(tmp_path / "c.npz")
    assert [(s.label, s.writer, s.kind, s.category) for s in back] == [(s.label, s.writer, s.kind, s.category)
                                                                       for s in segs]
    for a, b in zip(segs, back):
        assert len(a.strokes) == len(b.strokes)
        for s, t in zip(a.strokes, b.strokes):
            np.testing.assert_allclose(s, t, rtol=1e-6, atol=1e-4)
    again = unipen.cached_segments(["1c"], root, tmp_path / "cache", log=lambda *_: None)
    assert (tmp_path / "cache" / "unipen_1c.npz").exists() and len(again) == 2  # usable qualities only
    later = unipen.cached_segments(["1c"], tmp_path / "gone", tmp_path / "cache")  # from the cache
    assert len(later) == 2
    # the run that made the cache reads the points as the runs after it do (a benchmark's figures do not
    # depend on whether its cache was there)
    for a, b in zip(again, later):
        assert all(np.array_equal(s, t) for s, t in zip(a.strokes, b.strokes))


def _char(label, x, y, h=0.2, file="data/3/x/x0/a.dat"):
    t = np.linspace(0, 1, 10)
    pts = np.c_[x + 0.1 * t, y - h + h * t, 10 * np.arange(10.0)]
    return unipen.Segment("3", file, "x", "x/w", "CHARACTER", "?", label, (pts,))


def test_category_3_characters_go_back_on_the_lines_they_were_written_on():
    first = [_char(c, 1.0 + 0.15 * i, 2.0) for i, c in enumerate("abcde")]
    second = [_char(c, 1.0 + 0.15 * i, 2.6) for i, c in enumerate("fghi")]  # back left, a line lower
    other = [_char(c, 3.0 + 0.15 * i, 2.6, file="data/3/x/x0/b.dat") for i, c in enumerate("jklm")]
    marks = [_char(c, 1.0 + 0.15 * i, 3.2) for i, c in enumerate("no.p")]  # a mark: not a line of letters
    lines = unipen.character_lines(first + second + other + marks + [_char("q", 1.0, 4.0)])
    assert ["".join(c.label for c in line) for line in lines] == ["abcde", "fghi", "jklm"]
    with_marks = unipen.character_lines(first + second + other + marks, symbols=".")
    assert ["".join(c.label for c in line) for line in with_marks] == ["abcde", "fghi", "jklm", "no.p"]
    only_marks = [_char(c, 1.0 + 0.15 * i, 4.0) for i, c in enumerate(".,;:")]
    assert unipen.character_lines(only_marks, symbols=".,;:") == []  # a line needs a letter or digit
    points, owners = unipen.character_line_ink(lines[0])
    assert owners == [(0,), (1,), (2,), (3,), (4,)]
    height = np.ptp(np.vstack(points)[:, 1])
    assert height == pytest.approx(2 * unipen.WRITTEN_PX)


def _word(x, y, letters=5, h=10.0):
    """Strokes of a printed word: one upright stroke per letter, ``h`` tall, 1.2 h apart, from (x, y) (top)."""
    return [np.array([[x + 1.2 * h * i, y], [x + 1.2 * h * i + 3, y + h]]) for i in range(letters)]


def test_written_lines_counts_lines_short_long_and_indented():
    long_line = _word(0, 0, 30)
    assert unipen.written_lines(long_line) == 1
    assert unipen.written_lines(long_line + _word(0, 20, 30)) == 2
    # short lines, a centred one: the pen goes back less than half the text's width, but many letters
    assert unipen.written_lines(_word(0, 0, 20) + _word(100, 20, 5) + _word(100, 40, 4)) == 3
    # a late dot or bar over the line (back left, but up) starts none
    dot = [np.array([[12.0, -4.0], [13.0, -3.0]])]
    assert unipen.written_lines(_word(0, 0, 12) + dot) == 1
