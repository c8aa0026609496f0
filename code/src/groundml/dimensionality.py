"""Linear dimensionality reduction from scratch: PCA and Fisher's linear discriminant analysis.

Two book pages derive what is implemented here: "Principal component analysis" (PCA by
the SVD of the centred data or by the eigendecomposition of the covariance matrix,
explained variance, whitening) and "Other dimensionality reduction" (Fisher's criterion,
its generalised eigenproblem and the LDA classifier). Both estimators are tested against
scikit-learn in ``code/tests/test_dimensionality.py``.
"""

import numbers
import warnings

import numpy as np

from ._validation import (
    check_array,
    check_classification_targets,
    check_is_fitted,
    check_n_features,
)
from .numerics import sigmoid, softmax

__all__ = ["PCA", "LinearDiscriminantAnalysis"]


def _flip_rows(Vt, U=None):
    """Fix the sign of each row of ``Vt`` so that its entry of largest modulus is positive.

    This is scikit-learn's ``svd_flip(..., u_based_decision=False)`` convention, used by
    its PCA since version 1.5. ``U`` (columns) is flipped with the same signs.
    """
    largest = np.argmax(np.abs(Vt), axis=1)                       # (k,)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), largest])          # (k,)
    signs[signs == 0] = 1.0
    Vt = Vt * signs[:, None]
    if U is not None:
        U = U * signs[None, :]
    return Vt, U


class PCA:
    r"""Principal component analysis.

    Centres the data and projects it on the directions of largest variance, the
    eigenvectors of the sample covariance matrix
    :math:`C = X_c^\top X_c / (n - 1)` with :math:`X_c = X - \mathbf{1}\bar x^\top`.

    Parameters
    ----------
    n_components : None, int or float, default=None
        Number of components to keep. ``None`` keeps :math:`\min(n, d)`; an integer
        ``k`` with :math:`1 \le k \le \min(n, d)` keeps ``k``; a float in (0, 1) keeps
        the smallest number of components whose cumulative explained-variance ratio
        exceeds it.
    whiten : bool, default=False
        If True, ``transform`` divides each projected coordinate by the square root of
        its explained variance, so the transformed training data have identity
        covariance.
    svd_solver : {'full', 'eigh'}, default='full'
        ``'full'``: thin SVD :math:`X_c = U S V^\top` (numerically safer).
        ``'eigh'``: eigendecomposition of the :math:`d \times d` covariance matrix
        (faster when :math:`n \gg d`, but squares the condition number).

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes (unit rows, orthogonal), sorted by decreasing variance; the sign
        of each row makes its entry of largest modulus positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance of the data along each axis, :math:`s_j^2 / (n - 1)`.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        ``explained_variance_`` divided by the total variance :math:`\operatorname{tr} C`.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values :math:`s_j` of the centred data.
    mean_ : ndarray of shape (n_features,)
    n_components_ : int
    n_samples_, n_features_in_ : int
    noise_variance_ : float
        Mean of the discarded eigenvalues (the probabilistic-PCA noise estimate).

    Notes
    -----
    With :math:`X_c = U S V^\top`, :math:`C = V \frac{S^2}{n-1} V^\top`, so the rows of
    :math:`V^\top` are the eigenvectors of :math:`C` and
    :math:`\lambda_j = s_j^2 / (n - 1)`. The transform is :math:`Z = X_c V_k` (divided by
    :math:`\sqrt{\lambda_j}` when whitening); the reconstruction is
    :math:`Z V_k^\top + \bar x`, and its squared error summed over the training set is
    :math:`(n - 1) \sum_{j > k} \lambda_j`.

    Derived in the book page "Principal component analysis".
    """

    def __init__(self, *, n_components=None, whiten=False, svd_solver="full"):
        self.n_components = n_components
        self.whiten = whiten
        self.svd_solver = svd_solver

    def _check_params(self, n_samples, n_features):
        if self.svd_solver not in ("full", "eigh"):
            raise ValueError(f"svd_solver must be 'full' or 'eigh', got {self.svd_solver!r}.")
        if n_samples < 2:
            raise ValueError(f"PCA needs at least 2 samples to estimate a variance, got {n_samples}.")
        bound = min(n_samples, n_features)
        k = self.n_components
        if k is None:
            return bound
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Real):
            raise ValueError(f"n_components must be None, an int or a float in (0, 1), got {k!r}.")
        if isinstance(k, numbers.Integral):
            if not 0 <= k <= bound:
                raise ValueError(
                    f"n_components={k} must be between 0 and min(n_samples, n_features)={bound} "
                    f"with svd_solver={self.svd_solver!r}."
                )
            return int(k)
        if not 0 < k < 1:
            raise ValueError(f"A float n_components must lie strictly between 0 and 1, got {k!r}.")
        return float(k)

    def _fit(self, X):
        X = check_array(X)
        n_samples, n_features = X.shape
        k = self._check_params(n_samples, n_features)
        self.mean_ = X.mean(axis=0)                                  # (d,)
        Xc = X - self.mean_                                          # (n, d)
        r = min(n_samples, n_features)
        if self.svd_solver == "full":
            U, S, Vt = np.linalg.svd(Xc, full_matrices=False)        # (n, r), (r,), (r, d)
            variances = S**2 / (n_samples - 1)
        else:
            C = Xc.T @ Xc / (n_samples - 1)                          # (d, d)
            eigenvalues, eigenvectors = np.linalg.eigh(C)            # ascending
            variances = np.clip(eigenvalues[::-1][:r], 0.0, None)    # descending, (r,)
            Vt = eigenvectors[:, ::-1][:, :r].T                      # (r, d)
            S = np.sqrt(variances * (n_samples - 1))
            U = None
        Vt, U = _flip_rows(Vt, U)
        total = variances.sum()
        ratios = variances / total if total > 0 else np.zeros_like(variances)
        if isinstance(k, float):
            # smallest k whose cumulative ratio is strictly greater than the threshold
            k = int(np.searchsorted(np.cumsum(ratios), k, side="right") + 1)
            k = min(k, r)
        self.n_components_ = k
        self.components_ = Vt[:k].copy()
        self.explained_variance_ = variances[:k].copy()
        self.explained_variance_ratio_ = ratios[:k].copy()
        self.singular_values_ = S[:k].copy()
        self.noise_variance_ = float(variances[k:].mean()) if k < r else 0.0
        self.n_samples_ = n_samples
        self.n_features_in_ = n_features
        return X, U

    def fit(self, X, y=None):
        """Fit the principal axes on ``X`` of shape (n_samples, n_features); ``y`` is ignored."""
        self._fit(X)
        return self

    def _scale(self):
        # guard against division by a zero variance (rank-deficient data)
        return np.maximum(np.sqrt(self.explained_variance_), np.finfo(float).eps)

    def transform(self, X):
        """Project ``X`` on the principal axes: ndarray of shape (n_samples, n_components_)."""
        check_is_fitted(self, "components_")
        X = check_array(X)
        check_n_features(self, X)
        Z = (X - self.mean_) @ self.components_.T                    # (n, k)
        if self.whiten:
            Z = Z / self._scale()
        return Z

    def fit_transform(self, X, y=None):
        """Fit on ``X`` and return its projection, :math:`U_k S_k` (or :math:`U_k \\sqrt{n-1}`)."""
        X, U = self._fit(X)
        if U is None:                                                # 'eigh' solver: project
            return self.transform(X)
        k = self.n_components_
        if self.whiten:
            return U[:, :k] * np.sqrt(self.n_samples_ - 1)
        return U[:, :k] * self.singular_values_

    def inverse_transform(self, Z):
        """Map projected data of shape (n_samples, n_components_) back to feature space."""
        check_is_fitted(self, "components_")
        Z = check_array(Z, name="Z")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"Z has {Z.shape[1]} columns, but this PCA has {self.n_components_} components."
            )
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance_)
        return Z @ self.components_ + self.mean_


class LinearDiscriminantAnalysis:
    r"""Linear discriminant analysis: a Gaussian classifier with a shared covariance, and
    Fisher's supervised projection.

    Parameters
    ----------
    solver : {'svd', 'eigen'}, default='svd'
        ``'eigen'`` solves Fisher's generalised eigenproblem
        :math:`S_B v = \lambda S_W v` (needs :math:`S_W` positive definite).
        ``'svd'`` never forms a covariance matrix: it whitens the within-class scatter
        by an SVD of the centred data and then takes an SVD of the whitened class
        means; it also works when :math:`S_W` is singular (e.g. :math:`n < d`).
    priors : array-like of shape (n_classes,), default=None
        Class priors; the class frequencies when None.
    n_components : int, default=None
        Dimension of the projection, at most :math:`\min(C - 1, d)`.
    store_covariance : bool, default=False
        With ``'svd'``, also store ``covariance_`` (always stored by ``'eigen'``).
    tol : float, default=1e-4
        ``'svd'`` only: singular values below ``tol`` count as zero.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    priors_ : ndarray of shape (n_classes,)
    means_ : ndarray of shape (n_classes, n_features)
    covariance_ : ndarray of shape (n_features, n_features)
        Pooled within-class covariance :math:`S_W = \sum_k \pi_k \hat\Sigma_k` with the
        biased per-class covariances :math:`\hat\Sigma_k`.
    scalings_ : ndarray of shape (n_features, rank)
        Discriminant directions as columns, normalised so that
        :math:`v^\top S_W v = 1`.
    xbar_ : ndarray of shape (n_features,)
        :math:`\sum_k \pi_k \mu_k` (``'svd'`` only; its transform centres on it).
    explained_variance_ratio_ : ndarray of shape (n_components,)
    coef_ : ndarray of shape (n_classes, n_features) or (1, n_features) for two classes
    intercept_ : ndarray of shape (n_classes,) or (1,)
    n_features_in_ : int

    Notes
    -----
    The classifier scores class :math:`k` by
    :math:`\delta_k(x) = x^\top S_W^{-1}\mu_k - \tfrac12 \mu_k^\top S_W^{-1}\mu_k + \log\pi_k`
    and the posterior is the softmax of the scores. The projection maximises Fisher's
    ratio :math:`v^\top S_B v / v^\top S_W v` with :math:`S_B = S_T - S_W`.

    Derived in the book page "Other dimensionality reduction".
    """

    def __init__(self, *, solver="svd", priors=None, n_components=None, store_covariance=False, tol=1e-4):
        self.solver = solver
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol

    def fit(self, X, y):
        """Fit on ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,)."""
        if self.solver not in ("svd", "eigen"):
            raise ValueError(f"solver must be 'svd' or 'eigen', got {self.solver!r}.")
        X = check_array(X)
        y = np.asarray(y)
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y.shape[0]}."
            )
        self.classes_, y_idx = check_classification_targets(y)
        n_samples, n_features = X.shape
        n_classes = self.classes_.shape[0]
        if n_samples == n_classes:
            raise ValueError("The number of samples must be more than the number of classes.")
        counts = np.bincount(y_idx, minlength=n_classes)
        if self.priors is None:
            priors = counts / n_samples
        else:
            priors = np.asarray(self.priors, dtype=float)
            if priors.shape != (n_classes,):
                raise ValueError(f"priors must have shape ({n_classes},), got {priors.shape}.")
            if np.any(priors < 0):
                raise ValueError("priors must be non-negative.")
            if abs(priors.sum() - 1.0) > 1e-5:
                warnings.warn("The priors do not sum to 1. Renormalizing", UserWarning, stacklevel=2)
                priors = priors / priors.sum()
        self.priors_ = priors
        max_components = min(n_classes - 1, n_features)
        if self.n_components is None:
            self._max_components = max_components
        else:
            if self.n_components > max_components:
                raise ValueError("n_components cannot be larger than min(n_features, n_classes - 1).")
            self._max_components = int(self.n_components)

        onehot = np.zeros((n_samples, n_classes))                   # (n, C)
        onehot[np.arange(n_samples), y_idx] = 1.0
        self.means_ = (onehot.T @ X) / counts[:, None]               # (C, d)
        within = X - self.means_[y_idx]                               # (n, d), centred per class
        if self.solver == "eigen" or self.store_covariance:
            # S_W = sum_k pi_k * (1/n_k) sum_{i in k} (x_i - mu_k)(x_i - mu_k)^T
            weights = (priors / counts)[y_idx]                        # (n,)
            self.covariance_ = (within * weights[:, None]).T @ within  # (d, d)
        if self.solver == "eigen":
            self._solve_eigen(X)
        else:
            self._solve_svd(within, n_samples, n_classes)
        if n_classes == 2:
            self.coef_ = (self.coef_[1] - self.coef_[0])[None, :]
            self.intercept_ = np.array([self.intercept_[1] - self.intercept_[0]])
        self.n_features_in_ = n_features
        return self

    def _solve_eigen(self, X):
        Sw = self.covariance_
        Xc = X - X.mean(axis=0)
        St = Xc.T @ Xc / X.shape[0]                                   # total covariance (biased)
        Sb = St - Sw                                                  # between-class covariance
        # S_B v = lambda S_W v  <=>  (L^-1 S_B L^-T) w = lambda w  with S_W = L L^T, v = L^-T w
        try:
            L = np.linalg.cholesky(Sw)
        except np.linalg.LinAlgError:
            raise ValueError(
                "The within-class covariance is singular, so the 'eigen' solver cannot be used "
                "(for example when n_samples - n_classes < n_features); use solver='svd'."
            ) from None
        Linv = np.linalg.solve(L, np.eye(L.shape[0]))                 # L^-1, (d, d)
        M = Linv @ Sb @ Linv.T
        eigenvalues, W = np.linalg.eigh((M + M.T) / 2)
        order = np.argsort(eigenvalues)[::-1]
        eigenvalues = eigenvalues[order]
        V = Linv.T @ W[:, order]                                      # (d, d), V^T S_W V = I
        self.explained_variance_ratio_ = (eigenvalues / eigenvalues.sum())[: self._max_components]
        self.scalings_ = V
        # V V^T = S_W^{-1}, so coef_k = S_W^{-1} mu_k
        self.coef_ = self.means_ @ V @ V.T
        self.intercept_ = -0.5 * np.sum(self.means_ * self.coef_, axis=1) + np.log(self.priors_)

    def _solve_svd(self, within, n_samples, n_classes):
        self.xbar_ = self.priors_ @ self.means_                       # (d,)
        # 1. whiten the within-class scatter: rescale features, then an SVD of the centred data
        std = within.std(axis=0)
        std[std == 0] = 1.0
        _, S, Vt = np.linalg.svd(within / std / np.sqrt(n_samples), full_matrices=False)
        rank = int(np.sum(S > self.tol))
        W = (Vt[:rank] / std).T / S[:rank]                           # (d, rank), W^T S_W W = I
        # 2. principal axes of the whitened, prior-weighted class means
        fac = 1.0 / (n_classes - 1)
        centres = np.sqrt(n_samples * self.priors_ * fac)[:, None] * (self.means_ - self.xbar_)
        _, S2, Vt2 = np.linalg.svd(centres @ W, full_matrices=False)
        self.explained_variance_ratio_ = (S2**2 / np.sum(S2**2))[: self._max_components]
        rank2 = int(np.sum(S2 > self.tol * S2[0]))
        self.scalings_ = W @ Vt2[:rank2].T                            # (d, rank2)
        coef = (self.means_ - self.xbar_) @ self.scalings_            # (C, rank2)
        self.coef_ = coef @ self.scalings_.T                          # (C, d)
        self.intercept_ = -0.5 * np.sum(coef**2, axis=1) + np.log(self.priors_) - self.coef_ @ self.xbar_

    def _check_X(self, X):
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def transform(self, X):
        """Project ``X`` on the discriminant directions: shape (n_samples, n_components)."""
        X = self._check_X(X)
        if self.solver == "svd":
            Z = (X - self.xbar_) @ self.scalings_
        else:
            Z = X @ self.scalings_
        return Z[:, : self._max_components]

    def fit_transform(self, X, y):
        """Fit on ``(X, y)`` and return the projection of ``X``."""
        return self.fit(X, y).transform(X)

    def decision_function(self, X):
        """Scores :math:`\\delta_k(x)`: shape (n_samples, n_classes), or (n_samples,) for two classes."""
        X = self._check_X(X)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """Posterior class probabilities, shape (n_samples, n_classes)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = sigmoid(scores)
            return np.column_stack([1.0 - p, p])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba``."""
        proba = self.predict_proba(X)
        return np.log(np.maximum(proba, np.finfo(float).tiny))

    def predict(self, X):
        """Class with the largest posterior, shape (n_samples,)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def score(self, X, y):
        """Accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
