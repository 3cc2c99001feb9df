import json

import numpy as np
import pytest

from hwr_desktop.errors import InputError
from hwr_desktop.ink import (Ink, Stroke, history_to_dict, ink_from_dict, ink_to_dict, ink_with_history, load_ink,
                             rasterize, save_ink)


def s(*pts) -> Stroke:
    return Stroke(np.array(pts, float))


def test_stroke_fills_pressure_and_time_and_is_read_only():
    st = s((0, 0), (10, 5))
    assert st.points.shape == (2, 4) and (st.points[:, 2] == 1.0).all()
    with pytest.raises(ValueError):
        st.points[0, 0] = 3
    assert st.box == (0.0, 0.0, 10.0, 5.0)


@pytest.mark.parametrize("bad", [np.zeros((0, 4)), np.zeros((3, 5)), [[np.nan, 1, 1, 0]], [[1e9, 0, 1, 0]]])
def test_bad_strokes_are_refused(bad):
    with pytest.raises(InputError):
        Stroke(np.array(bad, float))


def test_undo_redo_erase_clear():
    ink = Ink()
    a, b, c = s((0, 0), (1, 1)), s((5, 5), (6, 6)), s((9, 9), (9, 12))
    for st in (a, b, c):
        ink.add(st)
    ink.erase([1])
    assert ink.strokes == (a, c)
    ink.clear()
    assert len(ink) == 0
    assert ink.undo() and ink.strokes == (a, c)
    assert ink.undo() and ink.strokes == (a, b, c)
    assert ink.undo() and ink.strokes == (a, b)
    assert ink.redo() and ink.strokes == (a, b, c)
    ink.add(a)  # a new change drops the redo history
    assert not ink.can_redo() and not ink.redo()
    assert ink.bounds() == (0.0, 0.0, 9.0, 12.0)


def test_replace_is_one_undo_step():
    a, b, c = s((0, 0)), s((1, 1)), s((2, 2))
    ink = Ink([a])
    ink.replace([b, c])
    assert ink.strokes == (b, c)
    assert ink.undo() and ink.strokes == (a,)
    assert ink.redo() and ink.strokes == (b, c)
    assert ink.undo() and not ink.can_undo()


def test_file_round_trip(tmp_path):
    strokes = [s((1.5, 2.25, 0.3, 0), (4, 5, 0.6, 16)), s((7, 8, 1.0, 40))]
    path = tmp_path / "n\u00f6te s.ink.json"
    save_ink(path, strokes)
    assert load_ink(path) == strokes
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    "doc, reason",
    [
        ([], "JSON object"),
        ({"format": "other", "version": 1, "strokes": []}, "format"),
        ({"format": "hwr-ink", "version": 2, "strokes": []}, "version"),
        ({"format": "hwr-ink", "version": 1, "strokes": {}}, "list"),
        ({"format": "hwr-ink", "version": 1, "strokes": [{"pts": []}]}, "points"),
        ({"format": "hwr-ink", "version": 1, "strokes": [{"points": [[1, "a"]]}]}, "numbers"),
        ({"format": "hwr-ink", "version": 1, "strokes": [{"points": [[1, 2], [1, 2, 3]]}]}, "mixes"),
    ],
)
def test_invalid_documents_name_the_reason(doc, reason):
    with pytest.raises(InputError, match=reason):
        ink_from_dict(doc)


def test_invalid_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.ink.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="JSON"):
        load_ink(bad)
    with pytest.raises(InputError, match="cannot read"):
        load_ink(tmp_path / "missing.ink.json")


def test_empty_strokes_are_skipped():
    doc = {"format": "hwr-ink", "version": 1, "strokes": [{"points": []}, {"points": [[0, 0, 1, 0]]}]}
    assert len(ink_from_dict(doc)) == 1
    assert json.loads(json.dumps(ink_to_dict(ink_from_dict(doc))))["strokes"][0]["points"] == [[0, 0, 1, 0]]


def test_rasterize_draws_where_the_points_are_and_follows_pressure():
    light = rasterize([s((0, 0, 0.0, 0), (100, 0, 0.0, 10))], box=(0, -10, 100, 10), width=4, margin=0)
    heavy = rasterize([s((0, 0, 1.0, 0), (100, 0, 1.0, 10))], box=(0, -10, 100, 10), width=4, margin=0)
    assert light.shape == (21, 101)
    assert light[10, 50] < 128 and light[0, 50] == 255
    assert (heavy < 128).sum() > (light < 128).sum() * 1.8  # 1.5x vs 0.5x the base width
    varying = rasterize([s((0, 0, 0.0, 0), (50, 0, 0.5, 5), (100, 0, 1.0, 10))], box=(0, -10, 100, 10), width=4, margin=0)
    assert (varying[:, 90] < 128).sum() > (varying[:, 10] < 128).sum()
    dot = rasterize([s((5, 5))], width=4)
    assert (dot < 128).any()


def test_a_mask_of_varying_pressure_is_each_segment_drawn_at_its_own_width():
    import cv2

    rng = np.random.default_rng(3)
    n = 40
    pts = np.c_[np.cumsum(rng.normal(0, 4, n)) + 60, np.cumsum(rng.normal(0, 4, n)) + 60, rng.uniform(0, 1, n),
                np.arange(n) * 10.0]
    stroke = Stroke(pts)
    mask = rasterize([stroke], box=(0, 0, 120, 120), scale=1.5, width=3, margin=0, antialias=False)
    expected = np.full_like(mask, 255)
    xy = np.round(pts[:, :2] * 1.5 * 16).astype(np.int64)
    for i in range(n - 1):  # the reference: one cv2.line per segment, at the width of its mean pressure
        t = max(1, int(round(3 * (0.5 + (pts[i, 2] + pts[i + 1, 2]) / 2))))
        cv2.line(expected, tuple(map(int, xy[i])), tuple(map(int, xy[i + 1])), 0, t, cv2.LINE_8, 4)
    assert len(np.unique(np.round(3 * (0.5 + (pts[:-1, 2] + pts[1:, 2]) / 2)))) >= 3  # widths do vary
    assert np.array_equal(mask, expected)


def test_the_listener_hears_every_change_and_nothing_else():
    a, b = s((0, 0), (1, 1)), s((5, 5))
    ink, heard = Ink(), []
    ink.listener = heard.append
    ink.add(a)
    ink.add(b)
    ink.erase([7])  # nothing there: no change, no edit
    ink.erase([0, 0])
    assert not ink.redo()
    ink.undo()
    ink.clear()
    assert [(e.op, e.strokes, e.indices) for e in heard] == [
        ("add", (a,), ()), ("add", (b,), ()), ("erase", (), (0,)), ("undo", (), ()), ("clear", (), ())]


def test_undo_history_survives_the_json_round_trip():
    a, b, c, d = s((0, 0), (1, 1)), s((5, 5), (6, 6)), s((9, 9)), s((3, 3))
    ink = Ink()
    for st in (a, b, c):
        ink.add(st)
    ink.erase([1])
    ink.replace([d])
    ink.clear()
    ink.undo()
    ink.undo()  # back to a, c; redo would replace them with d, then clear
    doc = json.loads(json.dumps(history_to_dict(ink.strokes, ink.history())))
    again = ink_with_history([Stroke(p.points) for p in ink.strokes], doc)
    assert again.strokes == (a, c)
    assert again.redo() and again.strokes == (d,)
    assert again.undo() and again.undo() and again.strokes == (a, b, c)
    assert again.undo() and again.undo() and again.undo() and again.strokes == ()
    assert not again.can_undo()


@pytest.mark.parametrize("doc, reason", [
    ([], "not a JSON object"),
    ({"undo": [["add", [[0, 5]]]]}, "pairs"),
    ({"undo": [["teleport", []]]}, "not a step"),
    ({"undo": [["add", [[5, 0]]]]}, "do not lead"),  # undoing it would take away a stroke 5 of one
    ({"redo": [["remove", [[3, 0]]]]}, "do not lead"),
    ({"strokes": [[[1, "a"]]], "undo": []}, "a stroke"),
    ({"undo": {}}, "must be a list"),
])
def test_a_bad_history_is_refused_with_the_reason(doc, reason):
    with pytest.raises(InputError, match=reason):
        ink_with_history([s((0, 0))], doc)
