"""Matrix decompositions from scratch: power iteration, Cholesky and the SVD.

Three book pages derive what is implemented here: "Eigenvalues and
eigendecomposition" (power iteration, the Rayleigh quotient), "Symmetric and positive
semi-definite matrices" (Cholesky, sampling a multivariate Gaussian) and "Singular
value decomposition and low-rank approximation" (truncated SVD, the SVD from the
eigendecomposition of :math:`A^\\top A`). Each function is tested against
``numpy.linalg`` or SciPy in ``code/tests/test_decompositions.py``.
"""

import warnings

import numpy as np

from ._validation import ConvergenceWarning, check_array

__all__ = [
    "cholesky",
    "low_rank_approximation",
    "power_iteration",
    "rayleigh_quotient",
    "sample_multivariate_normal",
    "svd_via_eigh",
]


def _check_square(A, name="A"):
    A = check_array(A, name=name)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {A.shape}.")
    return A


def _check_symmetric(A, name="A", rtol=1e-10):
    scale = max(np.abs(A).max(), np.finfo(float).tiny)
    asymmetry = np.abs(A - A.T).max()
    if asymmetry > rtol * scale:
        raise ValueError(
            f"{name} must be symmetric: max |{name} - {name}^T| = {asymmetry:.3g}, "
            f"more than {rtol:g} times its largest entry."
        )


def rayleigh_quotient(A, x):
    r"""Rayleigh quotient :math:`R(x) = x^\top A x / x^\top x`.

    For symmetric ``A`` it lies between the smallest and the largest eigenvalue and
    equals the eigenvalue :math:`\lambda` when ``x`` is an eigenvector; an error
    :math:`\varepsilon` in the direction of ``x`` gives an error :math:`O(\varepsilon^2)`
    in :math:`R(x)`.

    Parameters
    ----------
    A : array-like of shape (n, n)
    x : array-like of shape (n,)
        Any non-zero vector; its length does not matter.

    Returns
    -------
    r : float

    Notes
    -----
    Derived in the book page "Eigenvalues and eigendecomposition".
    """
    A = _check_square(A)
    x = check_array(x, name="x", ensure_2d=False)
    if x.shape != (A.shape[0],):
        raise ValueError(f"x must have shape ({A.shape[0]},) to match A, got {x.shape}.")
    norm2 = x @ x
    if norm2 == 0:
        raise ValueError("x must be non-zero: the Rayleigh quotient of the zero vector is undefined.")
    return float(x @ A @ x / norm2)


def power_iteration(A, n_iter=1000, tol=1e-10, random_state=None):
    r"""Dominant eigenpair of ``A`` by power iteration.

    Repeats :math:`x_{k+1} = A x_k / \lVert A x_k \rVert_2` from a random unit vector
    :math:`x_0` and estimates the eigenvalue by the Rayleigh quotient
    :math:`\lambda_k = x_k^\top A x_k`. If ``A`` is diagonalisable with a single
    eigenvalue of largest modulus, :math:`|\lambda_1| > |\lambda_2| \ge \dots`, the
    direction of :math:`x_k` converges to the eigenvector of :math:`\lambda_1` with
    error :math:`O(|\lambda_2 / \lambda_1|^k)`.

    Parameters
    ----------
    A : array-like of shape (n, n)
    n_iter : int, default=1000
        Maximum number of multiplications by ``A``.
    tol : float, default=1e-10
        Stop once the residual :math:`\lVert A x_k - \lambda_k x_k \rVert_2` is at most
        ``tol`` times :math:`|\lambda_k|`.
    random_state : None, int or numpy.random.Generator
        Seed of the random start :math:`x_0`.

    Returns
    -------
    eigenvalue : float
    eigenvector : ndarray of shape (n,)
        Unit vector; its sign is fixed so that its entry of largest modulus is positive.
    n_iter : int
        Iterations performed (one multiplication by ``A`` each).
        If ``A`` is nilpotent (some power of ``A`` is zero, so all its eigenvalues are 0),
        the iteration reaches a vector with :math:`A x = 0` and returns it with eigenvalue 0.

    Warns
    -----
    ConvergenceWarning
        If the residual test still fails after ``n_iter`` multiplications (for instance
        when two eigenvalues share the largest modulus, as :math:`\pm 1` or a complex pair).

    Notes
    -----
    Derived in the book page "Eigenvalues and eigendecomposition".
    """
    A = _check_square(A)
    if int(n_iter) != n_iter or n_iter < 1:
        raise ValueError(f"n_iter must be a positive integer, got {n_iter!r}.")
    if not tol >= 0:
        raise ValueError(f"tol must be non-negative, got {tol!r}.")
    rng = np.random.default_rng(random_state)
    x = rng.standard_normal(A.shape[0])             # (n,)
    x /= np.linalg.norm(x)
    Ax = A @ x
    eigenvalue = x @ Ax                             # Rayleigh quotient, x has unit norm
    n_done, converged = 0, False
    while n_done < n_iter:
        norm = np.linalg.norm(Ax)
        if norm == 0:
            # A x = 0: x is an eigenvector for the eigenvalue 0, and for a random start this
            # happens only if some power of A is zero, so every eigenvalue is 0.
            converged = True
            break
        x = Ax / norm                               # x_{k+1}
        Ax = A @ x
        eigenvalue = x @ Ax
        n_done += 1
        if np.linalg.norm(Ax - eigenvalue * x) <= tol * abs(eigenvalue):
            converged = True
            break
    if not converged:
        warnings.warn(
            f"Power iteration did not converge in n_iter={n_iter} steps: the two largest "
            "eigenvalues in modulus may be equal or very close.",
            ConvergenceWarning,
            stacklevel=2,
        )
    if x[np.argmax(np.abs(x))] < 0:
        x = -x
    return float(eigenvalue), x, n_done


def cholesky(A):
    r"""Cholesky factor: the lower-triangular ``L`` with positive diagonal and ``L L^T = A``.

    Column by column, for :math:`j = 1, \dots, n`,

    .. math::

        L_{jj} = \sqrt{A_{jj} - \textstyle\sum_{k<j} L_{jk}^2}, \qquad
        L_{ij} = \bigl(A_{ij} - \textstyle\sum_{k<j} L_{ik} L_{jk}\bigr) / L_{jj}
        \quad (i > j).

    The pivot under the square root is :math:`\det A_j / \det A_{j-1}`, the ratio of
    consecutive leading principal minors, so the algorithm succeeds if and only if
    ``A`` is symmetric positive definite. It costs about :math:`n^3/3` multiply-adds.

    Parameters
    ----------
    A : array-like of shape (n, n)
        Symmetric positive definite (symmetric up to a relative ``1e-10``; the lower
        triangle is used).

    Returns
    -------
    L : ndarray of shape (n, n)

    Raises
    ------
    ValueError
        If ``A`` is not square or not symmetric.
    numpy.linalg.LinAlgError
        If ``A`` is not positive definite (a pivot is not positive). ``LinAlgError`` is
        a subclass of ``ValueError``.

    Notes
    -----
    Derived in the book page "Symmetric and positive semi-definite matrices".
    """
    A = _check_square(A)
    _check_symmetric(A)
    n = A.shape[0]
    L = np.zeros_like(A)
    for j in range(n):
        pivot = A[j, j] - L[j, :j] @ L[j, :j]
        if not pivot > 0:
            raise np.linalg.LinAlgError(
                f"A is not positive definite: Cholesky pivot {j + 1} is {pivot:.3g} <= 0, so "
                f"the leading {j + 1}x{j + 1} principal minor is not positive. (For a covariance "
                "or kernel matrix that is only positive semi-definite, add a small multiple of "
                "the identity.)"
            )
        L[j, j] = np.sqrt(pivot)
        L[j + 1:, j] = (A[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]   # (n - j - 1,)
    return L


def sample_multivariate_normal(mean, cov, n_samples, random_state=None):
    r"""Draw from :math:`\mathcal{N}(\mu, \Sigma)` as :math:`x = \mu + L z`.

    Here :math:`\Sigma = L L^\top` is the Cholesky factorisation (:func:`cholesky`) and
    :math:`z \sim \mathcal{N}(0, I)`, so :math:`\operatorname{Cov}(x) = L I L^\top = \Sigma`.

    Parameters
    ----------
    mean : array-like of shape (n_features,)
    cov : array-like of shape (n_features, n_features)
        Symmetric positive definite. A singular covariance is refused; factor it as
        :math:`Q \Lambda^{1/2}` from its eigendecomposition instead.
    n_samples : int
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)

    Notes
    -----
    Derived in the book page "Symmetric and positive semi-definite matrices".
    """
    mean = check_array(mean, name="mean", ensure_2d=False)
    if mean.ndim != 1:
        raise ValueError(f"mean must be a 1D array, got shape {mean.shape}.")
    cov = _check_square(cov, name="cov")
    if cov.shape[0] != mean.shape[0]:
        raise ValueError(f"cov has shape {cov.shape} but mean has {mean.shape[0]} entries.")
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    L = cholesky(cov)                               # (n_features, n_features)
    rng = np.random.default_rng(random_state)
    Z = rng.standard_normal((int(n_samples), mean.shape[0]))   # (n_samples, n_features)
    return mean + Z @ L.T                          # row i is mean + L z_i


def low_rank_approximation(A, k):
    r"""Best rank-``k`` approximation of ``A``: the truncated SVD.

    With the SVD :math:`A = \sum_i \sigma_i u_i v_i^\top`, returns
    :math:`A_k = \sum_{i \le k} \sigma_i u_i v_i^\top`. By the Eckart–Young theorem no
    matrix of rank at most ``k`` is closer to ``A`` in the spectral or the Frobenius
    norm; the errors are :math:`\sigma_{k+1}` and
    :math:`\sqrt{\sum_{i > k} \sigma_i^2}`.

    Parameters
    ----------
    A : array-like of shape (m, n)
    k : int
        Rank, ``0 <= k <= min(m, n)``.

    Returns
    -------
    A_k : ndarray of shape (m, n)

    Notes
    -----
    Derived in the book page "Singular value decomposition and low-rank approximation".
    """
    A = check_array(A, name="A")
    if int(k) != k or not 0 <= k <= min(A.shape):
        raise ValueError(f"k must be an integer between 0 and min(m, n) = {min(A.shape)}, got {k!r}.")
    k = int(k)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]             # (m, k) * (k,) @ (k, n)


def svd_via_eigh(A):
    r"""Thin SVD of ``A`` from the eigendecomposition of :math:`A^\top A`.

    If :math:`A^\top A = V \Lambda V^\top` with eigenvalues in decreasing order, then
    :math:`\sigma_i = \sqrt{\lambda_i}` and :math:`u_i = A v_i / \sigma_i` for
    :math:`\sigma_i > 0`. When ``m < n`` the smaller matrix :math:`A A^\top` is
    decomposed instead and the roles of ``U`` and ``V`` swap. Left (or right) singular
    vectors of singular values that are zero at this precision are completed to an
    orthonormal set by a QR factorisation.

    This is the constructive proof of existence, not a good algorithm: forming
    :math:`A^\top A` squares the condition number, and singular values below about
    :math:`\sqrt{\epsilon}\,\sigma_1 \approx 10^{-8} \sigma_1` (machine precision
    :math:`\epsilon`) are lost to rounding. ``numpy.linalg.svd`` works on ``A``
    directly and keeps them to about :math:`\epsilon\,\sigma_1`.

    Parameters
    ----------
    A : array-like of shape (m, n)

    Returns
    -------
    U : ndarray of shape (m, p)
    s : ndarray of shape (p,)
        Singular values in decreasing order, ``p = min(m, n)``.
    Vt : ndarray of shape (p, n)

    Notes
    -----
    Derived in the book page "Singular value decomposition and low-rank approximation".
    """
    A = check_array(A, name="A")
    m, n = A.shape
    if m < n:
        V, s, Ut = svd_via_eigh(A.T)               # A^T = V S U^T, so A = U S V^T
        return Ut.T, s, V.T
    eigenvalues, V = np.linalg.eigh(A.T @ A)       # ascending, (n,), (n, n)
    eigenvalues, V = eigenvalues[::-1], V[:, ::-1]
    s = np.sqrt(np.clip(eigenvalues, 0.0, None))   # rounding can make zeros slightly negative
    # The eigenvalues carry absolute errors of about max(m, n) * eps * s_1^2, so singular
    # values below sqrt(max(m, n) * eps) * s_1 are rounding noise and A v_i / s_i is not
    # a unit vector: those columns of U come from the completion below instead.
    rank = int(np.sum(s > np.sqrt(max(m, n) * np.finfo(float).eps) * s[0])) if s[0] > 0 else 0
    U = A @ V[:, :rank] / s[:rank]                 # (m, rank)
    if rank < n:
        Q, _ = np.linalg.qr(np.hstack([U, np.eye(m)]))   # (m, m); first columns span U
        U = np.hstack([U, Q[:, rank:n]])           # orthonormal completion, (m, n)
    return U, s, V.T
