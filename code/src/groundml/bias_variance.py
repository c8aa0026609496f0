"""The bias-variance decomposition by simulation, learning curves and validation curves.

The book page "The bias-variance trade-off" (``book/machine-learning/bias-variance.md``)
derives the decomposition and uses every function here. ``learning_curve`` and
``validation_curve`` follow ``sklearn.model_selection`` (without shuffling or parallel
jobs) and give the same numbers for the same splits and a deterministic estimator.
"""

import numbers
import warnings
from typing import NamedTuple

import numpy as np

from groundml._validation import check_array
from groundml.model_selection import _is_classifier, check_cv, clone


class BiasVarianceResult(NamedTuple):
    """Output of :func:`bias_variance_decomposition`.

    The scalar fields are averages over the test points; the ``*_per_point`` fields
    have shape (n_test,), and ``predictions`` has shape (n_sets, n_test).
    """

    expected_error: float
    bias_squared: float
    variance: float
    noise: float
    bias_squared_per_point: np.ndarray
    variance_per_point: np.ndarray
    expected_error_per_point: np.ndarray
    mean_prediction: np.ndarray
    predictions: np.ndarray


def _check_positive_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _evaluate_f(f, X, name="f"):
    values = np.asarray(f(X), dtype=float)
    if values.shape != (X.shape[0],):
        raise ValueError(f"{name}(X) must return an array of shape ({X.shape[0]},), got {values.shape}.")
    return values


def bias_variance_decomposition(make_estimator, f, sample_x, *, noise_std, x_test, n_train=None,
                                n_sets=200, random_state=None):
    r"""Estimate expected squared error, bias squared, variance and noise by simulation.

    Data follow :math:`y = f(x) + \varepsilon` with :math:`\varepsilon \sim
    \mathcal{N}(0, \sigma^2)` independent of :math:`x`. For each of ``n_sets``
    independent training sets :math:`D_s` a fresh estimator is fitted, giving
    predictions :math:`\hat f_s(x_0)` at every test point. With the mean prediction
    :math:`\bar f(x_0) = \frac{1}{S} \sum_s \hat f_s(x_0)`,

    .. math::

        \mathrm{bias}^2(x_0) = (\bar f(x_0) - f(x_0))^2, \qquad
        \mathrm{var}(x_0) = \frac{1}{S} \sum_s (\hat f_s(x_0) - \bar f(x_0))^2 ,

    and the noise is :math:`\sigma^2`. The expected error is measured independently of
    these three terms: a fresh test target :math:`y_{0,s} = f(x_0) + \varepsilon_{0,s}`
    is drawn for every training set, and
    :math:`\mathrm{err}(x_0) = \frac{1}{S} \sum_s (y_{0,s} - \hat f_s(x_0))^2`.
    Its expectation is :math:`\sigma^2 + \mathrm{bias}^2 + \mathrm{var}`, so the
    identity holds up to Monte-Carlo error.

    Parameters
    ----------
    make_estimator : callable
        ``make_estimator()`` returns a new unfitted estimator with ``fit(X, y)`` and
        ``predict(X)``.
    f : callable
        The true regression function: ``f(X)`` maps an array of shape
        (n_samples, n_features) to one of shape (n_samples,).
    sample_x : callable or array-like of shape (n_train, n_features)
        A callable ``sample_x(n, rng)`` draws the inputs of each training set (random
        design); an array is used as the inputs of every training set (fixed design),
        so that only the noise changes between sets.
    noise_std : float
        Standard deviation :math:`\sigma \ge 0` of the Gaussian noise.
    x_test : array-like of shape (n_test, n_features)
        Points at which the terms are estimated.
    n_train : int or None
        Training-set size; required for a callable ``sample_x``, and must equal
        ``len(sample_x)`` (or be None) for a fixed design.
    n_sets : int, default=200
        Number of simulated training sets, at least 2.
    random_state : int, Generator or None

    Returns
    -------
    result : BiasVarianceResult
        Averages over the test points (``expected_error``, ``bias_squared``,
        ``variance``, ``noise``), the same terms per point, the mean prediction of
        shape (n_test,) and all predictions of shape (n_sets, n_test).

    Notes
    -----
    :math:`\mathbb{E}[(y_0 - \hat f(x_0))^2] = \sigma^2 + (\mathbb{E}\hat f(x_0) -
    f(x_0))^2 + \operatorname{Var} \hat f(x_0)`. Derived in the book page "The
    bias-variance trade-off".
    """
    if not callable(make_estimator):
        raise ValueError("make_estimator must be a callable that returns a new estimator.")
    if not callable(f):
        raise ValueError("f must be a callable mapping X of shape (n, d) to an array of shape (n,).")
    n_sets = _check_positive_int(n_sets, "n_sets", 2)
    if not isinstance(noise_std, numbers.Real) or not np.isfinite(noise_std) or noise_std < 0:
        raise ValueError(f"noise_std must be a finite number >= 0, got {noise_std!r}.")
    x_test = check_array(x_test, name="x_test")
    rng = np.random.default_rng(random_state)

    if callable(sample_x):
        if n_train is None:
            raise ValueError("n_train is required when sample_x is a callable (random design).")
        n_train = _check_positive_int(n_train, "n_train", 1)
        fixed_X = None
    else:
        fixed_X = check_array(sample_x, name="sample_x")
        if n_train is not None and n_train != fixed_X.shape[0]:
            raise ValueError(
                f"n_train={n_train} does not match the {fixed_X.shape[0]} rows of the fixed design sample_x."
            )
        n_train = fixed_X.shape[0]
        if fixed_X.shape[1] != x_test.shape[1]:
            raise ValueError(
                f"sample_x has {fixed_X.shape[1]} features but x_test has {x_test.shape[1]}."
            )
        f_fixed = _evaluate_f(f, fixed_X)

    f_test = _evaluate_f(f, x_test)                                   # (n_test,)
    predictions = np.empty((n_sets, x_test.shape[0]))                 # (n_sets, n_test)
    for s in range(n_sets):
        if fixed_X is None:
            X = check_array(sample_x(n_train, rng), name="sample_x(n, rng)")
            if X.shape != (n_train, x_test.shape[1]):
                raise ValueError(
                    f"sample_x(n, rng) must return shape ({n_train}, {x_test.shape[1]}), got {X.shape}."
                )
            f_train = _evaluate_f(f, X)
        else:
            X, f_train = fixed_X, f_fixed
        y = f_train + noise_std * rng.standard_normal(n_train)       # (n_train,)
        model = make_estimator().fit(X, y)
        predictions[s] = np.asarray(model.predict(x_test), dtype=float).reshape(-1)

    # fresh test targets, one per training set and test point
    y_test = f_test + noise_std * rng.standard_normal(predictions.shape)   # (n_sets, n_test)
    mean_prediction = predictions.mean(axis=0)                        # (n_test,)
    bias2 = (mean_prediction - f_test) ** 2
    variance = ((predictions - mean_prediction) ** 2).mean(axis=0)    # ddof = 0
    error = ((y_test - predictions) ** 2).mean(axis=0)
    return BiasVarianceResult(
        expected_error=float(error.mean()),
        bias_squared=float(bias2.mean()),
        variance=float(variance.mean()),
        noise=float(noise_std) ** 2,
        bias_squared_per_point=bias2,
        variance_per_point=variance,
        expected_error_per_point=error,
        mean_prediction=mean_prediction,
        predictions=predictions,
    )


def _check_X_y_lengths(X, y):
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with at least one dimension.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y.shape[0]}."
        )
    return X, y


def _score(model, X, y, scoring):
    return float(model.score(X, y) if scoring is None else scoring(model, X, y))


def _translate_train_sizes(train_sizes, n_max):
    """Fractions in (0, 1] (floats) or counts in [1, n_max] (integers) -> sorted unique counts."""
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError("train_sizes must be a non-empty 1D array of fractions or counts.")
    if np.issubdtype(sizes.dtype, np.floating):
        if sizes.min() <= 0.0 or sizes.max() > 1.0:
            raise ValueError(
                f"train_sizes given as floats are fractions of the largest training set and must lie in "
                f"(0, 1]; got values in [{sizes.min()}, {sizes.max()}]."
            )
        counts = np.clip((sizes * n_max).astype(int), 1, n_max)   # floor, as scikit-learn does
    elif np.issubdtype(sizes.dtype, np.integer):
        if sizes.min() <= 0 or sizes.max() > n_max:
            raise ValueError(
                f"train_sizes given as integers are numbers of training samples and must lie in "
                f"[1, {n_max}]; got values in [{sizes.min()}, {sizes.max()}]."
            )
        counts = sizes.astype(int)
    else:
        raise ValueError(f"train_sizes must be floats (fractions) or integers (counts), got {sizes.dtype}.")
    unique = np.unique(counts)
    if unique.size < sizes.size:
        warnings.warn(
            f"Removed duplicate entries from train_sizes: {unique.size} distinct sizes "
            f"instead of {sizes.size}.",
            RuntimeWarning,
            stacklevel=3,
        )
    return unique


def learning_curve(estimator, X, y, *, train_sizes=(0.1, 0.325, 0.55, 0.775, 1.0), cv=None, scoring=None):
    r"""Training and validation scores as the training set grows.

    For every split :math:`(T, V)` of ``cv`` and every size :math:`m`, a fresh copy of
    ``estimator`` is fitted on the first :math:`m` indices of :math:`T` and scored on
    those :math:`m` samples (training score) and on :math:`V` (validation score).

    Parameters
    ----------
    estimator : object with ``fit`` and (if ``scoring`` is None) ``score``
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    train_sizes : array-like of shape (n_ticks,)
        Floats are fractions in (0, 1] of the size of the first training set (rounded
        down, at least 1); integers are sample counts in [1, size of the first
        training set]. Duplicates are removed.
    cv : int, splitter, list of (train_idx, test_idx) pairs or None (5 folds)
    scoring : callable ``scoring(fitted_estimator, X, y) -> float`` or None
        None uses ``estimator.score``.

    Returns
    -------
    train_sizes_abs : ndarray of shape (n_unique_ticks,)
    train_scores : ndarray of shape (n_unique_ticks, n_splits)
    test_scores : ndarray of shape (n_unique_ticks, n_splits)

    Notes
    -----
    No shuffling of the training indices (scikit-learn's ``shuffle=False``). How to
    read the curves is explained in the book page "The bias-variance trade-off".
    """
    X, y = _check_X_y_lengths(X, y)
    splits = _materialise_splits(estimator, X, y, cv)
    sizes = _translate_train_sizes(train_sizes, len(splits[0][0]))
    train_scores = np.empty((len(sizes), len(splits)))
    test_scores = np.empty((len(sizes), len(splits)))
    for j, (train_idx, test_idx) in enumerate(splits):
        for i, m in enumerate(sizes):
            subset = train_idx[:m]
            model = clone(estimator).fit(X[subset], y[subset])
            train_scores[i, j] = _score(model, X[subset], y[subset], scoring)
            test_scores[i, j] = _score(model, X[test_idx], y[test_idx], scoring)
    return sizes, train_scores, test_scores


def _materialise_splits(estimator, X, y, cv):
    if isinstance(cv, (list, tuple)):
        splits = list(cv)
    else:
        splits = list(check_cv(cv, y, classifier=_is_classifier(estimator)).split(X, y))
    if not splits:
        raise ValueError("cv produced no splits.")
    return [(np.asarray(tr, dtype=int), np.asarray(te, dtype=int)) for tr, te in splits]


def _set_param(model, name, value):
    if hasattr(model, "set_params"):
        return model.set_params(**{name: value})
    if not hasattr(model, name):
        raise ValueError(f"{type(model).__name__} has no parameter {name!r}.")
    setattr(model, name, value)
    return model


def validation_curve(estimator, X, y, *, param_name, param_range, cv=None, scoring=None):
    r"""Training and validation scores as one hyperparameter varies.

    For every value :math:`v` in ``param_range`` and every split :math:`(T, V)`, a fresh
    copy of ``estimator`` with ``param_name = v`` is fitted on :math:`T` and scored on
    :math:`T` and :math:`V`.

    Parameters
    ----------
    estimator : object with ``fit`` and (if ``scoring`` is None) ``score``
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    param_name : str
    param_range : array-like of shape (n_values,)
    cv : int, splitter, list of (train_idx, test_idx) pairs or None (5 folds)
    scoring : callable ``scoring(fitted_estimator, X, y) -> float`` or None

    Returns
    -------
    train_scores : ndarray of shape (n_values, n_splits)
    test_scores : ndarray of shape (n_values, n_splits)

    Notes
    -----
    Used in the book page "The bias-variance trade-off" to draw the U-shaped
    validation error against model complexity.
    """
    X, y = _check_X_y_lengths(X, y)
    splits = _materialise_splits(estimator, X, y, cv)
    values = list(param_range)
    if not values:
        raise ValueError("param_range must contain at least one value.")
    train_scores = np.empty((len(values), len(splits)))
    test_scores = np.empty((len(values), len(splits)))
    for i, value in enumerate(values):
        for j, (train_idx, test_idx) in enumerate(splits):
            model = _set_param(clone(estimator), param_name, value).fit(X[train_idx], y[train_idx])
            train_scores[i, j] = _score(model, X[train_idx], y[train_idx], scoring)
            test_scores[i, j] = _score(model, X[test_idx], y[test_idx], scoring)
    return train_scores, test_scores
