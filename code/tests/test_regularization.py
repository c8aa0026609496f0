"""Ridge, Lasso, ElasticNet and lasso_path against scikit-learn, plus optimality checks."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear_model
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

from groundml import NotFittedError
from groundml.linear_model import ConvergenceWarning, ElasticNet, Lasso, Ridge, lasso_path, soft_threshold

SEEDS = range(5)
# (n_samples, n_features, n_targets): n > p, n close to p, n < p (ridge's dual form), several targets
RIDGE_SHAPES = [(50, 5, None), (40, 30, None), (30, 60, None), (100, 8, 3)]
SPARSE_SHAPES = [(60, 5), (100, 20), (40, 80)]
CD_OPTIONS = {"tol": 1e-12, "max_iter": 100_000}      # run both coordinate descents to convergence


def regression_data(seed, n_samples, n_features, n_targets=None):
    """make_regression with shifted, rescaled columns, so centring and scaling matter."""
    X, y = make_regression(n_samples=n_samples, n_features=n_features, n_targets=n_targets or 1,
                           n_informative=min(n_features, 5), noise=5.0, random_state=seed)
    rng = np.random.default_rng(seed)
    X = X * rng.uniform(0.5, 3.0, size=n_features) + rng.normal(0, 3, size=n_features)
    return X, (y + 7.0)


def relative_tolerance(reference, rtol):
    """Absolute tolerance rtol * max|reference|, for comparing coefficient vectors."""
    return rtol * max(np.max(np.abs(reference)), 1e-12)


# ---- Ridge --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", RIDGE_SHAPES)
@pytest.mark.parametrize("alpha", [0.1, 10.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn(seed, shape, alpha, fit_intercept):
    X, y = regression_data(seed, *shape)
    ours = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ref = sk_linear_model.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=relative_tolerance(ref.coef_, 1e-8))
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-8)
    X_new = regression_data(seed + 100, 7, shape[1])[0]
    assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-8, atol=1e-6)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-10)


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 1.0, 100.0])
def test_ridge_matches_sklearn_on_diabetes(alpha):
    X, y = load_diabetes(return_X_y=True)
    ours, ref = Ridge(alpha=alpha).fit(X, y), sk_linear_model.Ridge(alpha=alpha).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_zero_alpha_is_least_squares_and_gradient_vanishes(seed):
    X, y = regression_data(seed, 50, 6)
    ols = sk_linear_model.LinearRegression().fit(X, y)
    assert_allclose(Ridge(alpha=0.0).fit(X, y).coef_, ols.coef_, rtol=1e-8)
    model = Ridge(alpha=3.0).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    # stationarity of ||yc - Xc w||^2 + alpha ||w||^2: -2 Xc^T r + 2 alpha w = 0
    grad = -Xc.T @ (yc - Xc @ model.coef_) + 3.0 * model.coef_
    assert np.max(np.abs(grad)) < 1e-8 * np.max(np.abs(Xc.T @ yc))


# ---- Lasso and ElasticNet -----------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SPARSE_SHAPES)
@pytest.mark.parametrize("alpha", [0.5, 5.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lasso_matches_sklearn(seed, shape, alpha, fit_intercept):
    X, y = regression_data(seed, *shape)
    ours = Lasso(alpha=alpha, fit_intercept=fit_intercept, **CD_OPTIONS).fit(X, y)
    with warnings.catch_warnings():                    # p > n, tiny alpha: sklearn may warn
        warnings.simplefilter("ignore", SkConvergenceWarning)
        ref = sk_linear_model.Lasso(alpha=alpha, fit_intercept=fit_intercept, **CD_OPTIONS).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=relative_tolerance(ref.coef_, 1e-5))
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5, abs=1e-5)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-5, atol=1e-5 * np.abs(y).max())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SPARSE_SHAPES)
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
def test_elastic_net_matches_sklearn(seed, shape, l1_ratio):
    X, y = regression_data(seed, *shape)
    ours = ElasticNet(alpha=0.5, l1_ratio=l1_ratio, **CD_OPTIONS).fit(X, y)
    ref = sk_linear_model.ElasticNet(alpha=0.5, l1_ratio=l1_ratio, **CD_OPTIONS).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, atol=relative_tolerance(ref.coef_, 1e-5))
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5, abs=1e-5)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0, 10.0])
def test_lasso_and_elastic_net_match_sklearn_on_diabetes(alpha):
    X, y = load_diabetes(return_X_y=True)
    for ours, ref in [(Lasso(alpha=alpha, **CD_OPTIONS), sk_linear_model.Lasso(alpha=alpha, **CD_OPTIONS)),
                      (ElasticNet(alpha=alpha / 100, **CD_OPTIONS),
                       sk_linear_model.ElasticNet(alpha=alpha / 100, **CD_OPTIONS))]:
        ours.fit(X, y)
        ref.fit(X, y)
        assert_allclose(ours.coef_, ref.coef_, atol=relative_tolerance(ref.coef_, 1e-5))
        assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)   # the same features selected
        assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SPARSE_SHAPES)
def test_lasso_solution_satisfies_the_subgradient_conditions(seed, shape):
    """KKT: x_j^T r / n = alpha sign(w_j) if w_j != 0, and |x_j^T r| / n <= alpha if w_j = 0."""
    X, y = regression_data(seed, *shape)
    alpha = 1.0
    model = Lasso(alpha=alpha, **CD_OPTIONS).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    correlation = Xc.T @ (yc - Xc @ model.coef_) / len(y)   # (n_features,)
    nonzero = model.coef_ != 0
    scale = alpha * 1e-6
    assert_allclose(correlation[nonzero], alpha * np.sign(model.coef_[nonzero]), atol=scale)
    assert np.all(np.abs(correlation[~nonzero]) <= alpha + scale)
    assert model.dual_gap_ <= 1e-12 * (yc @ yc)


def test_lasso_alpha_max_gives_all_zero_coefficients():
    X, y = load_diabetes(return_X_y=True)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alpha_max = np.max(np.abs(Xc.T @ yc)) / len(y)
    assert np.all(Lasso(alpha=alpha_max * 1.001).fit(X, y).coef_ == 0)
    assert np.count_nonzero(Lasso(alpha=alpha_max * 0.9).fit(X, y).coef_) >= 1
    assert np.all(sk_linear_model.Lasso(alpha=alpha_max * 1.001).fit(X, y).coef_ == 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_lasso_path_matches_sklearn(seed):
    X, y = regression_data(seed, 80, 12)
    Xc, yc = X - X.mean(axis=0), y - y.mean()           # both paths fit no intercept
    alphas, coefs = lasso_path(Xc, yc, n_alphas=20, tol=1e-12, max_iter=100_000)
    ref_alphas, ref_coefs, _ = sk_linear_model.lasso_path(Xc, yc, alphas=20, tol=1e-12, max_iter=100_000)
    assert_allclose(alphas, ref_alphas, rtol=1e-12)
    assert_allclose(coefs, ref_coefs, atol=relative_tolerance(ref_coefs, 1e-5))
    # the first alpha is alpha_max: zero up to round-off in the comparison |x_j^T y| > n alpha
    assert np.abs(coefs[:, 0]).max() <= 1e-10 * np.abs(coefs).max()


@pytest.mark.parametrize("seed", SEEDS)
def test_soft_threshold_is_the_proximal_minimiser(seed):
    rng = np.random.default_rng(seed)
    z, t = rng.normal(scale=2, size=7), abs(rng.normal())
    grid = np.linspace(-8, 8, 160_001)                   # spacing 1e-4
    objective = 0.5 * (grid[None, :] - z[:, None]) ** 2 + t * np.abs(grid[None, :])
    assert_allclose(soft_threshold(z, t), grid[objective.argmin(axis=1)], atol=1e-4)


def test_elastic_net_limits():
    X, y = load_diabetes(return_X_y=True)
    lasso = Lasso(alpha=0.3, **CD_OPTIONS).fit(X, y)
    as_enet = ElasticNet(alpha=0.3, l1_ratio=1.0, **CD_OPTIONS).fit(X, y)
    assert_allclose(as_enet.coef_, lasso.coef_, atol=1e-10 * np.abs(lasso.coef_).max())
    # l1_ratio = 0: the ridge with sklearn's scaling, alpha_ridge = n * alpha
    enet = ElasticNet(alpha=0.1, l1_ratio=0.0, **CD_OPTIONS).fit(X, y)
    ridge = Ridge(alpha=0.1 * len(y)).fit(X, y)
    assert_allclose(enet.coef_, ridge.coef_, rtol=1e-6)


def test_convergence_warning_when_max_iter_is_too_small():
    X, y = regression_data(0, 100, 20)
    with pytest.warns(ConvergenceWarning):
        Lasso(alpha=0.01, max_iter=1, tol=1e-12).fit(X, y)


# ---- bad input ----------------------------------------------------------------------

ESTIMATORS = [
    (Ridge, sk_linear_model.Ridge),
    (Lasso, sk_linear_model.Lasso),
    (ElasticNet, sk_linear_model.ElasticNet),
]


@pytest.mark.parametrize(("ours", "theirs"), ESTIMATORS)
@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones(5), np.ones(5), "Expected a 2D array for X, got a 1D array"),
        (np.ones((5, 2, 2)), np.ones(5), "Expected a 2D array for X, got a 3D array"),
        (np.ones((5, 2)), np.ones(4), "inconsistent numbers of samples"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), np.ones(2), "X contains NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), np.ones(2), "X contains infinity"),
        (np.ones((2, 2)), np.array([1.0, np.inf]), "y contains infinity"),
    ],
)
def test_bad_input_is_rejected_like_sklearn(ours, theirs, X, y, message):
    with pytest.raises(ValueError, match=message):
        ours().fit(X, y)
    with pytest.raises(ValueError):
        theirs().fit(X, y)


@pytest.mark.parametrize(("ours", "theirs"), ESTIMATORS)
def test_predict_checks(ours, theirs):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        ours().predict(np.ones((2, 3)))
    X, y = regression_data(0, 30, 3)
    model, ref = ours().fit(X, y), theirs().fit(X, y)
    with pytest.raises(ValueError, match=f"X has 2 features, but {ours.__name__} was fitted with 3"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError):
        ref.predict(X[:, :2])


@pytest.mark.parametrize(
    ("ours", "theirs", "params"),
    [
        (Ridge, sk_linear_model.Ridge, {"alpha": -1.0}),
        (Lasso, sk_linear_model.Lasso, {"alpha": -1.0}),
        (ElasticNet, sk_linear_model.ElasticNet, {"l1_ratio": 1.5}),
        (Lasso, sk_linear_model.Lasso, {"max_iter": 0}),
    ],
)
def test_bad_parameters_raise_at_fit(ours, theirs, params):
    X, y = regression_data(0, 20, 3)
    with pytest.raises(ValueError):
        ours(**params).fit(X, y)
    with pytest.raises(ValueError):
        theirs(**params).fit(X, y)


def test_init_only_stores_and_fit_returns_self():
    assert vars(Lasso(alpha=0.5, max_iter=7)) == {"alpha": 0.5, "fit_intercept": True, "max_iter": 7,
                                                  "tol": 1e-4}
    assert vars(Ridge()) == {"alpha": 1.0, "fit_intercept": True}
    X, y = regression_data(0, 20, 3)
    for model in (Ridge(), Lasso(), ElasticNet()):
        assert model.fit(X, y) is model
