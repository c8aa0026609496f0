"""Scalers, imputer, encoders, binning and feature hashing against scikit-learn 1.9."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import preprocessing as sk_pre
from sklearn.datasets import load_diabetes, load_wine
from sklearn.feature_extraction import FeatureHasher
from sklearn.impute import SimpleImputer as SkSimpleImputer
from sklearn.utils import murmurhash3_32 as sk_murmurhash3_32

from groundml import NotFittedError
from groundml.preprocessing import (
    KBinsDiscretizer,
    MinMaxScaler,
    OneHotEncoder,
    SimpleImputer,
    StandardScaler,
    TargetEncoder,
    hash_features,
    murmurhash3_32,
)

SEEDS = range(5)
SHAPES = [(1, 1), (20, 3), (200, 7), (50, 40)]


def make_numeric(seed, n_samples, n_features):
    """Features on different scales and offsets, so centring and scaling both matter."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_samples, n_features)) * rng.uniform(0.1, 100, n_features) + rng.normal(
        0, 50, n_features)


def make_categorical(seed, n_samples, n_features, max_categories=6):
    rng = np.random.default_rng(seed)
    n_cats = rng.integers(2, max_categories + 1, size=n_features)
    return np.column_stack([rng.integers(0, k, n_samples) for k in n_cats])


# ---------------------------------------------------------------- scalers


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False)])
def test_standard_scaler_matches_sklearn(seed, shape, with_mean, with_std):
    X = make_numeric(seed, *shape)
    X_new = make_numeric(seed + 10, 5, shape[1])
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    ref = sk_pre.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.inverse_transform(ours.transform(X_new)), X_new, rtol=1e-12, atol=1e-10)
    if with_std:
        assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
        assert_allclose(ours.var_, ref.var_, rtol=1e-12, atol=1e-12)
    if with_mean:
        assert_allclose(ours.mean_, ref.mean_, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1), (2.5, 10)])
def test_minmax_scaler_matches_sklearn(seed, shape, feature_range):
    X = make_numeric(seed, *shape)
    X_new = make_numeric(seed + 10, 5, shape[1])
    ours = MinMaxScaler(feature_range=feature_range).fit(X)
    ref = sk_pre.MinMaxScaler(feature_range=feature_range).fit(X)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    assert_allclose(ours.min_, ref.min_, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.inverse_transform(ours.transform(X_new)), X_new, rtol=1e-10, atol=1e-10)
    clipped = MinMaxScaler(feature_range=feature_range, clip=True).fit(X).transform(X_new)
    ref_clipped = sk_pre.MinMaxScaler(feature_range=feature_range, clip=True).fit(X).transform(X_new)
    assert_allclose(clipped, ref_clipped, rtol=1e-12, atol=1e-12)


def test_scalers_constant_feature_get_scale_one_like_sklearn():
    X = np.column_stack([np.full(10, 3.7), np.arange(10.0), np.full(10, 0.1)])
    for ours, ref in [(StandardScaler(), sk_pre.StandardScaler()), (MinMaxScaler(), sk_pre.MinMaxScaler())]:
        ours.fit(X)
        ref.fit(X)
        assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
        assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
        assert np.all(np.isfinite(ours.transform(X)))
    assert StandardScaler().fit(X).scale_[0] == 1.0


def test_scalers_on_diabetes():
    X, _ = load_diabetes(return_X_y=True)
    assert_allclose(StandardScaler().fit_transform(X), sk_pre.StandardScaler().fit_transform(X),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(MinMaxScaler().fit_transform(X), sk_pre.MinMaxScaler().fit_transform(X),
                    rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("Scaler, SkScaler", [(StandardScaler, sk_pre.StandardScaler),
                                              (MinMaxScaler, sk_pre.MinMaxScaler)])
def test_scalers_bad_input(Scaler, SkScaler):
    X = make_numeric(0, 10, 3)
    with pytest.raises(NotFittedError):
        Scaler().transform(X)
    for bad in (np.ones(5), np.ones((2, 2, 2)), np.array([[1.0, np.inf]])):
        with pytest.raises(ValueError):
            Scaler().fit(bad)
        with pytest.raises(ValueError):
            SkScaler().fit(bad)
    # scikit-learn's scalers skip NaN (missing) entries; ours reject them: impute first
    with pytest.raises(ValueError, match="NaN"):
        Scaler().fit(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="features"):
        Scaler().fit(X).transform(X[:, :2])
    with pytest.raises(ValueError):
        SkScaler().fit(X).transform(X[:, :2])


def test_minmax_bad_range():
    with pytest.raises(ValueError):
        MinMaxScaler(feature_range=(1, 0)).fit(np.ones((3, 1)))
    with pytest.raises(ValueError):
        sk_pre.MinMaxScaler(feature_range=(1, 0)).fit(np.ones((3, 1)))


# ---------------------------------------------------------------- imputer


def with_missing(X, seed, frac=0.2):
    rng = np.random.default_rng(seed + 1000)
    X = X.copy()
    X[rng.random(X.shape) < frac] = np.nan
    X[0] = np.where(np.isnan(X[0]), 1.0, X[0])          # every column keeps an observed value
    return X


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(20, 3), (200, 7), (50, 40)])
@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
def test_imputer_matches_sklearn(seed, shape, strategy):
    # rounded values, so most_frequent has real ties and repeated values
    X = with_missing(np.round(make_numeric(seed, *shape) / 20), seed)
    X_new = with_missing(np.round(make_numeric(seed + 10, 8, shape[1]) / 20), seed + 10, frac=0.5)
    ours = SimpleImputer(strategy=strategy).fit(X)
    ref = SkSimpleImputer(strategy=strategy).fit(X)
    # sklearn stores the "constant" statistics as an object array
    assert_allclose(ours.statistics_, np.asarray(ref.statistics_, dtype=float), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)


def test_imputer_fill_value_and_numeric_missing_marker():
    X = np.array([[1.0, -1.0], [-1.0, 4.0], [3.0, 5.0]])
    for kwargs in [dict(strategy="constant", fill_value=7.5), dict(missing_values=-1.0, strategy="mean")]:
        ours = SimpleImputer(**kwargs).fit_transform(X if "missing_values" in kwargs else
                                                     np.where(X < 0, np.nan, X))
        ref = SkSimpleImputer(**kwargs).fit_transform(X if "missing_values" in kwargs else
                                                      np.where(X < 0, np.nan, X))
        assert_allclose(ours, ref, rtol=1e-12)


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
@pytest.mark.parametrize("keep_empty_features", [False, True])
def test_imputer_all_missing_column_like_sklearn(strategy, keep_empty_features):
    X = np.array([[1.0, np.nan, 2.0], [np.nan, np.nan, 2.0], [3.0, np.nan, np.nan]])
    kwargs = dict(strategy=strategy, keep_empty_features=keep_empty_features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = SkSimpleImputer(**kwargs).fit(X).transform(X)
    ours_imp = SimpleImputer(**kwargs).fit(X)
    if keep_empty_features:
        ours = ours_imp.transform(X)
    else:
        with pytest.warns(UserWarning, match="without any observed values"):
            ours = ours_imp.transform(X)
    assert ours.shape == ref.shape
    assert_allclose(ours, ref, rtol=1e-12)


def test_imputer_mean_shrinks_variance_by_observed_fraction():
    # derived on the book page: s2_imputed = (n_obs - 1) / (n - 1) * s2_obs
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 1))
    x[rng.random(500) < 0.3] = np.nan
    observed = x[~np.isnan(x)]
    filled = SimpleImputer().fit_transform(x).ravel()
    assert_allclose(filled.var(ddof=1), (observed.size - 1) / (500 - 1) * observed.var(ddof=1), rtol=1e-12)


def test_imputer_bad_input():
    with pytest.raises(NotFittedError):
        SimpleImputer().transform(np.ones((2, 2)))
    with pytest.raises(ValueError):
        SimpleImputer(strategy="mode").fit(np.ones((2, 2)))
    with pytest.raises(ValueError):
        SkSimpleImputer(strategy="mode").fit(np.ones((2, 2)))
    for bad in (np.ones(4), np.array([[1.0, np.inf]])):
        with pytest.raises(ValueError):
            SimpleImputer().fit(bad)
        with pytest.raises(ValueError):
            SkSimpleImputer().fit(bad)
    with pytest.raises(ValueError, match="features"):
        SimpleImputer().fit(np.ones((3, 2))).transform(np.ones((3, 3)))


# ---------------------------------------------------------------- one-hot


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1, 1), (30, 2), (200, 5)])
@pytest.mark.parametrize("drop", [None, "first"])
def test_one_hot_matches_sklearn(seed, shape, drop):
    X = make_categorical(seed, *shape)
    ours = OneHotEncoder(drop=drop).fit(X)
    ref = sk_pre.OneHotEncoder(drop=drop, sparse_output=False).fit(X)
    for a, b in zip(ours.categories_, ref.categories_, strict=True):
        assert_array_equal(a, b)
    assert_array_equal(ours.transform(X), ref.transform(X))


def test_one_hot_strings_and_wine():
    rng = np.random.default_rng(0)
    X = rng.choice(np.array(["red", "green", "blue", "teal"]), size=(40, 3))
    assert_array_equal(OneHotEncoder().fit_transform(X),
                       sk_pre.OneHotEncoder(sparse_output=False).fit_transform(X))
    X_wine = np.round(load_wine(return_X_y=True)[0][:, :2])
    assert_array_equal(OneHotEncoder().fit_transform(X_wine),
                       sk_pre.OneHotEncoder(sparse_output=False).fit_transform(X_wine))


def test_one_hot_unknown_category_error_vs_ignore():
    X = np.array([["a", "x"], ["b", "y"], ["a", "y"]])
    X_new = np.array([["c", "x"], ["b", "z"]])
    with pytest.raises(ValueError, match="unknown"):
        OneHotEncoder().fit(X).transform(X_new)
    with pytest.raises(ValueError):
        sk_pre.OneHotEncoder().fit(X).transform(X_new)
    ours = OneHotEncoder(handle_unknown="ignore").fit(X).transform(X_new)
    ref = sk_pre.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(X).transform(X_new)
    assert_array_equal(ours, ref)
    assert ours[0, :2].sum() == 0                        # unseen "c": all zeros in its block


def test_one_hot_unknown_value_of_another_dtype():
    X = np.array([[0], [1], [2]])
    X_new = np.array([[1.5], [2.0]])                     # 1.5 must not be truncated to 1
    ours = OneHotEncoder(handle_unknown="ignore").fit(X).transform(X_new)
    ref = sk_pre.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(X).transform(X_new)
    assert_array_equal(ours, ref)
    with pytest.raises(ValueError, match="unknown"):
        OneHotEncoder().fit(X).transform(X_new)


def test_one_hot_bad_input():
    X = make_categorical(0, 10, 2)
    with pytest.raises(NotFittedError):
        OneHotEncoder().transform(X)
    with pytest.raises(ValueError, match="features"):
        OneHotEncoder().fit(X).transform(X[:, :1])
    with pytest.raises(ValueError):
        sk_pre.OneHotEncoder().fit(X).transform(X[:, :1])
    with pytest.raises(ValueError):
        OneHotEncoder().fit(np.arange(5))
    with pytest.raises(ValueError):
        OneHotEncoder(handle_unknown="skip").fit(X)


# ---------------------------------------------------------------- target encoder


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(30, 1), (200, 3), (500, 4)])
@pytest.mark.parametrize("smooth", ["auto", 0.0, 1.0, 20.0])
@pytest.mark.parametrize("target", ["continuous", "binary"])
def test_target_encoder_fit_transform_matches_sklearn(seed, shape, smooth, target):
    X = make_categorical(seed, *shape, max_categories=12)
    rng = np.random.default_rng(seed + 50)
    effect = rng.normal(size=13)
    if target == "continuous":
        y = effect[X[:, 0]] + rng.normal(size=shape[0])
    else:
        y = (effect[X[:, 0]] + rng.normal(size=shape[0]) > 0).astype(int)
    X_new = make_categorical(seed + 7, 50, shape[1], max_categories=14)   # may hold unseen categories
    # fit(X, y).transform(X), not fit_transform: sklearn's fit_transform cross-fits with
    # shuffled or stratified folds, which we do not reproduce
    ours = TargetEncoder(smooth=smooth).fit(X, y)
    ref = sk_pre.TargetEncoder(smooth=smooth).fit(X, y)
    assert ours.target_type_ == ref.target_type_
    assert ours.target_mean_ == pytest.approx(ref.target_mean_, rel=1e-12)
    for a, b in zip(ours.encodings_, ref.encodings_, strict=True):
        assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)


def test_target_encoder_string_categories_and_labels():
    rng = np.random.default_rng(3)
    X = rng.choice(np.array(["u", "v", "w"]), size=(60, 2))
    y = rng.choice(np.array(["no", "yes"]), size=60)
    ours = TargetEncoder(smooth=2.0).fit(X, y)
    ref = sk_pre.TargetEncoder(smooth=2.0).fit(X, y)
    assert_array_equal(ours.classes_, ref.classes_)
    assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12)


def test_target_encoder_cross_fitting_uses_other_folds_only():
    # a category seen once: without cross-fitting its encoding contains its own target
    X = np.array([[0]] * 10 + [[1]] * 10)
    y = np.arange(20.0) + 0.5                            # non-integral: a continuous target
    enc = TargetEncoder(smooth=0.0, cv=5)
    cross = enc.fit_transform(X, y)
    folds = np.array_split(np.arange(20), 5)
    for fold in folds:
        train = np.setdiff1d(np.arange(20), fold)
        for i in fold:
            same = train[X[train, 0] == X[i, 0]]
            assert cross[i, 0] == pytest.approx(y[same].mean(), rel=1e-12)


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # sklearn, NaN y
def test_target_encoder_bad_input():
    X = make_categorical(0, 20, 2)
    y = np.arange(20.0) + 0.5                            # non-integral: a continuous target
    with pytest.raises(NotFittedError):
        TargetEncoder().transform(X)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TargetEncoder().fit(X, y_nan)
    with pytest.raises(ValueError):
        sk_pre.TargetEncoder().fit(X, y_nan)
    with pytest.raises(ValueError, match="inconsistent"):
        TargetEncoder().fit(X, y[:-1])
    with pytest.raises(ValueError):
        sk_pre.TargetEncoder().fit(X, y[:-1])
    with pytest.raises(ValueError, match="features"):
        TargetEncoder().fit(X, y).transform(X[:, :1])
    with pytest.raises(ValueError):
        sk_pre.TargetEncoder().fit(X, y).transform(X[:, :1])
    with pytest.raises(ValueError, match="Multiclass"):
        TargetEncoder().fit(X, np.arange(20) % 3)
    with pytest.raises(ValueError):
        TargetEncoder(smooth=-1.0).fit(X, y)


# ---------------------------------------------------------------- binning


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(20, 1), (200, 3), (57, 5)])
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [2, 4, 7])
def test_kbins_matches_sklearn(seed, shape, strategy, n_bins):
    X = make_numeric(seed, *shape)
    X_new = make_numeric(seed + 10, 30, shape[1])     # includes values outside the fitted range
    ours = KBinsDiscretizer(n_bins=n_bins, strategy=strategy).fit(X)
    ref = sk_pre.KBinsDiscretizer(n_bins=n_bins, strategy=strategy, encode="ordinal").fit(X)
    for a, b in zip(ours.bin_edges_, ref.bin_edges_, strict=True):
        assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    assert_array_equal(ours.transform(X_new), ref.transform(X_new))
    dense = KBinsDiscretizer(n_bins=n_bins, strategy=strategy, encode="onehot-dense").fit(X)
    ref_dense = sk_pre.KBinsDiscretizer(n_bins=n_bins, strategy=strategy, encode="onehot-dense").fit(X)
    assert_array_equal(dense.transform(X_new), ref_dense.transform(X_new))


@pytest.mark.parametrize("method", ["averaged_inverted_cdf", "inverted_cdf"])
def test_kbins_quantile_ties_and_constant_feature(method):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 3, 100).astype(float), np.full(100, 2.0), rng.normal(size=100)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ref = sk_pre.KBinsDiscretizer(n_bins=6, encode="ordinal", quantile_method=method).fit(X)
    with pytest.warns(UserWarning):
        ours = KBinsDiscretizer(n_bins=6, quantile_method=method).fit(X)
    assert_array_equal(ours.n_bins_, ref.n_bins_)
    assert_array_equal(ours.transform(X), ref.transform(X))


def test_kbins_bad_input():
    X = make_numeric(0, 10, 2)
    with pytest.raises(NotFittedError):
        KBinsDiscretizer().transform(X)
    for n_bins in (1, 2.5):
        with pytest.raises(ValueError):
            KBinsDiscretizer(n_bins=n_bins).fit(X)
        with pytest.raises(ValueError):
            sk_pre.KBinsDiscretizer(n_bins=n_bins).fit(X)
    with pytest.raises(ValueError, match="features"):
        KBinsDiscretizer().fit(X).transform(X[:, :1])
    with pytest.raises(ValueError):
        KBinsDiscretizer(strategy="kmeans").fit(X)


# ---------------------------------------------------------------- hashing


@pytest.mark.parametrize("seed", [0, 1, 42, 2 ** 31 - 1, 2 ** 32 - 1])
def test_murmurhash3_matches_sklearn(seed):
    rng = np.random.default_rng(seed % 1000)
    keys = ["", "a", "ab", "abc", "abcd", "abcde", "feature=value", "é日本語", "x" * 101]
    keys += ["".join(rng.choice(list("abcdefghij0123456789"), size=rng.integers(1, 30))) for _ in range(200)]
    for key in keys:
        assert murmurhash3_32(key, seed) == sk_murmurhash3_32(key, seed)
        assert murmurhash3_32(key, seed, positive=True) == sk_murmurhash3_32(key, seed, positive=True)
        assert murmurhash3_32(key.encode(), seed) == sk_murmurhash3_32(key.encode(), seed)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_features", [1, 7, 64, 2 ** 10])
@pytest.mark.parametrize("alternate_sign", [True, False])
def test_hash_features_matches_feature_hasher(seed, n_features, alternate_sign):
    rng = np.random.default_rng(seed)
    vocabulary = [f"tok{i}" for i in range(300)] + ["user_id=12345", "ü"]
    docs = [list(rng.choice(vocabulary, size=rng.integers(0, 20))) for _ in range(25)]
    ours = hash_features(docs, n_features, alternate_sign=alternate_sign)
    ref = FeatureHasher(n_features=n_features, input_type="string",
                        alternate_sign=alternate_sign).transform(docs).toarray()
    assert_array_equal(ours, ref)


def test_hash_collision_count_matches_formula():
    # expected number of colliding pairs among k distinct tokens in d buckets: C(k, 2) / d
    k, d = 400, 2 ** 12
    counts = []
    for trial in range(30):
        tokens = [f"t{trial}_{i}" for i in range(k)]
        buckets = np.array([abs(murmurhash3_32(t)) % d for t in tokens])
        per_bucket = np.bincount(buckets, minlength=d)
        counts.append((per_bucket * (per_bucket - 1) // 2).sum())
    expected = k * (k - 1) / 2 / d                       # about 19.5
    # pair count has variance about its mean; 30 trials -> standard error about sqrt(19.5/30)
    assert abs(np.mean(counts) - expected) < 4 * np.sqrt(expected / 30)


def test_hash_features_bad_input():
    with pytest.raises(ValueError):
        hash_features([["a"]], n_features=0)
    with pytest.raises(ValueError):
        hash_features("abc", n_features=4)
    with pytest.raises(TypeError):
        hash_features([[1, 2]], n_features=4)
