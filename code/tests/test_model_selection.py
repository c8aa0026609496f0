"""Splitters, cross_val_score and successive halving against sklearn.model_selection."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import model_selection as skms
from sklearn.datasets import load_diabetes, load_iris
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 - enables HalvingGridSearchCV
from sklearn.linear_model import LogisticRegression, Ridge

from groundml import model_selection as gm

SEEDS = range(5)
N_SAMPLES = [7, 10, 23, 50]


def splits_of(splitter, X, y=None):
    return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]


def assert_same_splits(ours, ref):
    assert len(ours) == len(ref)
    for (tr_a, te_a), (tr_b, te_b) in zip(ours, ref, strict=True):
        assert_array_equal(tr_a, tr_b)
        assert_array_equal(te_a, te_b)


def assert_partition(splits, n_samples):
    """Test folds are disjoint and cover every sample once; train is the complement."""
    all_test = np.concatenate([te for _, te in splits])
    assert_array_equal(np.sort(all_test), np.arange(n_samples))
    for tr, te in splits:
        assert_array_equal(np.sort(np.concatenate([tr, te])), np.arange(n_samples))


# ---------------------------------------------------------------- KFold


@pytest.mark.parametrize("n_samples", N_SAMPLES)
@pytest.mark.parametrize("n_splits", [2, 3, 5, 7])
def test_kfold_identical_to_sklearn(n_samples, n_splits):
    X = np.zeros((n_samples, 3))
    ours = gm.KFold(n_splits)
    assert ours.get_n_splits(X) == skms.KFold(n_splits).get_n_splits(X) == n_splits
    assert_same_splits(splits_of(ours, X), splits_of(skms.KFold(n_splits), X))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_samples", N_SAMPLES)
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_kfold_shuffled_is_partition_with_sklearn_sizes(seed, n_samples, n_splits):
    # Shuffled folds depend on the random generator, so they cannot equal scikit-learn's;
    # compare the fold sizes, the partition property and determinism per seed instead.
    X = np.zeros((n_samples, 2))
    ours = splits_of(gm.KFold(n_splits, shuffle=True, random_state=seed), X)
    ref = splits_of(skms.KFold(n_splits, shuffle=True, random_state=seed), X)
    assert [len(te) for _, te in ours] == [len(te) for _, te in ref]
    assert_partition(ours, n_samples)
    again = splits_of(gm.KFold(n_splits, shuffle=True, random_state=seed), X)
    assert_same_splits(ours, again)
    if n_samples >= 20:    # with few samples two seeds may give the same folds by chance
        other = splits_of(gm.KFold(n_splits, shuffle=True, random_state=seed + 100), X)
        assert any(not np.array_equal(a[1], b[1]) for a, b in zip(ours, other, strict=True))


# ---------------------------------------------------------------- StratifiedKFold


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_samples", [12, 30, 61])
@pytest.mark.parametrize("n_splits", [2, 3, 4])
def test_stratified_kfold_identical_to_sklearn(seed, n_samples, n_splits):
    rng = np.random.default_rng(seed)
    # unbalanced labels, given as strings so the class order of first appearance matters
    y = rng.choice(np.array(["b", "c", "a"]), size=n_samples, p=[0.5, 0.3, 0.2])
    # every class gets at least n_splits members (disjoint positions)
    positions = rng.permutation(n_samples)[: 3 * n_splits].reshape(3, n_splits)
    for label, pos in zip(["a", "b", "c"], positions, strict=True):
        y[pos] = label
    X = rng.normal(size=(n_samples, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = splits_of(gm.StratifiedKFold(n_splits), X, y)
        ref = splits_of(skms.StratifiedKFold(n_splits), X, y)
    assert_same_splits(ours, ref)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_splits", [3, 5])
def test_stratified_kfold_shuffled_counts_match_sklearn(seed, n_splits):
    # With shuffling the members differ (another random generator), but the number of
    # samples of each class in each test fold follows the same allocation rule.
    X, y = load_iris(return_X_y=True)
    rng = np.random.default_rng(seed)
    keep = rng.choice(len(y), size=97, replace=False)
    X, y = X[keep], y[keep]
    ours = splits_of(gm.StratifiedKFold(n_splits, shuffle=True, random_state=seed), X, y)
    ref = splits_of(skms.StratifiedKFold(n_splits, shuffle=True, random_state=seed), X, y)
    for (_, te_a), (_, te_b) in zip(ours, ref, strict=True):
        assert_array_equal(np.bincount(y[te_a], minlength=3), np.bincount(y[te_b], minlength=3))
    assert_partition(ours, len(y))
    assert_same_splits(ours, splits_of(gm.StratifiedKFold(n_splits, shuffle=True, random_state=seed), X, y))


def test_stratified_kfold_rare_class_warns_and_is_absent_from_some_folds():
    y = np.array([0] * 10 + [1] * 2)
    X = np.zeros((12, 1))
    with pytest.warns(UserWarning, match="least populated class"):
        ours = splits_of(gm.StratifiedKFold(3), X, y)
    with pytest.warns(UserWarning, match="least populated class"):
        ref = splits_of(skms.StratifiedKFold(3), X, y)
    assert_same_splits(ours, ref)
    assert any(np.sum(y[te] == 1) == 0 for _, te in ours)


def test_stratified_kfold_raises_like_sklearn():
    X = np.zeros((6, 1))
    y = np.array([0, 0, 1, 1, 2, 2])                # every class has 2 < 3 members
    for splitter in (gm.StratifiedKFold(3), skms.StratifiedKFold(3)):
        with pytest.raises(ValueError):
            list(splitter.split(X, y))
    y_continuous = np.linspace(0, 1, 6)
    for splitter in (gm.StratifiedKFold(2), skms.StratifiedKFold(2)):
        with pytest.raises(ValueError):
            list(splitter.split(X, y_continuous))
    with pytest.raises(ValueError, match="inconsistent"):
        list(gm.StratifiedKFold(2).split(X, y[:5]))


# ---------------------------------------------------------------- LeaveOneOut, TimeSeriesSplit


@pytest.mark.parametrize("n_samples", [2, 5, 13])
def test_leave_one_out_identical_to_sklearn(n_samples):
    X = np.zeros((n_samples, 2))
    assert gm.LeaveOneOut().get_n_splits(X) == skms.LeaveOneOut().get_n_splits(X)
    assert_same_splits(splits_of(gm.LeaveOneOut(), X), splits_of(skms.LeaveOneOut(), X))
    assert_same_splits(splits_of(gm.LeaveOneOut(), X), splits_of(gm.KFold(n_samples), X))


@pytest.mark.parametrize("n_samples", [12, 30, 101])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize("test_size", [None, 2, 4])
@pytest.mark.parametrize("gap", [0, 1, 3])
@pytest.mark.parametrize("max_train_size", [None, 5])
def test_time_series_split_identical_to_sklearn(n_samples, n_splits, test_size, gap, max_train_size):
    X = np.zeros((n_samples, 1))
    kwargs = dict(test_size=test_size, gap=gap, max_train_size=max_train_size)
    ours, ref = gm.TimeSeriesSplit(n_splits, **kwargs), skms.TimeSeriesSplit(n_splits, **kwargs)
    try:
        ref_splits = splits_of(ref, X)
    except ValueError:                             # too many splits for the data: we must raise too
        with pytest.raises(ValueError, match="Too many splits"):
            splits_of(ours, X)
        return
    ours_splits = splits_of(ours, X)
    assert_same_splits(ours_splits, ref_splits)
    assert ours.get_n_splits(X) == ref.get_n_splits(X)
    for tr, te in ours_splits:                     # the past only, with the gap respected
        assert tr.max() + gap < te.min()


def test_time_series_split_too_many_splits_raises_like_sklearn():
    X = np.zeros((10, 1))
    for cls in (gm.TimeSeriesSplit, skms.TimeSeriesSplit):
        with pytest.raises(ValueError):
            list(cls(3, test_size=3, gap=2).split(X))   # 10 - 2 - 9 <= 0
        with pytest.raises(ValueError):
            list(cls(10).split(X))                     # 11 folds > 10 samples


@pytest.mark.parametrize("n_splits", [1, 0, -2])
def test_n_splits_below_two_raises(n_splits):
    for cls in (gm.KFold, gm.StratifiedKFold, gm.TimeSeriesSplit, skms.KFold, skms.TimeSeriesSplit):
        with pytest.raises(ValueError):
            cls(n_splits)


def test_more_splits_than_samples_raises_like_sklearn():
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    for splitter in (gm.KFold(5), skms.KFold(5)):
        with pytest.raises(ValueError):
            list(splitter.split(X))
    for splitter in (gm.StratifiedKFold(5), skms.StratifiedKFold(5)):
        with pytest.raises(ValueError):
            list(splitter.split(X, y))
    for splitter in (gm.LeaveOneOut(), skms.LeaveOneOut()):
        with pytest.raises(ValueError):
            list(splitter.split(np.zeros((1, 1))))


def test_random_state_without_shuffle_raises_like_sklearn():
    for cls in (gm.KFold, skms.KFold):
        with pytest.raises(ValueError):
            cls(3, shuffle=False, random_state=0)


# ---------------------------------------------------------------- train_test_split


@pytest.mark.parametrize("n_samples", [10, 37, 150])
@pytest.mark.parametrize("sizes", [dict(), dict(test_size=0.3), dict(test_size=0.33), dict(test_size=7),
                                   dict(train_size=0.5), dict(test_size=0.2, train_size=0.6)])
def test_train_test_split_sizes_and_unshuffled_identical(n_samples, sizes):
    X = np.arange(n_samples * 2).reshape(n_samples, 2)
    y = np.arange(n_samples)
    ours = gm.train_test_split(X, y, shuffle=False, **sizes)
    ref = skms.train_test_split(X, y, shuffle=False, **sizes)
    for a, b in zip(ours, ref, strict=True):
        assert_array_equal(a, b)
    for seed in SEEDS:
        X_tr, X_te, y_tr, y_te = gm.train_test_split(X, y, random_state=seed, **sizes)
        ref = skms.train_test_split(X, y, random_state=seed, **sizes)
        assert (len(y_tr), len(y_te)) == (len(ref[2]), len(ref[3]))
        assert_array_equal(X_tr[:, 1] // 2, y_tr)              # rows stay paired
        assert len(np.intersect1d(y_tr, y_te)) == 0
        again = gm.train_test_split(X, y, random_state=seed, **sizes)
        assert_array_equal(again[3], y_te)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("test_size", [0.2, 0.25, 0.5, 17])
def test_train_test_split_stratified_counts(seed, test_size):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=83, p=[0.6, 0.3, 0.1])
    X = rng.normal(size=(83, 2))
    _, _, y_tr, y_te = gm.train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
    _, _, y_tr_ref, y_te_ref = skms.train_test_split(X, y, test_size=test_size, stratify=y,
                                                     random_state=seed)
    assert len(y_te) == len(y_te_ref) and len(y_tr) == len(y_tr_ref)
    # scikit-learn breaks rounding ties at random, so the per-class counts can differ by one;
    # both must be the floor or ceiling of each class's share of the test set.
    share = np.bincount(y) * len(y_te) / len(y)
    for counts in (np.bincount(y_te, minlength=3), np.bincount(y_te_ref, minlength=3)):
        assert np.all((counts == np.floor(share)) | (counts == np.ceil(share)))
    assert np.all(np.abs(np.bincount(y_te, minlength=3) - np.bincount(y_te_ref, minlength=3)) <= 1)


@pytest.mark.parametrize("bad", [dict(test_size=0.0), dict(test_size=1.0), dict(test_size=1.5),
                                 dict(test_size=-0.1), dict(test_size=0), dict(test_size=10),
                                 dict(test_size=11), dict(test_size=0.6, train_size=0.6)])
def test_train_test_split_bad_sizes_raise_like_sklearn(bad):
    X = np.zeros((10, 2))
    with pytest.raises(ValueError):
        skms.train_test_split(X, **bad)
    with pytest.raises(ValueError):
        gm.train_test_split(X, **bad)


def test_train_test_split_other_errors():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="inconsistent"):
        gm.train_test_split(X, np.zeros(9))
    with pytest.raises(ValueError):
        gm.train_test_split(X, shuffle=False, stratify=np.arange(10) % 2)
    with pytest.raises(ValueError):
        gm.train_test_split()
    y_single = np.array([0] * 9 + [1])               # a class with one member cannot be split
    for fn in (gm.train_test_split, skms.train_test_split):
        with pytest.raises(ValueError):
            fn(X, stratify=y_single)


# ---------------------------------------------------------------- cross_val_score


@pytest.mark.parametrize("n_splits", [2, 5, 10])
@pytest.mark.parametrize("alpha", [0.1, 10.0])
def test_cross_val_score_matches_sklearn_ridge(n_splits, alpha):
    X, y = load_diabetes(return_X_y=True)
    ours = gm.cross_val_score(Ridge(alpha=alpha), X, y, cv=gm.KFold(n_splits))
    ref = skms.cross_val_score(Ridge(alpha=alpha), X, y, cv=skms.KFold(n_splits))
    assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_val_score_callable_scoring_and_time_series(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 4))
    y = X @ rng.normal(size=4) + rng.normal(size=60)

    def neg_mse(model, X_test, y_test):
        return -np.mean((model.predict(X_test) - y_test) ** 2)

    ours = gm.cross_val_score(Ridge(alpha=1.0), X, y, cv=gm.TimeSeriesSplit(4, gap=2), scoring=neg_mse)
    ref = skms.cross_val_score(Ridge(alpha=1.0), X, y, cv=skms.TimeSeriesSplit(4, gap=2),
                               scoring="neg_mean_squared_error")
    assert_allclose(ours, ref, rtol=1e-12)


def test_cross_val_score_int_cv_is_stratified_for_classifiers():
    X, y = load_iris(return_X_y=True)            # sorted by class: plain KFold would be terrible
    model = LogisticRegression(max_iter=1000)
    ours = gm.cross_val_score(model, X, y, cv=5)
    ref = skms.cross_val_score(model, X, y, cv=5)
    assert_allclose(ours, ref, rtol=1e-12)
    ridge = gm.cross_val_score(Ridge(), X, y.astype(float), cv=3)
    assert_allclose(ridge, skms.cross_val_score(Ridge(), X, y.astype(float), cv=3), rtol=1e-12)


def test_cross_val_score_does_not_fit_the_given_estimator():
    X, y = load_diabetes(return_X_y=True)
    model = Ridge()
    gm.cross_val_score(model, X, y, cv=3)
    assert not hasattr(model, "coef_")
    with pytest.raises(ValueError, match="inconsistent"):
        gm.cross_val_score(model, X, y[:-1], cv=3)
    with pytest.raises(ValueError):
        gm.cross_val_score(model, X, y, cv="five")


# ---------------------------------------------------------------- successive halving


@pytest.mark.parametrize("n_candidates", [1, 2, 5, 9, 10, 27, 30])
@pytest.mark.parametrize("factor", [2, 3])
@pytest.mark.parametrize("min_resource", [20, 40])
def test_halving_schedule_matches_definition_and_sklearn(n_candidates, factor, min_resource):
    max_resource = 400
    n_i, r_i = gm.halving_schedule(n_candidates, min_resource=min_resource, max_resource=max_resource,
                                   factor=factor)
    # the definition, written out independently of the implementation
    n_rounds = 1
    while factor**n_rounds <= n_candidates and min_resource * factor**n_rounds <= max_resource:
        n_rounds += 1
    assert len(n_i) == len(r_i) == n_rounds
    assert n_i[0] == n_candidates
    for i in range(1, n_rounds):
        assert n_i[i] == -(-n_i[i - 1] // factor)             # ceil division
        assert r_i[i] == min_resource * factor**i
    assert r_i[0] == min_resource
    # scikit-learn's HalvingGridSearchCV follows the same schedule
    rng = np.random.default_rng(0)
    X = rng.normal(size=(max_resource, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=max_resource)
    grid = {"alpha": list(np.logspace(-3, 3, n_candidates))}
    search = skms.HalvingGridSearchCV(Ridge(), grid, factor=factor, min_resources=min_resource,
                                      max_resources=max_resource, cv=2, random_state=0).fit(X, y)
    assert list(search.n_candidates_) == n_i
    assert list(search.n_resources_) == r_i


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_candidates", [8, 27, 50])
def test_successive_halving_finds_true_best_with_deterministic_scorer(seed, n_candidates):
    rng = np.random.default_rng(seed)
    candidates = [{"a": a} for a in rng.uniform(-1, 1, size=n_candidates)]
    target = rng.uniform(-1, 1)
    calls = []

    def evaluate(params, resource):
        calls.append(resource)
        return -(params["a"] - target) ** 2     # does not depend on the resource

    result = gm.successive_halving(candidates, evaluate, min_resource=1, max_resource=10**6, factor=3)
    true_best = min(candidates, key=lambda p: (p["a"] - target) ** 2)
    assert result["best_params"] is true_best
    assert len(calls) == sum(result["n_candidates"])
    assert sum(calls) == result["total_resource"]
    assert result["best_score"] == pytest.approx(-(true_best["a"] - target) ** 2)


def test_successive_halving_keeps_the_top_candidates_each_round():
    # score grows with the candidate's value, plus a resource-dependent term that is the
    # same for all, so the survivors of each round must be the largest values
    candidates = [{"v": v} for v in [5, 3, 9, 1, 7, 2, 8, 6, 4]]
    result = gm.successive_halving(candidates, lambda p, r: p["v"] + np.log(r),
                                   min_resource=10, max_resource=1000, factor=3)
    assert result["n_candidates"] == [9, 3, 1]
    assert result["n_resources"] == [10, 30, 90]
    round1 = sorted(candidates[c]["v"] for i, c, _, _ in result["history"] if i == 1)
    assert round1 == [7, 8, 9]
    assert result["best_params"] == {"v": 9}


def test_successive_halving_bad_input():
    with pytest.raises(ValueError):
        gm.halving_schedule(5, min_resource=10, max_resource=5)
    with pytest.raises(ValueError):
        gm.halving_schedule(5, min_resource=1, max_resource=5, factor=1)
    with pytest.raises(ValueError):
        gm.successive_halving([], lambda p, r: 0.0, min_resource=1, max_resource=10)
