"""Probability calibration: reliability curves, calibration error, Platt scaling, isotonic regression.

A classifier's score ``p`` is *calibrated* when, among the samples that receive score
``p``, a fraction ``p`` are positive. This module measures calibration (the binned
reliability curve and the expected calibration error) and repairs it with two
one-dimensional maps fitted on held-out scores: Platt's sigmoid and isotonic
regression by pool-adjacent-violators. ``downsampling_correction`` undoes the shift of
probabilities caused by training on a sample with the negatives thinned out.

Derived in the book page "Probability calibration".
"""

import numpy as np

from ._validation import check_array, check_classification_targets, check_is_fitted
from .numerics import log_sigmoid, sigmoid

STRATEGIES = ("uniform", "quantile")


def _check_binary_probabilities(y_true, y_prob, pos_label):
    """Validate labels and probabilities; return ``y`` as 0/1 floats and ``y_prob``."""
    y_prob = check_array(y_prob, name="y_prob", ensure_2d=False)
    if y_prob.ndim != 1:
        raise ValueError(f"y_prob must be 1D, got a {y_prob.ndim}D array instead.")
    y_true = np.asarray(y_true)
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be 1D, got a {y_true.ndim}D array instead.")
    if y_true.shape[0] != y_prob.shape[0]:
        raise ValueError(
            "y_true and y_prob have inconsistent numbers of samples: "
            f"{y_true.shape[0]} and {y_prob.shape[0]}."
        )
    if y_true.dtype.kind == "f" and not np.all(np.isfinite(y_true)):
        raise ValueError("y_true contains NaN or infinity.")
    if y_prob.min() < 0 or y_prob.max() > 1:
        raise ValueError("y_prob has values outside [0, 1].")
    labels = np.unique(y_true)
    if labels.shape[0] > 2:
        raise ValueError(f"Only binary classification is supported. Provided labels {labels}.")
    if pos_label is None:
        if labels.dtype.kind in "OUS" or not set(labels.tolist()) <= {0, 1, -1} or set(
            labels.tolist()
        ) == {0, -1}:
            raise ValueError(
                f"y_true takes value in {labels.tolist()} and pos_label is not specified: either make y_true "
                "take value in {0, 1} or {-1, 1} or pass pos_label explicitly."
            )
        pos_label = 1
    return (y_true == pos_label).astype(float), y_prob


def _bin_statistics(y, y_prob, n_bins, strategy):
    """Per-bin (count, sum of labels, sum of probabilities), each of shape (n_bins,)."""
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}.")
    n_bins = int(n_bins)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)                 # (n_bins + 1,)
    elif strategy == "quantile":
        edges = np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}.")
    # bin b holds the probabilities in (edges[b], edges[b + 1]]; the first bin also holds edges[0]
    bin_ids = np.searchsorted(edges[1:-1], y_prob)                 # (n_samples,)
    counts = np.bincount(bin_ids, minlength=n_bins)
    label_sums = np.bincount(bin_ids, weights=y, minlength=n_bins)
    prob_sums = np.bincount(bin_ids, weights=y_prob, minlength=n_bins)
    return counts, label_sums, prob_sums


def calibration_curve(y_true, y_prob, *, pos_label=None, n_bins=5, strategy="uniform"):
    r"""Points of the reliability diagram: observed frequency against mean predicted probability.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels (at most two distinct values).
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].
    pos_label : int, float or str, default=None
        The positive label; if None, labels must be in {0, 1} or {-1, 1} and 1 is positive.
    n_bins : int, default=5
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins on [0, 1], or bins with (about) equal numbers of samples.

    Returns
    -------
    prob_true : ndarray of shape (n_nonempty_bins,)
        Fraction of positives in each non-empty bin.
    prob_pred : ndarray of shape (n_nonempty_bins,)
        Mean predicted probability in each non-empty bin.

    Notes
    -----
    With :math:`B_b` the samples in bin :math:`b`,
    :math:`\text{prob\_true}_b = |B_b|^{-1} \sum_{i \in B_b} y_i` and
    :math:`\text{prob\_pred}_b = |B_b|^{-1} \sum_{i \in B_b} \hat p_i`.
    Derived in the book page "Probability calibration".
    """
    y, y_prob = _check_binary_probabilities(y_true, y_prob, pos_label)
    counts, label_sums, prob_sums = _bin_statistics(y, y_prob, n_bins, strategy)
    nonempty = counts > 0
    return label_sums[nonempty] / counts[nonempty], prob_sums[nonempty] / counts[nonempty]


def expected_calibration_error(y_true, y_prob, *, pos_label=None, n_bins=10, strategy="uniform"):
    r"""Binned expected calibration error (ECE) of binary probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_prob : array-like of shape (n_samples,)
        Predicted probabilities of the positive class, in [0, 1].
    pos_label, n_bins, strategy
        As in :func:`calibration_curve`.

    Returns
    -------
    ece : float
        In [0, 1]; 0 when every bin's mean probability equals its fraction of positives.

    Notes
    -----
    .. math::

        \mathrm{ECE} = \sum_{b} \frac{|B_b|}{n}
        \Bigl| \frac{1}{|B_b|} \sum_{i \in B_b} y_i - \frac{1}{|B_b|} \sum_{i \in B_b} \hat p_i \Bigr| .

    This is the binary (positive-class) version; Guo et al. bin the top-class confidence
    of a multiclass model instead. Derived in the book page "Probability calibration".
    """
    y, y_prob = _check_binary_probabilities(y_true, y_prob, pos_label)
    counts, label_sums, prob_sums = _bin_statistics(y, y_prob, n_bins, strategy)
    return float(np.sum(np.abs(label_sums - prob_sums)) / y.shape[0])


def _check_1d_scores(x, name="X"):
    """Accept a 1D array or a 2D array with one column; return it 1D."""
    x = check_array(x, name=name, ensure_2d=False)
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(f"{name} must be 1D or have a single column, got shape {x.shape}.")
        x = x[:, 0]
    return x


def _pava(y, w):
    """Weighted least-squares non-decreasing fit of ``y`` (already in x order).

    Pool adjacent violators: scan left to right, keeping a stack of blocks with their
    weighted means; merge the top blocks while their means decrease.
    """
    means, weights, sizes = [], [], []
    for value, weight in zip(y, w, strict=True):
        means.append(value)
        weights.append(weight)
        sizes.append(1)
        while len(means) > 1 and means[-2] >= means[-1]:           # a violation: pool
            total = weights[-2] + weights[-1]
            means[-2] = (weights[-2] * means[-2] + weights[-1] * means[-1]) / total
            weights[-2] = total
            sizes[-2] += sizes[-1]
            del means[-1], weights[-1], sizes[-1]
    return np.repeat(means, sizes)


def isotonic_regression(y, *, sample_weight=None, increasing=True):
    r"""Weighted least-squares monotone fit to ``y`` in the given order (pool adjacent violators).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), default=None
        Positive weights; all ones if None.
    increasing : bool, default=True

    Returns
    -------
    y_fit : ndarray of shape (n_samples,)
        The minimiser of :math:`\sum_i w_i (y_i - f_i)^2` over
        :math:`f_1 \le \dots \le f_n` (or :math:`\ge` if ``increasing`` is False).

    Notes
    -----
    Derived in the book page "Probability calibration".
    """
    y = check_array(y, name="y", ensure_2d=False)
    if y.ndim != 1:
        raise ValueError(f"y must be 1D, got a {y.ndim}D array instead.")
    w = np.ones_like(y) if sample_weight is None else check_array(sample_weight, name="sample_weight",
                                                                  ensure_2d=False)
    if w.shape != y.shape:
        raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
    if np.any(w <= 0):
        raise ValueError("sample_weight must be positive.")
    if increasing:
        return _pava(y, w)
    return -_pava(-y, w)


class IsotonicRegression:
    """Monotone piecewise-linear regression of ``y`` on one feature.

    Parameters
    ----------
    y_min, y_max : float, default=None
        Bounds for the fitted values (none if None).
    increasing : bool, default=True
        Fit a non-decreasing (True) or non-increasing (False) function.
    out_of_bounds : {"nan", "clip", "raise"}, default="nan"
        Prediction outside the training range of ``X``: NaN, the value at the nearest
        end, or a ``ValueError``. If training ``X`` has a single distinct value, the fit
        is that constant everywhere (as in scikit-learn).

    Attributes
    ----------
    X_thresholds_ : ndarray of shape (n_thresholds,)
        Distinct training ``X`` values, sorted.
    y_thresholds_ : ndarray of shape (n_thresholds,)
        Fitted values there; predictions interpolate linearly between them.
    X_min_, X_max_ : float
    n_features_in_ : int
        Always 1.

    Notes
    -----
    Tied ``X`` values are replaced by one point with the weighted mean of their ``y``
    and the sum of their weights (the least-squares fit must give them one value), then
    pool adjacent violators solves
    :math:`\\min_{f_1 \\le \\dots \\le f_m} \\sum_j W_j (\\bar y_j - f_j)^2`.
    Derived in the book page "Probability calibration".
    """

    def __init__(self, *, y_min=None, y_max=None, increasing=True, out_of_bounds="nan"):
        self.y_min = y_min
        self.y_max = y_max
        self.increasing = increasing
        self.out_of_bounds = out_of_bounds

    def fit(self, X, y, sample_weight=None):
        """Fit the monotone function.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, 1)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative; samples with weight 0 are ignored.

        Returns
        -------
        self
        """
        if self.out_of_bounds not in ("nan", "clip", "raise"):
            raise ValueError(f"out_of_bounds must be 'nan', 'clip' or 'raise', got {self.out_of_bounds!r}.")
        if self.increasing not in (True, False):
            raise ValueError(f"increasing must be True or False, got {self.increasing!r}.")
        x = _check_1d_scores(X)
        y = check_array(y, name="y", ensure_2d=False)
        if y.ndim != 1:
            raise ValueError(f"y must be 1D, got a {y.ndim}D array instead.")
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"X and y have inconsistent numbers of samples: {x.shape[0]} and {y.shape[0]}.")
        if sample_weight is None:
            w = np.ones_like(y)
        else:
            w = check_array(sample_weight, name="sample_weight", ensure_2d=False)
            if w.shape != y.shape:
                raise ValueError(f"sample_weight has shape {w.shape}, expected {y.shape}.")
            if np.any(w < 0):
                raise ValueError("sample_weight must be non-negative.")
            keep = w > 0
            if not keep.any():
                raise ValueError("sample_weight is zero for every sample.")
            x, y, w = x[keep], y[keep], w[keep]
        # Merge ties: one point per distinct x, with the weighted mean of y and the total weight.
        x_unique, inverse = np.unique(x, return_inverse=True)                    # (m,), (n,)
        w_unique = np.bincount(inverse, weights=w)
        y_unique = np.bincount(inverse, weights=w * y) / w_unique
        fitted = isotonic_regression(y_unique, sample_weight=w_unique, increasing=bool(self.increasing))
        lower = -np.inf if self.y_min is None else self.y_min
        upper = np.inf if self.y_max is None else self.y_max
        self.X_thresholds_ = x_unique
        self.y_thresholds_ = np.clip(fitted, lower, upper)
        self.X_min_, self.X_max_ = float(x_unique[0]), float(x_unique[-1])
        self.n_features_in_ = 1
        return self

    def predict(self, T):
        """Interpolate the fitted function at ``T``.

        Parameters
        ----------
        T : array-like of shape (n_samples,) or (n_samples, 1)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "X_thresholds_")
        t = _check_1d_scores(T, name="T")
        if self.X_thresholds_.shape[0] == 1:              # one distinct x: a constant, everywhere
            return np.full(t.shape[0], self.y_thresholds_[0])
        outside = (t < self.X_min_) | (t > self.X_max_)
        if self.out_of_bounds == "raise" and outside.any():
            raise ValueError("A value in T is outside the range of the training X.")
        # np.interp holds the end values outside the range, which is the "clip" rule
        y_pred = np.interp(t, self.X_thresholds_, self.y_thresholds_)
        if self.out_of_bounds == "nan":
            y_pred[outside] = np.nan
        return y_pred

    def transform(self, T):
        """Same as :meth:`predict` (the fitted function applied to ``T``)."""
        return self.predict(T)

    def fit_transform(self, X, y, sample_weight=None):
        """Fit, then return the fitted function at ``X``."""
        return self.fit(X, y, sample_weight).predict(X)


def _platt_newton(s, t, max_iter, tol):
    """Minimise the mean log-loss of sigmoid(a s + b) against targets t by damped Newton."""
    design = np.column_stack([s, np.ones_like(s)])                            # (n, 2)

    def loss(theta):
        z = design @ theta
        return -np.mean(t * log_sigmoid(z) + (1 - t) * log_sigmoid(-z))

    theta = np.array([0.0, np.log((t.mean() + 1e-12) / (1 - t.mean() + 1e-12))])
    current = loss(theta)
    n_iter = 0
    while n_iter < max_iter:
        p = sigmoid(design @ theta)                                           # (n,)
        grad = design.T @ (p - t) / s.shape[0]                                # (2,)
        if np.max(np.abs(grad)) < tol:
            break
        hess = (design * (p * (1 - p))[:, None]).T @ design / s.shape[0]      # (2, 2)
        step = np.linalg.solve(hess + 1e-12 * np.eye(2), grad)
        size = 1.0
        while True:                                                           # backtracking
            candidate = theta - size * step
            value = loss(candidate)
            if value <= current - 1e-4 * size * (grad @ step) or size < 1e-10:
                break
            size /= 2
        n_iter += 1
        if value > current:                                                   # no progress possible
            break
        theta, current = candidate, value
    return theta, n_iter


def platt_scaling(scores, y, *, target_smoothing=False, max_iter=100, tol=1e-10):
    r"""Fit Platt's sigmoid :math:`P(y = 1 \mid s) = \sigma(a s + b)` to scores by maximum likelihood.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Uncalibrated real-valued scores (decision values, logits, probabilities).
    y : array-like of shape (n_samples,)
        Binary labels; the larger label is the positive class.
    target_smoothing : bool, default=False
        If True, replace the targets 1 and 0 by Platt's
        :math:`t_+ = (N_+ + 1)/(N_+ + 2)` and :math:`t_- = 1/(N_- + 2)`.
    max_iter : int, default=100
    tol : float, default=1e-10
        Stop when every entry of the gradient of the mean log-loss is below ``tol``.

    Returns
    -------
    a, b : float

    Notes
    -----
    Minimises :math:`-\frac1n \sum_i [t_i \log \sigma(a s_i + b) + (1 - t_i) \log(1 - \sigma(a s_i + b))]`
    by Newton's method with backtracking: gradient :math:`\frac1n \sum_i (p_i - t_i)(s_i, 1)`,
    Hessian :math:`\frac1n \sum_i p_i (1 - p_i)(s_i, 1)(s_i, 1)^\top`. Platt's paper writes
    :math:`1 / (1 + \exp(A s + B))`, so :math:`A = -a`, :math:`B = -b`. Without smoothing,
    perfectly separated scores have no finite maximiser. Derived in the book page
    "Probability calibration".
    """
    model = PlattScaling(target_smoothing=target_smoothing, max_iter=max_iter, tol=tol).fit(scores, y)
    return model.a_, model.b_


class PlattScaling:
    """Platt's sigmoid calibration of one-dimensional scores.

    Parameters
    ----------
    target_smoothing : bool, default=False
        Use Platt's smoothed targets instead of 0/1 (see :func:`platt_scaling`).
    max_iter : int, default=100
    tol : float, default=1e-10

    Attributes
    ----------
    a_, b_ : float
        Slope and intercept: the calibrated probability is ``sigmoid(a_ * s + b_)``.
    classes_ : ndarray of shape (2,)
    n_iter_ : int
    n_features_in_ : int
        Always 1.
    """

    def __init__(self, *, target_smoothing=False, max_iter=100, tol=1e-10):
        self.target_smoothing = target_smoothing
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, scores, y):
        """Fit ``a_`` and ``b_``; ``scores`` of shape (n_samples,) or (n_samples, 1)."""
        s = _check_1d_scores(scores, name="scores")
        classes, y_encoded = check_classification_targets(y)
        if classes.shape[0] != 2:
            raise ValueError(f"Platt scaling needs exactly 2 classes, got {classes.shape[0]}.")
        if s.shape[0] != y_encoded.shape[0]:
            raise ValueError(
                f"scores and y have inconsistent numbers of samples: {s.shape[0]} and {y_encoded.shape[0]}."
            )
        t = y_encoded.astype(float)
        if self.target_smoothing:
            n_pos = t.sum()
            n_neg = t.shape[0] - n_pos
            t = np.where(t == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
        (self.a_, self.b_), self.n_iter_ = _platt_newton(s, t, self.max_iter, self.tol)
        self.a_, self.b_ = float(self.a_), float(self.b_)
        self.classes_ = classes
        self.n_features_in_ = 1
        return self

    def predict(self, scores):
        """Calibrated probability of the positive class, of shape (n_samples,)."""
        check_is_fitted(self, "a_")
        s = _check_1d_scores(scores, name="scores")
        return sigmoid(self.a_ * s + self.b_)

    def predict_proba(self, scores):
        """Probabilities of both classes, of shape (n_samples, 2)."""
        p = self.predict(scores)
        return np.column_stack([1 - p, p])


def downsampling_correction(p, w):
    r"""Map probabilities learned after negative downsampling back to the original population.

    Parameters
    ----------
    p : array-like of any shape
        Probabilities predicted by a model trained on data in which each negative was
        kept with probability ``w`` (every positive kept).
    w : float in (0, 1]
        The negative sampling rate.

    Returns
    -------
    q : ndarray of the shape of ``p``
        :math:`q = p / (p + (1 - p) / w)`, the probability on the original population.

    Notes
    -----
    Downsampling multiplies the odds by :math:`1 / w`, so the correction multiplies the
    odds by :math:`w`: :math:`q / (1 - q) = w \, p / (1 - p)`. Derived in the book page
    "Probability calibration".
    """
    p = check_array(p, name="p", ensure_2d=False) if np.ndim(p) in (1, 2) else np.asarray(p, dtype=float)
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p must contain probabilities in [0, 1].")
    if not (np.isscalar(w) or np.ndim(w) == 0) or not 0 < w <= 1:
        raise ValueError(f"w must be a sampling rate in (0, 1], got {w!r}.")
    return p / (p + (1 - p) / w)
