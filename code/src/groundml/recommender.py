"""Recommender systems from scratch: neighbourhood collaborative filtering and ALS.

The book page ``book/machine-learning/recommender-systems.md`` ("Recommender systems")
derives every formula used here: the cosine and Pearson similarities, the neighbourhood
prediction rule, the matrix-factorisation objective and its alternating least squares
(ALS) minimisation, in which every half-step is a ridge regression per user or per item.

A ratings matrix ``R`` of shape (n_users, n_items) comes with a boolean ``mask`` of the
same shape that is True where a rating is observed; entries where ``mask`` is False are
ignored (they may hold anything, NaN included).
"""

import numpy as np

from ._validation import check_is_fitted


def _check_ratings(R, mask=None):
    """Return ``(R, mask)``: float ratings with zeros where unobserved, and a bool mask."""
    try:
        R = np.asarray(R, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"R must be numeric; could not convert it to floats: {exc}") from None
    if R.ndim != 2:
        raise ValueError(f"Expected a 2D ratings matrix R, got a {R.ndim}D array instead.")
    if R.shape[0] == 0 or R.shape[1] == 0:
        raise ValueError(f"R must have at least one user and one item, got shape {R.shape}.")
    if mask is None:
        mask = np.ones(R.shape, dtype=bool)
    else:
        mask = np.asarray(mask)
        if mask.shape != R.shape:
            raise ValueError(f"mask has shape {mask.shape}, but R has shape {R.shape}.")
        if mask.dtype != bool:
            if not np.all((mask == 0) | (mask == 1)):
                raise ValueError("mask must be boolean (or 0/1).")
            mask = mask.astype(bool)
    if not np.all(np.isfinite(R[mask])):
        kind = "NaN" if np.isnan(R[mask]).any() else "infinity"
        raise ValueError(f"R contains {kind} at observed entries; mask them out or impute them.")
    if not mask.any():
        raise ValueError("mask has no observed entry; at least one rating is required.")
    return np.where(mask, R, 0.0), mask


def ratings_matrix(users, items, ratings, shape=None):
    """Build ``(R, mask)`` from (user, item, rating) triplets.

    Parameters
    ----------
    users, items : array-like of int, shape (n_ratings,)
        Zero-based indices.
    ratings : array-like of float, shape (n_ratings,)
    shape : tuple (n_users, n_items) or None
        None uses ``(max(users) + 1, max(items) + 1)``.

    Returns
    -------
    R : ndarray of shape (n_users, n_items)
        Zero where no rating is given.
    mask : ndarray of bool, shape (n_users, n_items)
    """
    users, items = np.asarray(users), np.asarray(items)
    ratings = np.asarray(ratings, dtype=float)
    if not (users.ndim == items.ndim == ratings.ndim == 1 and len(users) == len(items) == len(ratings)):
        raise ValueError("users, items and ratings must be 1D arrays of the same length.")
    if len(users) == 0:
        raise ValueError("At least one rating is required.")
    for name, idx in (("users", users), ("items", items)):
        if idx.dtype.kind not in "iu" or idx.min() < 0:
            raise ValueError(f"{name} must be non-negative integer indices.")
    if shape is None:
        shape = (int(users.max()) + 1, int(items.max()) + 1)
    if users.max() >= shape[0] or items.max() >= shape[1]:
        raise ValueError(f"An index is out of range for shape {shape}.")
    if not np.all(np.isfinite(ratings)):
        raise ValueError("ratings contains NaN or infinity.")
    R = np.zeros(shape)
    mask = np.zeros(shape, dtype=bool)
    R[users, items] = ratings
    np.logical_or.at(mask, (users, items), True)
    if mask.sum() != len(users):
        raise ValueError("A (user, item) pair appears more than once.")
    return R, mask


def similarity_matrix(R, mask=None, *, kind="cosine"):
    r"""Similarities between the rows of a partially observed ratings matrix.

    * ``"cosine"``: missing ratings count as 0, so
      :math:`s_{ab} = \sum_j r_{aj} r_{bj} / (\lVert r_a \rVert \lVert r_b \rVert)` with both
      norms over all observed entries of each row (as ``sklearn.metrics.pairwise
      .cosine_similarity`` on the zero-filled matrix). 0 for a row without ratings.
    * ``"pearson"``: the Pearson correlation over the *co-rated* columns
      :math:`J_{ab} = \{j : m_{aj} = m_{bj} = 1\}`, each row centred by its own mean over
      :math:`J_{ab}`. Set to 0 when :math:`|J_{ab}| < 2` or a row is constant on :math:`J_{ab}`.

    For item-item similarities pass ``R.T`` and ``mask.T``.

    Parameters
    ----------
    R : array-like of shape (n_rows, n_cols)
    mask : array-like of bool, shape (n_rows, n_cols), or None (all observed)
    kind : {"cosine", "pearson"}

    Returns
    -------
    S : ndarray of shape (n_rows, n_rows)
        Symmetric, computed for all pairs with matrix products (no loop over pairs).
    """
    R, mask = _check_ratings(R, mask)
    M = mask.astype(float)
    if kind == "cosine":
        norms = np.sqrt((R * R).sum(axis=1))                       # (n_rows,)
        safe = np.where(norms > 0, norms, 1.0)
        S = (R @ R.T) / np.outer(safe, safe)
        S[norms == 0, :] = 0.0
        S[:, norms == 0] = 0.0
        return S
    if kind != "pearson":
        raise ValueError(f"kind must be 'cosine' or 'pearson', got {kind!r}.")
    # Sums over the co-rated columns of every pair (a, b), all by matrix products:
    n = M @ M.T                                                    # |J_ab|
    sum_a = R @ M.T                                                # sum_{j in J_ab} r_aj
    sum_b = sum_a.T                                                # sum_{j in J_ab} r_bj
    sum_ab = R @ R.T                                               # sum_{j in J_ab} r_aj r_bj
    sq_a = (R * R) @ M.T                                           # sum_{j in J_ab} r_aj^2
    sq_b = sq_a.T
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sum_ab - sum_a * sum_b / n
        var_a = sq_a - sum_a ** 2 / n
        var_b = sq_b - sum_b ** 2 / n
        denom = np.sqrt(var_a * var_b)
        # Relative tolerance guards against round-off making a constant row look varying.
        scale = np.maximum(sq_a, sq_b)
        ok = (n >= 2) & (var_a > 1e-12 * scale) & (var_b > 1e-12 * scale)
        S = np.where(ok, cov / np.where(ok, denom, 1.0), 0.0)
    return np.clip(S, -1.0, 1.0)


def neighborhood_predict(R, mask, users, items, *, based="user", similarity="pearson", k=20, center=True):
    r"""Neighbourhood collaborative filtering predictions :math:`\hat r_{ui}`.

    User-based (``based="user"``): among the users :math:`v \ne u` who rated item
    :math:`i`, keep the ``k`` most similar to :math:`u` with positive similarity,
    :math:`N_k(u; i)`, and predict

    .. math::

        \hat r_{ui} = \bar r_u + \frac{\sum_{v \in N_k(u;i)} s_{uv} (r_{vi} - \bar r_v)}
                                     {\sum_{v \in N_k(u;i)} s_{uv}}

    (without ``center``, drop the means :math:`\bar r_u` and :math:`\bar r_v`), where
    :math:`\bar r_u` is the mean of :math:`u`'s observed ratings.
    Item-based (``based="item"``) is the same rule on the transposed matrix: the
    neighbours are the items most similar to :math:`i` among those :math:`u` rated.

    Parameters
    ----------
    R : array-like of shape (n_users, n_items)
    mask : array-like of bool, shape (n_users, n_items), or None
    users, items : array-like of int, shape (n_queries,)
    based : {"user", "item"}
    similarity : {"cosine", "pearson"}
    k : int >= 1
    center : bool, default=True

    Returns
    -------
    predictions : ndarray of shape (n_queries,)

    Notes
    -----
    Fallbacks when no neighbour qualifies: the row mean (user mean for user-based, item
    mean for item-based) if that row has ratings, else the global mean of all ratings.
    Ties between equal similarities are broken by the smaller index.
    """
    if based not in ("user", "item"):
        raise ValueError(f"based must be 'user' or 'item', got {based!r}.")
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise ValueError(f"k must be an int >= 1, got {k!r}.")
    R, mask = _check_ratings(R, mask)
    users, items = np.asarray(users), np.asarray(items)
    if users.shape != items.shape or users.ndim != 1:
        raise ValueError("users and items must be 1D arrays of the same length.")
    for name, idx, size in (("users", users, R.shape[0]), ("items", items, R.shape[1])):
        if idx.size and (idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= size):
            raise ValueError(f"{name} must be integer indices in [0, {size}).")
    if based == "item":
        R, mask, rows, cols = R.T, mask.T, items, users
    else:
        rows, cols = users, items
    S = similarity_matrix(R, mask, kind=similarity)                # (n_rows, n_rows)
    counts = mask.sum(axis=1)                                      # (n_rows,)
    global_mean = R[mask].mean()
    means = np.where(counts > 0, R.sum(axis=1) / np.maximum(counts, 1), global_mean)
    out = np.empty(len(rows))
    for q, (a, j) in enumerate(zip(rows, cols, strict=True)):
        candidates = np.flatnonzero(mask[:, j] & (np.arange(R.shape[0]) != a))
        sims = S[a, candidates]
        keep = sims > 0
        candidates, sims = candidates[keep], sims[keep]
        order = np.argsort(-sims, kind="stable")[:k]               # stable: smaller index wins ties
        nb, w = candidates[order], sims[order]
        base = means[a] if center else 0.0
        if w.size == 0:
            out[q] = means[a]
            continue
        offsets = R[nb, j] - (means[nb] if center else 0.0)
        out[q] = base + w @ offsets / w.sum()
    return out


def mf_objective(R, mask, U, V, reg):
    r"""Matrix-factorisation objective over the observed entries.

    .. math::

        J(U, V) = \sum_{(u, i) \in \Omega} (r_{ui} - p_u^\top q_i)^2
                  + \lambda \Bigl(\sum_u \lVert p_u \rVert^2 + \sum_i \lVert q_i \rVert^2\Bigr)

    Parameters
    ----------
    R, mask : ndarray of shape (n_users, n_items)
    U : ndarray of shape (n_users, n_factors)
        Rows :math:`p_u`.
    V : ndarray of shape (n_items, n_factors)
        Rows :math:`q_i`.
    reg : float
        :math:`\lambda`.
    """
    R, mask = _check_ratings(R, mask)
    residual = np.where(mask, R - U @ V.T, 0.0)
    return float((residual ** 2).sum() + reg * ((U ** 2).sum() + (V ** 2).sum()))


def als_half_step(R, mask, F, reg):
    r"""One ALS half-step: the exact minimiser of the objective over one factor matrix.

    With the other factors ``F`` (rows :math:`f_j`) fixed, row :math:`a` solves the ridge
    regression of its observed ratings on the :math:`f_j`:

    .. math::

        x_a = \Bigl(\sum_{j: m_{aj}=1} f_j f_j^\top + \lambda I\Bigr)^{-1}
              \sum_{j: m_{aj}=1} r_{aj} f_j .

    All rows are solved at once with ``np.linalg.solve`` on a stack of k-by-k systems.

    Parameters
    ----------
    R, mask : ndarray of shape (n_rows, n_cols)
        Pass ``R.T, mask.T`` to update the item factors.
    F : ndarray of shape (n_cols, n_factors)
    reg : float > 0

    Returns
    -------
    X : ndarray of shape (n_rows, n_factors)
    """
    M = mask.astype(float)
    n_factors = F.shape[1]
    outer = (F[:, :, None] * F[:, None, :]).reshape(F.shape[0], -1)   # f_j f_j^T flattened, (n_cols, k*k)
    gram = (M @ outer).reshape(-1, n_factors, n_factors)              # sum over observed j, (n_rows, k, k)
    gram += reg * np.eye(n_factors)
    rhs = (np.where(mask, R, 0.0)) @ F                             # (n_rows, k)
    return np.linalg.solve(gram, rhs[..., None])[..., 0]


class ALSMatrixFactorization:
    r"""Low-rank matrix factorisation :math:`\hat r_{ui} = p_u^\top q_i` by alternating least squares.

    Minimises :func:`mf_objective` over the observed ratings. Starting from random
    factors, each iteration solves exactly for all user factors given the item
    factors, then for all item factors given the user factors (:func:`als_half_step`);
    each half-step is a ridge regression, so the objective never increases.

    Parameters
    ----------
    n_factors : int, default=10
        Rank :math:`k` of the factorisation.
    reg : float > 0, default=0.1
        L2 penalty :math:`\lambda`.
    n_iter : int, default=20
        Full iterations (user half-step then item half-step).
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the initial factors, drawn from :math:`N(0, 1/k)`.

    Attributes
    ----------
    user_factors_ : ndarray of shape (n_users, n_factors)
    item_factors_ : ndarray of shape (n_items, n_factors)
    objective_ : ndarray of shape (n_iter + 1,)
        The objective at the initial factors and after each iteration.
    n_users_, n_items_ : int

    Notes
    -----
    Derived in the book page "Recommender systems".
    """

    def __init__(self, *, n_factors=10, reg=0.1, n_iter=20, random_state=None):
        self.n_factors = n_factors
        self.reg = reg
        self.n_iter = n_iter
        self.random_state = random_state

    def fit(self, R, mask=None):
        """Fit the factors.

        Parameters
        ----------
        R : array-like of shape (n_users, n_items)
        mask : array-like of bool, shape (n_users, n_items), or None (all observed)

        Returns
        -------
        self : ALSMatrixFactorization
        """
        if not (isinstance(self.n_factors, (int, np.integer)) and self.n_factors >= 1):
            raise ValueError(f"n_factors must be an int >= 1, got {self.n_factors!r}.")
        if not (isinstance(self.n_iter, (int, np.integer)) and self.n_iter >= 0):
            raise ValueError(f"n_iter must be an int >= 0, got {self.n_iter!r}.")
        if not (np.isscalar(self.reg) and np.isfinite(self.reg) and self.reg > 0):
            raise ValueError(f"reg must be a positive number, got {self.reg!r}.")
        R, mask = _check_ratings(R, mask)
        rng = np.random.default_rng(self.random_state)
        n_users, n_items = R.shape
        k = self.n_factors
        U = rng.normal(scale=1 / np.sqrt(k), size=(n_users, k))
        V = rng.normal(scale=1 / np.sqrt(k), size=(n_items, k))
        history = [mf_objective(R, mask, U, V, self.reg)]
        for _ in range(self.n_iter):
            U = als_half_step(R, mask, V, self.reg)                # users given items
            V = als_half_step(R.T, mask.T, U, self.reg)            # items given users
            history.append(mf_objective(R, mask, U, V, self.reg))
        self.user_factors_, self.item_factors_ = U, V
        self.objective_ = np.asarray(history)
        self.n_users_, self.n_items_ = n_users, n_items
        return self

    def fit_triplets(self, users, items, ratings, shape=None):
        """Fit from (user, item, rating) triplets; see :func:`ratings_matrix`."""
        return self.fit(*ratings_matrix(users, items, ratings, shape))

    def predict(self, users, items):
        """Predicted ratings :math:`p_u^\\top q_i` for paired index arrays of shape (n_queries,)."""
        check_is_fitted(self, "user_factors_")
        users, items = np.asarray(users), np.asarray(items)
        if users.shape != items.shape:
            raise ValueError(
                f"users and items must have the same shape, got {users.shape} and {items.shape}."
            )
        for name, idx, size in (("users", users, self.n_users_), ("items", items, self.n_items_)):
            if idx.size and (idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= size):
                raise ValueError(f"{name} must be integer indices in [0, {size}) (as seen in fit).")
        return np.einsum("qk,qk->q", self.user_factors_[users], self.item_factors_[items])

    def predict_matrix(self):
        """All predictions ``user_factors_ @ item_factors_.T``, shape (n_users, n_items)."""
        check_is_fitted(self, "user_factors_")
        return self.user_factors_ @ self.item_factors_.T


def masked_rmse(R, R_hat, mask):
    r"""Root mean squared error over the entries where ``mask`` is True."""
    R, mask = _check_ratings(R, mask)
    R_hat = np.asarray(R_hat, dtype=float)
    if R_hat.shape != R.shape:
        raise ValueError(f"R_hat has shape {R_hat.shape}, but R has shape {R.shape}.")
    return float(np.sqrt(np.mean((R[mask] - R_hat[mask]) ** 2)))
