"""Information theory for discrete distributions: entropy, cross-entropy, KL, mutual information.

The book page "Information theory" (``book/mathematics/information-theory.md``)
derives every formula here. Conventions (the limits of the continuous functions):
:math:`0 \\log 0 = 0` and :math:`0 \\log(0 / q) = 0`, while :math:`p \\log(p / 0) = +\\infty`
for :math:`p > 0`, as in ``scipy.stats.entropy``. Logarithms are natural (nats) unless
``base`` is given (``base=2`` gives bits).

Unlike SciPy, which silently normalises its inputs, these functions require
probability vectors: non-negative entries summing to 1 (within 1e-8).
"""

import numpy as np


def _check_distribution(p, name):
    """Return ``p`` as a float array whose last axis is a probability vector, or raise."""
    try:
        p = np.asarray(p, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric.") from None
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one entry along its last axis.")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if np.any(p < 0):
        raise ValueError(f"{name} contains negative entries; probabilities must be >= 0.")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-8):
        raise ValueError(f"{name} must sum to 1 along its last axis; got sums {np.round(sums, 10)}.")
    return p


def _log(x, base):
    """Natural log divided by ln(base), with log(0) = -inf and no warning."""
    if base is not None and not (base > 0 and base != 1):
        raise ValueError(f"base must be positive and different from 1, got {base!r}.")
    with np.errstate(divide="ignore"):
        out = np.log(x)
    return out if base is None else out / np.log(base)


def entropy(p, base=None):
    r"""Shannon entropy :math:`H(p) = -\sum_i p_i \log p_i`, with :math:`0 \log 0 = 0`.

    Derived in the book page "Information theory".

    Parameters
    ----------
    p : array-like of shape (n_symbols,) or (n_distributions, n_symbols)
        Probability vector(s) along the last axis.
    base : float or None, default=None
        Base of the logarithm; None means nats, 2 means bits.

    Returns
    -------
    H : float, or ndarray of shape (n_distributions,)
    """
    p = _check_distribution(p, "p")
    terms = np.where(p > 0, -p * _log(np.where(p > 0, p, 1.0), base), 0.0)
    H = terms.sum(axis=-1)
    return float(H) if H.ndim == 0 else H


def _check_pair(p, q):
    """Two distributions of the same shape, each checked by ``_check_distribution``."""
    p = _check_distribution(p, "p")
    q = _check_distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}.")
    return p, q


def cross_entropy(p, q, base=None):
    r"""Cross-entropy :math:`H(p, q) = -\sum_i p_i \log q_i = H(p) + D_{\mathrm{KL}}(p \,\|\, q)`.

    Infinite if some :math:`q_i = 0` where :math:`p_i > 0`. With ``p`` a one-hot label and
    ``q`` a model's predicted probabilities, it is the negative log-likelihood of the
    label. Derived in the book page "Information theory".

    Parameters
    ----------
    p, q : array-like of shape (n_symbols,) or (n_distributions, n_symbols)
    base : float or None, default=None

    Returns
    -------
    H : float, or ndarray of shape (n_distributions,)
    """
    p, q = _check_pair(p, q)
    terms = np.where(p > 0, -p * _log(q, base), 0.0)   # -p log 0 = +inf where p > 0
    H = terms.sum(axis=-1)
    return float(H) if H.ndim == 0 else H


def kl_divergence(p, q, base=None):
    r"""Kullback–Leibler divergence :math:`D_{\mathrm{KL}}(p \,\|\, q) = \sum_i p_i \log(p_i / q_i)`.

    Terms with :math:`p_i = 0` are 0; a term with :math:`p_i > 0 = q_i` is
    :math:`+\infty`. Always :math:`\ge 0`, with equality iff :math:`p = q` (Gibbs'
    inequality), and not symmetric. Derived in the book page "Information theory".

    Parameters
    ----------
    p, q : array-like of shape (n_symbols,) or (n_distributions, n_symbols)
    base : float or None, default=None

    Returns
    -------
    D : float, or ndarray of shape (n_distributions,)
    """
    p, q = _check_pair(p, q)
    positive = p > 0
    safe_p = np.where(positive, p, 1.0)
    with np.errstate(divide="ignore"):
        ratio = safe_p / q                              # +inf where q = 0 < p
    terms = np.where(positive, p * _log(ratio, base), 0.0)
    D = np.maximum(terms.sum(axis=-1), 0.0)            # clip rounding below zero
    return float(D) if D.ndim == 0 else D


def mutual_information(joint, base=None):
    r"""Mutual information of a joint probability table.

    .. math::

        I(X; Y) = \sum_{x, y} p(x, y) \log \frac{p(x, y)}{p(x) p(y)}
                = D_{\mathrm{KL}}\bigl(p_{XY} \,\|\, p_X \otimes p_Y\bigr)
                = H(X) + H(Y) - H(X, Y).

    Derived in the book page "Information theory".

    Parameters
    ----------
    joint : array-like of shape (n_x, n_y)
        :math:`p(x, y)`: non-negative, summing to 1.
    base : float or None, default=None

    Returns
    -------
    I : float
    """
    shape = np.shape(joint)
    if len(shape) != 2:
        raise ValueError(f"joint must be a 2D table of shape (n_x, n_y), got shape {shape}.")
    joint = _check_distribution(np.ravel(joint), "joint").reshape(shape)
    px, py = joint.sum(axis=1), joint.sum(axis=0)       # marginals, (n_x,), (n_y,)
    product = np.outer(px, py)                          # p(x) p(y), (n_x, n_y)
    positive = joint > 0                                # there p(x) p(y) > 0 as well
    terms = np.where(positive, joint * _log(np.where(positive, joint, 1.0)
                                            / np.where(positive, product, 1.0), base), 0.0)
    return float(max(terms.sum(), 0.0))


def mutual_information_from_labels(x, y, base=None):
    r"""Mutual information of two label sequences, from their empirical joint distribution.

    Builds the contingency table :math:`n_{ab} = \#\{i : x_i = a, y_i = b\}` and returns
    ``mutual_information(n / n.sum())``: the plug-in estimate, which is what
    ``sklearn.metrics.mutual_info_score`` computes (in nats). Derived in the book page
    "Information theory".

    Parameters
    ----------
    x, y : array-like of shape (n_samples,)
        Labels of any hashable, sortable type.
    base : float or None, default=None

    Returns
    -------
    I : float
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise ValueError("x and y must be non-empty 1D arrays of the same length.")
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    counts = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(counts, (xi, yi), 1.0)                    # contingency table
    return mutual_information(counts / len(x), base=base)
