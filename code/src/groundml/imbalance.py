"""Class imbalance: resampling, SMOTE, class weights and the focal loss.

Derived in the book page "Class imbalance".
"""

import numpy as np

from ._validation import check_array, check_classification_targets
from .numerics import log_sigmoid, sigmoid


def _check_resample_input(X, y):
    """Validate ``X`` (2D, finite) and class labels ``y``; return X, y, classes, codes, counts."""
    X = check_array(X, name="X")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1D array of class labels, got a {y.ndim}D array instead.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y.shape[0]}."
        )
    classes, codes = check_classification_targets(y)
    return X, y, classes, codes, np.bincount(codes)


def random_oversample(X, y, *, random_state=None):
    """Duplicate random samples of every smaller class until each class has the majority count.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    random_state : int or None, default=None

    Returns
    -------
    X_res : ndarray of shape (n_classes * max_count, n_features)
        The original samples first, then the duplicates.
    y_res : ndarray of shape (n_classes * max_count,)
    """
    X, y, classes, codes, counts = _check_resample_input(X, y)
    rng = np.random.default_rng(random_state)
    extra = [rng.choice(np.flatnonzero(codes == c), size=counts.max() - counts[c], replace=True)
             for c in range(classes.shape[0])]
    index = np.concatenate([np.arange(y.shape[0])] + extra)
    return X[index], y[index]


def random_undersample(X, y, *, random_state=None):
    """Keep a random subset (without replacement) of each class, of the minority count.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    random_state : int or None, default=None

    Returns
    -------
    X_res : ndarray of shape (n_classes * min_count, n_features)
    y_res : ndarray of shape (n_classes * min_count,)
        Kept samples in their original order.
    """
    X, y, classes, codes, counts = _check_resample_input(X, y)
    rng = np.random.default_rng(random_state)
    keep = [rng.choice(np.flatnonzero(codes == c), size=counts.min(), replace=False)
            for c in range(classes.shape[0])]
    index = np.sort(np.concatenate(keep))
    return X[index], y[index]


class SMOTE:
    r"""Synthetic minority over-sampling (Chawla et al., 2002).

    Every class smaller than the largest is brought up to the largest count with
    synthetic points: pick a sample :math:`x_i` of the class at random, one of its
    ``k_neighbors`` nearest neighbours :math:`x_j` within the class at random, and
    :math:`u \sim U[0, 1)`, and add :math:`x_i + u (x_j - x_i)`.

    Parameters
    ----------
    k_neighbors : int, default=5
    random_state : int or None, default=None

    Notes
    -----
    Neighbours use Euclidean distance, computed for all pairs of a class at once
    (memory :math:`O(n_c^2)` for a class of :math:`n_c` samples). A class needs at least
    ``k_neighbors + 1`` samples. Derived in the book page "Class imbalance".
    """

    def __init__(self, *, k_neighbors=5, random_state=None):
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def fit_resample(self, X, y):
        """Return the original samples followed by the synthetic ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_res : ndarray of shape (n_classes * max_count, n_features)
        y_res : ndarray of shape (n_classes * max_count,)
        """
        X, y, classes, codes, counts = _check_resample_input(X, y)
        k = self.k_neighbors
        if int(k) != k or k < 1:
            raise ValueError(f"k_neighbors must be a positive integer, got {k!r}.")
        rng = np.random.default_rng(self.random_state)
        new_X, new_y = [X], [y]
        for c in range(classes.shape[0]):
            n_new = counts.max() - counts[c]
            if n_new == 0:
                continue
            members = X[codes == c]                                             # (n_c, n_features)
            if members.shape[0] < k + 1:
                raise ValueError(
                    f"Class {classes[c]!r} has {members.shape[0]} samples; SMOTE with k_neighbors={k} "
                    f"needs at least {k + 1}."
                )
            sq = (members ** 2).sum(axis=1)
            dist2 = sq[:, None] + sq[None, :] - 2 * members @ members.T         # (n_c, n_c)
            np.fill_diagonal(dist2, np.inf)                                     # not its own neighbour
            neighbours = np.argsort(dist2, axis=1, kind="stable")[:, :k]        # (n_c, k)
            base = rng.integers(members.shape[0], size=n_new)                   # (n_new,)
            partner = neighbours[base, rng.integers(k, size=n_new)]            # (n_new,)
            gap = rng.random(n_new)[:, None]                                    # (n_new, 1)
            new_X.append(members[base] + gap * (members[partner] - members[base]))
            new_y.append(np.full(n_new, classes[c], dtype=y.dtype))
        return np.concatenate(new_X), np.concatenate(new_y)


def compute_class_weight(class_weight, *, classes, y):
    r"""Weight of each class, as scikit-learn's ``compute_class_weight``.

    Parameters
    ----------
    class_weight : "balanced", dict or None
        "balanced": :math:`n_\text{samples} / (n_\text{classes} \cdot n_c)`; a dict maps
        labels to weights (others get 1); None gives every class weight 1.
    classes : array-like of shape (n_classes,)
        The labels, each of which must occur in ``y`` for "balanced".
    y : array-like of shape (n_samples,)

    Returns
    -------
    weights : ndarray of shape (n_classes,)

    Notes
    -----
    With the "balanced" weights every class carries the same total weight,
    :math:`n_c \cdot n / (K n_c) = n / K`. Derived in the book page "Class imbalance".
    """
    classes = np.asarray(classes)
    y = np.asarray(y)
    if set(np.unique(y).tolist()) - set(classes.tolist()):
        raise ValueError("classes should include all valid labels that can be in y")
    if class_weight is None or (isinstance(class_weight, dict) and len(class_weight) == 0):
        return np.ones(classes.shape[0])
    if isinstance(class_weight, str) and class_weight == "balanced":
        counts = np.array([np.sum(y == c) for c in classes])
        if np.any(counts == 0):
            raise ValueError("classes should have valid labels that are in y")
        return y.shape[0] / (classes.shape[0] * counts.astype(float))
    if isinstance(class_weight, dict):
        unknown = [c for c in class_weight if c not in classes.tolist()]
        if unknown:
            raise ValueError(f"The classes, {unknown}, are not in class, {classes.tolist()}")
        return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    raise ValueError(f"class_weight must be dict, 'balanced', or None, got: {class_weight!r}")


def _check_logits_and_labels(logits, y, gamma, alpha):
    z = check_array(logits, name="logits", ensure_2d=False)
    y = check_array(y, name="y", ensure_2d=False)
    if z.shape != y.shape:
        raise ValueError(f"logits and y have different shapes: {z.shape} vs {y.shape}.")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must contain only 0 and 1.")
    if gamma < 0:
        raise ValueError(f"gamma must be non-negative, got {gamma}.")
    if alpha is not None and not 0 <= alpha <= 1:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}.")
    sign = 2 * y - 1                                    # +1 for positives, -1 for negatives
    weight = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    return z, y, sign, weight


def focal_loss(logits, y, *, gamma=2.0, alpha=None, reduction="mean"):
    r"""Binary focal loss (Lin et al., 2017) of logits.

    Parameters
    ----------
    logits : array-like of shape (n_samples,)
        Real scores :math:`z`; the predicted probability is :math:`p = \sigma(z)`.
    y : array-like of shape (n_samples,)
        Labels in {0, 1}.
    gamma : float, default=2.0
        Focusing parameter :math:`\gamma \ge 0`; 0 gives the cross-entropy.
    alpha : float in [0, 1] or None, default=None
        Weight of the positive class (negatives get :math:`1 - \alpha`); None for no weighting.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : float, or ndarray of shape (n_samples,) for ``reduction="none"``

    Notes
    -----
    With :math:`p_t = p` for a positive and :math:`1 - p` for a negative,

    .. math::

        \mathrm{FL} = -\alpha_t (1 - p_t)^\gamma \log p_t ,

    computed as :math:`p_t = \sigma(s z)` and :math:`\log p_t = \log\sigma(s z)` with
    :math:`s = 2y - 1`. Derived in the book page "Class imbalance".
    """
    z, y, sign, weight = _check_logits_and_labels(logits, y, gamma, alpha)
    one_minus_pt = sigmoid(-sign * z)
    loss = -weight * one_minus_pt ** gamma * log_sigmoid(sign * z)
    return _reduce(loss, reduction)


def focal_loss_grad(logits, y, *, gamma=2.0, alpha=None, reduction="mean"):
    r"""Gradient of :func:`focal_loss` with respect to the logits.

    Returns
    -------
    grad : ndarray of shape (n_samples,)

    Notes
    -----
    .. math::

        \frac{\partial\, \mathrm{FL}}{\partial z}
        = \alpha_t\, s \bigl[\gamma\, p_t (1 - p_t)^\gamma \log p_t - (1 - p_t)^{\gamma + 1}\bigr],

    which is :math:`p - y` at :math:`\gamma = 0` without weighting. For
    ``reduction="mean"`` it is divided by :math:`n`. Derived in the book page "Class imbalance".
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}.")
    z, y, sign, weight = _check_logits_and_labels(logits, y, gamma, alpha)
    p_t = sigmoid(sign * z)
    one_minus_pt = sigmoid(-sign * z)
    grad = weight * sign * (gamma * p_t * one_minus_pt ** gamma * log_sigmoid(sign * z)
                            - one_minus_pt ** (gamma + 1))
    return grad / z.size if reduction == "mean" else grad


def _reduce(loss, reduction):
    if reduction == "mean":
        return float(np.mean(loss))
    if reduction == "sum":
        return float(np.sum(loss))
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}.")

