"""Feature importance and selection from scratch: permutation importance, exact Shapley values, RFE.

The book page ``book/machine-learning/feature-selection.md`` derives the formulas used
here: the Shapley weights and axioms, the closed form of Shapley values for a linear
model, and why impurity importance favours high-cardinality features.
"""

from itertools import permutations
from math import factorial

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features, check_X_y

__all__ = ["Bunch", "permutation_importance", "shapley_values", "shapley_values_by_permutations", "RFE"]


class Bunch(dict):
    """A dict whose keys are also attributes, like scikit-learn's ``Bunch``."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def permutation_importance(estimator, X, y, *, scoring=None, n_repeats=5, random_state=None):
    r"""Drop in score when one feature's column is shuffled, for a fitted model.

    .. math:: I_{j,r} = s(f, X, y) - s(f, X^{(\pi_{j,r})}, y),

    where :math:`X^{(\pi)}` is ``X`` with column :math:`j` permuted by :math:`\pi`. The
    permutations are drawn from ``np.random.default_rng(random_state)`` in the order
    feature 0 repeats 0..n_repeats-1, feature 1, ..., each as ``rng.permutation(n_samples)``.

    Parameters
    ----------
    estimator : fitted object with ``predict`` (and ``score`` if ``scoring`` is None)
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    scoring : callable or None, default=None
        ``scoring(estimator, X, y) -> float``, higher is better; None uses ``estimator.score``.
    n_repeats : int, default=5
    random_state : int, Generator or None, default=None

    Returns
    -------
    Bunch with ``importances`` of shape (n_features, n_repeats), ``importances_mean``
    and ``importances_std`` (ddof 0) of shape (n_features,).
    """
    X, y = check_X_y(X, y)
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, (int, np.integer)) or n_repeats < 1:
        raise ValueError(f"n_repeats must be a positive int, got {n_repeats!r}.")
    if scoring is None:
        def scoring(est, X_, y_):
            return est.score(X_, y_)
    elif not callable(scoring):
        raise ValueError("scoring must be None or a callable scoring(estimator, X, y).")
    rng = np.random.default_rng(random_state)
    n_samples, n_features = X.shape
    baseline = scoring(estimator, X, y)
    importances = np.empty((n_features, n_repeats))
    X_perm = X.copy()
    for j in range(n_features):
        for r in range(n_repeats):
            X_perm[:, j] = X[rng.permutation(n_samples), j]   # shuffle one column only
            importances[j, r] = baseline - scoring(estimator, X_perm, y)
        X_perm[:, j] = X[:, j]                                 # restore it
    return Bunch(importances=importances, importances_mean=importances.mean(axis=1),
                 importances_std=importances.std(axis=1))


def _coalition_values(predict, x, background):
    """v(S) = mean over background rows b of predict(x_S, b_rest), for every subset S.

    Subsets are bit masks: bit j of the integer s is 1 when feature j is in S.
    Returns an array of shape (2**n_features,).
    """
    n_features = x.shape[0]
    masks = ((np.arange(2 ** n_features)[:, None] >> np.arange(n_features)) & 1).astype(bool)  # (2^d, d)
    n_bg = background.shape[0]
    # one big batch: for each subset, the background with the subset's columns set to x
    batch = np.where(masks[:, None, :], x, background[None, :, :])           # (2^d, n_bg, d)
    preds = np.asarray(predict(batch.reshape(-1, n_features)), dtype=float)
    return preds.reshape(2 ** n_features, n_bg).mean(axis=1)


def shapley_values(predict, X, background, *, max_features=14):
    r"""Exact (interventional) Shapley values by enumerating all coalitions.

    The game for an input :math:`x` has value
    :math:`v(S) = \frac{1}{m} \sum_{k=1}^m f(x_S, b^{(k)}_{\bar S})`, the mean prediction
    when the features in :math:`S` are set to :math:`x` and the others come from the
    background rows :math:`b^{(k)}`. Feature :math:`j` gets

    .. math:: \phi_j = \sum_{S \subseteq N \setminus \{j\}}
              \frac{|S|!\,(d - |S| - 1)!}{d!} \bigl(v(S \cup \{j\}) - v(S)\bigr),

    so that :math:`\sum_j \phi_j = f(x) - \frac1m \sum_k f(b^{(k)})` (efficiency). For a
    linear model :math:`\phi_j = w_j (x_j - \bar b_j)`. Cost: :math:`2^d m` predictions
    per input.

    Parameters
    ----------
    predict : callable
        Maps an array of shape (n, n_features) to predictions of shape (n,).
    X : array-like of shape (n_features,) or (n_samples, n_features)
    background : array-like of shape (n_background, n_features)
    max_features : int, default=14
        Refuse larger inputs (the cost doubles with every feature).

    Returns
    -------
    ndarray of shape (n_features,) or (n_samples, n_features)
    """
    X = check_array(X, ensure_2d=False)
    background = check_array(background, name="background")
    single = X.ndim == 1
    X2 = X[None, :] if single else X
    n_features = X2.shape[1]
    if background.shape[1] != n_features:
        raise ValueError(f"X has {n_features} features but background has {background.shape[1]}.")
    if n_features > max_features:
        raise ValueError(f"Exact enumeration needs 2^{n_features} coalitions; "
                         f"raise max_features (now {max_features}) if you mean it.")
    d = n_features
    weights = np.array([factorial(s) * factorial(d - s - 1) / factorial(d) for s in range(d)])
    subsets = np.arange(2 ** d)
    sizes = np.array([bin(s).count("1") for s in subsets])
    phi = np.zeros_like(X2)
    for i, x in enumerate(X2):
        v = _coalition_values(predict, x, background)     # (2^d,)
        for j in range(d):
            without = subsets[(subsets >> j) & 1 == 0]    # coalitions not containing j
            gains = v[without | (1 << j)] - v[without]
            phi[i, j] = np.sum(weights[sizes[without]] * gains)
    return phi[0] if single else phi


def shapley_values_by_permutations(predict, x, background):
    """Shapley values of one input as the average marginal contribution over all d! orderings.

    The textbook definition, for checking :func:`shapley_values`; only for tiny ``d``.
    """

    x = check_array(x, ensure_2d=False)
    background = check_array(background, name="background")
    d = x.shape[0]
    v = _coalition_values(predict, x, background)
    phi = np.zeros(d)
    orders = list(permutations(range(d)))
    for order in orders:
        mask = 0
        for j in order:                                   # add features one at a time
            phi[j] += v[mask | (1 << j)] - v[mask]
            mask |= 1 << j
    return phi / len(orders)


def _importances_of(estimator):
    if hasattr(estimator, "coef_"):
        coef = np.asarray(estimator.coef_, dtype=float)
        return (coef ** 2).sum(axis=0) if coef.ndim == 2 else coef ** 2
    if hasattr(estimator, "feature_importances_"):
        return np.asarray(estimator.feature_importances_, dtype=float)
    raise ValueError("The estimator has neither coef_ nor feature_importances_.")


class RFE:
    """Recursive feature elimination: refit, drop the least important features, repeat.

    Importance is ``coef_ ** 2`` (summed over rows for a 2D ``coef_``) or
    ``feature_importances_``. Each round removes ``min(step, n_left - n_features_to_select)``
    features with the smallest importance.

    Parameters
    ----------
    estimator : unfitted estimator with ``fit`` and ``coef_`` or ``feature_importances_``
        It is cloned by constructing ``type(estimator)(**estimator.get_params())`` when it has
        ``get_params``, otherwise by ``copy.deepcopy``.
    n_features_to_select : int or None, default=None
        None keeps half of the features (rounded down).
    step : int >= 1 or float in (0, 1), default=1
        Features removed per round (a float is a fraction of all features).

    Attributes
    ----------
    support_ : ndarray of bool, shape (n_features,)
    ranking_ : ndarray of int, shape (n_features,)
        1 for selected features; a feature removed in the last round gets 2, and so on.
    estimator_ : the estimator refitted on the selected features
    n_features_ : int
    n_features_in_ : int
    """

    def __init__(self, estimator, *, n_features_to_select=None, step=1):
        self.estimator = estimator
        self.n_features_to_select = n_features_to_select
        self.step = step

    def _clone(self):
        import copy

        if hasattr(self.estimator, "get_params"):
            return type(self.estimator)(**self.estimator.get_params())
        return copy.deepcopy(self.estimator)

    def fit(self, X, y):
        """Eliminate features of ``X`` (n_samples, n_features) until ``n_features_to_select`` remain."""
        X = check_array(X)
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"X and y have inconsistent numbers of samples: {X.shape[0]} and {y.shape[0]}.")
        n_features = X.shape[1]
        k = n_features // 2 if self.n_features_to_select is None else int(self.n_features_to_select)
        if not 1 <= k <= n_features:
            raise ValueError(f"n_features_to_select must be in [1, {n_features}], got {k}.")
        if 0 < self.step < 1:
            step = int(max(1, self.step * n_features))
        elif self.step >= 1:
            step = int(self.step)
        else:
            raise ValueError(f"step must be > 0, got {self.step!r}.")
        support = np.ones(n_features, dtype=bool)
        ranking = np.ones(n_features, dtype=int)
        while support.sum() > k:
            features = np.flatnonzero(support)
            est = self._clone().fit(X[:, features], y)
            order = np.argsort(_importances_of(est))       # least important first
            n_drop = min(step, support.sum() - k)
            support[features[order[:n_drop]]] = False
            ranking[~support] += 1                          # everything already out moves down
        self.estimator_ = self._clone().fit(X[:, support], y)
        self.support_ = support
        self.ranking_ = ranking
        self.n_features_ = int(support.sum())
        self.n_features_in_ = n_features
        return self

    def transform(self, X):
        """Keep the selected columns of ``X`` (n_samples, n_features)."""
        check_is_fitted(self, "support_")
        X = check_array(X)
        check_n_features(self, X)
        return X[:, self.support_]

    def predict(self, X):
        return self.estimator_.predict(self.transform(X))
