"""KMeans, AgglomerativeClustering, DBSCAN and the clustering metrics against scikit-learn."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.cluster import hierarchy
from sklearn import cluster as sk_cluster
from sklearn import metrics as sk_metrics
from sklearn.datasets import load_iris, make_blobs, make_moons

from groundml import NotFittedError
from groundml.cluster import (
    DBSCAN,
    AgglomerativeClustering,
    KMeans,
    adjusted_rand_score,
    kmeans_plusplus,
    silhouette_samples,
    silhouette_score,
)
from groundml.linear_model import ConvergenceWarning

SEEDS = range(5)
# (n_samples, n_features, n_centres); None means the iris data with 3 clusters
SHAPES = [(60, 2, 3), (300, 5, 6), (500, 10, 8), None]


def make_data(seed, shape):
    if shape is None:
        return load_iris().data, 3
    n, d, k = shape
    X, _ = make_blobs(n_samples=n, n_features=d, centers=k, cluster_std=1.5, random_state=seed)
    return X, k


def same_partition(a, b):
    """True if two label vectors define the same partition (equal up to relabelling)."""
    return sk_metrics.adjusted_rand_score(a, b) == 1.0


# ---------------------------------------------------------------------------------------
# KMeans
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_kmeans_from_same_init_matches_sklearn(seed, shape):
    X, k = make_data(seed, shape)
    rng = np.random.default_rng(seed)
    init = X[rng.choice(len(X), size=k, replace=False)]
    ours = KMeans(k, init=init, n_init=1).fit(X)
    ref = sk_cluster.KMeans(k, init=init, n_init=1, algorithm="lloyd").fit(X)
    # Same start, same stopping rule: identical iterations up to rounding.
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    assert np.array_equal(ours.labels_, ref.labels_)          # same init fixes the label order
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)
    assert ours.n_iter_ == ref.n_iter_
    X_new = X[::3] + 0.1
    assert np.array_equal(ours.predict(X_new), ref.predict(X_new))
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-8, atol=1e-8)
    assert ours.score(X_new) == pytest.approx(ref.score(X_new), rel=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_inertia_never_increases(seed):
    X, k = make_data(seed, (300, 5, 6))
    init = X[:k]
    inertias = []
    for n_iter in range(1, 15):
        # Running i iterations from the same start gives the state after iteration i.
        model = KMeans(k, init=init, n_init=1, max_iter=n_iter, tol=0).fit(X)
        inertias.append(model.inertia_)
    assert np.all(np.diff(inertias) <= 1e-9 * inertias[0])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES[:3])
def test_kmeans_plusplus_seeding_property(seed, shape):
    X, k = make_data(seed, shape)
    centers, indices = kmeans_plusplus(X, k, random_state=seed)
    assert centers.shape == (k, X.shape[1])
    assert len(np.unique(indices)) == k                      # distinct points (no duplicates in X)
    assert_allclose(centers, X[indices], rtol=0, atol=0)      # every centre is a data point
    # The same property holds for scikit-learn's seeding.
    sk_centers, sk_indices = sk_cluster.kmeans_plusplus(X, k, random_state=seed)
    assert_allclose(sk_centers, X[sk_indices])


@pytest.mark.parametrize("shape", SHAPES)
def test_kmeans_plusplus_inertia_distribution_close_to_sklearn(shape):
    # The random streams differ (NumPy Generator vs RandomState), so runs cannot be
    # matched one to one; compare the distribution of final inertias over 10 seeds.
    X, k = make_data(0, shape)
    ours = np.array([KMeans(k, random_state=s).fit(X).inertia_ for s in range(10)])
    ref = np.array([sk_cluster.KMeans(k, random_state=s).fit(X).inertia_ for s in range(10)])
    assert ours.min() <= 1.05 * ref.min()
    assert np.median(ours) <= 1.25 * np.median(ref)
    # n_init=10 keeps the best of 10 runs: at most the best single run over any 10 seeds + 5 %.
    best = KMeans(k, n_init=10, random_state=0).fit(X).inertia_
    assert best <= 1.05 * ref.min()


@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_random_init_keeps_best_run(seed):
    X, k = make_data(seed, (300, 5, 6))
    many = KMeans(k, init="random", n_init=8, random_state=seed).fit(X)
    singles = [KMeans(k, init="random", n_init=1, random_state=s).fit(X).inertia_ for s in range(8)]
    # A local minimum of the inertia: centres are the means of their clusters.
    for c in range(k):
        assert_allclose(many.cluster_centers_[c], X[many.labels_ == c].mean(axis=0), atol=1e-8)
    assert many.inertia_ <= np.median(singles) + 1e-9


def test_kmeans_edge_cases():
    X, k = make_data(0, (60, 2, 3))
    with pytest.raises(ValueError, match="n_samples=60 should be >= n_clusters=61"):
        KMeans(61).fit(X)
    with pytest.raises(ValueError):
        sk_cluster.KMeans(61).fit(X)
    # A single sample and one cluster: the centre is the sample.
    one = KMeans(1).fit(X[:1])
    ref = sk_cluster.KMeans(1, n_init=1).fit(X[:1])
    assert_allclose(one.cluster_centers_, ref.cluster_centers_)
    assert one.inertia_ == ref.inertia_ == 0.0
    # n_clusters == n_samples: every point its own centre, inertia 0.
    five = KMeans(5, random_state=0).fit(X[:5])
    assert five.inertia_ == pytest.approx(0.0, abs=1e-12)
    assert len(np.unique(five.labels_)) == 5


def test_kmeans_identical_points_warns_like_sklearn():
    X = np.tile([[1.0, -2.0]], (10, 1))
    with pytest.warns(ConvergenceWarning, match="Number of distinct clusters"):
        ours = KMeans(3, random_state=0).fit(X)
    with pytest.warns(Warning, match="Number of distinct clusters"):
        ref = sk_cluster.KMeans(3, n_init=1, random_state=0).fit(X)
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_)
    assert ours.inertia_ == ref.inertia_ == 0.0
    assert len(np.unique(ours.labels_)) == len(np.unique(ref.labels_)) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_kmeans_duplicate_points_match_sklearn(seed):
    X, k = make_data(seed, (60, 2, 3))
    X = np.vstack([X, X[:20]])                                # 20 points twice
    init = X[[0, 25, 50]]
    ours = KMeans(k, init=init, n_init=1).fit(X)
    ref = sk_cluster.KMeans(k, init=init, n_init=1, algorithm="lloyd").fit(X)
    assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-8)
    assert np.array_equal(ours.labels_, ref.labels_)


def test_kmeans_bad_input():
    X, _ = make_data(0, (60, 2, 3))
    for bad, match in [(X[:, 0], "2D array"), (X[None], "2D array")]:
        with pytest.raises(ValueError, match=match):
            KMeans(3).fit(bad)
        with pytest.raises(ValueError):
            sk_cluster.KMeans(3).fit(bad)
    for value, match in [(np.nan, "NaN"), (np.inf, "infinity")]:
        X_bad = X.copy()
        X_bad[3, 1] = value
        with pytest.raises(ValueError, match=match):
            KMeans(3).fit(X_bad)
        with pytest.raises(ValueError):
            sk_cluster.KMeans(3).fit(X_bad)
    with pytest.raises(ValueError, match="shape of the initial centers"):
        KMeans(3, init=X[:2]).fit(X)
    with pytest.raises(ValueError, match="init must be"):
        KMeans(3, init="bogus").fit(X)
    with pytest.raises(ValueError, match="n_clusters must be a positive integer"):
        KMeans(0).fit(X)
    with pytest.raises(NotFittedError):
        KMeans(3).predict(X)
    model = KMeans(3, random_state=0).fit(X)
    for method in (model.predict, model.transform, model.score):
        with pytest.raises(ValueError, match="X has 3 features, but KMeans was fitted with 2 features"):
            method(np.ones((4, 3)))
    ref = sk_cluster.KMeans(3, random_state=0).fit(X)
    with pytest.raises(ValueError):
        ref.predict(np.ones((4, 3)))


# ---------------------------------------------------------------------------------------
# Agglomerative clustering
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("linkage", ["ward", "complete", "average", "single"])
@pytest.mark.parametrize("shape", [(40, 2, 3), (150, 4, 5), None])
def test_agglomerative_matches_sklearn(seed, linkage, shape):
    # Continuous random data have no distance ties (almost surely), so the merge order is
    # unique. Iris has duplicate rows (ties), so it is used for the final cut only.
    X, k = make_data(seed, shape)
    if shape is None:
        X = X + np.random.default_rng(seed).normal(scale=1e-3, size=X.shape)   # break ties
    n_clusters = k + seed % 3
    ours = AgglomerativeClustering(n_clusters, linkage=linkage).fit(X)
    ref = sk_cluster.AgglomerativeClustering(n_clusters, linkage=linkage, compute_distances=True).fit(X)
    assert same_partition(ours.labels_, ref.labels_)
    assert ours.n_leaves_ == ref.n_leaves_ and ours.n_clusters_ == ref.n_clusters_
    # Merge heights: same as scikit-learn's and SciPy's.
    assert_allclose(ours.distances_, ref.distances_, rtol=1e-8)
    Z = hierarchy.linkage(X, method=linkage)
    assert_allclose(ours.distances_, Z[:, 2], rtol=1e-8)


def test_agglomerative_bad_input_and_edge_cases():
    X, _ = make_data(0, (40, 2, 3))
    with pytest.raises(ValueError, match="should be >= n_clusters"):
        AgglomerativeClustering(41).fit(X)
    with pytest.raises(ValueError, match="linkage must be"):
        AgglomerativeClustering(2, linkage="centroid").fit(X)
    with pytest.raises(ValueError, match="at least 2"):
        AgglomerativeClustering(1).fit(X[:1])
    with pytest.raises(ValueError):
        sk_cluster.AgglomerativeClustering(1).fit(X[:1])
    with pytest.raises(ValueError, match="2D array"):
        AgglomerativeClustering(2).fit(X[:, 0])
    X_bad = X.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        AgglomerativeClustering(2).fit(X_bad)
    # n_clusters == n_samples: every point alone; n_clusters == 1: one cluster.
    assert len(np.unique(AgglomerativeClustering(40).fit(X).labels_)) == 40
    assert np.all(AgglomerativeClustering(1).fit(X).labels_ == 0)


# ---------------------------------------------------------------------------------------
# DBSCAN
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("eps", "min_samples"), [(0.15, 5), (0.2, 10), (0.3, 3), (0.1, 4)])
def test_dbscan_matches_sklearn_on_moons(seed, eps, min_samples):
    X, _ = make_moons(n_samples=300, noise=0.08, random_state=seed)
    X = np.vstack([X, np.random.default_rng(seed).uniform(-1.5, 2.5, size=(30, 2))])   # add noise points
    ours = DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    ref = sk_cluster.DBSCAN(eps=eps, min_samples=min_samples).fit(X)
    assert np.array_equal(ours.core_sample_indices_, ref.core_sample_indices_)
    assert_allclose(ours.components_, ref.components_)
    # Noise (-1) identical, clusters identical; a border point within eps of two clusters
    # goes to the cluster whose lowest core index is smallest, which is scikit-learn's
    # order, so even the label numbers agree.
    assert np.array_equal(ours.labels_, ref.labels_)


@pytest.mark.parametrize("seed", SEEDS)
def test_dbscan_blobs_and_contested_border(seed):
    X, k = make_data(seed, (300, 5, 6))
    ours = DBSCAN(eps=1.5, min_samples=6).fit(X)
    ref = sk_cluster.DBSCAN(eps=1.5, min_samples=6).fit(X)
    assert np.array_equal(ours.labels_, ref.labels_)
    # A border point between two clusters (1-D): it is within eps of both outer cores.
    line = np.array([[0.0], [0.1], [0.2], [0.3], [0.65], [1.0], [1.1], [1.2], [1.3]])
    ours = DBSCAN(eps=0.36, min_samples=4).fit(line)
    ref = sk_cluster.DBSCAN(eps=0.36, min_samples=4).fit(line)
    assert 4 not in ours.core_sample_indices_ and len(np.unique(ours.labels_)) == 2
    assert np.array_equal(ours.labels_, ref.labels_)
    reversed_line = line[::-1]                                      # now the other cluster is found first
    assert np.array_equal(DBSCAN(eps=0.36, min_samples=4).fit(reversed_line).labels_,
                          sk_cluster.DBSCAN(eps=0.36, min_samples=4).fit(reversed_line).labels_)


def test_dbscan_edge_cases():
    X = np.array([[0.0, 0.0]])
    assert np.array_equal(DBSCAN(min_samples=1).fit(X).labels_, [0])
    assert np.array_equal(DBSCAN(min_samples=2).fit(X).labels_,
                          sk_cluster.DBSCAN(min_samples=2).fit(X).labels_)
    dup = np.zeros((6, 2))                                          # all identical: one cluster
    assert np.array_equal(DBSCAN().fit(dup).labels_, sk_cluster.DBSCAN().fit(dup).labels_)
    with pytest.raises(ValueError, match="eps must be > 0"):
        DBSCAN(eps=0.0).fit(dup)
    with pytest.raises(ValueError, match="min_samples"):
        DBSCAN(min_samples=0).fit(dup)
    with pytest.raises(ValueError, match="2D array"):
        DBSCAN().fit(np.zeros(5))
    with pytest.raises(ValueError, match="infinity"):
        DBSCAN().fit(np.array([[0.0, np.inf]]))


# ---------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_silhouette_matches_sklearn(seed, shape):
    X, k = make_data(seed, shape)
    rng = np.random.default_rng(seed)
    for labels in (KMeans(k, random_state=seed).fit(X).labels_, rng.integers(0, k, size=len(X))):
        assert_allclose(silhouette_samples(X, labels), sk_metrics.silhouette_samples(X, labels),
                        rtol=1e-12, atol=1e-12)
        assert silhouette_score(X, labels) == pytest.approx(sk_metrics.silhouette_score(X, labels),
                                                            rel=1e-12, abs=1e-12)


def test_silhouette_singletons_duplicates_and_errors():
    X = np.array([[0.0], [0.0], [1.0], [5.0], [5.0]])
    labels = np.array(["a", "a", "b", "c", "c"])                 # "b" is a singleton, string labels
    assert_allclose(silhouette_samples(X, labels), sk_metrics.silhouette_samples(X, labels), atol=1e-12)
    with pytest.raises(ValueError, match="Number of labels is 1"):
        silhouette_score(X, np.zeros(5))
    with pytest.raises(ValueError):
        sk_metrics.silhouette_score(X, np.zeros(5))
    with pytest.raises(ValueError, match="Number of labels is 5"):
        silhouette_score(X, np.arange(5))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        silhouette_score(X, np.arange(4) % 2)
    with pytest.raises(ValueError, match="1D"):
        silhouette_score(X, np.zeros((5, 2)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n", "k1", "k2"), [(30, 2, 3), (200, 5, 5), (500, 10, 3), (10, 10, 1)])
def test_adjusted_rand_matches_sklearn(seed, n, k1, k2):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, k1, size=n)
    b = np.where(rng.uniform(size=n) < 0.7, a % max(k2, 1), rng.integers(0, k2, size=n))  # correlated
    assert adjusted_rand_score(a, b) == pytest.approx(sk_metrics.adjusted_rand_score(a, b),
                                                      rel=1e-12, abs=1e-12)
    c = rng.integers(0, k2, size=n)                                     # independent
    assert adjusted_rand_score(a, c) == pytest.approx(sk_metrics.adjusted_rand_score(a, c),
                                                      rel=1e-12, abs=1e-12)
    perm = rng.permutation(k1)
    assert adjusted_rand_score(a, perm[a]) == 1.0                      # relabelling does not matter


def test_adjusted_rand_special_cases_and_errors():
    for a, b in [([0, 0, 0], [1, 1, 1]), ([0, 1, 2], [5, 4, 3]), ([0], [0]), ([0, 0, 1, 1], [0, 1, 0, 1]),
                 (["x", "y", "y"], [1, 1, 2])]:
        assert adjusted_rand_score(a, b) == pytest.approx(sk_metrics.adjusted_rand_score(a, b), abs=1e-12)
    # Chance correction: the mean over random partitions is close to 0.
    rng = np.random.default_rng(0)
    scores = [adjusted_rand_score(rng.integers(0, 4, 100), rng.integers(0, 4, 100)) for _ in range(300)]
    assert abs(np.mean(scores)) < 0.01
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        adjusted_rand_score([0, 1, 1], [0, 1])
    with pytest.raises(ValueError):
        sk_metrics.adjusted_rand_score([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="labels_true must be 1D"):
        adjusted_rand_score(np.zeros((3, 2)), [0, 1, 1])


def test_fit_predict_equals_labels():
    X, k = make_data(0, (60, 2, 3))
    for model in (KMeans(k, random_state=0), AgglomerativeClustering(k), DBSCAN(eps=1.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert np.array_equal(model.fit_predict(X), model.labels_)
