"""Model selection from scratch: data splits, cross-validation and successive halving.

The book pages "Train, validation and test splits, and data leakage",
"Cross-validation" and "Hyperparameter tuning" (``book/machine-learning/``) derive
and demonstrate everything here. Every splitter has ``split(X, y=None)``, which yields
``(train_idx, test_idx)`` pairs of integer index arrays, and ``get_n_splits``, as in
``sklearn.model_selection``; the unshuffled splitters produce exactly scikit-learn's
indices.
"""

import copy
import math
import numbers
import warnings

import numpy as np


def _n_samples(X):
    """Number of samples (rows) of an array-like, which must have at least one dimension."""
    X = np.asarray(X)
    if X.ndim == 0:
        raise ValueError("Expected an array-like with at least one dimension, got a scalar.")
    return X.shape[0]


def _check_n_splits(n_splits):
    if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
        raise ValueError(f"n_splits must be an integer, got {n_splits!r}.")
    if n_splits < 2:
        raise ValueError(
            f"k-fold cross-validation requires at least one train/test split, so n_splits >= 2; "
            f"got n_splits={n_splits}."
        )
    return int(n_splits)


def _check_shuffle(shuffle, random_state):
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}.")
    if not shuffle and random_state is not None:
        raise ValueError("Setting a random_state has no effect since shuffle is False; leave it at None.")


def _folds_to_splits(test_folds, n_splits):
    """Turn a fold number per sample, shape (n_samples,), into (train_idx, test_idx) pairs."""
    indices = np.arange(test_folds.shape[0])
    for fold in range(n_splits):
        in_test = test_folds == fold
        yield indices[~in_test], indices[in_test]


class KFold:
    r"""K-fold cross-validation: cut the samples into ``n_splits`` consecutive folds.

    Fold :math:`j` (counting from 0) is the test set of split :math:`j`; the other
    folds form its training set. With :math:`n` samples and :math:`k` folds, the first
    :math:`n \bmod k` folds hold :math:`\lfloor n/k \rfloor + 1` samples and the rest
    :math:`\lfloor n/k \rfloor`. With ``shuffle=True`` the sample order is permuted
    once, by ``np.random.default_rng(random_state)``, before cutting.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
    random_state : int, Generator or None, default=None
        Seed for the permutation; only allowed with ``shuffle=True``.

    Notes
    -----
    Derived in the book page "Cross-validation".
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        self.n_splits = _check_n_splits(n_splits)
        _check_shuffle(shuffle, random_state)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of (train, test) pairs that ``split`` yields."""
        return self.n_splits

    def _test_folds(self, n_samples):
        """Fold number of every sample, shape (n_samples,)."""
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of samples: n_samples={n_samples}."
            )
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        folds_in_order = np.repeat(np.arange(self.n_splits), sizes)   # (n_samples,)
        if not self.shuffle:
            return folds_in_order
        order = np.random.default_rng(self.random_state).permutation(n_samples)
        test_folds = np.empty(n_samples, dtype=int)
        test_folds[order] = folds_in_order    # the i-th sample of the permuted order gets fold i
        return test_folds

    def split(self, X, y=None, groups=None):
        """Yield ``(train_idx, test_idx)``, sorted integer arrays, one pair per fold."""
        n_samples = _n_samples(X)
        yield from _folds_to_splits(self._test_folds(n_samples), self.n_splits)


class StratifiedKFold(KFold):
    r"""K-fold cross-validation that keeps the class proportions in every fold.

    Allocation (the one scikit-learn documents since version 0.22): sort the labels,
    deal the sorted list round-robin to the folds (position :math:`p` goes to fold
    :math:`p \bmod k`), and count how many samples of each class each fold received.
    Fold :math:`j` then takes that many samples of each class: without shuffling, the
    members of a class, in their original order, fill fold 0 first, then fold 1, and
    so on. So each class is spread over the folds as evenly as possible (counts differ
    by at most one), and the fold sizes differ by at most one. With ``shuffle=True``
    the members of each class are permuted before they are assigned.

    Classes are numbered in order of first appearance in ``y``, as scikit-learn does.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=False
    random_state : int, Generator or None, default=None

    Notes
    -----
    Raises ``ValueError`` if every class has fewer than ``n_splits`` members, and warns
    (``UserWarning``) if only some do; such a class is then absent from some test folds.
    Derived in the book page "Cross-validation".
    """

    def split(self, X, y, groups=None):
        """Yield ``(train_idx, test_idx)`` pairs; ``y`` holds the class labels."""
        n_samples = _n_samples(X)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y must be a 1D array of class labels, got a {y.ndim}D array instead.")
        if y.shape[0] != n_samples:
            raise ValueError(f"X and y have inconsistent numbers of samples: {n_samples} and {y.shape[0]}.")
        if y.dtype.kind == "f" and (not np.all(np.isfinite(y)) or np.any(y != np.round(y))):
            raise ValueError("StratifiedKFold needs class labels; y looks continuous or contains NaN/inf.")
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of samples: n_samples={n_samples}."
            )
        _, first_index, inverse = np.unique(y, return_index=True, return_inverse=True)
        # renumber the classes by order of first appearance
        rank_of_class = np.argsort(np.argsort(first_index))
        y_codes = rank_of_class[inverse.ravel()]                  # (n_samples,)
        n_classes = first_index.shape[0]
        counts = np.bincount(y_codes, minlength=n_classes)         # (n_classes,)
        if np.all(counts < self.n_splits):
            raise ValueError(
                f"n_splits={self.n_splits} cannot be greater than the number of members in each class."
            )
        if counts.min() < self.n_splits:
            warnings.warn(
                f"The least populated class in y has only {counts.min()} members, which is less "
                f"than n_splits={self.n_splits}.",
                UserWarning,
                stacklevel=2,
            )
        # Round-robin dealing of the sorted labels: sorted position p goes to fold p mod k.
        # allocation[j, c] = number of positions of class c (a block of the sorted list) in fold j.
        positions = np.arange(n_samples)
        fold_of_position = positions % self.n_splits
        class_of_position = np.repeat(np.arange(n_classes), counts)
        allocation = np.zeros((self.n_splits, n_classes), dtype=int)
        np.add.at(allocation, (fold_of_position, class_of_position), 1)
        rng = np.random.default_rng(self.random_state) if self.shuffle else None
        test_folds = np.empty(n_samples, dtype=int)
        for c in range(n_classes):
            folds_for_class = np.repeat(np.arange(self.n_splits), allocation[:, c])
            if rng is not None:
                folds_for_class = rng.permutation(folds_for_class)
            test_folds[y_codes == c] = folds_for_class
        yield from _folds_to_splits(test_folds, self.n_splits)


class LeaveOneOut:
    """Leave-one-out: ``n_samples`` splits, each testing on a single sample.

    Equivalent to ``KFold(n_splits=n_samples)``. Derived in the book page "Cross-validation".
    """

    def get_n_splits(self, X, y=None, groups=None):
        """Number of splits: the number of samples."""
        return _n_samples(X)

    def split(self, X, y=None, groups=None):
        """Yield ``(all indices except i, [i])`` for i = 0, ..., n_samples - 1."""
        n_samples = _n_samples(X)
        if n_samples <= 1:
            raise ValueError(f"Cannot perform LeaveOneOut with n_samples={n_samples}.")
        indices = np.arange(n_samples)
        for i in range(n_samples):
            yield np.delete(indices, i), indices[i : i + 1]


class TimeSeriesSplit:
    r"""Forward-chaining splits for time-ordered samples: always train on the past.

    With :math:`n` samples, :math:`k` splits, test size :math:`t` (default
    :math:`\lfloor n / (k+1) \rfloor`) and gap :math:`g`, split :math:`j = 1, \dots, k`
    tests on the :math:`t` samples starting at :math:`s_j = n - (k - j + 1) t` and trains
    on the samples before :math:`s_j - g` (only the last ``max_train_size`` of them, if
    set). The gap keeps samples just before the test block, whose targets may overlap
    the test period, out of training.

    Parameters
    ----------
    n_splits : int, default=5
    max_train_size : int or None, default=None
    test_size : int or None, default=None
    gap : int, default=0

    Notes
    -----
    Derived in the book pages "Train, validation and test splits, and data leakage" and
    "Cross-validation".
    """

    def __init__(self, n_splits=5, *, max_train_size=None, test_size=None, gap=0):
        self.n_splits = _check_n_splits(n_splits)
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = gap

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of (train, test) pairs that ``split`` yields."""
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield ``(train_idx, test_idx)``; every training index precedes every test index."""
        n_samples = _n_samples(X)
        k, gap = self.n_splits, self.gap
        if k + 1 > n_samples:
            raise ValueError(
                f"Cannot have number of folds={k + 1} greater than the number of samples={n_samples}."
            )
        test_size = n_samples // (k + 1) if self.test_size is None else self.test_size
        if test_size < 1 or gap < 0:
            raise ValueError(f"test_size must be >= 1 and gap >= 0; got test_size={test_size}, gap={gap}.")
        if n_samples - gap - test_size * k <= 0:
            raise ValueError(
                f"Too many splits={k} for number of samples={n_samples} with test_size={test_size} "
                f"and gap={gap}."
            )
        indices = np.arange(n_samples)
        for test_start in range(n_samples - k * test_size, n_samples, test_size):
            train_end = test_start - gap
            train_start = 0
            if self.max_train_size is not None and self.max_train_size < train_end:
                train_start = train_end - self.max_train_size
            yield indices[train_start:train_end], indices[test_start : test_start + test_size]


def _resolve_sizes(n_samples, test_size, train_size):
    """Numbers of test and train samples, with scikit-learn's rounding (ceil test, floor train)."""

    def check(size, name):
        if size is None:
            return None
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            if not 0 < size < n_samples:
                raise ValueError(f"{name}={size} should be between 1 and n_samples - 1 = {n_samples - 1}.")
            return size
        if isinstance(size, numbers.Real) and not isinstance(size, bool):
            if not 0.0 < size < 1.0:
                raise ValueError(f"{name}={size} should be a float in the open interval (0, 1).")
            return size
        raise ValueError(f"{name} must be an int, a float or None; got {size!r}.")

    test_size, train_size = check(test_size, "test_size"), check(train_size, "train_size")
    if test_size is None and train_size is None:
        test_size = 0.25
    n_test = None
    if test_size is not None:
        n_test = math.ceil(test_size * n_samples) if isinstance(test_size, float) else test_size
    n_train = None
    if train_size is not None:
        n_train = math.floor(train_size * n_samples) if isinstance(train_size, float) else train_size
    if n_test is None:
        n_test = n_samples - n_train
    if n_train is None:
        n_train = n_samples - n_test
    if n_train + n_test > n_samples:
        raise ValueError(f"train and test sizes ({n_train} + {n_test}) exceed n_samples={n_samples}.")
    if n_train == 0 or n_test == 0:
        raise ValueError(
            f"With n_samples={n_samples}, test_size={test_size} and train_size={train_size}, one of "
            "the sets would be empty; adjust the sizes."
        )
    return n_test, n_train


def _stratified_test_counts(class_counts, n_test):
    """Test samples per class, proportional to ``class_counts`` and summing to ``n_test``.

    Largest-remainder rounding: each class gets the floor of its share, and the samples
    still missing go to the classes with the largest fractional parts (ties to the
    larger class, then the lower class index), so each count is the floor or the ceiling.
    """
    share = class_counts * n_test / class_counts.sum()                # (n_classes,)
    counts = np.floor(share).astype(int)
    missing = n_test - counts.sum()
    order = np.lexsort((np.arange(len(share)), -class_counts, -(share - counts)))
    counts[order[:missing]] += 1
    return counts


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True,
                     stratify=None):
    r"""Split arrays into a random train part and test part, row by row.

    The test set has :math:`\lceil \text{test\_size} \cdot n \rceil` samples for a float
    ``test_size`` (default 0.25), or ``test_size`` samples for an int; the training set
    has the rest (or :math:`\lfloor \text{train\_size} \cdot n \rfloor` if given).

    Parameters
    ----------
    *arrays : array-likes with the same first dimension n_samples
    test_size : float in (0, 1), int in [1, n_samples - 1], or None
    train_size : float, int or None
    random_state : int, Generator or None
        Seed of ``np.random.default_rng`` for the shuffle.
    shuffle : bool, default=True
        If False, the first samples form the training set and the next ones the test set.
    stratify : array-like of shape (n_samples,) or None
        Class labels; each class then appears in the test set in the proportion it has
        in the data, up to rounding (the floor or the ceiling of its share).

    Returns
    -------
    list of length 2 * len(arrays)
        ``[a_train, a_test, b_train, b_test, ...]``.

    Notes
    -----
    Derived in the book page "Train, validation and test splits, and data leakage".
    """
    if len(arrays) == 0:
        raise ValueError("At least one array required as input.")
    n_samples = _n_samples(arrays[0])
    for a in arrays[1:]:
        if _n_samples(a) != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"{[_n_samples(a) for a in arrays]}."
            )
    n_test, n_train = _resolve_sizes(n_samples, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False.")
        train_idx, test_idx = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        rng = np.random.default_rng(random_state)
        if stratify is None:
            order = rng.permutation(n_samples)
            test_idx, train_idx = order[:n_test], order[n_test : n_test + n_train]
        else:
            labels = np.asarray(stratify)
            if labels.shape[0] != n_samples:
                raise ValueError("stratify must have one label per sample.")
            classes, codes = np.unique(labels, return_inverse=True)
            codes = codes.ravel()
            class_counts = np.bincount(codes)
            if class_counts.min() < 2:
                raise ValueError(
                    "The least populated class in y has only 1 member, which is too few. The minimum "
                    "number of groups for any class cannot be less than 2."
                )
            if n_test < len(classes) or n_train < len(classes):
                raise ValueError(
                    f"The test size ({n_test}) and train size ({n_train}) must each be at least the "
                    f"number of classes ({len(classes)})."
                )
            test_counts = _stratified_test_counts(class_counts, n_test)
            train_counts = _stratified_test_counts(class_counts - test_counts, n_train)
            test_parts, train_parts = [], []
            for c in range(len(classes)):
                members = rng.permutation(np.flatnonzero(codes == c))
                test_parts.append(members[: test_counts[c]])
                train_parts.append(members[test_counts[c] : test_counts[c] + train_counts[c]])
            test_idx = rng.permutation(np.concatenate(test_parts))
            train_idx = rng.permutation(np.concatenate(train_parts))
    result = []
    for a in arrays:
        a = np.asarray(a)
        result.extend([a[train_idx], a[test_idx]])
    return result


def clone(estimator):
    """A fresh, unfitted copy of ``estimator`` with the same constructor arguments.

    Uses ``get_params`` when the estimator has it (scikit-learn estimators), deep-copying
    every parameter so that nested estimators (a pipeline's steps) are not shared;
    otherwise a deep copy of the estimator itself.
    """
    if hasattr(estimator, "get_params"):
        return type(estimator)(**copy.deepcopy(estimator.get_params(deep=False)))
    return copy.deepcopy(estimator)


def _is_classifier(estimator):
    """Whether ``estimator`` declares itself a classifier (scikit-learn tags or attribute)."""
    tags = getattr(estimator, "__sklearn_tags__", None)
    if tags is not None:
        try:
            return tags().estimator_type == "classifier"
        except Exception:  # noqa: BLE001 - any failure means "no usable tags"
            pass
    return getattr(estimator, "_estimator_type", None) == "classifier"


def check_cv(cv, y=None, classifier=False):
    """Turn ``cv`` (None, an int or a splitter) into a splitter.

    An int ``k`` gives ``StratifiedKFold(k)`` for a classifier with class labels ``y``
    and ``KFold(k)`` otherwise, as scikit-learn does; None means 5.
    """
    if cv is None:
        cv = 5
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None:
            y_arr = np.asarray(y)
            if y_arr.ndim == 1 and (y_arr.dtype.kind in "iubUSO" or np.all(y_arr == np.round(y_arr))):
                return StratifiedKFold(cv)
        return KFold(cv)
    if isinstance(cv, str) or not hasattr(cv, "split"):
        raise ValueError(f"cv must be None, an int or an object with a split method; got {cv!r}.")
    return cv


def cross_val_score(estimator, X, y, *, cv=None, scoring=None):
    r"""Score of ``estimator`` on each test fold, trained on the rest.

    For each split :math:`(T_j, V_j)`, a fresh copy of the estimator is fitted on
    :math:`T_j` and scored on :math:`V_j`; the cross-validation estimate is the mean

    .. math::

        \widehat{\mathrm{CV}} = \frac{1}{k} \sum_{j=1}^{k} \mathrm{score}(\hat f_{-j}, V_j).

    Parameters
    ----------
    estimator : object with ``fit`` and (if ``scoring`` is None) ``score``
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    cv : int, splitter or None, default=None (5 folds)
    scoring : callable ``scoring(fitted_estimator, X_test, y_test) -> float`` or None
        None uses ``estimator.score``.

    Returns
    -------
    scores : ndarray of shape (n_splits,)

    Notes
    -----
    Derived in the book page "Cross-validation".
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y have inconsistent numbers of samples: {X.shape[0]} and {y.shape[0]}.")
    splitter = check_cv(cv, y, classifier=_is_classifier(estimator))
    scores = []
    for train_idx, test_idx in splitter.split(X, y):
        model = clone(estimator).fit(X[train_idx], y[train_idx])
        if scoring is None:
            scores.append(model.score(X[test_idx], y[test_idx]))
        else:
            scores.append(scoring(model, X[test_idx], y[test_idx]))
    return np.asarray(scores, dtype=float)


def halving_schedule(n_candidates, *, min_resource, max_resource, factor=3):
    r"""Candidates and resources per round of successive halving.

    Round :math:`i = 0, 1, \dots` evaluates :math:`n_i` candidates with resource
    :math:`r_i = \min(r_0 \eta^i, R)`, where :math:`n_0` is the number of candidates,
    :math:`n_{i+1} = \lceil n_i / \eta \rceil` and :math:`\eta` is ``factor``. The number of
    rounds is the smaller of :math:`1 + \lfloor \log_\eta n_0 \rfloor` (enough to get down
    to about :math:`\eta` candidates) and :math:`1 + \lfloor \log_\eta (R / r_0) \rfloor`
    (rounds the resource allows). This is the schedule of scikit-learn's
    ``HalvingGridSearchCV`` without aggressive elimination.

    Returns
    -------
    n_candidates_per_round, resource_per_round : lists of int
    """
    if not isinstance(n_candidates, numbers.Integral) or n_candidates < 1:
        raise ValueError(f"n_candidates must be a positive integer, got {n_candidates!r}.")
    if not (isinstance(factor, numbers.Real) and factor > 1):
        raise ValueError(f"factor must be a number > 1, got {factor!r}.")
    if not (0 < min_resource <= max_resource):
        raise ValueError(
            f"Need 0 < min_resource <= max_resource; got min_resource={min_resource}, "
            f"max_resource={max_resource}."
        )

    def floor_log(x):
        """floor(log_factor(x)) for x >= 1, robust to rounding at exact powers."""
        p = 0
        while factor ** (p + 1) <= x * (1 + 1e-12):
            p += 1
        return p

    n_rounds = min(1 + floor_log(n_candidates), 1 + floor_log(max_resource / min_resource))
    candidates, resources = [], []
    n = n_candidates
    for i in range(n_rounds):
        candidates.append(n)
        resources.append(int(min(min_resource * factor**i, max_resource)))
        n = math.ceil(n / factor)
    return candidates, resources


def successive_halving(candidates, evaluate, *, min_resource, max_resource, factor=3):
    r"""Successive halving: evaluate all candidates cheaply, keep the best :math:`1/\eta`, repeat.

    Parameters
    ----------
    candidates : list of dict
        Hyperparameter settings.
    evaluate : callable ``evaluate(params, resource) -> float``
        Score of one setting trained with the given resource (samples, epochs, trees, ...);
        higher is better.
    min_resource, max_resource : int
        Resource of the first round, and the cap.
    factor : float, default=3
        The :math:`\eta` of :func:`halving_schedule`: each round keeps
        :math:`\lceil n_i / \eta \rceil` candidates and multiplies the resource by :math:`\eta`.

    Returns
    -------
    result : dict
        ``best_params`` (the top candidate of the last round), ``best_score`` (its score
        in the last round), ``n_candidates`` and ``n_resources`` (per round, as in
        :func:`halving_schedule`), ``history`` (a list of ``(round, candidate_index,
        resource, score)`` tuples) and ``total_resource`` (the sum of the resources spent).

    Notes
    -----
    Total cost is about :math:`n_0 r_0` per round instead of :math:`n_0 R` for evaluating
    every candidate with the full resource. Derived in the book page "Hyperparameter tuning".
    """
    candidates = list(candidates)
    n_per_round, r_per_round = halving_schedule(
        len(candidates), min_resource=min_resource, max_resource=max_resource, factor=factor
    )
    alive = np.arange(len(candidates))
    history = []
    for i, (n_i, r_i) in enumerate(zip(n_per_round, r_per_round, strict=True)):
        assert alive.shape[0] == n_i
        scores = np.array([float(evaluate(candidates[c], r_i)) for c in alive])
        history.extend((i, int(c), r_i, s) for c, s in zip(alive, scores, strict=True))
        ranking = alive[np.argsort(-scores, kind="stable")]     # best first, ties by position
        last_scores = dict(zip(alive.tolist(), scores.tolist(), strict=True))
        if i + 1 < len(n_per_round):
            alive = np.sort(ranking[: n_per_round[i + 1]])
    best = int(ranking[0])
    return {
        "best_params": candidates[best],
        "best_index": best,
        "best_score": last_scores[best],
        "n_candidates": n_per_round,
        "n_resources": r_per_round,
        "history": history,
        "total_resource": int(sum(n * r for n, r in zip(n_per_round, r_per_round, strict=True))),
    }
