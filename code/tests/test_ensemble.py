"""Random forests, AdaBoost and gradient boosting against scikit-learn's ensembles.

Deterministic ensembles (AdaBoost with exhaustive stumps, gradient boosting without
subsampling) are compared to scikit-learn prediction by prediction, on data where no two
candidate splits of a node tie (see test_tree.py: tie-breaking differs between the
libraries). Randomised ensembles draw different bootstrap samples and feature subsets
from a different random generator, so they are compared on what does not depend on the
draws: accuracy, R^2 and out-of-bag scores, averaged over seeds, within stated margins.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import ensemble as sk_ensemble
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification

from groundml import NotFittedError
from groundml.ensemble import (
    AdaBoostClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from groundml.tree import DecisionTreeClassifier, DecisionTreeRegressor

SEEDS = range(5)


def float32_exact(A):
    """scikit-learn's trees work on float32 copies of X (see test_tree.py)."""
    return np.asarray(A, dtype=np.float32).astype(float)


def make_data(seed, n_samples, n_features, n_classes=None):
    """Continuous features; a smooth regression target, or its quantile classes."""
    rng = np.random.default_rng(seed)
    X = float32_exact(rng.normal(size=(n_samples, n_features)))
    y = np.sin(2 * X[:, 0]) + X[:, -1] ** 2 + 0.3 * rng.normal(size=n_samples)
    if n_classes is not None:
        y = np.digitize(y, np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def split(X, y, n_train):
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


# ---------------------------------------------------------------- gradient boosting

# one feature (no ties between features), or three features with min_samples_leaf=5 and
# depth 2 (checked tie-free for these seeds): every tree is the same as scikit-learn's
GB_CONFIGS = [(1, {"max_depth": 3}), (1, {"max_depth": 2, "min_samples_leaf": 5}),
              (3, {"max_depth": 2, "min_samples_leaf": 5})]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_features, params", GB_CONFIGS)
@pytest.mark.parametrize("learning_rate", [0.1, 0.5])
def test_gradient_boosting_regressor_equals_sklearn(seed, n_features, params, learning_rate):
    X, y = make_data(seed, 200, n_features)
    X_test = make_data(seed + 100, 100, n_features)[0]
    ours = GradientBoostingRegressor(n_estimators=60, learning_rate=learning_rate, **params).fit(X, y)
    # scikit-learn 1.9 grows its boosting trees with the squared error (its `criterion`
    # parameter is deprecated and ignored); the Friedman MSE it used to default to ranks
    # splits identically for unweighted data anyway
    ref = sk_ensemble.GradientBoostingRegressor(n_estimators=60, learning_rate=learning_rate,
                                                random_state=seed, **params).fit(X, y)
    assert_allclose(ours.predict(X_test), ref.predict(X_test), rtol=1e-8, atol=1e-8)
    for ours_stage, ref_stage in zip(ours.staged_predict(X), ref.staged_predict(X), strict=True):
        assert_allclose(ours_stage, ref_stage, rtol=1e-8, atol=1e-8)
    assert_allclose(ours.train_score_, ref.train_score_ / 2, rtol=1e-8)   # scikit-learn: MSE
    assert ours.score(X_test, X_test[:, 0]) == pytest.approx(ref.score(X_test, X_test[:, 0]), abs=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_features, params", GB_CONFIGS)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradient_boosting_classifier_equals_sklearn(seed, n_features, params, n_classes):
    X, y = make_data(seed, 200, n_features, n_classes)
    X_test = make_data(seed + 100, 100, n_features)[0]
    ours = GradientBoostingClassifier(n_estimators=40, **params).fit(X, y)
    ref = sk_ensemble.GradientBoostingClassifier(n_estimators=40, random_state=seed, **params).fit(X, y)
    assert_allclose(ours.predict_proba(X_test), ref.predict_proba(X_test), rtol=1e-8, atol=1e-10)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))
    if n_classes == 2:
        assert_allclose(ours.decision_function(X_test), ref.decision_function(X_test), rtol=1e-8, atol=1e-8)
    assert ours.estimators_.shape == ref.estimators_.shape


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_boosting_bundled_and_subsampled(seed):
    # diabetes has ties and subsampling draws different rows, so compare the test R^2:
    # both fit the same model class by the same algorithm, so it should be close
    X, y = load_diabetes(return_X_y=True)
    perm = np.random.default_rng(seed).permutation(len(y))
    X_tr, X_te, y_tr, y_te = split(X[perm], y[perm], 300)
    for subsample in (1.0, 0.5):
        params = {"n_estimators": 100, "learning_rate": 0.05, "max_depth": 2, "subsample": subsample}
        ours = GradientBoostingRegressor(random_state=seed, **params).fit(X_tr, y_tr)
        ref = sk_ensemble.GradientBoostingRegressor(random_state=seed, **params).fit(X_tr, y_tr)
        assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) < 0.06, subsample


def test_gradient_boosting_classifier_string_labels_and_subsample():
    X, y = load_breast_cancer(return_X_y=True)
    labels = np.array(["benign", "malignant"])[1 - y]
    X_tr, X_te, y_tr, y_te = split(X, labels, 400)
    ours = GradientBoostingClassifier(n_estimators=50, subsample=0.7, random_state=0).fit(X_tr, y_tr)
    ref = sk_ensemble.GradientBoostingClassifier(n_estimators=50, subsample=0.7, random_state=0)
    ref.fit(X_tr, y_tr)
    assert_array_equal(ours.classes_, ref.classes_)
    assert abs(ours.score(X_te, y_te) - ref.score(X_te, y_te)) < 0.04
    assert_allclose(ours.predict_proba(X_te).sum(axis=1), 1.0)


# ---------------------------------------------------------------- AdaBoost

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(200, 1, 2), (200, 3, 2), (300, 4, 3)])
@pytest.mark.parametrize("learning_rate", [1.0, 0.5])
def test_adaboost_equals_sklearn(seed, shape, learning_rate):
    n_samples, n_features, n_classes = shape
    X, y = make_data(seed, n_samples, n_features, n_classes)
    X_test = make_data(seed + 100, 100, n_features)[0]
    ours = AdaBoostClassifier(n_estimators=40, learning_rate=learning_rate).fit(X, y)
    # scikit-learn 1.9 has only the SAMME algorithm (its `algorithm` parameter is gone);
    # its default base estimator is a depth-1 tree, as here
    ref = sk_ensemble.AdaBoostClassifier(n_estimators=40, learning_rate=learning_rate,
                                         random_state=seed).fit(X, y)
    assert_allclose(ours.estimator_weights_, ref.estimator_weights_[: len(ours.estimators_)], rtol=1e-10)
    assert_allclose(ours.estimator_errors_, ref.estimator_errors_[: len(ours.estimators_)], rtol=1e-10)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))
    assert_allclose(ours.decision_function(X_test), ref.decision_function(X_test), rtol=1e-10, atol=1e-12)
    assert_allclose(ours.predict_proba(X_test), ref.predict_proba(X_test), rtol=1e-10, atol=1e-12)


def test_adaboost_stops_at_a_perfect_stump():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    ours = AdaBoostClassifier(n_estimators=10).fit(X, y)
    ref = sk_ensemble.AdaBoostClassifier(n_estimators=10).fit(X, y)
    assert len(ours.estimators_) == len(ref.estimators_) == 1
    assert_array_equal(ours.predict(X), y)


def test_adaboost_training_error_bound():
    # the training error is at most prod_t 2 sqrt(eps_t (1 - eps_t)) (binary, learning_rate=1)
    X, y = load_breast_cancer(return_X_y=True)
    ada = AdaBoostClassifier(n_estimators=30).fit(X, y)
    eps = ada.estimator_errors_
    assert 1 - ada.score(X, y) <= np.prod(2 * np.sqrt(eps * (1 - eps)))


# ---------------------------------------------------------------- random forests

@pytest.mark.parametrize("seed", SEEDS)
def test_forest_without_randomness_is_the_single_tree(seed):
    X, y = make_data(seed, 150, 4, 3)
    forest = RandomForestClassifier(n_estimators=5, bootstrap=False, max_features=None,
                                    random_state=seed).fit(X, y)
    tree = DecisionTreeClassifier().fit(X, y)
    for member in forest.estimators_:
        assert_array_equal(member.tree_.feature, tree.tree_.feature)
        assert_array_equal(member.tree_.threshold, tree.tree_.threshold)
    assert_allclose(forest.predict_proba(X), tree.predict_proba(X))
    Xr, yr = make_data(seed, 150, 4)
    forest = RandomForestRegressor(n_estimators=3, bootstrap=False, max_features=None).fit(Xr, yr)
    assert_allclose(forest.predict(Xr), DecisionTreeRegressor().fit(Xr, yr).predict(Xr), rtol=1e-12)


def _forest_scores(Ours, Ref, X, y, n_train, **params):
    ours, ref = [], []
    for seed in SEEDS:
        perm = np.random.default_rng(seed).permutation(len(y))
        X_tr, X_te, y_tr, y_te = split(X[perm], y[perm], n_train)
        a = Ours(random_state=seed, oob_score=True, **params).fit(X_tr, y_tr)
        b = Ref(random_state=seed, oob_score=True, **params).fit(X_tr, y_tr)
        ours.append((a.score(X_te, y_te), a.oob_score_))
        ref.append((b.score(X_te, y_te), b.oob_score_))
    return np.mean(ours, axis=0), np.mean(ref, axis=0)


@pytest.mark.parametrize("loader, max_features", [(load_breast_cancer, "sqrt"), (load_wine, "sqrt"),
                                                  (load_wine, None)])
def test_random_forest_classifier_accuracy_and_oob_close_to_sklearn(loader, max_features):
    # different random draws: test accuracy and OOB accuracy averaged over 5 seeds within 0.03
    X, y = loader(return_X_y=True)
    ours, ref = _forest_scores(RandomForestClassifier, sk_ensemble.RandomForestClassifier, X, y,
                               int(0.7 * len(y)), n_estimators=50, max_features=max_features)
    assert_allclose(ours, ref, atol=0.03)


def test_random_forest_regressor_r2_and_oob_close_to_sklearn():
    X, y = load_diabetes(return_X_y=True)
    ours, ref = _forest_scores(RandomForestRegressor, sk_ensemble.RandomForestRegressor, X, y, 300,
                               n_estimators=50, max_features=0.5, min_samples_leaf=3)
    assert_allclose(ours, ref, atol=0.03)


def test_random_forest_generated_data_and_importances():
    X, y = make_classification(n_samples=600, n_features=8, n_informative=3, n_redundant=0,
                               random_state=0)
    ours, ref = _forest_scores(RandomForestClassifier, sk_ensemble.RandomForestClassifier, X, y, 400,
                               n_estimators=80)
    assert_allclose(ours, ref, atol=0.03)                # test and OOB accuracy, mean of 5 seeds
    a = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    b = sk_ensemble.RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    assert a.feature_importances_.sum() == pytest.approx(1.0)
    # mean decrease in impurity over 100 trees: close, and the same top three features
    assert_allclose(a.feature_importances_, b.feature_importances_, atol=0.03)
    assert set(np.argsort(a.feature_importances_)[-3:]) == set(np.argsort(b.feature_importances_)[-3:])


def test_oob_fraction_is_about_one_over_e():
    X, y = make_data(0, 500, 3, 2)
    forest = RandomForestClassifier(n_estimators=200, random_state=0).fit(X, y)
    in_bag = np.array([len(s) for s in forest.estimators_samples_]) / 500
    # each sample is out of bag with probability (1 - 1/n)^n = 0.3675 for n = 500;
    # the mean over 200 trees has standard deviation below 0.002
    assert abs((1 - in_bag.mean()) - (1 - 1 / 500) ** 500) < 0.01


# ---------------------------------------------------------------- bad input

ALL = [RandomForestClassifier, RandomForestRegressor, AdaBoostClassifier,
       GradientBoostingRegressor, GradientBoostingClassifier]
SK = {RandomForestClassifier: sk_ensemble.RandomForestClassifier,
      RandomForestRegressor: sk_ensemble.RandomForestRegressor,
      AdaBoostClassifier: sk_ensemble.AdaBoostClassifier,
      GradientBoostingRegressor: sk_ensemble.GradientBoostingRegressor,
      GradientBoostingClassifier: sk_ensemble.GradientBoostingClassifier}
CLASSIFIERS = [RandomForestClassifier, AdaBoostClassifier, GradientBoostingClassifier]


def _with(X, value):
    X = X.copy()
    X[3, 1] = value
    return X


@pytest.mark.parametrize("Ours", ALL)
@pytest.mark.parametrize("name", ["1d", "mismatch", "nan", "inf"])
def test_bad_input_raises_like_sklearn(Ours, name):
    X, y = make_data(0, 40, 3, 2)
    Xb, yb, message = {"1d": (X[:, 0], y, "2D array"),
                       "mismatch": (X, y[:-1], "inconsistent numbers of samples"),
                       "nan": (_with(X, np.nan), y, "NaN"),
                       "inf": (_with(X, np.inf), y, "infinity")}[name]
    with pytest.raises(ValueError, match=message):
        Ours(n_estimators=3).fit(Xb, yb)
    if name == "nan" and Ours in (RandomForestClassifier, RandomForestRegressor, AdaBoostClassifier):
        # scikit-learn's forests and its default AdaBoost stump support missing values;
        # groundml's trees do not and reject NaN
        return
    with pytest.raises(ValueError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        SK[Ours](n_estimators=3).fit(Xb, yb)


@pytest.mark.parametrize("Ours", CLASSIFIERS)
def test_single_class_rejected(Ours):
    X, _ = make_data(0, 40, 3)
    with pytest.raises(ValueError, match="only one class"):
        Ours(n_estimators=3).fit(X, np.ones(40))


@pytest.mark.parametrize("Ours", ALL)
def test_predict_errors(Ours):
    X, y = make_data(0, 60, 3, 2)
    with pytest.raises(NotFittedError, match="not fitted"):
        Ours().predict(X)
    model = Ours(n_estimators=5).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* 3 features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        model.predict(_with(X, np.nan))


@pytest.mark.parametrize("Ours, params, message", [
    (RandomForestClassifier, {"n_estimators": 0}, "n_estimators"),
    (RandomForestClassifier, {"bootstrap": False, "oob_score": True}, "bootstrap"),
    (RandomForestRegressor, {"max_features": "half"}, "max_features"),
    (AdaBoostClassifier, {"learning_rate": 0.0}, "learning_rate"),
    (GradientBoostingRegressor, {"subsample": 1.5}, "subsample"),
    (GradientBoostingClassifier, {"learning_rate": -1.0}, "learning_rate"),
])
def test_bad_parameters(Ours, params, message):
    X, y = make_data(0, 40, 3, 2)
    with pytest.raises(ValueError, match=message):
        Ours(**params).fit(X, y)
