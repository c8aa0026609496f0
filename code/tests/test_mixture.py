"""GaussianMixture against scikit-learn's, from the same initial parameters."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import multivariate_normal
from sklearn import mixture as sk_mixture
from sklearn.datasets import load_iris, make_blobs

from groundml import NotFittedError
from groundml.linear_model import ConvergenceWarning
from groundml.mixture import GaussianMixture

SEEDS = range(5)
# (n_samples, n_features, n_components); None means iris with 3 components
SHAPES = [(200, 2, 3), (500, 4, 4), (300, 6, 2), None]


def make_data(seed, shape):
    if shape is None:
        return load_iris().data, 3
    n, d, k = shape
    X, _ = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=[1.0, 2.0, 0.5, 1.5][:k],
                      random_state=seed)
    return X, k


def initial_parameters(X, k, seed, covariance_type):
    """The same start for both implementations: data points as means, equal weights."""
    rng = np.random.default_rng(seed)
    means = X[rng.choice(len(X), size=k, replace=False)]
    weights = rng.dirichlet(np.full(k, 5.0))
    d = X.shape[1]
    if covariance_type == "full":
        scales = rng.uniform(0.5, 2, k)
        precisions = np.stack([np.linalg.inv(np.cov(X.T) * s + 0.1 * np.eye(d)) for s in scales])
    else:
        precisions = 1.0 / (X.var(axis=0)[None, :] * rng.uniform(0.5, 2, size=(k, 1)))
    return dict(means_init=means, weights_init=weights, precisions_init=precisions)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_em_from_same_start_matches_sklearn(seed, shape, covariance_type):
    X, k = make_data(seed, shape)
    kw = dict(n_components=k, covariance_type=covariance_type, max_iter=300, tol=1e-4,
              **initial_parameters(X, k, seed, covariance_type))
    ours = GaussianMixture(**kw).fit(X)
    ref = sk_mixture.GaussianMixture(**kw).fit(X)
    # Same start, same updates and stopping rule: the same iterations up to rounding.
    assert ours.converged_ and ref.converged_
    assert ours.n_iter_ == ref.n_iter_
    assert ours.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-6, abs=1e-8)
    assert_allclose(ours.weights_, ref.weights_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.means_, ref.means_, rtol=1e-6, atol=1e-6)
    assert_allclose(ours.covariances_, ref.covariances_, rtol=1e-6, atol=1e-6)
    X_new = X[::4] + 0.05
    assert ours.score(X_new) == pytest.approx(ref.score(X_new), rel=1e-6)
    assert_allclose(ours.score_samples(X_new), ref.score_samples(X_new), rtol=1e-6, atol=1e-6)
    assert_allclose(ours.predict_proba(X_new), ref.predict_proba(X_new), atol=1e-6)
    assert ours.bic(X) == pytest.approx(ref.bic(X), rel=1e-6)
    assert ours.aic(X) == pytest.approx(ref.aic(X), rel=1e-6)
    assert ours._n_parameters() == ref._n_parameters()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_log_likelihood_never_decreases(seed, shape):
    X, k = make_data(seed, shape)
    model = GaussianMixture(k, tol=0.0, max_iter=60, init_params="random", random_state=seed,
                            reg_covar=1e-6)
    with pytest.warns(ConvergenceWarning):                      # tol=0 never stops early
        model.fit(X)
    history = model.lower_bounds_
    assert len(history) == 60
    assert np.all(np.diff(history) >= -1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_score_samples_is_mixture_density(seed):
    X, k = make_data(seed, (200, 2, 3))
    model = GaussianMixture(k, random_state=seed).fit(X)
    density = sum(w * multivariate_normal(m, c).pdf(X)
                  for w, m, c in zip(model.weights_, model.means_, model.covariances_, strict=True))
    assert_allclose(model.score_samples(X), np.log(density), rtol=1e-10)
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(model.predict(X), model.predict_proba(X).argmax(axis=1))


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random"])
@pytest.mark.parametrize("shape", SHAPES)
def test_default_init_reaches_sklearn_likelihood(init_params, shape):
    # The initial responsibilities come from different random streams, so EM may stop at
    # a different local optimum; with 5 restarts the best log-likelihoods should agree.
    X, k = make_data(0, shape)
    ours = GaussianMixture(k, init_params=init_params, n_init=5, random_state=0).fit(X)
    ref = sk_mixture.GaussianMixture(k, init_params=init_params, n_init=5, random_state=0).fit(X)
    assert ours.score(X) == pytest.approx(ref.score(X), abs=0.02)


def test_reg_covar_prevents_collapse():
    # Four copies of one point and a spread-out rest: a component can sit on the copies.
    rng = np.random.default_rng(0)
    X = np.vstack([np.tile([[3.0, 3.0]], (4, 1)), rng.normal(size=(60, 2))])
    start = dict(means_init=np.array([[3.0, 3.0], [0.0, 0.0]]), weights_init=np.array([0.1, 0.9]),
                 precisions_init=np.stack([np.eye(2) * 100, np.eye(2)]))
    model = GaussianMixture(2, reg_covar=1e-6, **start).fit(X)
    ref = sk_mixture.GaussianMixture(2, reg_covar=1e-6, **start).fit(X)
    # The collapsed component's covariance is exactly reg_covar * I, and the likelihood is
    # large but finite; scikit-learn does the same.
    collapsed = np.argmin(np.linalg.det(model.covariances_))
    assert_allclose(model.covariances_[collapsed], 1e-6 * np.eye(2), rtol=1e-6, atol=1e-12)
    assert np.isfinite(model.lower_bound_)
    assert model.lower_bound_ == pytest.approx(ref.lower_bound_, rel=1e-6)
    with pytest.raises(ValueError, match="reg_covar"):
        GaussianMixture(2, reg_covar=0.0, **start).fit(X)
    with pytest.raises(ValueError):
        sk_mixture.GaussianMixture(2, reg_covar=0.0, **start).fit(X)


def test_single_component_is_the_sample_gaussian():
    X, _ = make_data(1, (300, 6, 2))
    model = GaussianMixture(1, reg_covar=0.0).fit(X)
    assert_allclose(model.means_[0], X.mean(axis=0), rtol=1e-12)
    assert_allclose(model.covariances_[0], np.cov(X.T, bias=True), rtol=1e-10, atol=1e-12)
    assert model.converged_ and model.weights_[0] == pytest.approx(1.0)


def test_single_sample_and_duplicates_match_sklearn():
    X = np.array([[1.0, 2.0]])                                     # one sample: both refuse
    with pytest.raises(ValueError, match="at least 2"):
        GaussianMixture(1).fit(X)
    with pytest.raises(ValueError):
        sk_mixture.GaussianMixture(1).fit(X)
    X_dup = np.tile([[0.5, -1.0, 2.0]], (20, 1))                   # all points identical
    ours = GaussianMixture(1).fit(X_dup)
    ref = sk_mixture.GaussianMixture(1).fit(X_dup)
    assert_allclose(ours.means_, ref.means_)
    assert_allclose(ours.covariances_, ref.covariances_, rtol=1e-10)


def test_bad_input():
    X, k = make_data(0, (200, 2, 3))
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        GaussianMixture(201).fit(X)
    with pytest.raises(ValueError):
        sk_mixture.GaussianMixture(201).fit(X)
    for bad, match in [(X[:, 0], "2D array"), (X[None], "2D array")]:
        with pytest.raises(ValueError, match=match):
            GaussianMixture(2).fit(bad)
    for value, match in [(np.nan, "NaN"), (np.inf, "infinity")]:
        X_bad = X.copy()
        X_bad[0, 0] = value
        with pytest.raises(ValueError, match=match):
            GaussianMixture(2).fit(X_bad)
        with pytest.raises(ValueError):
            sk_mixture.GaussianMixture(2).fit(X_bad)
    with pytest.raises(ValueError, match="means_init should have the shape"):
        GaussianMixture(3, means_init=X[:2]).fit(X)
    with pytest.raises(ValueError, match="weights_init should be normalized"):
        GaussianMixture(3, weights_init=[0.5, 0.5, 0.5]).fit(X)
    with pytest.raises(ValueError):
        sk_mixture.GaussianMixture(3, weights_init=[0.5, 0.5, 0.5]).fit(X)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianMixture(1, precisions_init=-np.eye(2)[None]).fit(X)
    with pytest.raises(ValueError, match="covariance_type"):
        GaussianMixture(2, covariance_type="spherical-ish").fit(X)
    with pytest.raises(NotFittedError):
        GaussianMixture(2).predict(X)
    model = GaussianMixture(2, random_state=0).fit(X)
    for method in (model.predict, model.predict_proba, model.score_samples, model.score, model.bic):
        with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture was fitted with 2"):
            method(np.ones((5, 3)))
    ref = sk_mixture.GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError):
        ref.predict(np.ones((5, 3)))
