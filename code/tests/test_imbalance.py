"""Resampling, SMOTE, class weights and the focal loss.

SMOTE has no reference implementation installed (imbalanced-learn is not a dependency),
so its tests check the properties that define it, with neighbours from scikit-learn.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import log_loss
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.class_weight import compute_class_weight as sk_compute_class_weight

from groundml.gradcheck import numerical_gradient
from groundml.imbalance import (
    SMOTE,
    compute_class_weight,
    focal_loss,
    focal_loss_grad,
    random_oversample,
    random_undersample,
)

SEEDS = range(5)
# (class counts, n_features)
SHAPES = [((60, 12), 2), ((200, 30, 9), 5), ((25, 25), 3), ((500, 7), 1)]


def make_imbalanced(seed, counts, n_features, labels=None):
    rng = np.random.default_rng(seed)
    labels = np.arange(len(counts)) if labels is None else np.asarray(labels)
    X = np.concatenate([rng.normal(loc=2.0 * c, size=(n, n_features)) for c, n in enumerate(counts)])
    y = np.repeat(labels, counts)
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---------------------------------------------------------------- random resampling


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_random_oversample(seed, shape):
    counts, d = shape
    X, y = make_imbalanced(seed, counts, d)
    X_res, y_res = random_oversample(X, y, random_state=seed)
    assert_allclose(np.bincount(y_res), max(counts))
    assert_allclose(X_res[: len(y)], X)                   # originals kept, first
    # every added row is a copy of an original row of the same class
    for row, label in zip(X_res[len(y):], y_res[len(y):], strict=True):
        assert np.any(np.all(X[y == label] == row, axis=1))
    X_again, _ = random_oversample(X, y, random_state=seed)
    assert_allclose(X_again, X_res)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_random_undersample(seed, shape):
    counts, d = shape
    X, y = make_imbalanced(seed, counts, d)
    X_res, y_res = random_undersample(X, y, random_state=seed)
    assert_allclose(np.bincount(y_res), min(counts))
    # a subset of the original rows without repeats
    rows = {tuple(r) for r in X}
    assert all(tuple(r) in rows for r in X_res)
    assert len({tuple(r) for r in X_res}) == len(X_res)


# ---------------------------------------------------------------- SMOTE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("k", [1, 3, 5])
def test_smote_properties(seed, shape, k):
    counts, d = shape
    X, y = make_imbalanced(seed, counts, d, labels=["a", "b", "c"][: len(counts)])
    X_res, y_res = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
    n_max = max(counts)
    assert X_res.shape == (len(counts) * n_max, d) and y_res.shape == (len(counts) * n_max,)
    assert_allclose(X_res[: len(y)], X)
    assert np.array_equal(y_res[: len(y)], y)
    for label in np.unique(y):
        assert np.sum(y_res == label) == n_max
        members = X[y == label]
        # k nearest neighbours of each member within its class (the first hit is the point itself)
        finder = NearestNeighbors(n_neighbors=k + 1).fit(members)
        nn = finder.kneighbors(members, return_distance=False)[:, 1:]
        synthetic = X_res[len(y):][y_res[len(y):] == label]
        for point in synthetic:
            # is point = x_i + u (x_j - x_i) for some i, some j among i's neighbours, u in [0, 1]?
            base = members[:, None, :]                       # (n_c, 1, d)
            direction = members[nn] - base                   # (n_c, k, d)
            u = np.sum((point - base) * direction, axis=-1) / np.sum(direction ** 2, axis=-1)
            residual = np.linalg.norm(point - base - u[..., None] * direction, axis=-1)
            ok = (residual < 1e-9) & (u >= -1e-12) & (u <= 1 + 1e-12)
            assert ok.any()


@pytest.mark.parametrize("seed", SEEDS)
def test_smote_deterministic_per_seed(seed):
    X, y = make_imbalanced(seed, (80, 15), 3)
    a = SMOTE(random_state=seed).fit_resample(X, y)[0]
    b = SMOTE(random_state=seed).fit_resample(X, y)[0]
    c = SMOTE(random_state=seed + 10).fit_resample(X, y)[0]
    assert_allclose(a, b)
    assert not np.allclose(a, c)


def test_smote_errors():
    X, y = make_imbalanced(0, (30, 5), 2)
    with pytest.raises(ValueError, match="at least 6"):
        SMOTE(k_neighbors=5).fit_resample(X, y)           # 5 minority samples < k + 1
    SMOTE(k_neighbors=4).fit_resample(X, y)               # exactly k + 1 is enough
    with pytest.raises(ValueError):
        SMOTE().fit_resample(X, np.zeros(35))             # one class
    with pytest.raises(ValueError):
        SMOTE().fit_resample(X[:, 0], y)                  # 1D X
    with pytest.raises(ValueError):
        SMOTE().fit_resample(X[:-1], y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError):
        SMOTE(k_neighbors=2).fit_resample(X_nan, y)
    with pytest.raises(ValueError):
        SMOTE(k_neighbors=0).fit_resample(X, y)


# ---------------------------------------------------------------- class weights


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("counts", [(90, 10), (5, 50, 500), (7, 7, 7, 1)])
def test_balanced_class_weight_matches_sklearn(seed, counts):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.array([3, 1, 7, 4][: len(counts)]), counts))
    classes = np.unique(y)
    ours = compute_class_weight("balanced", classes=classes, y=y)
    ref = sk_compute_class_weight("balanced", classes=classes, y=y)
    assert_allclose(ours, ref, rtol=1e-15)
    assert_allclose(ours * np.array([np.sum(y == c) for c in classes]), len(y) / len(classes))
    assert_allclose(compute_class_weight(None, classes=classes, y=y),
                    sk_compute_class_weight(None, classes=classes, y=y))
    weights = {c: float(i + 2) for i, c in enumerate(classes)}
    assert_allclose(compute_class_weight(weights, classes=classes, y=y),
                    sk_compute_class_weight(weights, classes=classes, y=y))


def test_class_weight_errors_like_sklearn():
    y = np.array([0, 0, 1, 1, 2])
    for fn in (compute_class_weight, sk_compute_class_weight):
        with pytest.raises(ValueError):
            fn("balanced", classes=np.array([0, 1]), y=y)           # label 2 missing from classes
        with pytest.raises(ValueError):
            fn("balanced", classes=np.array([0, 1, 2, 3]), y=y)     # class 3 absent from y


# ---------------------------------------------------------------- focal loss


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 10, 200])
def test_focal_loss_is_log_loss_at_gamma_zero(seed, n):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3, size=n)
    y = (rng.random(n) < 0.3).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert focal_loss(z, y, gamma=0.0) == pytest.approx(log_loss(y, p, labels=[0, 1]), rel=1e-10)
    assert_allclose(focal_loss_grad(z, y, gamma=0.0, reduction="none"), p - y, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_focal_loss_gradient_matches_finite_differences(seed, gamma, alpha, reduction):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2, size=12)
    y = (rng.random(12) < 0.4).astype(float)
    f = lambda v: focal_loss(v, y, gamma=gamma, alpha=alpha, reduction=reduction)   # noqa: E731
    assert_allclose(focal_loss_grad(z, y, gamma=gamma, alpha=alpha, reduction=reduction),
                    numerical_gradient(f, z), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_focal_loss_matches_its_formula(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=50)
    y = (rng.random(50) < 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, 0.25, 0.75)
    expected = -alpha_t * (1 - p_t) ** 2 * np.log(p_t)
    assert_allclose(focal_loss(z, y, gamma=2, alpha=0.25, reduction="none"), expected, rtol=1e-10)
    # down-weighting: focal loss never exceeds the (alpha-weighted) cross-entropy
    assert np.all(expected <= -alpha_t * np.log(p_t) + 1e-15)


def test_focal_loss_extreme_logits_are_finite():
    z = np.array([-800.0, 800.0, -800.0, 800.0])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    loss = focal_loss(z, y, reduction="none")
    assert np.all(np.isfinite(loss)) and loss[0] == 0 and loss[2] == pytest.approx(800)
    assert np.all(np.isfinite(focal_loss_grad(z, y)))


def test_focal_loss_errors():
    with pytest.raises(ValueError):
        focal_loss([0.1, 0.2], [0, 1, 1])
    with pytest.raises(ValueError):
        focal_loss([0.1, 0.2], [0, 0.5])
    with pytest.raises(ValueError):
        focal_loss([0.1, np.nan], [0, 1])
    with pytest.raises(ValueError):
        focal_loss([0.1, 0.2], [0, 1], gamma=-1)
    with pytest.raises(ValueError):
        focal_loss([0.1, 0.2], [0, 1], reduction="max")
    with pytest.raises(ValueError):
        focal_loss_grad([0.1, 0.2], [0, 1], alpha=1.5)
