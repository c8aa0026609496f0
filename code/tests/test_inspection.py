"""Permutation importance, exact Shapley values and RFE against scikit-learn and closed forms."""

from math import comb, factorial

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.feature_selection import RFE as SkRFE
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

from groundml import NotFittedError
from groundml.inspection import RFE, permutation_importance, shapley_values, shapley_values_by_permutations

SEEDS = range(5)


def make_linear(seed, n_samples, n_features, zero_features=(0,)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * rng.uniform(0.5, 2.0, n_features)
    w = rng.normal(size=n_features)
    w[list(zero_features)] = 0.0
    y = X @ w + 0.3 * rng.normal(size=n_samples)
    return X, y, w


class FixedLinear:
    """A 'fitted' linear model with known weights: deterministic, and w_j = 0 means ignored."""

    def __init__(self, w, b=0.0):
        self.w, self.b = np.asarray(w, dtype=float), b

    def predict(self, X):
        return X @ self.w + self.b

    def score(self, X, y):
        residual = y - self.predict(X)
        return 1 - residual @ residual / ((y - y.mean()) ** 2).sum()


# ---------------------------------------------------------------- permutation importance


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(30, 2), (100, 4), (60, 6)])
def test_permutation_importance_equals_explicit_loop(seed, shape):
    X, y, w = make_linear(seed, *shape)
    model = FixedLinear(w)
    result = permutation_importance(model, X, y, n_repeats=7, random_state=seed)
    # the documented order: one generator, feature by feature, repeat by repeat
    rng = np.random.default_rng(seed)
    base = model.score(X, y)
    expected = np.empty((shape[1], 7))
    for j in range(shape[1]):
        for r in range(7):
            Xp = X.copy()
            Xp[:, j] = X[rng.permutation(shape[0]), j]
            expected[j, r] = base - model.score(Xp, y)
    assert_array_equal(result.importances, expected)
    assert_array_equal(result["importances_mean"], expected.mean(axis=1))
    assert_allclose(result.importances_std, expected.std(axis=1), rtol=1e-12)
    assert result.importances.shape == (shape[1], 7)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(200, 3), (300, 5)])
def test_permutation_importance_means_agree_with_sklearn(seed, shape):
    # sklearn draws its permutations from its own RandomState, so single draws differ;
    # both means estimate the same expectation over permutations. With 150 repeats, the
    # gap must be within 5 standard errors of the difference of the two means.
    X, y, w = make_linear(seed, *shape)
    model = LinearRegression().fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=150, random_state=seed)
    ref = sk_permutation_importance(model, X, y, n_repeats=150, random_state=seed)
    se = np.sqrt((ours.importances_std ** 2 + ref.importances_std ** 2) / 150)
    assert np.all(np.abs(ours.importances_mean - ref.importances_mean) <= 5 * se + 1e-12)
    assert ref.importances.shape == ours.importances.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_permutation_importance_zero_for_ignored_feature(seed):
    X, y, w = make_linear(seed, 80, 4, zero_features=(1,))
    result = permutation_importance(FixedLinear(w), X, y, n_repeats=10, random_state=seed)
    assert_array_equal(result.importances[1], 0.0)      # predictions do not change at all
    assert np.all(result.importances_mean[[0, 2, 3]][w[[0, 2, 3]] != 0] > 0)


def test_permutation_importance_custom_scorer_and_classifier():
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, :5]
    model = LogisticRegression(max_iter=5000).fit(X, y)

    def accuracy(est, X_, y_):
        return np.mean(est.predict(X_) == y_)

    ours = permutation_importance(model, X, y, scoring=accuracy, n_repeats=100, random_state=0)
    ref = sk_permutation_importance(model, X, y, scoring="accuracy", n_repeats=100, random_state=0)
    se = np.sqrt((ours.importances_std ** 2 + ref.importances_std ** 2) / 100)
    assert np.all(np.abs(ours.importances_mean - ref.importances_mean) <= 5 * se + 1e-12)


def test_permutation_importance_bad_input():
    X, y, w = make_linear(0, 20, 3)
    with pytest.raises(ValueError):
        permutation_importance(FixedLinear(w), X, y[:-1])
    with pytest.raises(ValueError):
        sk_permutation_importance(LinearRegression().fit(X, y), X, y[:-1])
    with pytest.raises(ValueError):
        permutation_importance(FixedLinear(w), X, y, n_repeats=0)
    with pytest.raises(ValueError):
        permutation_importance(FixedLinear(w), np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError):
        permutation_importance(FixedLinear(w), X, y, scoring="r2")


# ---------------------------------------------------------------- Shapley values


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_features", [1, 2, 4, 7])
def test_shapley_linear_closed_form_and_efficiency(seed, n_features):
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=n_features), rng.normal()
    background = rng.normal(size=(25, n_features)) + rng.normal(size=n_features)
    X = rng.normal(size=(6, n_features))

    def f(Z):
        return Z @ w + b

    phi = shapley_values(f, X, background)
    assert_allclose(phi, w * (X - background.mean(axis=0)), rtol=1e-10, atol=1e-12)
    assert_allclose(phi.sum(axis=1), f(X) - f(background).mean(), rtol=1e-10, atol=1e-12)


def nonlinear(Z):
    """Interactions, a threshold and a product: no closed form for its Shapley values."""
    return np.sin(Z[:, 0]) * Z[:, 1] + (Z[:, 2] > 0.3) * Z[:, 0] ** 2 + 0.5 * Z[:, -1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_features", [3, 4, 5])
def test_shapley_matches_permutation_definition_and_axioms(seed, n_features):
    rng = np.random.default_rng(seed)
    background = rng.normal(size=(15, n_features))
    x = rng.normal(size=n_features)
    phi = shapley_values(nonlinear, x, background)
    # the same values from the other definition: average over all d! orderings
    assert_allclose(phi, shapley_values_by_permutations(nonlinear, x, background), rtol=1e-10, atol=1e-12)
    # efficiency
    assert phi.sum() == pytest.approx(nonlinear(x[None])[0] - nonlinear(background).mean(), rel=1e-10)
    # dummy: features 3 .. d-2 are not used by the model
    assert_allclose(phi[3:n_features - 1], 0.0, atol=1e-12)
    # linearity: phi(f + 2g) = phi(f) + 2 phi(g)
    def g(Z):
        return Z[:, 0] * Z[:, 1]
    both = shapley_values(lambda Z: nonlinear(Z) + 2 * g(Z), x, background)
    assert_allclose(both, phi + 2 * shapley_values(g, x, background), rtol=1e-10, atol=1e-12)


def test_shapley_product_by_hand_and_symmetry():
    # f = x1 x2 with one background point b: phi_1 = (x1 - b1)(x2 + b2) / 2 (computed by hand)
    x, b = np.array([2.0, 3.0]), np.array([[0.5, -1.0]])
    phi = shapley_values(lambda Z: Z[:, 0] * Z[:, 1], x, b)
    assert_allclose(phi, [(2 - 0.5) * (3 - 1.0) / 2, (3 + 1.0) * (2 + 0.5) / 2], rtol=1e-12)
    # symmetry: f symmetric in its two features, x and the background symmetric too
    x_s, b_s = np.array([1.5, 1.5, -0.2]), np.array([[0.3, 0.3, 1.0], [-2.0, -2.0, 0.4]])
    phi_s = shapley_values(lambda Z: Z[:, 0] * Z[:, 1] + Z[:, 2], x_s, b_s)
    assert phi_s[0] == pytest.approx(phi_s[1], rel=1e-12)


def test_shapley_weights_sum_to_one():
    # the Shapley weights over coalitions not containing j sum to 1, so a feature that
    # adds the constant c to every coalition gets phi = c
    for d in range(1, 9):
        total = sum(comb(d - 1, s) * factorial(s) * factorial(d - s - 1) / factorial(d) for s in range(d))
        assert total == pytest.approx(1.0, rel=1e-12)
        background = np.zeros((1, d))
        phi = shapley_values(lambda Z: 3.0 * Z[:, 0], np.ones(d), background)
        assert phi[0] == pytest.approx(3.0, rel=1e-12)


def test_shapley_bad_input():
    f = lambda Z: Z.sum(axis=1)  # noqa: E731
    with pytest.raises(ValueError):
        shapley_values(f, np.ones(3), np.ones((4, 2)))
    with pytest.raises(ValueError):
        shapley_values(f, np.ones(20), np.ones((4, 20)))
    with pytest.raises(ValueError):
        shapley_values(f, np.array([1.0, np.nan]), np.ones((4, 2)))


# ---------------------------------------------------------------- RFE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_select, step", [(1, 1), (3, 1), (3, 2), (4, 0.25), (None, 1)])
def test_rfe_ranking_matches_sklearn_linear(seed, n_select, step):
    X, y, _ = make_linear(seed, 120, 9, zero_features=(0, 5))
    ours = RFE(Ridge(alpha=1.0), n_features_to_select=n_select, step=step).fit(X, y)
    ref = SkRFE(Ridge(alpha=1.0), n_features_to_select=n_select, step=step).fit(X, y)
    assert_array_equal(ours.ranking_, ref.ranking_)
    assert_array_equal(ours.support_, ref.support_)
    assert ours.n_features_ == ref.n_features_
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10)


def test_rfe_diabetes_and_multiclass_and_trees():
    X, y = load_diabetes(return_X_y=True)
    assert_array_equal(RFE(LinearRegression(), n_features_to_select=2).fit(X, y).ranking_,
                       SkRFE(LinearRegression(), n_features_to_select=2).fit(X, y).ranking_)
    Xc, yc = make_classification(n_samples=200, n_features=8, n_informative=4, n_classes=3,
                                 random_state=0)
    logistic = LogisticRegression(max_iter=2000)          # 2D coef_: importances summed over classes
    assert_array_equal(RFE(logistic, n_features_to_select=3).fit(Xc, yc).ranking_,
                       SkRFE(logistic, n_features_to_select=3).fit(Xc, yc).ranking_)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0)
    assert_array_equal(RFE(tree, n_features_to_select=4, step=2).fit(Xc, yc).ranking_,
                       SkRFE(tree, n_features_to_select=4, step=2).fit(Xc, yc).ranking_)


def test_rfe_bad_input():
    X, y, _ = make_linear(0, 30, 4)
    with pytest.raises(NotFittedError):
        RFE(Ridge()).transform(X)
    with pytest.raises(ValueError):
        RFE(Ridge(), n_features_to_select=0).fit(X, y)
    with pytest.raises(ValueError):
        RFE(Ridge(), step=0).fit(X, y)
    with pytest.raises(ValueError):
        SkRFE(Ridge(), step=0).fit(X, y)
    with pytest.raises(ValueError):
        RFE(Ridge()).fit(X, y[:-1])
    with pytest.raises(ValueError):
        SkRFE(Ridge()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="features"):
        RFE(Ridge()).fit(X, y).transform(X[:, :3])
    with pytest.raises(ValueError):
        SkRFE(Ridge()).fit(X, y).transform(X[:, :3])
