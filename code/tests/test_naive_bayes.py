"""Gaussian, multinomial and Bernoulli naive Bayes against scikit-learn's estimators."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import naive_bayes as sk_nb
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine, make_classification

from groundml import NotFittedError
from groundml.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB

SEEDS = range(5)
TOL = 1e-10
# (n_samples, n_features, n_classes)
SHAPES = [(40, 2, 2), (200, 7, 3), (120, 30, 5)]


def gaussian_data(seed, n_samples, n_features, n_classes):
    X, y = make_classification(n_samples=n_samples, n_features=n_features, n_informative=min(n_features, 3),
                               n_redundant=0, n_classes=n_classes, n_clusters_per_class=1,
                               random_state=seed)
    return X * np.linspace(0.5, 3.0, n_features) + 2.0, y


def count_data(seed, n_samples, n_features, n_classes):
    """Poisson counts whose rates depend on the class, with string labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_samples)
    y[:n_classes] = np.arange(n_classes)                  # every class present
    rates = rng.gamma(1.0, 1.0, size=(n_classes, n_features))
    X = rng.poisson(rates[y]).astype(float)
    return X, np.array([f"class{c}" for c in y])


def assert_same_model(ours, ref, X):
    assert_array_equal(ours.classes_, ref.classes_)
    assert_array_equal(ours.predict(X), ref.predict(X))
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=TOL, atol=TOL)
    # Log-probabilities can be very negative; compare them relatively where they are finite.
    assert_allclose(ours.predict_log_proba(X), ref.predict_log_proba(X), rtol=TOL, atol=TOL)
    assert_allclose(ours.class_count_, ref.class_count_, rtol=0, atol=0)
    assert ours.n_features_in_ == ref.n_features_in_
    assert ours.score(X, ref.predict(X)) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_gaussian_matches_sklearn_on_generated_data(seed, shape):
    X, y = gaussian_data(seed, *shape)
    X_new = gaussian_data(seed + 100, 25, shape[1], shape[2])[0]
    ours, ref = GaussianNB().fit(X, y), sk_nb.GaussianNB().fit(X, y)
    assert_allclose(ours.theta_, ref.theta_, rtol=TOL, atol=TOL)
    assert_allclose(ours.var_, ref.var_, rtol=TOL, atol=0)
    assert_allclose(ours.class_prior_, ref.class_prior_, rtol=TOL)
    assert ours.epsilon_ == pytest.approx(ref.epsilon_, rel=TOL)
    assert_same_model(ours, ref, np.vstack([X, X_new]))


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer, load_digits])
@pytest.mark.parametrize("var_smoothing", [1e-9, 1e-3])
def test_gaussian_matches_sklearn_on_bundled_data(loader, var_smoothing):
    # digits has pixels that are constant (zero) within a class: var_smoothing matters there
    X, y = loader(return_X_y=True)
    ours = GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    ref = sk_nb.GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    assert_allclose(ours.var_, ref.var_, rtol=TOL, atol=0)
    assert_same_model(ours, ref, X)


def test_gaussian_fixed_priors_match_sklearn():
    X, y = load_iris(return_X_y=True)
    priors = [0.5, 0.3, 0.2]
    ours, ref = GaussianNB(priors=priors).fit(X, y), sk_nb.GaussianNB(priors=priors).fit(X, y)
    assert_allclose(ours.class_prior_, priors)
    assert_same_model(ours, ref, X)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("alpha", [1.0, 0.1])
@pytest.mark.parametrize("fit_prior", [True, False])
def test_multinomial_matches_sklearn(seed, shape, alpha, fit_prior):
    X, y = count_data(seed, *shape)
    ours = MultinomialNB(alpha=alpha, fit_prior=fit_prior).fit(X, y)
    ref = sk_nb.MultinomialNB(alpha=alpha, fit_prior=fit_prior).fit(X, y)
    assert_allclose(ours.feature_log_prob_, ref.feature_log_prob_, rtol=TOL, atol=TOL)
    assert_allclose(ours.class_log_prior_, ref.class_log_prior_, rtol=TOL, atol=TOL)
    assert_allclose(ours.feature_count_, ref.feature_count_, rtol=0, atol=0)
    X_new = count_data(seed + 100, 25, shape[1], shape[2])[0]
    assert_same_model(ours, ref, np.vstack([X, X_new]))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("alpha", [1.0, 0.1])
@pytest.mark.parametrize("binarize", [0.0, 1.5, None])
def test_bernoulli_matches_sklearn(seed, shape, alpha, binarize):
    X, y = count_data(seed, *shape)
    if binarize is None:
        X = (X > 0).astype(float)
    ours = BernoulliNB(alpha=alpha, binarize=binarize).fit(X, y)
    ref = sk_nb.BernoulliNB(alpha=alpha, binarize=binarize).fit(X, y)
    assert_allclose(ours.feature_log_prob_, ref.feature_log_prob_, rtol=TOL, atol=TOL)
    assert_allclose(ours.class_log_prior_, ref.class_log_prior_, rtol=TOL, atol=TOL)
    X_new = count_data(seed + 100, 25, shape[1], shape[2])[0]
    if binarize is None:
        X_new = (X_new > 0).astype(float)
    assert_same_model(ours, ref, np.vstack([X, X_new]))


@pytest.mark.parametrize("cls", ["MultinomialNB", "BernoulliNB"])
@pytest.mark.parametrize("loader", [load_digits, load_wine])
def test_discrete_models_match_sklearn_on_bundled_data(cls, loader):
    # digits: pixel intensities 0..16 used as counts; wine: non-negative measurements
    X, y = loader(return_X_y=True)
    ours = {"MultinomialNB": MultinomialNB, "BernoulliNB": BernoulliNB}[cls]().fit(X, y)
    ref = getattr(sk_nb, cls)().fit(X, y)
    assert_allclose(ours.feature_log_prob_, ref.feature_log_prob_, rtol=TOL, atol=TOL)
    assert_same_model(ours, ref, X)


@pytest.mark.parametrize("cls", ["MultinomialNB", "BernoulliNB"])
def test_discrete_class_prior_matches_sklearn(cls):
    X, y = count_data(0, 100, 6, 3)
    prior = [0.2, 0.5, 0.3]
    ours = {"MultinomialNB": MultinomialNB, "BernoulliNB": BernoulliNB}[cls](class_prior=prior).fit(X, y)
    ref = getattr(sk_nb, cls)(class_prior=prior).fit(X, y)
    assert_allclose(ours.class_log_prior_, np.log(prior), rtol=TOL)
    assert_same_model(ours, ref, X)


def test_probabilities_stay_finite_when_likelihoods_underflow():
    # 2000 Gaussian features: every joint likelihood is below 1e-308, yet the posterior
    # computed in log space with log-sum-exp is a proper distribution.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2000)) + np.repeat([0.0, 0.3], 30)[:, None]
    y = np.repeat([0, 1], 30)
    model = GaussianNB().fit(X, y)
    jll = model._joint_log_likelihood(X)
    assert np.all(np.exp(jll) == 0.0)
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert_allclose(proba, sk_nb.GaussianNB().fit(X, y).predict_proba(X), rtol=TOL, atol=TOL)


def test_laplace_smoothing_formula_by_hand():
    # Independent of scikit-learn: the smoothed estimates from their definitions.
    X = np.array([[2.0, 0.0, 1.0], [0.0, 0.0, 3.0], [1.0, 1.0, 0.0]])
    y = np.array([0, 0, 1])
    model = MultinomialNB(alpha=1.0).fit(X, y)
    expected = np.array([[(2 + 1) / (6 + 3), (0 + 1) / (6 + 3), (4 + 1) / (6 + 3)],
                         [(1 + 1) / (2 + 3), (1 + 1) / (2 + 3), (0 + 1) / (2 + 3)]])
    assert_allclose(np.exp(model.feature_log_prob_), expected, rtol=1e-14)
    bern = BernoulliNB(alpha=1.0).fit(X, y)
    expected_on = np.array([[(1 + 1) / (2 + 2), (0 + 1) / (2 + 2), (2 + 1) / (2 + 2)],
                            [(1 + 1) / (1 + 2), (1 + 1) / (1 + 2), (0 + 1) / (1 + 2)]])
    assert_allclose(np.exp(bern.feature_log_prob_), expected_on, rtol=1e-14)


# --- bad input -------------------------------------------------------------------------

MODELS = [(GaussianNB, sk_nb.GaussianNB), (MultinomialNB, sk_nb.MultinomialNB),
          (BernoulliNB, sk_nb.BernoulliNB)]


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_bad_input_raises_like_sklearn(ours_cls, ref_cls):
    X, y = count_data(0, 30, 4, 2)
    bad_inputs = {
        "1-D X": (X[:, 0], y),
        "3-D X": (X[:, :, None], y),
        "length mismatch": (X, y[:-1]),
        "NaN": (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y),
        "inf": (np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X), y),
    }
    for name, (X_bad, y_bad) in bad_inputs.items():
        with pytest.raises(ValueError):
            ours_cls().fit(X_bad, y_bad)
        with pytest.raises(ValueError):
            ref_cls().fit(X_bad, y_bad)
        print(f"{ours_cls.__name__} and scikit-learn both reject {name}")


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_continuous_or_nan_labels_raise(ours_cls, ref_cls):
    X, _ = count_data(0, 30, 4, 2)
    for y_bad in (np.linspace(0, 1, 30), np.where(np.arange(30) == 3, np.nan, np.arange(30) % 2)):
        with pytest.raises(ValueError):
            ours_cls().fit(X, y_bad)
        with pytest.raises(ValueError):
            ref_cls().fit(X, y_bad)


@pytest.mark.parametrize("ours_cls", [GaussianNB, MultinomialNB, BernoulliNB])
def test_single_class_raises(ours_cls):
    # scikit-learn accepts one class and predicts it with probability 1; we follow the
    # package convention (check_classification_targets) and refuse: nothing is learned.
    X, _ = count_data(0, 30, 4, 2)
    with pytest.raises(ValueError, match="one class"):
        ours_cls().fit(X, np.zeros(30))


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_wrong_number_of_features_and_not_fitted(ours_cls, ref_cls):
    X, y = count_data(0, 30, 4, 2)
    with pytest.raises(NotFittedError):
        ours_cls().predict(X)
    with pytest.raises(NotFittedError):
        ours_cls().predict_proba(X)
    ours, ref = ours_cls().fit(X, y), ref_cls().fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        with pytest.raises(ValueError, match="features"):
            getattr(ours, method)(X[:, :3])
        with pytest.raises(ValueError):
            getattr(ref, method)(X[:, :3])


def test_multinomial_negative_counts_raise_like_sklearn():
    X, y = count_data(0, 30, 4, 2)
    X_neg = X.copy()
    X_neg[0, 0] = -1.0
    with pytest.raises(ValueError, match="Negative values"):
        MultinomialNB().fit(X_neg, y)
    with pytest.raises(ValueError, match="Negative values"):
        sk_nb.MultinomialNB().fit(X_neg, y)


@pytest.mark.parametrize("params", [{"alpha": -1.0}, {"alpha": "one"}])
def test_negative_alpha_raises(params):
    X, y = count_data(0, 30, 4, 2)
    for cls, ref_cls in [(MultinomialNB, sk_nb.MultinomialNB), (BernoulliNB, sk_nb.BernoulliNB)]:
        with pytest.raises(ValueError):
            cls(**params).fit(X, y)
        with pytest.raises(ValueError):
            ref_cls(**params).fit(X, y)


def test_gaussian_bad_priors_raise_like_sklearn():
    X, y = load_iris(return_X_y=True)
    for priors in ([0.5, 0.5], [0.5, 0.4, 0.4]):
        with pytest.raises(ValueError):
            GaussianNB(priors=priors).fit(X, y)
        with pytest.raises(ValueError):
            sk_nb.GaussianNB(priors=priors).fit(X, y)
