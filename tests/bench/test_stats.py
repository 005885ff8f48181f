import pytest

from bench.stats import fmt, median_range, percentile


def test_percentiles_interpolate_like_numpy():
    values = [10, 20, 30, 40, 50]
    assert percentile(values, 50) == 30
    assert percentile(values, 95) == pytest.approx(48)
    assert percentile([5], 99) == 5
    with pytest.raises(ValueError):
        percentile([], 50)


def test_median_with_range_formatting():
    assert median_range([3, 1, 2]) == (2, 1, 3)
    assert fmt([40.1, 42.0, 45.34]) == "42.0 (40.1–45.3)"
