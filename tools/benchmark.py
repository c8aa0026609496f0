"""Time every from-scratch estimator in groundml against its scikit-learn counterpart.

Run it with ``python3 tools/dev.py benchmark`` (or ``.venv/bin/python tools/benchmark.py``).
It is not part of the test command: timings depend on the machine, score_ours they are
reported, not asserted. Both estimators of a row are fitted on the same data in the
same process; each time is the best of ``--repeat`` runs. The table lists, per model,
the data shape, the fit and predict times of each implementation, the ratios
groundml / scikit-learn, and the score of each on held-out data (accuracy for
classifiers, R^2 for regressors, the adjusted Rand index against the true groups for
clusterings, the mean log-likelihood for mixtures, the explained variance for PCA).

Targets (from the issue that asked for this script): within 3x of scikit-learn's fit
time for the vectorisable models, within 30x for trees and ensembles. A row whose
estimator does not exist yet in groundml is listed as missing.

    python3 tools/dev.py benchmark                 # every row
    python3 tools/dev.py benchmark --only Ridge    # rows whose name contains "Ridge"
    python3 tools/dev.py benchmark --markdown      # a table to paste into an issue
"""

import argparse
import importlib
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn import datasets
from sklearn.gaussian_process.kernels import RBF
from sklearn.metrics import adjusted_rand_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

VECTORISABLE, TREES = 3.0, 30.0


def regression(n_samples, n_features, seed=0):
    X, y = datasets.make_regression(n_samples=n_samples, n_features=n_features, n_informative=n_features // 2,
                                    noise=10.0, random_state=seed)
    return train_test_split(X, y, test_size=0.25, random_state=seed)


def classification(n_samples, n_features, n_classes=2, seed=0):
    X, y = datasets.make_classification(n_samples=n_samples, n_features=n_features,
                                        n_informative=n_features // 2, n_classes=n_classes,
                                        n_clusters_per_class=1, random_state=seed)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)


def counts(n_samples, n_features, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_samples)
    rates = rng.gamma(1.0, 1.0, size=(n_classes, n_features))
    X = rng.poisson(rates[y]).astype(float)
    return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)


def blobs(n_samples, n_features, centers, seed=0):
    X, y = datasets.make_blobs(n_samples=n_samples, n_features=n_features, centers=centers,
                               random_state=seed)
    return train_test_split(X, y, test_size=0.25, random_state=seed)


@dataclass
class Row:
    name: str            # groundml class, as "module.Class"
    sklearn: str         # scikit-learn class, as "module.Class"
    data: tuple          # (X_train, X_test, y_train, y_test)
    kind: str            # classifier | regressor | cluster | mixture | transformer
    target: float        # allowed fit-time ratio
    params: dict = field(default_factory=dict)
    sk_params: dict = None  # scikit-learn's parameters when they differ from ours


def rows():
    reg = regression(20000, 50)
    reg_small = regression(2000, 10)
    clf = classification(20000, 20)
    clf_multi = classification(20000, 20, n_classes=4)
    clf_small = classification(2000, 10)
    clf_knn = classification(4000, 20)
    cnt = counts(20000, 50)
    blob = blobs(20000, 10, centers=8)
    blob_small = blobs(1500, 5, centers=4)
    init = blob[0][:8].copy()
    gauss = blobs(5000, 5, centers=4)
    g_means = gauss[0][:4].copy()
    V, T = VECTORISABLE, TREES
    return [
        Row("linear_model.LinearRegression", "linear_model.LinearRegression", reg, "regressor", V),
        Row("linear_model.Ridge", "linear_model.Ridge", reg, "regressor", V, {"alpha": 1.0}),
        Row("linear_model.Lasso", "linear_model.Lasso", reg, "regressor", V, {"alpha": 0.5}),
        Row("linear_model.ElasticNet", "linear_model.ElasticNet", reg, "regressor", V,
            {"alpha": 0.5, "l1_ratio": 0.5}),
        Row("linear_model.LogisticRegression", "linear_model.LogisticRegression", clf, "classifier", V,
            {"C": 1.0}),
        Row("linear_model.LogisticRegression", "linear_model.LogisticRegression", clf_multi, "classifier", V,
            {"C": 1.0}),
        Row("naive_bayes.GaussianNB", "naive_bayes.GaussianNB", clf, "classifier", V),
        Row("naive_bayes.MultinomialNB", "naive_bayes.MultinomialNB", cnt, "classifier", V),
        Row("naive_bayes.BernoulliNB", "naive_bayes.BernoulliNB", cnt, "classifier", V, {"binarize": 0.5}),
        Row("neighbors.KNeighborsClassifier", "neighbors.KNeighborsClassifier", clf_knn, "classifier", V,
            {"n_neighbors": 5}, {"n_neighbors": 5, "algorithm": "brute"}),
        Row("neighbors.KNeighborsRegressor", "neighbors.KNeighborsRegressor", regression(4000, 20),
            "regressor", V, {"n_neighbors": 5}, {"n_neighbors": 5, "algorithm": "brute"}),
        Row("svm.LinearSVC", "svm.LinearSVC", clf_small, "classifier", T, {"C": 1.0}),
        Row("svm.SVC", "svm.SVC", clf_small, "classifier", T, {"C": 1.0, "kernel": "rbf", "gamma": 0.1}),
        Row("tree.DecisionTreeClassifier", "tree.DecisionTreeClassifier", clf, "classifier", T,
            {"max_depth": 10, "random_state": 0}),
        Row("tree.DecisionTreeRegressor", "tree.DecisionTreeRegressor", reg_small, "regressor", T,
            {"max_depth": 8, "random_state": 0}),
        Row("ensemble.RandomForestClassifier", "ensemble.RandomForestClassifier", clf_small, "classifier", T,
            {"n_estimators": 50, "random_state": 0}),
        Row("ensemble.RandomForestRegressor", "ensemble.RandomForestRegressor", reg_small, "regressor", T,
            {"n_estimators": 50, "random_state": 0}),
        Row("ensemble.AdaBoostClassifier", "ensemble.AdaBoostClassifier", clf_small, "classifier", T,
            {"n_estimators": 50, "random_state": 0}),
        Row("ensemble.GradientBoostingRegressor", "ensemble.GradientBoostingRegressor", reg_small,
            "regressor", T, {"n_estimators": 100, "max_depth": 3, "random_state": 0}),
        Row("ensemble.GradientBoostingClassifier", "ensemble.GradientBoostingClassifier", clf_small,
            "classifier", T, {"n_estimators": 100, "max_depth": 3, "random_state": 0}),
        Row("cluster.KMeans", "cluster.KMeans", blob, "cluster", V,
            {"n_clusters": 8, "init": init, "n_init": 1}, {"n_clusters": 8, "init": init, "n_init": 1,
                                                          "algorithm": "lloyd"}),
        Row("cluster.AgglomerativeClustering", "cluster.AgglomerativeClustering", blob_small, "cluster", T,
            {"n_clusters": 4, "linkage": "ward"}),
        Row("cluster.DBSCAN", "cluster.DBSCAN", blob_small, "cluster", T, {"eps": 2.0, "min_samples": 5}),
        Row("mixture.GaussianMixture", "mixture.GaussianMixture", gauss, "mixture", V,
            {"n_components": 4, "means_init": g_means, "random_state": 0}),
        Row("anomaly.RANSACRegressor", "linear_model.RANSACRegressor", reg_small, "regressor", T,
            {"random_state": 0}),
        Row("gaussian_process.GaussianProcessRegressor", "gaussian_process.GaussianProcessRegressor",
            reg_small, "regressor", V, {"length_scale": 3.0, "alpha": 0.1, "normalize_y": True},
            {"kernel": RBF(3.0, length_scale_bounds="fixed"), "alpha": 0.1, "normalize_y": True,
             "optimizer": None}),
        Row("dimensionality.PCA", "decomposition.PCA", reg, "transformer", V, {"n_components": 10},
            {"n_components": 10, "svd_solver": "full"}),
        Row("dimensionality.LinearDiscriminantAnalysis", "discriminant_analysis.LinearDiscriminantAnalysis",
            clf_multi, "classifier", V),
    ]


def load(path, package):
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(f"{package}.{module}"), name)
    except (ImportError, AttributeError):
        return None


def best_time(function, repeat):
    function()  # warm-up: the first call pays one-off costs (imports, caches, thread pools)
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def evaluate(row, cls, params, repeat):
    X_train, X_test, y_train, y_test = row.data
    if row.kind in ("cluster",) and not hasattr(cls, "predict"):
        fit_time, model = best_time(lambda: cls(**params).fit(X_train), repeat)
        return fit_time, float("nan"), adjusted_rand_score(y_train, model.labels_)
    if row.kind in ("cluster", "mixture", "transformer"):
        fit_time, model = best_time(lambda: cls(**params).fit(X_train), repeat)
        if row.kind == "transformer":
            predict_time, _ = best_time(lambda: model.transform(X_test), repeat)
            return fit_time, predict_time, float(np.sum(model.explained_variance_ratio_))
        predict_time, labels = best_time(lambda: model.predict(X_test), repeat)
        if row.kind == "mixture":
            return fit_time, predict_time, float(model.score(X_test))
        return fit_time, predict_time, adjusted_rand_score(y_test, labels)
    fit_time, model = best_time(lambda: cls(**params).fit(X_train, y_train), repeat)
    predict_time, y_pred = best_time(lambda: model.predict(X_test), repeat)
    score = np.mean(y_pred == y_test) if row.kind == "classifier" else r2_score(y_test, y_pred)
    return fit_time, predict_time, float(score)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="run only the rows whose model name contains this text")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is kept (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)

    header = ["model", "data (train)", "fit ours s", "fit sklearn s", "fit ratio", "target",
              "predict ours s", "predict sklearn s", "predict ratio", "score ours", "score sklearn"]
    table, missed = [], []
    for row in rows():
        if args.only and args.only.lower() not in row.name.lower():
            continue
        ours, theirs = load(row.name, "groundml"), load(row.sklearn, "sklearn")
        shape = "x".join(map(str, row.data[0].shape))
        label = row.name.split(".")[-1] + (f" ({len(np.unique(row.data[2]))} classes)"
                                           if row.kind == "classifier" else "")
        if ours is None:
            table.append([label, shape, "missing"] + [""] * (len(header) - 3))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter from either side is not the point here
            fit_ours, pred_ours, score_ours = evaluate(row, ours, row.params, args.repeat)
            sk_params = row.sk_params if row.sk_params is not None else row.params
            fit_sk, pred_sk, score_sk = evaluate(row, theirs, sk_params, args.repeat)
        ratio = fit_ours / fit_sk
        if ratio > row.target:
            missed.append(label)
        has_predict = not np.isnan(pred_ours)
        table.append([label, shape, f"{fit_ours:.4f}", f"{fit_sk:.4f}", f"{ratio:.1f}x", f"{row.target:.0f}x",
                      f"{pred_ours:.4f}" if has_predict else "-", f"{pred_sk:.4f}" if has_predict else "-",
                      f"{pred_ours / pred_sk:.1f}x" if has_predict else "-",
                      f"{score_ours:.4f}", f"{score_sk:.4f}"])
        print(f"done: {label}", file=sys.stderr, flush=True)

    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in table:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(str(r[i])) for r in [header] + table) for i in range(len(header))]
        for line in [header] + table:
            print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    if missed:
        print(f"\nfit time above target: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
