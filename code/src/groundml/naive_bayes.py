r"""Naive Bayes classifiers: Gaussian, multinomial and Bernoulli event models.

Every model here is generative. It estimates a class prior :math:`P(y = c)` and a
class-conditional density that factorises over the features,
:math:`p(x \mid y = c) = \prod_j p(x_j \mid y = c)`, and classifies by Bayes' rule in
log space:

.. math::

    \log P(y = c \mid x) = \log P(y = c) + \sum_j \log p(x_j \mid y = c)
        - \log \sum_{c'} \exp\Bigl(\log P(y = c') + \sum_j \log p(x_j \mid y = c')\Bigr).

The three classes differ only in the per-feature model :math:`p(x_j \mid y = c)` and
its estimate. Derived in the book page "Naive Bayes".
"""

import numbers

import numpy as np

from ._validation import (
    check_array,
    check_classification_targets,
    check_is_fitted,
    check_n_features,
)
from .numerics import logsumexp


def _fit_targets(X, y):
    """Validate ``X``, ``y``; return ``X``, ``classes`` and one-hot ``Y`` of shape (n_samples, n_classes)."""
    X = check_array(X)
    classes, y_encoded = check_classification_targets(y)
    if y_encoded.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y_encoded.shape[0]}."
        )
    Y = np.zeros((X.shape[0], classes.shape[0]))                 # one-hot class indicators
    Y[np.arange(X.shape[0]), y_encoded] = 1.0
    return X, classes, Y


class _BaseNB:
    """Prediction shared by the three event models; subclasses define ``_joint_log_likelihood``."""

    def _check_input(self, X):
        check_is_fitted(self, "classes_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def predict_log_proba(self, X):
        """Log posterior :math:`\\log P(y = c \\mid x)`, of shape (n_samples, n_classes).

        Normalised with log-sum-exp, so it is finite even when every joint likelihood
        underflows to zero in linear space.
        """
        jll = self._joint_log_likelihood(self._check_input(X))      # (n_samples, n_classes)
        return jll - logsumexp(jll, axis=1, keepdims=True)

    def predict_proba(self, X):
        """Posterior class probabilities, of shape (n_samples, n_classes), rows summing to 1."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """The maximum a posteriori class, of shape (n_samples,)."""
        jll = self._joint_log_likelihood(self._check_input(X))
        return self.classes_[np.argmax(jll, axis=1)]

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class GaussianNB(_BaseNB):
    r"""Gaussian naive Bayes: each feature is normal within each class.

    Parameters
    ----------
    priors : array-like of shape (n_classes,), default=None
        Class priors; if None, the class frequencies in the training data.
    var_smoothing : float, default=1e-9
        ``var_smoothing * max_j Var(x_j)`` (variances over all training samples) is
        added to every per-class variance, as in scikit-learn, so that a feature that is
        constant within a class does not give a zero variance.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_prior_ : ndarray of shape (n_classes,)
    theta_ : ndarray of shape (n_classes, n_features)
        Per-class feature means.
    var_ : ndarray of shape (n_classes, n_features)
        Per-class feature variances (maximum-likelihood, divided by ``n_c``) plus ``epsilon_``.
    epsilon_ : float
    n_features_in_ : int

    Notes
    -----
    The maximum-likelihood estimates are the per-class mean and (biased) variance, and

    .. math::

        \log p(x, y = c) = \log \pi_c - \frac12 \sum_j \Bigl[\log(2\pi\sigma_{cj}^2)
            + \frac{(x_j - \mu_{cj})^2}{\sigma_{cj}^2}\Bigr].

    Derived in the book page "Naive Bayes".
    """

    def __init__(self, *, priors=None, var_smoothing=1e-9):
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X, y):
        """Estimate the priors, means and variances; ``X`` of shape (n_samples, n_features).

        Returns
        -------
        self : GaussianNB
        """
        if not (isinstance(self.var_smoothing, numbers.Real) and self.var_smoothing >= 0):
            raise ValueError(f"var_smoothing must be a non-negative float, got {self.var_smoothing!r}.")
        X, classes, Y = _fit_targets(X, y)
        counts = Y.sum(axis=0)                                       # (n_classes,)
        theta = (Y.T @ X) / counts[:, None]                          # (n_classes, n_features)
        # Per-class variance from the centred data (not E[x^2] - E[x]^2, which cancels).
        var = np.empty_like(theta)
        for c in range(classes.shape[0]):
            Xc = X[Y[:, c] == 1.0]
            var[c] = np.mean((Xc - theta[c]) ** 2, axis=0)
        self.epsilon_ = self.var_smoothing * np.var(X, axis=0).max()
        if self.priors is None:
            prior = counts / counts.sum()
        else:
            prior = np.asarray(self.priors, dtype=float)
            if prior.shape != (classes.shape[0],):
                raise ValueError("Number of priors must match number of classes.")
            if not np.isclose(prior.sum(), 1.0) or np.any(prior < 0):
                raise ValueError("The priors must be non-negative and sum to 1.")
        self.classes_ = classes
        self.class_count_ = counts
        self.class_prior_ = prior
        self.theta_ = theta
        self.var_ = var + self.epsilon_
        self.n_features_in_ = X.shape[1]
        return self

    def _joint_log_likelihood(self, X):
        """:math:`\\log \\pi_c + \\log p(x \\mid c)`, of shape (n_samples, n_classes)."""
        log_norm = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_), axis=1)          # (n_classes,)
        # sum_j (x_j - mu_cj)^2 / var_cj for every sample and class, (n_samples, n_classes)
        quad = np.stack([np.sum((X - mu) ** 2 / v, axis=1)
                         for mu, v in zip(self.theta_, self.var_, strict=True)], axis=1)
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)
        return log_prior + log_norm - 0.5 * quad


class _DiscreteNB(_BaseNB):
    """Shared fit of the count-based models: smoothed counts and the class prior."""

    def _check_alpha(self):
        if not (isinstance(self.alpha, numbers.Real) and self.alpha >= 0):
            raise ValueError(f"alpha must be a non-negative float, got {self.alpha!r}.")

    def _class_log_prior(self, counts):
        n_classes = counts.shape[0]
        if self.class_prior is not None:
            prior = np.asarray(self.class_prior, dtype=float)
            if prior.shape != (n_classes,):
                raise ValueError("Number of priors must match number of classes.")
            return np.log(prior)
        if self.fit_prior:
            with np.errstate(divide="ignore"):
                return np.log(counts) - np.log(counts.sum())
        return np.full(n_classes, -np.log(n_classes))


class MultinomialNB(_DiscreteNB):
    r"""Multinomial naive Bayes for counts (e.g. word counts of documents).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive (Laplace for 1, Lidstone below 1) smoothing; 0 for none.
    fit_prior : bool, default=True
        If False, a uniform class prior.
    class_prior : array-like of shape (n_classes,), default=None
        Fixed class priors, overriding ``fit_prior``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_ : ndarray of shape (n_classes, n_features)
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        :math:`\log \hat\theta_{cj}`, each row a log-probability vector over features.
    n_features_in_ : int

    Notes
    -----
    With :math:`N_{cj}` the total count of feature :math:`j` in class :math:`c`,

    .. math::

        \hat\theta_{cj} = \frac{N_{cj} + \alpha}{\sum_k N_{ck} + \alpha d}, \qquad
        \log p(x, y = c) = \log \pi_c + \sum_j x_j \log \hat\theta_{cj} + \text{const}(x).

    The constant (the multinomial coefficient) is the same for every class and dropped.
    Derived in the book page "Naive Bayes".
    """

    def __init__(self, *, alpha=1.0, fit_prior=True, class_prior=None):
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def fit(self, X, y):
        """Count features per class and smooth; ``X`` of shape (n_samples, n_features), non-negative.

        Returns
        -------
        self : MultinomialNB
        """
        self._check_alpha()
        X, classes, Y = _fit_targets(X, y)
        if np.any(X < 0):
            raise ValueError("Negative values in data passed to MultinomialNB (input X).")
        counts = Y.sum(axis=0)                                       # (n_classes,)
        feature_count = Y.T @ X                                      # (n_classes, n_features)
        smoothed = feature_count + self.alpha
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
        self.classes_ = classes
        self.class_count_ = counts
        self.feature_count_ = feature_count
        self.class_log_prior_ = self._class_log_prior(counts)
        self.n_features_in_ = X.shape[1]
        return self

    def _joint_log_likelihood(self, X):
        # Like scikit-learn, only fit checks for negative counts.
        return X @ self.feature_log_prob_.T + self.class_log_prior_


class BernoulliNB(_DiscreteNB):
    r"""Bernoulli naive Bayes for binary features (e.g. word present or absent).

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing; 0 for none.
    binarize : float or None, default=0.0
        Threshold: features above it become 1, the rest 0. None if ``X`` is already binary.
    fit_prior : bool, default=True
    class_prior : array-like of shape (n_classes,), default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_ : ndarray of shape (n_classes, n_features)
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        :math:`\log \hat p_{cj}`, the log-probability that feature :math:`j` is 1 in class :math:`c`.
    n_features_in_ : int

    Notes
    -----
    With :math:`n_c` samples in class :math:`c`, of which :math:`N_{cj}` have feature
    :math:`j` on,

    .. math::

        \hat p_{cj} = \frac{N_{cj} + \alpha}{n_c + 2\alpha}, \qquad
        \log p(x, y = c) = \log \pi_c + \sum_j \bigl[x_j \log \hat p_{cj}
            + (1 - x_j) \log(1 - \hat p_{cj})\bigr].

    Unlike the multinomial model, an absent feature counts as evidence. Derived in the
    book page "Naive Bayes".
    """

    def __init__(self, *, alpha=1.0, binarize=0.0, fit_prior=True, class_prior=None):
        self.alpha = alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _binarize(self, X):
        return X if self.binarize is None else (X > self.binarize).astype(float)

    def fit(self, X, y):
        """Estimate the per-class probability of each feature being on.

        Returns
        -------
        self : BernoulliNB
        """
        self._check_alpha()
        X, classes, Y = _fit_targets(X, y)
        X = self._binarize(X)
        counts = Y.sum(axis=0)                                       # (n_classes,)
        feature_count = Y.T @ X                                      # (n_classes, n_features)
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = (np.log(feature_count + self.alpha)
                                      - np.log(counts + 2.0 * self.alpha)[:, None])
        self.classes_ = classes
        self.class_count_ = counts
        self.feature_count_ = feature_count
        self.class_log_prior_ = self._class_log_prior(counts)
        self.n_features_in_ = X.shape[1]
        return self

    def _joint_log_likelihood(self, X):
        X = self._binarize(X)
        with np.errstate(divide="ignore"):
            log_off = np.log(1.0 - np.exp(self.feature_log_prob_))  # log(1 - p), (n_classes, n_features)
        # x log p + (1 - x) log(1 - p) = x (log p - log(1 - p)) + log(1 - p)
        return X @ (self.feature_log_prob_ - log_off).T + log_off.sum(axis=1) + self.class_log_prior_
