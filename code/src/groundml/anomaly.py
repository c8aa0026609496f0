"""Outlier rules and robust fitting from scratch: z-score, robust z-score, IQR, RANSAC.

The book page ``book/machine-learning/anomaly-detection.md`` ("Anomaly detection")
derives every rule used here: why one large outlier hides itself from the z-score rule,
the consistency constant of the median absolute deviation, and the number of RANSAC
trials needed to draw one all-inlier sample with a given probability.
"""

import math

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features, check_X_y
from .linear_model import LinearRegression

# 1 / Phi^{-1}(3/4): makes the MAD a consistent estimator of sigma for normal data.
MAD_NORMAL_CONSTANT = 1.482602218505602


def _check_1d(x, name="x"):
    x = check_array(x, name=name, ensure_2d=False)
    if x.ndim != 1:
        raise ValueError(f"Expected a 1D array for {name}, got a {x.ndim}D array instead.")
    return x


def _check_threshold(threshold, name="threshold"):
    if not (np.isscalar(threshold) and np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"{name} must be a positive finite number, got {threshold!r}.")


def zscores(x):
    r"""Standard scores :math:`z_i = (x_i - \bar x) / s` with the population std (ddof=0).

    Parameters
    ----------
    x : array-like of shape (n_samples,)

    Returns
    -------
    z : ndarray of shape (n_samples,)
        All zeros if every value is the same (``s = 0``).
    """
    x = _check_1d(x)
    std = x.std()
    return np.zeros_like(x) if std == 0 else (x - x.mean()) / std


def zscore_outliers(x, threshold=3.0):
    r"""Flag :math:`|x_i - \bar x| / s > \text{threshold}` (mean and population std).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    threshold : float, default=3.0

    Returns
    -------
    mask : ndarray of bool, shape (n_samples,)
        True for the flagged points.

    Notes
    -----
    The mean and the standard deviation are themselves pulled by the outliers, so a
    large outlier can inflate ``s`` enough to hide itself ("masking"); with ``n``
    points no z-score can exceed :math:`\sqrt{n - 1}` (derived in the book page
    "Anomaly detection"). Use :func:`robust_zscore_outliers` instead.
    """
    _check_threshold(threshold)
    return np.abs(zscores(x)) > threshold


def mad(x, scale="normal"):
    r"""Median absolute deviation :math:`\operatorname{med}_i |x_i - \operatorname{med}(x)|`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    scale : {"normal", 1.0} or float, default="normal"
        The raw MAD is divided by ``scale``; ``"normal"`` multiplies it by
        ``MAD_NORMAL_CONSTANT`` = :math:`1/\Phi^{-1}(3/4) \approx 1.4826`, so that it
        estimates :math:`\sigma` for normal data (as ``scipy.stats.median_abs_deviation``
        with ``scale="normal"``).

    Returns
    -------
    mad : float
    """
    x = _check_1d(x)
    raw = float(np.median(np.abs(x - np.median(x))))
    if scale == "normal":
        return MAD_NORMAL_CONSTANT * raw
    _check_threshold(scale, "scale")
    return raw / scale


def robust_zscore_outliers(x, threshold=3.5):
    r"""Flag :math:`|x_i - \operatorname{med}(x)| / (1.4826\,\mathrm{MAD}) > \text{threshold}`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    threshold : float, default=3.5
        3.5 is the cut-off of Iglewicz and Hoaglin's "modified z-score".

    Returns
    -------
    mask : ndarray of bool, shape (n_samples,)

    Notes
    -----
    The median and the MAD have a 50% breakdown point: fewer than half of the points
    cannot move them arbitrarily far. If the MAD is 0 (more than half of the values
    are equal), every value different from the median is flagged.
    """
    _check_threshold(threshold)
    x = _check_1d(x)
    deviation = np.abs(x - np.median(x))
    scale = mad(x)
    if scale == 0:
        return deviation > 0
    return deviation / scale > threshold


def quantile_linear(x, q):
    r"""Quantile by linear interpolation between order statistics (NumPy's default method).

    With the sorted values :math:`x_{(0)} \le \dots \le x_{(n-1)}`, :math:`h = (n - 1) q`
    and :math:`l = \lfloor h \rfloor`, the quantile is
    :math:`x_{(l)} + (h - l)(x_{(l + 1)} - x_{(l)})`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    q : float or array-like of floats in [0, 1]

    Returns
    -------
    quantile : float or ndarray
    """
    x = np.sort(_check_1d(x))
    q = np.asarray(q, dtype=float)
    if np.any(~np.isfinite(q)) or np.any((q < 0) | (q > 1)):
        raise ValueError(f"Quantiles must be in the range [0, 1], got {q!r}.")
    h = (x.shape[0] - 1) * q
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, x.shape[0] - 1)
    result = x[lo] + (h - lo) * (x[hi] - x[lo])
    return float(result) if result.ndim == 0 else result


def iqr(x):
    """Interquartile range ``Q3 - Q1`` with :func:`quantile_linear` (as ``scipy.stats.iqr``)."""
    q1, q3 = quantile_linear(x, [0.25, 0.75])
    return float(q3 - q1)


def iqr_outliers(x, k=1.5):
    r"""Tukey's fences: flag :math:`x_i < Q_1 - k\,\mathrm{IQR}` or :math:`x_i > Q_3 + k\,\mathrm{IQR}`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    k : float, default=1.5
        1.5 gives Tukey's inner fences (the box-plot whiskers), 3 the outer fences.

    Returns
    -------
    mask : ndarray of bool, shape (n_samples,)
    """
    _check_threshold(k, "k")
    x = _check_1d(x)
    q1, q3 = quantile_linear(x, [0.25, 0.75])
    spread = q3 - q1
    return (x < q1 - k * spread) | (x > q3 + k * spread)


def ransac_trials(inlier_ratio, min_samples, stop_probability=0.99):
    r"""Number of trials :math:`N = \lceil \log(1 - p) / \log(1 - w^s) \rceil`.

    After ``N`` independent draws of ``s = min_samples`` points, the probability that
    at least one draw contains only inliers (inlier fraction ``w``) is at least ``p``.

    Parameters
    ----------
    inlier_ratio : float in [0, 1]
    min_samples : int >= 1
    stop_probability : float in [0, 1)

    Returns
    -------
    n_trials : float
        ``inf`` if ``w^s`` is 0 (no draw can succeed), 0 if ``p`` is 0.
    """
    if not 0 <= inlier_ratio <= 1:
        raise ValueError(f"inlier_ratio must be in [0, 1], got {inlier_ratio!r}.")
    if not 0 <= stop_probability < 1:
        raise ValueError(f"stop_probability must be in [0, 1), got {stop_probability!r}.")
    success = inlier_ratio ** min_samples            # P(one draw is all inliers), with replacement
    if stop_probability == 0:
        return 0.0
    if success == 0:
        return math.inf
    if success >= 1:
        return 1.0
    return float(math.ceil(math.log(1 - stop_probability) / math.log(1 - success)))


class RANSACRegressor:
    r"""RANdom SAmple Consensus: fit a model to the largest consensus set of the data.

    Each trial fits ``estimator`` to ``min_samples`` points drawn without replacement,
    and counts the *inliers*: the points whose absolute residual is at most
    ``residual_threshold``. The trial with most inliers wins (ties: higher R^2 on its
    inliers); after a new best with inlier fraction :math:`w` the number of trials is
    capped at :math:`\lceil \log(1 - p) / \log(1 - w^s) \rceil`. The final model is
    ``estimator`` refitted on the inliers of the best trial.

    Parameters
    ----------
    estimator : object or None, default=None
        Regressor with ``fit``, ``predict`` and ``score``; None uses
        :class:`groundml.linear_model.LinearRegression`. It is copied, never modified.
    min_samples : int, float in (0, 1) or None, default=None
        Points per trial; a float is a fraction of ``n_samples`` (rounded up); None
        uses ``n_features + 1``, the size of a minimal sample for a linear model.
    residual_threshold : float or None, default=None
        None uses the MAD of ``y``, :math:`\operatorname{med}|y - \operatorname{med}(y)|`
        (unscaled), as scikit-learn does.
    max_trials : int, default=100
    stop_probability : float in [0, 1], default=0.99
    random_state : int, numpy.random.Generator or None, default=None

    Attributes
    ----------
    estimator_ : object
        The final model, fitted on the inliers.
    inlier_mask_ : ndarray of bool, shape (n_samples,)
    n_trials_ : int
        Trials run, including those skipped.
    n_features_in_ : int

    Notes
    -----
    The bound on the number of trials is derived in the book page "Anomaly detection".
    """

    def __init__(self, *, estimator=None, min_samples=None, residual_threshold=None, max_trials=100,
                 stop_probability=0.99, random_state=None):
        self.estimator = estimator
        self.min_samples = min_samples
        self.residual_threshold = residual_threshold
        self.max_trials = max_trials
        self.stop_probability = stop_probability
        self.random_state = random_state

    def _new_estimator(self):
        if self.estimator is None:
            return LinearRegression()
        # A fresh, unfitted copy with the same parameters (scikit-learn's clone, without sklearn).
        params = {k: v for k, v in vars(self.estimator).items() if not k.endswith("_")}
        return type(self.estimator)(**params)

    def _resolve_min_samples(self, n_samples, n_features):
        m = self.min_samples
        if m is None:
            if self.estimator is not None and not isinstance(self.estimator, LinearRegression):
                raise ValueError(
                    "min_samples must be set explicitly when estimator is not a LinearRegression."
                )
            m = n_features + 1
        elif isinstance(m, (float, np.floating)) and 0 < m < 1:
            m = math.ceil(m * n_samples)
        elif not (float(m) == int(m) and m >= 1):
            raise ValueError(f"min_samples must be an int >= 1 or a float in (0, 1), got {m!r}.")
        m = int(m)
        if m > n_samples:
            raise ValueError(
                f"min_samples={m} may not be larger than the number of samples n_samples={n_samples}."
            )
        return m

    def fit(self, X, y):
        """Fit the model by random sample consensus.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : RANSACRegressor
        """
        X, y = check_X_y(X, y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1D, got a {y.ndim}D array instead.")
        if not (isinstance(self.max_trials, (int, np.integer)) and self.max_trials >= 1):
            raise ValueError(f"max_trials must be an int >= 1, got {self.max_trials!r}.")
        if not 0 <= self.stop_probability <= 1:
            raise ValueError(f"stop_probability must be in [0, 1], got {self.stop_probability!r}.")
        n_samples, n_features = X.shape
        s = self._resolve_min_samples(n_samples, n_features)
        if self.residual_threshold is None:
            threshold = float(np.median(np.abs(y - np.median(y))))
        else:
            threshold = float(self.residual_threshold)
            if not threshold >= 0:
                raise ValueError(f"residual_threshold must be >= 0, got {self.residual_threshold!r}.")
        rng = np.random.default_rng(self.random_state)

        best_count, best_score, best_mask = 0, -np.inf, None
        limit = self.max_trials
        self.n_trials_ = 0
        while self.n_trials_ < limit:
            self.n_trials_ += 1
            subset = rng.choice(n_samples, size=s, replace=False)       # (s,)
            model = self._new_estimator().fit(X[subset], y[subset])
            inliers = np.abs(y - model.predict(X)) <= threshold       # (n_samples,)
            count = int(inliers.sum())
            if count == 0 or count < best_count:
                continue
            score = model.score(X[inliers], y[inliers])
            if count == best_count and score < best_score:
                continue
            best_count, best_score, best_mask = count, score, inliers
            if self.stop_probability >= 1:
                continue
            limit = min(limit, ransac_trials(count / n_samples, s, self.stop_probability))
        if best_mask is None:
            raise ValueError(
                "RANSAC could not find a valid consensus set: no trial had any inlier within "
                f"residual_threshold={threshold:g} in {self.n_trials_} trials."
            )
        self.estimator_ = self._new_estimator().fit(X[best_mask], y[best_mask])
        self.inlier_mask_ = best_mask
        self.residual_threshold_ = threshold
        self.min_samples_ = s
        self.n_features_in_ = n_features
        return self

    def predict(self, X):
        """Predict with the final model. ``X`` : array-like of shape (n_samples, n_features)."""
        check_is_fitted(self, "estimator_")
        X = check_array(X)
        check_n_features(self, X)
        return self.estimator_.predict(X)

    def score(self, X, y):
        """Coefficient of determination R^2 of the final model on ``(X, y)``."""
        check_is_fitted(self, "estimator_")
        X, y = check_X_y(X, y)
        check_n_features(self, X)
        return self.estimator_.score(X, y)
