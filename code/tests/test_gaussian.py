"""The multivariate Gaussian against SciPy and direct linear algebra."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from groundml.gaussian import gaussian_conditional, gaussian_marginal, mvn_logpdf, mvn_sample

SEEDS = range(5)
DIMS = [1, 2, 5, 12]


def make_gaussian(seed, d):
    """A random mean and a random SPD covariance with eigenvalues in [0.2, 5]."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    cov = (Q * rng.uniform(0.2, 5.0, size=d)) @ Q.T
    return rng.normal(scale=2.0, size=d), (cov + cov.T) / 2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIMS)
def test_logpdf_matches_scipy(seed, d):
    mean, cov = make_gaussian(seed, d)
    X = np.random.default_rng(seed + 100).normal(scale=3.0, size=(40, d))
    ref = stats.multivariate_normal(mean, cov).logpdf(X)
    assert_allclose(mvn_logpdf(X, mean, cov), ref, rtol=1e-10, atol=1e-10)
    # a single point as a 1D array gives a float
    single = mvn_logpdf(X[0], mean, cov)
    assert isinstance(single, float)
    assert_allclose(single, ref[0], rtol=1e-10, atol=1e-10)


def test_logpdf_is_stable_where_the_naive_formula_fails():
    # d = 400 with variances 1e-3: det(cov) = 1e-1200 underflows to 0, yet the
    # Cholesky log-determinant is exact and agrees with SciPy (which uses eigh).
    d = 400
    cov = 1e-3 * np.eye(d)
    mean = np.zeros(d)
    X = np.random.default_rng(0).normal(scale=0.03, size=(3, d))
    assert np.linalg.det(cov) == 0.0
    ref = stats.multivariate_normal(mean, cov).logpdf(X)
    assert_allclose(mvn_logpdf(X, mean, cov), ref, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", [1, 3, 6])
def test_sample_moments_and_goodness_of_fit(seed, d):
    mean, cov = make_gaussian(seed, d)
    n = 40_000
    X = mvn_sample(mean, cov, n, random_state=seed)
    assert X.shape == (n, d)
    sd = np.sqrt(np.diag(cov))
    # sample mean: standard error sd / sqrt(n); allow 5 standard errors
    assert np.all(np.abs(X.mean(axis=0) - mean) < 5 * sd / np.sqrt(n))
    # sample covariance: entry (i, j) has standard error <= sd_i sd_j sqrt(2 / n)
    assert np.all(np.abs(np.cov(X.T).reshape(d, d) - cov) < 5 * np.outer(sd, sd) * np.sqrt(2 / n))
    # whitened samples L^{-1}(x - mu) are iid N(0, 1): KS test on all coordinates
    L = np.linalg.cholesky(cov)
    Z = np.linalg.solve(L, (X - mean).T).ravel()
    assert stats.kstest(Z, "norm").pvalue > 1e-3
    # the squared Mahalanobis distance is chi-squared with d degrees of freedom
    maha = np.sum(np.linalg.solve(L, (X - mean).T) ** 2, axis=0)
    assert stats.kstest(maha, stats.chi2(d).cdf).pvalue > 1e-3


def test_sample_is_reproducible_and_uses_its_own_generator():
    mean, cov = make_gaussian(0, 3)
    np.random.seed(1)
    a = mvn_sample(mean, cov, 10, random_state=7)
    np.random.seed(2)
    b = mvn_sample(mean, cov, 10, random_state=np.random.default_rng(7))
    assert_allclose(a, b, rtol=0, atol=0)
    assert not np.allclose(a, mvn_sample(mean, cov, 10, random_state=8))


def conditional_by_inverse(mean, cov, b, x_b):
    """Reference: the textbook formulas with an explicit inverse."""
    a = np.setdiff1d(np.arange(len(mean)), b)
    K = cov[np.ix_(a, b)] @ np.linalg.inv(cov[np.ix_(b, b)])
    return mean[a] + (x_b - mean[b]) @ K.T, cov[np.ix_(a, a)] - K @ cov[np.ix_(b, a)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("d", "b"), [(2, [0]), (3, [2, 0]), (5, [1, 3]), (8, [7, 0, 4, 2, 5])])
def test_conditional_matches_direct_linear_algebra(seed, d, b):
    mean, cov = make_gaussian(seed, d)
    x_b = np.random.default_rng(seed + 1).normal(size=(6, len(b)))
    ref_mean, ref_cov = conditional_by_inverse(mean, cov, np.array(b), x_b)
    got_mean, got_cov = gaussian_conditional(mean, cov, b, x_b)
    assert_allclose(got_mean, ref_mean, rtol=1e-9, atol=1e-10)
    assert_allclose(got_cov, ref_cov, rtol=1e-9, atol=1e-10)
    # one row of x_b gives a 1D mean
    one_mean, _ = gaussian_conditional(mean, cov, b, x_b[0])
    assert_allclose(one_mean, ref_mean[0], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_conditional_covariance_is_inverse_of_precision_block(seed):
    # Sigma_{a|b} = ((Sigma^{-1})_{aa})^{-1}: an independent route through the precision matrix
    mean, cov = make_gaussian(seed, 6)
    b = [0, 2, 5]
    a = [1, 3, 4]
    precision = np.linalg.inv(cov)
    _, got_cov = gaussian_conditional(mean, cov, b, np.zeros(3))
    assert_allclose(got_cov, np.linalg.inv(precision[np.ix_(a, a)]), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_conditional_density_is_joint_over_marginal(seed):
    # log p(x_a | x_b) = log p(x_a, x_b) - log p(x_b), each side from SciPy
    mean, cov = make_gaussian(seed, 4)
    b, a = [1, 2], [0, 3]
    x = np.random.default_rng(seed).normal(size=4)
    cond_mean, cond_cov = gaussian_conditional(mean, cov, b, x[b])
    lhs = stats.multivariate_normal(cond_mean, cond_cov).logpdf(x[a])
    rhs = (stats.multivariate_normal(mean, cov).logpdf(x)
           - stats.multivariate_normal(mean[b], cov[np.ix_(b, b)]).logpdf(x[b]))
    assert_allclose(lhs, rhs, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("d", "idx"), [(3, [1]), (5, [4, 0]), (7, [2, 3, 6])])
def test_marginal_matches_simulation_and_indexing(seed, d, idx):
    mean, cov = make_gaussian(seed, d)
    m, S = gaussian_marginal(mean, cov, idx)
    assert_allclose(m, mean[idx], rtol=0, atol=0)
    assert_allclose(S, cov[np.ix_(idx, idx)], rtol=0, atol=0)
    # the marginal density integrates the others out: compare with a simulation
    X = mvn_sample(mean, cov, 40_000, random_state=seed)[:, idx]
    sd = np.sqrt(np.diag(S))
    assert np.all(np.abs(X.mean(axis=0) - m) < 5 * sd / np.sqrt(len(X)))
    whitened = np.linalg.solve(np.linalg.cholesky(S), (X - m).T).ravel()
    assert stats.kstest(whitened, "norm").pvalue > 1e-3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mvn_logpdf(np.zeros(2), np.zeros(2), [[1.0, 2.0], [2.0, 1.0]]), "positive definite"),
        (lambda: mvn_logpdf(np.zeros(2), np.zeros(2), [[1.0, 0.5], [0.0, 1.0]]), "symmetric"),
        (lambda: mvn_logpdf(np.zeros(2), np.zeros(3), np.eye(2)), "shape"),
        (lambda: mvn_logpdf(np.zeros((4, 3)), np.zeros(2), np.eye(2)), "3 features"),
        (lambda: mvn_logpdf(np.zeros(2), np.zeros((2, 1)), np.eye(2)), "1D"),
        (lambda: mvn_logpdf([np.nan, 0.0], np.zeros(2), np.eye(2)), "NaN"),
        (lambda: mvn_sample(np.zeros(2), np.eye(2), -1), "non-negative integer"),
        (lambda: mvn_sample(np.zeros(2), np.zeros((2, 2)), 5), "positive definite"),
        (lambda: gaussian_marginal(np.zeros(3), np.eye(3), [3]), r"in \[0, 3\)"),
        (lambda: gaussian_marginal(np.zeros(3), np.eye(3), [1, 1]), "repeated"),
        (lambda: gaussian_conditional(np.zeros(3), np.eye(3), [0, 1, 2], np.zeros(3)), "at least one"),
        (lambda: gaussian_conditional(np.zeros(3), np.eye(3), [0], np.zeros(2)), "x_given has 2"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
