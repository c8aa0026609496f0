"""groundml.metrics against sklearn.metrics, SciPy and plain-loop definitions."""

import warnings
from itertools import permutations

import numpy as np
import pytest
import scipy.special
from numpy.testing import assert_allclose
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from groundml import metrics as gm
from groundml.gradcheck import numerical_gradient

SEEDS = range(5)
SIZES = [7, 40, 300]
TOL = dict(rtol=1e-12, atol=1e-12)


def quiet(f, *args, **kwargs):
    """Call f with warnings silenced (both libraries warn on zero division)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def labels_pair(seed, n, n_classes, drop_from_pred=False):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_true[:n_classes] = np.arange(n_classes)  # every class occurs in y_true
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, n))
    if drop_from_pred:  # the last class is never predicted: its precision is 0/0
        y_pred = np.where(y_pred == n_classes - 1, 0, y_pred)
    return y_true, y_pred


def binary_scores(seed, n, integer_scores):
    """Labels with both classes present and scores, integer-valued (many ties) or continuous."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    shift = rng.normal(size=n) + 0.8 * y
    s = np.round(2 * shift) if integer_scores else shift
    return y, s


# ---------------------------------------------------------------------------------------
# confusion matrix, accuracy, precision / recall / F
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("n_classes", [2, 3, 5])
# scikit-learn warns when labels= has a single label (the binary case's subset below)
@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
def test_confusion_matrix_and_accuracy(seed, n, n_classes):
    y_true, y_pred = labels_pair(seed, n, n_classes)
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))
    labels = np.arange(n_classes)[::-1]  # a custom order
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred, labels=labels),
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))
    labels = np.arange(n_classes)[: max(1, n_classes - 1)]  # a subset: other samples ignored
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred, labels=labels),
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert gm.accuracy_score(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), rel=1e-12)
    assert gm.accuracy_score(y_true, y_pred, normalize=False) == skm.accuracy_score(y_true, y_pred,
                                                                                   normalize=False)


def test_confusion_matrix_string_labels():
    y_true = np.array(["cat", "dog", "dog", "bird", "cat", "dog"])
    y_pred = np.array(["dog", "dog", "cat", "bird", "cat", "bird"])
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))
    np.testing.assert_array_equal(gm.confusion_matrix(y_true, y_pred, labels=["dog", "cat"]),
                                  skm.confusion_matrix(y_true, y_pred, labels=["dog", "cat"]))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("n_classes", [3, 4])
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_prfs_multiclass(seed, n, n_classes, average, zero_division):
    y_true, y_pred = labels_pair(seed, n, n_classes, drop_from_pred=True)
    for beta in [0.5, 1.0, 2.0]:
        ours = quiet(gm.precision_recall_fscore_support, y_true, y_pred, beta=beta, average=average,
                     zero_division=zero_division)
        ref = quiet(skm.precision_recall_fscore_support, y_true, y_pred, beta=beta, average=average,
                    zero_division=zero_division)
        for a, b in zip(ours[:3], ref[:3], strict=True):
            assert_allclose(a, b, equal_nan=True, **TOL)
        if average is None:
            np.testing.assert_array_equal(ours[3], ref[3])
        else:
            assert ours[3] is None and ref[3] is None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
def test_binary_scores_and_wrappers(seed, n):
    y_true, y_pred = labels_pair(seed, n, 2)
    for average in ["binary", "micro", "macro", "weighted", None]:
        for ours, ref in [(gm.precision_score, skm.precision_score), (gm.recall_score, skm.recall_score),
                          (gm.f1_score, skm.f1_score)]:
            assert_allclose(quiet(ours, y_true, y_pred, average=average),
                            quiet(ref, y_true, y_pred, average=average), **TOL)
        assert_allclose(quiet(gm.fbeta_score, y_true, y_pred, beta=3.0, average=average),
                        quiet(skm.fbeta_score, y_true, y_pred, beta=3.0, average=average), **TOL)
    # the other class as positive, and string labels
    assert_allclose(gm.f1_score(y_true, y_pred, pos_label=0), skm.f1_score(y_true, y_pred, pos_label=0),
                    **TOL)
    names = np.array(["neg", "pos"])
    assert_allclose(gm.recall_score(names[y_true], names[y_pred], pos_label="pos"),
                    skm.recall_score(names[y_true], names[y_pred], pos_label="pos"), **TOL)


def test_label_absent_from_y_pred_zero_division():
    y_true = np.array([0, 1, 2, 2, 1, 0])
    y_pred = np.array([0, 1, 1, 1, 1, 0])  # class 2 never predicted: precision 0/0
    with pytest.warns(gm.UndefinedMetricWarning):
        p = gm.precision_score(y_true, y_pred, average=None)
    assert p[2] == 0.0
    for zd in [0.0, 1.0, np.nan]:
        assert_allclose(gm.precision_score(y_true, y_pred, average=None, zero_division=zd),
                        skm.precision_score(y_true, y_pred, average=None, zero_division=zd), equal_nan=True)
        assert_allclose(gm.precision_score(y_true, y_pred, average="macro", zero_division=zd),
                        skm.precision_score(y_true, y_pred, average="macro", zero_division=zd), **TOL)
    # each single-metric function warns only about its own ratio, as in scikit-learn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gm.recall_score(y_true, y_pred, average=None)
        skm.recall_score(y_true, y_pred, average=None)
    # binary with no predicted positive at all
    assert gm.precision_score([0, 1, 1], [0, 0, 0], zero_division=1.0) == 1.0
    assert skm.precision_score([0, 1, 1], [0, 0, 0], zero_division=1.0) == 1.0


def test_binary_average_errors():
    with pytest.raises(ValueError):
        gm.f1_score([0, 1, 2], [0, 1, 1])  # multiclass with average="binary"
    with pytest.raises(ValueError):
        skm.f1_score([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError):
        gm.f1_score(["a", "b"], ["a", "b"])  # pos_label=1 is not a label
    with pytest.raises(ValueError):
        skm.f1_score(["a", "b"], ["a", "b"])
    with pytest.raises(ValueError):
        gm.f1_score([0, 1], [0, 1], average="samples-ish")


@pytest.mark.parametrize("f", [gm.accuracy_score, gm.confusion_matrix, gm.f1_score])
def test_label_input_errors(f):
    with pytest.raises(ValueError):
        f([0, 1, 1], [0, 1])  # mismatched lengths
    with pytest.raises(ValueError):
        f([0.0, np.nan, 1.0], [0, 1, 1])  # NaN
    with pytest.raises(ValueError):
        f(np.zeros((3, 2)), np.zeros((3, 2)))  # 2-D labels
    with pytest.raises(ValueError):
        f([0.5, 1.0], [0, 1])  # continuous
    # a column vector is accepted like a 1-D array, as in scikit-learn
    assert_allclose(f(np.array([[0], [1], [1]]), [0, 1, 0]), f([0, 1, 1], [0, 1, 0]))


# ---------------------------------------------------------------------------------------
# ROC, PR, AUC, average precision, log-loss
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("integer_scores", [True, False])
@pytest.mark.parametrize("drop_intermediate", [False, True])
def test_roc_curve(seed, n, integer_scores, drop_intermediate):
    y, s = binary_scores(seed, n, integer_scores)
    ours = gm.roc_curve(y, s, drop_intermediate=drop_intermediate)
    ref = skm.roc_curve(y, s, drop_intermediate=drop_intermediate)
    for a, b in zip(ours, ref, strict=True):
        assert a.shape == b.shape
        assert_allclose(a, b, **TOL)
    ours = gm.roc_curve(2 * y - 1, s)  # {-1, 1} labels
    ref = skm.roc_curve(2 * y - 1, s)
    for a, b in zip(ours, ref, strict=True):
        assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("integer_scores", [True, False])
def test_auc_pr_ap(seed, n, integer_scores):
    y, s = binary_scores(seed, n, integer_scores)
    auc = gm.roc_auc_score(y, s)
    assert_allclose(auc, skm.roc_auc_score(y, s), **TOL)
    # the ranking-probability theorem: pairs counted, ties counted half
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    assert_allclose(auc, np.mean((diff > 0) + 0.5 * (diff == 0)), **TOL)
    for drop in [False, True]:
        for a, b in zip(gm.precision_recall_curve(y, s, drop_intermediate=drop),
                        skm.precision_recall_curve(y, s, drop_intermediate=drop), strict=True):
            assert a.shape == b.shape
            assert_allclose(a, b, **TOL)
    assert_allclose(gm.average_precision_score(y, s), skm.average_precision_score(y, s), **TOL)
    # string labels with an explicit positive class
    names = np.array(["ham", "spam"])[y]
    assert_allclose(gm.roc_auc_score(names, s), skm.roc_auc_score(names, s), **TOL)
    assert_allclose(gm.average_precision_score(names, s, pos_label="spam"),
                    skm.average_precision_score(names, s, pos_label="spam"), **TOL)


@pytest.mark.parametrize("y", [[1, 1, 1], [0, 0, 0]])
def test_roc_auc_one_class(y):
    # scikit-learn 1.9 no longer raises for a single class: it warns and returns NaN
    with pytest.warns(UndefinedMetricWarning):
        ref = skm.roc_auc_score(y, [0.2, 0.5, 0.9])
    with pytest.warns(gm.UndefinedMetricWarning):
        ours = gm.roc_auc_score(y, [0.2, 0.5, 0.9])
    assert np.isnan(ref) and np.isnan(ours)


def test_curves_without_one_class_warn_like_sklearn():
    s = np.array([0.1, 0.4, 0.4, 0.8])
    with pytest.warns(gm.UndefinedMetricWarning):
        fpr, tpr, _ = gm.roc_curve([1, 1, 1, 1], s)
    with pytest.warns(Warning):
        fpr_ref, tpr_ref, _ = skm.roc_curve([1, 1, 1, 1], s)
    assert_allclose(fpr, fpr_ref, equal_nan=True)
    assert_allclose(tpr, tpr_ref, equal_nan=True)
    with pytest.warns(gm.UndefinedMetricWarning):
        ours = gm.precision_recall_curve([0, 0, 0, 0], s)
    ref = quiet(skm.precision_recall_curve, [0, 0, 0, 0], s)
    for a, b in zip(ours, ref, strict=True):
        assert_allclose(a, b)


@pytest.mark.parametrize("f", [gm.roc_curve, gm.roc_auc_score, gm.precision_recall_curve,
                               gm.average_precision_score])
def test_score_input_errors(f):
    with pytest.raises(ValueError):
        f([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError):
        f([0, 1, 1], [0.1, np.nan, 0.3])
    with pytest.raises(ValueError):
        f([0, 1, 2], [0.1, 0.2, 0.3])  # not binary
    with pytest.raises(ValueError):
        f([0, 1, 1], np.ones((3, 2)))  # 2-D scores for a binary problem
    # a column of scores is accepted as 1-D
    column = f([0, 1, 1, 0], np.array([[0.1], [0.7], [0.3], [0.5]]))
    flat = f([0, 1, 1, 0], [0.1, 0.7, 0.3, 0.5])
    for a, b in zip(column, flat, strict=True) if isinstance(flat, tuple) else [(column, flat)]:
        assert_allclose(a, b)


def test_roc_needs_pos_label_for_other_labels():
    with pytest.raises(ValueError):
        gm.roc_curve([2, 3, 3], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError):
        skm.roc_curve([2, 3, 3], [0.1, 0.2, 0.3])
    for a, b in zip(gm.roc_curve([2, 3, 3], [0.1, 0.2, 0.3], pos_label=3),
                    skm.roc_curve([2, 3, 3], [0.1, 0.2, 0.3], pos_label=3), strict=True):
        assert_allclose(a, b, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("n_classes", [2, 3, 6])
def test_log_loss(seed, n, n_classes):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    y[:n_classes] = np.arange(n_classes)
    P = rng.dirichlet(np.ones(n_classes), n)
    P[0] = np.eye(n_classes)[(y[0] + 1) % n_classes]  # certain and wrong: clipped, not infinite
    P[1] = np.eye(n_classes)[y[1]]                    # certain and right
    assert_allclose(gm.log_loss(y, P), skm.log_loss(y, P), **TOL)
    assert_allclose(gm.log_loss(y, P, normalize=False), skm.log_loss(y, P, normalize=False), **TOL)
    # the clipped loss of the wrong certain prediction is -log(machine epsilon), about 36
    assert_allclose(gm.log_loss(y[:1], P[:1], labels=np.arange(n_classes)), -np.log(np.finfo(float).eps),
                    **TOL)
    if n_classes == 2:  # 1-D probabilities of the positive class
        assert_allclose(gm.log_loss(y, P[:, 1]), skm.log_loss(y, P[:, 1]), **TOL)
    # y_true missing a class: labels tells which column is which
    keep = y != n_classes - 1
    labels = np.arange(n_classes)
    assert_allclose(gm.log_loss(y[keep], P[keep], labels=labels),
                    skm.log_loss(y[keep], P[keep], labels=labels), **TOL)


def test_log_loss_errors():
    P = np.array([[0.2, 0.8], [0.6, 0.4]])
    for bad_y, bad_P in [([0, 1, 1], P), ([0, 1], np.array([[0.2, 0.8], [0.6, np.nan]])),
                         ([0, 1], np.array([[1.2, -0.2], [0.6, 0.4]])), ([1, 1], P),
                         ([0, 1], np.full((2, 3), 1 / 3))]:
        with pytest.raises(ValueError):
            gm.log_loss(bad_y, bad_P)
        with pytest.raises(ValueError):
            skm.log_loss(bad_y, bad_P)
    with pytest.warns(UserWarning):
        gm.log_loss([0, 1], np.array([[0.3, 0.3], [0.6, 0.4]]))


# ---------------------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------------------

REGRESSION_PAIRS = [(gm.mean_squared_error, skm.mean_squared_error),
                    (gm.root_mean_squared_error, skm.root_mean_squared_error),
                    (gm.mean_absolute_error, skm.mean_absolute_error),
                    (gm.mean_absolute_percentage_error, skm.mean_absolute_percentage_error)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(7,), (50,), (300,), (40, 3)])
def test_regression_metrics(seed, shape):
    rng = np.random.default_rng(seed)
    y = rng.lognormal(size=shape) - 0.3
    y_hat = y + rng.standard_t(3, size=shape)
    for ours, ref in REGRESSION_PAIRS:
        assert_allclose(ours(y, y_hat), ref(y, y_hat), **TOL)
        assert_allclose(ours(y, y_hat, multioutput="raw_values"), ref(y, y_hat, multioutput="raw_values"),
                        **TOL)
    for alpha in [0.1, 0.5, 0.9]:
        assert_allclose(gm.mean_pinball_loss(y, y_hat, alpha=alpha),
                        skm.mean_pinball_loss(y, y_hat, alpha=alpha), **TOL)
    assert_allclose(gm.r2_score(y, y_hat), skm.r2_score(y, y_hat), **TOL)
    # pinball at alpha = 1/2 is half the MAE
    assert_allclose(gm.mean_pinball_loss(y, y_hat, alpha=0.5), gm.mean_absolute_error(y, y_hat) / 2, **TOL)
    # R^2 = 1 - MSE / Var(y), for one output
    if len(shape) == 1:
        assert_allclose(gm.r2_score(y, y_hat), 1 - gm.mean_squared_error(y, y_hat) / y.var(), **TOL)


def test_regression_edge_cases():
    y = np.array([0.0, 1.0, 2.0])
    # MAPE at y = 0: scikit-learn divides by machine epsilon, a huge finite number
    assert_allclose(gm.mean_absolute_percentage_error(y, y + 1), skm.mean_absolute_percentage_error(y, y + 1),
                    rtol=1e-12)
    assert gm.mean_absolute_percentage_error(y, y + 1) > 1e15
    # R^2 is negative for predictions worse than the mean, and 1.0 / 0.0 for constant y
    assert gm.r2_score(y, y[::-1]) < 0
    assert_allclose(gm.r2_score(y, y[::-1]), skm.r2_score(y, y[::-1]), **TOL)
    assert gm.r2_score([2.0, 2.0], [2.0, 2.0]) == skm.r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert gm.r2_score([2.0, 2.0], [2.0, 3.0]) == skm.r2_score([2.0, 2.0], [2.0, 3.0]) == 0.0
    # a column vector against a 1-D vector
    assert_allclose(gm.mean_squared_error(y[:, None], y + 1), skm.mean_squared_error(y[:, None], y + 1),
                    **TOL)


@pytest.mark.parametrize("f", [gm.mean_squared_error, gm.root_mean_squared_error, gm.mean_absolute_error,
                               gm.mean_absolute_percentage_error, gm.mean_pinball_loss, gm.r2_score,
                               gm.huber_loss])
def test_regression_errors(f):
    with pytest.raises(ValueError):
        f([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        f([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        f([1.0, 2.0, np.inf], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        f(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError):
        f(np.ones((3, 2, 1)), np.ones((3, 2, 1)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_against_scipy_and_gradient(seed, n, delta):
    rng = np.random.default_rng(seed)
    y = rng.standard_t(2, size=n)
    y_hat = rng.normal(size=n)
    assert_allclose(gm.huber_loss(y, y_hat, delta=delta), np.mean(scipy.special.huber(delta, y - y_hat)),
                    **TOL)
    # a plain loop over the definition
    loop = sum(0.5 * r * r if abs(r) <= delta else delta * (abs(r) - delta / 2) for r in y - y_hat) / n
    assert_allclose(gm.huber_loss(y, y_hat, delta=delta), loop, rtol=1e-12)
    # the gradient against central differences (the loss is smooth away from |r| = delta)
    grad = gm.huber_loss_gradient(y, y_hat, delta=delta)
    numeric = numerical_gradient(lambda p: gm.huber_loss(y, p, delta=delta), y_hat)
    assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # the limits: small delta -> delta * MAE (after dividing), large delta -> MSE / 2
    assert_allclose(gm.huber_loss(y, y_hat, delta=1e6), gm.mean_squared_error(y, y_hat) / 2, **TOL)
    with pytest.raises(ValueError):
        gm.huber_loss(y, y_hat, delta=0.0)


# ---------------------------------------------------------------------------------------
# ranking
# ---------------------------------------------------------------------------------------

def ranking_case(seed, n_queries, n_items, integer_scores, graded=False):
    rng = np.random.default_rng(seed)
    if graded:
        y = rng.integers(0, 4, (n_queries, n_items)).astype(float)
    else:
        y = (rng.random((n_queries, n_items)) < 0.3).astype(float)
        y[:, 0] = 1.0  # at least one relevant and, below, one irrelevant item per query
        y[:, 1] = 0.0
    s = rng.normal(size=(n_queries, n_items)) + 0.7 * y
    return y, (np.round(s) if integer_scores else s)


def ranked_lists(y, s):
    """Relevance in ranked order with a plain sort (stable: ties keep input order)."""
    return [[y[q][i] for i in sorted(range(len(s[q])), key=lambda i: -s[q][i])] for q in range(len(y))]


def ap_loop(rel, n_relevant):
    hits, total = 0, 0.0
    for i, r in enumerate(rel, start=1):
        if r:
            hits += 1
            total += hits / i
    return total / n_relevant if n_relevant else 0.0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1, 5), (6, 10), (40, 30)])
@pytest.mark.parametrize("integer_scores", [True, False])
def test_binary_ranking_metrics_against_loops(seed, shape, integer_scores):
    y, s = ranking_case(seed, *shape, integer_scores)
    y[0, 0] = 0.0  # one query may have no relevant item: its recall, RR and AP are 0
    lists = ranked_lists(y, s)
    n_rel = y.sum(axis=1)
    for k in [1, 3, shape[1]]:
        assert_allclose(gm.precision_at_k(y, s, k=k), np.mean([sum(r[:k]) / k for r in lists]), **TOL)
        assert_allclose(gm.recall_at_k(y, s, k=k),
                        np.mean([sum(r[:k]) / m if m else 0.0
                                 for r, m in zip(lists, n_rel, strict=True)]), **TOL)
        assert_allclose(gm.mean_average_precision(y, s, k=k),
                        np.mean([ap_loop(r[:k], m) for r, m in zip(lists, n_rel, strict=True)]), **TOL)
    rr = [next((1 / (i + 1) for i, r in enumerate(lst) if r), 0.0) for lst in lists]
    assert_allclose(gm.mean_reciprocal_rank(y, s), np.mean(rr), **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1, 5), (6, 10), (40, 30)])
def test_map_against_sklearn_without_ties(seed, shape):
    # With continuous scores (no ties) and at least one relevant and one irrelevant item
    # per query, AP equals scikit-learn's label-ranking average precision and its
    # per-query average_precision_score. (With ties the definitions differ: scikit-learn
    # ranks a tie group all at once, while ours breaks ties by input order.)
    y, s = ranking_case(seed, *shape, integer_scores=False)
    m = gm.mean_average_precision(y, s)
    assert_allclose(m, skm.label_ranking_average_precision_score(y, s), **TOL)
    assert_allclose(m, np.mean([skm.average_precision_score(y[q], s[q]) for q in range(shape[0])]), **TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(2, 5), (6, 10), (40, 30)])
# scikit-learn breaks ties by its own reversed argsort when ignore_ties=True, so with
# tied (integer) scores only the tie-averaged DCG (ignore_ties=False) is comparable.
@pytest.mark.parametrize("integer_scores, ignore_ties", [(True, False), (False, False), (False, True)])
@pytest.mark.parametrize("k", [None, 1, 4])
def test_dcg_ndcg_against_sklearn(seed, shape, integer_scores, k, ignore_ties):
    y, s = ranking_case(seed, *shape, integer_scores, graded=True)
    y[0] = 0.0  # an all-irrelevant query: nDCG 0 by convention
    for log_base in [2, 10]:
        assert_allclose(gm.dcg_score(y, s, k=k, log_base=log_base, ignore_ties=ignore_ties),
                        skm.dcg_score(y, s, k=k, log_base=log_base, ignore_ties=ignore_ties), **TOL)
    assert_allclose(gm.ndcg_score(y, s, k=k, ignore_ties=ignore_ties),
                    skm.ndcg_score(y, s, k=k, ignore_ties=ignore_ties), **TOL)
    # the tie-averaged DCG is the mean DCG over uniformly random tie-breaks: average over
    # all 5! priority orders on the small case
    if integer_scores and not ignore_ties and shape == (2, 5):
        disc = 1 / np.log2(np.arange(2, 7))
        if k is not None:
            disc[k:] = 0
        for q in range(2):
            dcgs = [sum(y[q][i] * disc[pos]
                        for pos, i in enumerate(sorted(range(5), key=lambda i, p=p: (-s[q][i], p[i]))))
                    for p in permutations(range(5))]
            assert_allclose(gm.dcg_score(y[q:q + 1], s[q:q + 1], k=k), np.mean(dcgs), **TOL)


def test_ranking_hand_example():
    # one query, five items, ranked list of relevances [1, 0, 1, 0, 1]
    y = np.array([[1, 0, 1, 0, 1]])
    s = np.array([[5, 4, 3, 2, 1]])
    assert gm.precision_at_k(y, s, k=3) == pytest.approx(2 / 3, rel=1e-12)
    assert gm.recall_at_k(y, s, k=3) == pytest.approx(2 / 3, rel=1e-12)
    assert gm.mean_reciprocal_rank(y, s) == 1.0
    assert gm.mean_average_precision(y, s) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3, rel=1e-12)


@pytest.mark.parametrize("f", [gm.precision_at_k, gm.recall_at_k, gm.mean_reciprocal_rank,
                               gm.mean_average_precision, gm.dcg_score, gm.ndcg_score])
def test_ranking_errors(f):
    kw = {"k": 2} if f in (gm.precision_at_k, gm.recall_at_k) else {}
    with pytest.raises(ValueError):
        f(np.ones((2, 3)), np.ones((2, 4)), **kw)
    with pytest.raises(ValueError):
        f(np.ones((2, 3)), np.array([[0.1, np.nan, 0.2], [0.1, 0.2, 0.3]]), **kw)
    with pytest.raises(ValueError):
        f(np.ones((2, 3, 1)), np.ones((2, 3, 1)), **kw)
    if f in (gm.precision_at_k, gm.recall_at_k, gm.mean_average_precision):
        with pytest.raises(ValueError):
            f(np.ones((2, 3)), np.ones((2, 3)), k=4)
    if f in (gm.dcg_score, gm.ndcg_score):
        with pytest.raises(ValueError):
            f(np.ones((2, 3)), np.ones((2, 3)), k=0)
        # a cut-off beyond the list is accepted and changes nothing, as in scikit-learn
        y, s = np.array([[1.0, 0.0, 2.0]]), np.array([[0.1, 0.2, 0.3]])
        ref = skm.dcg_score if f is gm.dcg_score else skm.ndcg_score
        assert_allclose(f(y, s, k=5), ref(y, s, k=5), **TOL)
        assert_allclose(f(y, s, k=5), f(y, s), **TOL)
    if f in (gm.precision_at_k, gm.recall_at_k, gm.mean_reciprocal_rank, gm.mean_average_precision):
        with pytest.raises(ValueError):
            f(np.full((2, 3), 2.0), np.ones((2, 3)), **kw)  # graded labels for a binary metric
    if f is gm.ndcg_score:
        with pytest.raises(ValueError):
            f(-np.ones((2, 3)), np.ones((2, 3)))
        with pytest.raises(ValueError):
            skm.ndcg_score(-np.ones((2, 3)), np.ones((2, 3)))
