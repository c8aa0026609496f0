"""Second-order and quasi-Newton optimisation, and small constrained problems.

Newton's method (with a Hessian modification and a backtracking line search), BFGS and
L-BFGS with a Wolfe line search, linear conjugate gradients, the KKT system of an
equality-constrained quadratic programme, and the Euclidean projection onto the
probability simplex. The book pages "Newton's method and quasi-Newton methods" and
"Constrained optimization: Lagrange multipliers, KKT conditions and duality" derive
every formula used here.
"""

import warnings

import numpy as np

from ._validation import ConvergenceWarning

__all__ = [
    "ConvergenceWarning",
    "backtracking_line_search",
    "wolfe_line_search",
    "newton_minimize",
    "bfgs_update",
    "bfgs_minimize",
    "lbfgs_two_loop",
    "lbfgs_minimize",
    "conjugate_gradient",
    "solve_equality_qp",
    "project_onto_simplex",
]


def _as_vector(x, name="x0"):
    """Return ``x`` as a finite 1-D float array (a copy), or raise a ValueError."""
    try:
        x = np.array(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {x.shape}.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return x


def _check_options(tol, max_iter):
    if not tol >= 0:
        raise ValueError(f"tol must be non-negative, got {tol!r}.")
    if int(max_iter) != max_iter or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative integer, got {max_iter!r}.")


def _check_finite(x, value, method, n_iter):
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(value))):
        raise FloatingPointError(
            f"{method} diverged after {n_iter} steps: the iterates or the gradient are no "
            "longer finite. Use a line search or a starting point closer to a minimum."
        )


# ---- line searches ------------------------------------------------------------------------

def _slack(fx):
    # Rounding: near a minimum the true decrease c1 * alpha * slope can be smaller than the
    # error of evaluating f, so the decrease test allows a few ulps of |f(x)|.
    return 8.0 * np.finfo(float).eps * abs(fx)


def backtracking_line_search(f, x, fx, g, p, *, alpha0=1.0, c1=1e-4, shrink=0.5, max_steps=60):
    r"""Backtracking (Armijo) line search along a descent direction.

    Returns the first step :math:`\alpha = \alpha_0, \rho\alpha_0, \rho^2\alpha_0, \dots`
    that satisfies the sufficient-decrease (Armijo) condition

    .. math::

        f(x + \alpha p) \le f(x) + c_1 \alpha \nabla f(x)^\top p ,

    up to a rounding allowance of :math:`8 \epsilon_{\text{mach}} |f(x)|`.

    Parameters
    ----------
    f : callable
        Maps an ndarray of shape (n_features,) to a float.
    x : ndarray of shape (n_features,)
    fx : float
        ``f(x)``.
    g : ndarray of shape (n_features,)
        The gradient at ``x``.
    p : ndarray of shape (n_features,)
        A descent direction, ``g @ p < 0``.
    alpha0, c1, shrink : float
        First trial step, Armijo constant in (0, 1) and shrink factor in (0, 1).
    max_steps : int
        Number of halvings before giving up.

    Returns
    -------
    alpha : float or None
        The accepted step, or None if none was found (precision loss near a minimum).
    f_new : float or None
        ``f(x + alpha p)``.
    """
    slope = float(g @ p)
    if not slope < 0:
        raise ValueError(f"p is not a descent direction: g @ p = {slope!r} must be negative.")
    alpha = alpha0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_steps):
            f_new = float(f(x + alpha * p))
            if np.isfinite(f_new) and f_new <= fx + c1 * alpha * slope + _slack(fx):
                return alpha, f_new
            alpha *= shrink
    return None, None


def wolfe_line_search(f, grad, x, fx, g, p, *, c1=1e-4, c2=0.9, max_steps=100):
    r"""Bisection line search for the weak Wolfe conditions.

    Finds a step :math:`\alpha > 0` with

    .. math::

        f(x + \alpha p) \le f(x) + c_1 \alpha \nabla f(x)^\top p, \qquad
        \nabla f(x + \alpha p)^\top p \ge c_2 \nabla f(x)^\top p ,

    by keeping a bracket ``[lo, hi]``: a step that fails the first condition is too
    long (``hi = alpha``), one that fails the second is too short (``lo = alpha``); the
    next trial is the midpoint, or ``2 * lo`` while ``hi`` is infinite. The first
    condition allows :math:`8 \epsilon_{\text{mach}} |f(x)|` for rounding. The second
    condition guarantees :math:`y^\top s > 0` for the BFGS update.

    Parameters
    ----------
    f, grad : callable
        The function and its gradient, of an ndarray of shape (n_features,).
    x, g, p : ndarray of shape (n_features,)
        Current point, gradient there, and a descent direction.
    fx : float
        ``f(x)``.
    c1, c2 : float
        Constants with ``0 < c1 < c2 < 1``.
    max_steps : int

    Returns
    -------
    alpha : float or None
        None if no step was found in ``max_steps`` trials.
    f_new : float or None
    g_new : ndarray of shape (n_features,) or None
    """
    slope = float(g @ p)
    if not slope < 0:
        raise ValueError(f"p is not a descent direction: g @ p = {slope!r} must be negative.")
    if not 0 < c1 < c2 < 1:
        raise ValueError(f"need 0 < c1 < c2 < 1, got c1={c1!r}, c2={c2!r}.")
    lo, hi, alpha = 0.0, np.inf, 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_steps):
            x_new = x + alpha * p
            f_new = float(f(x_new))
            if not (np.isfinite(f_new) and f_new <= fx + c1 * alpha * slope + _slack(fx)):
                hi = alpha                                   # too long: not enough decrease
            else:
                g_new = np.asarray(grad(x_new), dtype=float)
                if g_new @ p < c2 * slope:
                    lo = alpha                               # too short: still steeply downhill
                else:
                    return alpha, f_new, g_new
            alpha = 0.5 * (lo + hi) if np.isfinite(hi) else 2.0 * lo
    return None, None, None


# ---- Newton's method ----------------------------------------------------------------------

def _modified_cholesky_solve(H, g, beta=1e-3):
    """Solve (H + tau I) p = -g with the smallest tau in beta * 2^k making H + tau I PD.

    Nocedal and Wright's "Cholesky with added multiple of the identity".
    """
    n = H.shape[0]
    min_diag = float(np.min(np.diag(H)))
    tau = 0.0 if min_diag > 0 else beta - min_diag
    while True:
        try:
            L = np.linalg.cholesky(H + tau * np.eye(n))
            break
        except np.linalg.LinAlgError:
            tau = max(2.0 * tau, beta)
    z = np.linalg.solve(L, -g)
    return np.linalg.solve(L.T, z), tau


def newton_minimize(f, grad, hess, x0, *, tol=1e-10, max_iter=100, line_search=True):
    r"""Minimise a twice-differentiable function by Newton's method.

    The step minimises the local quadratic model
    :math:`m(p) = f(x) + \nabla f(x)^\top p + \tfrac12 p^\top \nabla^2 f(x) p`:

    .. math::

        \nabla^2 f(x_k)\, p_k = -\nabla f(x_k), \qquad x_{k+1} = x_k + \alpha_k p_k .

    * ``line_search=False``: the pure Newton iteration, :math:`\alpha_k = 1` and the
      Hessian as it is. Converges quadratically near a minimiser with a positive
      definite Hessian, but may head for a saddle point or a maximum, or diverge.
    * ``line_search=True`` (damped Newton): if the Hessian is not positive definite,
      :math:`\tau I` is added (smallest :math:`\tau` in :math:`10^{-3} \cdot 2^k` that
      makes a Cholesky factorisation succeed), so :math:`p_k` is a descent direction;
      then :math:`\alpha_k` comes from a backtracking (Armijo) search starting at 1.

    Parameters
    ----------
    f : callable or None
        Objective, ndarray of shape (n_features,) -> float. Needed only for the line
        search; may be None when ``line_search=False``.
    grad : callable
        Gradient, ndarray of shape (n_features,) -> ndarray of shape (n_features,).
    hess : callable
        Hessian, ndarray of shape (n_features,) -> ndarray of shape (n_features, n_features).
    x0 : array-like of shape (n_features,)
    tol : float, default=1e-10
        Stop once :math:`\lVert \nabla f(x_k) \rVert_2 \le` ``tol``.
    max_iter : int, default=100
    line_search : bool, default=True

    Returns
    -------
    x : ndarray of shape (n_features,)
    n_iter : int
        Newton steps taken.
    history : ndarray of shape (n_iter + 1, n_features)
        The iterates :math:`x_0, \dots, x_{n\_iter}`.

    Raises
    ------
    FloatingPointError
        If the iterates overflow (pure Newton can diverge).
    numpy.linalg.LinAlgError
        If ``line_search=False`` and a Hessian is singular.

    Notes
    -----
    Derived in the book page "Newton's method and quasi-Newton methods".
    """
    x = _as_vector(x0)
    _check_options(tol, max_iter)
    if line_search and f is None:
        raise ValueError("line_search=True needs the objective f; pass f or set line_search=False.")
    n = x.size
    history = [x.copy()]
    g = np.asarray(grad(x), dtype=float)
    fx = float(f(x)) if line_search else None
    n_iter = 0
    with np.errstate(over="ignore", invalid="ignore"):
        while np.linalg.norm(g) > tol and n_iter < max_iter:
            H = np.asarray(hess(x), dtype=float)
            if H.shape != (n, n):
                raise ValueError(f"hess must return shape {(n, n)}, got {H.shape}.")
            if line_search:
                p, _ = _modified_cholesky_solve(0.5 * (H + H.T), g)
                alpha, f_new = backtracking_line_search(f, x, fx, g, p)
                if alpha is None:                            # rounding stops all progress
                    warnings.warn("Newton line search made no progress (precision loss); "
                                  "returning the current point.", ConvergenceWarning, stacklevel=2)
                    break
                x, fx = x + alpha * p, f_new
            else:
                try:
                    x = x + np.linalg.solve(H, -g)
                except np.linalg.LinAlgError:
                    raise np.linalg.LinAlgError(
                        f"the Hessian is singular at step {n_iter + 1}; pure Newton cannot continue "
                        "(use line_search=True).") from None
            g = np.asarray(grad(x), dtype=float)
            n_iter += 1
            history.append(x.copy())
            _check_finite(x, g, "Newton's method", n_iter)
    if np.linalg.norm(g) > tol and n_iter >= max_iter:
        warnings.warn(f"Newton's method did not reach tol={tol:g} in max_iter={max_iter} steps.",
                      ConvergenceWarning, stacklevel=2)
    return x, n_iter, np.array(history)


# ---- quasi-Newton -------------------------------------------------------------------------

def bfgs_update(H, s, y):
    r"""BFGS update of an inverse-Hessian approximation.

    .. math::

        H_{+} = (I - \rho s y^\top) H (I - \rho y s^\top) + \rho s s^\top,
        \qquad \rho = \frac{1}{y^\top s} .

    :math:`H_{+}` satisfies the secant condition :math:`H_{+} y = s`, is symmetric
    when :math:`H` is, and is positive definite when :math:`H` is and
    :math:`y^\top s > 0`.

    Parameters
    ----------
    H : ndarray of shape (n_features, n_features)
        Current inverse-Hessian approximation.
    s : ndarray of shape (n_features,)
        Step :math:`x_{k+1} - x_k`.
    y : ndarray of shape (n_features,)
        Gradient change :math:`\nabla f(x_{k+1}) - \nabla f(x_k)`.

    Returns
    -------
    H_new : ndarray of shape (n_features, n_features)
    """
    H = np.asarray(H, dtype=float)
    s, y = np.asarray(s, dtype=float), np.asarray(y, dtype=float)
    n = s.size
    if s.shape != (n,) or y.shape != (n,) or H.shape != (n, n):
        raise ValueError(f"need H of shape (n, n) and s, y of shape (n,); got {H.shape}, {s.shape}, "
                         f"{y.shape}.")
    sy = float(y @ s)
    if not sy > 0:
        raise ValueError(f"the curvature condition y @ s > 0 fails (y @ s = {sy!r}); the update "
                         "would not keep H positive definite.")
    rho = 1.0 / sy
    Hy = H @ y                                               # (n,)
    # Expanded form of (I - rho s y^T) H (I - rho y s^T) + rho s s^T, O(n^2).
    H_new = (H - rho * (np.outer(s, y @ H) + np.outer(Hy, s))
             + (rho * rho * (y @ Hy) + rho) * np.outer(s, s))
    return H_new


def _quasi_newton(f, grad, x0, tol, max_iter, memory, name):
    x = _as_vector(x0)
    _check_options(tol, max_iter)
    n = x.size
    fx = float(f(x))
    g = np.asarray(grad(x), dtype=float)
    H = None                                                 # BFGS: dense inverse Hessian
    s_hist, y_hist = [], []                                  # L-BFGS: the last `memory` pairs
    history = [x.copy()]
    n_iter = 0
    while np.linalg.norm(g) > tol and n_iter < max_iter:
        if H is None and not s_hist:
            p = -g / max(1.0, float(np.linalg.norm(g)))      # first step: length at most 1
        elif memory is None:
            p = -(H @ g)
        else:
            p = -lbfgs_two_loop(g, s_hist, y_hist)
        alpha, f_new, g_new = wolfe_line_search(f, grad, x, fx, g, p)
        if alpha is None:
            warnings.warn(f"{name} line search made no progress (precision loss); returning the "
                          "current point.", ConvergenceWarning, stacklevel=3)
            break
        s = alpha * p
        y = g_new - g
        x, fx, g = x + s, f_new, g_new
        n_iter += 1
        history.append(x.copy())
        _check_finite(x, g, name, n_iter)
        sy = float(y @ s)
        if sy <= 1e-12 * np.linalg.norm(s) * np.linalg.norm(y):
            continue                                         # skip an update that would break PD
        if memory is None:
            if H is None:                                    # scale H_0 = (y^T s / y^T y) I
                H = (sy / float(y @ y)) * np.eye(n)
            H = bfgs_update(H, s, y)
        else:
            s_hist.append(s)
            y_hist.append(y)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
    if np.linalg.norm(g) > tol and n_iter >= max_iter:
        warnings.warn(f"{name} did not reach tol={tol:g} in max_iter={max_iter} steps.",
                      ConvergenceWarning, stacklevel=3)
    return x, n_iter, np.array(history)


def bfgs_minimize(f, grad, x0, *, tol=1e-8, max_iter=1000):
    r"""Minimise a smooth function by BFGS with a Wolfe line search.

    Keeps an approximation :math:`H_k` of the inverse Hessian, steps along
    :math:`p_k = -H_k \nabla f(x_k)` with a step length satisfying the weak Wolfe
    conditions (:func:`wolfe_line_search`), and updates :math:`H_k` by
    :func:`bfgs_update` with :math:`s_k = x_{k+1} - x_k`,
    :math:`y_k = \nabla f(x_{k+1}) - \nabla f(x_k)`. The first step is along
    :math:`-\nabla f(x_0)`, with a first trial length of at most 1; before the first
    update, :math:`H_0` is set to :math:`(y_0^\top s_0 / y_0^\top y_0) I`.

    Parameters
    ----------
    f : callable
        ndarray of shape (n_features,) -> float.
    grad : callable
        ndarray of shape (n_features,) -> ndarray of shape (n_features,).
    x0 : array-like of shape (n_features,)
    tol : float, default=1e-8
        Stop once :math:`\lVert \nabla f(x_k) \rVert_2 \le` ``tol``.
    max_iter : int, default=1000

    Returns
    -------
    x : ndarray of shape (n_features,)
    n_iter : int
    history : ndarray of shape (n_iter + 1, n_features)
        The iterates.

    Notes
    -----
    Derived in the book page "Newton's method and quasi-Newton methods".
    """
    return _quasi_newton(f, grad, x0, tol, max_iter, None, "BFGS")


def lbfgs_two_loop(g, s_history, y_history):
    r"""L-BFGS two-loop recursion: the product :math:`H_k g` without forming :math:`H_k`.

    :math:`H_k` is the matrix obtained by applying :func:`bfgs_update` with the stored
    pairs :math:`(s_i, y_i)`, oldest first, to :math:`H_k^0 = \gamma I`,
    :math:`\gamma = s^\top y / y^\top y` of the newest pair (:math:`\gamma = 1` with no
    pairs). Cost :math:`O(m n)` time and memory for :math:`m` pairs.

    Parameters
    ----------
    g : ndarray of shape (n_features,)
    s_history, y_history : sequence of ndarray of shape (n_features,)
        The stored steps and gradient changes, oldest first, each with
        :math:`y_i^\top s_i > 0`.

    Returns
    -------
    r : ndarray of shape (n_features,)
        :math:`H_k g`; the L-BFGS direction is :math:`-r`.
    """
    if len(s_history) != len(y_history):
        raise ValueError("s_history and y_history must have the same length.")
    q = np.array(g, dtype=float)
    rhos = [1.0 / float(y @ s) for s, y in zip(s_history, y_history, strict=True)]
    alphas = []
    for s, y, rho in zip(reversed(s_history), reversed(y_history), reversed(rhos), strict=True):
        a = rho * float(s @ q)                               # newest pair first
        q -= a * y
        alphas.append(a)
    if s_history:
        s, y = s_history[-1], y_history[-1]
        q *= float(s @ y) / float(y @ y)                     # H_k^0 = gamma I
    for (s, y, rho), a in zip(zip(s_history, y_history, rhos, strict=True), reversed(alphas), strict=True):
        b = rho * float(y @ q)                               # oldest pair first
        q += (a - b) * s
    return q


def lbfgs_minimize(f, grad, x0, *, memory=10, tol=1e-8, max_iter=1000):
    r"""Minimise a smooth function by L-BFGS with a Wolfe line search.

    Like :func:`bfgs_minimize`, but the direction :math:`-H_k \nabla f(x_k)` is computed
    by :func:`lbfgs_two_loop` from the last ``memory`` pairs :math:`(s_i, y_i)`, so no
    :math:`n \times n` matrix is stored.

    Parameters
    ----------
    f, grad : callable
    x0 : array-like of shape (n_features,)
    memory : int, default=10
        Number of stored pairs :math:`m`.
    tol : float, default=1e-8
    max_iter : int, default=1000

    Returns
    -------
    x : ndarray of shape (n_features,)
    n_iter : int
    history : ndarray of shape (n_iter + 1, n_features)

    Notes
    -----
    Derived in the book page "Newton's method and quasi-Newton methods".
    """
    if int(memory) != memory or memory < 1:
        raise ValueError(f"memory must be a positive integer, got {memory!r}.")
    return _quasi_newton(f, grad, x0, tol, max_iter, int(memory), "L-BFGS")


def conjugate_gradient(A, b, *, x0=None, tol=1e-10, max_iter=None):
    r"""Solve :math:`A x = b` for symmetric positive definite :math:`A` by conjugate gradients.

    Equivalently, minimise :math:`\tfrac12 x^\top A x - b^\top x`. With residual
    :math:`r_k = b - A x_k` and search direction :math:`p_k`:

    .. math::

        \alpha_k = \frac{r_k^\top r_k}{p_k^\top A p_k}, \quad
        x_{k+1} = x_k + \alpha_k p_k, \quad r_{k+1} = r_k - \alpha_k A p_k, \quad
        p_{k+1} = r_{k+1} + \frac{r_{k+1}^\top r_{k+1}}{r_k^\top r_k} p_k .

    In exact arithmetic it terminates in at most :math:`n` steps, and in at most as
    many steps as :math:`A` has distinct eigenvalues.

    Parameters
    ----------
    A : ndarray of shape (n, n) or callable
        The matrix, or a function returning the product ``A @ v`` (only products are used).
    b : array-like of shape (n,)
    x0 : array-like of shape (n,), default=zeros
    tol : float, default=1e-10
        Stop once :math:`\lVert r_k \rVert_2 \le` ``tol`` :math:`\cdot \lVert b \rVert_2`.
    max_iter : int, default=10 * n

    Returns
    -------
    x : ndarray of shape (n,)
    n_iter : int
    """
    b = _as_vector(b, "b")
    n = b.size
    if callable(A):
        matvec = A
    else:
        A = np.asarray(A, dtype=float)
        if A.shape != (n, n):
            raise ValueError(f"A must have shape {(n, n)}, got {A.shape}.")
        if not np.allclose(A, A.T, rtol=1e-10, atol=1e-12 * np.abs(A).max()):
            raise ValueError("A must be symmetric.")
        matvec = A.__matmul__
    max_iter = 10 * n if max_iter is None else max_iter
    _check_options(tol, max_iter)
    x = np.zeros(n) if x0 is None else _as_vector(x0, "x0")
    r = b - matvec(x)
    p = r.copy()
    rr = float(r @ r)
    threshold = tol * np.linalg.norm(b)
    n_iter = 0
    while np.sqrt(rr) > threshold and n_iter < max_iter:
        Ap = np.asarray(matvec(p), dtype=float)
        curvature = float(p @ Ap)
        if not curvature > 0:
            raise ValueError(f"A is not positive definite: p @ A @ p = {curvature!r} along a search "
                             "direction.")
        alpha = rr / curvature
        x += alpha * p
        r -= alpha * Ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
        n_iter += 1
    if np.sqrt(rr) > threshold:
        warnings.warn(f"conjugate_gradient did not reach tol={tol:g} in max_iter={max_iter} steps.",
                      ConvergenceWarning, stacklevel=2)
    return x, n_iter


# ---- constrained problems -----------------------------------------------------------------

def solve_equality_qp(Q, c, A, b):
    r"""Solve an equality-constrained quadratic programme through its KKT system.

    .. math::

        \min_x \tfrac12 x^\top Q x + c^\top x \quad \text{s.t.} \quad A x = b .

    With the Lagrangian :math:`\tfrac12 x^\top Q x + c^\top x + \nu^\top (A x - b)`, the
    KKT conditions are the linear system

    .. math::

        \begin{bmatrix} Q & A^\top \\ A & 0 \end{bmatrix}
        \begin{bmatrix} x \\ \nu \end{bmatrix} =
        \begin{bmatrix} -c \\ b \end{bmatrix} .

    It has a unique solution, and :math:`x` is the unique minimiser, when :math:`A` has
    full row rank and :math:`Q` is positive definite on the null space of :math:`A`;
    both are checked.

    Parameters
    ----------
    Q : array-like of shape (n_features, n_features)
        Symmetric.
    c : array-like of shape (n_features,)
    A : array-like of shape (n_constraints, n_features)
        ``n_constraints`` may be 0 (an unconstrained quadratic).
    b : array-like of shape (n_constraints,)

    Returns
    -------
    x : ndarray of shape (n_features,)
        The minimiser.
    nu : ndarray of shape (n_constraints,)
        The Lagrange multipliers: :math:`Q x + c + A^\top \nu = 0`.

    Notes
    -----
    Derived in the book page "Constrained optimization: Lagrange multipliers, KKT
    conditions and duality".
    """
    Q = np.asarray(Q, dtype=float)
    c = _as_vector(c, "c")
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float).reshape(-1)
    n = c.size
    if Q.shape != (n, n):
        raise ValueError(f"Q must have shape {(n, n)} to match c, got {Q.shape}.")
    if A.ndim != 2 or A.shape[1] != n:
        raise ValueError(f"A must have shape (n_constraints, {n}), got {A.shape}.")
    m = A.shape[0]
    if b.shape != (m,):
        raise ValueError(f"b must have shape {(m,)} to match A, got {b.shape}.")
    for name, arr in [("Q", Q), ("A", A), ("b", b)]:
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity.")
    scale = max(1.0, float(np.abs(Q).max()))
    if not np.allclose(Q, Q.T, rtol=0, atol=1e-10 * scale):
        raise ValueError("Q must be symmetric.")
    if m > n:
        raise ValueError(f"A has more rows ({m}) than columns ({n}), so it cannot have full row rank.")
    if m > 0:
        _, sing, Vt = np.linalg.svd(A)
        if sing[-1] <= max(A.shape) * np.finfo(float).eps * sing[0]:
            raise ValueError("A does not have full row rank: the constraints are redundant or "
                             "inconsistent.")
        Z = Vt[m:].T                                         # (n, n - m) basis of null(A)
    else:
        Z = np.eye(n)
    if Z.shape[1] > 0:
        reduced = Z.T @ Q @ Z                                # Q restricted to null(A)
        if np.linalg.eigvalsh(0.5 * (reduced + reduced.T)).min() <= 1e-10 * scale:
            raise ValueError("Q is not positive definite on the null space of A: the problem has no "
                             "unique minimiser (it is unbounded below or has a flat direction).")
    K = np.block([[Q, A.T], [A, np.zeros((m, m))]])          # (n + m, n + m) KKT matrix
    solution = np.linalg.solve(K, np.concatenate([-c, b]))
    return solution[:n], solution[n:]


def project_onto_simplex(v, radius=1.0):
    r"""Euclidean projection onto the simplex :math:`\{x : x \ge 0, \sum_i x_i = r\}`.

    The KKT conditions give :math:`x_i = \max(v_i - \theta, 0)` with the threshold
    :math:`\theta` fixed by :math:`\sum_i x_i = r`. Sorting :math:`u_1 \ge \dots \ge u_n`
    (the entries of :math:`v`), the support size is

    .. math::

        k = \max\Bigl\{ j : u_j - \tfrac{1}{j}\bigl(\textstyle\sum_{i \le j} u_i - r\bigr) > 0 \Bigr\},
        \qquad \theta = \tfrac{1}{k}\bigl(\textstyle\sum_{i \le k} u_i - r\bigr),

    an :math:`O(n \log n)` algorithm.

    Parameters
    ----------
    v : array-like of shape (n,) or (n_samples, n)
        A 2-D input is projected row by row.
    radius : float, default=1.0
        The sum :math:`r > 0`; 1 gives the probability simplex.

    Returns
    -------
    x : ndarray, same shape as ``v``

    Notes
    -----
    Derived in the book page "Constrained optimization: Lagrange multipliers, KKT
    conditions and duality".
    """
    try:
        v = np.asarray(v, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"v must be numeric; could not convert it to floats: {exc}") from None
    if v.ndim not in (1, 2) or v.shape[-1] == 0:
        raise ValueError(f"v must be a non-empty 1-D or 2-D array, got shape {v.shape}.")
    if not np.all(np.isfinite(v)):
        raise ValueError("v contains NaN or infinity.")
    if not (np.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be positive and finite, got {radius!r}.")
    u = -np.sort(-v, axis=-1)                                # each row sorted decreasingly
    css = np.cumsum(u, axis=-1) - radius                     # (..., n)
    j = np.arange(1, v.shape[-1] + 1)
    positive = u - css / j > 0                               # True on a prefix of length k
    k = v.shape[-1] - np.argmax(positive[..., ::-1], axis=-1)  # last True position, 1-based
    theta = np.take_along_axis(css, (k - 1)[..., None], axis=-1) / k[..., None]
    return np.maximum(v - theta, 0.0)
