"""Newton, BFGS, L-BFGS and CG against scipy.optimize and numpy.linalg; the equality QP and
the simplex projection against SLSQP and their KKT conditions."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess

from groundml.second_order import (
    ConvergenceWarning,
    backtracking_line_search,
    bfgs_minimize,
    bfgs_update,
    conjugate_gradient,
    lbfgs_minimize,
    lbfgs_two_loop,
    newton_minimize,
    project_onto_simplex,
    solve_equality_qp,
    wolfe_line_search,
)

SEEDS = range(5)
DIMS = [2, 5, 10]


def make_convex(seed, d):
    """A strictly convex test function: soft-plus terms plus a small quadratic.

    f(x) = sum_i log(1 + exp(a_i^T x - b_i)) + (mu / 2) ||x - x_c||^2 with Hessian
    A^T diag(s(1 - s)) A + mu I, where s is the logistic sigmoid.
    """
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3 * d, d))
    b = rng.normal(size=3 * d)
    mu, x_c = 0.1, rng.normal(size=d)

    def f(x):
        return np.sum(np.logaddexp(0.0, A @ x - b)) + 0.5 * mu * np.sum((x - x_c) ** 2)

    def grad(x):
        s = 1.0 / (1.0 + np.exp(-(A @ x - b)))
        return A.T @ s + mu * (x - x_c)

    def hess(x):
        s = 1.0 / (1.0 + np.exp(-(A @ x - b)))
        return A.T @ ((s * (1 - s))[:, None] * A) + mu * np.eye(d)

    x0 = 3.0 * rng.normal(size=d)
    return f, grad, hess, x0


def rosen_start(seed, d):
    """Classic start for d = 2; otherwise a start in the basin of the minimiser (1, ..., 1)."""
    if d == 2 and seed == 0:
        return np.array([-1.2, 1.0])
    return 1.0 + 0.3 * np.random.default_rng(seed).normal(size=d)


# ---- unconstrained minimisation ------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIMS)
def test_convex_minimiser_matches_scipy(seed, d):
    f, grad, hess, x0 = make_convex(seed, d)
    ref = minimize(f, x0, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-9})
    ref_bfgs = minimize(f, x0, jac=grad, method="BFGS", options={"gtol": 1e-10})
    # f is mu-strongly convex with mu = 0.1, so ||x - x*|| <= ||grad f(x)|| / mu: the
    # references are within 5e-7 of x*, and ours (gradient below 1e-9) within 1e-8.
    for r in (ref, ref_bfgs):
        assert np.linalg.norm(grad(r.x)) < 5e-8
    for method in ("newton", "newton-pure", "bfgs", "lbfgs"):
        if method == "newton":
            x, n_iter, hist = newton_minimize(f, grad, hess, x0, tol=1e-10)
        elif method == "newton-pure":
            # pure Newton is only locally convergent: a short damped run, then undamped steps
            x_mid, *_ = newton_minimize(f, grad, hess, x0, tol=1e-2)
            x, n_iter, hist = newton_minimize(None, grad, hess, x_mid, tol=1e-10, line_search=False)
        elif method == "bfgs":
            x, n_iter, hist = bfgs_minimize(f, grad, x0, tol=1e-9)
        else:
            x, n_iter, hist = lbfgs_minimize(f, grad, x0, memory=5, tol=1e-9)
        assert np.linalg.norm(grad(x)) <= 1e-9, method
        assert_allclose(x, ref.x, rtol=0, atol=1e-6, err_msg=method)
        assert_allclose(x, ref_bfgs.x, rtol=0, atol=1e-6, err_msg=method)
        assert hist.shape == (n_iter + 1, d)
        assert_allclose(hist[-1], x)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", [2, 4, 8])
def test_rosenbrock_minimiser_matches_scipy(seed, d):
    x0 = rosen_start(seed, d)
    ref = minimize(rosen, x0, jac=rosen_der, hess=rosen_hess, method="Newton-CG",
                   options={"xtol": 1e-12})
    ref_bfgs = minimize(rosen, x0, jac=rosen_der, method="BFGS", options={"gtol": 1e-10})
    assert_allclose(ref.x, np.ones(d), atol=1e-6)
    x_newton, n_newton, _ = newton_minimize(rosen, rosen_der, rosen_hess, x0, tol=1e-10)
    x_bfgs, n_bfgs, _ = bfgs_minimize(rosen, rosen_der, x0, tol=1e-9, max_iter=5000)
    x_lbfgs, _, _ = lbfgs_minimize(rosen, rosen_der, x0, tol=1e-9, max_iter=5000)
    # Near (1, ..., 1) the Hessian's smallest eigenvalue is about 0.4 for these d, so a
    # gradient below 1e-9 puts x within about 3e-9 of the minimiser.
    for x in (x_newton, x_bfgs, x_lbfgs):
        assert_allclose(x, ref.x, rtol=0, atol=1e-6)
        assert_allclose(x, ref_bfgs.x, rtol=0, atol=1e-6)
        assert_allclose(x, np.ones(d), rtol=0, atol=1e-8)
    assert n_newton < n_bfgs                                   # Newton needs fewer steps


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIMS)
def test_newton_solves_a_strictly_convex_quadratic_in_one_step(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    Q = M @ M.T + d * np.eye(d)
    c = rng.normal(size=d)
    for line_search in (True, False):
        x, n_iter, _ = newton_minimize(lambda x: 0.5 * x @ Q @ x + c @ x, lambda x: Q @ x + c,
                                       lambda x: Q, rng.normal(size=d), tol=1e-9,
                                       line_search=line_search)
        assert n_iter == 1
        assert_allclose(x, np.linalg.solve(Q, -c), rtol=1e-10, atol=1e-12)


def test_newton_converges_quadratically():
    # Nocedal and Wright, theorem 3.5: near the minimiser the gradient norms satisfy
    # ||g_{k+1}|| <= C ||g_k||^2, so the ratio below stays bounded while ||g_k|| -> 0.
    f, grad, hess, x0 = make_convex(0, 5)
    _, _, hist = newton_minimize(f, grad, hess, x0, tol=1e-13)
    gnorms = np.array([np.linalg.norm(grad(x)) for x in hist])
    local = gnorms[(gnorms < 1.0) & (gnorms > 1e-12)]          # the local phase, above rounding
    assert len(local) >= 3
    assert np.all(local[1:] / local[:-1] ** 2 < 1.0)
    assert gnorms[-1] <= 1e-13


def test_pure_newton_can_diverge_and_damped_newton_fixes_it():
    f = lambda x: np.sqrt(1 + x[0] ** 2)                       # strictly convex, minimiser 0
    grad = lambda x: x / np.sqrt(1 + x ** 2)
    hess = lambda x: np.array([[(1 + x[0] ** 2) ** -1.5]])
    # outside |x| < 1 the pure iteration x -> -x^3 runs away
    with pytest.warns(ConvergenceWarning):
        _, _, hist = newton_minimize(None, grad, hess, [1.5], line_search=False, max_iter=4)
    assert_allclose(hist[:, 0], [1.5, -1.5 ** 3, 1.5 ** 9, -(1.5 ** 27), 1.5 ** 81], rtol=1e-9)
    x, _, _ = newton_minimize(f, grad, hess, [1.5])
    assert_allclose(x, [0.0], atol=1e-10)
    # inside |x| < 1 the pure iteration x -> -x^3 converges
    _, _, hist = newton_minimize(None, grad, hess, [0.5], line_search=False)
    assert_allclose(hist[1:4, 0], [-0.5 ** 3, 0.5 ** 9, -(0.5 ** 27)], rtol=1e-12)


def test_overflowing_iterates_raise_and_a_singular_hessian_is_reported():
    with pytest.raises(FloatingPointError, match="diverged"):
        newton_minimize(None, lambda x: x + 1.0, lambda x: np.array([[1e-300]]), [1.0],
                        line_search=False)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        newton_minimize(None, lambda x: x + 1.0, lambda x: np.zeros((1, 1)), [1.0],
                        line_search=False)


def test_pure_newton_finds_a_saddle_and_damped_newton_a_minimum():
    # f = x^2 - y^2 + y^4 / 4: saddle at 0, minima at (0, +-sqrt(2))
    f = lambda v: v[0] ** 2 - v[1] ** 2 + v[1] ** 4 / 4
    grad = lambda v: np.array([2 * v[0], -2 * v[1] + v[1] ** 3])
    hess = lambda v: np.array([[2.0, 0.0], [0.0, -2.0 + 3 * v[1] ** 2]])
    x_pure, *_ = newton_minimize(None, grad, hess, [0.5, 0.3], line_search=False)
    assert_allclose(x_pure, [0.0, 0.0], atol=1e-12)
    x_damped, *_ = newton_minimize(f, grad, hess, [0.5, 0.3])
    assert_allclose(x_damped, [0.0, np.sqrt(2)], atol=1e-10)


# ---- quasi-Newton pieces -------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", DIMS)
def test_bfgs_update_secant_symmetry_and_positive_definiteness(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    H = M @ M.T + 0.1 * np.eye(d)
    s = rng.normal(size=d)
    y = rng.normal(size=d)
    if y @ s < 0:
        y = -y
    H_new = bfgs_update(H, s, y)
    assert_allclose(H_new @ y, s, rtol=1e-9, atol=1e-9)        # secant condition
    assert_allclose(H_new, H_new.T, rtol=1e-12, atol=1e-12)
    assert np.linalg.eigvalsh(H_new).min() > 0
    # the product form written out
    rho = 1 / (y @ s)
    V = np.eye(d) - rho * np.outer(y, s)
    assert_allclose(H_new, V.T @ H @ V + rho * np.outer(s, s), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("m", [0, 1, 4])
def test_lbfgs_two_loop_equals_repeated_bfgs_updates(seed, m):
    rng = np.random.default_rng(seed)
    d = 6
    G = rng.normal(size=(d, d))
    G = G @ G.T + np.eye(d)                                    # y = G s gives y^T s > 0
    s_hist = [rng.normal(size=d) for _ in range(m)]
    y_hist = [G @ s for s in s_hist]
    g = rng.normal(size=d)
    gamma = (s_hist[-1] @ y_hist[-1]) / (y_hist[-1] @ y_hist[-1]) if m else 1.0
    H = gamma * np.eye(d)
    for s, y in zip(s_hist, y_hist, strict=True):
        H = bfgs_update(H, s, y)
    assert_allclose(lbfgs_two_loop(g, s_hist, y_hist), H @ g, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_wolfe_line_search_returns_a_step_satisfying_both_conditions(seed):
    f, grad, _, x0 = make_convex(seed, 5)
    g = grad(x0)
    p = -g * np.random.default_rng(seed).uniform(0.1, 10.0)
    alpha, f_new, g_new = wolfe_line_search(f, grad, x0, f(x0), g, p, c1=1e-4, c2=0.9)
    assert f_new <= f(x0) + 1e-4 * alpha * (g @ p)
    assert g_new @ p >= 0.9 * (g @ p)
    assert_allclose(g_new, grad(x0 + alpha * p), rtol=1e-12)
    alpha_b, f_b = backtracking_line_search(f, x0, f(x0), g, p)
    assert f_b <= f(x0) + 1e-4 * alpha_b * (g @ p)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [3, 20, 60])
def test_conjugate_gradient_matches_numpy_solve(seed, n):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    A = M @ M.T + n * np.eye(n)
    b = rng.normal(size=n)
    x, n_iter = conjugate_gradient(A, b, tol=1e-12)
    assert_allclose(x, np.linalg.solve(A, b), rtol=1e-9, atol=1e-12)
    x_op, _ = conjugate_gradient(lambda v: A @ v, b, tol=1e-12)   # matrix-free
    assert_allclose(x_op, x, rtol=1e-12, atol=1e-14)
    assert n_iter <= 2 * n


@pytest.mark.parametrize("seed", SEEDS)
def test_conjugate_gradient_needs_one_step_per_distinct_eigenvalue(seed):
    rng = np.random.default_rng(seed)
    n = 40
    U, _ = np.linalg.qr(rng.normal(size=(n, n)))
    eigenvalues = rng.choice([1.0, 3.0, 10.0], size=n)       # three distinct eigenvalues
    A = (U * eigenvalues) @ U.T
    b = rng.normal(size=n)
    x, n_iter = conjugate_gradient(A, b, tol=1e-8)
    assert n_iter <= 3
    assert_allclose(x, np.linalg.solve(A, b), rtol=1e-7, atol=1e-9)


# ---- equality-constrained QP ---------------------------------------------------------------

def make_qp(seed, n, m):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(n, n))
    Q = M @ M.T + 0.5 * np.eye(n)
    return Q, rng.normal(size=n), rng.normal(size=(m, n)), rng.normal(size=m)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n", "m"), [(2, 1), (5, 2), (8, 5), (6, 0)])
def test_equality_qp_kkt_residuals_and_slsqp(seed, n, m):
    Q, c, A, b = make_qp(seed, n, m)
    x, nu = solve_equality_qp(Q, c, A, b)
    assert x.shape == (n,) and nu.shape == (m,)
    assert_allclose(Q @ x + c + A.T @ nu, 0.0, atol=1e-10)     # stationarity
    assert_allclose(A @ x, b, atol=1e-10)                      # primal feasibility
    constraints = [{"type": "eq", "fun": lambda z: A @ z - b, "jac": lambda z: A}] if m else []
    ref = minimize(lambda z: 0.5 * z @ Q @ z + c @ z, np.zeros(n), jac=lambda z: Q @ z + c,
                   method="SLSQP", constraints=constraints, options={"ftol": 1e-14, "maxiter": 500})
    assert ref.success
    assert_allclose(x, ref.x, rtol=1e-5, atol=1e-6)
    # the closed form through the null space: x = x_p + Z (Z^T Q Z)^{-1} Z^T (-c - Q x_p)
    x_p = np.linalg.lstsq(A, b, rcond=None)[0] if m else np.zeros(n)
    Z = np.linalg.svd(A)[2][m:].T if m else np.eye(n)
    x_null = x_p + Z @ np.linalg.solve(Z.T @ Q @ Z, Z.T @ (-c - Q @ x_p))
    assert_allclose(x, x_null, rtol=1e-8, atol=1e-9)


def test_equality_qp_with_indefinite_q_positive_on_the_null_space():
    Q = np.diag([1.0, -1.0])                                   # indefinite ...
    A = np.array([[0.0, 1.0]])                                 # ... but x_2 is fixed
    x, nu = solve_equality_qp(Q, np.array([-2.0, 0.0]), A, np.array([3.0]))
    assert_allclose(x, [2.0, 3.0], atol=1e-12)
    assert_allclose(nu, [3.0], atol=1e-12)                     # -x_2 + nu = 0


@pytest.mark.parametrize(
    ("Q", "c", "A", "b", "message"),
    [
        (np.eye(2), np.zeros(2), np.ones((1, 3)), np.ones(1), "A must have shape"),
        (np.eye(3), np.zeros(2), np.ones((1, 2)), np.ones(1), "Q must have shape"),
        (np.eye(2), np.zeros(2), np.ones((1, 2)), np.ones(2), "b must have shape"),
        (np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros(2), np.ones((1, 2)), np.ones(1), "symmetric"),
        (np.eye(2), np.zeros(2), np.array([[1.0, 1.0], [2.0, 2.0]]), np.ones(2), "full row rank"),
        (np.diag([1.0, -1.0]), np.zeros(2), np.array([[1.0, 0.0]]), np.ones(1), "positive definite"),
        (np.eye(2), np.array([0.0, np.nan]), np.ones((1, 2)), np.ones(1), "NaN"),
        (np.eye(2), np.zeros(2), np.ones((3, 2)), np.ones(3), "more rows"),
    ],
)
def test_equality_qp_bad_input(Q, c, A, b, message):
    with pytest.raises(ValueError, match=message):
        solve_equality_qp(Q, c, A, b)


# ---- projection onto the simplex -----------------------------------------------------------

def check_simplex_kkt(v, x, radius=1.0):
    """Optimality of x = argmin ||x - v|| on the simplex: x_i = max(v_i - theta, 0)."""
    assert np.all(x >= 0)
    assert_allclose(x.sum(), radius, rtol=1e-12)
    support = x > 0
    theta = np.mean((v - x)[support])                          # v_i - x_i = theta on the support
    assert_allclose((v - x)[support], theta, atol=1e-12)
    assert np.all(v[~support] <= theta + 1e-12)                # v_i <= theta off the support


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 3, 10, 50])
@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0])
def test_simplex_projection_satisfies_kkt_and_matches_slsqp(seed, n, scale):
    rng = np.random.default_rng(seed)
    v = scale * rng.normal(size=n)
    x = project_onto_simplex(v)
    check_simplex_kkt(v, x)
    if n <= 10:
        ref = minimize(lambda z: 0.5 * np.sum((z - v) ** 2), np.full(n, 1.0 / n), jac=lambda z: z - v,
                       method="SLSQP", bounds=[(0, None)] * n,
                       constraints=[{"type": "eq", "fun": lambda z: z.sum() - 1.0}],
                       options={"ftol": 1e-15, "maxiter": 500})
        assert_allclose(x, ref.x, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_simplex_projection_beats_every_support_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 6
    v = rng.normal(size=n)
    x = project_onto_simplex(v)
    # For each support S, the best point with x_i = 0 off S and sum 1 is v_S - t 1 with
    # t = (sum v_S - 1) / |S|; among the feasible (non-negative) ones, pick the closest.
    best = np.inf
    for size in range(1, n + 1):
        for S in itertools.combinations(range(n), size):
            z = np.zeros(n)
            z[list(S)] = v[list(S)] - (v[list(S)].sum() - 1.0) / size
            if np.all(z >= -1e-15):
                best = min(best, np.sum((z - v) ** 2))
    assert_allclose(np.sum((x - v) ** 2), best, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_simplex_projection_rows_radius_and_fixed_points(seed):
    rng = np.random.default_rng(seed)
    V = rng.normal(size=(7, 5))
    X = project_onto_simplex(V, radius=3.0)
    for v, x in zip(V, X, strict=True):
        assert_allclose(x, project_onto_simplex(v, radius=3.0), rtol=1e-14)
        check_simplex_kkt(v, x, radius=3.0)
    p = rng.dirichlet(np.ones(5))                              # already on the simplex
    assert_allclose(project_onto_simplex(p), p, atol=1e-15)
    assert_allclose(project_onto_simplex(p + 4.0), p, atol=1e-14)   # shifts do not matter


@pytest.mark.parametrize(
    ("v", "radius", "message"),
    [
        (np.ones((2, 2, 2)), 1.0, "1-D or 2-D"),
        (np.array([]), 1.0, "non-empty"),
        (np.array([1.0, np.nan]), 1.0, "NaN"),
        (np.ones(3), 0.0, "radius"),
        (np.ones(3), -1.0, "radius"),
        (["a", "b"], 1.0, "numeric"),
    ],
)
def test_simplex_projection_bad_input(v, radius, message):
    with pytest.raises(ValueError, match=message):
        project_onto_simplex(v, radius=radius)


# ---- bad input and convergence reporting ---------------------------------------------------

def test_minimisers_reject_bad_input():
    f, grad, hess, _ = make_convex(0, 3)
    with pytest.raises(ValueError, match="1-D"):
        newton_minimize(f, grad, hess, np.ones((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        bfgs_minimize(f, grad, [1.0, np.nan, 0.0])
    with pytest.raises(ValueError, match="needs the objective"):
        newton_minimize(None, grad, hess, np.ones(3))
    with pytest.raises(ValueError, match="tol"):
        bfgs_minimize(f, grad, np.ones(3), tol=-1.0)
    with pytest.raises(ValueError, match="max_iter"):
        newton_minimize(f, grad, hess, np.ones(3), max_iter=2.5)
    with pytest.raises(ValueError, match="memory"):
        lbfgs_minimize(f, grad, np.ones(3), memory=0)
    with pytest.raises(ValueError, match="hess must return shape"):
        newton_minimize(f, grad, lambda x: np.eye(2), np.ones(3))


def test_update_and_line_search_reject_bad_input():
    with pytest.raises(ValueError, match="curvature condition"):
        bfgs_update(np.eye(2), np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
    with pytest.raises(ValueError, match="shape"):
        bfgs_update(np.eye(3), np.ones(2), np.ones(2))
    f = lambda x: x @ x
    grad = lambda x: 2 * x
    x = np.ones(2)
    with pytest.raises(ValueError, match="descent direction"):
        wolfe_line_search(f, grad, x, f(x), grad(x), grad(x))
    with pytest.raises(ValueError, match="descent direction"):
        backtracking_line_search(f, x, f(x), grad(x), grad(x))
    with pytest.raises(ValueError, match="c1 < c2"):
        wolfe_line_search(f, grad, x, f(x), grad(x), -grad(x), c1=0.5, c2=0.1)
    with pytest.raises(ValueError, match="same length"):
        lbfgs_two_loop(np.ones(2), [np.ones(2)], [])


def test_conjugate_gradient_rejects_bad_matrices():
    with pytest.raises(ValueError, match="symmetric"):
        conjugate_gradient(np.array([[2.0, 1.0], [0.0, 2.0]]), np.ones(2))
    with pytest.raises(ValueError, match="positive definite"):
        conjugate_gradient(np.diag([1.0, -1.0]), np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        conjugate_gradient(np.eye(3), np.ones(2))


def test_max_iter_too_small_warns():
    with pytest.warns(ConvergenceWarning):
        newton_minimize(rosen, rosen_der, rosen_hess, [-1.2, 1.0], max_iter=2)
    with pytest.warns(ConvergenceWarning):
        bfgs_minimize(rosen, rosen_der, [-1.2, 1.0], max_iter=3)
    with pytest.warns(ConvergenceWarning):
        conjugate_gradient(np.diag(np.arange(1.0, 11.0)), np.ones(10), max_iter=2)
