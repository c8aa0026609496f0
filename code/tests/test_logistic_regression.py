"""LogisticRegression (binary and softmax) against scikit-learn and finite differences."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk_linear_model
from sklearn.datasets import load_breast_cancer, load_iris, load_wine, make_classification
from sklearn.preprocessing import StandardScaler

from groundml import NotFittedError
from groundml.gradcheck import numerical_gradient
from groundml.linear_model import (
    ConvergenceWarning,
    LogisticRegression,
    _binary_objective,
    _multinomial_objective,
)

SEEDS = range(5)
SHAPES = [(80, 3), (200, 10), (60, 25)]                  # (n_samples, n_features)
C_VALUES = [0.1, 1.0, 10.0]
# scikit-learn's default L-BFGS stops on a relative change of the objective of about
# 1e-14, which leaves coefficients accurate to about 1e-6 relative; its Newton-Cholesky
# solver converges quadratically, like ours, and agrees to about 1e-8.
LBFGS = {"tol": 1e-10, "max_iter": 10_000}
NEWTON = {"tol": 1e-10, "max_iter": 1000, "solver": "newton-cholesky"}


def classification_data(seed, n_samples, n_features, n_classes):
    X, y = make_classification(n_samples=n_samples, n_features=n_features,
                               n_informative=min(n_features, 3), n_redundant=0,
                               n_classes=n_classes, n_clusters_per_class=1, flip_y=0.1,
                               random_state=seed)
    return X * 2.0 + 1.0, y


def standardised(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def assert_same_model(ours, ref, X, rtol):
    scale = np.max(np.abs(ref.coef_))
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape
    assert_allclose(ours.coef_, ref.coef_, atol=rtol * scale)
    assert_allclose(ours.intercept_, ref.intercept_, atol=rtol * max(scale, 1.0))
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=10 * rtol)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=rtol * 100 * max(scale, 1.0))
    assert np.array_equal(ours.classes_, ref.classes_)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("n_classes", [2, 3, 4])
@pytest.mark.parametrize("C", C_VALUES)
def test_matches_sklearn_on_generated_data(seed, shape, n_classes, C):
    X, y = classification_data(seed, *shape, n_classes)
    ours = LogisticRegression(C=C, tol=1e-10).fit(X, y)
    assert_same_model(ours, sk_linear_model.LogisticRegression(C=C, **NEWTON).fit(X, y), X, 1e-7)
    if C == 1.0:   # the default solver too (slower); its L-BFGS stops earlier on some of these
        assert_same_model(ours, sk_linear_model.LogisticRegression(C=C, **LBFGS).fit(X, y), X, 1e-4)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris, load_wine])
@pytest.mark.parametrize("C", C_VALUES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn_on_bundled_data(loader, C, fit_intercept):
    X, y = standardised(loader)
    ours = LogisticRegression(C=C, fit_intercept=fit_intercept, tol=1e-10).fit(X, y)
    for options, rtol in [(NEWTON, 1e-7), (LBFGS, 1e-5)]:
        ref = sk_linear_model.LogisticRegression(C=C, fit_intercept=fit_intercept, **options).fit(X, y)
        assert_same_model(ours, ref, X, rtol)
        assert ours.score(X, y) == pytest.approx(ref.score(X, y))


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_default_tolerance_stops_at_a_small_gradient(loader):
    """tol bounds the gradient of the mean objective, as scikit-learn's does."""
    X, y = standardised(loader)
    model = LogisticRegression().fit(X, y)
    design = np.column_stack([X, np.ones(len(X))])
    W = np.column_stack([model.coef_, model.intercept_])
    mask = np.r_[np.ones(X.shape[1]), 0.0]
    if len(model.classes_) == 2:
        _, grad, _ = _binary_objective(W.ravel(), design, y.astype(float), 1.0, mask)
    else:
        _, grad, _ = _multinomial_objective(W.ravel(), design, np.eye(3)[y], 1.0, mask)
    assert np.max(np.abs(grad)) / len(y) <= 1e-4
    ref = sk_linear_model.LogisticRegression(**NEWTON).fit(X, y)
    assert_allclose(model.predict_proba(X), ref.predict_proba(X), atol=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_classes", [3, 5])
def test_softmax_weights_sum_to_zero_over_classes(seed, n_classes):
    """With an L2 penalty the symmetric softmax has a unique minimum, whose class weight
    vectors sum to zero; the unpenalised intercepts are chosen to sum to zero too."""
    X, y = classification_data(seed, 150, 6, n_classes)
    model = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-10)
    assert_allclose(model.intercept_.sum(), 0.0, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_probabilities_are_consistent(seed, fit_intercept):
    for n_classes in (2, 3):
        X, y = classification_data(seed, 100, 4, n_classes)
        model = LogisticRegression(fit_intercept=fit_intercept).fit(X, y)
        proba = model.predict_proba(X)
        assert proba.shape == (100, n_classes)
        assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
        assert np.array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_and_hessian_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(30, 3)), np.ones(30)])
    mask = np.array([1.0, 1.0, 1.0, 0.0])
    y = rng.integers(0, 2, size=30).astype(float)
    theta = rng.normal(size=4)
    f = lambda t: _binary_objective(t, X, y, 0.7, mask, hessian=False)  # noqa: E731
    _, grad, hess = _binary_objective(theta, X, y, 0.7, mask)
    assert_allclose(grad, numerical_gradient(f, theta), rtol=1e-6, atol=1e-6)
    g = lambda t: _binary_objective(t, X, y, 0.7, mask)[1]  # noqa: E731
    numeric_hess = np.array([numerical_gradient(lambda t, i=i: g(t)[i], theta) for i in range(4)])
    assert_allclose(hess, numeric_hess, rtol=1e-5, atol=1e-5)

    Y = np.eye(3)[rng.integers(0, 3, size=30)]
    theta = rng.normal(size=12)
    f = lambda t: _multinomial_objective(t, X, Y, 0.7, mask, hessian=False)  # noqa: E731
    _, grad, hess = _multinomial_objective(theta, X, Y, 0.7, mask)
    assert_allclose(grad, numerical_gradient(f, theta), rtol=1e-6, atol=1e-6)
    g = lambda t: _multinomial_objective(t, X, Y, 0.7, mask)[1]  # noqa: E731
    numeric_hess = np.array([numerical_gradient(lambda t, i=i: g(t)[i], theta) for i in range(12)])
    assert_allclose(hess, numeric_hess, rtol=1e-5, atol=1e-5)
    assert np.linalg.eigvalsh(hess).min() > -1e-10      # convex: the Hessian is PSD


def test_string_labels_round_trip():
    X, y = standardised(load_iris)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression().fit(X, names)
    ref = sk_linear_model.LogisticRegression().fit(X, names)
    assert np.array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    assert model.predict(X).dtype == names.dtype
    assert np.array_equal(model.predict(X), ref.predict(X))
    assert model.score(X, names) == pytest.approx(ref.score(X, names))
    binary = LogisticRegression().fit(X[:100], np.where(y[:100] == 0, "no", "yes"))
    assert set(binary.predict(X[:100])) == {"no", "yes"}


def test_unpenalised_fit_diverges_on_separable_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)             # linearly separable
    norms = []
    for max_iter in (5, 10, 20):
        with pytest.warns(ConvergenceWarning):              # tol=0: run until max_iter
            model = LogisticRegression(C=np.inf, max_iter=max_iter, tol=0.0).fit(X, y)
        norms.append(np.linalg.norm(model.coef_))
    assert norms[0] < norms[1] < norms[2] and norms[2] > 50
    assert model.score(X, y) == 1.0
    # with a penalty the minimum exists and is found
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(C=1.0).fit(X, y)


def test_unpenalised_fit_on_overlapping_data_matches_sklearn():
    X, y = standardised(load_breast_cancer)
    X = X[:, :4]                                         # 4 features: classes overlap, MLE exists
    ours = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    ref = sk_linear_model.LogisticRegression(C=np.inf, **NEWTON).fit(X, y)
    assert_same_model(ours, ref, X, 1e-6)


# ---- bad input ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones(4), [0, 1, 0, 1], "Expected a 2D array for X, got a 1D array"),
        (np.ones((4, 2, 2)), [0, 1, 0, 1], "Expected a 2D array for X, got a 3D array"),
        (np.ones((4, 2)), [0, 1, 0], "inconsistent numbers of samples"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), [0, 1], "X contains NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), [0, 1], "X contains infinity"),
        (np.ones((4, 2)), [1, 1, 1, 1], "only one class"),
        (np.ones((4, 2)), [0.5, 1.2, 0.1, 3.3], "continuous"),
        (np.ones((2, 2)), [0.0, np.nan], "NaN"),
    ],
)
def test_bad_input_is_rejected_like_sklearn(X, y, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(X, y)
    with pytest.raises(ValueError):
        sk_linear_model.LogisticRegression().fit(X, y)


def test_predict_checks():
    X, y = standardised(load_iris)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(LogisticRegression(), method)(X)
    model, ref = LogisticRegression().fit(X, y), sk_linear_model.LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression was fitted with 4"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError):
        ref.predict(X[:, :3])


@pytest.mark.parametrize("params", [{"C": 0.0}, {"C": -1.0}, {"max_iter": -1}, {"tol": -1.0}])
def test_bad_parameters_raise_at_fit(params):
    X, y = standardised(load_iris)
    with pytest.raises(ValueError):
        LogisticRegression(**params).fit(X, y)
    with pytest.raises(ValueError):
        sk_linear_model.LogisticRegression(**params).fit(X, y)


def test_init_only_stores_and_fit_returns_self():
    assert vars(LogisticRegression(C=2.0)) == {"C": 2.0, "fit_intercept": True, "max_iter": 100, "tol": 1e-4}
    X, y = standardised(load_iris)
    model = LogisticRegression()
    assert model.fit(X, y) is model
