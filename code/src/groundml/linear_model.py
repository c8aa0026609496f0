"""Linear models from scratch: least squares, ridge, lasso, elastic net, logistic regression.

The book pages ``book/machine-learning/linear-regression.md``, ``regularization.md``
and ``logistic-regression.md`` derive every formula used here, in that order. Each estimator follows
scikit-learn's conventions, so it can stand in for its ``sklearn.linear_model``
namesake: keyword-only ``__init__`` that only stores, ``fit`` returning ``self``,
learned attributes ending in ``_``.
"""

import warnings

import numpy as np

from ._validation import (
    ConvergenceWarning,
    check_array,
    check_classification_targets,
    check_is_fitted,
    check_n_features,
    check_X_y,
)
from .numerics import log_softmax, sigmoid, softmax, softplus

SOLVERS = ("lstsq", "normal", "gd")


class LinearRegression:
    r"""Ordinary least squares linear regression.

    Fits :math:`\hat y = X w + b` by minimising the mean squared error

    .. math::

        L(w, b) = \frac{1}{2n} \lVert X w + b \mathbf{1} - y \rVert_2^2 .

    With an intercept, the columns of ``X`` and ``y`` are centred first; the optimal
    intercept is then :math:`b = \bar y - \bar x^\top w` exactly, so only ``w`` is
    solved for. Solvers:

    * ``"lstsq"``: least squares by SVD (``numpy.linalg.lstsq``). If ``X`` does not
      have full column rank it returns the minimum-norm solution, as scikit-learn does.
    * ``"normal"``: the normal equations :math:`X^\top X w = X^\top y`. Needs full
      column rank and squares the condition number; shown for teaching.
    * ``"gd"``: full-batch gradient descent with gradient
      :math:`\nabla_w L = \tfrac{1}{n} X^\top (X w - y)` and, by default, step
      :math:`1/\lambda_{\max}(X^\top X / n)`, which guarantees convergence.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to fit the intercept ``b``. If False, the data are not centred.
    solver : {"lstsq", "normal", "gd"}, default="lstsq"
    learning_rate : float or None, default=None
        Step size for ``solver="gd"``; None uses ``1 / lambda_max(X^T X / n)``.
    max_iter : int, default=10_000
        Maximum number of gradient steps for ``solver="gd"``.
    tol : float, default=1e-10
        ``solver="gd"`` stops once the gradient norm falls below ``tol`` times its
        norm at the start (``w = 0``).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    n_iter_ : int
        Gradient steps taken (0 for the closed-form solvers).
    loss_history_ : ndarray of shape (n_iter_ + 1,)
        ``solver="gd"`` only: the loss before each step and after the last one.

    Notes
    -----
    Derivation, geometry (projection onto the column space) and interview
    questions: the book page "Linear regression".
    """

    def __init__(self, *, fit_intercept=True, solver="lstsq", learning_rate=None,
                 max_iter=10_000, tol=1e-10):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : LinearRegression
        """
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}.")
        X, y = check_X_y(X, y)
        n_samples, n_features = X.shape

        if self.fit_intercept:
            x_mean = X.mean(axis=0)                      # (n_features,)
            y_mean = y.mean(axis=0)                      # () or (n_targets,)
            Xc, yc = X - x_mean, y - y_mean
        else:
            x_mean = np.zeros(n_features)
            y_mean = np.zeros(y.shape[1:])
            Xc, yc = X, y

        self.n_iter_ = 0
        if self.solver == "lstsq":
            w, *_ = np.linalg.lstsq(Xc, yc, rcond=None)  # (n_features,) or (n_features, n_targets)
        elif self.solver == "normal":
            w = self._solve_normal_equations(Xc, yc)
        else:
            w = self._gradient_descent(Xc, yc)

        self.coef_ = w.T                                 # scikit-learn's layout
        if self.fit_intercept:
            self.intercept_ = y_mean - x_mean @ w        # b = y_mean - x_mean^T w
        else:
            self.intercept_ = 0.0 if y.ndim == 1 else np.zeros(y.shape[1])
        self.n_features_in_ = n_features
        return self

    @staticmethod
    def _solve_normal_equations(X, y):
        # X^T X is invertible iff X has full column rank; the rank is read off the
        # singular values of X with NumPy's default tolerance.
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise np.linalg.LinAlgError(
                "X^T X is singular: the columns of X are linearly dependent (or there are more "
                "features than samples), so the normal equations have no unique solution. "
                "Use solver='lstsq' for the minimum-norm solution, or add regularisation."
            )
        gram = X.T @ X                                   # (n_features, n_features)
        return np.linalg.solve(gram, X.T @ y)

    def _gradient_descent(self, X, y):
        n_samples = X.shape[0]
        if self.learning_rate is None:
            # L-smoothness constant of the loss: the largest eigenvalue of X^T X / n.
            lipschitz = np.linalg.norm(X, ord=2) ** 2 / n_samples
            step = 1.0 / lipschitz if lipschitz > 0 else 1.0
        else:
            if not self.learning_rate > 0:
                raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
            step = float(self.learning_rate)

        w = np.zeros(X.shape[1:] + y.shape[1:])         # (n_features,) or (n_features, n_targets)
        loss, grad = squared_loss(X, y, w)
        grad0 = np.linalg.norm(grad)
        losses = [loss]
        converged = grad0 == 0
        # A too-large step makes the iterates overflow; that is reported below as a
        # FloatingPointError, so NumPy's own overflow warnings are silenced here.
        with np.errstate(over="ignore", invalid="ignore"):
            while not converged and self.n_iter_ < self.max_iter:
                w = w - step * grad
                loss, grad = squared_loss(X, y, w)
                losses.append(loss)
                self.n_iter_ += 1
                if not (np.isfinite(loss) and np.all(np.isfinite(grad))):
                    raise FloatingPointError(
                        f"Gradient descent diverged after {self.n_iter_} steps: "
                        f"learning_rate={step:g} is too large for this data "
                        "(it must be below 2 / lambda_max(X^T X / n))."
                    )
                converged = np.linalg.norm(grad) <= self.tol * grad0
        if not converged:
            warnings.warn(
                f"Gradient descent did not converge in max_iter={self.max_iter} steps; "
                "increase max_iter or the learning rate, or standardise X.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.loss_history_ = np.asarray(losses)
        return w

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        return X @ self.coef_.T + self.intercept_

    def score(self, X, y):
        """Coefficient of determination :math:`R^2 = 1 - SS_{res} / SS_{tot}`.

        For several targets, the plain average of the per-target :math:`R^2`
        (scikit-learn's ``multioutput="uniform_average"``).
        """
        X, y = check_X_y(X, y)
        return r2_score(y, self.predict(X))


def squared_loss(X, y, w):
    r"""Mean squared error loss and its gradient with respect to ``w``.

    .. math::

        L(w) = \frac{1}{2n} \lVert X w - y \rVert_2^2, \qquad
        \nabla_w L = \frac{1}{n} X^\top (X w - y).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    w : ndarray of shape (n_features,) or (n_features, n_targets)

    Returns
    -------
    loss : float
        Summed over targets when there are several.
    grad : ndarray, same shape as ``w``
    """
    n_samples = X.shape[0]
    residual = X @ w - y                                 # (n_samples,) or (n_samples, n_targets)
    with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported by the caller
        loss = 0.5 * float(np.sum(residual ** 2)) / n_samples
        grad = X.T @ residual / n_samples                # same shape as w
    return loss, grad


def r2_score(y_true, y_pred):
    r"""Coefficient of determination, :math:`1 - \sum (y - \hat y)^2 / \sum (y - \bar y)^2`.

    Averaged over targets for 2-D input. A constant ``y_true`` gives 1.0 for a perfect
    prediction and 0.0 otherwise, as in scikit-learn.
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred have different shapes: {y_true.shape} vs {y_pred.shape}.")
    ss_res = np.sum((y_true - y_pred) ** 2, axis=0)
    ss_tot = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    constant = ss_tot == 0
    r2 = 1.0 - ss_res / np.where(constant, 1.0, ss_tot)
    r2 = np.where(constant, np.where(ss_res == 0, 1.0, 0.0), r2)
    return float(np.mean(r2))


# ---- regularised least squares: ridge, lasso, elastic net --------------------------
# Derived in the book page "Regularisation: ridge, lasso and elastic net".


def _center(X, y, fit_intercept):
    """Centre ``X`` and ``y`` when fitting an intercept; return the data and the means."""
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean(axis=0)
        return X - x_mean, y - y_mean, x_mean, y_mean
    return X, y, np.zeros(X.shape[1]), np.zeros(y.shape[1:])


def _check_non_negative(name, value):
    if not (np.isscalar(value) and np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}.")


class Ridge:
    r"""Linear regression with an L2 penalty (ridge regression, Tikhonov regularisation).

    Minimises, with the same objective as ``sklearn.linear_model.Ridge``,

    .. math::

        \lVert y - X w - b \mathbf{1} \rVert_2^2 + \alpha \lVert w \rVert_2^2 ,

    where the intercept ``b`` is not penalised. With an intercept, ``X`` and ``y`` are
    centred, the centred problem is solved and :math:`b = \bar y - \bar x^\top w`.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, at least 0 (``alpha=0`` is least squares, solved by ``lstsq``).
    fit_intercept : bool, default=True

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int

    Notes
    -----
    The minimiser is :math:`w = (X^\top X + \alpha I)^{-1} X^\top y`, computed by
    solving the positive definite :math:`p \times p` system when
    ``n_samples >= n_features`` and, otherwise, from the equivalent dual form
    :math:`w = X^\top (X X^\top + \alpha I)^{-1} y`, an :math:`n \times n` system.
    Derived in the book page "Regularisation: ridge, lasso and elastic net".
    """

    def __init__(self, *, alpha=1.0, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)

        Returns
        -------
        self : Ridge
        """
        _check_non_negative("alpha", self.alpha)
        X, y = check_X_y(X, y)
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        n_samples, n_features = X.shape
        if self.alpha == 0:
            w, *_ = np.linalg.lstsq(Xc, yc, rcond=None)
        elif n_samples >= n_features:                    # primal: (p, p) system
            gram = Xc.T @ Xc
            gram[np.diag_indices_from(gram)] += self.alpha
            w = np.linalg.solve(gram, Xc.T @ yc)
        else:                                            # dual: (n, n) system
            kernel = Xc @ Xc.T
            kernel[np.diag_indices_from(kernel)] += self.alpha
            w = Xc.T @ np.linalg.solve(kernel, yc)
        self.coef_ = w.T
        self.intercept_ = y_mean - x_mean @ w if self.fit_intercept else (
            0.0 if y.ndim == 1 else np.zeros(y.shape[1]))
        self.n_features_in_ = n_features
        return self

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``; X of shape (n_samples, n_features)."""
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        return X @ self.coef_.T + self.intercept_

    def score(self, X, y):
        """Coefficient of determination :math:`R^2` of the prediction."""
        X, y = check_X_y(X, y)
        return r2_score(y, self.predict(X))


def soft_threshold(z, threshold):
    r"""Soft-thresholding :math:`S(z, t) = \operatorname{sign}(z) \max(|z| - t, 0)`.

    The minimiser of :math:`\tfrac12 (w - z)^2 + t |w|` over :math:`w`, for
    :math:`t \ge 0`; applied elementwise to arrays.
    """
    return np.sign(z) * np.maximum(np.abs(z) - threshold, 0.0) + 0.0   # + 0.0 turns -0.0 into 0.0


def _enet_coordinate_descent(gram, xty, yty, l1_reg, l2_reg, w, max_iter, tol):
    r"""Cyclic coordinate descent for the elastic net, on the Gram matrix.

    Minimises :math:`P(w) = \tfrac12 \lVert y - X w \rVert^2 + l_1 \lVert w \rVert_1 +
    \tfrac{l_2}{2} \lVert w \rVert^2` given only ``gram`` :math:`= X^\top X`, ``xty``
    :math:`= X^\top y` and ``yty`` :math:`= y^\top y` ("covariance updates"). Each
    coordinate update is exact:

    .. math::

        w_j \leftarrow \frac{S\bigl(x_j^\top y - \sum_{k \ne j} G_{jk} w_k,\; l_1\bigr)}{G_{jj} + l_2} .

    The sweeps run over an *active set*: the non-zero coefficients and the zero ones
    whose optimality condition :math:`|x_j^\top r| \le l_1` fails. Once a sweep moves no
    coefficient by more than ``tol`` times the largest one, the condition is checked
    for every zero coefficient at once (vectorised); violators join the active set.
    When there are none, the duality gap is computed, and the loop stops once it is
    below ``tol * yty``.

    Returns
    -------
    w : ndarray of shape (n_features,)
    n_iter : int
        Number of sweeps over the active set.
    gap : float
        Duality gap at the returned ``w``.
    """
    diag = np.diag(gram).copy()
    diag_list, xty_list = diag.tolist(), xty.tolist()
    gw = gram @ w                                        # (n_features,), kept equal to G w

    def kkt_violators():
        # a zero coefficient is optimal iff |x_j^T r| <= l1, with x_j^T r = (X^T y - G w)_j
        return set(np.flatnonzero((w == 0) & (np.abs(xty - gw) > l1_reg) & (diag > 0)).tolist())

    active = sorted(set(np.flatnonzero(w).tolist()) | kkt_violators())
    gap = np.inf                                         # always at least one sweep, as scikit-learn
    n_iter = 0
    while n_iter < max_iter and gap > tol * yty:
        n_iter += 1
        max_change, max_w = 0.0, 0.0
        for j in active:                                 # plain floats: this loop is the hot path
            w_j = float(w[j])
            rho = xty_list[j] - float(gw[j]) + diag_list[j] * w_j   # x_j^T (y - sum_{k != j} x_k w_k)
            if rho > l1_reg:                             # soft-thresholding S(rho, l1)
                new = (rho - l1_reg) / (diag_list[j] + l2_reg)
            elif rho < -l1_reg:
                new = (rho + l1_reg) / (diag_list[j] + l2_reg)
            else:
                new = 0.0
            if new != w_j:
                gw += (new - w_j) * gram[j]              # row j = column j (symmetric)
                w[j] = new
                max_change = max(max_change, abs(new - w_j))
            max_w = max(max_w, abs(new))
        if max_w == 0.0 or max_change <= tol * max_w or n_iter == max_iter:
            violators = kkt_violators()
            if violators:
                active = sorted(set(active) | violators)
                continue
            gap = _enet_duality_gap(w, gw, xty, yty, l1_reg, l2_reg)
    return w, n_iter, gap


def _enet_duality_gap(w, gw, xty, yty, l1_reg, l2_reg):
    r"""Duality gap of the elastic net problem, from Gram-matrix quantities only.

    With residual :math:`r = y - X w`, the dual point
    :math:`\theta = s\, r` is scaled so that
    :math:`\lVert X^\top \theta - l_2 w \rVert_\infty \le l_1` (the dual constraint),
    and the gap is the primal value minus the dual value at :math:`\theta`. Without an
    L1 term (``l1_reg = 0``, ridge) the ridge dual
    :math:`\theta^\top y - \tfrac12 \lVert\theta\rVert^2 - \lVert X^\top\theta\rVert^2 / (2 l_2)`
    at :math:`\theta = r` is used instead.
    """
    xtr = xty - gw                                       # X^T r
    r_norm2 = yty - 2.0 * w @ xty + w @ gw               # ||r||^2
    r_dot_y = yty - w @ xty                              # r^T y
    w_norm2 = w @ w
    if l1_reg == 0:
        gap = r_norm2 - r_dot_y + 0.5 * l2_reg * w_norm2 + 0.5 * (xtr @ xtr) / l2_reg
        return float(max(gap, 0.0))
    dual_norm = np.max(np.abs(xtr - l2_reg * w))
    scale = l1_reg / dual_norm if dual_norm > l1_reg else 1.0
    gap = 0.5 * r_norm2 * (1.0 + scale ** 2) + l1_reg * np.abs(w).sum() - scale * r_dot_y
    gap += 0.5 * l2_reg * (1.0 + scale ** 2) * w_norm2
    return float(max(gap, 0.0))


class ElasticNet:
    r"""Linear regression with a combined L1 and L2 penalty, fitted by coordinate descent.

    Minimises scikit-learn's objective

    .. math::

        \frac{1}{2n} \lVert y - X w - b \mathbf{1} \rVert_2^2
        + \alpha \rho \lVert w \rVert_1 + \frac{\alpha (1 - \rho)}{2} \lVert w \rVert_2^2 ,

    with :math:`\rho` = ``l1_ratio``; the intercept is not penalised.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, positive (scikit-learn also accepts 0 but advises against it).
    l1_ratio : float, default=0.5
        Share of the L1 penalty, in [0, 1]; 1 is the lasso.
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Maximum number of coordinate-descent sweeps.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * ||y - mean(y)||^2``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    dual_gap_ : float
        Duality gap at the solution, for the objective multiplied by ``n_samples``.
    n_features_in_ : int

    Notes
    -----
    Cyclic coordinate descent with covariance updates: :math:`X^\top X` and
    :math:`X^\top y` of the centred data are formed once, and each coordinate is set to
    its exact minimiser, a soft-thresholded partial residual correlation. Derived in the
    book page "Regularisation: ridge, lasso and elastic net".
    """

    def __init__(self, *, alpha=1.0, l1_ratio=0.5, fit_intercept=True, max_iter=1000, tol=1e-4):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _l1_ratio(self):
        return self.l1_ratio

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        if not (np.isscalar(self.alpha) and 0 < self.alpha < np.inf):
            raise ValueError(
                f"alpha must be a positive number, got {self.alpha!r} (for alpha=0 use LinearRegression).")
        l1_ratio = self._l1_ratio()
        if not (np.isscalar(l1_ratio) and 0 <= l1_ratio <= 1):
            raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        _check_non_negative("tol", self.tol)
        X, y = check_X_y(X, y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1D for {type(self).__name__} here, got shape {y.shape}.")
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        n_samples = X.shape[0]
        # scikit-learn's objective times n: (1/2)||r||^2 + n alpha rho ||w||_1 + ...
        l1_reg = n_samples * self.alpha * l1_ratio
        l2_reg = n_samples * self.alpha * (1.0 - l1_ratio)
        w, self.n_iter_, self.dual_gap_ = _enet_coordinate_descent(
            Xc.T @ Xc, Xc.T @ yc, float(yc @ yc), l1_reg, l2_reg, np.zeros(X.shape[1]),
            self.max_iter, self.tol)
        if self.dual_gap_ > self.tol * float(yc @ yc):
            warnings.warn(
                f"Coordinate descent did not converge in max_iter={self.max_iter} sweeps "
                f"(duality gap {self.dual_gap_:.3g}); increase max_iter or tol.",
                ConvergenceWarning, stacklevel=2)
        self.coef_ = w
        self.intercept_ = float(y_mean - x_mean @ w) if self.fit_intercept else 0.0
        self.n_features_in_ = X.shape[1]
        return self

    predict = Ridge.predict
    score = Ridge.score


class Lasso(ElasticNet):
    r"""Linear regression with an L1 penalty (the lasso), fitted by coordinate descent.

    Minimises scikit-learn's objective

    .. math::

        \frac{1}{2n} \lVert y - X w - b \mathbf{1} \rVert_2^2 + \alpha \lVert w \rVert_1 ,

    the elastic net with ``l1_ratio=1``. Each coordinate update is a soft-thresholding,
    :math:`w_j \leftarrow S(x_j^\top r_{-j}, n\alpha) / \lVert x_j \rVert^2`, where
    :math:`r_{-j}` is the residual without feature ``j``. Parameters and attributes as
    for :class:`ElasticNet`.
    """

    def __init__(self, *, alpha=1.0, fit_intercept=True, max_iter=1000, tol=1e-4):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def _l1_ratio(self):
        return 1.0


def lasso_path(X, y, *, alphas=None, n_alphas=100, eps=1e-3, max_iter=1000, tol=1e-4):
    r"""Lasso coefficients over a decreasing grid of penalties, with warm starts.

    Like ``sklearn.linear_model.lasso_path``, no intercept is fitted: centre ``X`` and
    ``y`` first if the model should have one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    alphas : array-like of shape (n_alphas,) or None
        Penalties; None uses ``n_alphas`` values spaced evenly on a log scale from
        :math:`\alpha_{\max} = \lVert X^\top y \rVert_\infty / n` (the smallest
        penalty giving ``w = 0``) down to ``eps * alpha_max``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,), decreasing
    coefs : ndarray of shape (n_features, n_alphas)
    """
    X, y = check_X_y(X, y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1D, got shape {y.shape}.")
    n_samples = X.shape[0]
    gram, xty, yty = X.T @ X, X.T @ y, float(y @ y)
    if alphas is None:
        alpha_max = np.max(np.abs(xty)) / n_samples
        alphas = np.geomspace(alpha_max, alpha_max * eps, n_alphas)
    alphas = np.sort(np.asarray(alphas, dtype=float))[::-1]
    coefs = np.zeros((X.shape[1], alphas.size))
    w = np.zeros(X.shape[1])
    for k, alpha in enumerate(alphas):
        w, _, _ = _enet_coordinate_descent(gram, xty, yty, n_samples * alpha, 0.0, w.copy(),
                                           max_iter, tol)
        coefs[:, k] = w
    return alphas, coefs


# ---- logistic and softmax regression ------------------------------------------------
# Derived in the book page "Logistic and softmax regression".


def _binary_objective(theta, X, y, lam, mask, hessian=True):
    r"""Penalised binary log-loss, its gradient and Hessian.

    .. math::

        f(\theta) = \sum_i \bigl[\log(1 + e^{z_i}) - y_i z_i\bigr] + \tfrac{\lambda}{2}
        \lVert m \odot \theta \rVert^2, \quad z = X \theta, \qquad
        \nabla f = X^\top (\sigma(z) - y) + \lambda\, m \odot \theta, \qquad
        \nabla^2 f = X^\top S X + \lambda \operatorname{diag}(m),

    with :math:`S = \operatorname{diag}(\sigma(z_i)(1 - \sigma(z_i)))` and ``mask``
    :math:`m` zero on the (unpenalised) intercept.
    """
    z = X @ theta                                        # (n_samples,)
    penalty = mask * theta
    f = float(np.sum(softplus(z) - y * z)) + 0.5 * lam * float(penalty @ theta)
    if not hessian:
        return f
    p = sigmoid(z)
    grad = X.T @ (p - y) + lam * penalty
    hess = X.T @ ((p * (1.0 - p))[:, None] * X)
    hess[np.diag_indices_from(hess)] += lam * mask
    return f, grad, hess


def _multinomial_objective(theta, X, Y, lam, mask, hessian=True):
    r"""Penalised multinomial log-loss (softmax cross-entropy), gradient and Hessian.

    ``theta`` is the flattened (n_classes, n_params) matrix :math:`W` of class weight
    vectors. With :math:`Z = X W^\top` and :math:`P = \operatorname{softmax}(Z)` row-wise,

    .. math::

        f = \sum_i \bigl[\operatorname{logsumexp}(Z_{i\cdot}) - Z_{i, y_i}\bigr]
        + \tfrac{\lambda}{2} \lVert W \operatorname{diag}(m) \rVert_F^2, \qquad
        \nabla_W f = (P - Y)^\top X + \lambda W \operatorname{diag}(m),

    and the Hessian block of classes :math:`(k, l)` is
    :math:`X^\top \operatorname{diag}\bigl(P_{\cdot k}(\delta_{kl} - P_{\cdot l})\bigr) X`
    (plus the penalty on the diagonal).
    """
    n_classes, n_params = Y.shape[1], X.shape[1]
    W = theta.reshape(n_classes, n_params)
    Z = X @ W.T                                          # (n_samples, n_classes)
    log_p = log_softmax(Z, axis=1)
    f = -float(np.sum(Y * log_p)) + 0.5 * lam * float(np.sum(W * W * mask))
    if not hessian:
        return f
    P = np.exp(log_p)
    grad = (P - Y).T @ X + lam * W * mask                # (n_classes, n_params)
    hess = np.empty((n_classes, n_params, n_classes, n_params))
    for k in range(n_classes):
        for l in range(k, n_classes):
            weight = P[:, k] * ((k == l) - P[:, l])       # (n_samples,)
            block = X.T @ (weight[:, None] * X)
            hess[k, :, l, :] = block
            hess[l, :, k, :] = block.T
    hess = hess.reshape(n_classes * n_params, n_classes * n_params)
    hess[np.diag_indices_from(hess)] += lam * np.tile(mask, n_classes)
    return f, grad.ravel(), hess


def _newton(objective, theta, *, n_samples, max_iter, tol, project=None):
    """Damped Newton's method with a backtracking (Armijo) line search.

    Stops when the largest gradient entry, divided by ``n_samples``, is at most ``tol``
    (the gradient of the mean loss, as scikit-learn's ``tol``). ``project`` removes
    directions along which the objective is constant from the gradient and the iterates.

    Returns
    -------
    theta : ndarray
    n_iter : int
    converged : bool
    """
    n_iter = 0
    while True:
        f, grad, hess = objective(theta)
        if project is not None:
            grad = project(grad)
        if np.max(np.abs(grad)) / n_samples <= tol:
            return theta, n_iter, True
        if n_iter == max_iter:
            return theta, n_iter, False
        # A tiny diagonal shift keeps the system solvable along flat directions
        # (e.g. no penalty and separable data); it barely changes the Newton step.
        shift = 1e-12 * max(np.trace(hess) / hess.shape[0], 1e-300)
        hess[np.diag_indices_from(hess)] += shift
        step = -np.linalg.solve(hess, grad)
        slope = float(grad @ step)                       # directional derivative, < 0
        t = 1.0
        while True:
            f_new = objective(theta + t * step, hessian=False)
            if f_new <= f + 1e-4 * t * slope:
                break
            if -slope <= 1e-12 * max(abs(f), 1.0):       # at round-off level: take the step
                break
            t *= 0.5
            if t < 1e-12:
                return theta, n_iter, False              # no descent possible
        theta = theta + t * step
        if project is not None:
            theta = project(theta)
        n_iter += 1


class LogisticRegression:
    r"""Logistic regression (binary) and softmax regression (more than two classes).

    Minimises scikit-learn's objective (default ``l1_ratio=0``, L2 penalty)

    .. math::

        \sum_{i=1}^{n} -\log \hat p_{i, y_i} + \frac{1}{2C} \lVert W \rVert_F^2 ,

    where the intercepts are not penalised. With two classes, :math:`\hat p_{i,1} =
    \sigma(x_i^\top w + b)`, one weight vector; with more, :math:`\hat p_{i\cdot} =
    \operatorname{softmax}(W x_i + b)`, one weight vector per class (the symmetric,
    over-parameterised softmax, as in scikit-learn). ``C=np.inf`` removes the penalty,
    as in scikit-learn, whose ``penalty`` parameter is deprecated.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, positive; ``np.inf`` for no penalty.
    fit_intercept : bool, default=True
    max_iter : int, default=100
        Maximum number of Newton steps.
    tol : float, default=1e-4
        Stop once every entry of the gradient of the objective divided by
        ``n_samples`` is at most ``tol`` in absolute value.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,)
    n_features_in_ : int

    Notes
    -----
    The objective is convex (its Hessian :math:`X^\top S X + I/C` is positive
    semidefinite), so Newton's method with a line search finds the global minimum,
    usually in under ten steps. Each step solves a system with the Hessian, of size
    ``n_params`` (binary) or ``n_classes * n_params`` (softmax), where ``n_params`` is
    ``n_features + fit_intercept``. Without a penalty on separable data the minimum
    does not exist and the weights grow until ``max_iter``. Derived in the book page
    "Logistic and softmax regression".
    """

    def __init__(self, *, C=1.0, fit_intercept=True, max_iter=100, tol=1e-4):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (integers or strings), at least two distinct ones.

        Returns
        -------
        self : LogisticRegression
        """
        if not (np.isscalar(self.C) and self.C > 0):
            raise ValueError(f"C must be a positive number (np.inf for no penalty), got {self.C!r}.")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 0):
            raise ValueError(f"max_iter must be a non-negative integer, got {self.max_iter!r}.")
        _check_non_negative("tol", self.tol)
        X = check_array(X)
        if np.ndim(y) == 0 or len(y) != X.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, "
                f"y has {np.size(y)}.")
        self.classes_, y_encoded = check_classification_targets(y)
        n_samples, n_features = X.shape
        n_classes = self.classes_.shape[0]
        design = np.column_stack([X, np.ones(n_samples)]) if self.fit_intercept else X
        n_params = design.shape[1]
        lam = 0.0 if np.isinf(self.C) else 1.0 / self.C
        mask = np.ones(n_params)
        if self.fit_intercept:
            mask[-1] = 0.0                               # the intercept is not penalised

        if n_classes == 2:
            def objective(theta, hessian=True):
                return _binary_objective(theta, design, y_encoded.astype(float), lam, mask, hessian)
            project = None
            theta0 = np.zeros(n_params)
        else:
            Y = np.eye(n_classes)[y_encoded]             # one-hot, (n_samples, n_classes)

            def objective(theta, hessian=True):
                return _multinomial_objective(theta, design, Y, lam, mask, hessian)

            def project(v):
                # Adding the same vector to every class's weights leaves the softmax
                # unchanged; keep gradients and iterates where they sum to zero over classes.
                V = v.reshape(n_classes, n_params)
                return (V - V.mean(axis=0)).ravel()
            theta0 = np.zeros(n_classes * n_params)

        theta, n_iter, converged = _newton(objective, theta0, n_samples=n_samples,
                                           max_iter=self.max_iter, tol=self.tol, project=project)
        if not converged:
            warnings.warn(
                f"Newton's method did not converge in max_iter={self.max_iter} steps. Without a "
                "penalty (C=np.inf) on separable classes the weights grow without bound.",
                ConvergenceWarning, stacklevel=2)
        W = theta.reshape(-1, n_params)                  # (1 or n_classes, n_params)
        self.coef_ = W[:, :n_features].copy()
        self.intercept_ = W[:, n_features].copy() if self.fit_intercept else np.zeros(W.shape[0])
        self.n_iter_ = np.array([n_iter])
        self.n_features_in_ = n_features
        return self

    def decision_function(self, X):
        """Scores ``X @ coef_.T + intercept_``: shape (n_samples,) for two classes, else
        (n_samples, n_classes)."""
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_log_proba(self, X):
        """Log-probabilities of the classes, shape (n_samples, n_classes), computed stably."""
        scores = self.decision_function(X)
        if scores.ndim == 1:                             # log sigma(-z), log sigma(z)
            return np.column_stack([-softplus(scores), -softplus(-scores)])
        return log_softmax(scores, axis=1)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns ordered as ``classes_``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = sigmoid(scores)
            return np.column_stack([1.0 - p, p])
        return softmax(scores, axis=1)

    def predict(self, X):
        """The most probable class of each sample, shape (n_samples,)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def score(self, X, y):
        """Accuracy: the fraction of samples whose predicted class equals ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
