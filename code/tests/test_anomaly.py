"""Outlier rules against NumPy/SciPy, and RANSACRegressor against scikit-learn's."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn import linear_model as sk_linear_model

from groundml import NotFittedError
from groundml.anomaly import (
    MAD_NORMAL_CONSTANT,
    RANSACRegressor,
    iqr,
    iqr_outliers,
    mad,
    quantile_linear,
    ransac_trials,
    robust_zscore_outliers,
    zscore_outliers,
    zscores,
)
from groundml.linear_model import LinearRegression

SEEDS = range(5)
SIZES = [5, 16, 101, 1000]


def contaminated(seed, n, frac=0.1):
    rng = np.random.default_rng(seed)
    x = rng.normal(10.0, 2.0, size=n)
    k = max(1, int(frac * n))
    x[rng.choice(n, k, replace=False)] += rng.choice([-1, 1], k) * rng.uniform(8, 30, k)
    return x


def test_mad_constant_is_inverse_normal_quartile():
    assert MAD_NORMAL_CONSTANT == pytest.approx(1 / stats.norm.ppf(0.75), rel=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_univariate_rules_match_numpy_and_scipy(seed, n):
    x = contaminated(seed, n)
    z = (x - x.mean()) / x.std()
    assert_allclose(zscores(x), stats.zscore(x), rtol=1e-12, atol=1e-12)
    assert_array_equal(zscore_outliers(x, 2.5), np.abs(z) > 2.5)
    assert mad(x) == pytest.approx(stats.median_abs_deviation(x, scale="normal"), rel=1e-12)
    assert mad(x, scale=1.0) == pytest.approx(stats.median_abs_deviation(x), rel=1e-12)
    robust = np.abs(x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
    assert_array_equal(robust_zscore_outliers(x), robust > 3.5)
    q = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    assert_allclose(quantile_linear(x, q), np.percentile(x, 100 * q), rtol=1e-12)
    assert iqr(x) == pytest.approx(stats.iqr(x), rel=1e-12)
    q1, q3 = np.percentile(x, [25, 75])
    expected = (x < q1 - 1.5 * (q3 - q1)) | (x > q3 + 1.5 * (q3 - q1))
    assert_array_equal(iqr_outliers(x), expected)


def test_masking_of_one_huge_outlier():
    # With n points no |z| can exceed sqrt(n - 1): one huge outlier among 9 points hides itself.
    x = np.r_[np.zeros(4), np.ones(4), 1e6]
    assert np.abs(zscores(x)).max() <= np.sqrt(len(x) - 1) + 1e-12
    assert not zscore_outliers(x).any()
    assert robust_zscore_outliers(x)[-1]
    assert iqr_outliers(x)[-1]


def test_constant_and_mad_zero_cases():
    assert not zscore_outliers(np.ones(10)).any()
    x = np.r_[np.zeros(7), 0.1, 5.0]              # MAD is 0: all non-median values flagged
    assert_array_equal(robust_zscore_outliers(x), x != 0)


@pytest.mark.parametrize("func", [zscore_outliers, robust_zscore_outliers, iqr_outliers, mad, iqr])
def test_univariate_bad_input(func):
    with pytest.raises(ValueError, match="1D"):
        func(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        func(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="infinity"):
        func(np.array([1.0, np.inf, 2.0]))
    with pytest.raises(ValueError, match="0 samples"):
        func(np.array([]))


def test_bad_thresholds_and_quantiles():
    for bad in (0, -1.0, np.nan):
        with pytest.raises(ValueError, match="positive"):
            zscore_outliers([1.0, 2.0], bad)
        with pytest.raises(ValueError, match="positive"):
            iqr_outliers([1.0, 2.0], bad)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        quantile_linear([1.0, 2.0], 1.5)


def line_with_outliers(seed, n=100, n_features=1, frac=0.25):
    """A clear inlier set (noise 0.05 around a plane) and far-away outliers (offset 5-20)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(n, n_features))
    w = rng.normal(size=n_features) * 2
    y = X @ w + 1.0 + 0.05 * rng.normal(size=n)
    out = rng.choice(n, int(frac * n), replace=False)
    y[out] += rng.choice([-1, 1], len(out)) * rng.uniform(5, 20, len(out))
    truth = np.ones(n, dtype=bool)
    truth[out] = False
    return X, y, truth


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(100, 1), (200, 3), (60, 2)])
def test_ransac_matches_sklearn(seed, shape):
    # The random subsets differ from scikit-learn's (different generators), so the trials
    # cannot be matched one by one. With a clear inlier set, every all-inlier trial finds
    # the same consensus set; both final models are OLS refits on it, so they agree exactly.
    X, y, truth = line_with_outliers(seed, *shape)
    ours = RANSACRegressor(residual_threshold=1.0, random_state=seed).fit(X, y)
    ref = sk_linear_model.RANSACRegressor(residual_threshold=1.0, random_state=seed).fit(X, y)
    assert_array_equal(ours.inlier_mask_, ref.inlier_mask_)
    assert_array_equal(ours.inlier_mask_, truth)
    assert_allclose(ours.estimator_.coef_, ref.estimator_.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.estimator_.intercept_, ref.estimator_.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-8)
    assert ours.n_features_in_ == ref.n_features_in_


@pytest.mark.parametrize("seed", SEEDS)
def test_ransac_default_threshold_is_mad_of_y(seed):
    X, y, _ = line_with_outliers(seed, 100, 1, frac=0.1)
    ours = RANSACRegressor(random_state=seed).fit(X, y)
    assert ours.residual_threshold_ == pytest.approx(stats.median_abs_deviation(y), rel=1e-12)
    assert ours.min_samples_ == 2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [0.9, 0.99, 0.999])
def test_ransac_trials_respect_the_bound(seed, p):
    X, y, truth = line_with_outliers(seed, 200, 1, frac=0.4)
    model = RANSACRegressor(residual_threshold=1.0, stop_probability=p, max_trials=1000,
                            random_state=seed).fit(X, y)
    w = model.inlier_mask_.mean()
    bound = ransac_trials(w, 2, p)
    # The cap only shrinks as the best consensus grows, so the loop stops at
    # max(trial that found the final best, min(max_trials, bound of the final best)):
    # never before the bound of the final inlier fraction.
    assert model.n_trials_ >= bound
    assert model.n_trials_ <= 1000
    # Same bound as scikit-learn's dynamic rule: log(1 - p) / log(1 - w^s), rounded up.
    assert bound == np.ceil(np.log(1 - p) / np.log(1 - w ** 2))


def test_ransac_trials_formula_edge_cases():
    assert ransac_trials(1.0, 3) == 1.0
    assert ransac_trials(0.0, 3) == np.inf
    assert ransac_trials(0.5, 2, 0.0) == 0.0
    assert ransac_trials(0.5, 2, 0.99) == 17          # log(0.01) / log(0.75) = 16.01
    with pytest.raises(ValueError):
        ransac_trials(1.5, 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_ransac_deterministic_and_custom_estimator(seed):
    X, y, _ = line_with_outliers(seed, 80, 2)
    a = RANSACRegressor(residual_threshold=1.0, random_state=seed).fit(X, y)
    b = RANSACRegressor(residual_threshold=1.0, random_state=seed).fit(X, y)
    assert a.n_trials_ == b.n_trials_
    assert_array_equal(a.inlier_mask_, b.inlier_mask_)
    base = LinearRegression(fit_intercept=True)
    c = RANSACRegressor(estimator=base, min_samples=3, residual_threshold=1.0, random_state=seed).fit(X, y)
    assert not hasattr(base, "coef_")              # the given estimator is not modified
    assert_array_equal(c.inlier_mask_, a.inlier_mask_)
    d = RANSACRegressor(min_samples=0.05, residual_threshold=1.0, random_state=seed).fit(X, y)
    assert d.min_samples_ == 4                      # ceil(0.05 * 80)


def test_ransac_bad_input():
    X, y, _ = line_with_outliers(0, 30, 2)
    sk = sk_linear_model.RANSACRegressor
    bad_inputs = [
        (X[:, 0], y, "2D"),
        (X, y[:-1], "inconsistent"),
        (np.where(np.eye(30, 2) == 1, np.nan, X), y, "NaN"),
        (np.where(np.eye(30, 2) == 1, np.inf, X), y, "infinity"),
    ]
    for Xb, yb, msg in bad_inputs:
        with pytest.raises(ValueError, match=msg):
            RANSACRegressor().fit(Xb, yb)
        with pytest.raises(ValueError):
            sk().fit(Xb, yb)
    for model, ref in [(RANSACRegressor(min_samples=31), sk(min_samples=31))]:
        with pytest.raises(ValueError, match="min_samples"):
            model.fit(X, y)
        with pytest.raises(ValueError, match="min_samples"):
            ref.fit(X, y)
    with pytest.raises(ValueError, match="max_trials"):
        RANSACRegressor(max_trials=0).fit(X, y)
    with pytest.raises(ValueError, match="residual_threshold"):
        RANSACRegressor(residual_threshold=-1.0).fit(X, y)
    with pytest.raises(NotFittedError):
        RANSACRegressor().predict(X)
    model = RANSACRegressor(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :1])
    with pytest.raises(ValueError, match="features"):
        sk(random_state=0).fit(X, y).predict(X[:, :1])


class FarAway:
    """A model whose predictions are far from every target, so no trial has an inlier."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), 1e6)

    def score(self, X, y):
        return 0.0


def test_ransac_no_consensus():
    X, y, _ = line_with_outliers(0, 30, 1)
    with pytest.raises(ValueError, match="consensus"):
        RANSACRegressor(estimator=FarAway(), min_samples=2, residual_threshold=1.0, max_trials=5).fit(X, y)
    with pytest.raises(ValueError, match="min_samples"):
        RANSACRegressor(estimator=FarAway()).fit(X, y)
