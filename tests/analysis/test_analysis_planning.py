"""Sample-size planning."""

import pytest

from analysis import margin_of_error
from analysis import sample_size


def test_classic_values():
    # n0 = 1.959964^2 * 0.25 / 0.05^2 = 384.1 -> 385 (Cochran 1977)
    assert sample_size(0.05) == 385
    # with N = 10,000: 384.15 / (1 + 383.15 / 10000) = 369.9 -> 370
    assert sample_size(0.05, population=10_000) == 370
    assert sample_size(0.03, deff=1.5) == 1601  # 1.5 * 1067.1 = 1600.7
    assert sample_size(0.05, p=0.1) == 139


def test_margin_of_error_inverts_sample_size():
    for kwargs in ({}, {"deff": 2.0}, {"population": 5000, "p": 0.3}):
        n = sample_size(0.04, **kwargs)
        assert margin_of_error(n, **kwargs) <= 0.04
        assert margin_of_error(n - 1, **kwargs) > 0.04


def test_invalid_inputs():
    with pytest.raises(ValueError):
        sample_size(0)
    with pytest.raises(ValueError):
        sample_size(0.05, p=1.5)
    with pytest.raises(ValueError):
        sample_size(0.05, deff=0)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.5])
def test_invalid_level_rejected(level):
    with pytest.raises(ValueError):
        sample_size(0.05, level=level)
    with pytest.raises(ValueError):
        margin_of_error(400, level=level)


def test_level_changes_critical_value():
    # z_{0.95} = 1.6449: n0 = 1.6449^2 * 0.25 / 0.05^2 = 270.6 -> 271
    assert sample_size(0.05, level=0.90) == 271
    assert margin_of_error(271, level=0.90) <= 0.05
