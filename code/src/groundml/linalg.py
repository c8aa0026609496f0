"""Linear algebra from scratch: norms, distances, matrix products, QR and least squares.

Three book pages derive what is implemented here: "Vectors, norms, distances and
similarity" (``book/mathematics/vectors-norms.md``), "Matrices as linear maps and the
cost of multiplication" (``book/mathematics/matrices.md``) and "Linear systems, least
squares and projections" (``book/mathematics/linear-systems.md``). NumPy only; each
function is checked against NumPy or SciPy in ``code/tests/test_linalg.py``.
"""

import numpy as np

__all__ = [
    "lp_norm",
    "cosine_similarity",
    "mahalanobis",
    "jaccard_similarity",
    "jaccard_distance",
    "matmul_loops",
    "matrix_chain_order",
    "gram_schmidt",
    "solve_upper_triangular",
    "qr_solve",
    "pinv",
]


def _as_float_array(x, name, ndim=None):
    """``x`` as a finite float array (of ``ndim`` dimensions if given), or a ValueError."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    if ndim is not None and arr.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"Expected {name} with {ndim} dimension(s), got a {arr.ndim}D array.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


# ---- norms, distances and similarities (page "Vectors, norms, distances and similarity") ----

def lp_norm(x, p=2):
    r"""The :math:`L^p` "norm" of a vector, or of each row of a matrix.

    .. math::

        \lVert x \rVert_p = \Bigl(\sum_i |x_i|^p\Bigr)^{1/p} \ (0 < p < \infty), \quad
        \lVert x \rVert_\infty = \max_i |x_i|, \quad
        \lVert x \rVert_0 = \#\{i : x_i \neq 0\}.

    Only :math:`p \ge 1` gives a norm. For :math:`0 < p < 1` the formula breaks the
    triangle inequality, and the "L0 norm" (the number of non-zero entries) is not
    homogeneous; both are computed because they are used as sparsity measures.

    Parameters
    ----------
    x : array-like of shape (n,) or (n_vectors, n)
        A vector, or one vector per row.
    p : float, default=2
        ``0``, any ``p > 0``, or ``np.inf``.

    Returns
    -------
    norm : float or ndarray of shape (n_vectors,)

    Notes
    -----
    For :math:`0 < p < \infty` the vector is first divided by its largest absolute
    entry :math:`m`, and :math:`\lVert x \rVert_p = m \lVert x / m \rVert_p`, so that
    :math:`|x_i|^p` neither overflows nor underflows. Derived in the book page
    "Vectors, norms, distances and similarity".
    """
    x = _as_float_array(x, "x", ndim=(1, 2))
    if not (p == 0 or p == np.inf or (np.isscalar(p) and p > 0)):
        raise ValueError(f"p must be 0, a positive number or np.inf, got {p!r}.")
    a = np.abs(x)                                      # (n,) or (n_vectors, n)
    if p == 0:
        return np.count_nonzero(a, axis=-1).astype(float)
    m = a.max(axis=-1, keepdims=True)                  # largest entry per vector
    if p == np.inf:
        return m[..., 0]
    safe_m = np.where(m > 0, m, 1.0)                   # the zero vector has every norm 0
    return (safe_m * np.sum((a / safe_m) ** p, axis=-1, keepdims=True) ** (1.0 / p))[..., 0]


def cosine_similarity(a, b):
    r"""Cosine of the angle between two vectors, or between all pairs of rows.

    .. math::

        \cos(a, b) = \frac{a^\top b}{\lVert a \rVert_2 \, \lVert b \rVert_2} \in [-1, 1].

    Parameters
    ----------
    a : array-like of shape (n_features,) or (n_a, n_features)
    b : array-like of shape (n_features,) or (n_b, n_features)
        Same number of dimensions as ``a``.

    Returns
    -------
    similarity : float, or ndarray of shape (n_a, n_b) for 2-D input
        For 2-D input, entry ``[i, j]`` compares row ``i`` of ``a`` with row ``j`` of
        ``b``. The cosine *distance* is ``1 - similarity`` (not a metric).

    Raises
    ------
    ValueError
        If a vector is zero (its angle is undefined) or the shapes do not match.

    Notes
    -----
    Derived in the book page "Vectors, norms, distances and similarity".
    """
    a = _as_float_array(a, "a", ndim=(1, 2))
    b = _as_float_array(b, "b", ndim=(1, 2))
    if a.ndim != b.ndim or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must both be vectors of one length or both matrices with the same "
                         f"number of columns, got shapes {a.shape} and {b.shape}.")
    norm_a, norm_b = lp_norm(a, 2), lp_norm(b, 2)
    if np.any(norm_a == 0) or np.any(norm_b == 0):
        raise ValueError("The cosine similarity of a zero vector is undefined.")
    if a.ndim == 1:
        value = (a / norm_a) @ (b / norm_b)
        return float(np.clip(value, -1.0, 1.0))
    unit_a = a / norm_a[:, None]                       # (n_a, n_features), rows of length 1
    unit_b = b / norm_b[:, None]                       # (n_b, n_features)
    return np.clip(unit_a @ unit_b.T, -1.0, 1.0)       # (n_a, n_b)


def mahalanobis(x, y, cov):
    r"""Mahalanobis distance between ``x`` and ``y`` for a covariance matrix ``cov``.

    .. math::

        d_\Sigma(x, y) = \sqrt{(x - y)^\top \Sigma^{-1} (x - y)} = \lVert L^{-1} (x - y) \rVert_2,

    where :math:`\Sigma = L L^\top` is the Cholesky factorisation: the Euclidean
    distance after whitening by :math:`L^{-1}`. The inverse is never formed.

    Parameters
    ----------
    x : array-like of shape (n_features,) or (n_samples, n_features)
    y : array-like of shape (n_features,) or (n_samples, n_features)
        Broadcast against ``x`` (for example, many points against one centre).
    cov : array-like of shape (n_features, n_features)
        Symmetric positive definite.

    Returns
    -------
    distance : float or ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        If ``cov`` is not square, not symmetric or not positive definite (a singular
        covariance, for example from fewer samples than features, is refused).

    Notes
    -----
    Derived in the book page "Vectors, norms, distances and similarity".
    """
    x = _as_float_array(x, "x", ndim=(1, 2))
    y = _as_float_array(y, "y", ndim=(1, 2))
    cov = _as_float_array(cov, "cov", ndim=2)
    n_features = cov.shape[0]
    if cov.shape != (n_features, n_features):
        raise ValueError(f"cov must be square, got shape {cov.shape}.")
    if x.shape[-1] != n_features or y.shape[-1] != n_features:
        raise ValueError(f"x and y must have {n_features} features to match cov, "
                         f"got shapes {x.shape} and {y.shape}.")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * np.abs(cov).max()):
        raise ValueError("cov must be symmetric.")
    try:
        L = np.linalg.cholesky(cov)                    # cov = L L^T, L lower triangular
    except np.linalg.LinAlgError:
        raise ValueError("cov must be positive definite (its Cholesky factorisation failed).") from None
    diff = x - y                                       # (n_features,) or (n_samples, n_features)
    z = np.linalg.solve(L, diff.T)                     # whitened differences, one per column
    distance = np.sqrt(np.sum(z ** 2, axis=0))
    return float(distance) if distance.ndim == 0 else distance


def _as_set_pair(a, b):
    """Two Python sets from two sets, or from two boolean arrays of one shape."""
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        return a, b
    if isinstance(a, (set, frozenset)) or isinstance(b, (set, frozenset)):
        raise ValueError("Pass two sets, or two boolean arrays; not one of each.")
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be 1-D arrays of the same length, "
                         f"got shapes {a.shape} and {b.shape}.")
    if a.dtype != bool or b.dtype != bool:
        if not (np.isin(a, [0, 1]).all() and np.isin(b, [0, 1]).all()):
            raise ValueError("Binary vectors must contain only 0/1 or True/False.")
    return set(np.flatnonzero(a)), set(np.flatnonzero(b))


def jaccard_similarity(a, b):
    r"""Jaccard similarity of two sets, or of two binary vectors (as sets of their 1s).

    .. math::

        J(A, B) = \frac{|A \cap B|}{|A \cup B|}, \qquad J(\emptyset, \emptyset) = 1 .

    Parameters
    ----------
    a, b : set or frozenset, or array-like of shape (n,) with 0/1 or boolean entries
        A binary vector stands for the set of positions where it is 1 (True).

    Returns
    -------
    similarity : float in [0, 1]

    Notes
    -----
    Two empty sets are identical, so their similarity is 1 (distance 0), as in
    ``scipy.spatial.distance.jaccard``. Derived in the book page
    "Vectors, norms, distances and similarity".
    """
    A, B = _as_set_pair(a, b)
    union = len(A | B)
    return 1.0 if union == 0 else len(A & B) / union


def jaccard_distance(a, b):
    r"""Jaccard distance :math:`1 - J(A, B)`, a metric on finite sets.

    Parameters and conventions as in :func:`jaccard_similarity`.
    """
    return 1.0 - jaccard_similarity(a, b)


# ---- matrix products (page "Matrices as linear maps and the cost of multiplication") ----

def matmul_loops(A, B):
    r"""Matrix product by the textbook triple loop. For teaching only: use ``A @ B``.

    .. math::

        C_{ij} = \sum_{k=1}^{n} A_{ik} B_{kj}, \qquad
        A \in \mathbb{R}^{m \times n},\ B \in \mathbb{R}^{n \times p}.

    It performs exactly :math:`mnp` scalar multiplications and :math:`mnp` additions
    (the accumulator starts at 0), in pure Python: thousands of times slower than the
    optimised BLAS behind ``@``.

    Parameters
    ----------
    A : array-like of shape (m, n)
    B : array-like of shape (n, p)

    Returns
    -------
    C : ndarray of shape (m, p)

    Notes
    -----
    Derived in the book page "Matrices as linear maps and the cost of multiplication".
    """
    A = _as_float_array(A, "A", ndim=2)
    B = _as_float_array(B, "B", ndim=2)
    m, n = A.shape
    if B.shape[0] != n:
        raise ValueError(f"Inner dimensions differ: A is {A.shape}, B is {B.shape}; "
                         "the columns of A must match the rows of B.")
    p = B.shape[1]
    C = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            total = 0.0
            for k in range(n):
                total += A[i, k] * B[k, j]
            C[i, j] = total
    return C


def matrix_chain_order(dims):
    r"""Cheapest parenthesisation of a matrix chain, by dynamic programming.

    The chain :math:`A_1 A_2 \cdots A_k` has :math:`A_i` of shape
    ``(dims[i-1], dims[i])``. With ``cost[i][j]`` the fewest scalar multiplications
    to form :math:`A_i \cdots A_j`,

    .. math::

        \mathrm{cost}[i][i] = 0, \qquad
        \mathrm{cost}[i][j] = \min_{i \le s < j} \bigl(\mathrm{cost}[i][s] + \mathrm{cost}[s+1][j]
        + d_{i-1} d_s d_j\bigr).

    One product of an (m, n) and an (n, p) matrix counts :math:`mnp` multiplications
    (:math:`mnp` multiply-adds, about :math:`2mnp` floating-point operations).
    :math:`O(k^3)` time and :math:`O(k^2)` memory.

    Parameters
    ----------
    dims : sequence of int, length k + 1 >= 2
        Positive dimensions.

    Returns
    -------
    cost : int
        Minimal number of scalar multiplications.
    order : str
        The optimal parenthesisation, with matrices named ``A1`` ... ``Ak``, e.g.
        ``"((A1 A2) A3)"``; a single matrix is ``"A1"``. Among equally cheap
        orders, the one with the leftmost first split is returned.

    Notes
    -----
    Derived in the book page "Matrices as linear maps and the cost of multiplication".
    """
    dims = list(dims)
    if len(dims) < 2:
        raise ValueError(f"dims needs at least 2 entries (one matrix), got {len(dims)}.")
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ValueError(f"dims must be positive integers, got {dims!r}.")
    dims = [int(d) for d in dims]
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]                 # cost[i][j] for matrices i..j (0-based)
    split = [[0] * k for _ in range(k)]
    for length in range(2, k + 1):                     # chains of 2, 3, ..., k matrices
        for i in range(k - length + 1):
            j = i + length - 1
            best = None
            for s in range(i, j):                      # last product: (A_i..A_s)(A_s+1..A_j)
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, s
            cost[i][j] = best

    def order(i, j):
        if i == j:
            return f"A{i + 1}"
        s = split[i][j]
        return f"({order(i, s)} {order(s + 1, j)})"

    return cost[0][k - 1], order(0, k - 1)


# ---- QR and least squares (page "Linear systems, least squares and projections") ----

def gram_schmidt(A, modified=True):
    r"""Reduced QR factorisation :math:`A = QR` by Gram–Schmidt orthogonalisation.

    Column :math:`j` of :math:`A` minus its projections onto :math:`q_1, \dots, q_{j-1}`,
    normalised, is :math:`q_j`:

    .. math::

        v_j = a_j - \sum_{i<j} r_{ij} q_i, \quad r_{jj} = \lVert v_j \rVert_2, \quad
        q_j = v_j / r_{jj}.

    *Classical* GS takes :math:`r_{ij} = q_i^\top a_j` (all from the original column);
    *modified* GS takes :math:`r_{ij} = q_i^\top v_j^{(i)}`, from the partially
    orthogonalised column, subtracting one projection at a time. They agree in exact
    arithmetic; in floating point the loss of orthogonality
    :math:`\lVert I - Q^\top Q \rVert` grows like :math:`u\,\kappa(A)` for modified
    and up to :math:`u\,\kappa(A)^2` for classical GS (:math:`u` the unit roundoff).

    Parameters
    ----------
    A : array-like of shape (m, n), with m >= n and linearly independent columns
    modified : bool, default=True

    Returns
    -------
    Q : ndarray of shape (m, n)
        Orthonormal columns (up to rounding).
    R : ndarray of shape (n, n)
        Upper triangular with a positive diagonal.

    Raises
    ------
    ValueError
        If ``A`` is not 2-D or has more columns than rows.
    numpy.linalg.LinAlgError
        If a column is (numerically) a combination of the previous ones:
        :math:`r_{jj} \le 10\, n\, \epsilon \lVert a_j \rVert`.

    Notes
    -----
    Derived in the book page "Linear systems, least squares and projections".
    """
    A = _as_float_array(A, "A", ndim=2)
    m, n = A.shape
    if m < n:
        raise ValueError(f"Gram-Schmidt QR needs at least as many rows as columns, got shape {A.shape}.")
    Q = np.zeros((m, n))
    R = np.zeros((n, n))
    eps = np.finfo(float).eps
    for j in range(n):
        a_j = A[:, j]
        if modified:
            v = a_j.copy()
            for i in range(j):                         # one projection at a time, from v
                R[i, j] = Q[:, i] @ v
                v -= R[i, j] * Q[:, i]
        else:
            R[:j, j] = Q[:, :j].T @ a_j                # all projections from the original a_j
            v = a_j - Q[:, :j] @ R[:j, j]
        R[j, j] = np.linalg.norm(v)
        if R[j, j] <= 10 * n * eps * np.linalg.norm(a_j):
            raise np.linalg.LinAlgError(
                f"Column {j} of A is (numerically) a linear combination of the previous columns; "
                "A must have full column rank."
            )
        Q[:, j] = v / R[j, j]
    return Q, R


def solve_upper_triangular(R, b):
    r"""Solve :math:`R x = b` for upper triangular, nonsingular :math:`R` by back substitution.

    .. math::

        x_i = \Bigl(b_i - \sum_{k > i} R_{ik} x_k\Bigr) / R_{ii}, \quad i = n, n-1, \dots, 1.

    Parameters
    ----------
    R : array-like of shape (n, n)
        Only the upper triangle is read.
    b : array-like of shape (n,) or (n, n_rhs)

    Returns
    -------
    x : ndarray, same shape as ``b``

    Notes
    -----
    :math:`n^2` flops. Derived in the book page "Linear systems, least squares and projections".
    """
    R = _as_float_array(R, "R", ndim=2)
    b = _as_float_array(b, "b", ndim=(1, 2))
    n = R.shape[0]
    if R.shape != (n, n) or b.shape[0] != n:
        raise ValueError(f"R must be square and match b, got shapes {R.shape} and {b.shape}.")
    if np.any(np.diag(R) == 0):
        raise np.linalg.LinAlgError("R is singular: a diagonal entry is zero.")
    x = np.zeros_like(b)
    for i in range(n - 1, -1, -1):
        x[i] = (b[i] - R[i, i + 1:] @ x[i + 1:]) / R[i, i]
    return x


def qr_solve(A, b):
    r"""Least-squares solution of :math:`A x \approx b` through a QR factorisation.

    With :math:`A = QR` (modified Gram–Schmidt), :math:`\lVert Ax - b \rVert_2^2 =
    \lVert Rx - Q^\top b \rVert_2^2 + \lVert (I - QQ^\top) b \rVert_2^2`, minimised by

    .. math::

        x = R^{-1} Q^\top b .

    :math:`Q^\top b` is computed as modified Gram–Schmidt would treat ``b`` as an extra
    column (one projection at a time), which keeps the method backward stable
    (Björck's result); ``Q.T @ b`` in one step would not be. The normal equations,
    and their squared condition number, are never formed.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_features)
        Full column rank, so n_samples >= n_features. For a wide or rank-deficient
        ``A``, use ``pinv(A) @ b`` for the minimum-norm solution.
    b : array-like of shape (n_samples,) or (n_samples, n_targets)

    Returns
    -------
    x : ndarray of shape (n_features,) or (n_features, n_targets)

    Notes
    -----
    Derived in the book page "Linear systems, least squares and projections".
    """
    A = _as_float_array(A, "A", ndim=2)
    b = _as_float_array(b, "b", ndim=(1, 2))
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"A and b have different numbers of rows: {A.shape[0]} and {b.shape[0]}.")
    if A.shape[0] < A.shape[1]:
        raise ValueError(f"A is wide ({A.shape}): the least-squares solution is not unique; "
                         "use pinv(A) @ b for the minimum-norm one.")
    Q, R = gram_schmidt(A, modified=True)              # (m, n), (n, n)
    c = np.zeros((A.shape[1],) + b.shape[1:])          # Q^T b, (n,) or (n, n_targets)
    residual = b.copy()
    for i in range(A.shape[1]):
        c[i] = Q[:, i] @ residual
        residual = residual - np.multiply.outer(Q[:, i], c[i])
    return solve_upper_triangular(R, c)


def pinv(A, rcond=None):
    r"""Moore–Penrose pseudoinverse through the singular value decomposition.

    With :math:`A = U \Sigma V^\top` (thin SVD),

    .. math::

        A^+ = V \Sigma^+ U^\top, \qquad
        (\Sigma^+)_{ii} = 1/\sigma_i \ \text{if}\ \sigma_i > \texttt{rcond} \cdot \sigma_{\max},
        \ \text{else}\ 0 .

    :math:`A^+ b` is the minimum-norm least-squares solution of :math:`Ax \approx b`.

    Parameters
    ----------
    A : array-like of shape (m, n)
    rcond : float or None, default=None
        Relative cut-off for small singular values; None means
        ``max(m, n) * machine epsilon`` (NumPy's default).

    Returns
    -------
    A_pinv : ndarray of shape (n, m)

    Notes
    -----
    Derived in the book page "Linear systems, least squares and projections".
    """
    A = _as_float_array(A, "A", ndim=2)
    m, n = A.shape
    if rcond is None:
        rcond = max(m, n) * np.finfo(float).eps
    if not rcond >= 0:
        raise ValueError(f"rcond must be non-negative, got {rcond!r}.")
    U, s, Vt = np.linalg.svd(A, full_matrices=False)  # (m, k), (k,), (k, n), k = min(m, n)
    keep = s > rcond * s.max() if s.max() > 0 else np.zeros_like(s, dtype=bool)
    s_inv = np.zeros_like(s)
    s_inv[keep] = 1.0 / s[keep]
    return (Vt.T * s_inv) @ U.T                        # V diag(s_inv) U^T, (n, m)

