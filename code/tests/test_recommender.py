"""ALS matrix factorisation against independent least-squares solves, and neighbourhood
collaborative filtering against explicit loops, NumPy and scikit-learn.

scikit-learn has no matrix-factorisation recommender, so ALS is checked by its defining
properties: each half-step is the closed-form ridge solution (computed here independently
with ``numpy.linalg.lstsq`` on the augmented system), the objective never increases, and
a noiseless low-rank matrix is recovered from enough observed entries.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine_similarity

from groundml import NotFittedError
from groundml.recommender import (
    ALSMatrixFactorization,
    als_half_step,
    masked_rmse,
    mf_objective,
    neighborhood_predict,
    ratings_matrix,
    similarity_matrix,
)

SEEDS = range(5)
SHAPES = [(30, 20, 3), (50, 40, 5), (12, 60, 2)]     # (n_users, n_items, rank)


def low_rank_ratings(seed, n_users, n_items, rank, density=0.5, noise=0.0):
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(n_users, rank))
    Q = rng.normal(size=(n_items, rank))
    R = 3.0 + P @ Q.T / np.sqrt(rank) + noise * rng.normal(size=(n_users, n_items))
    mask = rng.random((n_users, n_items)) < density
    return R, mask


def ridge_by_lstsq(R, mask, F, reg):
    """Row a minimises ||F_obs x - r_obs||^2 + reg ||x||^2: least squares on [F_obs; sqrt(reg) I]."""
    k = F.shape[1]
    out = np.zeros((R.shape[0], k))
    for a in range(R.shape[0]):
        obs = mask[a]
        A = np.vstack([F[obs], np.sqrt(reg) * np.eye(k)])
        b = np.r_[R[a, obs], np.zeros(k)]
        out[a] = np.linalg.lstsq(A, b, rcond=None)[0]
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reg", [0.01, 1.0])
def test_half_steps_are_ridge_solutions(seed, shape, reg):
    R, mask = low_rank_ratings(seed, *shape, noise=0.3)
    mask[0] = False                                   # a user without ratings gets p_u = 0
    rng = np.random.default_rng(seed + 10)
    k = shape[2] + 1
    V = rng.normal(size=(shape[1], k))
    U = als_half_step(R, mask, V, reg)
    assert_allclose(U, ridge_by_lstsq(R, mask, V, reg), rtol=1e-10, atol=1e-10)
    assert_array_equal(U[0], 0.0)
    V_new = als_half_step(R.T, mask.T, U, reg)
    assert_allclose(V_new, ridge_by_lstsq(R.T, mask.T, U, reg), rtol=1e-10, atol=1e-10)
    # Each half-step minimises the objective over its block: no perturbation does better.
    J = mf_objective(R, mask, U, V, reg)
    for _ in range(5):
        assert mf_objective(R, mask, U + 1e-3 * rng.normal(size=U.shape), V, reg) > J


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_objective_is_non_increasing(seed, shape):
    R, mask = low_rank_ratings(seed, *shape, noise=0.5)
    model = ALSMatrixFactorization(n_factors=shape[2] + 2, reg=0.1, n_iter=15, random_state=seed).fit(R, mask)
    J = model.objective_
    assert J.shape == (16,)
    assert np.all(np.diff(J) <= 1e-9 * J[:-1])
    recomputed = mf_objective(R, mask, model.user_factors_, model.item_factors_, 0.1)
    assert J[-1] == pytest.approx(recomputed, rel=1e-12)
    # The objective in loop form, one observed entry at a time.
    loop = sum((R[u, i] - model.user_factors_[u] @ model.item_factors_[i]) ** 2
               for u in range(R.shape[0]) for i in range(R.shape[1]) if mask[u, i])
    loop += 0.1 * ((model.user_factors_ ** 2).sum() + (model.item_factors_ ** 2).sum())
    assert J[-1] == pytest.approx(loop, rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_noiseless_low_rank_is_recovered(seed):
    # Rank 3 (plus the constant 3, so rank 4 in total), 60% of entries observed.
    R, mask = low_rank_ratings(seed, 60, 50, 3, density=0.6)
    model = ALSMatrixFactorization(n_factors=4, reg=1e-6, n_iter=200, random_state=seed).fit(R, mask)
    test_rmse = masked_rmse(R, model.predict_matrix(), ~mask)
    assert test_rmse < 1e-3 * R.std()
    assert masked_rmse(R, model.predict_matrix(), mask) < 1e-3 * R.std()


@pytest.mark.parametrize("seed", SEEDS)
def test_determinism_predict_and_triplets(seed):
    R, mask = low_rank_ratings(seed, 20, 15, 2, noise=0.2)
    a = ALSMatrixFactorization(n_factors=3, random_state=seed).fit(R, mask)
    b = ALSMatrixFactorization(n_factors=3, random_state=seed).fit(R, mask)
    assert_array_equal(a.user_factors_, b.user_factors_)
    assert_array_equal(a.objective_, b.objective_)
    users, items = np.nonzero(mask)
    c = ALSMatrixFactorization(n_factors=3, random_state=seed).fit_triplets(users, items, R[mask], R.shape)
    assert_allclose(c.item_factors_, a.item_factors_, rtol=1e-12, atol=1e-12)
    qu, qi = np.array([0, 5, 19]), np.array([14, 0, 3])
    assert_allclose(a.predict(qu, qi), a.predict_matrix()[qu, qi], rtol=1e-12)
    # Unobserved entries are ignored, even if they hold NaN.
    d = ALSMatrixFactorization(n_factors=3, random_state=seed).fit(np.where(mask, R, np.nan), mask)
    assert_array_equal(d.user_factors_, a.user_factors_)


def test_als_bad_input():
    R, mask = low_rank_ratings(0, 10, 8, 2)
    with pytest.raises(ValueError, match="2D"):
        ALSMatrixFactorization().fit(R[0])
    with pytest.raises(ValueError, match="NaN"):
        ALSMatrixFactorization().fit(np.where(mask, np.nan, R))
    with pytest.raises(ValueError, match="infinity"):
        ALSMatrixFactorization().fit(np.where(mask, np.inf, R), mask)
    with pytest.raises(ValueError, match="shape"):
        ALSMatrixFactorization().fit(R, mask[:, :-1])
    with pytest.raises(ValueError, match="no observed"):
        ALSMatrixFactorization().fit(R, np.zeros_like(mask))
    for params in ({"reg": 0.0}, {"n_factors": 0}, {"n_iter": -1}):
        with pytest.raises(ValueError):
            ALSMatrixFactorization(**params).fit(R, mask)
    with pytest.raises(NotFittedError):
        ALSMatrixFactorization().predict([0], [0])
    model = ALSMatrixFactorization(n_factors=2, n_iter=2, random_state=0).fit(R, mask)
    with pytest.raises(ValueError, match="users"):
        model.predict([10], [0])
    with pytest.raises(ValueError, match="items"):
        model.predict([0], [-1])
    with pytest.raises(ValueError, match="same shape"):
        model.predict([0, 1], [0])
    with pytest.raises(ValueError, match="more than once"):
        ratings_matrix([0, 0], [1, 1], [3.0, 4.0])


# ---- neighbourhood collaborative filtering -------------------------------------------

def pearson_loop(R, mask, a, b):
    co = mask[a] & mask[b]
    if co.sum() < 2 or np.ptp(R[a, co]) == 0 or np.ptp(R[b, co]) == 0:
        return 0.0
    return np.corrcoef(R[a, co], R[b, co])[0, 1]


def predict_loop(R, mask, u, i, S, k, center):
    """The user-based rule written out with Python lists, from its definition."""
    def mean(v):
        return R[v, mask[v]].mean() if mask[v].any() else R[mask].mean()
    neighbours = [(S[u, v], v) for v in range(R.shape[0]) if v != u and mask[v, i] and S[u, v] > 0]
    neighbours = sorted(neighbours, key=lambda t: (-t[0], t[1]))[:k]
    if not neighbours:
        return mean(u)
    num = sum(s * (R[v, i] - (mean(v) if center else 0.0)) for s, v in neighbours)
    den = sum(s for s, _ in neighbours)
    return (mean(u) if center else 0.0) + num / den


def integer_ratings(seed, n_users, n_items, density=0.4):
    rng = np.random.default_rng(seed)
    R, _ = low_rank_ratings(seed, n_users, n_items, 2, noise=0.5)
    R = np.clip(np.round(R), 1, 5)
    mask = rng.random(R.shape) < density
    return R, mask


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(15, 12), (40, 25)])
def test_similarities(seed, shape):
    R, mask = integer_ratings(seed, *shape)
    filled = np.where(mask, R, 0.0)
    assert_allclose(similarity_matrix(R, mask, kind="cosine"), sk_cosine_similarity(filled),
                    rtol=1e-10, atol=1e-12)
    assert_allclose(similarity_matrix(R.T, mask.T, kind="cosine"), sk_cosine_similarity(filled.T),
                    rtol=1e-10, atol=1e-12)
    S = similarity_matrix(R, mask, kind="pearson")
    expected = np.array([[pearson_loop(R, mask, a, b) for b in range(shape[0])] for a in range(shape[0])])
    assert_allclose(S, expected, rtol=1e-9, atol=1e-9)
    assert_allclose(S, S.T, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("based", ["user", "item"])
@pytest.mark.parametrize("similarity", ["cosine", "pearson"])
@pytest.mark.parametrize("k", [1, 5, 100])
@pytest.mark.parametrize("center", [True, False])
def test_neighborhood_predict_matches_loop(seed, based, similarity, k, center):
    R, mask = integer_ratings(seed, 20, 15)
    rng = np.random.default_rng(seed)
    users, items = rng.integers(20, size=30), rng.integers(15, size=30)
    got = neighborhood_predict(R, mask, users, items, based=based, similarity=similarity, k=k, center=center)
    if based == "user":
        S = similarity_matrix(R, mask, kind=similarity)
        expected = [predict_loop(R, mask, u, i, S, k, center) for u, i in zip(users, items, strict=True)]
    else:
        S = similarity_matrix(R.T, mask.T, kind=similarity)
        expected = [predict_loop(R.T, mask.T, i, u, S, k, center) for u, i in zip(users, items, strict=True)]
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_neighborhood_bad_input():
    R, mask = integer_ratings(0, 6, 5)
    with pytest.raises(ValueError, match="based"):
        neighborhood_predict(R, mask, [0], [0], based="both")
    with pytest.raises(ValueError, match="kind"):
        similarity_matrix(R, mask, kind="jaccard")
    with pytest.raises(ValueError, match="users"):
        neighborhood_predict(R, mask, [6], [0])
    with pytest.raises(ValueError, match="k must"):
        neighborhood_predict(R, mask, [0], [0], k=0)
