"""CART trees against scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor.

Equal-gain ties: scikit-learn scans the features of every node in a random order and
keeps the first best split; groundml scans them in index order. When two features give
exactly the same gain (typical at small classification nodes, where one extreme sample
can be cut off by several features), the two libraries may pick different features and
grow different, equally good trees. So the exact comparisons use data on which such ties
cannot or do not occur (one feature; regression with continuous targets; classification
trees whose nodes stay large), and the tie-robust test checks the defining property of
CART at every node of every tree instead: the chosen split has the largest impurity
decrease, as computed by a scikit-learn stump fitted to that node's samples.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import tree as sk_tree
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

from groundml import NotFittedError
from groundml.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    entropy_impurity,
    gini_impurity,
    prune_cost_complexity,
)

SEEDS = range(5)
VARIANTS = [{}, {"max_depth": 3}, {"min_samples_leaf": 5}, {"max_depth": 4, "min_samples_leaf": 3},
            {"min_samples_split": 10}, {"min_impurity_decrease": 0.01}]


def float32_exact(A):
    """scikit-learn trees work on float32 copies of X; values exact in float32 make the
    thresholds (midpoints, computed in float64 by both) and the comparisons identical."""
    return np.asarray(A, dtype=np.float32).astype(float)


def make_classification_data(seed, n_samples, n_features, n_classes):
    rng = np.random.default_rng(seed)
    X = float32_exact(rng.normal(size=(n_samples, n_features)))
    score = X @ rng.normal(size=n_features) + 0.7 * rng.normal(size=n_samples)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def make_regression_data(seed, n_samples, n_features):
    rng = np.random.default_rng(seed)
    X = float32_exact(rng.normal(size=(n_samples, n_features)))
    y = np.sin(2 * X[:, 0]) + X[:, -1] ** 2 + 0.3 * rng.normal(size=n_samples)
    return X, y


def assert_same_tree(ours, ref, X_train, X_test, proba=True, min_clear=0.7):
    """Same tree as scikit-learn's, up to ties that split a node's training samples into
    the same two groups.

    The trees are walked together from the root. Matched nodes must hold the same set of
    training samples and the same value. A pair of internal nodes may use different
    (feature, threshold) only if both cut the node's samples into the same two groups
    (a tie, e.g. one extreme sample cut off by two features; the groups may even come
    out as left/right in either order); their children are then matched by sample set.
    Test points may go different ways at a tie, so test predictions are compared on the
    points whose path avoids the tie nodes, and everything is compared exactly when
    there is no tie. Returns the number of tie nodes.
    """
    t, s = ours.tree_, ref.tree_
    assert ours.get_depth() == ref.get_depth()
    assert ours.get_n_leaves() == ref.get_n_leaves()
    path_o = ours.decision_path(X_train)                                     # (n, nodes), bool
    path_s = ref.decision_path(float32_exact(X_train)).toarray().astype(bool)
    value_s = s.value[:, 0, :]                                               # (nodes, outputs)
    ties = np.zeros(s.node_count, dtype=bool)
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        assert_array_equal(path_o[:, i], path_s[:, j])                       # same samples
        assert_allclose(t.value[i], value_s[j], rtol=1e-12, atol=1e-12)
        assert_allclose(t.impurity[i], s.impurity[j], rtol=1e-10, atol=1e-12)
        assert (t.children_left[i] == -1) == (s.children_left[j] == -1)
        if t.children_left[i] == -1:
            continue
        li, ri, lj, rj = t.children_left[i], t.children_right[i], s.children_left[j], s.children_right[j]
        if (t.feature[i], t.threshold[i]) != (s.feature[j], s.threshold[j]):
            ties[j] = True
            if not np.array_equal(path_o[:, li], path_s[:, lj]):
                lj, rj = rj, lj                                              # groups swapped
        stack += [(li, lj), (ri, rj)]
    if not ties.any():
        assert_array_equal(t.feature, s.feature)
        assert_array_equal(t.threshold, s.threshold)
        assert_array_equal(ours.apply(X_test), ref.apply(float32_exact(X_test)))
        assert_allclose(ours.feature_importances_, ref.feature_importances_, rtol=0, atol=1e-12)
    clear = ~(ref.decision_path(float32_exact(X_test)).toarray()[:, ties].any(axis=1))
    # ties sit deep in the tree on few samples, so most test points avoid them (in fully
    # grown trees every two-sample node is a tie between all features that separate them)
    assert clear.mean() >= min_clear
    if proba:
        assert_allclose(ours.predict_proba(X_test)[clear], ref.predict_proba(X_test)[clear], atol=1e-12)
        assert_array_equal(ours.predict(X_train), ref.predict(X_train))
    else:
        # node means: scikit-learn accumulates sums in another order, hence ~1e-15 differences
        assert_allclose(ours.predict(X_test)[clear], ref.predict(X_test)[clear], rtol=1e-12, atol=1e-12)
        assert_allclose(ours.predict(X_train), ref.predict(X_train), rtol=1e-12, atol=1e-12)
    return int(ties.sum())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(100, 2), (300, 3), (60, 4)])
@pytest.mark.parametrize("variant", VARIANTS)
def test_regressor_equals_sklearn(seed, shape, variant):
    X, y = make_regression_data(seed, *shape)
    X_test = make_regression_data(seed + 100, 200, shape[1])[0]
    ours = DecisionTreeRegressor(**variant).fit(X, y)
    ref = sk_tree.DecisionTreeRegressor(random_state=seed, **variant).fit(X, y)
    assert_same_tree(ours, ref, X, X_test, proba=False, min_clear=0.1 if not variant else 0.7)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("variant", VARIANTS)
def test_classifier_one_feature_equals_sklearn(seed, criterion, n_classes, variant):
    # with one feature there is no tie between features; within a feature both libraries
    # keep the first (lowest) of equally good thresholds
    X, y = make_classification_data(seed, 150, 1, n_classes)
    X_test = make_classification_data(seed + 100, 200, 1, n_classes)[0]
    ours = DecisionTreeClassifier(criterion=criterion, **variant).fit(X, y)
    ref = sk_tree.DecisionTreeClassifier(criterion=criterion, random_state=seed, **variant).fit(X, y)
    assert_same_tree(ours, ref, X, X_test)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("shape", [(600, 5, 2), (900, 8, 3)])
def test_classifier_large_nodes_equals_sklearn(seed, criterion, shape):
    # depth 3 and at least 20 samples per leaf: nodes stay large, exact gain ties between
    # features do not occur on these data
    X, y = make_classification_data(seed, *shape)
    X_test = make_classification_data(seed + 100, 300, *shape[1:])[0]
    params = {"criterion": criterion, "max_depth": 3, "min_samples_leaf": 20}
    ours = DecisionTreeClassifier(**params).fit(X, y)
    ref = sk_tree.DecisionTreeClassifier(random_state=seed, **params).fit(X, y)
    assert_same_tree(ours, ref, X, X_test)


def _impurity_decrease(tree, node):
    t = tree.tree_
    left, right = t.children_left[node], t.children_right[node]
    w = t.weighted_n_node_samples
    return w[node] * t.impurity[node] - w[left] * t.impurity[left] - w[right] * t.impurity[right]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("variant", [{}, {"min_samples_leaf": 4}])
def test_every_split_is_optimal_as_sklearn_finds_it(seed, criterion, variant):
    """Tie-robust: at each internal node, a scikit-learn stump on the node's samples finds
    the same best impurity decrease, and our leaves are pure or unsplittable."""
    X, y = make_classification_data(seed, 200, 4, 3)
    ours = DecisionTreeClassifier(criterion=criterion, **variant).fit(X, y)
    t = ours.tree_
    # samples reaching each node: a node's samples are those whose path contains it
    paths = [[] for _ in range(t.node_count)]
    for i, x in enumerate(X):
        node = 0
        while True:
            paths[node].append(i)
            if t.children_left[node] == -1:
                break
            go_left = x[t.feature[node]] <= t.threshold[node]
            node = t.children_left[node] if go_left else t.children_right[node]
    for node in range(t.node_count):
        idx = np.asarray(paths[node])
        assert len(idx) == t.n_node_samples[node]
        stump = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=0,
                                               **variant).fit(X[idx], y[idx])
        if t.children_left[node] == -1:
            # a leaf: either pure, or scikit-learn cannot split it either
            assert t.impurity[node] == 0 or stump.get_n_leaves() == 1
        else:
            # scikit-learn sees only the classes present in the node, so its impurities
            # are those of the same proportions: same decrease up to rounding
            assert _impurity_decrease(ours, node) == pytest.approx(_impurity_decrease(stump, 0), abs=1e-9)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_bundled_data_training_fit_and_root_split(loader, criterion):
    # bundled data have repeated values and ties, so only tie-free facts are compared:
    # the root impurity decrease, training accuracy of full trees, and depth-1 accuracy
    X, y = loader(return_X_y=True)
    ours = DecisionTreeClassifier(criterion=criterion).fit(X, y)
    ref = sk_tree.DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y)
    assert ours.score(X, y) == ref.score(X, y)
    assert _impurity_decrease(ours, 0) == pytest.approx(_impurity_decrease(ref, 0), rel=1e-12)
    assert ours.tree_.impurity[0] == pytest.approx(ref.tree_.impurity[0], rel=1e-12)
    stump = DecisionTreeClassifier(criterion=criterion, max_depth=1).fit(X, y)
    sk_stump = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=0).fit(X, y)
    assert stump.score(X, y) == pytest.approx(sk_stump.score(X, y))


def test_diabetes_regressor_depth_limited():
    X, y = load_diabetes(return_X_y=True)
    X = float32_exact(X)
    ours = DecisionTreeRegressor(max_depth=4).fit(X, y)
    ref = sk_tree.DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    assert_same_tree(ours, ref, X, X, proba=False)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ccp_alpha", [0.002, 0.01, 0.05])
def test_cost_complexity_pruning_equals_sklearn(seed, ccp_alpha):
    X, y = make_regression_data(seed, 150, 2)
    X_test = make_regression_data(seed + 100, 200, 2)[0]
    ours = DecisionTreeRegressor(ccp_alpha=ccp_alpha).fit(X, y)
    ref = sk_tree.DecisionTreeRegressor(ccp_alpha=ccp_alpha, random_state=seed).fit(X, y)
    assert_same_tree(ours, ref, X, X_test, proba=False)


@pytest.mark.parametrize("seed", SEEDS)
def test_pruning_path_alphas_equal_sklearn(seed):
    X, y = make_regression_data(seed, 120, 2)
    full = DecisionTreeRegressor().fit(X, y)
    _, alphas = prune_cost_complexity(full.tree_, np.inf)
    path = sk_tree.DecisionTreeRegressor(random_state=seed).cost_complexity_pruning_path(X, y)
    # scikit-learn lists alpha = 0 for the full tree first; it merges steps with equal alphas
    expected = np.unique(path.ccp_alphas[1:])
    assert_allclose(np.unique(np.round(alphas, 12)), np.unique(np.round(expected, 12)), rtol=1e-9, atol=1e-12)


def test_impurity_functions():
    counts = np.array([[5, 5, 0], [10, 0, 0], [1, 2, 3]])
    p = counts / counts.sum(axis=1, keepdims=True)
    assert_allclose(gini_impurity(counts), 1 - (p**2).sum(axis=1), rtol=1e-14)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = -np.nansum(p * np.log2(p), axis=1)
    assert_allclose(entropy_impurity(counts), expected, rtol=1e-14)
    assert_allclose(entropy_impurity(counts)[0], 1.0)    # a fair coin has one bit
    assert gini_impurity(counts)[1] == 0


def test_string_labels_and_max_features():
    X, y = make_classification_data(0, 200, 6, 3)
    labels = np.array(["a", "b", "c"])[y]
    tree = DecisionTreeClassifier(max_features="sqrt", random_state=1).fit(X, labels)
    assert tree.max_features_ == 2
    assert set(tree.predict(X)) <= set(labels)
    assert tree.score(X, labels) == 1.0                  # a full tree fits distinct points exactly
    again = DecisionTreeClassifier(max_features="sqrt", random_state=1).fit(X, labels)
    assert_array_equal(again.tree_.feature, tree.tree_.feature)   # random_state makes it reproducible


BAD_INPUTS = [
    ("1d X", lambda X, y: (X[:, 0], y), "2D array"),
    ("length mismatch", lambda X, y: (X, y[:-1]), "inconsistent numbers of samples"),
    ("NaN", lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X), y), "NaN"),
    ("inf", lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 3, np.inf, X), y), "infinity"),
]


@pytest.mark.parametrize("name, corrupt, message", BAD_INPUTS)
@pytest.mark.parametrize("Ours, Ref", [(DecisionTreeClassifier, sk_tree.DecisionTreeClassifier),
                                       (DecisionTreeRegressor, sk_tree.DecisionTreeRegressor)])
def test_bad_input_raises_like_sklearn(name, corrupt, message, Ours, Ref):
    X, y = make_classification_data(0, 30, 3, 2)
    Xb, yb = corrupt(X, y)
    with pytest.raises(ValueError, match=message):
        Ours().fit(Xb, yb)
    if name == "NaN":
        # scikit-learn's trees (>= 1.3) support missing values and learn where NaN goes;
        # groundml's do not, so they reject NaN instead of silently mishandling it
        Ref().fit(Xb, yb)
    else:
        with pytest.raises(ValueError):
            Ref().fit(Xb, yb)


def test_classifier_target_errors():
    X, y = make_classification_data(0, 30, 3, 2)
    with pytest.raises(ValueError, match="only one class"):
        DecisionTreeClassifier().fit(X, np.zeros(30))
    # scikit-learn's tree accepts a single class (a one-leaf tree); groundml's classifiers all
    # reject it, as scikit-learn's LogisticRegression and SVC do
    assert sk_tree.DecisionTreeClassifier().fit(X, np.zeros(30)).get_n_leaves() == 1
    with pytest.raises(ValueError, match="continuous"):
        DecisionTreeClassifier().fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="NaN"):
        DecisionTreeRegressor().fit(X, np.where(np.arange(30) == 0, np.nan, 1.0))


@pytest.mark.parametrize("Ours", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_predict_errors(Ours):
    X, y = make_classification_data(0, 30, 3, 2)
    with pytest.raises(NotFittedError, match="not fitted"):
        Ours().predict(X)
    model = Ours().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* 3 features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        model.predict(np.full((2, 3), np.nan))


@pytest.mark.parametrize("params, message", [
    ({"criterion": "mse"}, "criterion"), ({"max_depth": 0}, "max_depth"),
    ({"min_samples_split": 1}, "min_samples_split"), ({"min_samples_leaf": 0}, "min_samples_leaf"),
    ({"max_features": 10}, "max_features"), ({"ccp_alpha": -1.0}, "ccp_alpha"),
])
def test_bad_parameters(params, message):
    X, y = make_classification_data(0, 30, 3, 2)
    with pytest.raises(ValueError, match=message):
        DecisionTreeClassifier(**params).fit(X, y)


def test_chunked_split_search_gives_the_same_tree(monkeypatch):
    # large nodes are scored a few features at a time; the chosen splits must not change
    X, y = make_classification_data(0, 300, 12, 3)
    whole = DecisionTreeClassifier(criterion="entropy").fit(X, y)
    monkeypatch.setattr("groundml.tree.MAX_CHUNK_ELEMENTS", 1000)
    chunked = DecisionTreeClassifier(criterion="entropy").fit(X, y)
    assert_array_equal(chunked.tree_.feature, whole.tree_.feature)
    assert_array_equal(chunked.tree_.threshold, whole.tree_.threshold)
