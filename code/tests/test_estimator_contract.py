"""Every groundml estimator keeps scikit-learn's estimator contract and rejects bad input.

The per-module tests compare each estimator's results with scikit-learn's; this file
checks, for all of them at once, the conventions a reader relies on when swapping one
for the other (scikit-learn's ``doc/developers/develop.rst``):

- ``__init__`` takes keyword arguments (positional only where scikit-learn's own
  counterpart allows it) and only stores them;
- using the model before ``fit`` raises ``NotFittedError``; ``fit`` returns ``self``;
- bad input raises a ``ValueError`` that names the problem: wrong number of dimensions,
  NaN or infinity, ``X`` and ``y`` of different lengths, a single class given to a
  classifier, a different number of features at prediction time than at fit. For each,
  scikit-learn's counterpart is checked to raise on the same input too, except where a
  comment says it deliberately does not.
"""

import importlib
import inspect

import numpy as np
import pytest
import sklearn.cluster
import sklearn.discriminant_analysis
import sklearn.ensemble
import sklearn.gaussian_process
import sklearn.linear_model
import sklearn.mixture
import sklearn.naive_bayes
import sklearn.neighbors
import sklearn.preprocessing
import sklearn.svm
import sklearn.tree

from groundml import NotFittedError

# (groundml "module.Class", scikit-learn class or None, kind, fast parameters)
ESTIMATORS = [
    ("linear_model.LinearRegression", sklearn.linear_model.LinearRegression, "regressor", {}),
    ("linear_model.Ridge", sklearn.linear_model.Ridge, "regressor", {}),
    ("linear_model.Lasso", sklearn.linear_model.Lasso, "regressor", {"alpha": 0.1}),
    ("linear_model.ElasticNet", sklearn.linear_model.ElasticNet, "regressor", {"alpha": 0.1}),
    ("linear_model.LogisticRegression", sklearn.linear_model.LogisticRegression, "classifier", {}),
    ("naive_bayes.GaussianNB", sklearn.naive_bayes.GaussianNB, "classifier", {}),
    ("naive_bayes.MultinomialNB", sklearn.naive_bayes.MultinomialNB, "classifier", {}),
    ("naive_bayes.BernoulliNB", sklearn.naive_bayes.BernoulliNB, "classifier", {}),
    ("neighbors.KNeighborsClassifier", sklearn.neighbors.KNeighborsClassifier, "classifier",
     {"n_neighbors": 3}),
    ("neighbors.KNeighborsRegressor", sklearn.neighbors.KNeighborsRegressor, "regressor",
     {"n_neighbors": 3}),
    ("svm.SVC", sklearn.svm.SVC, "classifier", {}),
    ("svm.LinearSVC", sklearn.svm.LinearSVC, "classifier", {}),
    ("tree.DecisionTreeClassifier", sklearn.tree.DecisionTreeClassifier, "classifier", {"max_depth": 3}),
    ("tree.DecisionTreeRegressor", sklearn.tree.DecisionTreeRegressor, "regressor", {"max_depth": 3}),
    ("ensemble.RandomForestClassifier", sklearn.ensemble.RandomForestClassifier, "classifier",
     {"n_estimators": 5, "random_state": 0}),
    ("ensemble.RandomForestRegressor", sklearn.ensemble.RandomForestRegressor, "regressor",
     {"n_estimators": 5, "random_state": 0}),
    ("ensemble.AdaBoostClassifier", sklearn.ensemble.AdaBoostClassifier, "classifier", {"n_estimators": 5}),
    ("ensemble.GradientBoostingRegressor", sklearn.ensemble.GradientBoostingRegressor, "regressor",
     {"n_estimators": 5}),
    ("ensemble.GradientBoostingClassifier", sklearn.ensemble.GradientBoostingClassifier, "classifier",
     {"n_estimators": 5}),
    ("dimensionality.LinearDiscriminantAnalysis", sklearn.discriminant_analysis.LinearDiscriminantAnalysis,
     "classifier", {}),
    ("anomaly.RANSACRegressor", sklearn.linear_model.RANSACRegressor, "regressor", {"random_state": 0}),
    ("gaussian_process.GaussianProcessRegressor", sklearn.gaussian_process.GaussianProcessRegressor,
     "regressor", {}),
    ("gaussian_process.BayesianLinearRegression", sklearn.linear_model.BayesianRidge, "regressor", {}),
    ("cluster.KMeans", sklearn.cluster.KMeans, "clusterer",
     {"n_clusters": 2, "n_init": 1, "random_state": 0}),
    ("mixture.GaussianMixture", sklearn.mixture.GaussianMixture, "clusterer", {"n_components": 2}),
    ("dimensionality.PCA", sklearn.decomposition.PCA, "transformer", {"n_components": 2}),
    ("preprocessing.StandardScaler", sklearn.preprocessing.StandardScaler, "transformer", {}),
    ("preprocessing.MinMaxScaler", sklearn.preprocessing.MinMaxScaler, "transformer", {}),
    ("cluster.AgglomerativeClustering", sklearn.cluster.AgglomerativeClustering, "fit-only",
     {"n_clusters": 2}),
    ("cluster.DBSCAN", sklearn.cluster.DBSCAN, "fit-only", {}),
]
IDS = [name for name, *_ in ESTIMATORS]
SUPERVISED = [e for e in ESTIMATORS if e[2] in ("classifier", "regressor")]
PREDICTING = [e for e in ESTIMATORS if e[2] != "fit-only"]
# scikit-learn's trees and forests (since 1.3) learn where to send missing values, and its
# scalers ignore NaN when fitting; groundml's reject NaN with a ValueError instead.
SKLEARN_ACCEPTS_NAN = {"tree.DecisionTreeClassifier", "tree.DecisionTreeRegressor",
                       "ensemble.RandomForestClassifier", "ensemble.RandomForestRegressor",
                       "preprocessing.StandardScaler", "preprocessing.MinMaxScaler"}


def load(name):
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(f"groundml.{module}"), cls)


def data(kind, n_samples=24, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = np.abs(rng.normal(size=(n_samples, n_features)))   # non-negative: valid for MultinomialNB
    y = np.arange(n_samples) % 2 if kind == "classifier" else X @ np.arange(1.0, n_features + 1)
    return X, y


def fit(estimator, kind, X, y):
    return estimator.fit(X, y) if kind in ("classifier", "regressor") else estimator.fit(X)


def use(estimator, kind, X):
    """The model's main prediction-time method."""
    return estimator.transform(X) if kind == "transformer" else estimator.predict(X)


@pytest.mark.parametrize("name, sk_class, kind, params", ESTIMATORS, ids=IDS)
def test_init_only_stores_keyword_arguments(name, sk_class, kind, params):
    cls = load(name)
    ours = inspect.signature(cls.__init__).parameters
    theirs = inspect.signature(sk_class.__init__).parameters
    for arg, p in ours.items():
        if arg == "self":
            continue
        assert p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD), f"{name}: *{arg} or **{arg}"
        if p.kind is p.POSITIONAL_OR_KEYWORD:   # only where scikit-learn also takes it positionally
            assert arg in theirs and theirs[arg].kind is p.POSITIONAL_OR_KEYWORD, f"{name}: {arg}"
    estimator = cls(**params)
    for arg, p in ours.items():
        if arg != "self":
            expected = params.get(arg, p.default)
            assert getattr(estimator, arg) is expected, f"{name} does not store {arg} as given"
    assert not [a for a in vars(estimator) if a.endswith("_") and not a.startswith("_")], \
        f"{name}.__init__ sets learned attributes"


@pytest.mark.parametrize("name, sk_class, kind, params", PREDICTING, ids=[e[0] for e in PREDICTING])
def test_use_before_fit_raises_not_fitted(name, sk_class, kind, params):
    X, _ = data(kind)
    with pytest.raises(NotFittedError, match="not fitted"):
        use(load(name)(**params), kind, X)


@pytest.mark.parametrize("name, sk_class, kind, params", ESTIMATORS, ids=IDS)
def test_fit_returns_self_and_learns_n_features(name, sk_class, kind, params):
    X, y = data(kind)
    estimator = load(name)(**params)
    assert fit(estimator, kind, X, y) is estimator
    if kind != "fit-only" or hasattr(estimator, "n_features_in_"):
        assert estimator.n_features_in_ == X.shape[1]


def bad_inputs(kind):
    X, y = data(kind)
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[3, 1], X_inf[5, 0] = np.nan, np.inf
    cases = [("1D", X[:, 0], y), ("1D|3D|dimension", X[:, :, None], y),
             ("NaN", X_nan, y), ("infinity|NaN", X_inf, y)]
    if kind in ("classifier", "regressor"):
        cases.append(("inconsistent", X, y[:-1]))
    return cases


@pytest.mark.parametrize("name, sk_class, kind, params", ESTIMATORS, ids=IDS)
def test_bad_input_at_fit_raises_like_sklearn(name, sk_class, kind, params):
    for message, X, y in bad_inputs(kind):
        with pytest.raises(ValueError, match=message):
            fit(load(name)(**params), kind, X, y)
        if message == "NaN" and name in SKLEARN_ACCEPTS_NAN:
            continue
        with pytest.raises(ValueError):
            fit(sk_class(**params), kind, X, y)


@pytest.mark.parametrize("name, sk_class, kind, params", [e for e in ESTIMATORS if e[2] == "classifier"],
                         ids=[e[0] for e in ESTIMATORS if e[2] == "classifier"])
def test_a_single_class_is_rejected(name, sk_class, kind, params):
    X, _ = data(kind)
    y = np.zeros(X.shape[0], dtype=int)
    with pytest.raises(ValueError, match="one class"):
        load(name)(**params).fit(X, y)
    # scikit-learn's linear models, SVMs and boosting reject it too; its naive Bayes,
    # k-NN, trees, forests and LDA accept it and predict the one class everywhere.
    # groundml rejects it for every classifier: nothing can be learned from one class.


@pytest.mark.parametrize("name, sk_class, kind, params", PREDICTING, ids=[e[0] for e in PREDICTING])
# scikit-learn's Gaussian process tunes its default kernel and may warn on these 24 points
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_different_number_of_features_at_prediction_raises_like_sklearn(name, sk_class, kind, params):
    X, y = data(kind)
    X_wide = np.hstack([X, X[:, :1]])
    ours, theirs = fit(load(name)(**params), kind, X, y), fit(sk_class(**params), kind, X, y)
    with pytest.raises(ValueError, match="features"):
        use(ours, kind, X_wide)
    with pytest.raises(ValueError):
        use(theirs, kind, X_wide)
