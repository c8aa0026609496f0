"""Clustering from scratch: k-means, agglomerative clustering, DBSCAN and two metrics.

The book pages ``book/machine-learning/k-means.md`` and
``book/machine-learning/clustering.md`` derive the algorithms. The estimators follow
scikit-learn's conventions (keyword-only ``__init__`` that only stores its arguments,
``fit`` returning ``self``, learned attributes ending in ``_``), so each can stand in
for its ``sklearn.cluster`` counterpart.
"""

import warnings

import numpy as np

from ._validation import ConvergenceWarning, check_array, check_is_fitted, check_n_features

__all__ = [
    "AgglomerativeClustering",
    "DBSCAN",
    "KMeans",
    "adjusted_rand_score",
    "kmeans_plusplus",
    "silhouette_samples",
    "silhouette_score",
]


def _squared_distances(X, C, X_sq=None):
    r"""Squared Euclidean distances, :math:`\lVert x\rVert^2 - 2 x^\top c + \lVert c\rVert^2`.

    X : (n, d), C : (k, d) -> (n, k), clipped at 0 (rounding can make tiny values negative).
    """
    if X_sq is None:
        X_sq = np.einsum("ij,ij->i", X, X)
    C_sq = np.einsum("ij,ij->i", C, C)
    D = X_sq[:, None] - 2.0 * (X @ C.T) + C_sq[None, :]
    return np.maximum(D, 0.0, out=D)


def _pairwise_distances(X):
    """Euclidean distance matrix of the rows of X, (n, n), with an exact zero diagonal."""
    D = np.sqrt(_squared_distances(X, X))
    np.fill_diagonal(D, 0.0)
    return D


def _check_n_clusters(n_clusters, n_samples, name="n_clusters"):
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or n_clusters < 1:
        raise ValueError(f"{name} must be a positive integer, got {n_clusters!r}.")
    if n_samples < n_clusters:
        raise ValueError(f"n_samples={n_samples} should be >= {name}={n_clusters}.")


# ---------------------------------------------------------------------------------------
# k-means
# ---------------------------------------------------------------------------------------


def kmeans_plusplus(X, n_clusters, *, random_state=None, n_local_trials=None):
    r"""Choose initial centres by greedy k-means++ seeding.

    The first centre is a data point drawn uniformly. Each further centre is drawn with
    probability proportional to :math:`D(x)^2`, the squared distance from ``x`` to the
    nearest centre chosen so far. The *greedy* variant draws ``n_local_trials``
    candidates this way and keeps the one that lowers the potential
    :math:`\sum_x D(x)^2` most (``n_local_trials=1`` is plain k-means++).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    random_state : None, int or numpy.random.Generator
    n_local_trials : int or None, default=None
        None uses ``2 + int(log(n_clusters))``, as scikit-learn does.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
        Rows of ``X``.
    indices : ndarray of shape (n_clusters,)
        Their row indices in ``X``.

    Notes
    -----
    Plain k-means++ gives :math:`\mathbb{E}[\text{inertia}] \le 8(\ln k + 2)\,\mathrm{OPT}`
    (Arthur and Vassilvitskii, 2007). Derived in the book page *k-means*.
    """
    X = check_array(X)
    n_samples = X.shape[0]
    _check_n_clusters(n_clusters, n_samples)
    rng = np.random.default_rng(random_state)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    X_sq = np.einsum("ij,ij->i", X, X)
    indices = np.empty(n_clusters, dtype=int)
    indices[0] = rng.integers(n_samples)
    closest = _squared_distances(X, X[indices[:1]], X_sq)[:, 0]     # D(x)^2, (n_samples,)
    for c in range(1, n_clusters):
        potential = closest.sum()
        if potential > 0:
            cumulative = np.cumsum(closest)
            draws = rng.uniform(size=n_local_trials) * cumulative[-1]
            candidates = np.minimum(np.searchsorted(cumulative, draws, side="right"), n_samples - 1)
        else:                                             # every point is already a centre
            candidates = rng.integers(n_samples, size=n_local_trials)
        dist_cand = _squared_distances(X[candidates], X, X_sq[candidates])   # (trials, n)
        np.minimum(dist_cand, closest[None, :], out=dist_cand)
        best = int(np.argmin(dist_cand.sum(axis=1)))
        indices[c] = candidates[best]
        closest = dist_cand[best]
    return X[indices].copy(), indices


def _lloyd(X, centers, max_iter, tol, X_sq):
    """One run of Lloyd's algorithm from ``centers``. Returns labels, inertia, centers, n_iter."""
    n_samples = X.shape[0]
    k = centers.shape[0]
    labels_old = np.full(n_samples, -1)
    strict = False
    rows = np.arange(n_samples)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        dist = _squared_distances(X, centers, X_sq)                  # (n, k)
        labels = np.argmin(dist, axis=1)                               # assignment step
        counts = np.bincount(labels, minlength=k)
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            # Move each empty cluster to one of the points farthest from its centre.
            far = np.argsort(dist[rows, labels], kind="stable")[::-1][: empty.size]
            labels[far] = empty
            counts = np.bincount(labels, minlength=k)
        one_hot = np.zeros((n_samples, k))
        one_hot[rows, labels] = 1.0
        new_centers = (one_hot.T @ X) / counts[:, None]                # update step, (k, d)
        shift = np.sum((new_centers - centers) ** 2)
        centers = new_centers
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:                                                     # labels for the final centres
        labels = np.argmin(_squared_distances(X, centers, X_sq), axis=1)
    inertia = float(np.sum((X - centers[labels]) ** 2))
    return labels, inertia, centers, n_iter


class KMeans:
    r"""k-means clustering by Lloyd's algorithm.

    Minimises the *inertia* :math:`\sum_i \lVert x_i - \mu_{c(i)} \rVert^2` by
    alternating an assignment step (each point to its nearest centre) and an update step
    (each centre to the mean of its points). Neither step can increase the inertia.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"} or ndarray of shape (n_clusters, n_features)
        ``"random"`` takes ``n_clusters`` distinct data points uniformly at random.
    n_init : "auto" or int, default="auto"
        Number of runs from different seeds; the run with the lowest inertia is kept.
        ``"auto"`` means 1 run for ``"k-means++"`` or an array, 10 for ``"random"``.
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when the squared Frobenius norm of the change of the centres is at most
        ``tol`` times the mean per-feature variance of ``X`` (or when no label changes).
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
    n_iter_ : int
    n_features_in_ : int

    Notes
    -----
    Cost per iteration :math:`O(nkd)`, dominated by the squared distances
    :math:`\lVert x\rVert^2 - 2x^\top\mu + \lVert\mu\rVert^2` computed as one matrix
    product. An empty cluster is moved to the point farthest from its centre. Derived in
    the book page *k-means*.
    """

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
                 random_state=None):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _init_centers(self, X, rng):
        k = self.n_clusters
        if isinstance(self.init, str) and self.init == "k-means++":
            return kmeans_plusplus(X, k, random_state=rng)[0]
        if isinstance(self.init, str) and self.init == "random":
            return X[rng.choice(X.shape[0], size=k, replace=False)].copy()
        raise ValueError(f"init must be 'k-means++', 'random' or an array, got {self.init!r}.")

    def fit(self, X, y=None):
        """Run k-means on ``X`` of shape (n_samples, n_features); ``y`` is ignored."""
        X = check_array(X)
        n_samples, n_features = X.shape
        _check_n_clusters(self.n_clusters, n_samples)
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}.")
        if self.tol < 0:
            raise ValueError(f"tol must be >= 0, got {self.tol!r}.")
        init_array = None
        if not isinstance(self.init, str):
            init_array = check_array(self.init, name="init")
            if init_array.shape != (self.n_clusters, n_features):
                raise ValueError(
                    f"The shape of the initial centers {init_array.shape} does not match "
                    f"(n_clusters, n_features) = ({self.n_clusters}, {n_features})."
                )
        elif self.init not in ("k-means++", "random"):
            raise ValueError(f"init must be 'k-means++', 'random' or an array, got {self.init!r}.")
        if self.n_init == "auto":
            n_init = 10 if self.init == "random" else 1
        elif isinstance(self.n_init, (int, np.integer)) and self.n_init >= 1:
            n_init = int(self.n_init)
        else:
            raise ValueError(f"n_init must be 'auto' or a positive integer, got {self.n_init!r}.")
        if init_array is not None and n_init != 1:
            warnings.warn("Explicit initial centers given: running k-means once (n_init=1).",
                          RuntimeWarning, stacklevel=2)
            n_init = 1

        rng = np.random.default_rng(self.random_state)
        tol = self.tol * float(np.mean(np.var(X, axis=0)))             # scale-free tolerance
        x_mean = X.mean(axis=0)
        Xc = X - x_mean                                                 # centred: fewer rounding errors
        X_sq = np.einsum("ij,ij->i", Xc, Xc)
        best = None
        for _ in range(n_init):
            start = init_array - x_mean if init_array is not None else self._init_centers(Xc, rng)
            run = _lloyd(Xc, start, self.max_iter, tol, X_sq)
            if best is None or run[1] < best[1]:
                best = run
        labels, inertia, centers, n_iter = best
        n_distinct = np.unique(labels).size
        if n_distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({n_distinct}) found smaller than n_clusters "
                f"({self.n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning, stacklevel=2,
            )
        self.cluster_centers_ = centers + x_mean
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.n_features_in_ = n_features
        return self

    def fit_predict(self, X, y=None):
        """Fit and return ``labels_``, of shape (n_samples,)."""
        return self.fit(X).labels_

    def _check(self, X):
        check_is_fitted(self, "cluster_centers_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def transform(self, X):
        """Euclidean distances to every centre, of shape (n_samples, n_clusters)."""
        X = self._check(X)
        return np.sqrt(_squared_distances(X, self.cluster_centers_))

    def predict(self, X):
        """Index of the nearest centre for each row of ``X``, of shape (n_samples,)."""
        X = self._check(X)
        return np.argmin(_squared_distances(X, self.cluster_centers_), axis=1)

    def score(self, X, y=None):
        """Minus the inertia of ``X`` with respect to the fitted centres (higher is better)."""
        X = self._check(X)
        return -float(np.sum(np.min(_squared_distances(X, self.cluster_centers_), axis=1)))


# ---------------------------------------------------------------------------------------
# Agglomerative clustering
# ---------------------------------------------------------------------------------------

LINKAGES = ("ward", "complete", "average", "single")


class AgglomerativeClustering:
    r"""Bottom-up hierarchical clustering with the Lance–Williams update.

    Starts with every point in its own cluster and repeatedly merges the two closest
    clusters. After merging :math:`i` and :math:`j`, the distance from the new cluster
    to any other cluster :math:`k` is

    * ``"single"``: :math:`\min(d_{ik}, d_{jk})` (closest pair of points),
    * ``"complete"``: :math:`\max(d_{ik}, d_{jk})` (farthest pair of points),
    * ``"average"``: :math:`(n_i d_{ik} + n_j d_{jk}) / (n_i + n_j)` (mean over all pairs),
    * ``"ward"``: :math:`\sqrt{\big((n_i+n_k) d_{ik}^2 + (n_j+n_k) d_{jk}^2 - n_k d_{ij}^2\big)
      / (n_i+n_j+n_k)}`, whose square is twice the increase of the within-cluster sum of
      squares caused by merging.

    Parameters
    ----------
    n_clusters : int, default=2
    linkage : {"ward", "complete", "average", "single"}, default="ward"

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    children_ : ndarray of shape (n_samples - 1, 2)
        Merge ``i`` joins nodes ``children_[i]`` into node ``n_samples + i`` (leaves are
        ``0 .. n_samples - 1``), as in scikit-learn. The full tree is always built.
    distances_ : ndarray of shape (n_samples - 1,)
        Linkage distance of each merge (SciPy's ``linkage`` heights).
    n_clusters_, n_leaves_, n_features_in_ : int

    Notes
    -----
    :math:`O(n^2)` memory and :math:`O(n^3)` time (a scan of the distance matrix per merge).
    Derived in the book page *Hierarchical clustering, DBSCAN and clustering evaluation*.
    """

    def __init__(self, n_clusters=2, *, linkage="ward"):
        self.n_clusters = n_clusters
        self.linkage = linkage

    def fit(self, X, y=None):
        """Build the merge tree of ``X`` (n_samples, n_features) and cut it at ``n_clusters``."""
        X = check_array(X)
        n = X.shape[0]
        if n < 2:
            raise ValueError(f"Found array with {n} sample(s); AgglomerativeClustering needs at least 2.")
        _check_n_clusters(self.n_clusters, n)
        if self.linkage not in LINKAGES:
            raise ValueError(f"linkage must be one of {LINKAGES}, got {self.linkage!r}.")
        D = _pairwise_distances(X)
        np.fill_diagonal(D, np.inf)
        size = np.ones(n)
        node = np.arange(n)                       # tree node held in each slot
        children = np.empty((max(n - 1, 0), 2), dtype=int)
        distances = np.empty(max(n - 1, 0))
        for step in range(n - 1):
            i, j = divmod(int(np.argmin(D)), n)
            i, j = min(i, j), max(i, j)
            d_ij = D[i, j]
            children[step] = node[i], node[j]
            distances[step] = d_ij
            d_i, d_j = D[i], D[j]
            if self.linkage == "single":
                new = np.minimum(d_i, d_j)
            elif self.linkage == "complete":
                new = np.maximum(d_i, d_j)
            elif self.linkage == "average":
                new = (size[i] * d_i + size[j] * d_j) / (size[i] + size[j])
            else:
                with np.errstate(invalid="ignore"):
                    new = np.sqrt(((size[i] + size) * d_i**2 + (size[j] + size) * d_j**2
                                   - size * d_ij**2) / (size[i] + size[j] + size))
            D[i, :] = new
            D[:, i] = new
            D[j, :] = np.inf
            D[:, j] = np.inf
            D[i, i] = np.inf
            size[i] += size[j]
            node[i] = n + step
        # Cut: apply the first n - n_clusters merges with a union-find on node ids.
        parent = np.arange(2 * n - 1)
        for step in range(n - self.n_clusters):
            a, b = children[step]
            parent[a] = parent[b] = n + step

        def root(v):
            while parent[v] != v:
                v = parent[v]
            return v

        roots = np.array([root(v) for v in range(n)])
        self.labels_ = np.unique(roots, return_inverse=True)[1].ravel()
        self.children_ = children
        self.distances_ = distances
        self.n_clusters_ = int(self.n_clusters)
        self.n_leaves_ = n
        self.n_features_in_ = X.shape[1]
        return self

    def fit_predict(self, X, y=None):
        """Fit and return ``labels_``, of shape (n_samples,)."""
        return self.fit(X).labels_


# ---------------------------------------------------------------------------------------
# DBSCAN
# ---------------------------------------------------------------------------------------


class DBSCAN:
    r"""Density-based clustering (DBSCAN).

    A point is a *core point* if at least ``min_samples`` points (itself included) lie
    within distance ``eps``. Clusters are the connected components of core points under
    the relation "within ``eps``"; a non-core point within ``eps`` of a core point is a
    *border point* of that cluster, and every other point is *noise* (label -1).

    Parameters
    ----------
    eps : float, default=0.5
    min_samples : int, default=5

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster index, or -1 for noise.
    core_sample_indices_ : ndarray of shape (n_core_samples,)
    components_ : ndarray of shape (n_core_samples, n_features)
    n_features_in_ : int

    Notes
    -----
    A border point within ``eps`` of core points of several clusters goes to the cluster
    found first, where clusters are numbered by their lowest core-point index; this is
    the order in which scikit-learn's sequential expansion finds them, so the labels
    agree exactly. :math:`O(n^2)` time and memory (full distance matrix). Derived in the
    book page *Hierarchical clustering, DBSCAN and clustering evaluation*.
    """

    def __init__(self, eps=0.5, *, min_samples=5):
        self.eps = eps
        self.min_samples = min_samples

    def fit(self, X, y=None):
        """Cluster ``X`` of shape (n_samples, n_features); ``y`` is ignored."""
        X = check_array(X)
        if not self.eps > 0:
            raise ValueError(f"eps must be > 0, got {self.eps!r}.")
        if not (isinstance(self.min_samples, (int, np.integer)) and self.min_samples >= 1):
            raise ValueError(f"min_samples must be a positive integer, got {self.min_samples!r}.")
        n = X.shape[0]
        adjacent = _squared_distances(X, X) <= self.eps**2             # (n, n), includes self
        np.fill_diagonal(adjacent, True)
        core = adjacent.sum(axis=1) >= self.min_samples
        labels = np.full(n, -1)
        core_adj = adjacent & core[None, :]                            # neighbours that are core
        n_found = 0
        for start in np.flatnonzero(core):                             # increasing index
            if labels[start] != -1:
                continue
            frontier = np.zeros(n, dtype=bool)
            frontier[start] = True
            member = frontier.copy()
            while frontier.any():                                      # breadth-first over core points
                reached = core_adj[frontier].any(axis=0)
                frontier = reached & ~member
                member |= reached
            labels[member] = n_found
            n_found += 1
        border = ~core & core_adj.any(axis=1)
        if border.any():
            # Each border point joins the lowest-numbered cluster among its core neighbours.
            cand = np.where(core_adj[border], labels[None, :], n)
            labels[border] = cand.min(axis=1)
        self.labels_ = labels
        self.core_sample_indices_ = np.flatnonzero(core)
        self.components_ = X[core].copy()
        self.n_features_in_ = X.shape[1]
        return self

    def fit_predict(self, X, y=None):
        """Fit and return ``labels_``, of shape (n_samples,)."""
        return self.fit(X).labels_


# ---------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------


def _check_labels(labels, n_samples=None, name="labels"):
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be 1D, got a {labels.ndim}D array instead.")
    if n_samples is not None and labels.shape[0] != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{n_samples}, {labels.shape[0]}]."
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return np.unique(labels, return_inverse=True)[1].ravel()


def silhouette_samples(X, labels):
    r"""Silhouette coefficient of every sample.

    With :math:`a(i)` the mean distance from :math:`x_i` to the other points of its
    cluster and :math:`b(i)` the smallest mean distance from :math:`x_i` to the points
    of another cluster, :math:`s(i) = (b(i) - a(i)) / \max(a(i), b(i))`, and
    :math:`s(i) = 0` if :math:`x_i` is alone in its cluster.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        Between 2 and n_samples - 1 distinct labels.

    Returns
    -------
    s : ndarray of shape (n_samples,)
        Values in [-1, 1].

    Notes
    -----
    All cluster sums come from one product of the (n, n) distance matrix with the
    (n, k) one-hot label matrix. Derived in the book page *Hierarchical clustering,
    DBSCAN and clustering evaluation*.
    """
    X = check_array(X)
    n = X.shape[0]
    codes = _check_labels(labels, n)
    k = codes.max() + 1
    if not 2 <= k <= n - 1:
        raise ValueError(f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive).")
    D = _pairwise_distances(X)
    one_hot = np.zeros((n, k))
    one_hot[np.arange(n), codes] = 1.0
    sums = D @ one_hot                                  # (n, k): distance sums to each cluster
    counts = one_hot.sum(axis=0)                        # (k,)
    own = counts[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(n), codes] / (own - 1)      # excludes the point itself
        means = sums / counts[None, :]
        means[np.arange(n), codes] = np.inf
        b = means.min(axis=1)
        s = (b - a) / np.maximum(a, b)
    s[own == 1] = 0.0
    return np.nan_to_num(s)                             # a = b = 0 (duplicate points) gives 0


def silhouette_score(X, labels):
    """Mean silhouette coefficient over all samples, a float in [-1, 1]."""
    return float(np.mean(silhouette_samples(X, labels)))


def adjusted_rand_score(labels_true, labels_pred):
    r"""Rand index adjusted for chance (Hubert and Arabie, 1985).

    With contingency counts :math:`n_{ij}`, row sums :math:`a_i` and column sums
    :math:`b_j`,

    .. math::

        \mathrm{ARI} = \frac{\sum_{ij}\binom{n_{ij}}{2} - E}{\tfrac12\big[\sum_i\binom{a_i}{2}
        + \sum_j\binom{b_j}{2}\big] - E}, \qquad
        E = \frac{\sum_i\binom{a_i}{2}\sum_j\binom{b_j}{2}}{\binom{n}{2}} ,

    which is 1 for identical partitions (up to relabelling) and has expectation 0 when
    the partitions are random with fixed cluster sizes.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n_samples,)

    Returns
    -------
    ari : float
        At most 1; can be negative.
    """
    t = _check_labels(labels_true, name="labels_true")
    p = _check_labels(labels_pred, t.shape[0], name="labels_pred")
    n = t.shape[0]
    table = np.zeros((t.max() + 1, p.max() + 1))
    np.add.at(table, (t, p), 1.0)

    def pairs(v):
        return float(np.sum(v * (v - 1)) / 2)

    index = pairs(table)
    sum_a, sum_b = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = sum_a * sum_b / total if total > 0 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:            # both all-in-one or both all-singletons: identical
        return 1.0
    return float((index - expected) / (maximum - expected))
