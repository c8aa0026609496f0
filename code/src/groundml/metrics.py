"""Evaluation metrics from scratch: classification, regression and ranking.

Three book pages derive what is computed here: "Classification metrics" (confusion
matrix, precision, recall, F-scores, ROC and precision-recall curves, AUC, log-loss),
"Regression metrics" (MSE, MAE, MAPE, pinball and Huber losses, R^2) and "Ranking
metrics" (precision@k, recall@k, MRR, MAP, DCG and nDCG). Names, arguments and edge
cases follow ``sklearn.metrics`` wherever scikit-learn has the same metric.
"""

import warnings

import numpy as np

from .linear_model import r2_score as _r2_score_unchecked

__all__ = [
    "UndefinedMetricWarning",
    "confusion_matrix", "accuracy_score", "precision_recall_fscore_support", "precision_score",
    "recall_score", "f1_score", "fbeta_score", "roc_curve", "roc_auc_score",
    "precision_recall_curve", "average_precision_score", "log_loss",
    "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
    "mean_absolute_percentage_error", "mean_pinball_loss", "huber_loss", "huber_loss_gradient",
    "r2_score", "precision_at_k", "recall_at_k", "mean_reciprocal_rank", "mean_average_precision",
    "dcg_score", "ndcg_score",
]

AVERAGES = (None, "binary", "micro", "macro", "weighted")


class UndefinedMetricWarning(UserWarning):
    """A ratio had a zero denominator and was replaced by ``zero_division``."""


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------

def _check_labels_1d(y, name):
    """Class labels as a 1-D array (a column vector is flattened); NaN is rejected."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1D array of labels, got shape {y.shape}.")
    if y.shape[0] == 0:
        raise ValueError(f"{name} has 0 samples; at least 1 is required.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if y.dtype.kind not in "iubfUSO":
        raise ValueError(f"{name} has an unsupported dtype {y.dtype}.")
    return y


def _check_targets(y_true, y_pred):
    """Two label vectors of the same length; float labels must be whole numbers."""
    y_true = _check_labels_1d(y_true, "y_true")
    y_pred = _check_labels_1d(y_pred, "y_pred")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true and y_pred have inconsistent numbers of samples: {y_true.shape[0]} vs "
            f"{y_pred.shape[0]}."
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.dtype.kind == "f" and np.any(y != np.round(y)):
            raise ValueError(f"{name} looks continuous; classification metrics need class labels.")
    return y_true, y_pred


def _check_float_1d_or_2d(y, name):
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if y.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1D or 2D, got a {y.ndim}D array.")
    if y.shape[0] == 0:
        raise ValueError(f"{name} has 0 samples; at least 1 is required.")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return y


def _check_binary_scores(y_true, y_score):
    """1-D labels and 1-D finite scores of the same length."""
    y_true = _check_labels_1d(y_true, "y_true")
    y_score = _check_float_1d_or_2d(y_score, "y_score")
    if y_score.ndim == 2 and y_score.shape[1] == 1:
        y_score = y_score.ravel()
    if y_score.ndim != 1:
        raise ValueError(f"y_score must be 1D for a binary problem, got shape {y_score.shape}.")
    if y_true.shape[0] != y_score.shape[0]:
        raise ValueError(
            f"y_true and y_score have inconsistent numbers of samples: {y_true.shape[0]} vs "
            f"{y_score.shape[0]}."
        )
    return y_true, y_score


def _positive_mask(y_true, pos_label):
    """Boolean mask of the positive class, with scikit-learn's default for ``pos_label``."""
    classes = np.unique(y_true)
    if classes.shape[0] > 2:
        raise ValueError(f"y_true must be binary, but it has {classes.shape[0]} classes.")
    if pos_label is None:
        as_text = [str(c) for c in classes.tolist()]
        if not (set(as_text) <= {"0", "1"} or set(as_text) <= {"-1", "1"}
                or set(as_text) <= {"0.0", "1.0"} or set(as_text) <= {"-1.0", "1.0"}):
            raise ValueError(
                f"y_true takes values in {classes.tolist()}; pos_label must be given when the "
                "labels are not {0, 1} or {-1, 1}."
            )
        pos_label = 1
    return y_true == pos_label


# ---------------------------------------------------------------------------------------
# Confusion matrix and the scores built on it
# ---------------------------------------------------------------------------------------

def confusion_matrix(y_true, y_pred, *, labels=None):
    r"""Count matrix :math:`C` with :math:`C_{ij}` = #samples of true class i predicted as j.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Class labels (integers or strings).
    labels : array-like of shape (n_classes,), default=None
        Order of the rows and columns; by default the sorted union of both label sets.
        Samples whose labels are not listed are ignored.

    Returns
    -------
    C : ndarray of shape (n_classes, n_classes), int
        Rows are true classes, columns predicted classes. For a binary problem with
        labels ``[0, 1]``: ``[[TN, FP], [FN, TP]]``.

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    y_true, y_pred = _check_targets(y_true, y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    else:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] == 0:
            raise ValueError("labels must be a non-empty 1D array.")
        if np.unique(labels).shape[0] != labels.shape[0]:
            raise ValueError("labels contains duplicates.")
        if not np.any(np.isin(labels, y_true)):
            raise ValueError("At least one label specified must be in y_true.")
    n_classes = labels.shape[0]
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]

    def index_of(y):
        pos = np.clip(np.searchsorted(sorted_labels, y), 0, n_classes - 1)
        found = sorted_labels[pos] == y
        return order[pos], found

    i_true, ok_true = index_of(y_true)
    i_pred, ok_pred = index_of(y_pred)
    keep = ok_true & ok_pred
    flat = i_true[keep] * n_classes + i_pred[keep]
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy_score(y_true, y_pred, *, normalize=True):
    """Fraction (or, with ``normalize=False``, number) of correctly classified samples."""
    y_true, y_pred = _check_targets(y_true, y_pred)
    correct = y_true == y_pred
    return float(correct.mean()) if normalize else int(correct.sum())


def _zero_division_value(zero_division):
    if isinstance(zero_division, str):
        if zero_division != "warn":
            raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}.")
        return 0.0
    value = float(zero_division)
    if not (value in (0.0, 1.0) or np.isnan(value)):
        raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}.")
    return value


def _divide(numerator, denominator, zero_division, what, warn=True):
    """``numerator / denominator``; entries with a zero denominator get ``zero_division``."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    zero = denominator == 0
    out = numerator / np.where(zero, 1.0, denominator)
    if np.any(zero):
        out = np.where(zero, _zero_division_value(zero_division), out)
        if isinstance(zero_division, str) and warn:
            warnings.warn(f"{what} is ill-defined for a class with a zero denominator and is set to "
                          "0.0; use zero_division to control this.", UndefinedMetricWarning,
                          stacklevel=3)
    return out


def _nanaverage(values, weights=None):
    """Average ignoring NaN entries (NaN only if every entry is NaN)."""
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    if not np.any(keep):
        return np.nan
    if weights is None:
        return float(values[keep].mean())
    weights = np.asarray(weights, dtype=float)[keep]
    if weights.sum() == 0:
        return 0.0
    return float(np.average(values[keep], weights=weights))


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1,
                                    average=None, zero_division="warn",
                                    warn_for=("precision", "recall", "f-score")):
    r"""Precision, recall, F-beta score and support, per class or averaged.

    For each class, counted one-vs-rest: :math:`P = TP/(TP+FP)`, :math:`R = TP/(TP+FN)`,

    .. math::

        F_\beta = \frac{(1+\beta^2) P R}{\beta^2 P + R}
                = \frac{(1+\beta^2) TP}{(1+\beta^2) TP + \beta^2 FN + FP} ,

    and the support is :math:`TP + FN`, the number of true samples of the class.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    beta : float, default=1.0
        Weight of recall relative to precision (``beta > 1`` favours recall).
    labels : array-like, default=None
        Classes to score; by default the sorted union of the labels in both inputs.
    pos_label : int or str, default=1
        The positive class when ``average="binary"``.
    average : {None, "binary", "micro", "macro", "weighted"}, default=None
        ``None``: per-class arrays. ``"binary"``: the scores of ``pos_label`` only.
        ``"micro"``: from TP, FP, FN summed over classes. ``"macro"``: unweighted mean of
        the per-class scores. ``"weighted"``: their mean weighted by support.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value of a ratio whose denominator is zero ("warn" means 0.0 and a warning).
        With np.nan, NaN entries are left out of the averages.
    warn_for : tuple of str, default=("precision", "recall", "f-score")
        Which of the three may warn about a zero denominator (the single-metric
        functions warn only for their own metric).

    Returns
    -------
    precision, recall, fbeta : float or ndarray of shape (n_classes,)
    support : ndarray of shape (n_classes,) or None
        None whenever ``average`` is not None, as in scikit-learn.

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}.")
    if beta < 0:
        raise ValueError("beta should be >= 0.")
    y_true, y_pred = _check_targets(y_true, y_pred)
    present = np.unique(np.concatenate([y_true, y_pred]))
    if average == "binary":
        if present.shape[0] > 2:
            raise ValueError(
                f"Target is multiclass ({present.shape[0]} labels) but average='binary'; choose "
                "another average setting, one of ['micro', 'macro', 'weighted']."
            )
        if present.shape[0] == 2 and pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one of "
                             f"{present.tolist()}.")
        labels = np.asarray([pos_label])
    elif labels is None:
        labels = present
    else:
        labels = np.asarray(labels)
    # one-vs-rest counts for every requested class, shape (n_classes,)
    is_true = y_true[:, None] == labels[None, :]          # (n_samples, n_classes)
    is_pred = y_pred[:, None] == labels[None, :]
    tp = np.sum(is_true & is_pred, axis=0)
    true_sum = is_true.sum(axis=0)                         # TP + FN
    pred_sum = is_pred.sum(axis=0)                         # TP + FP
    if average == "micro":
        tp, true_sum, pred_sum = (a.sum(keepdims=True) for a in (tp, true_sum, pred_sum))
    beta2 = beta ** 2
    precision = _divide(tp, pred_sum, zero_division, "Precision", "precision" in warn_for)
    recall = _divide(tp, true_sum, zero_division, "Recall", "recall" in warn_for)
    if np.isposinf(beta):
        fscore = recall
    else:
        fscore = _divide((1 + beta2) * tp, beta2 * true_sum + pred_sum, zero_division, "F-score",
                         "f-score" in warn_for)
    if average is None:
        return precision, recall, fscore, true_sum
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            zero_value = _zero_division_value(zero_division)
            return zero_value, zero_value, zero_value, None
    else:
        weights = None
    return _nanaverage(precision, weights), _nanaverage(recall, weights), _nanaverage(fscore, weights), None


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                zero_division="warn"):
    """F-beta score; see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                                           average=average, zero_division=zero_division,
                                           warn_for=("f-score",))[2]


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"):
    """F1 score, the harmonic mean of precision and recall; see :func:`precision_recall_fscore_support`."""
    return fbeta_score(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                       zero_division=zero_division)


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"):
    """Precision TP / (TP + FP); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label,
                                           average=average, zero_division=zero_division,
                                           warn_for=("precision",))[0]


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", zero_division="warn"):
    """Recall TP / (TP + FN); see :func:`precision_recall_fscore_support`."""
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label,
                                           average=average, zero_division=zero_division,
                                           warn_for=("recall",))[1]


# ---------------------------------------------------------------------------------------
# Curves from scores
# ---------------------------------------------------------------------------------------

def _cumulative_counts(y_true, y_score, pos_label):
    """False and true positives at every distinct score used as threshold ``score >= t``.

    Returns ``fps, tps, thresholds``, each of shape (n_distinct_scores,), thresholds
    decreasing.
    """
    positive = _positive_mask(y_true, pos_label)
    order = np.argsort(-y_score, kind="stable")            # highest score first
    score_sorted = y_score[order]
    pos_sorted = positive[order]
    # last index of each group of equal scores: a threshold admits all of its group at once
    last_of_group = np.r_[np.nonzero(np.diff(score_sorted))[0], y_score.shape[0] - 1]
    tps = np.cumsum(pos_sorted)[last_of_group].astype(float)
    fps = (last_of_group + 1) - tps
    return fps, tps, score_sorted[last_of_group]


def roc_curve(y_true, y_score, *, pos_label=None, drop_intermediate=True):
    r"""Receiver operating characteristic: FPR and TPR for every threshold ``score >= t``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels; ``pos_label`` must be given unless they are {0, 1} or {-1, 1}.
    y_score : array-like of shape (n_samples,)
        Scores, larger meaning "more likely positive".
    pos_label : int or str, default=None
    drop_intermediate : bool, default=True
        Drop thresholds whose point lies on the straight segment between its neighbours
        (it changes neither the plotted curve nor the area).

    Returns
    -------
    fpr, tpr : ndarray of shape (n_thresholds,)
        :math:`FP(t)/N` and :math:`TP(t)/P`, starting at (0, 0).
    thresholds : ndarray of shape (n_thresholds,)
        Decreasing; the first is ``inf`` (nothing predicted positive).

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    y_true, y_score = _check_binary_scores(y_true, y_score)
    fps, tps, thresholds = _cumulative_counts(y_true, y_score, pos_label)
    if drop_intermediate and fps.shape[0] > 2:
        bend = np.r_[True, (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0), True]
        fps, tps, thresholds = fps[bend], tps[bend], thresholds[bend]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds]
    if fps[-1] <= 0:
        warnings.warn("No negative samples in y_true: the false positive rate is undefined (NaN).",
                      UndefinedMetricWarning, stacklevel=2)
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn("No positive samples in y_true: the true positive rate is undefined (NaN).",
                      UndefinedMetricWarning, stacklevel=2)
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def roc_auc_score(y_true, y_score):
    r"""Area under the ROC curve of a binary problem (trapezoidal rule).

    Equals :math:`P(s^+ > s^-) + \tfrac12 P(s^+ = s^-)` for a random positive and a
    random negative. The positive class is the larger of the two labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Two classes. With one class alone the AUC is undefined: like scikit-learn 1.9,
        this warns (``UndefinedMetricWarning``) and returns NaN; more classes raise ``ValueError``.
    y_score : array-like of shape (n_samples,)

    Returns
    -------
    auc : float

    Notes
    -----
    Derived (with the ranking-probability theorem) in the book page "Classification metrics".
    """
    y_true, y_score = _check_binary_scores(y_true, y_score)
    classes = np.unique(y_true)
    if classes.shape[0] > 2:
        raise ValueError(f"y_true must be binary, got {classes.shape[0]} classes.")
    if classes.shape[0] == 1:
        # scikit-learn 1.9 warns and returns NaN here (older versions raised ValueError)
        warnings.warn(f"Only one class is present in y_true ({classes.tolist()}); ROC AUC is not defined "
                      "in that case.", UndefinedMetricWarning, stacklevel=2)
        return np.nan
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=classes[1], drop_intermediate=True)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def precision_recall_curve(y_true, y_score, *, pos_label=None, drop_intermediate=False):
    """Precision and recall for every distinct score used as threshold ``score >= t``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples,)
    pos_label : int or str, default=None
    drop_intermediate : bool, default=False
        Keep only the first and last threshold of each run with the same recall.

    Returns
    -------
    precision, recall : ndarray of shape (n_thresholds + 1,)
        Ordered by increasing threshold, so recall decreases; the last entries are
        precision 1 and recall 0 (a point with no threshold, as in scikit-learn).
        Precision at a threshold admitting no sample is 0; with no positives, recall is 1.
    thresholds : ndarray of shape (n_thresholds,)
        Increasing distinct scores.

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    y_true, y_score = _check_binary_scores(y_true, y_score)
    fps, tps, thresholds = _cumulative_counts(y_true, y_score, pos_label)
    if drop_intermediate and fps.shape[0] > 2:
        # keep the two ends of each run of equal recall (a vertical segment of the curve)
        keep = np.r_[True, (tps[1:-1] != tps[:-2]) | (tps[2:] != tps[1:-1]), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.where(predicted != 0, tps / np.where(predicted == 0, 1, predicted), 0.0)
    if tps[-1] == 0:
        warnings.warn("No positive samples in y_true: recall is set to 1 for all thresholds.",
                      UndefinedMetricWarning, stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, pos_label=1):
    r"""Average precision :math:`\sum_k (R_k - R_{k-1}) P_k` over the thresholds (binary).

    A step-function (not trapezoidal) area under the precision-recall curve: each gain
    in recall is weighted by the precision at the threshold where it happens.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples,)
    pos_label : int or str, default=1

    Returns
    -------
    ap : float

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    y_true, y_score = _check_binary_scores(y_true, y_score)
    if np.unique(y_true).shape[0] > 2:
        raise ValueError("average_precision_score here handles binary y_true only.")
    present = np.unique(y_true).tolist()
    if len(present) == 2 and pos_label not in present:
        raise ValueError(f"pos_label={pos_label!r} is not a valid label: it should be one of {present}.")
    precision, recall, _ = precision_recall_curve(y_true, y_score, pos_label=pos_label)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def log_loss(y_true, y_proba, *, normalize=True, labels=None):
    r"""Cross-entropy :math:`-\frac1n \sum_i \log \hat p_{i, y_i}` of predicted probabilities.

    Probabilities are clipped to :math:`[\epsilon, 1-\epsilon]` with
    :math:`\epsilon` the machine epsilon of float64 (about 2.2e-16), as scikit-learn 1.9
    does, so a confident wrong prediction costs about 36 rather than infinity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Class labels.
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Probabilities of the classes in sorted order; 1-D means P(the larger class) of a
        binary problem.
    normalize : bool, default=True
        Mean (True) or sum (False) over samples.
    labels : array-like, default=None
        All classes, when ``y_true`` does not contain every column's class.

    Returns
    -------
    loss : float

    Notes
    -----
    Derived in the book page "Classification metrics".
    """
    y_true = _check_labels_1d(y_true, "y_true")
    p = _check_float_1d_or_2d(y_proba, "y_proba")
    if p.max() > 1 or p.min() < 0:
        raise ValueError("y_proba must lie in [0, 1].")
    if p.shape[0] != y_true.shape[0]:
        raise ValueError(f"y_true and y_proba have inconsistent numbers of samples: {y_true.shape[0]} vs "
                         f"{p.shape[0]}.")
    classes = np.unique(y_true) if labels is None else np.unique(np.asarray(labels))
    if labels is not None and not np.all(np.isin(y_true, classes)):
        raise ValueError("y_true contains labels not in labels.")
    if classes.shape[0] == 1:
        if labels is None:
            raise ValueError("y_true contains only one label; pass every class through labels.")
        raise ValueError("labels must contain at least two classes.")
    if p.ndim == 1:
        p = p[:, None]
    if p.shape[1] == 1:
        p = np.hstack([1 - p, p])
    if p.shape[1] != classes.shape[0]:
        raise ValueError(f"y_true has {classes.shape[0]} classes but y_proba has {p.shape[1]} columns; "
                         "pass the classes explicitly through labels.")
    if not np.allclose(p.sum(axis=1), 1.0, rtol=np.sqrt(np.finfo(float).eps), atol=0):
        warnings.warn("The rows of y_proba do not sum to one.", UserWarning, stacklevel=2)
    eps = np.finfo(float).eps
    p = np.clip(p, eps, 1 - eps)
    p_true = p[np.arange(p.shape[0]), np.searchsorted(classes, y_true)]   # (n_samples,)
    loss = -np.log(p_true)
    return float(loss.mean() if normalize else loss.sum())


# ---------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------

def _check_regression(y_true, y_pred):
    y_true = _check_float_1d_or_2d(y_true, "y_true")
    y_pred = _check_float_1d_or_2d(y_pred, "y_pred")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(f"y_true and y_pred have inconsistent numbers of samples: {y_true.shape[0]} vs "
                         f"{y_pred.shape[0]}.")
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(f"y_true and y_pred have different numbers of outputs: {y_true.shape[1]} vs "
                         f"{y_pred.shape[1]}.")
    return y_true, y_pred


def _reduce(per_output, multioutput):
    """Average over outputs ("uniform_average") or return them ("raw_values")."""
    if multioutput == "raw_values":
        return per_output
    if multioutput == "uniform_average":
        return float(np.mean(per_output))
    raise ValueError(f"multioutput must be 'raw_values' or 'uniform_average', got {multioutput!r}.")


def mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""MSE :math:`\frac1n \sum_i (y_i - \hat y_i)^2`, per output, then averaged.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    loss : float or ndarray of shape (n_outputs,)

    Notes
    -----
    Minimised by the mean; derived in the book page "Regression metrics".
    """
    y_true, y_pred = _check_regression(y_true, y_pred)
    return _reduce(np.mean((y_true - y_pred) ** 2, axis=0), multioutput)


def root_mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""RMSE :math:`\sqrt{\mathrm{MSE}}` per output (then averaged over outputs)."""
    y_true, y_pred = _check_regression(y_true, y_pred)
    return _reduce(np.sqrt(np.mean((y_true - y_pred) ** 2, axis=0)), multioutput)


def mean_absolute_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""MAE :math:`\frac1n \sum_i |y_i - \hat y_i|`; minimised by a median ("Regression metrics")."""
    y_true, y_pred = _check_regression(y_true, y_pred)
    return _reduce(np.mean(np.abs(y_true - y_pred), axis=0), multioutput)


def mean_absolute_percentage_error(y_true, y_pred, *, multioutput="uniform_average"):
    r"""MAPE :math:`\frac1n \sum_i |y_i - \hat y_i| / \max(|y_i|, \epsilon)`, as a fraction.

    :math:`\epsilon` is float64's machine epsilon, as in scikit-learn: at :math:`y_i = 0`
    the relative error is undefined, and the result is a huge number, not an error.
    The book page "Regression metrics" explains the asymmetry of this loss.
    """
    y_true, y_pred = _check_regression(y_true, y_pred)
    eps = np.finfo(np.float64).eps
    return _reduce(np.mean(np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), eps), axis=0), multioutput)


def mean_pinball_loss(y_true, y_pred, *, alpha=0.5, multioutput="uniform_average"):
    r"""Pinball (quantile) loss :math:`\frac1n \sum_i \rho_\alpha(y_i - \hat y_i)`.

    :math:`\rho_\alpha(r) = \alpha r` for :math:`r \ge 0` and :math:`(\alpha - 1) r` for
    :math:`r < 0`; its minimiser over constants is an :math:`\alpha`-quantile, and
    ``alpha=0.5`` gives half the MAE ("Regression metrics").
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}.")
    y_true, y_pred = _check_regression(y_true, y_pred)
    r = y_true - y_pred
    return _reduce(np.mean(np.where(r >= 0, alpha * r, (alpha - 1) * r), axis=0), multioutput)


def huber_loss(y_true, y_pred, *, delta=1.0):
    r"""Mean Huber loss of the residuals :math:`r_i = y_i - \hat y_i`.

    .. math::

        h_\delta(r) = \begin{cases} r^2 / 2 & |r| \le \delta \\
                      \delta (|r| - \delta / 2) & |r| > \delta \end{cases}

    Quadratic near zero, linear in the tails, with a continuous derivative
    :math:`\operatorname{clip}(r, -\delta, \delta)`. (Same convention as
    ``scipy.special.huber(delta, r)``; scikit-learn has no Huber metric.)

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    delta : float, default=1.0
        Positive threshold between the quadratic and linear regimes.

    Returns
    -------
    loss : float
        Mean over every entry.

    Notes
    -----
    Derived in the book page "Regression metrics" {Huber 1964}.
    """
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta}.")
    y_true, y_pred = _check_regression(y_true, y_pred)
    a = np.abs(y_true - y_pred)
    return float(np.mean(np.where(a <= delta, 0.5 * a ** 2, delta * (a - 0.5 * delta))))


def huber_loss_gradient(y_true, y_pred, *, delta=1.0):
    r"""Gradient of :func:`huber_loss` with respect to ``y_pred``.

    It is :math:`-\operatorname{clip}(r, -\delta, \delta) / m`, with ``m`` the number of
    entries. Returns an array of the shape of ``y_pred``.
    """
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta}.")
    shape = np.shape(y_pred)
    y_true, y_pred = _check_regression(y_true, y_pred)
    r = y_true - y_pred
    return (-np.clip(r, -delta, delta) / r.size).reshape(shape)


def r2_score(y_true, y_pred):
    r"""Coefficient of determination :math:`1 - \mathrm{SS}_{res} / \mathrm{SS}_{tot}` = 1 - MSE / Var(y).

    Validates the input, then calls ``groundml.linear_model.r2_score`` (averaged over
    outputs; a constant ``y_true`` gives 1.0 for a perfect fit and 0.0 otherwise, as in
    scikit-learn). It is negative when the predictions are worse than the mean of ``y_true``.
    """
    y_true_checked, y_pred_checked = _check_regression(y_true, y_pred)
    if y_true_checked.shape[0] < 2:
        raise ValueError("R^2 needs at least two samples.")
    return _r2_score_unchecked(y_true_checked, y_pred_checked)


# ---------------------------------------------------------------------------------------
# Ranking and retrieval: one row per query, one column per candidate item
# ---------------------------------------------------------------------------------------

def _check_ranking(y_true, y_score, *, binary):
    y_true = _check_float_1d_or_2d(y_true, "y_true")
    y_score = _check_float_1d_or_2d(y_score, "y_score")
    if y_true.ndim == 1:
        y_true = y_true[None, :]
    if y_score.ndim == 1:
        y_score = y_score[None, :]
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true and y_score have different shapes: {y_true.shape} vs {y_score.shape}.")
    if binary and not np.all((y_true == 0) | (y_true == 1)):
        raise ValueError("y_true must hold binary relevance labels (0 or 1).")
    return y_true, y_score


def _ranked_relevance(y_true, y_score):
    """Relevance of the items of each query in ranked order (stable: ties keep input order)."""
    order = np.argsort(-y_score, axis=1, kind="stable")    # (n_queries, n_items)
    return np.take_along_axis(y_true, order, axis=1)


def _check_k(k, n_items):
    if k is None:
        return n_items
    if int(k) != k or not 1 <= k <= n_items:
        raise ValueError(f"k must be an integer between 1 and the number of items ({n_items}), got {k}.")
    return int(k)


def precision_at_k(y_true, y_score, *, k):
    r"""Mean over queries of (#relevant items among the top k) / k.

    Parameters
    ----------
    y_true : array-like of shape (n_queries, n_items) or (n_items,)
        Binary relevance of each candidate item.
    y_score : array-like of the same shape
        Scores; each query's items are ranked by decreasing score, ties kept in input order.
    k : int
        Cut-off, ``1 <= k <= n_items``.

    Returns
    -------
    float

    Notes
    -----
    Derived in the book page "Ranking metrics".
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=True)
    k = _check_k(k, y_true.shape[1])
    return float(np.mean(_ranked_relevance(y_true, y_score)[:, :k].sum(axis=1) / k))


def recall_at_k(y_true, y_score, *, k):
    """Mean over queries of (#relevant among the top k) / (#relevant); 0 for a query with none.

    Inputs as for :func:`precision_at_k`.
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=True)
    k = _check_k(k, y_true.shape[1])
    hits = _ranked_relevance(y_true, y_score)[:, :k].sum(axis=1)
    n_relevant = y_true.sum(axis=1)
    return float(np.mean(np.where(n_relevant > 0, hits / np.maximum(n_relevant, 1), 0.0)))


def mean_reciprocal_rank(y_true, y_score):
    """Mean over queries of 1 / (rank of the first relevant item); 0 for a query with none.

    Inputs as for :func:`precision_at_k`; ranks start at 1.
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=True)
    ranked = _ranked_relevance(y_true, y_score)
    first = np.argmax(ranked, axis=1)                      # index of the first 1 (0 if none)
    return float(np.mean(np.where(ranked.any(axis=1), 1.0 / (first + 1), 0.0)))


def mean_average_precision(y_true, y_score, *, k=None):
    r"""MAP: mean over queries of the average precision of each ranked list.

    .. math::

        \mathrm{AP} = \frac{1}{R} \sum_{i=1}^{k} \mathrm{rel}_i \, \mathrm{P@}i ,

    with :math:`R` the number of relevant items of the query (all of them, also those
    ranked below ``k``) and :math:`\mathrm{P@}i` the precision of the top ``i``. A
    query without relevant items scores 0. Inputs as for :func:`precision_at_k`;
    ``k=None`` uses the whole list.
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=True)
    k = _check_k(k, y_true.shape[1])
    ranked = _ranked_relevance(y_true, y_score)[:, :k]     # (n_queries, k)
    precision_at_i = np.cumsum(ranked, axis=1) / np.arange(1, k + 1)
    n_relevant = y_true.sum(axis=1)
    ap = (ranked * precision_at_i).sum(axis=1) / np.maximum(n_relevant, 1)
    return float(np.mean(np.where(n_relevant > 0, ap, 0.0)))


def _discounts(n_items, k, log_base):
    discount = 1.0 / (np.log(np.arange(n_items) + 2) / np.log(log_base))   # 1 / log_b(i + 1), i = 1..n
    if k is not None:
        discount[k:] = 0.0
    return discount


def _dcg_per_query(y_true, y_score, k, log_base, ignore_ties):
    n_queries, n_items = y_true.shape
    discount = _discounts(n_items, k, log_base)            # (n_items,)
    if ignore_ties:
        return _ranked_relevance(y_true, y_score) @ discount
    cumulative_discount = np.r_[0.0, np.cumsum(discount)]
    out = np.empty(n_queries)
    for q in range(n_queries):                             # the tie groups differ per query
        values, inverse, counts = np.unique(-y_score[q], return_inverse=True, return_counts=True)
        group_gain = np.bincount(inverse, weights=y_true[q], minlength=values.shape[0]) / counts
        ends = np.cumsum(counts)                           # tied items share positions [start, end)
        starts = ends - counts
        out[q] = np.sum(group_gain * (cumulative_discount[ends] - cumulative_discount[starts]))
    return out


def dcg_score(y_true, y_score, *, k=None, log_base=2, ignore_ties=False):
    r"""Discounted cumulative gain :math:`\sum_{i=1}^{k} \mathrm{rel}_i / \log_b(i+1)`, mean over queries.

    The gain is the relevance itself (linear gain, as in scikit-learn); for the
    exponential gain :math:`2^{\mathrm{rel}} - 1`, pass ``2 ** y_true - 1``.

    Parameters
    ----------
    y_true : array-like of shape (n_queries, n_items)
        Graded relevance of each item.
    y_score : array-like of shape (n_queries, n_items)
    k : int, default=None
        Only the top ``k`` positions count (a ``k`` beyond ``n_items`` counts them all).
    log_base : float, default=2
    ignore_ties : bool, default=False
        If False, tied items share their positions: each gets the mean gain of its tie
        group times the group's summed discounts (the expected DCG over random orders
        of the ties). If True, ties are broken by input order (faster).

    Returns
    -------
    float

    Notes
    -----
    Derived in the book page "Ranking metrics".
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=False)
    if k is not None:   # a cut-off beyond the list changes nothing, as in scikit-learn
        k = _check_k(min(k, y_true.shape[1]) if k >= 1 else k, y_true.shape[1])
    return float(np.mean(_dcg_per_query(y_true, y_score, k, log_base, ignore_ties)))


def ndcg_score(y_true, y_score, *, k=None, ignore_ties=False):
    r"""Normalised DCG: each query's DCG divided by the DCG of its ideal ranking, averaged.

    Relevances must be non-negative. A query whose items are all irrelevant (ideal DCG
    0) scores 0, as in scikit-learn. Inputs as for :func:`dcg_score`, with at least two
    items per query.
    """
    y_true, y_score = _check_ranking(y_true, y_score, binary=False)
    if y_true.shape[1] < 2:
        raise ValueError("nDCG needs more than one item per query.")
    if np.any(y_true < 0):
        raise ValueError("ndcg_score needs non-negative relevances y_true.")
    if k is not None:
        k = _check_k(min(k, y_true.shape[1]) if k >= 1 else k, y_true.shape[1])
    gain = _dcg_per_query(y_true, y_score, k, 2, ignore_ties)
    ideal = _dcg_per_query(y_true, y_true, k, 2, True)
    return float(np.mean(np.where(ideal > 0, gain / np.where(ideal > 0, ideal, 1.0), 0.0)))
