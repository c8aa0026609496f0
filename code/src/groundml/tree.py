"""Decision trees (CART) from scratch: classification and regression.

The book page ``book/machine-learning/decision-trees.md`` derives the impurities, the
vectorised split search and cost-complexity pruning used here. The estimators follow
scikit-learn's conventions and grow the same tree as ``sklearn.tree`` when no two
candidate splits have exactly the same gain: thresholds are midpoints between
consecutive distinct feature values, the tree is grown depth-first with the left child
first (so node ids agree with ``apply``), and the stopping rules are the same.
"""

import numbers

import numpy as np

from ._validation import (
    check_array,
    check_classification_targets,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

# Two feature values closer than this are treated as equal (no threshold between them),
# and an impurity below EPSILON counts as pure, as in scikit-learn.
FEATURE_THRESHOLD = 1e-7
EPSILON = np.finfo(float).eps
CLASSIFICATION_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error",)


def gini_impurity(counts):
    r"""Gini impurity :math:`1 - \sum_k p_k^2` of class counts.

    Parameters
    ----------
    counts : ndarray of shape (..., n_classes)
        Class counts (or weights) of one or several nodes.

    Returns
    -------
    impurity : ndarray of shape (...)
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1)
    p = counts / np.where(total > 0, total, 1.0)[..., None]
    return 1.0 - (p**2).sum(axis=-1)


def entropy_impurity(counts):
    r"""Entropy :math:`-\sum_k p_k \log_2 p_k` of class counts (in bits, :math:`0 \log 0 = 0`).

    Parameters
    ----------
    counts : ndarray of shape (..., n_classes)

    Returns
    -------
    impurity : ndarray of shape (...)
    """
    counts = np.asarray(counts, dtype=float)
    total = counts.sum(axis=-1)
    p = counts / np.where(total > 0, total, 1.0)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return -terms.sum(axis=-1)


def _node_impurity(stats, criterion):
    """Impurity of one node from its statistics (class weights, or (w, w*y, w*y^2) sums)."""
    if criterion == "gini":
        return float(gini_impurity(stats))
    if criterion in ("entropy", "log_loss"):
        return float(entropy_impurity(stats))
    w, wy, wyy = stats
    return max(wyy / w - (wy / w) ** 2, 0.0)


# Candidate features are scored in chunks so that the (n, features, classes) work arrays
# stay below this many elements, whatever the size of the node.
MAX_CHUNK_ELEMENTS = 2_000_000


def _split_scores(Xn, Yn, wn, criterion, features, min_samples_leaf, min_weight_leaf):
    """Scores of every threshold of every feature in ``features``, all at once.

    Each feature is sorted once; cumulative sums of the sorted weights and labels give
    both children's statistics for every threshold. The score is minus the children's
    weighted impurity (up to a constant), so larger is better.

    Returns
    -------
    scores : ndarray of shape (n - 1, len(features))
        Row ``i`` puts the ``i + 1`` smallest values on the left; ``-inf`` where no valid
        threshold exists (equal consecutive values, or a child that is too small).
    xs : ndarray of shape (n, len(features))
        The sorted feature values.
    """
    n = Xn.shape[0]
    Xf = Xn[:, features]                                     # (n, m)
    order = np.argsort(Xf, axis=0, kind="stable")            # sort once per feature
    xs = np.take_along_axis(Xf, order, axis=0)               # (n, m) sorted values
    ws = wn[order]                                           # (n, m)
    n_left = np.arange(1, n)[:, None]                        # (n-1, 1)
    valid = (xs[1:] > xs[:-1] + FEATURE_THRESHOLD)           # a threshold fits between them
    valid &= (n_left >= min_samples_leaf) & (n - n_left >= min_samples_leaf)
    w_left = np.cumsum(ws, axis=0)[:-1]                      # (n-1, m)
    w_right = wn.sum() - w_left
    if min_weight_leaf > 0:
        valid &= (w_left >= min_weight_leaf) & (w_right >= min_weight_leaf)
    with np.errstate(divide="ignore", invalid="ignore"):
        if Yn.ndim == 2:                                     # classification
            c_left = np.cumsum(Yn[order], axis=0)[:-1]       # (n-1, m, K) class weights
            c_right = Yn.sum(axis=0) - c_left
            if criterion == "gini":
                i_left = 1.0 - (c_left**2).sum(-1) / (w_left * w_left)
                i_right = 1.0 - (c_right**2).sum(-1) / (w_right * w_right)
            else:
                def entropy(c, w):
                    p = c / w[..., None]
                    return -np.where(c > 0, p * np.log(p) / np.log(2.0), 0.0).sum(-1)
                i_left, i_right = entropy(c_left, w_left), entropy(c_right, w_right)
            scores = -w_right * i_right - w_left * i_left    # -(wL i_L + wR i_R)
        else:                                                # regression, squared error
            s_left = np.cumsum(Yn[order] * ws, axis=0)[:-1]  # (n-1, m) weighted sums of y
            s_right = (Yn * wn).sum() - s_left
            # SSE_L + SSE_R = sum w y^2 - (sL^2 / wL + sR^2 / wR): maximise the bracket
            scores = s_left**2 / w_left + s_right**2 / w_right
    return np.where(valid, scores, -np.inf), xs


def _best_split(Xn, Yn, wn, criterion, features, min_samples_leaf, min_weight_leaf):
    """Best split of one node over ``features`` and all their thresholds.

    Parameters
    ----------
    Xn : ndarray of shape (n, n_features)
        Samples in the node.
    Yn : ndarray of shape (n, n_classes) or (n,)
        Weighted one-hot labels (classification) or targets (regression).
    wn : ndarray of shape (n,)
        Sample weights.
    features : ndarray of int
        Candidate features, in the order they are scanned (ties go to the first).

    Returns
    -------
    (feature, threshold, left_mask) or None if no valid split exists.
    """
    n = Xn.shape[0]
    if n < 2:
        return None
    per_feature = n * (Yn.shape[1] if Yn.ndim == 2 else 1)
    chunk = max(1, MAX_CHUNK_ELEMENTS // per_feature)
    best = None                                              # (score, feature, a, b)
    for start in range(0, len(features), chunk):
        scores, xs = _split_scores(Xn, Yn, wn, criterion, features[start:start + chunk],
                                   min_samples_leaf, min_weight_leaf)
        # first maximum in (feature, position) order: scan order, then thresholds ascending
        j, i = divmod(int(np.argmax(scores.T)), n - 1)
        if np.isfinite(scores[i, j]) and (best is None or scores[i, j] > best[0]):
            best = (scores[i, j], int(features[start + j]), xs[i, j], xs[i + 1, j])
    if best is None:
        return None
    _, feature, a, b = best
    threshold = a / 2.0 + b / 2.0                            # midpoint of consecutive values
    if threshold == b or not np.isfinite(threshold):         # rounding: keep x <= t on the left
        threshold = a
    return feature, threshold, Xn[:, feature] <= threshold


class _TreeStructure:
    """Arrays of a fitted tree, indexed by node id (pre-order, left child first).

    ``children_left[i] == -1`` marks a leaf. ``value`` has shape (n_nodes, n_outputs):
    class proportions for classification, the mean target for regression.
    """

    def __init__(self, n_features):
        self.n_features = n_features
        self.children_left, self.children_right, self.feature, self.threshold = [], [], [], []
        self.impurity, self.n_node_samples, self.weighted_n_node_samples, self.value = [], [], [], []

    def add_node(self, impurity, n, w, value):
        for lst, v in ((self.children_left, -1), (self.children_right, -1), (self.feature, -2),
                       (self.threshold, -2.0), (self.impurity, impurity), (self.n_node_samples, n),
                       (self.weighted_n_node_samples, w), (self.value, value)):
            lst.append(v)
        return len(self.impurity) - 1

    def finalise(self):
        self.children_left = np.asarray(self.children_left, dtype=np.intp)
        self.children_right = np.asarray(self.children_right, dtype=np.intp)
        self.feature = np.asarray(self.feature, dtype=np.intp)
        self.threshold = np.asarray(self.threshold, dtype=float)
        self.impurity = np.asarray(self.impurity, dtype=float)
        self.n_node_samples = np.asarray(self.n_node_samples, dtype=np.intp)
        self.weighted_n_node_samples = np.asarray(self.weighted_n_node_samples, dtype=float)
        self.value = np.asarray(self.value, dtype=float)
        return self

    @property
    def node_count(self):
        return len(self.impurity)

    def apply(self, X):
        """Leaf id of each row of ``X``: all rows descend together, one level per step."""
        node = np.zeros(X.shape[0], dtype=np.intp)
        rows = np.arange(X.shape[0])
        active = self.children_left[node] != -1
        while active.any():
            r, nd = rows[active], node[active]
            go_left = X[r, self.feature[nd]] <= self.threshold[nd]
            node[r] = np.where(go_left, self.children_left[nd], self.children_right[nd])
            active = self.children_left[node] != -1
        return node

    def decision_path(self, X):
        """Indicator matrix of shape (n_samples, n_nodes): which nodes each sample visits."""
        path = np.zeros((X.shape[0], self.node_count), dtype=bool)
        node = np.zeros(X.shape[0], dtype=np.intp)
        rows = np.arange(X.shape[0])
        path[rows, 0] = True
        active = self.children_left[node] != -1
        while active.any():
            r, nd = rows[active], node[active]
            go_left = X[r, self.feature[nd]] <= self.threshold[nd]
            node[r] = np.where(go_left, self.children_left[nd], self.children_right[nd])
            path[r, node[r]] = True
            active = self.children_left[node] != -1
        return path

    def depth(self):
        depths = np.zeros(self.node_count, dtype=int)
        for i in range(self.node_count):                     # parents come before children
            for c in (self.children_left[i], self.children_right[i]):
                if c != -1:
                    depths[c] = depths[i] + 1
        return int(depths.max())

    def n_leaves(self):
        return int(np.sum(self.children_left == -1))

    def feature_importances(self):
        """Total weighted impurity decrease per feature, normalised to sum to 1."""
        imp = np.zeros(self.n_features)
        w, g = self.weighted_n_node_samples, self.impurity
        for i in np.flatnonzero(self.children_left != -1):
            left, right = self.children_left[i], self.children_right[i]
            imp[self.feature[i]] += w[i] * g[i] - w[left] * g[left] - w[right] * g[right]
        imp /= w[0]
        total = imp.sum()
        return imp / total if total > 0 else imp


def _resolve_count(value, n, name, minimum):
    """An int count, or a float fraction of ``n`` (rounded up), as scikit-learn accepts."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < minimum:
            raise ValueError(f"{name} must be an int >= {minimum} or a float in (0, 1], got {value!r}.")
        return int(value)
    if isinstance(value, numbers.Real) and 0.0 < value <= 1.0:
        return max(int(np.ceil(value * n)), minimum if name == "min_samples_split" else 1)
    raise ValueError(f"{name} must be an int >= {minimum} or a float in (0, 1], got {value!r}.")


def resolve_max_features(max_features, n_features):
    """Number of features tried per split for scikit-learn's ``max_features`` options."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        if not 1 <= max_features <= n_features:
            raise ValueError(f"max_features must be in [1, n_features={n_features}], got {max_features}.")
        return int(max_features)
    if isinstance(max_features, numbers.Real) and 0.0 < max_features <= 1.0:
        return max(1, int(max_features * n_features))
    raise ValueError(
        f"max_features must be None, 'sqrt', 'log2', an int or a float in (0, 1], got {max_features!r}."
    )


def build_tree(X, Y, sample_weight, *, criterion, max_depth, min_samples_split, min_samples_leaf,
               min_weight_fraction_leaf=0.0, max_features, min_impurity_decrease, rng):
    """Grow a CART tree depth-first (pre-order ids, left child first).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes) or (n_samples,)
        One-hot labels (classification) or targets (regression).
    sample_weight : ndarray of shape (n_samples,)
    rng : numpy.random.Generator
        Draws the candidate features of each node when ``max_features < n_features``.

    Returns
    -------
    tree : _TreeStructure
    """
    n_samples, n_features = X.shape
    classification = Y.ndim == 2
    max_depth = np.inf if max_depth is None else max_depth
    m = resolve_max_features(max_features, n_features)
    w_root = sample_weight.sum()
    min_weight_leaf = min_weight_fraction_leaf * w_root
    Yw = Y * sample_weight[:, None] if classification else Y
    tree = _TreeStructure(n_features)

    def node_stats(idx):
        w = sample_weight[idx]
        if classification:
            counts = Yw[idx].sum(axis=0)
            return counts, counts / counts.sum()
        wy = w @ Y[idx]
        stats = (w.sum(), wy, w @ Y[idx] ** 2)
        return stats, np.array([wy / stats[0]])

    # stack of (sample indices, depth, parent id, is_left); pop order gives pre-order ids
    stack = [(np.arange(n_samples), 0, -1, False)]
    while stack:
        idx, depth, parent, is_left = stack.pop()
        stats, value = node_stats(idx)
        impurity = _node_impurity(stats, criterion)
        n_node = idx.shape[0]
        w_node = sample_weight[idx].sum()
        node = tree.add_node(impurity, n_node, w_node, value)
        if parent >= 0:
            (tree.children_left if is_left else tree.children_right)[parent] = node
        is_leaf = (depth >= max_depth or n_node < min_samples_split or n_node < 2 * min_samples_leaf
                   or w_node < 2 * min_weight_leaf or impurity <= EPSILON)
        split = None
        if not is_leaf:
            Xn = X[idx]
            if m < n_features:
                # scan features in random order; constant ones do not count towards m
                perm = rng.permutation(n_features)
                spread = Xn[:, perm].max(axis=0) - Xn[:, perm].min(axis=0)
                features = perm[spread > FEATURE_THRESHOLD][:m]
            else:
                features = np.arange(n_features)
            if features.size:
                split = _best_split(Xn, Yw[idx], sample_weight[idx], criterion, features,
                                    min_samples_leaf, min_weight_leaf)
        if split is not None:
            feature, threshold, go_left = split
            left, right = idx[go_left], idx[~go_left]
            w_l, w_r = sample_weight[left].sum(), sample_weight[right].sum()
            imp_l = _node_impurity(node_stats(left)[0], criterion)
            imp_r = _node_impurity(node_stats(right)[0], criterion)
            # weighted impurity decrease, relative to the whole training set
            decrease = w_node / w_root * (impurity - w_l / w_node * imp_l - w_r / w_node * imp_r)
            if decrease + EPSILON < min_impurity_decrease:
                split = None
        if split is not None:
            tree.feature[node], tree.threshold[node] = feature, threshold
            stack.append((right, depth + 1, node, False))
            stack.append((left, depth + 1, node, True))      # popped first: left subtree first
    return tree.finalise()


def prune_cost_complexity(tree, ccp_alpha):
    r"""Minimal cost-complexity pruning (weakest-link cutting).

    Repeatedly collapses the internal node :math:`t` with the smallest effective alpha
    :math:`g(t) = (R(t) - R(T_t)) / (|\tilde T_t| - 1)`, where :math:`R` is the impurity
    weighted by the fraction of training weight in the node and :math:`|\tilde T_t|` the
    number of leaves under :math:`t`, while :math:`g(t) \le` ``ccp_alpha``.

    Returns
    -------
    pruned : _TreeStructure
        A new tree with pre-order node ids.
    alphas : list of float
        The effective alphas of the pruning steps taken, in order.
    """
    n = tree.node_count
    left, right = tree.children_left.copy(), tree.children_right.copy()
    r_node = tree.weighted_n_node_samples / tree.weighted_n_node_samples[0] * tree.impurity
    alphas = []
    while left[0] != -1:
        r_sub, leaves = r_node.copy(), np.ones(n)
        for i in range(n - 1, -1, -1):                       # children have larger ids
            if left[i] != -1:
                r_sub[i] = r_sub[left[i]] + r_sub[right[i]]
                leaves[i] = leaves[left[i]] + leaves[right[i]]
        # only nodes still reachable from the root matter
        reachable = np.zeros(n, dtype=bool)
        reachable[0] = True
        for i in range(n):
            if reachable[i] and left[i] != -1:
                reachable[left[i]] = reachable[right[i]] = True
        internal = np.flatnonzero(reachable & (left != -1))
        g = (r_node[internal] - r_sub[internal]) / (leaves[internal] - 1)
        k = int(np.argmin(g))
        if g[k] > ccp_alpha:
            break
        alphas.append(float(g[k]))
        left[internal[k]] = right[internal[k]] = -1          # collapse the weakest link
    # copy the reachable part with fresh pre-order ids
    new = _TreeStructure(tree.n_features)
    stack = [(0, -1, False)]
    while stack:
        old, parent, is_left = stack.pop()
        node = new.add_node(tree.impurity[old], tree.n_node_samples[old],
                            tree.weighted_n_node_samples[old], tree.value[old])
        if parent >= 0:
            (new.children_left if is_left else new.children_right)[parent] = node
        if left[old] != -1:
            new.feature[node], new.threshold[node] = tree.feature[old], tree.threshold[old]
            stack.append((right[old], node, False))
            stack.append((left[old], node, True))
    return new.finalise(), alphas


class _BaseDecisionTree:
    """Shared parameters, fitting and tree inspection of both tree estimators."""

    _criteria = ()

    def __init__(self, *, criterion, max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 min_weight_fraction_leaf=0.0, max_features=None, random_state=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    def _fit_tree(self, X, Y, sample_weight):
        if self.criterion not in self._criteria:
            raise ValueError(f"criterion must be one of {self._criteria}, got {self.criterion!r}.")
        if self.max_depth is not None and (not isinstance(self.max_depth, numbers.Integral)
                                           or self.max_depth < 1):
            raise ValueError(f"max_depth must be None or an int >= 1, got {self.max_depth!r}.")
        if not self.min_impurity_decrease >= 0:
            raise ValueError(f"min_impurity_decrease must be >= 0, got {self.min_impurity_decrease!r}.")
        if not self.ccp_alpha >= 0:
            raise ValueError(f"ccp_alpha must be >= 0, got {self.ccp_alpha!r}.")
        if not 0.0 <= self.min_weight_fraction_leaf <= 0.5:
            raise ValueError("min_weight_fraction_leaf must be in [0, 0.5], "
                             f"got {self.min_weight_fraction_leaf!r}.")
        n_samples = X.shape[0]
        min_leaf = _resolve_count(self.min_samples_leaf, n_samples, "min_samples_leaf", 1)
        min_split = _resolve_count(self.min_samples_split, n_samples, "min_samples_split", 2)
        min_split = max(min_split, 2 * min_leaf)
        if sample_weight is None:
            sample_weight = np.ones(n_samples)
        else:
            sample_weight = check_array(sample_weight, name="sample_weight", ensure_2d=False)
            if sample_weight.shape != (n_samples,) or np.any(sample_weight < 0):
                raise ValueError("sample_weight must be a non-negative array of shape (n_samples,).")
        rng = np.random.default_rng(self.random_state)
        tree = build_tree(
            X, Y, sample_weight, criterion=self.criterion, max_depth=self.max_depth,
            min_samples_split=min_split, min_samples_leaf=min_leaf,
            min_weight_fraction_leaf=self.min_weight_fraction_leaf, max_features=self.max_features,
            min_impurity_decrease=self.min_impurity_decrease, rng=rng,
        )
        if self.ccp_alpha > 0:
            tree, _ = prune_cost_complexity(tree, self.ccp_alpha)
        self.tree_ = tree
        self.n_features_in_ = X.shape[1]
        self.max_features_ = resolve_max_features(self.max_features, X.shape[1])
        return self

    def _validate_X_predict(self, X):
        check_is_fitted(self, "tree_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def apply(self, X):
        """Index of the leaf that each sample ends up in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        leaves : ndarray of shape (n_samples,)
        """
        return self.tree_.apply(self._validate_X_predict(X))

    def decision_path(self, X):
        """Dense indicator matrix of shape (n_samples, n_nodes): node ``j`` is on the path of
        sample ``i`` (scikit-learn returns the same matrix as a sparse one)."""
        return self.tree_.decision_path(self._validate_X_predict(X))

    def get_depth(self):
        """Length of the longest root-to-leaf path (a single leaf has depth 0)."""
        check_is_fitted(self, "tree_")
        return self.tree_.depth()

    def get_n_leaves(self):
        """Number of leaves."""
        check_is_fitted(self, "tree_")
        return self.tree_.n_leaves()

    @property
    def feature_importances_(self):
        """Mean decrease in impurity per feature (weighted by node size), summing to 1."""
        check_is_fitted(self, "tree_")
        return self.tree_.feature_importances()


class DecisionTreeClassifier(_BaseDecisionTree):
    r"""CART classification tree.

    Each internal node sends :math:`x` left if ``x[feature] <= threshold``; each leaf
    predicts the class proportions of the training samples that reach it. A node is split
    at the threshold with the largest decrease in weighted impurity,

    .. math::

        \Delta = \frac{n_t}{n} \Bigl( i(t) - \frac{n_L}{n_t} i(L) - \frac{n_R}{n_t} i(R) \Bigr),

    with :math:`i` the Gini impurity :math:`1 - \sum_k p_k^2` or the entropy
    :math:`-\sum_k p_k \log_2 p_k`.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        ``"log_loss"`` is the same as ``"entropy"``.
    max_depth : int or None, default=None
        Maximum depth; None grows until leaves are pure or cannot be split.
    min_samples_split : int or float, default=2
        Minimum number of samples a node needs to be split.
    min_samples_leaf : int or float, default=1
        Minimum number of samples in each child of a split.
    min_weight_fraction_leaf : float, default=0.0
        Minimum fraction of the total sample weight in each child.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Number of features drawn at random (without replacement) at each node.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the feature draws; only matters when ``max_features`` is not None.
    min_impurity_decrease : float, default=0.0
        A node is split only if :math:`\Delta` is at least this.
    ccp_alpha : float, default=0.0
        Complexity parameter of minimal cost-complexity pruning, applied after growing.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    max_features_ : int
    tree_ : object
        Arrays ``children_left``, ``children_right``, ``feature``, ``threshold``,
        ``impurity``, ``n_node_samples``, ``weighted_n_node_samples`` and ``value``
        (shape (n_nodes, n_classes), class proportions), indexed by node id.
    feature_importances_ : ndarray of shape (n_features,)

    Notes
    -----
    The split search sorts each feature once per node and evaluates every threshold at
    once from cumulative class counts. Derivations: the book page "Decision trees".
    """

    _criteria = CLASSIFICATION_CRITERIA

    def __init__(self, *, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1,
                 min_weight_fraction_leaf=0.0, max_features=None, random_state=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0):
        super().__init__(criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
                         random_state=random_state, min_impurity_decrease=min_impurity_decrease,
                         ccp_alpha=ccp_alpha)

    def fit(self, X, y, sample_weight=None):
        """Grow the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (integers or strings).
        sample_weight : array-like of shape (n_samples,) or None

        Returns
        -------
        self : DecisionTreeClassifier
        """
        X = check_array(X)
        y = np.asarray(y)
        if y.ndim == 0 or X.shape[0] != y.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, "
                f"y has {y.shape[0] if y.ndim else 'a scalar'}."
            )
        self.classes_, y_enc = check_classification_targets(y)
        self.n_classes_ = len(self.classes_)
        Y = np.eye(self.n_classes_)[y_enc]                   # one-hot, (n_samples, n_classes)
        return self._fit_tree(X, Y, sample_weight)

    def predict_proba(self, X):
        """Class proportions of the leaf of each sample, shape (n_samples, n_classes)."""
        X = self._validate_X_predict(X)
        return self.tree_.value[self.tree_.apply(X)]

    def predict(self, X):
        """Most frequent class of the leaf of each sample (first class on ties)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class DecisionTreeRegressor(_BaseDecisionTree):
    r"""CART regression tree: leaves predict the mean target; splits reduce squared error.

    A node is split where the weighted decrease in variance,
    :math:`\frac{n_t}{n}\bigl(\mathrm{Var}(t) - \frac{n_L}{n_t}\mathrm{Var}(L)
    - \frac{n_R}{n_t}\mathrm{Var}(R)\bigr)`, is largest. Parameters and attributes are those
    of :class:`DecisionTreeClassifier`, with ``criterion="squared_error"`` the only
    criterion and ``tree_.value`` of shape (n_nodes, 1) holding the node means.

    Notes
    -----
    For each feature, cumulative sums of the sorted targets give the left and right sums
    :math:`S_L, S_R` at every threshold; minimising the children's squared error is then
    maximising :math:`S_L^2 / n_L + S_R^2 / n_R`, for all thresholds at once. Derived in
    the book page "Decision trees".
    """

    _criteria = REGRESSION_CRITERIA

    def __init__(self, *, criterion="squared_error", max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_features=None,
                 random_state=None, min_impurity_decrease=0.0, ccp_alpha=0.0):
        super().__init__(criterion=criterion, max_depth=max_depth, min_samples_split=min_samples_split,
                         min_samples_leaf=min_samples_leaf,
                         min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
                         random_state=random_state, min_impurity_decrease=min_impurity_decrease,
                         ccp_alpha=ccp_alpha)

    def fit(self, X, y, sample_weight=None):
        """Grow the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,) or None

        Returns
        -------
        self : DecisionTreeRegressor
        """
        X, y = check_X_y(X, y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y must be 1D (one target), got shape {y.shape}.")
        return self._fit_tree(X, y, sample_weight)

    def predict(self, X):
        """Mean training target of the leaf of each sample, shape (n_samples,)."""
        X = self._validate_X_predict(X)
        return self.tree_.value[self.tree_.apply(X), 0]

    def score(self, X, y):
        """Coefficient of determination :math:`R^2` on ``(X, y)``."""
        y = np.asarray(y, dtype=float)
        residual = np.sum((y - self.predict(X)) ** 2)
        return float(1.0 - residual / np.sum((y - y.mean()) ** 2))
