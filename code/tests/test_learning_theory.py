"""ERM over threshold classifiers and the finite-class bound (groundml.learning_theory).

There is no library counterpart: ERM is checked against a plain double loop over the
class, and the bound against its formula and a simulation in which the true risks are
known exactly.
"""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from groundml.learning_theory import erm_thresholds, finite_class_bound, threshold_empirical_risks

SEEDS = range(5)


def loop_risks(x, y, thresholds):
    return np.array([sum(int(x_i > t) != y_i for x_i, y_i in zip(x, y, strict=True)) / len(y)
                     for t in thresholds])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n, n_thresholds", [(1, 3), (17, 11), (300, 101)])
def test_risks_and_erm_match_a_loop(seed, n, n_thresholds):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=n)
    y = ((x > 0.37) ^ (rng.uniform(size=n) < 0.1)).astype(int)
    thresholds = np.sort(rng.uniform(size=n_thresholds))
    expected = loop_risks(x, y, thresholds)
    assert_allclose(threshold_empirical_risks(x, y, thresholds), expected, rtol=0, atol=1e-15)
    t, risk = erm_thresholds(x, y, thresholds)
    first = int(np.flatnonzero(expected == expected.min())[0])       # the first minimiser wins ties
    assert t == thresholds[first] and risk == pytest.approx(expected.min(), abs=1e-15)


def test_bound_formula_and_the_simulated_guarantee():
    assert finite_class_bound(200, 101, 0.05) == pytest.approx(math.sqrt(math.log(2 * 101 / 0.05) / 400))
    # Inputs uniform on [0, 1], labels 1[x > 0.37] flipped with probability 0.1: the risk of
    # 1[x > t] is exactly 0.1 + 0.8 |t - 0.37|, so ERM's excess risk is known exactly.
    rng = np.random.default_rng(0)
    thresholds = np.linspace(0, 1, 101)
    true_risk = 0.1 + 0.8 * np.abs(thresholds - 0.37)
    n, delta = 100, 0.05
    eps = finite_class_bound(n, thresholds.size, delta)
    failures = 0
    for _ in range(300):
        x = rng.uniform(size=n)
        y = ((x > 0.37) ^ (rng.uniform(size=n) < 0.1)).astype(int)
        gap = np.abs(threshold_empirical_risks(x, y, thresholds) - true_risk).max()
        t, _ = erm_thresholds(x, y, thresholds)
        excess = 0.1 + 0.8 * abs(t - 0.37) - true_risk.min()
        failures += gap > eps or excess > 2 * eps
    assert failures / 300 <= delta


@pytest.mark.parametrize("args, message", [
    (([0.1, 0.2], [0, 1, 1], [0.5]), "inconsistent"),
    (([0.1, 0.2], [0, 2], [0.5]), "labels 0 and 1"),
    (([[0.1, 0.2]], [0, 1], [0.5]), "1D"),
    (([0.1, np.nan], [0, 1], [0.5]), "NaN"),
    (([0.1, 0.2], [0, 1], []), "at least 1"),
])
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        erm_thresholds(*args)


@pytest.mark.parametrize("args", [(0, 10, 0.05), (10, 0, 0.05), (10, 10, 0.0), (10, 10, 1.0), (2.5, 10, 0.1)])
def test_bound_rejects_bad_parameters(args):
    with pytest.raises(ValueError):
        finite_class_bound(*args)
