"""groundml.linalg against NumPy, SciPy, scikit-learn and brute force."""

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.linalg import solve_triangular
from scipy.spatial import distance
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine_similarity

from groundml.linalg import (
    cosine_similarity,
    gram_schmidt,
    jaccard_distance,
    jaccard_similarity,
    lp_norm,
    mahalanobis,
    matmul_loops,
    matrix_chain_order,
    pinv,
    qr_solve,
    solve_upper_triangular,
)

SEEDS = range(5)


def random_spd(rng, n, cond=50.0):
    """A random symmetric positive definite matrix with condition number ``cond``."""
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return (Q * np.geomspace(1.0, cond, n)) @ Q.T


def matrix_with_condition(rng, m, n, cond):
    """An (m, n) matrix, m >= n, with singular values spaced log-evenly from 1 to 1/cond."""
    U, _ = np.linalg.qr(rng.normal(size=(m, n)))
    V, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return (U * np.geomspace(1.0, 1.0 / cond, n)) @ V.T


# ---- norms and distances -------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 3, 50])
@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, np.inf])
def test_lp_norm_matches_numpy(seed, n, p):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n) * (rng.random(n) < 0.7)      # some exact zeros, for p = 0
    assert_allclose(lp_norm(x, p), np.linalg.norm(x, ord=p), rtol=1e-12)
    X = rng.normal(size=(4, n))
    assert_allclose(lp_norm(X, p), np.linalg.norm(X, ord=p, axis=1), rtol=1e-12)


def test_lp_norm_of_zero_vector_and_extreme_scales():
    for p in [0, 0.5, 1, 2, np.inf]:
        assert lp_norm(np.zeros(4), p) == 0.0
    # entries whose squares overflow or underflow: the scaled formula still works
    for scale in [1e200, 1e-200]:
        x = scale * np.array([3.0, 4.0])
        assert_allclose(lp_norm(x, 2), 5 * scale, rtol=1e-14)
        assert_allclose(lp_norm(x, 0.5), scale * (np.sqrt(3) + 2) ** 2, rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_lp_norm_triangle_inequality_holds_for_p_at_least_one_only(seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(1000, 5)), rng.normal(size=(1000, 5))
    for p in [1, 1.5, 2, 4, np.inf]:
        assert np.all(lp_norm(X + Y, p) <= lp_norm(X, p) + lp_norm(Y, p) + 1e-12)
    e1, e2 = np.eye(2)
    for p in [0.3, 0.5, 0.9]:                           # ||e1 + e2||_p = 2^(1/p) > 2
        assert lp_norm(e1 + e2, p) > lp_norm(e1, p) + lp_norm(e2, p)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [2, 7, 100])
def test_cosine_similarity_matches_scipy_and_sklearn(seed, n):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    assert_allclose(1 - cosine_similarity(a, b), distance.cosine(a, b), rtol=1e-10, atol=1e-12)
    A, B = rng.normal(size=(6, n)), rng.normal(size=(4, n))
    assert_allclose(cosine_similarity(A, B), sk_cosine_similarity(A, B), rtol=1e-10, atol=1e-12)
    assert cosine_similarity(a, 3.0 * a) == pytest.approx(1.0, abs=1e-15)
    assert cosine_similarity(a, -a) == pytest.approx(-1.0, abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 3, 10])
def test_mahalanobis_matches_scipy(seed, n):
    rng = np.random.default_rng(seed)
    cov = random_spd(rng, n)
    VI = np.linalg.inv(cov)                             # scipy takes the inverse covariance
    X, y = rng.normal(size=(8, n)), rng.normal(size=n)
    expected = np.array([distance.mahalanobis(x, y, VI) for x in X])
    assert_allclose(mahalanobis(X, y, cov), expected, rtol=1e-10)
    assert_allclose(mahalanobis(X[0], y, cov), expected[0], rtol=1e-10)
    # the identity covariance gives the Euclidean distance
    assert_allclose(mahalanobis(X, y, np.eye(n)), np.linalg.norm(X - y, axis=1), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 5, 40])
def test_jaccard_matches_scipy_for_binary_vectors_and_sets(seed, n):
    rng = np.random.default_rng(seed)
    u, v = rng.random(n) < 0.4, rng.random(n) < 0.6
    assert_allclose(jaccard_distance(u, v), distance.jaccard(u, v), rtol=1e-12, atol=1e-15)
    assert_allclose(jaccard_similarity(u.astype(int), v.astype(int)),
                    1 - distance.jaccard(u, v), rtol=1e-12, atol=1e-15)
    A, B = set(np.flatnonzero(u).tolist()), set(np.flatnonzero(v).tolist())
    assert_allclose(jaccard_similarity(A, B), 1 - distance.jaccard(u, v), rtol=1e-12, atol=1e-15)


def test_jaccard_special_cases():
    assert jaccard_similarity(set(), set()) == 1.0 == 1 - distance.jaccard([0, 0], [0, 0])
    assert jaccard_similarity({"a", "b"}, {"c"}) == 0.0
    assert jaccard_similarity(frozenset("abc"), {"b", "c", "d"}) == 0.5


# ---- matrix products -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 2), (5, 1, 6), (7, 8, 9)])
def test_matmul_loops_matches_the_operator(seed, shape):
    m, n, p = shape
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, n)), rng.normal(size=(n, p))
    assert_allclose(matmul_loops(A, B), A @ B, rtol=1e-12, atol=1e-12)


def all_parenthesisations(first, last):
    """Every full parenthesisation of A_first ... A_last (1-based names), as strings."""
    if first == last:
        return [f"A{first}"]
    return [f"({left} {right})"
            for s in range(first, last)
            for left in all_parenthesisations(first, s)
            for right in all_parenthesisations(s + 1, last)]


def cost_of(order, dims):
    """Scalar multiplications of a parenthesisation string, by evaluating it on shapes."""
    stack = []
    total = 0
    for token in re.findall(r"\(|\)|A\d+", order):
        if token.startswith("A"):
            i = int(token[1:])
            stack.append((dims[i - 1], dims[i]))
        elif token == ")":
            (m, n), (n2, p) = stack[-2], stack[-1]
            assert n == n2
            stack[-2:] = [(m, p)]
            total += m * n * p
    assert len(stack) == 1 and stack[0] == (dims[0], dims[-1])
    return total


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_matrices", [1, 2, 3, 5, 7])
def test_matrix_chain_order_matches_brute_force(seed, n_matrices):
    rng = np.random.default_rng(seed)
    dims = rng.integers(1, 60, size=n_matrices + 1).tolist()
    cost, order = matrix_chain_order(dims)
    orders = all_parenthesisations(1, n_matrices)
    catalan = [1, 1, 2, 5, 14, 42, 132][n_matrices - 1]
    assert len(orders) == len(set(orders)) == catalan
    assert cost == min(cost_of(o, dims) for o in orders)
    assert order in orders and cost_of(order, dims) == cost


def test_matrix_chain_order_textbook_example_and_matrix_vector_case():
    # (A B) x with n x n matrices costs n^3 + n^2, A (B x) costs 2 n^2
    n = 100
    assert matrix_chain_order([n, n, n, 1]) == (2 * n * n, "(A1 (A2 A3))")
    assert matrix_chain_order([10, 100, 5, 50]) == (7500, "((A1 A2) A3)")


def test_matrix_chain_order_products_agree_numerically():
    rng = np.random.default_rng(0)
    dims = [5, 30, 2, 40, 3]
    mats = [rng.normal(size=(dims[i], dims[i + 1])) for i in range(4)]
    _, order = matrix_chain_order(dims)
    expression = re.sub(r"A(\d)", r"A[\1]", order).replace(" ", " @ ")   # "((A[1] @ A[2]) @ ...)"
    result = eval(expression, {"A": dict(enumerate(mats, start=1))})   # our own string only
    assert_allclose(result, mats[0] @ mats[1] @ mats[2] @ mats[3], rtol=1e-10, atol=1e-12)


# ---- QR and least squares ------------------------------------------------------------

SHAPES_TALL = [(3, 3), (10, 4), (50, 7), (200, 20)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES_TALL)
@pytest.mark.parametrize("modified", [True, False])
def test_gram_schmidt_matches_numpy_qr_up_to_column_signs(seed, shape, modified):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=shape)
    Q, R = gram_schmidt(A, modified=modified)
    Q_np, R_np = np.linalg.qr(A)                        # Householder; diagonal of R of any sign
    signs = np.sign(np.diag(R_np))
    assert_allclose(Q, Q_np * signs, rtol=1e-8, atol=1e-10)
    assert_allclose(R, signs[:, None] * R_np, rtol=1e-8, atol=1e-10)
    assert_allclose(Q @ R, A, rtol=1e-12, atol=1e-12)
    assert np.all(np.diag(R) > 0)
    assert_allclose(R, np.triu(R), atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_modified_gram_schmidt_keeps_orthogonality_where_classical_loses_it(seed):
    rng = np.random.default_rng(seed)
    cond = 1e10
    A = matrix_with_condition(rng, 60, 12, cond=cond)
    loss = {}
    for modified in (True, False):
        Q, _ = gram_schmidt(A, modified=modified)
        loss[modified] = np.linalg.norm(np.eye(12) - Q.T @ Q, 2)
    eps = np.finfo(float).eps
    assert loss[True] < 10 * eps * cond                 # modified: about u * kappa (2e-6 here)
    assert loss[False] > 1e-2                           # classical: orthogonality is gone


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 4, 30])
def test_solve_upper_triangular_matches_scipy(seed, n):
    rng = np.random.default_rng(seed)
    R = np.triu(rng.normal(size=(n, n))) + 3 * np.eye(n) * np.sign(rng.normal(size=n))
    b, B = rng.normal(size=n), rng.normal(size=(n, 3))
    assert_allclose(solve_upper_triangular(R, b), solve_triangular(R, b), rtol=1e-10, atol=1e-12)
    assert_allclose(solve_upper_triangular(R, B), solve_triangular(R, B), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES_TALL)
@pytest.mark.parametrize("n_targets", [None, 3])
def test_qr_solve_matches_lstsq(seed, shape, n_targets):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=shape)
    b = rng.normal(size=shape[:1] if n_targets is None else (shape[0], n_targets))
    x_ref, *_ = np.linalg.lstsq(A, b, rcond=None)
    x = qr_solve(A, b)
    assert x.shape == x_ref.shape
    assert_allclose(x, x_ref, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_qr_solve_is_accurate_on_an_ill_conditioned_problem(seed):
    # kappa = 1e7 and a consistent right-hand side: QR keeps the error near u * kappa,
    # far below the u * kappa^2 ~ 1 of the normal equations.
    rng = np.random.default_rng(seed)
    A = matrix_with_condition(rng, 40, 6, cond=1e7)
    x_true = rng.normal(size=6)
    x = qr_solve(A, A @ x_true)
    assert np.linalg.norm(x - x_true) / np.linalg.norm(x_true) < 1e-6


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(6, 6), (20, 5), (5, 20), (30, 30)])
@pytest.mark.parametrize("rank_deficient", [False, True])
def test_pinv_matches_numpy_and_satisfies_the_penrose_conditions(seed, shape, rank_deficient):
    rng = np.random.default_rng(seed)
    m, n = shape
    if rank_deficient:
        r = min(m, n) - 2
        A = rng.normal(size=(m, r)) @ rng.normal(size=(r, n))
    else:
        A = rng.normal(size=shape)
    P = pinv(A)
    assert P.shape == (n, m)
    assert_allclose(P, np.linalg.pinv(A), rtol=1e-8, atol=1e-10)
    tol = dict(rtol=1e-8, atol=1e-10)
    assert_allclose(A @ P @ A, A, **tol)
    assert_allclose(P @ A @ P, P, **tol)
    assert_allclose((A @ P).T, A @ P, **tol)
    assert_allclose((P @ A).T, P @ A, **tol)
    b = rng.normal(size=m)                              # minimum-norm least squares
    x_ref, *_ = np.linalg.lstsq(A, b, rcond=None)
    assert_allclose(P @ b, x_ref, rtol=1e-8, atol=1e-10)


def test_pinv_rcond_drops_small_singular_values():
    A = np.diag([1.0, 1e-3, 1e-12])
    assert_allclose(pinv(A), np.diag([1.0, 1e3, 1e12]), rtol=1e-12)
    assert_allclose(pinv(A, rcond=1e-6), np.diag([1.0, 1e3, 0.0]), rtol=1e-12)
    assert_allclose(pinv(A, rcond=1e-6), np.linalg.pinv(A, rcond=1e-6), rtol=1e-12)
    assert_allclose(pinv(np.zeros((2, 3))), np.zeros((3, 2)))


# ---- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: lp_norm([1.0, 2.0], -1), ValueError, "p must be"),
        (lambda: lp_norm([1.0, np.nan], 2), ValueError, "NaN or infinity"),
        (lambda: lp_norm(np.ones((2, 2, 2)), 2), ValueError, "dimension"),
        (lambda: lp_norm([], 2), ValueError, "empty"),
        (lambda: lp_norm(["a", "b"], 2), ValueError, "numeric"),
        (lambda: cosine_similarity([0.0, 0.0], [1.0, 2.0]), ValueError, "zero vector"),
        (lambda: cosine_similarity([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "shapes"),
        (lambda: mahalanobis([0.0, 0.0], [1.0, 1.0], [[1.0, 1.0], [1.0, 1.0]]), ValueError,
         "positive definite"),
        (lambda: mahalanobis([0.0, 0.0], [1.0, 1.0], [[1.0, 0.5], [0.0, 1.0]]), ValueError, "symmetric"),
        (lambda: mahalanobis([0.0, 0.0], [1.0, 1.0], np.eye(3)), ValueError, "features"),
        (lambda: jaccard_similarity({1}, np.array([True])), ValueError, "two sets"),
        (lambda: jaccard_similarity([1, 2], [0, 1]), ValueError, "0/1"),
        (lambda: jaccard_similarity([1, 0], [0, 1, 1]), ValueError, "same length"),
        (lambda: matmul_loops(np.ones((2, 3)), np.ones((2, 3))), ValueError, "Inner dimensions"),
        (lambda: matmul_loops(np.ones(3), np.ones((3, 1))), ValueError, "dimension"),
        (lambda: matrix_chain_order([5]), ValueError, "at least 2"),
        (lambda: matrix_chain_order([5, 0, 3]), ValueError, "positive integers"),
        (lambda: matrix_chain_order([5, 2.5, 3]), ValueError, "positive integers"),
        (lambda: gram_schmidt(np.ones((2, 3))), ValueError, "at least as many rows"),
        (lambda: gram_schmidt(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])), np.linalg.LinAlgError,
         "full column rank"),
        (lambda: qr_solve(np.ones((2, 3)), np.ones(2)), ValueError, "wide"),
        (lambda: qr_solve(np.ones((3, 2)), np.ones(4)), ValueError, "different numbers of rows"),
        (lambda: solve_upper_triangular(np.array([[1.0, 2.0], [0.0, 0.0]]), np.ones(2)),
         np.linalg.LinAlgError, "singular"),
        (lambda: pinv(np.ones(3)), ValueError, "dimension"),
        (lambda: pinv(np.ones((2, 2)), rcond=-1.0), ValueError, "non-negative"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
