"""Linear regression from scratch: closed form and gradient descent.

The book page ``book/machine-learning/linear-regression.md`` derives every formula
used here. The estimator follows scikit-learn's conventions, so it can stand in for
``sklearn.linear_model.LinearRegression``: keyword-only ``__init__`` that only stores,
``fit`` returning ``self``, learned attributes ending in ``_``.
"""

import warnings

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features, check_X_y

SOLVERS = ("lstsq", "normal", "gd")


class ConvergenceWarning(UserWarning):
    """Gradient descent stopped at ``max_iter`` before reaching ``tol``."""


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
