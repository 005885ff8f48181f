"""Small statistics for benchmark results: percentiles and median with range."""
from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median_range(values: Sequence[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def fmt(values: Sequence[float], digits: int = 1) -> str:
    """"42.0 (40.1–45.3)": the median of repeated runs with their min–max."""
    middle, low, high = median_range(values)
    return f"{middle:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"
