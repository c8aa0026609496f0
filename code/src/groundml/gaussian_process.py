"""Bayesian linear regression and Gaussian-process regression from scratch.

The book page ``book/machine-learning/gaussian-processes.md`` ("Bayesian linear
regression and Gaussian processes") derives every formula used here. Both models put a
Gaussian prior on the regression function and condition it on Gaussian-noise
observations, so the posterior and the predictive distribution are Gaussian with closed
forms. Every inverse is applied through a Cholesky factor.
"""

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features, check_X_y


def _check_positive(name, value):
    if not (np.isscalar(value) and np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")


def _check_length_scale(length_scale, n_features):
    """Return the length-scale as a float or an array of shape (n_features,), all positive."""
    ls = np.asarray(length_scale, dtype=float)
    if ls.ndim > 1 or (ls.ndim == 1 and ls.shape[0] != n_features):
        raise ValueError(
            f"length_scale must be a positive number or an array of shape ({n_features},), "
            f"got shape {ls.shape}."
        )
    if not (np.all(np.isfinite(ls)) and np.all(ls > 0)):
        raise ValueError(f"length_scale must be positive and finite, got {length_scale!r}.")
    return ls


def _cholesky(K, what):
    try:
        return np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"The {what} is not positive definite (its Cholesky factorisation failed); "
            "increase alpha, the value added to its diagonal."
        ) from None


def _solve_triangular(T, B, lower=True):
    """Solve ``T Z = B`` for triangular ``T`` of shape (n, n), ``B`` of shape (n,) or (n, m).

    Blocked substitution: split ``T`` in two halves, solve the first diagonal block, move
    its contribution to the right-hand side with one matrix product, and recurse on the
    second. The off-diagonal work, :math:`O(n^2 m)` flops, runs as matrix products;
    blocks of at most 64 rows use ``np.linalg.solve`` (NumPy has no triangular solver).
    """
    n = T.shape[0]
    if n <= 64:
        return np.linalg.solve(T, B)
    h = n // 2
    if lower:                                                # [[T11, 0], [T21, T22]]
        Z1 = _solve_triangular(T[:h, :h], B[:h], lower)
        Z2 = _solve_triangular(T[h:, h:], B[h:] - T[h:, :h] @ Z1, lower)
    else:                                                    # [[T11, T12], [0, T22]]
        Z2 = _solve_triangular(T[h:, h:], B[h:], lower)
        Z1 = _solve_triangular(T[:h, :h], B[:h] - T[:h, h:] @ Z2, lower)
    return np.concatenate([Z1, Z2])


def _cho_solve(L, B):
    """Solve ``(L L^T) Z = B`` with the lower-triangular Cholesky factor ``L``."""
    return _solve_triangular(L.T, _solve_triangular(L, B, lower=True), lower=False)


def rbf_kernel(X, Y=None, length_scale=1.0):
    r"""Squared-exponential (RBF) kernel matrix :math:`k(x, y) = \exp(-\lVert x - y \rVert^2 / (2 \ell^2))`.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
    Y : array-like of shape (n_samples_Y, n_features), default=None
        If None, ``Y = X``.
    length_scale : float or array-like of shape (n_features,), default=1.0
        Positive; an array gives each feature its own length-scale (anisotropic kernel).

    Returns
    -------
    K : ndarray of shape (n_samples_X, n_samples_Y)

    Notes
    -----
    Equals ``sklearn.metrics.pairwise.rbf_kernel(X, Y, gamma=1 / (2 * length_scale**2))``
    for a scalar length-scale. The squared distances are accumulated one feature at a
    time from exact differences, which avoids the cancellation of the expansion
    :math:`\lVert x \rVert^2 - 2 x^\top y + \lVert y \rVert^2` and needs only
    :math:`O(n_X n_Y)` memory. Derived in the book page "Bayesian linear regression and
    Gaussian processes".
    """
    X = check_array(X, name="X")
    Y = X if Y is None else check_array(Y, name="Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but Y has {Y.shape[1]}.")
    ls = _check_length_scale(length_scale, X.shape[1])
    Xs, Ys = X / ls, Y / ls
    sq_dist = np.zeros((X.shape[0], Y.shape[0]))
    for j in range(X.shape[1]):
        sq_dist += (Xs[:, j, None] - Ys[None, :, j]) ** 2
    return np.exp(-0.5 * sq_dist)


class BayesianLinearRegression:
    r"""Bayesian linear regression with fixed prior and noise precisions.

    Model: :math:`y = X w + \varepsilon`, prior :math:`w \sim \mathcal{N}(0, \alpha^{-1} I)`,
    noise :math:`\varepsilon \sim \mathcal{N}(0, \beta^{-1} I)`. The posterior is
    :math:`w \mid y \sim \mathcal{N}(m, S)` with

    .. math::

        S = (\alpha I + \beta X^\top X)^{-1}, \qquad m = \beta S X^\top y ,

    and the predictive distribution of a new target at :math:`x` is
    :math:`\mathcal{N}(m^\top x, \; \beta^{-1} + x^\top S x)`.

    Parameters
    ----------
    alpha : float, default=1.0
        Prior precision of the weights (scikit-learn's ``BayesianRidge`` calls it ``lambda_``).
    beta : float, default=1.0
        Noise precision (``BayesianRidge``'s ``alpha_``).
    fit_intercept : bool, default=False
        If True, centre ``X`` and ``y`` and give the intercept a flat prior, as
        ``BayesianRidge`` does: the posterior of ``w`` is computed from the centred data
        and ``intercept_ = mean(y) - mean(X) @ coef_``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean :math:`m`.
    sigma_ : ndarray of shape (n_features, n_features)
        Posterior covariance :math:`S`.
    intercept_ : float
    n_features_in_ : int

    Notes
    -----
    The posterior mean is the ridge solution with penalty :math:`\lambda = \alpha / \beta`
    (MAP estimate). With an intercept the predictive variance at :math:`x` is
    :math:`\beta^{-1} + (\beta n)^{-1} + (x - \bar x)^\top S (x - \bar x)`: the mean
    response at :math:`\bar x` has posterior variance :math:`1/(\beta n)` under the flat
    prior and is independent of :math:`w`. Derived in the book page "Bayesian linear
    regression and Gaussian processes".
    """

    def __init__(self, *, alpha=1.0, beta=1.0, fit_intercept=False):
        self.alpha = alpha
        self.beta = beta
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Compute the posterior of the weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : BayesianLinearRegression
        """
        _check_positive("alpha", self.alpha)
        _check_positive("beta", self.beta)
        X, y = check_X_y(X, y)
        if y.ndim != 1:
            raise ValueError(f"y must be a 1D array of shape (n_samples,), got shape {y.shape}.")
        n_samples, n_features = X.shape
        if self.fit_intercept:
            self.x_mean_, self.y_mean_ = X.mean(axis=0), y.mean()
        else:
            self.x_mean_, self.y_mean_ = np.zeros(n_features), 0.0
        Xc, yc = X - self.x_mean_, y - self.y_mean_
        precision = self.beta * (Xc.T @ Xc)                    # posterior precision, (p, p)
        precision[np.diag_indices_from(precision)] += self.alpha
        L = _cholesky(precision, "posterior precision")
        self.sigma_ = _cho_solve(L, np.eye(n_features))        # S = A^{-1}, (p, p)
        self.sigma_ = (self.sigma_ + self.sigma_.T) / 2
        self.coef_ = self.beta * _cho_solve(L, Xc.T @ yc)     # m = beta A^{-1} X^T y, (p,)
        self.intercept_ = float(self.y_mean_ - self.x_mean_ @ self.coef_)
        self.n_samples_fit_ = n_samples
        self.n_features_in_ = n_features
        return self

    def predict(self, X, return_std=False):
        """Posterior predictive mean, and optionally its standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
            Also return the standard deviation of a new noisy target,
            :math:`\\sqrt{\\beta^{-1} + x^\\top S x}` (plus the intercept term when fitted).

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,), only if ``return_std``
        """
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        y_mean = X @ self.coef_ + self.intercept_
        if not return_std:
            return y_mean
        Xc = X - self.x_mean_
        var = 1.0 / self.beta + np.einsum("ij,jk,ik->i", Xc, self.sigma_, Xc)
        if self.fit_intercept:
            var += 1.0 / (self.beta * self.n_samples_fit_)
        return y_mean, np.sqrt(var)


class GaussianProcessRegressor:
    r"""Gaussian-process regression with the kernel :math:`s \cdot \exp(-\lVert x - x' \rVert^2 / (2\ell^2))`.

    The hyperparameters are fixed (no optimisation), as in scikit-learn's
    ``GaussianProcessRegressor(kernel=ConstantKernel(s, "fixed") * RBF(l, "fixed"),
    alpha=alpha, optimizer=None)``.

    Parameters
    ----------
    length_scale : float or array-like of shape (n_features,), default=1.0
    signal_variance : float, default=1.0
        Prior variance :math:`s = k(x, x)` of the function values.
    alpha : float or array-like of shape (n_samples,), default=1e-10
        Added to the diagonal of the training kernel matrix: the noise variance
        :math:`\sigma_n^2`, or a small jitter for noise-free data.
    normalize_y : bool, default=False
        Subtract the mean of ``y`` and divide by its standard deviation before fitting;
        predictions are transformed back.

    Attributes
    ----------
    X_train_ : ndarray of shape (n_samples, n_features)
    y_train_ : ndarray of shape (n_samples,)
        The (normalised, if ``normalize_y``) targets.
    L_ : ndarray of shape (n_samples, n_samples)
        Lower Cholesky factor of :math:`K + \alpha I`.
    alpha_ : ndarray of shape (n_samples,)
        Dual coefficients :math:`(K + \alpha I)^{-1} y`.
    log_marginal_likelihood_value_ : float
    n_features_in_ : int

    Notes
    -----
    With :math:`K_y = K + \sigma_n^2 I = L L^\top`, the posterior at test inputs
    :math:`X_*` is :math:`\mathcal{N}(K_*^\top K_y^{-1} y, \; K_{**} - K_*^\top K_y^{-1} K_*)`
    (conditioning a joint Gaussian), and the log marginal likelihood is
    :math:`-\tfrac12 y^\top K_y^{-1} y - \sum_i \log L_{ii} - \tfrac n2 \log 2\pi`.
    Fitting costs :math:`O(n^3)` (the Cholesky factorisation), each prediction
    :math:`O(n)` for the mean and :math:`O(n^2)` for the variance. Derived in the book
    page "Bayesian linear regression and Gaussian processes".
    """

    def __init__(self, *, length_scale=1.0, signal_variance=1.0, alpha=1e-10, normalize_y=False):
        self.length_scale = length_scale
        self.signal_variance = signal_variance
        self.alpha = alpha
        self.normalize_y = normalize_y

    def _kernel(self, X, Y=None):
        return self.signal_variance * rbf_kernel(X, Y, length_scale=self.length_scale)

    def _check_noise(self, n_samples):
        noise = np.asarray(self.alpha, dtype=float)
        if noise.ndim > 1 or (noise.ndim == 1 and noise.shape[0] != n_samples):
            raise ValueError(
                f"alpha must be a number or an array of shape ({n_samples},), got shape {noise.shape}."
            )
        if not (np.all(np.isfinite(noise)) and np.all(noise >= 0)):
            raise ValueError(f"alpha must be non-negative and finite, got {self.alpha!r}.")
        return noise

    def fit(self, X, y):
        """Condition the prior on the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : GaussianProcessRegressor
        """
        _check_positive("signal_variance", self.signal_variance)
        X, y = check_X_y(X, y)
        if y.ndim != 1:
            raise ValueError(f"y must be a 1D array of shape (n_samples,), got shape {y.shape}.")
        _check_length_scale(self.length_scale, X.shape[1])
        noise = self._check_noise(X.shape[0])
        if self.normalize_y:
            self._y_mean, self._y_std = y.mean(), y.std()
            if self._y_std == 0:
                self._y_std = 1.0
        else:
            self._y_mean, self._y_std = 0.0, 1.0
        y = (y - self._y_mean) / self._y_std
        K = self._kernel(X)                                     # (n, n)
        K[np.diag_indices_from(K)] += noise
        self.L_ = _cholesky(K, "kernel matrix K + alpha I")
        self.alpha_ = _cho_solve(self.L_, y)                    # K_y^{-1} y, (n,)
        self.X_train_, self.y_train_ = X, y
        self.n_features_in_ = X.shape[1]
        self.log_marginal_likelihood_value_ = self._lml(self.L_, self.alpha_, y)
        return self

    @staticmethod
    def _lml(L, weights, y):
        data_fit = -0.5 * y @ weights
        complexity = -np.log(np.diag(L)).sum()
        return float(data_fit + complexity - 0.5 * len(y) * np.log(2 * np.pi))

    def log_marginal_likelihood(self, length_scale=None, signal_variance=None):
        r"""Log marginal likelihood :math:`\log p(y \mid X)` of the training data.

        Parameters
        ----------
        length_scale, signal_variance : optional
            Evaluate at these hyperparameters instead of the fitted ones (the noise
            ``alpha`` and the targets stay those of ``fit``).

        Returns
        -------
        float
        """
        check_is_fitted(self, "alpha_")
        if length_scale is None and signal_variance is None:
            return self.log_marginal_likelihood_value_
        ls = self.length_scale if length_scale is None else length_scale
        sv = self.signal_variance if signal_variance is None else signal_variance
        _check_positive("signal_variance", sv)
        _check_length_scale(ls, self.n_features_in_)
        K = sv * rbf_kernel(self.X_train_, length_scale=ls)
        K[np.diag_indices_from(K)] += self._check_noise(K.shape[0])
        L = _cholesky(K, "kernel matrix K + alpha I")
        return self._lml(L, _cho_solve(L, self.y_train_), self.y_train_)

    def predict(self, X, return_std=False, return_cov=False):
        """Posterior mean of the function at ``X``, optionally with its std or covariance.

        The std and covariance are those of the noise-free function values :math:`f(x)`,
        as in scikit-learn; add ``alpha`` for a new noisy observation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_std : bool, default=False
        return_cov : bool, default=False

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
        y_std : ndarray of shape (n_samples,), only if ``return_std``
        y_cov : ndarray of shape (n_samples, n_samples), only if ``return_cov``
        """
        if return_std and return_cov:
            raise RuntimeError("At most one of return_std or return_cov can be requested.")
        check_is_fitted(self, "alpha_")
        X = check_array(X)
        check_n_features(self, X)
        K_star = self._kernel(X, self.X_train_)                 # (m, n)
        y_mean = self._y_std * (K_star @ self.alpha_) + self._y_mean
        if not (return_std or return_cov):
            return y_mean
        V = _solve_triangular(self.L_, K_star.T)               # L^{-1} K_*, (n, m)
        if return_cov:
            cov = self._kernel(X) - V.T @ V                     # (m, m)
            return y_mean, self._y_std**2 * (cov + cov.T) / 2
        var = self.signal_variance - np.einsum("ij,ij->j", V, V)
        return y_mean, self._y_std * np.sqrt(np.maximum(var, 0.0))

    def sample_y(self, X, n_samples=1, random_state=0):
        """Draw functions from the posterior, evaluated at ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
        n_samples : int, default=1
        random_state : int, numpy Generator or None, default=0

        Returns
        -------
        y_samples : ndarray of shape (n_queries, n_samples)

        Notes
        -----
        Uses the eigendecomposition :math:`C = Q \\Lambda Q^\\top` of the posterior
        covariance (negative round-off eigenvalues set to 0), since :math:`C` is often
        singular to working precision: :math:`f = \\mu + Q \\Lambda^{1/2} z`.
        """
        if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
        rng = np.random.default_rng(random_state)
        mean, cov = self.predict(X, return_cov=True)
        eigvals, Q = np.linalg.eigh(cov)
        factor = Q * np.sqrt(np.maximum(eigvals, 0.0))          # (m, m)
        z = rng.standard_normal((len(mean), n_samples))
        return mean[:, None] + factor @ z
