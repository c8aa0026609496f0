"""Calibration curves, ECE, isotonic regression and Platt scaling against scikit-learn."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.isotonic import IsotonicRegression as SkIsotonicRegression
from sklearn.isotonic import isotonic_regression as sk_isotonic_regression
from sklearn.linear_model import LogisticRegression

from groundml import NotFittedError
from groundml.calibration import (
    IsotonicRegression,
    PlattScaling,
    calibration_curve,
    downsampling_correction,
    expected_calibration_error,
    isotonic_regression,
    platt_scaling,
)

SEEDS = range(5)
SIZES = [10, 137, 2000]


def make_scores(seed, n, slope=2.0, shift=0.3):
    """Scores s and labels drawn from P(y=1|s) = sigmoid(slope * s - shift): not separable."""
    rng = np.random.default_rng(seed)
    s = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(slope * s - shift)))).astype(int)
    y[:2] = [0, 1]                                       # both classes present even for tiny n
    return s, y


# ---------------------------------------------------------------- calibration_curve and ECE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 3, 10])
def test_calibration_curve_matches_sklearn(seed, n, strategy, n_bins):
    rng = np.random.default_rng(seed)
    p = rng.beta(0.7, 1.5, size=n)
    p[0] = 0.0
    p[-1] = 1.0 if n > 10 else p[-1]                     # the end points of [0, 1] too
    y = (rng.random(n) < p ** 1.5).astype(int)
    ours = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    ref = sk_calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    for a, b in zip(ours, ref, strict=True):
        assert a.shape == b.shape
        assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_calibration_curve_one_label_and_pos_label():
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.95])
    for labels in ([0] * 5, [1] * 5):                     # a single label is allowed, as in sklearn
        ours, ref = calibration_curve(labels, p, n_bins=4), sk_calibration_curve(labels, p, n_bins=4)
        for a, b in zip(ours, ref, strict=True):
            assert_allclose(a, b, rtol=1e-12)
    y = np.array(["no", "yes", "no", "yes", "yes"])
    for a, b in zip(calibration_curve(y, p, pos_label="yes", n_bins=2),
                    sk_calibration_curve(y, p, pos_label="yes", n_bins=2), strict=True):
        assert_allclose(a, b, rtol=1e-12)
    for fn in (calibration_curve, sk_calibration_curve):  # strings need pos_label
        with pytest.raises(ValueError):
            fn(y, p)


@pytest.mark.parametrize("bad", ["range", "multiclass", "length", "strategy"])
def test_calibration_curve_errors_like_sklearn(bad):
    y, p = np.array([0, 1, 1, 0]), np.array([0.1, 0.7, 0.6, 0.2])
    kwargs = {}
    if bad == "range":
        p = np.array([0.1, 1.2, 0.6, 0.2])
    elif bad == "multiclass":
        y = np.array([0, 1, 2, 0])
    elif bad == "length":
        y = y[:3]
    else:
        kwargs = {"strategy": "median"}
    for fn in (calibration_curve, sk_calibration_curve):
        with pytest.raises(ValueError):
            fn(y, p, **kwargs)
    with pytest.raises(ValueError):
        expected_calibration_error(y, p, **kwargs)


def test_nan_probability_raises():
    with pytest.raises(ValueError, match="NaN"):
        calibration_curve([0, 1], [0.2, np.nan])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 5, 15])
def test_ece_is_weighted_gap_of_sklearn_curve(seed, strategy, n_bins):
    rng = np.random.default_rng(seed)
    p = rng.random(500)
    y = (rng.random(500) < p ** 2).astype(int)
    prob_true, prob_pred = sk_calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    # bin sizes by the same rule as sklearn (bin b holds (edge_b, edge_{b+1}]), from NumPy directly
    if strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        edges = np.quantile(p, np.linspace(0, 1, n_bins + 1))
    sizes = np.array([np.sum(np.digitize(p, edges[1:-1], right=True) == b) for b in range(n_bins)])
    sizes = sizes[sizes > 0]
    expected = np.sum(sizes / len(p) * np.abs(prob_true - prob_pred))
    ece = expected_calibration_error(y, p, n_bins=n_bins, strategy=strategy)
    assert ece == pytest.approx(expected, rel=1e-10)
    if n_bins == 1:                                      # one bin: |mean(y) - mean(p)|
        assert ece == pytest.approx(abs(y.mean() - p.mean()), rel=1e-12)


def test_ece_zero_for_perfectly_calibrated_bins():
    # each bin's mean probability equals its fraction of positives exactly
    p = np.array([0.25] * 4 + [0.75] * 4)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(0.0, abs=1e-15)


# ---------------------------------------------------------------- isotonic regression


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 2, 50, 1000])
@pytest.mark.parametrize("increasing", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_isotonic_function_matches_sklearn(seed, n, increasing, weighted):
    rng = np.random.default_rng(seed)
    y = np.cumsum(rng.normal(size=n)) * (1 if increasing else -1) + rng.normal(scale=3, size=n)
    w = rng.uniform(0.1, 2, size=n) if weighted else None
    ours = isotonic_regression(y, sample_weight=w, increasing=increasing)
    ref = sk_isotonic_regression(y, sample_weight=w, increasing=increasing)
    assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [5, 60, 800])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("increasing", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("out_of_bounds", ["clip", "nan"])
def test_isotonic_estimator_matches_sklearn(seed, n, ties, increasing, weighted, out_of_bounds):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, max(2, n // 4), size=n).astype(float) if ties else rng.normal(size=n)
    y = (1 if increasing else -1) * np.sin(x) + rng.normal(size=n)
    w = rng.uniform(0.1, 3, size=n) if weighted else None
    if weighted:
        w[rng.random(n) < 0.1] = 0.0                     # zero weights are dropped by both
        w[0] = 1.0
    kw = {"increasing": increasing, "out_of_bounds": out_of_bounds}
    ours = IsotonicRegression(**kw).fit(x, y, sample_weight=w)
    ref = SkIsotonicRegression(**kw).fit(x, y, sample_weight=w)
    t = np.linspace(x.min() - 1, x.max() + 1, 97)
    assert_allclose(ours.predict(t), ref.predict(t), rtol=1e-10, atol=1e-10)
    assert_allclose(ours.transform(x.reshape(-1, 1)), ref.transform(x.reshape(-1, 1)), rtol=1e-10, atol=1e-10)
    assert_allclose(ours.fit_transform(x, y, w), ref.fit_transform(x, y, sample_weight=w),
                    rtol=1e-10, atol=1e-10)
    assert ours.X_min_ == ref.X_min_ and ours.X_max_ == ref.X_max_


@pytest.mark.parametrize("seed", SEEDS)
def test_isotonic_bounds_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=100), rng.normal(size=100)
    kw = {"y_min": -0.3, "y_max": 0.4, "out_of_bounds": "clip"}
    t = np.linspace(-4, 4, 50)
    assert_allclose(IsotonicRegression(**kw).fit(x, y).predict(t),
                    SkIsotonicRegression(**kw).fit(x, y).predict(t), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_isotonic_is_least_squares_among_monotone_fits(seed):
    # PAVA's optimality: no monotone perturbation of the fit lowers the weighted squared error
    rng = np.random.default_rng(seed)
    y, w = rng.normal(size=30), rng.uniform(0.5, 2, size=30)
    fit = isotonic_regression(y, sample_weight=w)
    assert np.all(np.diff(fit) >= 0)
    best = np.sum(w * (y - fit) ** 2)
    for _ in range(200):
        other = np.sort(fit + rng.normal(scale=0.3, size=30))
        assert np.sum(w * (y - other) ** 2) >= best - 1e-12


def test_isotonic_out_of_bounds_raise_and_errors():
    x, y = np.arange(5.0), np.array([1.0, 0.0, 2.0, 3.0, 2.5])
    model = IsotonicRegression(out_of_bounds="raise").fit(x, y)
    with pytest.raises(ValueError):
        model.predict([5.5])
    with pytest.raises(ValueError):
        SkIsotonicRegression(out_of_bounds="raise").fit(x, y).predict([5.5])
    with pytest.raises(NotFittedError):
        IsotonicRegression().predict(x)
    with pytest.raises(ValueError):
        IsotonicRegression().fit(np.ones((5, 2)), y)      # two features
    with pytest.raises(ValueError):
        SkIsotonicRegression().fit(np.ones((5, 2)), y)
    with pytest.raises(ValueError):
        IsotonicRegression().fit(x, y[:4])
    with pytest.raises(ValueError):
        IsotonicRegression().fit(x, np.array([1.0, np.nan, 2, 3, 4]))
    with pytest.raises(ValueError):
        IsotonicRegression(out_of_bounds="wrap").fit(x, y)


# ---------------------------------------------------------------- Platt scaling


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [40, 300, 3000])
def test_platt_matches_unpenalised_logistic_regression(seed, n):
    s, y = make_scores(seed, n)
    a, b = platt_scaling(s, y)
    ref = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(s[:, None], y)
    assert a == pytest.approx(ref.coef_[0, 0], rel=1e-5, abs=1e-5)
    assert b == pytest.approx(ref.intercept_[0], rel=1e-5, abs=1e-5)
    model = PlattScaling().fit(s.reshape(-1, 1), y)
    t = np.linspace(-3, 3, 11)
    assert_allclose(model.predict_proba(t), ref.predict_proba(t[:, None]), atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [15, 300])
def test_platt_target_smoothing_matches_weighted_logistic_regression(seed, n):
    # A soft target t is the same log-loss as a positive copy with weight t and a negative copy with 1 - t.
    s, y = make_scores(seed, n)
    n_pos, n_neg = y.sum(), n - y.sum()
    t = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    ref = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(
        np.concatenate([s, s])[:, None], np.r_[np.ones(n), np.zeros(n)], sample_weight=np.r_[t, 1 - t])
    a, b = platt_scaling(s, y, target_smoothing=True)
    assert a == pytest.approx(ref.coef_[0, 0], rel=1e-5, abs=1e-5)
    assert b == pytest.approx(ref.intercept_[0], rel=1e-5, abs=1e-5)


def test_platt_smoothing_finite_on_separable_scores():
    s = np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    a, b = platt_scaling(s, y, target_smoothing=True)
    assert np.isfinite(a) and 0 < a < 100


def test_platt_errors():
    s, y = make_scores(0, 20)
    with pytest.raises(ValueError):
        PlattScaling().fit(s, np.zeros(20))                # one class
    with pytest.raises(ValueError):
        LogisticRegression().fit(s[:, None], np.zeros(20))
    with pytest.raises(ValueError):
        PlattScaling().fit(s, np.r_[y[:19], 2])            # three classes
    with pytest.raises(ValueError):
        PlattScaling().fit(s[:10], y)
    with pytest.raises(ValueError):
        PlattScaling().fit(np.ones((20, 2)), y)
    with pytest.raises(NotFittedError):
        PlattScaling().predict(s)


# ---------------------------------------------------------------- downsampling correction


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("w", [0.05, 0.3, 1.0])
def test_downsampling_correction_recovers_true_probability(seed, w):
    # Simulate: within a cell of x with true P(y=1) = q, keep every positive and a
    # fraction w of negatives; the frequency among kept samples is p. The correction maps p back to q.
    rng = np.random.default_rng(seed)
    q = rng.uniform(0.01, 0.5, size=8)
    n = 200_000
    y = rng.random((8, n)) < q[:, None]
    kept = y | (rng.random((8, n)) < w)
    p_down = (y & kept).sum(axis=1) / kept.sum(axis=1)
    assert_allclose(downsampling_correction(p_down, w), q, rtol=0.05)
    # exact identity: odds are multiplied by w
    p = rng.random(10)
    corrected = downsampling_correction(p, w)
    assert_allclose(corrected / (1 - corrected), w * p / (1 - p), rtol=1e-12)


def test_downsampling_correction_errors():
    for w in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError):
            downsampling_correction([0.2], w)
    with pytest.raises(ValueError):
        downsampling_correction([1.2], 0.5)
