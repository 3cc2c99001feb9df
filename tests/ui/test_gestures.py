"""Scratch-out detection and stroke hit tests (plain numpy)."""

import numpy as np

from hwr_desktop.ink import Stroke
from hwr_desktop.ui.gestures import covered_strokes, hit_strokes, is_scratch_out, x_reversals
from uihelpers import line, zigzag


def pts(xy, dt=5.0):
    xy = np.asarray(xy, float)
    return np.c_[xy, np.full(len(xy), 0.5), np.arange(len(xy)) * dt]


def test_reversals_count_only_big_swings():
    assert x_reversals(np.array([0, 10, 0, 10, 0, 10.0]), 3.0) == 4
    assert x_reversals(np.array([0, 10, 9, 11, 20.0]), 3.0) == 0  # a wiggle is not a reversal


def test_zigzag_is_a_scratch_out_and_letters_are_not():
    assert is_scratch_out(pts(zigzag(0, 60, 0, 30, turns=6)))
    w = [(0, 0), (10, 40), (20, 10), (30, 40), (40, 0)]  # a "W": x never goes back
    z = [(0, 0), (40, 0), (0, 40), (40, 40)]  # a "Z": two reversals
    assert not is_scratch_out(pts(line(*w[:2]) + line(*w[1:3]) + line(*w[2:4]) + line(*w[3:5])))
    assert not is_scratch_out(pts(line(z[0], z[1]) + line(z[1], z[2]) + line(z[2], z[3])))
    assert not is_scratch_out(pts(line((5, 0), (0, 100))))


def test_slow_zigzag_is_ink():
    assert not is_scratch_out(pts(zigzag(0, 60, 0, 30, turns=6), dt=200.0))


def test_covered_strokes_takes_mostly_covered_ones():
    inside = Stroke(pts(line((10, 10), (20, 30))))
    half = Stroke(pts(line((50, 10), (90, 30))))
    far = Stroke(pts(line((200, 10), (210, 30))))
    scratch = pts(zigzag(0, 60, 0, 40))
    assert covered_strokes(scratch, [inside, half, far]) == [0]


def test_hit_strokes_by_distance_to_the_polyline():
    diag = Stroke(pts(line((0, 0), (100, 100))))
    boxes = np.array([diag.box])
    assert hit_strokes([diag], boxes, 50, 53, 5) == [0]
    assert hit_strokes([diag], boxes, 80, 20, 5) == []  # inside the box, far from the line
