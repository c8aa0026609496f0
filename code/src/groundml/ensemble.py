"""Tree ensembles from scratch: random forests, AdaBoost (SAMME) and gradient boosting.

The book pages ``book/machine-learning/random-forests.md`` and
``book/machine-learning/boosting.md`` derive the formulas used here. Every base learner
is a :mod:`groundml.tree` CART tree; the estimators follow scikit-learn's conventions.
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
from .numerics import sigmoid, softmax
from .tree import DecisionTreeClassifier, DecisionTreeRegressor


def _check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}.")


def _check_classifier_X_y(X, y):
    X = check_array(X)
    y = np.asarray(y)
    if y.ndim == 0 or X.shape[0] != y.shape[0]:
        n_y = y.shape[0] if y.ndim else "a scalar"
        raise ValueError(f"X and y have inconsistent numbers of samples: X has {X.shape[0]}, y has {n_y}.")
    classes, y_enc = check_classification_targets(y)
    return X, classes, y_enc


def _check_regressor_X_y(X, y):
    X, y = check_X_y(X, y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1D (one target), got shape {y.shape}.")
    return X, y


def _r2(y, y_pred):
    return float(1.0 - np.sum((y - y_pred) ** 2) / np.sum((y - y.mean()) ** 2))


class _BaseForest:
    """Bagged CART trees with feature sub-sampling at every split."""

    def __init__(self, *, n_estimators=100, criterion, max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, max_features, bootstrap=True, oob_score=False, random_state=None):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state

    _tree_class = None  # DecisionTreeClassifier or DecisionTreeRegressor, set by each forest

    def _make_tree(self, seed):
        return self._tree_class(criterion=self.criterion, max_depth=self.max_depth,
                                min_samples_split=self.min_samples_split,
                                min_samples_leaf=self.min_samples_leaf,
                                max_features=self.max_features, random_state=seed)

    def _fit_forest(self, X, target):
        _check_positive_int(self.n_estimators, "n_estimators")
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out-of-bag estimation is only available if bootstrap=True.")
        rng = np.random.default_rng(self.random_state)
        n_samples = X.shape[0]
        self.estimators_, self.estimators_samples_ = [], []
        for _ in range(self.n_estimators):
            tree = self._make_tree(int(rng.integers(2**32)))
            if self.bootstrap:
                # n draws with replacement; duplicates enter the tree as integer weights
                idx = rng.integers(0, n_samples, size=n_samples)
                weight = np.bincount(idx, minlength=n_samples).astype(float)
                in_bag = np.flatnonzero(weight)
                tree.fit(X[in_bag], target[in_bag], sample_weight=weight[in_bag])
            else:
                in_bag = np.arange(n_samples)
                tree.fit(X, target)
            self.estimators_.append(tree)
            self.estimators_samples_.append(in_bag)
        self.n_features_in_ = X.shape[1]

    def _oob_average(self, X, predict_one, n_outputs):
        """Average of ``predict_one(tree, X_oob)`` over the trees for which a sample is out of bag."""
        n_samples = X.shape[0]
        total = np.zeros((n_samples, n_outputs))
        count = np.zeros(n_samples)
        for tree, in_bag in zip(self.estimators_, self.estimators_samples_, strict=True):
            oob = np.ones(n_samples, dtype=bool)
            oob[in_bag] = False
            total[oob] += predict_one(tree, X[oob])
            count[oob] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count[:, None], count

    def _validate_X_predict(self, X):
        check_is_fitted(self, "estimators_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    @property
    def feature_importances_(self):
        """Mean over the trees of their impurity-based importances."""
        check_is_fitted(self, "estimators_")
        return np.mean([t.feature_importances_ for t in self.estimators_], axis=0)


class RandomForestClassifier(_BaseForest):
    r"""Random forest classifier: bootstrap samples, random feature subsets, averaged probabilities.

    Parameters
    ----------
    n_estimators : int, default=100
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
    max_depth, min_samples_split, min_samples_leaf :
        As in :class:`groundml.tree.DecisionTreeClassifier`.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features drawn at every split; None uses all (bagging).
    bootstrap : bool, default=True
        Fit each tree on ``n_samples`` draws with replacement; otherwise on all samples.
    oob_score : bool, default=False
        Estimate the accuracy from out-of-bag predictions.
    random_state : int, numpy.random.Generator or None

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
    estimators_samples_ : list of ndarray
        Indices of the distinct samples each tree was fitted on.
    classes_ : ndarray of shape (n_classes,)
    oob_score_ : float
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
    feature_importances_ : ndarray of shape (n_features,)

    Notes
    -----
    For :math:`B` identically distributed trees with variance :math:`\sigma^2` and pairwise
    correlation :math:`\rho`, the average has variance
    :math:`\rho\sigma^2 + (1 - \rho)\sigma^2 / B`; feature sub-sampling lowers
    :math:`\rho`. Derived in the book page "Bagging and random forests".
    """

    _tree_class = DecisionTreeClassifier

    def __init__(self, *, n_estimators=100, criterion="gini", max_depth=None, min_samples_split=2,
                 min_samples_leaf=1, max_features="sqrt", bootstrap=True, oob_score=False,
                 random_state=None):
        super().__init__(n_estimators=n_estimators, criterion=criterion, max_depth=max_depth,
                         min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                         max_features=max_features, bootstrap=bootstrap, oob_score=oob_score,
                         random_state=random_state)

    def fit(self, X, y):
        """Fit ``n_estimators`` trees. ``X``: (n_samples, n_features), ``y``: (n_samples,)."""
        X, self.classes_, y_enc = _check_classifier_X_y(X, y)
        self.n_classes_ = len(self.classes_)
        self._fit_forest(X, y_enc)
        if self.oob_score:
            proba, count = self._oob_average(X, self._tree_proba, self.n_classes_)
            self.oob_decision_function_ = proba
            seen = count > 0
            self.oob_score_ = float(np.mean(np.argmax(proba[seen], axis=1) == y_enc[seen]))
        return self

    def _tree_proba(self, tree, X):
        """Probabilities over all classes: a bootstrap sample may miss some classes."""
        out = np.zeros((X.shape[0], self.n_classes_))
        out[:, tree.classes_.astype(int)] = tree.predict_proba(X)
        return out

    def predict_proba(self, X):
        """Mean of the trees' class probabilities, shape (n_samples, n_classes)."""
        X = self._validate_X_predict(X)
        return np.mean([self._tree_proba(t, X) for t in self.estimators_], axis=0)

    def predict(self, X):
        """Class with the largest mean probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class RandomForestRegressor(_BaseForest):
    """Random forest regressor: the mean of bootstrap-fitted regression trees.

    Parameters and attributes are those of :class:`RandomForestClassifier`, with
    ``criterion="squared_error"``, default ``max_features=1.0`` (all features, as
    scikit-learn), ``oob_score_`` the out-of-bag :math:`R^2` and ``oob_prediction_`` of
    shape (n_samples,). Derived in the book page "Bagging and random forests".
    """

    _tree_class = DecisionTreeRegressor

    def __init__(self, *, n_estimators=100, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, max_features=1.0, bootstrap=True,
                 oob_score=False, random_state=None):
        super().__init__(n_estimators=n_estimators, criterion=criterion, max_depth=max_depth,
                         min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                         max_features=max_features, bootstrap=bootstrap, oob_score=oob_score,
                         random_state=random_state)

    def fit(self, X, y):
        """Fit ``n_estimators`` trees. ``X``: (n_samples, n_features), ``y``: (n_samples,)."""
        X, y = _check_regressor_X_y(X, y)
        self._fit_forest(X, y)
        if self.oob_score:
            pred, count = self._oob_average(X, lambda t, Z: t.predict(Z)[:, None], 1)
            self.oob_prediction_ = pred[:, 0]
            seen = count > 0
            self.oob_score_ = _r2(y[seen], self.oob_prediction_[seen])
        return self

    def predict(self, X):
        """Mean of the trees' predictions, shape (n_samples,)."""
        X = self._validate_X_predict(X)
        return np.mean([t.predict(X) for t in self.estimators_], axis=0)

    def score(self, X, y):
        """:math:`R^2` on ``(X, y)``."""
        return _r2(np.asarray(y, dtype=float), self.predict(X))


class AdaBoostClassifier:
    r"""AdaBoost with decision stumps, multi-class by SAMME (classic AdaBoost for two classes).

    Round :math:`t` fits a stump :math:`h_t` to the data weighted by :math:`w`, computes
    its weighted error :math:`\varepsilon_t`, gives it the vote

    .. math::

        \alpha_t = \eta \Bigl( \log \frac{1 - \varepsilon_t}{\varepsilon_t} + \log (K - 1) \Bigr)

    and multiplies the weights of the misclassified samples by :math:`e^{\alpha_t}`. The
    prediction is :math:`\arg\max_k \sum_t \alpha_t [h_t(x) = k]`. With :math:`K = 2` and
    :math:`\eta = 1`, :math:`\alpha_t` is twice the classic
    :math:`\tfrac12 \log((1 - \varepsilon_t)/\varepsilon_t)`, which changes neither the
    normalised weights nor the predictions.

    Parameters
    ----------
    n_estimators : int, default=50
        Maximum number of rounds; fitting stops early if a stump is perfect.
    learning_rate : float, default=1.0
        Shrinkage :math:`\eta` of every vote.
    random_state : int, numpy.random.Generator or None
        Unused by exhaustive stumps; kept for scikit-learn's signature.

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
    estimator_weights_ : ndarray of shape (n_estimators_fitted,)
    estimator_errors_ : ndarray of shape (n_estimators_fitted,)
    classes_ : ndarray of shape (n_classes,)

    Notes
    -----
    Derived as forward stagewise additive modelling with the exponential loss in the book
    page "Boosting: AdaBoost and gradient boosting".
    """

    def __init__(self, *, n_estimators=50, learning_rate=1.0, random_state=None):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X, y):
        """Run the boosting rounds. ``X``: (n_samples, n_features), ``y``: (n_samples,)."""
        _check_positive_int(self.n_estimators, "n_estimators")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        X, self.classes_, y_enc = _check_classifier_X_y(X, y)
        K = self.n_classes_ = len(self.classes_)
        n_samples = X.shape[0]
        w = np.full(n_samples, 1.0 / n_samples)
        self.estimators_, weights, errors = [], [], []
        for t in range(self.n_estimators):
            stump = DecisionTreeClassifier(max_depth=1).fit(X, y_enc, sample_weight=w)
            incorrect = stump.predict(X) != y_enc
            err = float(np.average(incorrect, weights=w))
            if err <= 0:                                     # perfect stump: it decides alone
                self.estimators_.append(stump)
                weights.append(1.0)
                errors.append(0.0)
                break
            if err >= 1.0 - 1.0 / K:                         # no better than chance
                if t == 0:
                    raise ValueError("The first stump is no better than random guessing; "
                                     "AdaBoost cannot be fitted on these data.")
                break
            alpha = self.learning_rate * (np.log((1.0 - err) / err) + np.log(K - 1.0))
            self.estimators_.append(stump)
            weights.append(alpha)
            errors.append(err)
            w = w * np.exp(alpha * incorrect)                # up-weight the mistakes
            w /= w.sum()
        self.estimator_weights_ = np.asarray(weights)
        self.estimator_errors_ = np.asarray(errors)
        self.n_features_in_ = X.shape[1]
        return self

    def _validate_X_predict(self, X):
        check_is_fitted(self, "estimators_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    def decision_function(self, X):
        """Normalised weighted votes with SAMME's symmetric class code.

        Shape (n_samples,) for two classes (positive means ``classes_[1]``), else
        (n_samples, n_classes).
        """
        X = self._validate_X_predict(X)
        K = self.n_classes_
        votes = np.zeros((X.shape[0], K))
        for stump, alpha in zip(self.estimators_, self.estimator_weights_, strict=True):
            # SAMME's symmetric code: +1 for the predicted class, -1/(K-1) for the others
            code = np.full((X.shape[0], K), -1.0 / (K - 1))
            code[np.arange(X.shape[0]), stump.predict(X).astype(int)] = 1.0
            votes += alpha * code
        votes /= self.estimator_weights_.sum()
        if self.n_classes_ == 2:
            return votes[:, 1] - votes[:, 0]
        return votes

    def predict(self, X):
        """Class with the largest weighted vote."""
        scores = self.decision_function(X)                   # checks that the model is fitted
        if self.n_classes_ == 2:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_proba(self, X):
        """Softmax of the votes divided by ``n_classes - 1`` (scikit-learn's SAMME probabilities)."""
        scores = self.decision_function(X)
        if self.n_classes_ == 2:
            scores = np.column_stack([-scores, scores]) / 2.0
        else:
            scores = scores / (self.n_classes_ - 1)
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class _BaseGradientBoosting:
    """Shared parameters and the subsampling of stochastic gradient boosting."""

    def __init__(self, *, learning_rate=0.1, n_estimators=100, subsample=1.0, max_depth=3,
                 min_samples_split=2, min_samples_leaf=1, max_features=None, random_state=None):
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state

    def _check_params(self):
        _check_positive_int(self.n_estimators, "n_estimators")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        if not 0.0 < self.subsample <= 1.0:
            raise ValueError(f"subsample must be in (0, 1], got {self.subsample!r}.")

    def _new_tree(self, rng):
        return DecisionTreeRegressor(max_depth=self.max_depth, min_samples_split=self.min_samples_split,
                                     min_samples_leaf=self.min_samples_leaf,
                                     max_features=self.max_features, random_state=rng)

    def _sample(self, rng, n_samples):
        """Rows used by one round: all, or a fraction ``subsample`` drawn without replacement."""
        if self.subsample >= 1.0:
            return np.arange(n_samples)
        return np.sort(rng.choice(n_samples, size=max(1, int(self.subsample * n_samples)), replace=False))

    def _validate_X_predict(self, X):
        check_is_fitted(self, "estimators_")
        X = check_array(X)
        check_n_features(self, X)
        return X

    @property
    def feature_importances_(self):
        """Mean over all trees of their impurity-based importances."""
        check_is_fitted(self, "estimators_")
        imp = np.mean([t.feature_importances_ for row in self.estimators_ for t in row], axis=0)
        return imp / imp.sum() if imp.sum() > 0 else imp


class GradientBoostingRegressor(_BaseGradientBoosting):
    r"""Gradient boosting for regression with the squared error.

    Starts from the mean :math:`F_0 = \bar y`; round :math:`m` fits a regression tree
    :math:`h_m` to the pseudo-residuals :math:`r_i = y_i - F_{m-1}(x_i)` (the negative
    gradient of :math:`\tfrac12 (y - F)^2`) and updates
    :math:`F_m = F_{m-1} + \eta\, h_m`. The leaf means of :math:`h_m` are already the
    optimal leaf values for this loss.

    Parameters
    ----------
    learning_rate : float, default=0.1
        Shrinkage :math:`\eta`.
    n_estimators : int, default=100
    subsample : float, default=1.0
        Fraction of the samples (without replacement) each tree is fitted on.
    max_depth, min_samples_split, min_samples_leaf, max_features :
        Passed to every :class:`groundml.tree.DecisionTreeRegressor`.
    random_state : int, numpy.random.Generator or None

    Attributes
    ----------
    init_ : float
    estimators_ : ndarray of DecisionTreeRegressor, shape (n_estimators, 1)
    train_score_ : ndarray of shape (n_estimators,)
        Half mean squared error on the in-bag samples after each round.

    Notes
    -----
    Gradient boosting as functional gradient descent: the book page
    "Boosting: AdaBoost and gradient boosting".
    """

    def fit(self, X, y):
        """Fit ``n_estimators`` trees. ``X``: (n_samples, n_features), ``y``: (n_samples,)."""
        self._check_params()
        X, y = _check_regressor_X_y(X, y)
        rng = np.random.default_rng(self.random_state)
        self.init_ = float(y.mean())
        F = np.full(y.shape[0], self.init_)
        trees, scores = [], []
        for _ in range(self.n_estimators):
            rows = self._sample(rng, y.shape[0])
            residual = y - F                                 # negative gradient of (y - F)^2 / 2
            tree = self._new_tree(rng).fit(X[rows], residual[rows])
            F += self.learning_rate * tree.predict(X)
            trees.append([tree])
            scores.append(0.5 * np.mean((y[rows] - F[rows]) ** 2))
        self.estimators_ = np.array(trees, dtype=object)
        self.train_score_ = np.asarray(scores)
        self.n_features_in_ = X.shape[1]
        return self

    def staged_predict(self, X):
        """Yield the prediction after each round, each of shape (n_samples,)."""
        X = self._validate_X_predict(X)
        F = np.full(X.shape[0], self.init_)
        for (tree,) in self.estimators_:
            F = F + self.learning_rate * tree.predict(X)
            yield F

    def predict(self, X):
        """:math:`F_M(x) = F_0 + \\eta \\sum_m h_m(x)`, shape (n_samples,)."""
        X = self._validate_X_predict(X)
        return self.init_ + self.learning_rate * np.sum([t.predict(X) for (t,) in self.estimators_], axis=0)

    def score(self, X, y):
        """:math:`R^2` on ``(X, y)``."""
        return _r2(np.asarray(y, dtype=float), self.predict(X))


class GradientBoostingClassifier(_BaseGradientBoosting):
    r"""Gradient boosting for classification with the log-loss (binary or multinomial).

    Binary: the raw score :math:`F` is the log-odds, starting at
    :math:`\log(\bar y / (1 - \bar y))`; each round fits a regression tree to the
    pseudo-residuals :math:`r_i = y_i - \sigma(F(x_i))` and replaces the value of each leaf
    :math:`R` by one Newton step :math:`\sum_{i \in R} r_i / \sum_{i \in R} p_i (1 - p_i)`.
    With :math:`K > 2` classes, one tree per class and round fits
    :math:`r_{ik} = [y_i = k] - p_k(x_i)` (softmax probabilities), with leaf values
    :math:`\frac{K-1}{K} \sum r_{ik} / \sum |r_{ik}| (1 - |r_{ik}|)`.

    Parameters and attributes as in :class:`GradientBoostingRegressor`; ``estimators_``
    has shape (n_estimators, 1) for two classes and (n_estimators, n_classes) otherwise.

    Notes
    -----
    Derived in the book page "Boosting: AdaBoost and gradient boosting".
    """

    def fit(self, X, y):
        """Fit the boosting rounds. ``X``: (n_samples, n_features), ``y``: (n_samples,) labels."""
        self._check_params()
        X, self.classes_, y_enc = _check_classifier_X_y(X, y)
        K = self.n_classes_ = len(self.classes_)
        n = X.shape[0]
        rng = np.random.default_rng(self.random_state)
        Y = np.eye(K)[y_enc] if K > 2 else y_enc[:, None].astype(float)   # (n, n_trees_per_round)
        prior = Y.mean(axis=0)
        self.init_ = np.log(prior / (1 - prior)) if K == 2 else np.log(prior)
        F = np.tile(self.init_, (n, 1))                                    # raw scores, (n, n_trees)
        trees = []
        for _ in range(self.n_estimators):
            rows = self._sample(rng, n)
            P = sigmoid(F) if K == 2 else softmax(F, axis=1)
            R = Y - P                                                      # pseudo-residuals
            round_trees = []
            for k in range(Y.shape[1]):
                tree = self._new_tree(rng).fit(X[rows], R[rows, k])
                leaves = tree.tree_.apply(X[rows])
                r, p = R[rows, k], P[rows, k]
                num = np.bincount(leaves, weights=r, minlength=tree.tree_.node_count)
                den = np.bincount(leaves, weights=p * (1 - p), minlength=tree.tree_.node_count)
                if K > 2:
                    num *= (K - 1) / K
                value = np.divide(num, den, out=np.zeros_like(num), where=np.abs(den) >= 1e-150)
                tree.tree_.value[:, 0] = value                             # Newton step per leaf
                F[:, k] += self.learning_rate * tree.tree_.value[tree.tree_.apply(X), 0]
                round_trees.append(tree)
            trees.append(round_trees)
        self.estimators_ = np.array(trees, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        """Raw scores: log-odds, shape (n_samples,), for two classes; else (n_samples, n_classes)."""
        X = self._validate_X_predict(X)
        F = np.tile(self.init_, (X.shape[0], 1))
        for row in self.estimators_:
            for k, tree in enumerate(row):
                F[:, k] += self.learning_rate * tree.predict(X)
        return F[:, 0] if self.n_classes_ == 2 else F

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        F = self.decision_function(X)
        if self.n_classes_ == 2:
            p = sigmoid(F)
            return np.column_stack([1 - p, p])
        return softmax(F, axis=1)

    def predict(self, X):
        """Most probable class."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))
