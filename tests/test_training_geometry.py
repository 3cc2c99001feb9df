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


def test_observe_reads_each_glyph_that_is_one_character_with_its_place_on_the_line():
    from hwr_desktop.context import PLACEMENT_DIM
    from hwr_desktop.ink import Stroke
    from probs import LABELS, row

    class ReadsA:  # every glyph surely an "a": the line's x-height is its glyphs' height
        labels = LABELS
        placement = None

        def predict(self, glyphs, batch=64):
            return np.stack([row(a=0.9, o=0.1)] * len(glyphs)), None

    def stroke(x, t):
        p = np.zeros((20, 4))
        p[:, 0], p[:, 1] = x + 10 * np.sin(np.linspace(0, 6, 20)), np.linspace(20, 50, 20)
        p[:, 2], p[:, 3] = 1.0, t + np.arange(20) * 10.0
        return Stroke(p)

    ink = [stroke(20 + 45 * i, 1000 * i) for i in range(4)]  # four glyphs of one stroke each, on one baseline
    whose = {(0,): "a", (1,): "a", (2,): "o"}  # the last stroke is no character's: not observed
    out = geometry.observe(ink, whose, ReadsA())
    assert [ch for ch, _, _ in out] == ["a", "a", "o"]
    for _, probs, place in out:
        assert probs.shape == (len(LABELS),) and abs(float(probs.sum()) - 1) < 1e-4
        assert place.shape == (PLACEMENT_DIM,)
        assert abs(place[0] - 1.0) < 0.05 and abs(place[1]) < 0.05  # an x-height tall, on the baseline
