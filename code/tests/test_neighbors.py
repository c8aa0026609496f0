"""k-nearest-neighbour classification and regression against scikit-learn (brute force).

The data are continuous random features, so no two distances to a query are equal and
the neighbours are unique. With ties scikit-learn's order among equal distances is not
specified (it comes from an unstable partial sort); ours is stable by training index.
Tied data are therefore only tested where the answer does not depend on the order.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist
from sklearn import neighbors as sk_neighbors
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.preprocessing import StandardScaler

from groundml import NotFittedError
from groundml.neighbors import KNeighborsClassifier, KNeighborsRegressor, pairwise_distances

SEEDS = range(5)
TOL = 1e-10
# (n_train, n_test, n_features)
SHAPES = [(30, 10, 1), (200, 40, 5), (150, 30, 40)]


def make_data(seed, n_train, n_test, n_features, n_classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_test, n_features)) * rng.uniform(0.5, 2.0, size=n_features)
    y = rng.integers(n_classes, size=n_train)
    y[:n_classes] = np.arange(n_classes)
    return X[:n_train], X[n_train:], y


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_pairwise_distances_match_scipy_and_loop(seed, metric):
    A, B, _ = make_data(seed, 20, 15, 4)
    D = pairwise_distances(A, B, metric)
    ref = cdist(A, B, metric="cityblock" if metric == "manhattan" else metric)
    assert_allclose(D, ref, rtol=1e-10, atol=1e-12)
    loop = np.array([[np.linalg.norm(a - b, ord=2 if metric == "euclidean" else 1) for b in B] for a in A])
    assert_allclose(D, loop, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("metric, n_neighbors", [("euclidean", 1), ("euclidean", 7), ("euclidean", 30),
                                                 ("manhattan", 7)])
def test_classifier_matches_sklearn(seed, shape, weights, metric, n_neighbors):
    X, X_test, y = make_data(seed, *shape)
    params = {"n_neighbors": n_neighbors, "weights": weights, "metric": metric}
    ours = KNeighborsClassifier(**params).fit(X, y)
    ref = sk_neighbors.KNeighborsClassifier(algorithm="brute", **params).fit(X, y)
    dist, ind = ours.kneighbors(X_test)
    ref_dist, ref_ind = ref.kneighbors(X_test)
    assert_array_equal(ind, ref_ind)
    assert_allclose(dist, ref_dist, rtol=TOL, atol=TOL)
    assert_allclose(ours.predict_proba(X_test), ref.predict_proba(X_test), rtol=TOL, atol=TOL)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))
    assert ours.score(X_test, ref.predict(X_test)) == 1.0
    assert_array_equal(ours.classes_, ref.classes_)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weights, multi_output",
                         [("uniform", False), ("distance", False), ("distance", True)])
def test_regressor_matches_sklearn(seed, shape, weights, multi_output):
    X, X_test, _ = make_data(seed, *shape)
    rng = np.random.default_rng(seed + 1)
    y = rng.normal(size=(shape[0], 2) if multi_output else shape[0])
    ours = KNeighborsRegressor(n_neighbors=7, weights=weights).fit(X, y)
    ref = sk_neighbors.KNeighborsRegressor(n_neighbors=7, weights=weights, algorithm="brute").fit(X, y)
    assert_allclose(ours.predict(X_test), ref.predict(X_test), rtol=TOL, atol=TOL)
    y_test = rng.normal(size=ref.predict(X_test).shape)
    assert ours.score(X_test, y_test) == pytest.approx(ref.score(X_test, y_test), rel=TOL)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_classifier_matches_sklearn_on_bundled_data(loader, weights):
    # Standardised measurements plus a tiny seeded jitter, so that no two training
    # points are at the same distance from a query (iris has duplicate rows).
    X, y = loader(return_X_y=True)
    rng = np.random.default_rng(0)
    X = StandardScaler().fit_transform(X) + 1e-6 * rng.normal(size=X.shape)
    X_train, y_train, X_test = X[::2], y[::2], X[1::2]
    ours = KNeighborsClassifier(n_neighbors=7, weights=weights).fit(X_train, y_train)
    ref = sk_neighbors.KNeighborsClassifier(n_neighbors=7, weights=weights, algorithm="brute")
    ref.fit(X_train, y_train)
    assert_array_equal(ours.kneighbors(X_test)[1], ref.kneighbors(X_test)[1])
    assert_allclose(ours.predict_proba(X_test), ref.predict_proba(X_test), rtol=TOL, atol=TOL)
    assert_array_equal(ours.predict(X_test), ref.predict(X_test))


def test_chunking_does_not_change_the_answer(monkeypatch):
    import groundml.neighbors as module

    X, X_test, y = make_data(0, 100, 37, 3)
    full = KNeighborsClassifier(n_neighbors=4).fit(X, y).kneighbors(X_test)
    monkeypatch.setattr(module, "_BLOCK_ENTRIES", 250)          # blocks of 2 query rows
    chunked = KNeighborsClassifier(n_neighbors=4).fit(X, y).kneighbors(X_test)
    assert_array_equal(full[1], chunked[1])
    assert_allclose(full[0], chunked[0], rtol=0, atol=0)


@pytest.mark.parametrize("n_neighbors", [None, 3, 60])
def test_kneighbors_argument_and_all_neighbours(n_neighbors):
    X, X_test, y = make_data(1, 60, 10, 4)
    ours = KNeighborsClassifier().fit(X, y)
    ref = sk_neighbors.KNeighborsClassifier(algorithm="brute").fit(X, y)
    assert_array_equal(ours.kneighbors(X_test, n_neighbors)[1], ref.kneighbors(X_test, n_neighbors)[1])
    assert_array_equal(ours.kneighbors(X_test, n_neighbors, return_distance=False),
                       ref.kneighbors(X_test, n_neighbors, return_distance=False))


@pytest.mark.parametrize("seed", SEEDS)
def test_distance_weights_give_an_exact_match_all_the_weight(seed):
    # Integer features: the expanded distance formula is then exact, so scikit-learn also
    # finds distance 0 for a query equal to a training point and gives it all the weight.
    # (With large non-integer values scikit-learn's expansion can return ~1e-5 instead of 0;
    # we recompute the chosen neighbours' distances directly and always find 0.)
    rng = np.random.default_rng(seed)
    X = rng.permutation(np.arange(300.0)).reshape(100, 3)     # distinct integer rows
    y = rng.integers(3, size=100)
    y_reg = rng.normal(size=100)
    X_query = X[:20]
    ours = KNeighborsClassifier(n_neighbors=5, weights="distance").fit(X, y)
    ref = sk_neighbors.KNeighborsClassifier(n_neighbors=5, weights="distance", algorithm="brute").fit(X, y)
    expected = np.eye(3)[y[:20]]
    assert_array_equal(ours.predict_proba(X_query), expected)
    assert_array_equal(ref.predict_proba(X_query), expected)
    assert_array_equal(ours.predict(X_query), y[:20])
    reg = KNeighborsRegressor(n_neighbors=5, weights="distance").fit(X, y_reg)
    ref_reg = sk_neighbors.KNeighborsRegressor(n_neighbors=5, weights="distance", algorithm="brute")
    assert_array_equal(reg.predict(X_query), y_reg[:20])
    assert_allclose(ref_reg.fit(X, y_reg).predict(X_query), y_reg[:20], rtol=0, atol=0)


def test_ties_broken_by_training_index():
    # Four training points at distance 1 from the query: we take the lowest indices.
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [5.0, 5.0]])
    dist, ind = KNeighborsRegressor(n_neighbors=2).fit(X, np.arange(5.0)).kneighbors([[0.0, 0.0]])
    assert_array_equal(ind, [[0, 1]])
    assert_allclose(dist, [[1.0, 1.0]])


def test_string_labels_and_vote_tie_goes_to_first_class():
    X = np.array([[0.0], [1.0], [3.0], [4.0]])
    y = np.array(["b", "a", "b", "a"])
    model = KNeighborsClassifier(n_neighbors=2).fit(X, y)
    # query 0.4: neighbours 0.0 ("b") and 1.0 ("a"), one vote each: "a" comes first in classes_
    assert_array_equal(model.classes_, ["a", "b"])
    assert model.predict([[0.4]])[0] == "a"
    assert model.predict([[0.4]])[0] == sk_neighbors.KNeighborsClassifier(n_neighbors=2).fit(X, y).predict(
        [[0.4]])[0]


# --- bad input -------------------------------------------------------------------------

MODELS = [(KNeighborsClassifier, sk_neighbors.KNeighborsClassifier),
          (KNeighborsRegressor, sk_neighbors.KNeighborsRegressor)]


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_bad_input_raises_like_sklearn(ours_cls, ref_cls):
    X, _, y = make_data(0, 30, 0, 3, n_classes=2)
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[2, 1], X_inf[4, 0] = np.nan, np.inf
    for X_bad, y_bad in [(X[:, 0], y), (X[:, :, None], y), (X, y[:-1]), (X_nan, y), (X_inf, y)]:
        with pytest.raises(ValueError):
            ours_cls().fit(X_bad, y_bad)
        with pytest.raises(ValueError):
            ref_cls().fit(X_bad, y_bad)


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_predict_checks_like_sklearn(ours_cls, ref_cls):
    X, X_test, y = make_data(0, 30, 5, 3, n_classes=2)
    with pytest.raises(NotFittedError):
        ours_cls().predict(X_test)
    with pytest.raises(NotFittedError):
        ours_cls().kneighbors(X_test)
    ours, ref = ours_cls().fit(X, y), ref_cls(algorithm="brute").fit(X, y)
    X_nan = X_test.copy()
    X_nan[0, 0] = np.nan
    for X_bad in (X_test[:, :2], X_nan, X_test[0]):
        with pytest.raises(ValueError):
            ours.predict(X_bad)
        with pytest.raises(ValueError):
            ref.predict(X_bad)
    with pytest.raises(ValueError, match="features"):
        ours.predict(X_test[:, :2])


@pytest.mark.parametrize("ours_cls, ref_cls", MODELS)
def test_too_many_neighbours_raise_like_sklearn(ours_cls, ref_cls):
    X, X_test, y = make_data(0, 30, 5, 3, n_classes=2)
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        ours_cls(n_neighbors=31).fit(X, y).predict(X_test)
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit"):
        ref_cls(n_neighbors=31, algorithm="brute").fit(X, y).predict(X_test)


@pytest.mark.parametrize("params", [{"n_neighbors": 0}, {"n_neighbors": 2.5}, {"weights": "gaussian"},
                                    {"metric": "cosine-ish"}])
def test_bad_parameters_raise_like_sklearn(params):
    X, _, y = make_data(0, 30, 0, 3, n_classes=2)
    with pytest.raises(ValueError):
        KNeighborsClassifier(**params).fit(X, y)
    with pytest.raises(ValueError):
        sk_neighbors.KNeighborsClassifier(**params).fit(X, y).predict(X)


def test_classifier_rejects_one_class_and_continuous_labels():
    X, _, _ = make_data(0, 30, 0, 3)
    # scikit-learn fits one class and always predicts it; we refuse, as every classifier
    # in this package does (check_classification_targets).
    with pytest.raises(ValueError, match="one class"):
        KNeighborsClassifier().fit(X, np.zeros(30))
    with pytest.raises(ValueError):
        KNeighborsClassifier().fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError):
        sk_neighbors.KNeighborsClassifier().fit(X, np.linspace(0, 1, 30))
