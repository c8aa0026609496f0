"""Support vector machines from scratch: a kernel SVC solved by SMO, and a linear SVC.

The book page ``book/machine-learning/support-vector-machines.md`` derives the primal,
the dual, the KKT conditions and the solver used here. Both estimators follow
scikit-learn's conventions, so they can stand in for their ``sklearn.svm`` namesakes:
keyword-only ``__init__`` that only stores, ``fit`` returning ``self``, learned
attributes ending in ``_``.
"""

import itertools
import warnings

import numpy as np

from ._validation import (
    ConvergenceWarning,
    check_array,
    check_classification_targets,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

KERNELS = ("linear", "poly", "rbf", "sigmoid")
TAU = 1e-12  # floor for the curvature of a pair, as in LIBSVM


def _resolve_gamma(gamma, X):
    """Return the numeric kernel width; ``"scale"`` is ``1 / (n_features * X.var())``."""
    if isinstance(gamma, str):
        if gamma == "scale":
            variance = X.var()
            return 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        if gamma == "auto":
            return 1.0 / X.shape[1]
        raise ValueError(f"gamma must be 'scale', 'auto' or a positive float, got {gamma!r}.")
    gamma = float(gamma)
    if gamma <= 0:
        raise ValueError(f"gamma must be positive, got {gamma}.")
    return gamma


def kernel_matrix(A, B, *, kernel="rbf", gamma=1.0, degree=3, coef0=0.0):
    r"""Gram matrix :math:`K_{ik} = k(a_i, b_k)` between the rows of two arrays.

    Parameters
    ----------
    A : ndarray of shape (n_a, n_features)
    B : ndarray of shape (n_b, n_features)
    kernel : {"linear", "poly", "rbf", "sigmoid"}
        :math:`a^\top b`, :math:`(\gamma a^\top b + c_0)^d`,
        :math:`\exp(-\gamma \lVert a - b \rVert^2)` or :math:`\tanh(\gamma a^\top b + c_0)`.
    gamma, degree, coef0 : float, int, float
        Kernel parameters (``gamma`` must already be numeric).

    Returns
    -------
    K : ndarray of shape (n_a, n_b)
    """
    inner = A @ B.T                                                    # (n_a, n_b)
    if kernel == "linear":
        return inner
    if kernel == "poly":
        return (gamma * inner + coef0) ** degree
    if kernel == "sigmoid":
        return np.tanh(gamma * inner + coef0)
    if kernel == "rbf":
        sq = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] - 2.0 * inner
        return np.exp(-gamma * np.maximum(sq, 0.0))
    raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}.")


def smo(K, y, C, *, tol=1e-3, max_iter=-1):
    r"""Solve the soft-margin SVM dual by sequential minimal optimisation.

    Minimises :math:`f(\alpha) = \tfrac12 \alpha^\top Q \alpha - \mathbf{1}^\top \alpha`
    with :math:`Q_{ik} = y_i y_k K_{ik}`, subject to :math:`0 \le \alpha_i \le C` and
    :math:`y^\top \alpha = 0`. Each step moves one pair :math:`(i, j)`: ``i`` is the
    most violating index of the "up" set and ``j`` is chosen by the second-order rule
    of Fan, Chen and Lin (2005), the pair step is solved exactly and clipped to the box.

    Parameters
    ----------
    K : ndarray of shape (n_samples, n_samples)
        Kernel (Gram) matrix.
    y : ndarray of shape (n_samples,)
        Labels in {-1, +1}.
    C : float
        Box bound.
    tol : float
        Stop when the maximal KKT violation :math:`m(\alpha) - M(\alpha) < \mathrm{tol}`.
    max_iter : int
        Maximum number of pair steps; -1 for no limit.

    Returns
    -------
    alpha : ndarray of shape (n_samples,)
    b : float
        Intercept of :math:`f(x) = \sum_i \alpha_i y_i k(x_i, x) + b`.
    n_iter : int

    Notes
    -----
    Writing :math:`G = Q\alpha - \mathbf{1}` and :math:`g = -y \circ G`, the KKT
    conditions hold iff :math:`\max_{I_{up}} g \le \min_{I_{low}} g`, with
    :math:`I_{up} = \{t: \alpha_t < C, y_t = 1\} \cup \{t: \alpha_t > 0, y_t = -1\}` and
    :math:`I_{low}` the same with the signs of :math:`y` swapped. Derived in the book page
    "Support vector machines and kernels".
    """
    n = y.shape[0]
    alpha = np.zeros(n)
    g = y.astype(float).copy()                  # g = -y * G, G = Q alpha - 1 = -1 at alpha = 0
    diag = np.diag(K).copy()
    pos = y > 0
    n_iter = 0
    while max_iter < 0 or n_iter < max_iter:
        up = np.where(pos, alpha < C, alpha > 0)      # may move alpha along +y_t
        low = np.where(pos, alpha > 0, alpha < C)     # may move alpha along -y_t
        g_up = np.where(up, g, -np.inf)
        i = int(np.argmax(g_up))
        m_up = g_up[i]
        g_low = np.where(low, g, np.inf)
        if m_up - g_low.min() < tol:
            break
        # second-order choice of j: the largest decrease b^2 / a among violating partners
        b = m_up - g_low                                # > 0 for violating t, -inf/nan excluded below
        a = diag[i] + diag - 2.0 * K[i]
        a = np.where(a > 0, a, TAU)
        gain = np.where(b > 0, b * b / a, -np.inf)
        j = int(np.argmax(gain))
        # step t along d = y_i e_i - y_j e_j keeps y^T alpha fixed; f decreases by b t - a t^2 / 2
        t = b[j] / a[j]
        t = min(t, C - alpha[i] if pos[i] else alpha[i], alpha[j] if pos[j] else C - alpha[j])
        alpha[i] += y[i] * t
        alpha[j] -= y[j] * t
        alpha[i] = min(max(alpha[i], 0.0), C)
        alpha[j] = min(max(alpha[j], 0.0), C)
        g -= t * (K[i] - K[j])                          # g = -y * G changes by -t (K_i - K_j)
        n_iter += 1
    else:
        warnings.warn(f"SMO stopped after max_iter={max_iter} steps before the KKT violation fell "
                      f"below tol={tol}.", ConvergenceWarning, stacklevel=3)
    # intercept: average over free alphas of g_t; else the midpoint of the feasible interval
    free = (alpha > 0) & (alpha < C)
    if free.any():
        b0 = float(g[free].mean())
    else:
        up = np.where(pos, alpha < C, alpha > 0)
        low = np.where(pos, alpha > 0, alpha < C)
        b0 = 0.5 * (g[up].max(initial=-np.inf) + g[low].min(initial=np.inf))
    return alpha, b0, n_iter


class SVC:
    r"""Kernel support vector classifier, solved in the dual by SMO.

    Solves

    .. math::

        \max_\alpha \sum_i \alpha_i - \tfrac12 \sum_{i,k} \alpha_i \alpha_k y_i y_k k(x_i, x_k)
        \quad \text{s.t.} \quad 0 \le \alpha_i \le C, \ \sum_i \alpha_i y_i = 0,

    and predicts with :math:`f(x) = \sum_{i \in SV} \alpha_i y_i k(x_i, x) + b`.
    Two classes give one problem (positive :math:`f` means ``classes_[1]``); more
    classes are handled one-vs-one with majority vote, as LIBSVM does.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (bound on each :math:`\alpha_i`); must be > 0.
    kernel : {"linear", "poly", "rbf", "sigmoid"}, default="rbf"
    degree : int, default=3
    gamma : "scale", "auto" or float, default="scale"
        ``"scale"`` is ``1 / (n_features * X.var())``, ``"auto"`` is ``1 / n_features``.
    coef0 : float, default=0.0
    tol : float, default=1e-3
        Tolerance on the maximal KKT violation (see :func:`smo`).
    max_iter : int, default=-1
        Maximum SMO steps per binary problem; -1 for no limit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors, grouped by class, increasing within a class.
    support_vectors_ : ndarray of shape (n_SV, n_features)
    n_support_ : ndarray of shape (n_classes,)
    dual_coef_ : ndarray of shape (1, n_SV)
        Binary problems only: :math:`\alpha_i y_i` of each support vector.
    intercept_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
    coef_ : ndarray of shape (1, n_features)
        Binary linear kernel only: :math:`w = \sum_i \alpha_i y_i x_i`.
    n_iter_ : ndarray of shape (n_classes * (n_classes - 1) / 2,)
    n_features_in_ : int

    Notes
    -----
    Derivation of the dual, complementary slackness and the SMO step: the book page
    "Support vector machines and kernels".
    """

    def __init__(self, *, C=1.0, kernel="rbf", degree=3, gamma="scale", coef0=0.0, tol=1e-3,
                 max_iter=-1):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter

    def _kernel(self, A, B):
        return kernel_matrix(A, B, kernel=self.kernel, gamma=self._gamma, degree=self.degree,
                             coef0=self.coef0)

    def fit(self, X, y):
        """Fit the classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : SVC
        """
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS}, got {self.kernel!r}.")
        if not self.C > 0:
            raise ValueError(f"C must be positive, got {self.C}.")
        X = check_array(X)
        classes, y_enc = check_classification_targets(y)
        if X.shape[0] != y_enc.shape[0]:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {y_enc.shape[0]}."
            )
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self._gamma = _resolve_gamma(self.gamma, X)
        K_full = self._kernel(X, X)                                     # (n, n)
        n_classes = len(classes)
        alphas = np.zeros((n_classes * (n_classes - 1) // 2, X.shape[0]))  # alpha_i y_i per pair
        intercepts, n_iters = [], []
        for p, (a, c) in enumerate(itertools.combinations(range(n_classes), 2)):
            rows = np.flatnonzero((y_enc == a) | (y_enc == c))
            # binary: +1 for the second class (so f > 0 means classes_[1]); ovo: +1 for the first
            sign = 1.0 if n_classes == 2 else -1.0
            y_pm = np.where(y_enc[rows] == c, sign, -sign)
            alpha, b0, n_iter = smo(K_full[np.ix_(rows, rows)], y_pm, float(self.C), tol=self.tol,
                                    max_iter=self.max_iter)
            alphas[p, rows] = alpha * y_pm
            intercepts.append(b0)
            n_iters.append(n_iter)
        is_sv = (alphas != 0).any(axis=0)
        order = np.lexsort((np.arange(X.shape[0]), y_enc))              # by class, then index
        self.support_ = order[is_sv[order]]
        self.support_vectors_ = X[self.support_]
        self.n_support_ = np.bincount(y_enc[self.support_], minlength=n_classes).astype(np.int32)
        self._pair_coef = alphas[:, self.support_]                       # (n_pairs, n_SV)
        self.intercept_ = np.array(intercepts)
        self.n_iter_ = np.array(n_iters)
        if n_classes == 2:
            self.dual_coef_ = self._pair_coef.copy()
            if self.kernel == "linear":
                self.coef_ = self.dual_coef_ @ self.support_vectors_
        return self

    def _pair_decisions(self, X):
        check_is_fitted(self, "support_")
        X = check_array(X)
        check_n_features(self, X)
        K = self._kernel(X, self.support_vectors_)                       # (n, n_SV)
        return K @ self._pair_coef.T + self.intercept_                  # (n, n_pairs)

    def decision_function(self, X):
        """Signed scores: (n_samples,) for two classes, else (n_samples, n_pairs) one-vs-one.

        For two classes a positive score means ``classes_[1]``. For more, column ``p`` belongs
        to the ``p``-th pair ``(a, c)``, ``a < c``, in ``itertools.combinations`` order, and a
        positive score is a vote for ``classes_[a]``.
        """
        scores = self._pair_decisions(X)
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        """Predicted labels, shape (n_samples,)."""
        scores = self._pair_decisions(X)
        n_classes = len(self.classes_)
        if n_classes == 2:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        votes = np.zeros((scores.shape[0], n_classes), dtype=int)
        for p, (a, c) in enumerate(itertools.combinations(range(n_classes), 2)):
            wins_a = scores[:, p] > 0
            votes[:, a] += wins_a
            votes[:, c] += ~wins_a
        return self.classes_[votes.argmax(axis=1)]                       # ties: the lowest class

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def dual_objective(self):
        r"""Binary only: the dual objective :math:`\sum \alpha_i - \frac12 \alpha^\top Q \alpha`
        at the fitted solution (only support vectors have :math:`\alpha_i \ne 0`)."""
        check_is_fitted(self, "dual_coef_")
        coef = self.dual_coef_[0]                                        # alpha_i y_i, (n_SV,)
        K = self._kernel(self.support_vectors_, self.support_vectors_)
        return float(np.abs(coef).sum() - 0.5 * coef @ K @ coef)


class LinearSVC:
    r"""Linear support vector classifier with the bias penalised, as liblinear does.

    Minimises, with :math:`\tilde x = (x, s)` for the ``intercept_scaling`` :math:`s` and
    :math:`\tilde w = (w, b / s)`,

    .. math::

        \tfrac12 \lVert \tilde w \rVert^2 + C \sum_i \ell\bigl(y_i \tilde w^\top \tilde x_i\bigr),
        \qquad \ell(m) = \max(0, 1 - m) \text{ or } \max(0, 1 - m)^2 ,

    so the intercept is regularised too (set a large ``intercept_scaling`` to weaken that).
    ``loss="squared_hinge"`` is differentiable and is solved in the primal by Newton's
    method with a backtracking line search (the active set changes only finitely often);
    ``loss="hinge"`` is solved in the dual by coordinate descent over the box
    :math:`0 \le \alpha_i \le C`. More than two classes: one-vs-rest.

    Parameters
    ----------
    C : float, default=1.0
    loss : {"squared_hinge", "hinge"}, default="squared_hinge"
    tol : float, default=1e-4
        Newton: stop when the gradient norm is below ``tol`` times its norm at zero.
        Dual coordinate descent: stop when the projected-gradient range is below ``tol``.
    fit_intercept : bool, default=True
    intercept_scaling : float, default=1.0
    max_iter : int, default=1000

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    n_iter_ : int

    Notes
    -----
    The hinge loss and its link with the soft-margin primal: the book page
    "Support vector machines and kernels".
    """

    def __init__(self, *, C=1.0, loss="squared_hinge", tol=1e-4, fit_intercept=True,
                 intercept_scaling=1.0, max_iter=1000):
        self.C = C
        self.loss = loss
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.max_iter = max_iter

    def _newton_squared_hinge(self, Z, y):
        """Primal Newton for 0.5 ||w||^2 + C sum max(0, 1 - y z^T w)^2; Z is (n, p)."""
        C = float(self.C)
        w = np.zeros(Z.shape[1])

        def objective(v):
            slack = np.maximum(0.0, 1.0 - y * (Z @ v))
            return 0.5 * v @ v + C * slack @ slack

        grad0 = None
        for it in range(1, self.max_iter + 1):
            slack = 1.0 - y * (Z @ w)
            active = slack > 0                                           # (n,)
            grad = w - 2.0 * C * Z[active].T @ (y[active] * slack[active])
            norm = np.linalg.norm(grad)
            grad0 = norm if grad0 is None else grad0
            if norm <= self.tol * grad0:
                return w, it - 1
            hess = np.eye(Z.shape[1]) + 2.0 * C * Z[active].T @ Z[active]  # generalised Hessian
            step = np.linalg.solve(hess, grad)
            f0, t = objective(w), 1.0
            while objective(w - t * step) > f0 - 0.25 * t * grad @ step and t > 1e-10:
                t *= 0.5
            w = w - t * step
        warnings.warn(f"Newton stopped after max_iter={self.max_iter} steps.", ConvergenceWarning,
                      stacklevel=3)
        return w, self.max_iter

    def _dual_cd_hinge(self, Z, y):
        """Dual coordinate descent for the hinge loss: box 0 <= alpha <= C, w = Z^T (alpha y)."""
        C = float(self.C)
        n = Z.shape[0]
        alpha, w = np.zeros(n), np.zeros(Z.shape[1])
        q = (Z * Z).sum(axis=1)                                          # Q_ii = ||z_i||^2
        Zy = Z * y[:, None]                                              # rows y_i z_i
        rng = np.random.default_rng(0)                                   # fixed sweep order, reproducible
        for it in range(1, self.max_iter + 1):
            pg_max, pg_min = -np.inf, np.inf
            for i in rng.permutation(n):
                grad = Zy[i] @ w - 1.0
                pg = min(grad, 0.0) if alpha[i] == 0 else (max(grad, 0.0) if alpha[i] == C else grad)
                pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
                if pg != 0 and q[i] > 0:
                    new = min(max(alpha[i] - grad / q[i], 0.0), C)
                    w += (new - alpha[i]) * Zy[i]
                    alpha[i] = new
            if pg_max - pg_min < self.tol:
                return w, it
        warnings.warn(f"Dual coordinate descent stopped after max_iter={self.max_iter} sweeps.",
                      ConvergenceWarning, stacklevel=3)
        return w, self.max_iter

    def fit(self, X, y):
        """Fit the classifier; returns ``self``."""
        if self.loss not in ("hinge", "squared_hinge"):
            raise ValueError(f"loss must be 'hinge' or 'squared_hinge', got {self.loss!r}.")
        if not self.C > 0:
            raise ValueError(f"C must be positive, got {self.C}.")
        X = check_array(X)
        classes, y_enc = check_classification_targets(y)
        X, _ = check_X_y(X, y_enc)
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        s = float(self.intercept_scaling)
        Z = np.column_stack([X, np.full(X.shape[0], s)]) if self.fit_intercept else X
        targets = [1] if len(classes) == 2 else range(len(classes))       # one-vs-rest
        solve = self._newton_squared_hinge if self.loss == "squared_hinge" else self._dual_cd_hinge
        weights, iters = [], []
        for k in targets:
            w, it = solve(Z, np.where(y_enc == k, 1.0, -1.0))
            weights.append(w)
            iters.append(it)
        W = np.array(weights)                                            # (n_targets, p)
        if self.fit_intercept:
            self.coef_, self.intercept_ = W[:, :-1], W[:, -1] * s
        else:
            self.coef_, self.intercept_ = W, np.zeros(W.shape[0])
        self.n_iter_ = max(iters)
        return self

    def decision_function(self, X):
        """Scores :math:`X w + b`: (n_samples,) for two classes, else (n_samples, n_classes)."""
        check_is_fitted(self, "coef_")
        X = check_array(X)
        check_n_features(self, X)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        """Predicted labels, shape (n_samples,)."""
        scores = self.decision_function(X)
        if len(self.classes_) == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
