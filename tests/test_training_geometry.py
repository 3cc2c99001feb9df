import numpy as np
import pytest

from training import geometry


def test_the_table_holds_medians_spreads_and_counts_of_characters_measured_often_enough():
    rng = np.random.default_rng(0)
    obs = [("g", 1.0 + rng.normal(0, 0.3), -1.0 + rng.normal(0, 0.4)) for _ in range(400)]
    obs += [("a", 1.0, 0.0)] * 50  # written identically every time: the spread stays at its floor
    obs += [("q", 1.0, -1.0)] * (geometry.MIN_COUNT - 1)  # too few: left to the hand-set profile
    table = geometry.table(obs)
    assert set(table) == {"a", "g"}
    top, bottom, s_top, s_bottom, n = table["g"]
    assert top == pytest.approx(1.0, abs=0.06) and bottom == pytest.approx(-1.0, abs=0.08)
    assert s_top == pytest.approx(0.3, abs=0.05) and s_bottom == pytest.approx(0.4, abs=0.06) and n == 400
    assert table["a"][2:4] == [geometry.MIN_SPREAD, geometry.MIN_SPREAD]
