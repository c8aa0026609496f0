"""Gaussian mixture models fitted by expectation–maximisation, from scratch.

The book page ``book/machine-learning/gaussian-mixtures.md`` derives the E and M steps.
``GaussianMixture`` follows scikit-learn's conventions and, started from the same
parameters, reproduces ``sklearn.mixture.GaussianMixture`` step for step.
"""

import warnings

import numpy as np

from ._validation import ConvergenceWarning, check_array, check_is_fitted, check_n_features
from .cluster import KMeans, kmeans_plusplus
from .numerics import logsumexp

__all__ = ["GaussianMixture"]

COVARIANCE_TYPES = ("full", "diag")
INIT_PARAMS = ("kmeans", "k-means++", "random")


def _precision_cholesky(covariances, covariance_type):
    r"""Cholesky factors of the precisions.

    ``"full"``: for :math:`\Sigma_k = L_k L_k^\top`, returns :math:`U_k = L_k^{-\top}`,
    upper triangular with :math:`U_k U_k^\top = \Sigma_k^{-1}`, shape (k, d, d).
    ``"diag"``: :math:`1/\sqrt{\sigma^2}`, shape (k, d).
    """
    if covariance_type == "diag":
        if np.any(covariances <= 0):
            raise ValueError("Fitting the mixture model failed because some components have "
                             "ill-defined empirical covariance. Try to increase reg_covar.")
        return 1.0 / np.sqrt(covariances)
    try:
        L = np.linalg.cholesky(covariances)                           # (k, d, d), lower
    except np.linalg.LinAlgError:
        raise ValueError("Fitting the mixture model failed because some components have "
                         "ill-defined empirical covariance (for instance caused by singleton "
                         "or collapsed samples). Try to decrease the number of components, "
                         "or increase reg_covar.") from None
    eye = np.broadcast_to(np.eye(L.shape[-1]), L.shape)
    return np.swapaxes(np.linalg.solve(L, eye), -1, -2)                # L^{-T}


def _log_gaussian(X, means, prec_chol, covariance_type):
    r"""Log-density of every sample under every component, (n_samples, n_components).

    :math:`\log \mathcal N(x \mid \mu, \Sigma) = -\tfrac12\big(d\log 2\pi
    + \lVert U^\top (x - \mu)\rVert^2\big) + \sum_j \log U_{jj}` with
    :math:`U U^\top = \Sigma^{-1}`.
    """
    n, d = X.shape
    if covariance_type == "diag":
        log_det = np.sum(np.log(prec_chol), axis=1)                     # (k,)
        sq = ((X[:, None, :] - means[None]) * prec_chol[None]) ** 2     # (n, k, d)
        maha = sq.sum(axis=2)
    else:
        log_det = np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)
        maha = np.empty((n, means.shape[0]))
        for k, (mu, U) in enumerate(zip(means, prec_chol, strict=True)):
            y = (X - mu) @ U                                            # (n, d)
            maha[:, k] = np.einsum("ij,ij->i", y, y)
    return -0.5 * (d * np.log(2 * np.pi) + maha) + log_det


def _m_step(X, resp, reg_covar, covariance_type):
    """Closed-form maximisers given responsibilities resp (n, k): weights, means, covariances."""
    n, d = X.shape
    nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps               # (k,), guards empty components
    means = resp.T @ X / nk[:, None]                                     # (k, d)
    if covariance_type == "diag":
        cov = np.empty_like(means)
        for k in range(means.shape[0]):
            diff = X - means[k]
            cov[k] = resp[:, k] @ (diff * diff) / nk[k]
        cov += reg_covar
    else:
        cov = np.empty((means.shape[0], d, d))
        for k in range(means.shape[0]):
            diff = X - means[k]                                          # (n, d)
            cov[k] = (resp[:, k, None] * diff).T @ diff / nk[k]
            cov[k].flat[:: d + 1] += reg_covar
    weights = nk / nk.sum()
    return weights, means, cov


class GaussianMixture:
    r"""Gaussian mixture model fitted by the EM algorithm.

    The model is :math:`p(x) = \sum_{k=1}^K \pi_k \, \mathcal N(x \mid \mu_k, \Sigma_k)`.
    EM alternates

    * E step: responsibilities :math:`r_{ik} = \pi_k \mathcal N(x_i \mid \mu_k, \Sigma_k)
      / p(x_i)`, computed in log space with log-sum-exp;
    * M step: :math:`N_k = \sum_i r_{ik}`, :math:`\pi_k = N_k / n`,
      :math:`\mu_k = \frac{1}{N_k}\sum_i r_{ik} x_i`,
      :math:`\Sigma_k = \frac{1}{N_k}\sum_i r_{ik}(x_i-\mu_k)(x_i-\mu_k)^\top + \lambda I`
      with :math:`\lambda` = ``reg_covar``;

    until the mean log-likelihood changes by less than ``tol``.

    Parameters
    ----------
    n_components : int, default=1
    covariance_type : {"full", "diag"}, default="full"
    tol : float, default=1e-3
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, so no component can collapse onto a
        point with a singular covariance.
    max_iter : int, default=100
    n_init : int, default=1
        Number of EM runs; the one with the highest final lower bound is kept.
    init_params : {"kmeans", "k-means++", "random"}, default="kmeans"
        How the initial responsibilities are chosen (hard k-means labels; one-hot on
        k-means++ seeds; random and normalised).
    weights_init : ndarray of shape (n_components,) or None
    means_init : ndarray of shape (n_components, n_features) or None
    precisions_init : ndarray or None
        Shape (n_components, n_features, n_features) for "full",
        (n_components, n_features) for "diag". Inverses of the initial covariances.
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray of shape (n_components, n_features, n_features) or (n_components, n_features)
    precisions_cholesky_ : ndarray, same shape as ``covariances_``
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood of the training data at the last E step of the best run.
    n_features_in_ : int

    Notes
    -----
    Each EM iteration cannot decrease the log-likelihood (the ELBO argument). Log-densities
    use the Cholesky factor of each precision: :math:`\lVert U_k^\top (x - \mu_k)\rVert^2`
    is the Mahalanobis distance and :math:`\sum_j \log (U_k)_{jj} = -\tfrac12\log\det\Sigma_k`.
    Derived in the book page *Gaussian mixtures and expectation–maximisation*.
    """

    def __init__(self, n_components=1, *, covariance_type="full", tol=1e-3, reg_covar=1e-6, max_iter=100,
                 n_init=1, init_params="kmeans", weights_init=None, means_init=None, precisions_init=None,
                 random_state=None):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    # -- checks ---------------------------------------------------------------------
    def _check_parameters(self, X):
        n, d = X.shape
        k = self.n_components
        if n < 2:
            raise ValueError(f"Found array with {n} sample(s); GaussianMixture needs at least 2.")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"n_components must be a positive integer, got {k!r}.")
        if n < k:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = {k}, n_samples = {n}."
            )
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(
                f"covariance_type must be one of {COVARIANCE_TYPES}, got {self.covariance_type!r}."
            )
        if self.init_params not in INIT_PARAMS:
            raise ValueError(f"init_params must be one of {INIT_PARAMS}, got {self.init_params!r}.")
        if not self.reg_covar >= 0:
            raise ValueError(f"reg_covar must be >= 0, got {self.reg_covar!r}.")
        if not self.tol >= 0:
            raise ValueError(f"tol must be >= 0, got {self.tol!r}.")
        for name in ("max_iter", "n_init"):
            value = getattr(self, name)
            if not (isinstance(value, (int, np.integer)) and value >= 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        weights = means = precisions = None
        if self.weights_init is not None:
            weights = check_array(self.weights_init, name="weights_init", ensure_2d=False)
            if weights.shape != (k,):
                raise ValueError(f"weights_init should have the shape ({k},), got {weights.shape}.")
            if np.any(weights < 0) or np.any(weights > 1):
                raise ValueError("weights_init should be in the range [0, 1].")
            if not np.isclose(weights.sum(), 1.0, atol=1e-6):
                raise ValueError(f"weights_init should be normalized, but the sum is {weights.sum()}.")
        if self.means_init is not None:
            means = check_array(self.means_init, name="means_init")
            if means.shape != (k, d):
                raise ValueError(f"means_init should have the shape ({k}, {d}), got {means.shape}.")
        if self.precisions_init is not None:
            precisions = np.asarray(self.precisions_init, dtype=float)
            shape = (k, d, d) if self.covariance_type == "full" else (k, d)
            if precisions.shape != shape:
                raise ValueError(f"precisions_init should have the shape {shape}, got {precisions.shape}.")
            if not np.all(np.isfinite(precisions)):
                raise ValueError("precisions_init contains NaN or infinity.")
            if self.covariance_type == "diag":
                if np.any(precisions <= 0):
                    raise ValueError("precisions_init should be positive.")
            else:
                if not np.allclose(precisions, np.swapaxes(precisions, 1, 2)):
                    raise ValueError("precisions_init should be symmetric.")
                if np.any(np.linalg.eigvalsh(precisions) <= 0):
                    raise ValueError("precisions_init should be positive definite.")
        return weights, means, precisions

    # -- EM pieces ------------------------------------------------------------------
    def _initial_resp(self, X, rng):
        n, k = X.shape[0], self.n_components
        resp = np.zeros((n, k))
        if self.init_params == "kmeans":
            labels = KMeans(k, n_init=1, random_state=rng).fit(X).labels_
            resp[np.arange(n), labels] = 1.0
        elif self.init_params == "k-means++":
            _, idx = kmeans_plusplus(X, k, random_state=rng)
            resp[idx, np.arange(k)] = 1.0
        else:
            resp = rng.uniform(size=(n, k))
            resp /= resp.sum(axis=1, keepdims=True)
        return resp

    def _estimate_weighted_log_prob(self, X):
        """log pi_k + log N(x_i | mu_k, Sigma_k), of shape (n_samples, n_components)."""
        return (_log_gaussian(X, self.means_, self.precisions_cholesky_, self.covariance_type)
                + np.log(self.weights_))

    def _e_step(self, X):
        """Mean log-likelihood and log-responsibilities (n_samples, n_components)."""
        weighted = self._estimate_weighted_log_prob(X)
        log_norm = logsumexp(weighted, axis=1)                           # log p(x_i), (n,)
        return float(np.mean(log_norm)), weighted - log_norm[:, None]

    def _set_params(self, weights, means, covariances):
        self.weights_, self.means_, self.covariances_ = weights, means, covariances
        self.precisions_cholesky_ = _precision_cholesky(covariances, self.covariance_type)

    def fit(self, X, y=None):
        """Fit the mixture to ``X`` of shape (n_samples, n_features) by EM; returns ``self``."""
        X = check_array(X)
        weights_init, means_init, precisions_init = self._check_parameters(X)
        rng = np.random.default_rng(self.random_state)
        best_bound, best = -np.inf, None
        for _ in range(self.n_init):
            resp = self._initial_resp(X, rng)
            weights, means, cov = _m_step(X, resp, self.reg_covar, self.covariance_type)
            self._set_params(weights, means, cov)
            if weights_init is not None:
                self.weights_ = weights_init.copy()
            if means_init is not None:
                self.means_ = means_init.copy()
            if precisions_init is not None:
                if self.covariance_type == "full":
                    self.covariances_ = np.linalg.inv(precisions_init)
                    self.precisions_cholesky_ = np.linalg.cholesky(precisions_init)
                else:
                    self.covariances_ = 1.0 / precisions_init
                    self.precisions_cholesky_ = np.sqrt(precisions_init)
            bound, converged, history = -np.inf, False, []
            n_iter = 0
            while n_iter < self.max_iter:
                n_iter += 1
                previous = bound
                bound, log_resp = self._e_step(X)                        # E step
                self._set_params(*_m_step(X, np.exp(log_resp), self.reg_covar, self.covariance_type))
                history.append(bound)
                if abs(bound - previous) < self.tol:
                    converged = True
                    break
            if bound > best_bound or best is None:
                best_bound = bound
                best = (self.weights_, self.means_, self.covariances_, self.precisions_cholesky_,
                        converged, n_iter, history)
        if not best[4]:
            warnings.warn("Best EM run did not converge. Try different init parameters, a larger "
                          "max_iter or tol, or check for degenerate data.", ConvergenceWarning, stacklevel=2)
        (self.weights_, self.means_, self.covariances_, self.precisions_cholesky_,
         self.converged_, self.n_iter_, history) = best
        self.lower_bound_ = best_bound
        self.lower_bounds_ = np.array(history)
        self.n_features_in_ = X.shape[1]
        return self

    # -- prediction -----------------------------------------------------------------
    def _check(self, X):
        check_is_fitted(self, "means_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def score_samples(self, X):
        """Log-density :math:`\\log p(x_i)` of each sample, of shape (n_samples,)."""
        X = self._check(X)
        return logsumexp(self._estimate_weighted_log_prob(X), axis=1)

    def score(self, X, y=None):
        """Mean log-density of the samples of ``X`` (a float)."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Responsibilities, of shape (n_samples, n_components); rows sum to 1."""
        X = self._check(X)
        weighted = self._estimate_weighted_log_prob(X)
        return np.exp(weighted - logsumexp(weighted, axis=1, keepdims=True))

    def predict(self, X):
        """Most responsible component for each sample, of shape (n_samples,)."""
        X = self._check(X)
        return np.argmax(self._estimate_weighted_log_prob(X), axis=1)

    def fit_predict(self, X, y=None):
        """Fit, then return ``predict(X)``."""
        return self.fit(X).predict(X)

    def _n_parameters(self):
        k, d = self.means_.shape
        cov_params = k * d * (d + 1) / 2 if self.covariance_type == "full" else k * d
        return int(cov_params + k * d + k - 1)

    def bic(self, X):
        r"""Bayesian information criterion, :math:`-2\log L + p \log n` (lower is better)."""
        X = self._check(X)
        return -2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0])

    def aic(self, X):
        r"""Akaike information criterion, :math:`-2\log L + 2p` (lower is better)."""
        X = self._check(X)
        return -2 * self.score(X) * X.shape[0] + 2 * self._n_parameters()
