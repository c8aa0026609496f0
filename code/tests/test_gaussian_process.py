"""Bayesian linear regression and GP regression against scikit-learn."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes
from sklearn.gaussian_process import GaussianProcessRegressor as SkGPR
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, DotProduct
from sklearn.linear_model import BayesianRidge
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics.pairwise import rbf_kernel as sk_rbf_kernel

from groundml import NotFittedError
from groundml.gaussian_process import BayesianLinearRegression, GaussianProcessRegressor, rbf_kernel

SEEDS = range(5)
# (n_train, n_test, n_features)
GP_SHAPES = [(20, 30, 1), (50, 10, 3), (80, 25, 6)]
# (length_scale, signal_variance, alpha)
GP_PARAMS = [(0.5, 1.0, 1e-2), (1.3, 2.5, 0.3), (2.0, 0.7, 1e-6)]


def make_data(seed, n_train, n_test, n_features):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, size=(n_train, n_features))
    X_test = rng.uniform(-2.5, 2.5, size=(n_test, n_features))
    y = np.sin(2 * X).sum(axis=1) + 0.5 * X[:, 0] + 3.0 + 0.1 * rng.normal(size=n_train)
    return X, y, X_test


def sk_gp(length_scale, signal_variance, alpha, normalize_y=False):
    kernel = ConstantKernel(signal_variance, "fixed") * RBF(length_scale, "fixed")
    return SkGPR(kernel=kernel, alpha=alpha, optimizer=None, normalize_y=normalize_y)


# --- the RBF kernel ----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", GP_SHAPES)
@pytest.mark.parametrize("length_scale", [0.3, 1.0, 4.0])
def test_rbf_kernel_matches_sklearn(seed, shape, length_scale):
    X, _, X_test = make_data(seed, *shape)
    expected = sk_rbf_kernel(X, X_test, gamma=1 / (2 * length_scale**2))
    assert_allclose(rbf_kernel(X, X_test, length_scale=length_scale), expected, rtol=1e-12, atol=1e-14)
    expected = sk_rbf_kernel(X, gamma=1 / (2 * length_scale**2))
    assert_allclose(rbf_kernel(X, length_scale=length_scale), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_anisotropic_rbf_kernel_matches_sklearn_rbf(seed):
    X, _, X_test = make_data(seed, 30, 12, 3)
    ls = np.array([0.5, 1.0, 3.0])
    assert_allclose(rbf_kernel(X, X_test, length_scale=ls), RBF(ls)(X, X_test), rtol=1e-12, atol=1e-14)


# --- GP regression -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", GP_SHAPES)
@pytest.mark.parametrize("params", GP_PARAMS)
@pytest.mark.parametrize("normalize_y", [False, True])
def test_gp_matches_sklearn(seed, shape, params, normalize_y):
    X, y, X_test = make_data(seed, *shape)
    length_scale, signal_variance, alpha = params
    ours = GaussianProcessRegressor(length_scale=length_scale, signal_variance=signal_variance,
                                    alpha=alpha, normalize_y=normalize_y).fit(X, y)
    theirs = sk_gp(length_scale, signal_variance, alpha, normalize_y).fit(X, y)
    mean, std = ours.predict(X_test, return_std=True)
    sk_mean, sk_std = theirs.predict(X_test, return_std=True)
    _, cov = ours.predict(X_test, return_cov=True)
    _, sk_cov = theirs.predict(X_test, return_cov=True)
    # alpha = 1e-6 makes K + alpha I ill-conditioned (cond ~ 1e8): both libraries lose
    # digits in the same solves, so the tolerance is relative to that conditioning.
    tol = 1e-8 if alpha >= 1e-2 else 1e-5
    assert_allclose(mean, sk_mean, rtol=tol, atol=tol)
    assert_allclose(std, sk_std, rtol=tol, atol=tol)
    assert_allclose(cov, sk_cov, rtol=tol, atol=tol)
    assert_allclose(ours.predict(X_test), sk_mean, rtol=tol, atol=tol)
    assert_allclose(ours.log_marginal_likelihood(), theirs.log_marginal_likelihood_value_, rtol=1e-8)
    assert_allclose(ours.alpha_, theirs.alpha_, rtol=1e-6, atol=tol * np.abs(theirs.alpha_).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_gp_with_per_sample_noise_matches_sklearn(seed):
    X, y, X_test = make_data(seed, 40, 15, 2)
    noise = np.random.default_rng(seed).uniform(0.01, 0.5, size=40)
    ours = GaussianProcessRegressor(length_scale=0.8, signal_variance=1.5, alpha=noise).fit(X, y)
    theirs = sk_gp(0.8, 1.5, noise).fit(X, y)
    pairs = zip(ours.predict(X_test, return_std=True), theirs.predict(X_test, return_std=True), strict=True)
    for a, b in pairs:
        assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.log_marginal_likelihood_value_, theirs.log_marginal_likelihood_value_, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("length_scale", [0.2, 0.9, 3.0])
def test_log_marginal_likelihood_at_other_hyperparameters_matches_sklearn(seed, length_scale):
    X, y, _ = make_data(seed, 30, 1, 2)
    ours = GaussianProcessRegressor(length_scale=1.0, signal_variance=1.0, alpha=0.05).fit(X, y)
    # free (not "fixed") hyperparameters, so sklearn accepts theta; optimizer=None keeps them
    theirs = SkGPR(kernel=ConstantKernel(1.0) * RBF(1.0), alpha=0.05, optimizer=None).fit(X, y)
    theta = np.log([2.0, length_scale])                      # sklearn's log-hyperparameters
    expected = theirs.log_marginal_likelihood(theta)
    got = ours.log_marginal_likelihood(length_scale=length_scale, signal_variance=2.0)
    assert_allclose(got, expected, rtol=1e-10)
    # and it equals a fresh fit at those hyperparameters
    refit = GaussianProcessRegressor(length_scale=length_scale, signal_variance=2.0, alpha=0.05).fit(X, y)
    assert_allclose(got, refit.log_marginal_likelihood_value_, rtol=1e-12)


def test_gp_on_diabetes_matches_sklearn():
    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    ours = GaussianProcessRegressor(length_scale=3.0, signal_variance=1.0, alpha=0.5, normalize_y=True)
    theirs = sk_gp(3.0, 1.0, 0.5, normalize_y=True)
    ours.fit(X[:300], y[:300])
    theirs.fit(X[:300], y[:300])
    pairs = zip(ours.predict(X[300:], return_std=True), theirs.predict(X[300:], return_std=True), strict=True)
    for a, b in pairs:
        assert_allclose(a, b, rtol=1e-8)
    assert_allclose(ours.log_marginal_likelihood_value_, theirs.log_marginal_likelihood_value_, rtol=1e-10)


def test_gp_interpolates_noise_free_data():
    X = np.linspace(-2, 2, 10)[:, None]                  # well separated: K is well conditioned
    y = np.sin(2 * X[:, 0])
    gp = GaussianProcessRegressor(length_scale=0.5, alpha=1e-10).fit(X, y)
    mean, std = gp.predict(X, return_std=True)
    assert_allclose(mean, y, atol=1e-6)
    assert np.all(std < 1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_sample_y_has_the_posterior_mean_and_covariance(seed):
    # Different random numbers from scikit-learn (it uses multivariate_normal), so
    # compare the moments of many draws with the exact posterior moments instead.
    X, y, X_test = make_data(seed, 20, 5, 1)
    gp = GaussianProcessRegressor(length_scale=0.7, alpha=0.05).fit(X, y - 3.0)
    mean, cov = gp.predict(X_test, return_cov=True)
    draws = gp.sample_y(X_test, n_samples=40_000, random_state=seed)      # (5, 40000)
    assert draws.shape == (5, 40_000)
    se = np.sqrt(np.diag(cov) / 40_000)
    assert np.all(np.abs(draws.mean(axis=1) - mean) < 5 * se + 1e-12)
    assert_allclose(np.cov(draws), cov, atol=0.05 * np.diag(cov).max())
    assert_allclose(gp.sample_y(X_test, 3, random_state=1), gp.sample_y(X_test, 3, random_state=1))


# --- Bayesian linear regression -----------------------------------------------------

BLR_SHAPES = [(40, 1), (100, 5), (30, 12)]


def make_linear_data(seed, n_samples, n_features):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * rng.uniform(0.5, 3.0, size=n_features) + 2.0
    y = X @ rng.normal(size=n_features) + 1.5 + 0.7 * rng.normal(size=n_samples)
    return X, y


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", BLR_SHAPES)
def test_blr_posterior_matches_bayesian_ridge_with_intercept(seed, shape):
    X, y = make_linear_data(seed, *shape)
    br = BayesianRidge().fit(X, y)                   # sklearn: lambda_ = weight, alpha_ = noise precision
    ours = BayesianLinearRegression(alpha=br.lambda_, beta=br.alpha_, fit_intercept=True).fit(X, y)
    assert_allclose(ours.coef_, br.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.sigma_, br.sigma_, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.intercept_, br.intercept_, rtol=1e-8)
    assert_allclose(ours.predict(X), br.predict(X), rtol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", BLR_SHAPES)
def test_blr_predictive_std_matches_bayesian_ridge_on_centred_data(seed, shape):
    X, y = make_linear_data(seed, *shape)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    br = BayesianRidge(fit_intercept=False).fit(Xc, yc)
    ours = BayesianLinearRegression(alpha=br.lambda_, beta=br.alpha_).fit(Xc, yc)
    X_new = np.random.default_rng(seed + 100).normal(size=(20, shape[1]))
    mean, std = ours.predict(X_new, return_std=True)
    sk_mean, sk_std = br.predict(X_new, return_std=True)
    assert_allclose(ours.coef_, br.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.sigma_, br.sigma_, rtol=1e-8, atol=1e-12)
    assert_allclose(mean, sk_mean, rtol=1e-8, atol=1e-10)
    assert_allclose(std, sk_std, rtol=1e-8)


def test_blr_on_diabetes_matches_bayesian_ridge():
    X, y = load_diabetes(return_X_y=True)
    br = BayesianRidge().fit(X, y)
    ours = BayesianLinearRegression(alpha=br.lambda_, beta=br.alpha_, fit_intercept=True).fit(X, y)
    assert_allclose(ours.coef_, br.coef_, rtol=1e-8)
    assert_allclose(ours.sigma_, br.sigma_, rtol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", BLR_SHAPES)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_blr_posterior_mean_is_ridge_with_lambda_alpha_over_beta(seed, shape, fit_intercept):
    X, y = make_linear_data(seed, *shape)
    alpha, beta = 0.5 + seed, 2.0
    ours = BayesianLinearRegression(alpha=alpha, beta=beta, fit_intercept=fit_intercept).fit(X, y)
    ridge = SkRidge(alpha=alpha / beta, fit_intercept=fit_intercept).fit(X, y)
    assert_allclose(ours.coef_, ridge.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, ridge.intercept_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", BLR_SHAPES)
def test_blr_equals_gp_with_scaled_linear_kernel(seed, shape):
    X, y = make_linear_data(seed, *shape)
    X_new = np.random.default_rng(seed + 7).normal(size=(15, shape[1])) * 3
    alpha, beta = 0.8 + 0.3 * seed, 1.7
    blr = BayesianLinearRegression(alpha=alpha, beta=beta).fit(X, y)
    kernel = ConstantKernel(1 / alpha, "fixed") * DotProduct(sigma_0=0.0, sigma_0_bounds="fixed")
    gp = SkGPR(kernel=kernel, alpha=1 / beta, optimizer=None).fit(X, y)
    mean, std = blr.predict(X_new, return_std=True)
    gp_mean, gp_std = gp.predict(X_new, return_std=True)      # std of f, without the noise
    assert_allclose(mean, gp_mean, rtol=1e-8, atol=1e-8)
    assert_allclose(std, np.sqrt(gp_std**2 + 1 / beta), rtol=1e-8)


def test_blr_uncertainty_shrinks_with_more_data():
    X, y = make_linear_data(0, 400, 3)
    small = BayesianLinearRegression(alpha=1.0, beta=2.0).fit(X[:20], y[:20])
    large = BayesianLinearRegression(alpha=1.0, beta=2.0).fit(X, y)
    # S_large^{-1} - S_small^{-1} = beta * X_extra^T X_extra is PSD, so S_small - S_large is PSD
    assert np.linalg.eigvalsh(small.sigma_ - large.sigma_).min() > -1e-12


# --- bad input ---------------------------------------------------------------------

X_OK, Y_OK = make_linear_data(0, 10, 2)
BAD_INPUTS = [
    (X_OK[:, 0], Y_OK, "2D array"),
    (X_OK[None], Y_OK, "2D array"),
    (X_OK, Y_OK[:-1], "inconsistent numbers of samples"),
    (np.where(np.arange(20).reshape(10, 2) == 3, np.nan, X_OK), Y_OK, "NaN"),
    (np.where(np.arange(20).reshape(10, 2) == 3, np.inf, X_OK), Y_OK, "infinity"),
    (X_OK, np.where(np.arange(10) == 2, np.nan, Y_OK), "NaN"),
]


@pytest.mark.parametrize("X, y, message", BAD_INPUTS)
@pytest.mark.parametrize("make", [lambda: BayesianLinearRegression(), lambda: GaussianProcessRegressor()])
def test_bad_input_is_rejected_like_sklearn(X, y, message, make):
    with pytest.raises(ValueError, match=message):
        make().fit(X, y)
    with pytest.raises(ValueError):
        BayesianRidge().fit(X, y)
    with pytest.raises(ValueError):
        SkGPR(optimizer=None).fit(X, y)


@pytest.mark.parametrize("make", [lambda: BayesianLinearRegression(), lambda: GaussianProcessRegressor()])
def test_two_dimensional_y_is_rejected(make):
    with pytest.raises(ValueError, match="1D"):
        make().fit(X_OK, np.column_stack([Y_OK, Y_OK]))


@pytest.mark.parametrize("make", [lambda: BayesianLinearRegression(), lambda: GaussianProcessRegressor()])
def test_predict_before_fit_raises(make):
    with pytest.raises(NotFittedError):
        make().predict(X_OK)


def test_gp_log_marginal_likelihood_before_fit_raises():
    with pytest.raises(NotFittedError):
        GaussianProcessRegressor().log_marginal_likelihood()


@pytest.mark.parametrize("make", [lambda: BayesianLinearRegression(), lambda: GaussianProcessRegressor()])
def test_predict_with_a_different_number_of_features_raises(make):
    model = make().fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="features"):
        model.predict(np.ones((3, 3)))
    with pytest.raises(ValueError):
        BayesianRidge().fit(X_OK, Y_OK).predict(np.ones((3, 3)))


@pytest.mark.parametrize("params", [{"alpha": 0.0}, {"alpha": -1.0}, {"beta": 0.0}, {"beta": -2.0},
                                    {"alpha": np.nan}, {"beta": np.inf}])
def test_blr_non_positive_precisions_raise(params):
    with pytest.raises(ValueError, match="positive"):
        BayesianLinearRegression(**params).fit(X_OK, Y_OK)


@pytest.mark.parametrize("params", [{"length_scale": 0.0}, {"length_scale": -1.0},
                                    {"length_scale": [1.0, 2.0, 3.0]}, {"signal_variance": 0.0},
                                    {"alpha": -1e-3}, {"alpha": np.ones(3)}])
def test_gp_bad_hyperparameters_raise(params):
    with pytest.raises(ValueError):
        GaussianProcessRegressor(**params).fit(X_OK, Y_OK)


def test_rbf_kernel_rejects_bad_length_scale_and_mismatched_features():
    with pytest.raises(ValueError, match="length_scale"):
        rbf_kernel(X_OK, length_scale=0.0)
    with pytest.raises(ValueError, match="features"):
        rbf_kernel(X_OK, np.ones((3, 5)))


def test_gp_zero_noise_on_duplicated_inputs_fails_clearly():
    X = np.vstack([X_OK, X_OK[:1]])                      # a repeated row makes K singular
    y = np.append(Y_OK, Y_OK[0])
    with pytest.raises(ValueError, match="increase alpha"):
        GaussianProcessRegressor(alpha=0.0).fit(X, y)


def test_gp_return_std_and_cov_together_raise_like_sklearn():
    gp = GaussianProcessRegressor().fit(X_OK, Y_OK)
    with pytest.raises(RuntimeError):
        gp.predict(X_OK, return_std=True, return_cov=True)
    with pytest.raises(RuntimeError):
        sk_gp(1.0, 1.0, 1e-10).fit(X_OK, Y_OK).predict(X_OK, return_std=True, return_cov=True)


def test_init_only_stores_and_fit_returns_self():
    blr = BayesianLinearRegression(alpha=-5, beta="x")          # not validated until fit
    assert blr.alpha == -5 and blr.beta == "x"
    gp = GaussianProcessRegressor(length_scale=-1)
    assert gp.length_scale == -1
    assert BayesianLinearRegression().fit(X_OK, Y_OK).n_features_in_ == 2
    model = GaussianProcessRegressor()
    assert model.fit(X_OK, Y_OK) is model


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n, n_rhs", [(10, None), (150, 3), (301, 20)])
def test_blocked_triangular_solve_matches_scipy(seed, n, n_rhs):
    from scipy.linalg import solve_triangular

    from groundml.gaussian_process import _solve_triangular

    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    L = np.linalg.cholesky(A @ A.T + n * np.eye(n))
    B = rng.normal(size=(n,) if n_rhs is None else (n, n_rhs))
    assert_allclose(_solve_triangular(L, B), solve_triangular(L, B, lower=True), rtol=1e-10, atol=1e-12)
    assert_allclose(_solve_triangular(L.T, B, lower=False), solve_triangular(L.T, B, lower=False),
                    rtol=1e-10, atol=1e-12)
