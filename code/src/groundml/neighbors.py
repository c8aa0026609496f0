r"""k-nearest neighbours by brute force: a vectorised, chunked distance matrix.

A k-NN model stores the training set; a prediction finds the ``k`` training points
closest to the query and averages their labels (regression) or their votes
(classification), optionally weighted by inverse distance. The Euclidean distance
matrix between queries :math:`A` and training points :math:`B` uses

.. math::

    \lVert a_i - b_j \rVert^2 = \lVert a_i \rVert^2 - 2 a_i^\top b_j + \lVert b_j \rVert^2 ,

one matrix product for all pairs. Derived in the book page "k-nearest neighbours".
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

METRICS = ("euclidean", "manhattan")
WEIGHTS = ("uniform", "distance")
# Upper bound on the number of float64 entries of one block of the distance computation
# (2**23 entries = 64 MiB), so memory stays bounded whatever the number of queries.
_BLOCK_ENTRIES = 2**23


def pairwise_distances(A, B, metric="euclidean"):
    r"""Distances between every row of ``A`` and every row of ``B``.

    Parameters
    ----------
    A : ndarray of shape (n_a, n_features)
    B : ndarray of shape (n_b, n_features)
    metric : {"euclidean", "manhattan"}

    Returns
    -------
    D : ndarray of shape (n_a, n_b)

    Notes
    -----
    Euclidean: :math:`\sqrt{\max(0, \lVert a\rVert^2 - 2a^\top b + \lVert b\rVert^2)}`,
    clipped at zero because rounding can make the expansion slightly negative. The
    expansion loses relative accuracy for points much closer to each other than to the
    origin (cancellation), which is why ``kneighbors`` recomputes the distances of the
    selected neighbours directly. Manhattan: :math:`\sum_j |a_j - b_j|`, by broadcasting.
    """
    if metric == "euclidean":
        sq = (A**2).sum(axis=1)[:, None] - 2.0 * A @ B.T + (B**2).sum(axis=1)[None, :]
        return np.sqrt(np.maximum(sq, 0.0))
    if metric == "manhattan":
        return np.abs(A[:, None, :] - B[None, :, :]).sum(axis=2)   # (n_a, n_b, n_features) summed
    raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")


def _exact_distances(A, B_neighbours, metric):
    """Distances from each row of ``A`` (n, d) to its own rows of ``B_neighbours`` (n, k, d)."""
    diff = B_neighbours - A[:, None, :]                            # (n, k, d)
    if metric == "euclidean":
        return np.sqrt((diff**2).sum(axis=2))
    return np.abs(diff).sum(axis=2)


class _NeighborsBase:
    """Storage, validation and the neighbour search shared by the classifier and regressor."""

    def __init__(self, *, n_neighbors=5, weights="uniform", metric="euclidean"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric

    def _check_params(self):
        k = self.n_neighbors
        if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 1):
            raise ValueError(f"n_neighbors must be an integer >= 1, got {k!r}.")
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {WEIGHTS}, got {self.weights!r}.")
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}.")

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        """The ``n_neighbors`` nearest training points of each row of ``X``, nearest first.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
        n_neighbors : int, default=None
            Defaults to the ``n_neighbors`` given at construction.
        return_distance : bool, default=True

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Only if ``return_distance``.
        indices : ndarray of shape (n_queries, n_neighbors)
            Row indices into the training set.

        Notes
        -----
        Candidates are ranked by the expanded squared distances (without the query's own
        squared norm, which is the same for every candidate), computed for a block of
        query rows at a time (at most ``2**23`` distance entries per block); the
        distances of the chosen neighbours are then recomputed from the differences, so
        a query equal to a training point gets distance exactly 0. Ties between equal
        distances are broken by a stable sort on the training index (scikit-learn does
        not promise any particular order for ties).
        """
        check_is_fitted(self, "_fit_X")
        X = check_array(X)
        check_n_features(self, X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if not (isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 1):
            raise ValueError(f"n_neighbors must be an integer >= 1, got {k!r}.")
        n_fit = self._fit_X.shape[0]
        if k > n_fit:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k}, n_samples_fit = {n_fit}, "
                f"n_samples = {X.shape[0]}"
            )
        per_row = n_fit * (self._fit_X.shape[1] if self.metric == "manhattan" else 1)
        chunk = max(1, _BLOCK_ENTRIES // per_row)
        distances = np.empty((X.shape[0], k))
        indices = np.empty((X.shape[0], k), dtype=np.intp)
        sq_fit = (self._fit_X**2).sum(axis=1)                        # (n_fit,)
        for start in range(0, X.shape[0], chunk):
            block = X[start:start + chunk]                           # (n_block, n_features)
            if self.metric == "euclidean":
                # ||b||^2 - 2 a.b ranks the training points like ||a - b||^2, since ||a||^2
                # is the same for the whole row; computed in place, no square root needed.
                D = block @ self._fit_X.T                            # (n_block, n_fit)
                D *= -2.0
                D += sq_fit
            else:
                D = pairwise_distances(block, self._fit_X, self.metric)
            if k < n_fit:
                candidates = np.argpartition(D, k - 1, axis=1)[:, :k]  # k smallest, unordered
            else:
                candidates = np.broadcast_to(np.arange(n_fit), D.shape)
            candidates = np.sort(candidates, axis=1)                 # index order, for stable ties
            exact = _exact_distances(block, self._fit_X[candidates], self.metric)   # (n_block, k)
            order = np.argsort(exact, axis=1, kind="stable")
            rows = np.arange(block.shape[0])[:, None]
            distances[start:start + chunk] = exact[rows, order]
            indices[start:start + chunk] = candidates[rows, order]
        return (distances, indices) if return_distance else indices

    def _neighbour_weights(self, distances):
        """Weights of shape (n_queries, k): ones, or ``1 / d`` with exact matches taking all weight."""
        if self.weights == "uniform":
            return np.ones_like(distances)
        zero = distances == 0.0
        with np.errstate(divide="ignore"):
            w = 1.0 / distances
        has_zero = zero.any(axis=1)
        w[has_zero] = zero[has_zero].astype(float)      # a query on a training point copies it
        return w


class KNeighborsClassifier(_NeighborsBase):
    r"""k-nearest-neighbour classification by (weighted) majority vote.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
        "distance" weights each neighbour by :math:`1/d`; a neighbour at distance 0
        takes all the weight (several such neighbours share it equally).
    metric : {"euclidean", "manhattan"}, default="euclidean"

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    n_samples_fit_ : int

    Notes
    -----
    :math:`\hat P(y = c \mid x) = \sum_{i \in N_k(x)} w_i [y_i = c] / \sum_{i \in N_k(x)} w_i`;
    ``predict`` returns the class of highest probability, the first in ``classes_`` on a
    tie. Derived in the book page "k-nearest neighbours".
    """

    def fit(self, X, y):
        """Store the training data (brute force needs no index).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : KNeighborsClassifier
        """
        self._check_params()
        X = check_array(X)
        classes, y_encoded = check_classification_targets(y)
        if y_encoded.shape[0] != X.shape[0]:
            raise ValueError(
                "X and y have inconsistent numbers of samples: "
                f"X has {X.shape[0]}, y has {y_encoded.shape[0]}."
            )
        self._fit_X = X
        self._y = y_encoded
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    def predict_proba(self, X):
        """Weighted class frequencies among the neighbours, of shape (n_queries, n_classes)."""
        distances, indices = self.kneighbors(X)
        w = self._neighbour_weights(distances)                       # (n_queries, k)
        proba = np.zeros((indices.shape[0], self.classes_.shape[0]))
        rows = np.repeat(np.arange(indices.shape[0]), indices.shape[1])
        np.add.at(proba, (rows, self._y[indices].ravel()), w.ravel())
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted class labels, of shape (n_queries,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against ``y``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class KNeighborsRegressor(_NeighborsBase):
    r"""k-nearest-neighbour regression: the (weighted) mean of the neighbours' targets.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"}, default="uniform"
    metric : {"euclidean", "manhattan"}, default="euclidean"

    Attributes
    ----------
    n_features_in_ : int
    n_samples_fit_ : int

    Notes
    -----
    :math:`\hat f(x) = \sum_{i \in N_k(x)} w_i y_i / \sum_{i \in N_k(x)} w_i`. Derived in
    the book page "k-nearest neighbours".
    """

    def fit(self, X, y):
        """Store the training data; ``y`` of shape (n_samples,) or (n_samples, n_targets).

        Returns
        -------
        self : KNeighborsRegressor
        """
        self._check_params()
        X, y = check_X_y(X, y)
        self._fit_X = X
        self._y = y
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    def predict(self, X):
        """Predicted targets, of shape (n_queries,) or (n_queries, n_targets)."""
        distances, indices = self.kneighbors(X)
        w = self._neighbour_weights(distances)                       # (n_queries, k)
        w = w / w.sum(axis=1, keepdims=True)
        neighbours_y = self._y[indices]                              # (n_queries, k[, n_targets])
        if neighbours_y.ndim == 3:
            return np.einsum("qk,qkt->qt", w, neighbours_y)
        return np.sum(w * neighbours_y, axis=1)

    def score(self, X, y):
        """Coefficient of determination :math:`R^2` of ``predict(X)``."""
        y = np.asarray(y, dtype=float)
        residual = np.sum((y - self.predict(X)) ** 2, axis=0)
        total = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
        return float(np.mean(1.0 - residual / total))
