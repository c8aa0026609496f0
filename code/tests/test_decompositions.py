"""Decompositions against numpy.linalg, SciPy and scikit-learn."""

import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
from numpy.testing import assert_allclose
from sklearn.decomposition import TruncatedSVD

from groundml.decompositions import (
    cholesky,
    low_rank_approximation,
    power_iteration,
    rayleigh_quotient,
    sample_multivariate_normal,
    svd_via_eigh,
)
from groundml.gradcheck import numerical_gradient
from groundml.linear_model import ConvergenceWarning

SEEDS = range(5)
SIZES = [2, 5, 20, 60]
SHAPES = [(6, 6), (30, 8), (8, 30), (100, 40)]   # square, tall, wide, larger


def random_orthogonal(rng, n):
    Q, R = np.linalg.qr(rng.normal(size=(n, n)))
    return Q * np.sign(np.diag(R))


def symmetric_with_gap(rng, n, ratio=0.7):
    """Symmetric matrix whose two largest |eigenvalues| have ratio |lambda_2 / lambda_1| = ratio."""
    lam = np.concatenate([[5.0], 5.0 * ratio * rng.uniform(-1, 1, size=n - 1)])
    lam[1] = 5.0 * ratio * rng.choice([-1.0, 1.0]) if n > 1 else lam[0]
    Q = random_orthogonal(rng, n)
    return (Q * lam) @ Q.T


def random_spd(rng, n, cond=100.0):
    Q = random_orthogonal(rng, n)
    lam = np.geomspace(1.0, cond, n)
    return (Q * lam) @ Q.T


def same_up_to_sign(x, y, atol):
    sign = np.sign(x @ y) or 1.0
    assert_allclose(sign * x, y, atol=atol)


# ---- power iteration and the Rayleigh quotient ----------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_power_iteration_matches_eigh_for_symmetric_matrices(seed, n):
    rng = np.random.default_rng(seed)
    A = symmetric_with_gap(rng, n)
    value, vector, n_done = power_iteration(A, n_iter=5000, tol=1e-12, random_state=seed)
    eigenvalues, eigenvectors = np.linalg.eigh(A)
    top = np.argmax(np.abs(eigenvalues))
    assert value == pytest.approx(eigenvalues[top], rel=1e-10)
    # residual 1e-12 * |lambda_1| and gap (1 - 0.7) |lambda_1| bound the angle by about 3e-12
    same_up_to_sign(vector, eigenvectors[:, top], atol=1e-9)
    assert np.linalg.norm(vector) == pytest.approx(1.0, rel=1e-12)
    assert vector[np.argmax(np.abs(vector))] > 0
    assert 1 <= n_done <= 5000


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [3, 10, 40])
def test_power_iteration_matches_eig_for_nonsymmetric_matrices(seed, n):
    rng = np.random.default_rng(seed)
    V = rng.normal(size=(n, n)) + 3 * np.eye(n)       # well-conditioned eigenvector basis
    lam = np.concatenate([[-4.0], rng.uniform(-2.5, 2.5, size=n - 1)])   # dominant, negative
    A = V @ np.diag(lam) @ np.linalg.inv(V)
    value, vector, _ = power_iteration(A, n_iter=5000, tol=1e-12, random_state=seed)
    eigenvalues, eigenvectors = np.linalg.eig(A)
    top = np.argmax(np.abs(eigenvalues))
    assert value == pytest.approx(eigenvalues[top].real, rel=1e-9)
    reference = eigenvectors[:, top].real / np.linalg.norm(eigenvectors[:, top].real)
    same_up_to_sign(vector, reference, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_power_iteration_error_shrinks_at_the_rate_lambda2_over_lambda1(seed):
    rng = np.random.default_rng(seed)
    ratio = 0.6
    lam = np.concatenate([[5.0, 5.0 * ratio], rng.uniform(-1, 1, size=6)])   # |lambda_3| <= 1
    Q = random_orthogonal(rng, 8)
    A = (Q * lam) @ Q.T
    errors = []
    for k in (20, 40):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _, x, _ = power_iteration(A, n_iter=k, tol=0.0, random_state=seed)
        errors.append(min(np.linalg.norm(x - Q[:, 0]), np.linalg.norm(x + Q[:, 0])))
    # from k = 20 on, the lambda_2 term dominates the error (the others are below
    # (1/5)^20 relative to lambda_1^20), so twenty more steps shrink it by ratio^20
    assert errors[1] / errors[0] == pytest.approx(ratio**20, rel=1e-3)


def test_power_iteration_warns_when_two_eigenvalues_share_the_largest_modulus():
    A = np.diag([2.0, -2.0, 1.0])
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        power_iteration(A, n_iter=50, random_state=0)


@pytest.mark.parametrize("A", [np.zeros((3, 3)), np.array([[0.0, 1.0], [0.0, 0.0]]),
                               np.triu(np.ones((4, 4)), k=1)])
def test_power_iteration_on_nilpotent_matrices_returns_eigenvalue_zero(A):
    value, vector, _ = power_iteration(A, random_state=0)
    assert value == 0.0
    assert_allclose(A @ vector, 0.0, atol=1e-15)
    assert np.linalg.norm(vector) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_rayleigh_quotient_bounds_eigenvectors_and_gradient(seed, n):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(n, n))
    A = (B + B.T) / 2
    eigenvalues, eigenvectors = np.linalg.eigh(A)
    for x in rng.normal(size=(10, n)):
        r = rayleigh_quotient(A, x)
        assert eigenvalues[0] - 1e-12 <= r <= eigenvalues[-1] + 1e-12
        assert rayleigh_quotient(A, -3.7 * x) == pytest.approx(r, rel=1e-12)
    for lam, v in zip(eigenvalues, eigenvectors.T, strict=True):
        assert rayleigh_quotient(A, v) == pytest.approx(lam, abs=1e-12 * np.abs(eigenvalues).max())
        grad = numerical_gradient(lambda z: rayleigh_quotient(A, z), v)
        assert_allclose(grad, 0.0, atol=1e-6)          # eigenvectors are stationary points


def test_rayleigh_quotient_error_is_quadratic_in_the_vector_error():
    rng = np.random.default_rng(0)
    A = random_spd(rng, 6)
    lam, Q = np.linalg.eigh(A)
    e = rng.normal(size=6)
    e -= (e @ Q[:, -1]) * Q[:, -1]                     # perturbation orthogonal to v
    e /= np.linalg.norm(e)
    errs = [abs(rayleigh_quotient(A, Q[:, -1] + t * e) - lam[-1]) for t in (1e-2, 1e-3)]
    assert errs[0] / errs[1] == pytest.approx(100.0, rel=1e-3)


# ---- Cholesky and the Gaussian sampler ------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 2, 5, 30])
def test_cholesky_matches_numpy_and_scipy(seed, n):
    rng = np.random.default_rng(seed)
    A = random_spd(rng, n, cond=1e4)
    L = cholesky(A)
    assert_allclose(L, np.linalg.cholesky(A), rtol=1e-10, atol=1e-12)
    assert_allclose(L, scipy.linalg.cholesky(A, lower=True), rtol=1e-10, atol=1e-12)
    assert_allclose(L, np.tril(L))
    assert np.all(np.diag(L) > 0)
    assert_allclose(L @ L.T, A, rtol=1e-12, atol=1e-12 * np.abs(A).max())


@pytest.mark.parametrize("seed", SEEDS)
def test_cholesky_succeeds_exactly_for_positive_definite_matrices(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        B = rng.normal(size=(4, 4))
        A = (B + B.T) / 2 + rng.uniform(0, 4) * np.eye(4)
        is_pd = np.linalg.eigvalsh(A).min() > 1e-9        # skip near-singular borderline cases
        if not is_pd and np.linalg.eigvalsh(A).min() > -1e-9:
            continue
        minors_positive = all(np.linalg.det(A[:k, :k]) > 0 for k in range(1, 5))
        assert minors_positive == is_pd                    # Sylvester's criterion
        if is_pd:
            cholesky(A)
        else:
            with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
                cholesky(A)
            with pytest.raises(np.linalg.LinAlgError):
                np.linalg.cholesky(A)


def test_cholesky_pivots_are_ratios_of_leading_minors():
    A = random_spd(np.random.default_rng(1), 6, cond=50.0)
    L = cholesky(A)
    minors = np.array([1.0] + [np.linalg.det(A[:k, :k]) for k in range(1, 7)])
    assert_allclose(np.diag(L) ** 2, minors[1:] / minors[:-1], rtol=1e-10)


@pytest.mark.parametrize(
    ("A", "error", "message"),
    [
        (np.ones((2, 3)), ValueError, "square"),
        (np.ones(3), ValueError, "2D array"),
        (np.array([[2.0, 1.0], [0.0, 2.0]]), ValueError, "symmetric"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), np.linalg.LinAlgError, "pivot 2 is -3"),
        (np.array([[-1.0, 0.0], [0.0, 1.0]]), np.linalg.LinAlgError, "pivot 1"),
        (np.array([[1.0, 1.0], [1.0, 1.0]]), np.linalg.LinAlgError, "not positive definite"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), ValueError, "NaN"),
    ],
)
def test_cholesky_bad_input(A, error, message):
    with pytest.raises(error, match=message):
        cholesky(A)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("d", [1, 3, 6])
def test_sampler_moments_within_clt_tolerances(seed, d):
    rng = np.random.default_rng(100 + seed)
    mean = rng.normal(scale=3.0, size=d)
    cov = random_spd(rng, d, cond=20.0)
    n = 20_000
    X = sample_multivariate_normal(mean, cov, n, random_state=seed)
    assert X.shape == (n, d)
    # standard error of a sample mean entry: sqrt(Sigma_jj / n); of a sample covariance
    # entry (Gaussian data): sqrt((Sigma_ij^2 + Sigma_ii Sigma_jj) / n). Allow 5 of them.
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(X.mean(axis=0) - mean) <= 5 * se_mean)
    se_cov = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / n)
    assert np.all(np.abs(np.cov(X, rowvar=False).reshape(d, d) - cov) <= 5 * se_cov)


@pytest.mark.parametrize("seed", SEEDS)
def test_sampler_passes_kolmogorov_smirnov_tests(seed):
    rng = np.random.default_rng(200 + seed)
    d = 4
    mean, cov = rng.normal(size=d), random_spd(rng, d, cond=30.0)
    X = sample_multivariate_normal(mean, cov, 5000, random_state=seed)
    # a projection w^T x is N(w^T mu, w^T Sigma w)
    w = rng.normal(size=d)
    projection = scipy.stats.kstest(X @ w, "norm", args=(w @ mean, np.sqrt(w @ cov @ w)))
    # squared Mahalanobis distances are chi-squared with d degrees of freedom
    D = X - mean
    mahalanobis2 = np.einsum("ij,ij->i", D, np.linalg.solve(cov, D.T).T)
    chi2 = scipy.stats.kstest(mahalanobis2, "chi2", args=(d,))
    # threshold 1e-3 per test: a correct sampler fails one of these 10 tests with
    # probability about 1%, and the seeds are fixed, so the outcome is reproducible
    assert projection.pvalue > 1e-3
    assert chi2.pvalue > 1e-3


def test_sampler_is_reproducible_and_refuses_bad_input():
    mean, cov = np.zeros(2), np.array([[2.0, 0.5], [0.5, 1.0]])
    assert_allclose(sample_multivariate_normal(mean, cov, 5, random_state=3),
                    sample_multivariate_normal(mean, cov, 5, random_state=3))
    with pytest.raises(ValueError, match="cov has shape"):
        sample_multivariate_normal(np.zeros(3), cov, 5)
    with pytest.raises(ValueError, match="n_samples"):
        sample_multivariate_normal(mean, cov, 0)
    with pytest.raises(ValueError, match="mean must be a 1D"):
        sample_multivariate_normal(np.zeros((2, 1)), cov, 5)
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        sample_multivariate_normal(mean, np.array([[1.0, 1.0], [1.0, 1.0]]), 5)


# ---- SVD and low-rank approximation ---------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_svd_via_eigh_matches_numpy(seed, shape):
    rng = np.random.default_rng(seed)
    m, n = shape
    p = min(shape)
    # singular values between 1 and 10: well conditioned, so the squared condition
    # number of A^T A (at most 100) costs no accuracy worth mentioning
    A = random_orthogonal(rng, m)[:, :p] @ np.diag(np.linspace(10, 1, p)) @ random_orthogonal(rng, n)[:p]
    U, s, Vt = svd_via_eigh(A)
    U_ref, s_ref, Vt_ref = np.linalg.svd(A, full_matrices=False)
    assert U.shape == (m, p) and s.shape == (p,) and Vt.shape == (p, n)
    assert_allclose(s, s_ref, rtol=1e-10)
    for i in range(p):                                 # distinct singular values: unique up to sign
        sign = np.sign(Vt[i] @ Vt_ref[i])
        assert_allclose(sign * Vt[i], Vt_ref[i], atol=1e-9)
        assert_allclose(sign * U[:, i], U_ref[:, i], atol=1e-9)
    assert_allclose((U * s) @ Vt, A, atol=1e-10)
    assert_allclose(U.T @ U, np.eye(p), atol=1e-10)
    assert_allclose(Vt @ Vt.T, np.eye(p), atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(20, 6), (6, 20)])
def test_svd_via_eigh_handles_rank_deficient_matrices(seed, shape):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(shape[0], 3)) @ rng.normal(size=(3, shape[1]))   # rank 3
    U, s, Vt = svd_via_eigh(A)
    s_ref = np.linalg.svd(A, compute_uv=False)
    assert_allclose(s[:3], s_ref[:3], rtol=1e-10)
    assert np.all(s[3:] <= 1e-6 * s[0])                # zero, up to the sqrt(eps) caveat
    assert_allclose(U.T @ U, np.eye(6), atol=1e-10)    # completed to an orthonormal set
    assert_allclose(Vt @ Vt.T, np.eye(6), atol=1e-10)
    assert_allclose((U * s) @ Vt, A, atol=1e-7 * s[0])


def test_svd_via_eigh_loses_small_singular_values_as_documented():
    rng = np.random.default_rng(0)
    s_true = np.geomspace(1.0, 1e-12, 8)
    A = random_orthogonal(rng, 12)[:, :8] @ np.diag(s_true) @ random_orthogonal(rng, 8)
    s_numpy = np.linalg.svd(A, compute_uv=False)
    s_eigh = svd_via_eigh(A)[1]
    assert_allclose(s_numpy, s_true, rtol=1e-3)        # numpy: absolute error ~ eps * s_1
    assert_allclose(s_eigh[:3], s_true[:3], rtol=1e-6)  # large ones are fine
    relative_error = np.abs(s_eigh[-2:] - s_true[-2:]) / s_true[-2:]
    assert np.all(relative_error > 0.5)                # 5e-11 and 1e-12 are buried in ~1e-8 noise


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_low_rank_approximation_errors_follow_eckart_young(seed, shape):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=shape)
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(min(shape) + 1):          # np.linalg.norm(M) is the Frobenius norm
        A_k = low_rank_approximation(A, k)
        assert np.linalg.matrix_rank(A_k) == k
        assert np.linalg.norm(A - A_k) == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), abs=1e-10)
        spectral = s[k] if k < len(s) else 0.0
        assert np.linalg.norm(A - A_k, 2) == pytest.approx(spectral, abs=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 3])
def test_no_rank_k_matrix_beats_the_truncated_svd(seed, k):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(15, 10))
    A_k = low_rank_approximation(A, k)
    best_frobenius, best_two = np.linalg.norm(A - A_k), np.linalg.norm(A - A_k, 2)
    for _ in range(200):
        B = rng.normal(size=(15, k)) @ rng.normal(size=(k, 10))           # random rank k
        C = A_k + 0.05 * rng.normal(size=(15, k)) @ rng.normal(size=(k, 10))
        C = low_rank_approximation(C, k)                                # nearby rank k
        for candidate in (B, C):
            assert np.linalg.norm(A - candidate) >= best_frobenius - 1e-12
            assert np.linalg.norm(A - candidate, 2) >= best_two - 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_low_rank_approximation_matches_sklearn_truncated_svd(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(40, 12))
    svd = TruncatedSVD(n_components=4, algorithm="arpack", random_state=seed)
    reconstruction = svd.inverse_transform(svd.fit_transform(A))   # A V_k V_k^T
    assert_allclose(low_rank_approximation(A, 4), reconstruction, atol=1e-10)


@pytest.mark.parametrize("k", [-1, 5, 2.5])
def test_low_rank_approximation_bad_rank(k):
    with pytest.raises(ValueError, match="k must be an integer"):
        low_rank_approximation(np.ones((4, 6)), k)


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (power_iteration, (np.ones((2, 3)),), "square"),
        (power_iteration, (np.eye(2), 0), "n_iter"),
        (power_iteration, (np.eye(2), 10, -1.0), "tol"),
        (rayleigh_quotient, (np.eye(2), np.zeros(2)), "non-zero"),
        (rayleigh_quotient, (np.eye(2), np.ones(3)), "shape"),
        (svd_via_eigh, (np.ones(4),), "2D array"),
        (low_rank_approximation, (np.array([[1.0, np.inf]]), 1), "infinity"),
    ],
)
def test_other_bad_input(func, args, message):
    with pytest.raises(ValueError, match=message):
        func(*args)
