"""Connected components of masks: the same as OpenCV's int32 labelling and numpy's lookup, cheaper."""

import cv2
import numpy as np
import pytest

from hwr_desktop.regions import FEW, connected, pick


def blobs(seed: int, n: int, shape=(120, 160)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.zeros(shape, np.uint8)
    for _ in range(n):
        x, y = int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0]))
        cv2.circle(m, (x, y), int(rng.integers(0, 4)), 1, -1)
    return m.astype(bool)


@pytest.mark.parametrize("seed", range(3))
def test_connected_numbers_the_components_as_opencv_does(seed):
    m = blobs(seed, 300)
    n, labels, stats = connected(m)
    n32, labels32, stats32, _ = cv2.connectedComponentsWithStats(m.astype(np.uint8), connectivity=8)
    assert labels.dtype == np.uint16
    assert n == n32 and np.array_equal(labels, labels32) and np.array_equal(stats, stats32)


def test_more_components_than_uint16_holds_are_numbered_in_int32():
    m = np.zeros((600, 600), bool)
    m[::2, ::2] = True  # 90,000 lone pixels
    n, labels, stats = connected(m)
    assert n == 90_001 and labels.dtype == np.int32 and int(labels.max()) == 90_000
    assert stats[1:, cv2.CC_STAT_AREA].max() == 1


@pytest.mark.parametrize("chosen", [0, 1, FEW, FEW + 1, "all but 3", "all", "half"])
def test_pick_is_the_lookup_of_the_chosen_components(chosen):
    m = blobs(7, 900, (300, 400))
    n, labels, stats = connected(m)
    assert n > 2 * FEW + 10
    rng = np.random.default_rng(1)
    which = np.zeros(n, bool)
    if chosen == "all":
        which[:] = True
    elif chosen == "all but 3":
        which[:] = True
        which[rng.choice(np.arange(1, n), 3, replace=False)] = False
    elif chosen == "half":
        which[rng.choice(np.arange(1, n), n // 2, replace=False)] = True
    else:
        which[rng.choice(np.arange(1, n), chosen, replace=False)] = True
    expected = which[labels] & (labels > 0)
    assert np.array_equal(pick(labels, stats, which), expected)
