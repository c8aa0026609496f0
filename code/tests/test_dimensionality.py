"""PCA and LinearDiscriminantAnalysis against scikit-learn."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import decomposition as sk_decomposition
from sklearn import discriminant_analysis as sk_da
from sklearn.datasets import load_digits, load_iris, load_wine, make_classification

from groundml import NotFittedError
from groundml.dimensionality import PCA, LinearDiscriminantAnalysis

SEEDS = range(5)
# (n_samples, n_features): tall, square-ish, and wide (n < d)
PCA_SHAPES = [(100, 5), (40, 12), (15, 30)]


def make_pca_data(seed, n_samples, n_features):
    """Correlated features with distinct scales (well separated spectrum) and non-zero means."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))
    mixing = rotation * np.geomspace(1.0, 10.0, n_features)[::-1]
    return rng.normal(size=(n_samples, n_features)) @ mixing.T + rng.normal(2.0, 3.0, size=n_features)


def align_signs(A, B):
    """Flip the columns of A to match B where the projections agree only up to sign."""
    signs = np.sign(np.sum(A * B, axis=0))
    signs[signs == 0] = 1.0
    return A * signs


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", PCA_SHAPES)
@pytest.mark.parametrize("n_components", [None, 3])
def test_pca_full_matches_sklearn(seed, shape, n_components):
    X = make_pca_data(seed, *shape)
    ours = PCA(n_components=n_components).fit(X)
    ref = sk_decomposition.PCA(n_components=n_components, svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    # When n <= d the centred data have rank n - 1, so the last component (variance 0) is
    # an arbitrary null direction: compare only the components with positive variance.
    r = min(shape[0] - 1, shape[1], ours.n_components_)
    # Both fix the sign so that each component's entry of largest modulus is positive,
    # so the components agree exactly, not just up to sign.
    assert_allclose(ours.components_[:r], ref.components_[:r], atol=1e-8)
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10)
    assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10)
    assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)
    assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.noise_variance_, ref.noise_variance_, rtol=1e-8, atol=1e-12)
    X_new = make_pca_data(seed + 100, 7, shape[1])
    assert_allclose(ours.transform(X_new)[:, :r], ref.transform(X_new)[:, :r], atol=1e-8)
    assert_allclose(ours.fit_transform(X), ref.fit_transform(X), atol=1e-8)   # null column ~ 0
    Z = ref.transform(X_new)
    Z[:, r:] = 0.0
    assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", PCA_SHAPES)
def test_pca_eigh_matches_sklearn_full(seed, shape):
    # The eigh route squares the condition number, so the components agree to about
    # eps * (lambda_1 / lambda_j); with this spectrum (ratio <= 100) that is far below 1e-8.
    X = make_pca_data(seed, *shape)
    k = min(shape) - 1  # skip the last one when n < d: its gap to the zero eigenvalues is what matters
    ours = PCA(n_components=k, svd_solver="eigh").fit(X)
    ref = sk_decomposition.PCA(n_components=k, svd_solver="full").fit(X)
    assert_allclose(ours.components_, ref.components_, atol=1e-8)
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10)
    assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10)
    assert_allclose(ours.fit_transform(X), ref.transform(X), atol=1e-8)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_digits])
@pytest.mark.parametrize("whiten", [False, True])
def test_pca_bundled_data(loader, whiten):
    X = loader(return_X_y=True)[0]
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    ours = PCA(n_components=3, whiten=whiten).fit(X)
    ref = sk_decomposition.PCA(n_components=3, whiten=whiten, svd_solver="full").fit(X)
    assert_allclose(ours.components_, ref.components_, atol=1e-8)
    assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10)
    assert_allclose(ours.transform(X), ref.transform(X), atol=1e-8)
    assert_allclose(ours.fit_transform(X), ref.fit_transform(X), atol=1e-8)
    Z = ours.transform(X)
    assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=1e-8)
    if whiten:  # whitened training scores have identity covariance
        assert_allclose(np.cov(Z, rowvar=False), np.eye(3), atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.8, 0.95, 0.999])
def test_pca_float_n_components_selects_same_k(seed, fraction):
    X = make_pca_data(seed, 60, 10)
    for solver in ["full", "eigh"]:
        ours = PCA(n_components=fraction, svd_solver=solver).fit(X)
        ref = sk_decomposition.PCA(n_components=fraction, svd_solver="full").fit(X)
        assert ours.n_components_ == ref.n_components_
        assert np.sum(ours.explained_variance_ratio_) > fraction


@pytest.mark.parametrize("seed", SEEDS)
def test_pca_reconstruction_error_is_discarded_variance(seed):
    X = make_pca_data(seed, 50, 8)
    full = PCA().fit(X)
    for k in range(1, 8):
        pca = PCA(n_components=k).fit(X)
        error = np.sum((X - pca.inverse_transform(pca.transform(X))) ** 2)
        assert_allclose(error, (X.shape[0] - 1) * full.explained_variance_[k:].sum(), rtol=1e-9)


def test_pca_bad_input():
    X = make_pca_data(0, 20, 4)
    for k in [5, -1, 1.0, 1.5, "two"]:
        with pytest.raises(ValueError):
            PCA(n_components=k).fit(X)
        with pytest.raises(ValueError):
            sk_decomposition.PCA(n_components=k, svd_solver="full").fit(X)
    X_wide = make_pca_data(0, 6, 10)  # n < d: at most 6 components
    with pytest.raises(ValueError, match="min\\(n_samples, n_features\\)"):
        PCA(n_components=7).fit(X_wide)
    with pytest.raises(ValueError):
        sk_decomposition.PCA(n_components=7, svd_solver="full").fit(X_wide)
    for bad in [X[0], X[None], np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X),
                np.where(np.arange(X.size).reshape(X.shape) == 3, np.inf, X)]:
        with pytest.raises(ValueError):
            PCA().fit(bad)
        with pytest.raises(ValueError):
            sk_decomposition.PCA().fit(bad)
    with pytest.raises(ValueError, match="svd_solver"):
        PCA(svd_solver="magic").fit(X)
    with pytest.raises(NotFittedError):
        PCA().transform(X)
    pca = PCA(n_components=2).fit(X)
    with pytest.raises(ValueError, match="features"):
        pca.transform(X[:, :3])
    with pytest.raises(ValueError):
        sk_decomposition.PCA(n_components=2).fit(X).transform(X[:, :3])
    with pytest.raises(ValueError, match="components"):
        pca.inverse_transform(np.zeros((3, 3)))


def lda_data(seed, n_samples=120, n_features=6, n_classes=3):
    X, y = make_classification(n_samples=n_samples, n_features=n_features, n_informative=n_features // 2 + 1,
                               n_redundant=0, n_classes=n_classes, n_clusters_per_class=1,
                               random_state=seed)
    return X * np.linspace(1.0, 5.0, n_features) + 3.0, y


def check_lda_agrees(ours, ref, X, transform_up_to_sign=True):
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-7, atol=1e-7)
    assert np.array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, ref.predict(X)) == 1.0
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-7)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-7, atol=1e-7)
    assert_allclose(ours.means_, ref.means_, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.priors_, ref.priors_, rtol=1e-12)
    assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-8, atol=1e-12)
    # The discriminant directions come from an eigen- or singular-vector routine, whose
    # sign is arbitrary (LAPACK's choice; scikit-learn applies no sign convention here).
    # With distinct eigenvalues the directions are unique up to sign once normalised by
    # v^T S_W v = 1, so the projections agree column by column up to sign.
    Z, Z_ref = ours.transform(X), ref.transform(X)
    assert Z.shape == Z_ref.shape
    assert_allclose(align_signs(Z, Z_ref), Z_ref, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solver", ["svd", "eigen"])
@pytest.mark.parametrize("n_classes", [2, 3, 4])
def test_lda_matches_sklearn_generated(seed, solver, n_classes):
    X, y = lda_data(seed, n_classes=n_classes)
    ours = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    ref = sk_da.LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    check_lda_agrees(ours, ref, lda_data(seed + 100, n_classes=n_classes)[0])


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_digits])
@pytest.mark.parametrize("solver", ["svd", "eigen"])
def test_lda_matches_sklearn_bundled(loader, solver):
    X, y = loader(return_X_y=True)
    if loader is load_digits and solver == "eigen":
        # constant pixels make S_W singular: scipy's eigh(Sb, Sw) fails, ours raises ValueError
        with pytest.raises(ValueError, match="singular"):
            LinearDiscriminantAnalysis(solver="eigen").fit(X, y)
        return
    ours = LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    ref = sk_da.LinearDiscriminantAnalysis(solver=solver).fit(X, y)
    check_lda_agrees(ours, ref, X)


@pytest.mark.parametrize("seed", SEEDS)
def test_lda_priors_n_components_and_wide_data(seed):
    X, y = lda_data(seed, n_classes=4)
    priors = np.array([0.1, 0.2, 0.3, 0.4])
    for solver in ["svd", "eigen"]:
        ours = LinearDiscriminantAnalysis(solver=solver, priors=priors, n_components=2).fit(X, y)
        ref = sk_da.LinearDiscriminantAnalysis(solver=solver, priors=priors, n_components=2).fit(X, y)
        check_lda_agrees(ours, ref, X)
    # n < d: only the svd solver works (S_W is singular)
    X_wide, y_wide = lda_data(seed, n_samples=20, n_features=30, n_classes=3)
    ours = LinearDiscriminantAnalysis().fit(X_wide, y_wide)
    ref = sk_da.LinearDiscriminantAnalysis().fit(X_wide, y_wide)
    check_lda_agrees(ours, ref, X_wide)


@pytest.mark.parametrize("seed", SEEDS)
def test_lda_svd_and_eigen_projections_agree(seed):
    # Both normalise the directions by v^T S_W v = 1; the svd solver centres on xbar_,
    # the eigen solver does not, so the projections differ by a constant shift and a sign.
    X, y = lda_data(seed, n_classes=3)
    Z_svd = LinearDiscriminantAnalysis(solver="svd").fit_transform(X, y)
    Z_eig = LinearDiscriminantAnalysis(solver="eigen").fit_transform(X, y)
    Z_eig = Z_eig - Z_eig.mean(axis=0)
    assert_allclose(align_signs(Z_eig, Z_svd), Z_svd - Z_svd.mean(axis=0), atol=1e-8)


def test_lda_string_labels():
    X, y = lda_data(0, n_classes=3)
    labels = np.array(["ant", "bee", "cat"])[y]
    ours = LinearDiscriminantAnalysis().fit(X, labels)
    ref = sk_da.LinearDiscriminantAnalysis().fit(X, labels)
    assert np.array_equal(ours.classes_, ref.classes_)
    assert np.array_equal(ours.predict(X), ref.predict(X))


def test_lda_bad_input():
    X, y = lda_data(0)
    Lda, SkLda = LinearDiscriminantAnalysis, sk_da.LinearDiscriminantAnalysis
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    X_inf = X.copy()
    X_inf[2, 1] = np.inf
    cases = [(X[:, 0], y), (X, y[:-1]), (X_nan, y), (X_inf, y), (X, y + 0.5)]
    for X_bad, y_bad in cases:
        with pytest.raises(ValueError):
            Lda().fit(X_bad, y_bad)
        with pytest.raises(ValueError):
            SkLda().fit(X_bad, y_bad)
    # A single class: scikit-learn 1.9 fits it without complaint (a degenerate model that
    # always predicts that class); we reject it as for every groundml classifier.
    with pytest.raises(ValueError, match="one class"):
        Lda().fit(X, np.zeros_like(y))
    with pytest.raises(ValueError, match="n_components"):
        Lda(n_components=3).fit(X, y)  # 3 classes: at most 2 components
    with pytest.raises(ValueError):
        SkLda(n_components=3).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        Lda(priors=[-0.1, 0.6, 0.5]).fit(X, y)
    with pytest.raises(ValueError):
        SkLda(priors=[-0.1, 0.6, 0.5]).fit(X, y)
    with pytest.warns(UserWarning, match="Renormalizing"):
        ours = Lda(priors=[1.0, 1.0, 2.0]).fit(X, y)
    assert_allclose(ours.priors_, [0.25, 0.25, 0.5])
    with pytest.raises(ValueError, match="solver"):
        Lda(solver="lsqr-ish").fit(X, y)
    with pytest.raises(NotFittedError):
        Lda().predict(X)
    model = Lda().fit(X, y)
    for method in [model.predict, model.predict_proba, model.transform]:
        with pytest.raises(ValueError, match="features"):
            method(X[:, :3])
    with pytest.raises(ValueError):
        SkLda().fit(X, y).predict(X[:, :3])
