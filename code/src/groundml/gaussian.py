"""The multivariate Gaussian from scratch: log-density, sampling, marginals, conditionals.

The book page "The Gaussian distribution" (``book/mathematics/gaussian.md``) derives
every formula used here. Everything goes through the Cholesky factor
:math:`\\Sigma = L L^\\top`: it checks that the covariance is positive definite, gives
the log-determinant from its diagonal, whitens data by a triangular solve and turns
standard normal draws into draws with covariance :math:`\\Sigma`.
"""

import numpy as np

from ._validation import check_array


def _check_mean_cov(mean, cov):
    """Return ``mean`` of shape (d,), ``cov`` of shape (d, d) and its Cholesky factor."""
    mean = check_array(mean, name="mean", ensure_2d=False)
    if mean.ndim != 1:
        raise ValueError(f"mean must be a 1D array of shape (n_features,), got shape {mean.shape}.")
    cov = check_array(cov, name="cov")
    d = mean.shape[0]
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape ({d}, {d}) to match mean, got {cov.shape}.")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12):
        raise ValueError("cov must be symmetric.")
    try:
        L = np.linalg.cholesky(cov)                     # lower triangular, (d, d)
    except np.linalg.LinAlgError:
        raise ValueError(
            "cov must be positive definite (its Cholesky factorisation failed); "
            "a singular covariance has no density."
        ) from None
    return mean, cov, L


def _forward_substitution(L, B):
    """Solve ``L Z = B`` for lower-triangular ``L`` of shape (d, d), ``B`` of shape (d, m).

    Row ``i`` of the solution needs only rows ``0..i-1``:
    :math:`z_i = (b_i - \\sum_{j<i} L_{ij} z_j) / L_{ii}`. The loop runs over the ``d``
    rows; each step is vectorised over the ``m`` right-hand sides. Cost
    :math:`O(d^2 m)`, against :math:`O(d^3 + d^2 m)` for a general solve.
    """
    Z = np.empty_like(B, dtype=float)
    for i in range(L.shape[0]):
        Z[i] = (B[i] - L[i, :i] @ Z[:i]) / L[i, i]
    return Z


def mvn_logpdf(X, mean, cov):
    r"""Log-density of the multivariate Gaussian :math:`\mathcal{N}(\mu, \Sigma)`.

    .. math::

        \log p(x) = -\tfrac12 \bigl( d \log(2\pi) + \log\det\Sigma
                    + (x - \mu)^\top \Sigma^{-1} (x - \mu) \bigr),

    computed from the Cholesky factor :math:`\Sigma = L L^\top`:
    :math:`\log\det\Sigma = 2 \sum_i \log L_{ii}` and the quadratic form is
    :math:`\lVert z \rVert^2` with :math:`L z = x - \mu` (a triangular solve). Neither
    :math:`\Sigma^{-1}` nor :math:`\det\Sigma` is formed, so nothing overflows or
    underflows in high dimension. Derived in the book page "The Gaussian distribution".

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_features,)
        Points at which to evaluate; a 1D array is a single point.
    mean : array-like of shape (n_features,)
    cov : array-like of shape (n_features, n_features)
        Symmetric positive definite.

    Returns
    -------
    logpdf : ndarray of shape (n_samples,), or float for a single point
    """
    mean, _, L = _check_mean_cov(mean, cov)
    X = check_array(X, name="X", ensure_2d=False)
    single = X.ndim == 1
    X2 = X[None, :] if single else X                    # (n_samples, n_features)
    d = mean.shape[0]
    if X2.shape[1] != d:
        raise ValueError(f"X has {X2.shape[1]} features, but mean has {d}.")
    Z = _forward_substitution(L, (X2 - mean).T)          # whitened residuals, (d, n_samples)
    maha = np.sum(Z**2, axis=0)                         # squared Mahalanobis distances
    log_det = 2.0 * np.sum(np.log(np.diag(L)))
    logpdf = -0.5 * (d * np.log(2 * np.pi) + log_det + maha)
    return float(logpdf[0]) if single else logpdf


def mvn_sample(mean, cov, n_samples, random_state=None):
    r"""Draw samples from :math:`\mathcal{N}(\mu, \Sigma)` as :math:`x = \mu + L z`.

    Here :math:`\Sigma = L L^\top` (Cholesky) and :math:`z \sim \mathcal{N}(0, I)`, so
    :math:`\operatorname{Cov}(x) = L \, I \, L^\top = \Sigma`. Derived in the book page
    "The Gaussian distribution".

    Parameters
    ----------
    mean : array-like of shape (n_features,)
    cov : array-like of shape (n_features, n_features)
        Symmetric positive definite.
    n_samples : int
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    mean, _, L = _check_mean_cov(mean, cov)
    if int(n_samples) != n_samples or n_samples < 0:
        raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
    rng = np.random.default_rng(random_state)
    Z = rng.standard_normal((int(n_samples), mean.shape[0]))   # rows are z^T, (n_samples, d)
    return mean + Z @ L.T                               # row i: (mu + L z_i)^T


def _check_indices(idx, d, name):
    idx = np.atleast_1d(np.asarray(idx))
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{name} must be a non-empty 1D sequence of integer indices.")
    if np.any(idx < 0) or np.any(idx >= d):
        raise ValueError(f"{name} must hold indices in [0, {d}), got {idx.tolist()}.")
    if len(np.unique(idx)) != len(idx):
        raise ValueError(f"{name} contains repeated indices: {idx.tolist()}.")
    return idx


def gaussian_marginal(mean, cov, idx):
    r"""Marginal of a joint Gaussian: keep the entries ``idx`` of the mean and covariance.

    If :math:`x \sim \mathcal{N}(\mu, \Sigma)`, then
    :math:`x_a \sim \mathcal{N}(\mu_a, \Sigma_{aa})`: marginalising a Gaussian means
    dropping rows and columns. Derived in the book page "The Gaussian distribution".

    Parameters
    ----------
    mean : array-like of shape (n_features,)
    cov : array-like of shape (n_features, n_features)
    idx : sequence of int of length k
        The variables to keep, in the order wanted.

    Returns
    -------
    mean_a : ndarray of shape (k,)
    cov_a : ndarray of shape (k, k)
    """
    mean, cov, _ = _check_mean_cov(mean, cov)
    idx = _check_indices(idx, mean.shape[0], "idx")
    return mean[idx], cov[np.ix_(idx, idx)]


def gaussian_conditional(mean, cov, idx_given, x_given):
    r"""Conditional of a joint Gaussian given the values of some of its variables.

    Split :math:`x = (x_a, x_b)` with :math:`x_b` the variables ``idx_given``. Then
    :math:`x_a \mid x_b \sim \mathcal{N}(\mu_{a|b}, \Sigma_{a|b})` with

    .. math::

        \mu_{a|b} = \mu_a + \Sigma_{ab} \Sigma_{bb}^{-1} (x_b - \mu_b), \qquad
        \Sigma_{a|b} = \Sigma_{aa} - \Sigma_{ab} \Sigma_{bb}^{-1} \Sigma_{ba},

    the Schur complement of :math:`\Sigma_{bb}`. The covariance does not depend on the
    observed value. :math:`\Sigma_{bb}^{-1}` is applied through a Cholesky solve.
    Derived in the book page "The Gaussian distribution".

    Parameters
    ----------
    mean : array-like of shape (n_features,)
    cov : array-like of shape (n_features, n_features)
        Symmetric positive definite.
    idx_given : sequence of int of length k, 0 < k < n_features
        The observed variables :math:`b`.
    x_given : array-like of shape (k,) or (n_samples, k)
        Their observed values; several rows give one conditional mean each.

    Returns
    -------
    cond_mean : ndarray of shape (n_features - k,) or (n_samples, n_features - k)
        Mean of the remaining variables :math:`a`, in increasing index order.
    cond_cov : ndarray of shape (n_features - k, n_features - k)
    """
    mean, cov, _ = _check_mean_cov(mean, cov)
    d = mean.shape[0]
    b = _check_indices(idx_given, d, "idx_given")
    if len(b) == d:
        raise ValueError("idx_given must leave at least one variable to condition on the rest.")
    a = np.setdiff1d(np.arange(d), b)                   # remaining indices, sorted
    x_given = check_array(x_given, name="x_given", ensure_2d=False)
    if x_given.shape[-1] != len(b):
        raise ValueError(f"x_given has {x_given.shape[-1]} values per row, but idx_given has {len(b)}.")
    S_ab = cov[np.ix_(a, b)]                            # (d_a, k)
    L_bb = np.linalg.cholesky(cov[np.ix_(b, b)])        # (k, k); PD because cov is
    # Sigma_bb^{-1} Sigma_ba = L^{-T} L^{-1} Sigma_ba, by two triangular solves
    W = _forward_substitution(L_bb, S_ab.T)             # L^{-1} Sigma_ba, (k, d_a)
    gain_T = _forward_substitution(L_bb, np.eye(len(b))).T @ W   # Sigma_bb^{-1} Sigma_ba, (k, d_a)
    cond_mean = mean[a] + (x_given - mean[b]) @ gain_T  # (d_a,) or (n_samples, d_a)
    cond_cov = cov[np.ix_(a, a)] - W.T @ W              # Schur complement, (d_a, d_a)
    return cond_mean, (cond_cov + cond_cov.T) / 2
