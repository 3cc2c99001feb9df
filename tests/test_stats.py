import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwr_desktop.stats import median, percentile

values = st.lists(st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(values)
def test_median_is_numpys_to_the_bit(xs):
    assert median(xs) == float(np.median(np.asarray(xs, float)))


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from([0, 10, 25, 50, 75, 90, 99, 100]) | st.floats(0, 100))
def test_percentile_is_numpys_to_the_bit(xs, q):
    assert percentile(xs, q) == float(np.percentile(np.asarray(xs, float), q))


def test_no_values_and_a_percentile_out_of_range_are_errors():
    with pytest.raises(ValueError):
        median([])
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    assert median([3, 1, 2]) == 2.0 and median([1, 2, 3, 4]) == 2.5
