"""LinearRegression against scikit-learn, and its gradient against finite differences."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear_model
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score as sk_r2_score

from groundml import LinearRegression, NotFittedError, r2_score
from groundml.linear_model import ConvergenceWarning, squared_loss

SEEDS = range(5)
# (n_samples, n_features, n_targets); n_targets=None means a 1-D y
SHAPES = [(50, 1, None), (200, 5, None), (30, 29, None), (100, 8, 3)]


def make_regression_data(seed, n_samples, n_features, n_targets=None, noise=0.5):
    """Correlated features with non-zero means, so centring and the intercept matter.

    The features are rotated and scaled by singular values between 1 and 4, so the
    population covariance has condition number at most 16.
    """
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))
    mixing = rotation * np.linspace(1.0, 4.0, n_features)
    X = rng.normal(size=(n_samples, n_features)) @ mixing + rng.normal(3.0, 2.0, size=n_features)
    shape = (n_features,) if n_targets is None else (n_features, n_targets)
    w = rng.normal(size=shape)
    y = X @ w + rng.normal(-1.0, 1.0) + noise * rng.normal(size=(n_samples,) + shape[1:])
    return X, y


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver", ["lstsq", "normal"])
def test_closed_form_matches_sklearn(seed, shape, fit_intercept, solver):
    X, y = make_regression_data(seed, *shape)
    ours = LinearRegression(fit_intercept=fit_intercept, solver=solver).fit(X, y)
    ref = sk_linear_model.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7, atol=1e-8)
    X_new = make_regression_data(seed + 100, 17, shape[1])[0]
    assert_allclose(ours.predict(X_new), ref.predict(X_new), rtol=1e-7, atol=1e-7)
    assert ours.n_features_in_ == ref.n_features_in_
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(50, 1, None), (200, 5, None), (100, 8, 3)])
def test_gradient_descent_matches_sklearn(seed, shape):
    X, y = make_regression_data(seed, *shape)
    ours = LinearRegression(solver="gd", tol=1e-12, max_iter=200_000).fit(X, y)
    ref = sk_linear_model.LinearRegression().fit(X, y)
    # GD stops on a relative gradient norm of 1e-12; with these condition numbers that
    # leaves the coefficients within about 1e-6 of the exact solution.
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6)
    assert ours.n_iter_ > 0


def test_diabetes_all_solvers_agree_with_sklearn():
    X, y = load_diabetes(return_X_y=True)
    ref = sk_linear_model.LinearRegression().fit(X, y)
    for solver, tol in [("lstsq", 1e-8), ("normal", 1e-6), ("gd", 1e-4)]:
        ours = LinearRegression(solver=solver, max_iter=500_000, tol=1e-13).fit(X, y)
        assert_allclose(ours.coef_, ref.coef_, rtol=tol, err_msg=solver)
        assert_allclose(ours.predict(X), ref.predict(X), rtol=tol, err_msg=solver)


@pytest.mark.parametrize("seed", SEEDS)
def test_rank_deficient_lstsq_gives_sklearns_minimum_norm_solution(seed):
    X, y = make_regression_data(seed, 40, 4)
    X = np.column_stack([X, X[:, 0] + 2 * X[:, 1]])      # fifth column is a combination
    ours = LinearRegression().fit(X, y)
    ref = sk_linear_model.LinearRegression().fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)


def test_normal_equations_refuse_a_singular_gram_matrix():
    X, y = make_regression_data(0, 40, 3)
    X = np.column_stack([X, 2 * X[:, 0]])
    with pytest.raises(np.linalg.LinAlgError, match="linearly dependent"):
        LinearRegression(solver="normal").fit(X, y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_targets", [None, 2])
def test_squared_loss_gradient_matches_finite_differences(seed, n_targets):
    X, y = make_regression_data(seed, 30, 4, n_targets)
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(4,) if n_targets is None else (4, n_targets))
    _, grad = squared_loss(X, y, w)
    eps = 1e-6
    numeric = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[idx] = eps
        numeric[idx] = (squared_loss(X, y, w + step)[0] - squared_loss(X, y, w - step)[0]) / (2 * eps)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_gd_with_step_one_over_L_decreases_the_loss_monotonically(seed):
    X, y = make_regression_data(seed, 100, 6)
    model = LinearRegression(solver="gd", max_iter=500).fit(X, y)
    steps = np.diff(model.loss_history_)
    assert np.all(steps <= 1e-12 * model.loss_history_[0])
    assert model.loss_history_[-1] < model.loss_history_[0]


def test_gd_diverges_when_the_step_exceeds_two_over_L():
    X, y = make_regression_data(0, 100, 3)
    Xc = X - X.mean(axis=0)
    lipschitz = np.linalg.eigvalsh(Xc.T @ Xc / len(X)).max()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # and no NumPy overflow warning first
        with pytest.raises(FloatingPointError, match="diverged"):
            LinearRegression(solver="gd", learning_rate=2.5 / lipschitz).fit(X, y)


def test_gd_warns_when_max_iter_is_too_small():
    X, y = make_regression_data(0, 100, 3)
    with pytest.warns(ConvergenceWarning):
        LinearRegression(solver="gd", max_iter=3).fit(X, y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_targets", [None, 3])
def test_r2_score_matches_sklearn(seed, n_targets):
    rng = np.random.default_rng(seed)
    shape = (25,) if n_targets is None else (25, n_targets)
    y_true = rng.normal(size=shape)
    y_pred = y_true + rng.normal(scale=0.7, size=shape)
    assert r2_score(y_true, y_pred) == pytest.approx(sk_r2_score(y_true, y_pred), rel=1e-12)


def test_r2_score_constant_target_follows_sklearn():
    y = np.full(5, 2.0)
    assert r2_score(y, y) == sk_r2_score(y, y) == 1.0
    assert r2_score(y, y + 1) == sk_r2_score(y, y + 1) == 0.0


# ---- bad input: a clear error, as scikit-learn gives --------------------------------

def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LinearRegression().predict(np.ones((2, 2)))


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones(5), np.ones(5), "Expected a 2D array for X, got a 1D array"),
        (np.ones((5, 2, 2)), np.ones(5), "Expected a 2D array for X, got a 3D array"),
        (np.ones((5, 2)), np.ones(4), "inconsistent numbers of samples"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), np.ones(2), "X contains NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), np.ones(2), "X contains infinity"),
        (np.ones((2, 2)), np.array([1.0, np.nan]), "y contains NaN"),
        (np.empty((0, 2)), np.empty(0), "0 samples"),
        ([["a", "b"], ["c", "d"]], [1, 2], "must be numeric"),
    ],
)
def test_bad_input_is_rejected_like_sklearn(X, y, message):
    with pytest.raises(ValueError, match=message):
        LinearRegression().fit(X, y)
    with pytest.raises(ValueError):                     # scikit-learn refuses it too
        sk_linear_model.LinearRegression().fit(X, y)


def test_predict_with_a_different_number_of_features_raises():
    X, y = make_regression_data(0, 20, 3)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LinearRegression was fitted with 3"):
        model.predict(X[:, :2])


@pytest.mark.parametrize("params", [{"solver": "cholesky"}, {"solver": "gd", "learning_rate": -1.0}])
def test_bad_parameters_raise_at_fit(params):
    X, y = make_regression_data(0, 20, 3)
    model = LinearRegression(**params)                   # __init__ only stores
    with pytest.raises(ValueError):
        model.fit(X, y)


def test_init_only_stores_and_fit_returns_self():
    model = LinearRegression(fit_intercept=False, solver="gd", learning_rate=0.1, max_iter=5, tol=1e-3)
    assert vars(model) == {"fit_intercept": False, "solver": "gd", "learning_rate": 0.1,
                           "max_iter": 5, "tol": 1e-3}
    X, y = make_regression_data(0, 20, 2)
    assert LinearRegression().fit(X, y) is not None
    fitted = LinearRegression()
    assert fitted.fit(X, y) is fitted
