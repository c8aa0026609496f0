"""Reference tests for groundml.svm against scikit-learn's SVC (LIBSVM) and LinearSVC (liblinear).

Both our SMO and LIBSVM stop once the maximal KKT violation falls below ``tol``; with
tol=1e-6 the two approximate solutions differ from the exact optimum (and from each other)
by O(tol) in the decision values, so those are compared at 1e-4 (absolute, on scores of
order 1) and the dual objectives at a relative 1e-6.
"""

import itertools

import numpy as np
import pytest
from sklearn import svm as sk_svm
from sklearn.datasets import load_breast_cancer, load_iris, make_blobs, make_classification
from sklearn.metrics.pairwise import pairwise_kernels

from groundml._validation import NotFittedError
from groundml.svm import SVC, LinearSVC, kernel_matrix

SEEDS = range(5)
SHAPES = [(40, 2), (120, 5), (250, 8)]
KERNELS = [("linear", {}), ("rbf", {"gamma": 0.3}), ("rbf", {}),
           ("poly", {"gamma": 0.5, "coef0": 1.0, "degree": 2})]
DECISION_ATOL = 1e-4


def standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def generated(seed, shape):
    n, d = shape
    X, y = make_classification(n_samples=n, n_features=d, n_informative=min(d, 2), n_redundant=0,
                               n_clusters_per_class=1, flip_y=0.05, random_state=seed)
    return standardise(X), y


def breast_cancer(seed, n=150):
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(seed).choice(len(y), size=n, replace=False)
    return standardise(X[rows]), y[rows]


def iris_two_classes():
    X, y = load_iris(return_X_y=True)
    keep = y > 0                                   # versicolor vs virginica: not separable
    X, rows = np.unique(X[keep], axis=0, return_index=True)   # drop a duplicated flower
    return standardise(X), y[keep][rows]


def full_alpha(model, n):
    """alpha_i (>= 0) for every training sample, from the binary model's dual_coef_."""
    alpha = np.zeros(n)
    alpha[model.support_] = np.abs(model.dual_coef_[0])
    return alpha


def dual_objective(model, X):
    """sum(alpha) - 0.5 (alpha y)^T K (alpha y), from any fitted binary SVC (ours or sklearn's)."""
    coef = model.dual_coef_[0]
    sv = X[model.support_]
    K = pairwise_kernels(sv, sv, metric=model.kernel, gamma=model._gamma, degree=model.degree,
                         coef0=model.coef0, filter_params=True)
    return np.abs(coef).sum() - 0.5 * coef @ K @ coef


def compare_binary(X, y, kernel, params, C=1.0):
    ours = SVC(C=C, kernel=kernel, tol=1e-6, **params).fit(X, y)
    ref = sk_svm.SVC(C=C, kernel=kernel, tol=1e-6, **params).fit(X, y)
    f_ours, f_ref = ours.decision_function(X), ref.decision_function(X)
    atol = DECISION_ATOL * max(1.0, C)             # the dual gradient (and so f) scales with C
    np.testing.assert_allclose(f_ours, f_ref, atol=atol)
    clear = np.abs(f_ref) > atol                   # a point on the boundary may fall either way
    np.testing.assert_array_equal(ours.predict(X)[clear], ref.predict(X)[clear])
    np.testing.assert_allclose(dual_objective(ours, X), dual_objective(ref, X), rtol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=atol)
    if kernel == "linear":
        # the dual need not be unique for a linear kernel (rank-deficient Q), but w is
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=atol)
    if kernel == "rbf":
        # an RBF Gram matrix on distinct points is positive definite, so the dual optimum is
        # unique (not so for linear and polynomial kernels once n exceeds the dimension of
        # their feature space, nor with duplicated points): the support vectors must agree, except
        # for points whose alpha is within the solvers' tolerance of 0 in either solution
        alpha_o, alpha_r = full_alpha(ours, len(y)), full_alpha(ref, len(y))
        differ = (alpha_o > 0) != (alpha_r > 0)
        assert np.all(np.maximum(alpha_o, alpha_r)[differ] < 1e-4 * C)
        np.testing.assert_allclose(alpha_o, alpha_r, atol=1e-3 * C)
    return ours, ref


def assert_kkt(model, X, y, tol=1e-3):
    """Complementary slackness at our solution, checked from the outside."""
    C = model.C
    alpha = full_alpha(model, len(y))
    y_pm = np.where(y == model.classes_[1], 1.0, -1.0)
    margin = y_pm * model.decision_function(X)
    assert abs(alpha @ y_pm) < 1e-8 * max(1.0, alpha.sum())          # sum alpha_i y_i = 0
    assert np.all((alpha >= 0) & (alpha <= C))
    zero, at_c = alpha == 0, alpha == C
    free = ~zero & ~at_c
    assert np.all(margin[zero] >= 1 - tol)                           # outside or on the margin
    np.testing.assert_allclose(margin[free], 1.0, atol=tol)          # exactly on the margin
    assert np.all(margin[at_c] <= 1 + tol)                           # inside the margin or wrong side


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kernel,params", KERNELS)
def test_binary_svc_matches_sklearn_generated(seed, shape, kernel, params):
    X, y = generated(seed, shape)
    ours, _ = compare_binary(X, y, kernel, params, C=[0.1, 1.0, 5.0][seed % 3])
    assert_kkt(ours, X, y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kernel,params", KERNELS[:3])
def test_binary_svc_matches_sklearn_breast_cancer(seed, kernel, params):
    X, y = breast_cancer(seed)
    ours, _ = compare_binary(X, y, kernel, params)
    assert_kkt(ours, X, y)


@pytest.mark.parametrize("C", [0.1, 1.0, 100.0])
@pytest.mark.parametrize("kernel,params", KERNELS)
def test_binary_svc_matches_sklearn_iris(C, kernel, params):
    X, y = iris_two_classes()
    ours, _ = compare_binary(X, y, kernel, params, C=C)
    assert_kkt(ours, X, y)


def test_string_labels_and_sign_convention():
    X, y = generated(0, (80, 3))
    labels = np.array(["no", "yes"])[y]
    ours = SVC(kernel="linear").fit(X, labels)
    ref = sk_svm.SVC(kernel="linear").fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # a positive decision value means classes_[1]
    np.testing.assert_array_equal(ours.predict(X) == "yes", ours.decision_function(X) > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_gamma_scale_and_kernels(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 4)) * rng.uniform(0.5, 3.0, size=4)
    ours = SVC(kernel="rbf").fit(X, rng.integers(2, size=30) if seed else np.arange(30) % 2)
    np.testing.assert_allclose(ours._gamma, 1.0 / (X.shape[1] * X.var()), rtol=1e-12)
    B = rng.normal(size=(7, 4))
    for kernel, params in [("linear", {}), ("rbf", {"gamma": 0.7}),
                           ("poly", {"gamma": 0.5, "degree": 3, "coef0": 1.5}),
                           ("sigmoid", {"gamma": 0.1, "coef0": 0.2})]:
        full = {"gamma": 1.0, "degree": 3, "coef0": 0.0} | params
        np.testing.assert_allclose(kernel_matrix(X, B, kernel=kernel, **full),
                                   pairwise_kernels(X, B, metric=kernel, filter_params=True, **params),
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_classes", [3, 4])
def test_multiclass_ovo_matches_sklearn(seed, n_classes):
    X, y = make_blobs(n_samples=40 * n_classes, centers=n_classes, n_features=3, cluster_std=2.5,
                      random_state=seed)
    X = standardise(X)
    ours = SVC(C=1.0, kernel="rbf", gamma=0.5, tol=1e-6).fit(X, y)
    ref = sk_svm.SVC(C=1.0, kernel="rbf", gamma=0.5, tol=1e-6, decision_function_shape="ovo").fit(X, y)
    f_ours, f_ref = ours.decision_function(X), ref.decision_function(X)
    assert f_ours.shape == (len(y), n_classes * (n_classes - 1) // 2)
    np.testing.assert_allclose(f_ours, f_ref, atol=DECISION_ATOL)
    clear = np.all(np.abs(f_ref) > DECISION_ATOL, axis=1)
    np.testing.assert_array_equal(ours.predict(X)[clear], ref.predict(X)[clear])
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=DECISION_ATOL)


def test_iris_three_classes_predictions():
    X, y = load_iris(return_X_y=True)
    ours = SVC(tol=1e-6).fit(X, y)
    ref = sk_svm.SVC(tol=1e-6).fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == ref.score(X, y)


def linear_svc_data(seed, shape, n_classes):
    n, d = shape
    X, y = make_classification(n_samples=n, n_features=d, n_informative=min(d, 3), n_redundant=0,
                               n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
    return standardise(X), y


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(60, 3), (120, 6)])
@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_svc_matches_liblinear(seed, shape, loss, n_classes):
    # Same objective as liblinear (bias penalised through intercept_scaling), solved to a tight
    # tolerance on both sides. The objective is strictly convex in w~ = (w, b), so its minimiser
    # is unique; a gap delta in objective allows ||w~ - w~*|| <= sqrt(2 delta), hence the 1e-4
    # on coefficients and the much tighter relative 1e-8 on objective values. (liblinear with
    # tol below ~1e-10 stops at max_iter with a worse solution, so 1e-9 is used.)
    X, y = linear_svc_data(seed, shape, n_classes)
    C = [0.1, 1.0][seed % 2]
    ours = LinearSVC(C=C, loss=loss, tol=1e-8, max_iter=20_000).fit(X, y)
    ref = sk_svm.LinearSVC(C=C, loss=loss, dual=True, tol=1e-9, max_iter=100_000).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-4)
    targets = [ours.classes_[1]] if n_classes == 2 else ours.classes_
    for k, label in enumerate(targets):
        np.testing.assert_allclose(primal_objective(ours, X, y == label, k, loss, C),
                                   primal_objective(ref, X, y == label, k, loss, C), rtol=1e-8)


def primal_objective(model, X, is_positive, k, loss, C):
    """0.5 (||w||^2 + b^2) + C sum loss(y_i (w^T x_i + b)), liblinear's objective (scaling 1)."""
    w, b = model.coef_[k], model.intercept_[k]
    slack = np.maximum(0.0, 1.0 - np.where(is_positive, 1.0, -1.0) * (X @ w + b))
    return 0.5 * (w @ w + b * b) + C * (slack if loss == "hinge" else slack**2).sum()


BAD_INPUTS = {
    "3d X": (np.zeros((4, 2, 2)), np.array([0, 1, 0, 1])),
    "1d X": (np.arange(4.0), np.array([0, 1, 0, 1])),
    "length mismatch": (np.arange(8.0).reshape(4, 2), np.array([0, 1, 0])),
    "nan": (np.array([[0.0, 1.0], [np.nan, 0.0], [1.0, 1.0], [2.0, 0.0]]), np.array([0, 1, 0, 1])),
    "inf": (np.array([[0.0, 1.0], [np.inf, 0.0], [1.0, 1.0], [2.0, 0.0]]), np.array([0, 1, 0, 1])),
    "one class": (np.arange(8.0).reshape(4, 2), np.array([1, 1, 1, 1])),
    "continuous y": (np.arange(8.0).reshape(4, 2), np.array([0.1, 0.5, 0.2, 0.9])),
}


@pytest.mark.parametrize("ours_cls,ref_cls", [(SVC, sk_svm.SVC), (LinearSVC, sk_svm.LinearSVC)])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_raises_like_sklearn(ours_cls, ref_cls, case):
    X, y = BAD_INPUTS[case]
    with pytest.raises(ValueError):
        ref_cls().fit(X, y)
    with pytest.raises(ValueError):
        ours_cls().fit(X, y)


@pytest.mark.parametrize("ours_cls,ref_cls", [(SVC, sk_svm.SVC), (LinearSVC, sk_svm.LinearSVC)])
def test_bad_parameters_and_predict_errors(ours_cls, ref_cls):
    X, y = generated(0, (30, 3))
    for C in (0.0, -1.0):
        with pytest.raises(ValueError, match="C must be positive"):
            ours_cls(C=C).fit(X, y)
        with pytest.raises(ValueError):
            ref_cls(C=C).fit(X, y)
    with pytest.raises(NotFittedError):
        ours_cls().predict(X)
    with pytest.raises(NotFittedError):
        ours_cls().decision_function(X)
    ours, ref = ours_cls().fit(X, y), ref_cls().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        ours.predict(X[:, :2])
    with pytest.raises(ValueError):
        ref.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        ours.predict(np.full((2, 3), np.nan))


def test_bad_kernel_gamma_and_loss():
    X, y = generated(0, (30, 3))
    for bad in [{"kernel": "cubic"}, {"gamma": -1.0}, {"gamma": "wide"}]:
        with pytest.raises(ValueError):
            SVC(**bad).fit(X, y)
        with pytest.raises(ValueError):
            sk_svm.SVC(**bad).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        LinearSVC(loss="log").fit(X, y)


def test_max_iter_warns():
    X, y = generated(1, (120, 5))
    with pytest.warns(UserWarning, match="max_iter"):
        SVC(max_iter=3, tol=1e-8).fit(X, y)


def test_pairs_cover_every_class_pair():
    X, y = make_blobs(n_samples=60, centers=4, random_state=0)
    model = SVC().fit(X, y)
    assert model.intercept_.shape == (len(list(itertools.combinations(range(4), 2))),)


@pytest.mark.parametrize("seed", SEEDS)
def test_dual_objective_method_matches_sklearn_solution(seed):
    X, y = generated(seed, (120, 5))
    ours = SVC(kernel="rbf", gamma=0.3, tol=1e-6).fit(X, y)
    ref = sk_svm.SVC(kernel="rbf", gamma=0.3, tol=1e-6).fit(X, y)
    np.testing.assert_allclose(ours.dual_objective(), dual_objective(ref, X), rtol=1e-6)
