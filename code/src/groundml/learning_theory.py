"""Empirical risk minimisation over a finite class, and its uniform-convergence bound.

Derived in the book page "Learning paradigms, empirical risk minimisation and
generalisation"; tested against plain loops over the class and against a simulation of
the bound in ``code/tests/test_learning_theory.py``.
"""

import math

import numpy as np

from ._validation import check_1d_sample

__all__ = ["erm_thresholds", "finite_class_bound", "threshold_empirical_risks"]


def threshold_empirical_risks(x, y, thresholds):
    r"""Training 0-1 risk of every threshold classifier :math:`h_t(x) = \mathbb{1}[x > t]`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Scalar inputs.
    y : array-like of shape (n_samples,)
        Labels in {0, 1}.
    thresholds : array-like of shape (n_thresholds,)

    Returns
    -------
    risks : ndarray of shape (n_thresholds,)
        :math:`\hat R_S(h_t) = \frac1n \sum_i [\mathbb{1}[x_i > t] \ne y_i]` for each ``t``.
    """
    x = check_1d_sample(x, name="x")
    thresholds = check_1d_sample(thresholds, name="thresholds")
    y = np.asarray(y)
    if y.shape != x.shape:
        raise ValueError(f"x and y have inconsistent shapes: {x.shape} and {y.shape}.")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only the labels 0 and 1.")
    predictions = x[None, :] > thresholds[:, None]                 # (n_thresholds, n_samples)
    return np.mean(predictions != y[None, :].astype(bool), axis=1)


def erm_thresholds(x, y, thresholds):
    r"""Empirical risk minimisation over the threshold classifiers :math:`\mathbb{1}[x > t]`.

    Returns the threshold with the smallest training 0-1 risk (the first one listed when
    several tie) and that risk: :math:`\hat h_S = \arg\min_t \hat R_S(h_t)`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    y : array-like of shape (n_samples,)
        Labels in {0, 1}.
    thresholds : array-like of shape (n_thresholds,)
        The finite hypothesis class, one classifier per threshold.

    Returns
    -------
    threshold : float
    risk : float
    """
    thresholds = check_1d_sample(thresholds, name="thresholds")
    risks = threshold_empirical_risks(x, y, thresholds)
    best = int(np.argmin(risks))                                   # argmin keeps the first minimiser
    return float(thresholds[best]), float(risks[best])


def finite_class_bound(n_samples, n_hypotheses, delta):
    r"""The uniform deviation :math:`\varepsilon_n` for a finite class and a loss in [0, 1].

    With probability at least :math:`1 - \delta`, every :math:`h` in a class of
    :math:`|\mathcal H|` hypotheses has :math:`|R(h) - \hat R_S(h)| \le \varepsilon_n`,

    .. math:: \varepsilon_n = \sqrt{\frac{\log(2 |\mathcal H| / \delta)}{2 n}},

    by Hoeffding's inequality and the union bound; ERM's excess risk is then at most
    :math:`2 \varepsilon_n`.
    """
    if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if not (isinstance(n_hypotheses, (int, np.integer)) and n_hypotheses >= 1):
        raise ValueError(f"n_hypotheses must be a positive integer, got {n_hypotheses!r}.")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta!r}.")
    return math.sqrt(math.log(2 * n_hypotheses / delta) / (2 * n_samples))
