"""Input checks shared by every estimator in the package.

They follow scikit-learn's behaviour closely enough that a from-scratch estimator
and its scikit-learn counterpart reject the same bad inputs, each with a message
that names the problem.
"""

import numpy as np


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (as scikit-learn does)."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching its tolerance."""


def check_array(X, *, name="X", ensure_2d=True):
    """Return ``X`` as a finite float array, or raise a ``ValueError`` saying why not.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    name : str
        Name used in error messages.
    ensure_2d : bool
        If True, ``X`` must have exactly two dimensions; otherwise one or two.
    """
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    if ensure_2d and X.ndim != 2:
        hint = " Reshape it with X.reshape(-1, 1) for a single feature." if X.ndim == 1 else ""
        raise ValueError(f"Expected a 2D array for {name}, got a {X.ndim}D array instead.{hint}")
    if not ensure_2d and X.ndim not in (1, 2):
        raise ValueError(f"Expected a 1D or 2D array for {name}, got a {X.ndim}D array instead.")
    if X.shape[0] == 0:
        raise ValueError(f"{name} has 0 samples; at least 1 is required.")
    if X.ndim == 2 and X.shape[1] == 0:
        raise ValueError(f"{name} has 0 features; at least 1 is required.")
    if not np.all(np.isfinite(X)):
        kind = "NaN" if np.isnan(X).any() else "infinity"
        raise ValueError(f"{name} contains {kind}; remove or impute such values first.")
    return X


def check_1d_sample(x, name="x", min_size=1):
    """Return ``x`` as a finite 1-D float array with at least ``min_size`` entries."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    if x.ndim != 1:
        raise ValueError(f"Expected a 1D array for {name}, got a {x.ndim}D array instead.")
    if x.size < min_size:
        raise ValueError(f"{name} has {x.size} observations; at least {min_size} required.")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return x


def check_X_y(X, y):
    """Validate a design matrix and its targets together.

    Returns ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)
    or (n_samples, n_targets), both as finite float arrays.
    """
    X = check_array(X, name="X")
    y = check_array(y, name="y", ensure_2d=False)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y.shape[0]}."
        )
    return X, y


def check_is_fitted(estimator, attribute):
    """Raise ``NotFittedError`` unless ``estimator`` has the learned ``attribute``."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. "
            "Call 'fit' with appropriate arguments before using this estimator."
        )


def check_n_features(estimator, X):
    """Raise a ``ValueError`` if ``X`` has a different number of features than ``fit`` saw."""
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} "
            f"was fitted with {estimator.n_features_in_} features."
        )


def check_classification_targets(y):
    """Return ``(classes, y_encoded)`` for class labels ``y``, or raise a ``ValueError``.

    ``classes`` holds the sorted distinct labels (as scikit-learn's ``classes_``) and
    ``y_encoded`` of shape (n_samples,) maps each label to its index in ``classes``.
    Labels may be integers or strings; continuous targets and a single class are
    rejected, since no classifier can be trained on them.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be a 1D array of class labels, got a {y.ndim}D array instead.")
    if y.shape[0] == 0:
        raise ValueError("y has 0 samples; at least 1 is required.")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity; class labels must be finite.")
        if np.any(y != np.round(y)):
            raise ValueError("Unknown label type: y looks continuous; a classifier needs class labels.")
    elif y.dtype.kind not in "iubUSO":
        raise ValueError(f"Unknown label type: y has dtype {y.dtype}.")
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            "This solver needs samples of at least 2 classes in the data, but the data "
            f"contains only one class: {classes[0]!r}."
        )
    return classes, y_encoded
