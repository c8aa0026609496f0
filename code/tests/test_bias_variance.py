"""Bias-variance simulation against closed forms; learning and validation curves against scikit-learn."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear_model
from sklearn import model_selection as sk_model_selection
from sklearn.datasets import load_diabetes, make_regression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.tree import DecisionTreeRegressor

from groundml import LinearRegression
from groundml.bias_variance import bias_variance_decomposition, learning_curve, validation_curve
from groundml.linear_model import Ridge

SEEDS = range(5)


def f_sine(X):
    return np.sin(2 * X[:, 0])


def sample_uniform(n, rng):
    return rng.uniform(-2, 2, size=(n, 1))


class ConstantRegressor:
    """Predicts a fixed number whatever the data: zero variance, known bias."""

    def __init__(self, value):
        self.value = value

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.full(len(X), self.value)


class KNNRegressor:
    """A plain k-nearest-neighbour average (scikit-learn's is slow for thousands of tiny fits)."""

    def __init__(self, k):
        self.k = k

    def fit(self, X, y):
        self.X_, self.y_ = X, y
        return self

    def predict(self, X):
        d2 = ((X[:, None, :] - self.X_[None, :, :]) ** 2).sum(axis=-1)    # (n_test, n_train)
        nearest = np.argsort(d2, axis=1, kind="stable")[:, : self.k]
        return self.y_[nearest].mean(axis=1)


class MeanRegressor:
    """Predicts the mean of the training targets."""

    def fit(self, X, y):
        self.mean_ = y.mean()
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("make_estimator", [
    lambda: KNNRegressor(1),
    lambda: KNNRegressor(15),
    lambda: LinearRegression(),
    lambda: DecisionTreeRegressor(max_depth=3),
])
@pytest.mark.parametrize("n_train", [20, 60])
def test_identity_holds_to_monte_carlo_tolerance(seed, make_estimator, n_train):
    sigma, n_sets = 0.5, 200
    x_test = np.linspace(-1.8, 1.8, 15)[:, None]
    res = bias_variance_decomposition(make_estimator, f_sine, sample_uniform, noise_std=sigma,
                                      x_test=x_test, n_train=n_train, n_sets=n_sets, random_state=seed)
    # Exact part: with ddof=0, mean_s (f - fhat_s)^2 = bias^2 + variance at every point.
    f0 = f_sine(x_test)
    assert_allclose(((res.predictions - f0) ** 2).mean(axis=0),
                    res.bias_squared_per_point + res.variance_per_point, rtol=1e-10, atol=1e-12)
    # Monte-Carlo part: error - (bias^2 + var + noise) = mean(eps^2 - sigma^2) + 2 mean(eps (f - fhat)),
    # a mean of N = n_sets * n_test independent-noise terms. Its standard deviation is at most
    # sigma^2 sqrt(2 / N) + 2 sigma sqrt(mean (f - fhat)^2 / N); allow 5 of them.
    N = res.predictions.size
    mse_f = ((res.predictions - f0) ** 2).mean()
    tol = 5 * (sigma**2 * np.sqrt(2 / N) + 2 * sigma * np.sqrt(mse_f / N))
    gap = res.expected_error - (res.bias_squared + res.variance + res.noise)
    assert abs(gap) < tol
    assert res.noise == sigma**2
    assert res.predictions.shape == (n_sets, len(x_test))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_train, n_features", [(15, 1), (40, 3), (100, 5)])
def test_ols_fixed_design_matches_closed_form(seed, n_train, n_features):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train, n_features))
    w = rng.normal(size=n_features)
    sigma, n_sets = 0.7, 2000
    x_test = rng.normal(size=(10, n_features))

    def f(Z):
        return 1.5 + Z @ w

    res = bias_variance_decomposition(lambda: LinearRegression(), f, X, noise_std=sigma, x_test=x_test,
                                      n_sets=n_sets, random_state=seed + 10)
    # Closed form for OLS with intercept on a fixed design: Var fhat(x0) = sigma^2 z0^T (Z^T Z)^{-1} z0,
    # z = (1, x).
    Z = np.column_stack([np.ones(n_train), X])
    Z0 = np.column_stack([np.ones(len(x_test)), x_test])
    var_exact = sigma**2 * np.einsum("ij,jk,ik->i", Z0, np.linalg.inv(Z.T @ Z), Z0)
    # A sample variance of S Gaussian draws has relative standard deviation sqrt(2 / S) ~ 0.032;
    # 6 of them is 0.19.
    assert_allclose(res.variance_per_point, var_exact, rtol=6 * np.sqrt(2 / n_sets))
    # Correct specification: OLS is unbiased, so mean prediction - f ~ N(0, var / S).
    assert np.all(np.abs(res.mean_prediction - f(x_test)) < 5 * np.sqrt(var_exact / n_sets))


@pytest.mark.parametrize("seed", SEEDS)
def test_constant_and_mean_predictors(seed):
    x_test = np.linspace(-2, 2, 7)[:, None]
    res = bias_variance_decomposition(lambda: ConstantRegressor(0.3), f_sine, sample_uniform, noise_std=1.0,
                                      x_test=x_test, n_train=10, n_sets=5, random_state=seed)
    assert_allclose(res.variance_per_point, 0.0, atol=1e-15)
    assert_allclose(res.bias_squared_per_point, (0.3 - f_sine(x_test)) ** 2, rtol=1e-12)
    # The sample mean of n targets around a constant c has variance sigma^2 / n and no bias.
    n, sigma, S = 25, 2.0, 3000
    res = bias_variance_decomposition(MeanRegressor, lambda Z: np.full(len(Z), 4.0), sample_uniform,
                                      noise_std=sigma, x_test=x_test, n_train=n, n_sets=S, random_state=seed)
    assert res.variance == pytest.approx(sigma**2 / n, rel=6 * np.sqrt(2 / S))
    assert res.bias_squared < 25 * sigma**2 / n / S      # (5 standard errors)^2


def test_bad_input():
    x_test = np.zeros((3, 1))
    kwargs = dict(noise_std=0.1, x_test=x_test, n_train=10)
    with pytest.raises(ValueError, match="n_sets"):
        bias_variance_decomposition(LinearRegression, f_sine, sample_uniform, n_sets=1, **kwargs)
    with pytest.raises(ValueError, match="noise_std"):
        bias_variance_decomposition(LinearRegression, f_sine, sample_uniform, noise_std=-1.0, x_test=x_test,
                                    n_train=10)
    with pytest.raises(ValueError, match="n_train is required"):
        bias_variance_decomposition(LinearRegression, f_sine, sample_uniform, noise_std=0.1, x_test=x_test)
    with pytest.raises(ValueError, match="does not match"):
        bias_variance_decomposition(LinearRegression, f_sine, np.zeros((5, 1)), noise_std=0.1, x_test=x_test,
                                    n_train=6)
    with pytest.raises(ValueError, match="2D"):
        bias_variance_decomposition(LinearRegression, f_sine, sample_uniform, noise_std=0.1,
                                    x_test=np.zeros(3), n_train=10)
    with pytest.raises(ValueError, match="shape"):
        bias_variance_decomposition(LinearRegression, lambda Z: np.zeros(2), sample_uniform, **kwargs)


def _data(kind, seed, n_samples, n_features):
    if kind == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        rows = np.random.default_rng(seed).permutation(len(y))[:n_samples]
        return X[rows, :n_features], y[rows]
    X, y = make_regression(n_samples=n_samples, n_features=n_features, noise=5.0, random_state=seed)
    return X, y


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind, n_samples, n_features", [("generated", 60, 3), ("generated", 150, 8),
                                                         ("diabetes", 200, 10)])
@pytest.mark.parametrize("train_sizes", [np.linspace(0.1, 1.0, 5), np.array([5, 20, 30]),
                                         np.array([0.05, 0.06, 0.5])])
@pytest.mark.filterwarnings("ignore:Removed duplicate entries")  # both libraries warn on [0.05, 0.06]
def test_learning_curve_matches_sklearn(seed, kind, n_samples, n_features, train_sizes):
    X, y = _data(kind, seed, n_samples, n_features)
    cv = sk_model_selection.KFold(n_splits=4, shuffle=True, random_state=seed)
    splits = list(cv.split(X))
    ref_sizes, ref_train, ref_test = sk_model_selection.learning_curve(
        sk_linear_model.Ridge(alpha=0.5), X, y, train_sizes=train_sizes, cv=splits, shuffle=False)
    # our own Ridge with a list of splits, and scikit-learn's Ridge with the KFold object
    for estimator, our_cv in [(Ridge(alpha=0.5), splits), (sk_linear_model.Ridge(alpha=0.5), cv)]:
        sizes, train, test = learning_curve(estimator, X, y, train_sizes=train_sizes, cv=our_cv)
        assert_allclose(sizes, ref_sizes)
        assert_allclose(train, ref_train, rtol=1e-12, atol=1e-12)
        assert_allclose(test, ref_test, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_samples, n_features", [(50, 2), (120, 6)])
def test_validation_curve_matches_sklearn(seed, n_samples, n_features):
    X, y = _data("generated", seed, n_samples, n_features)
    cv = sk_model_selection.KFold(n_splits=3, shuffle=True, random_state=seed)
    alphas = np.logspace(-3, 3, 7)
    ref_train, ref_test = sk_model_selection.validation_curve(
        sk_linear_model.Ridge(), X, y, param_name="alpha", param_range=alphas, cv=cv)
    train, test = validation_curve(Ridge(), X, y, param_name="alpha", param_range=alphas, cv=cv)
    assert_allclose(train, ref_train, rtol=1e-12, atol=1e-12)
    assert_allclose(test, ref_test, rtol=1e-12, atol=1e-12)
    # k-NN with a custom scorer (negative MSE), scikit-learn's estimator on both sides
    ks = [1, 3, 9]
    ref_train, ref_test = sk_model_selection.validation_curve(
        KNeighborsRegressor(), X, y, param_name="n_neighbors", param_range=ks, cv=cv,
        scoring="neg_mean_squared_error")

    def neg_mse(model, Xs, ys):
        return -np.mean((ys - model.predict(Xs)) ** 2)

    train, test = validation_curve(KNeighborsRegressor(), X, y, param_name="n_neighbors", param_range=ks,
                                   cv=cv, scoring=neg_mse)
    assert_allclose(train, ref_train, rtol=1e-12, atol=1e-12)
    assert_allclose(test, ref_test, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("train_sizes", [np.array([0.0, 0.5]), np.array([0.5, 1.1]), np.array([0, 10]),
                                         np.array([5, 1000])])
def test_learning_curve_bad_train_sizes(train_sizes):
    X, y = _data("generated", 0, 40, 2)
    cv = sk_model_selection.KFold(n_splits=4)
    with pytest.raises(ValueError, match="train_sizes"):
        learning_curve(Ridge(), X, y, train_sizes=train_sizes, cv=cv)
    with pytest.raises(ValueError):   # scikit-learn rejects the same sizes
        sk_model_selection.learning_curve(sk_linear_model.Ridge(), X, y, train_sizes=train_sizes, cv=cv)


def test_duplicate_train_sizes_warn_like_sklearn():
    X, y = _data("generated", 0, 40, 2)
    cv = sk_model_selection.KFold(n_splits=4)
    sizes = np.array([0.07, 0.08, 0.5])          # 30 training samples: floor gives 2, 2, 15
    with pytest.warns(RuntimeWarning, match="duplicate"):
        ours = learning_curve(Ridge(), X, y, train_sizes=sizes, cv=cv)[0]
    with pytest.warns(RuntimeWarning, match="duplicate"):
        ref = sk_model_selection.learning_curve(sk_linear_model.Ridge(), X, y, train_sizes=sizes, cv=cv)[0]
    assert_allclose(ours, ref)


def test_curves_bad_input():
    X, y = _data("generated", 0, 40, 2)
    with pytest.raises(ValueError, match="inconsistent"):
        learning_curve(Ridge(), X, y[:-1], cv=3)
    with pytest.raises(ValueError, match="inconsistent"):
        validation_curve(Ridge(), X, y[:-1], param_name="alpha", param_range=[1.0], cv=3)
    with pytest.raises(ValueError, match="no parameter"):
        validation_curve(Ridge(), X, y, param_name="gamma", param_range=[1.0], cv=3)
