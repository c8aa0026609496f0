"""Data cleaning and feature engineering from scratch: scaling, imputation, encoding, binning, hashing.

The book page ``book/machine-learning/feature-engineering.md`` derives the formulas used
here (the variance shrinkage of mean imputation, target encoding as a posterior mean, the
collision probability of the hashing trick). The transformers follow scikit-learn's
conventions: keyword-only ``__init__`` that only stores, ``fit`` returning ``self``,
learned attributes ending in ``_``, and ``transform`` checking the number of features.
"""

import warnings

import numpy as np

from ._validation import check_array, check_is_fitted, check_n_features

__all__ = [
    "StandardScaler",
    "MinMaxScaler",
    "SimpleImputer",
    "OneHotEncoder",
    "TargetEncoder",
    "KBinsDiscretizer",
    "murmurhash3_32",
    "hash_features",
]


def _constant_variance_mask(var, mean, n_samples):
    """True where a computed variance is within float rounding error of zero.

    A two-pass variance of a constant column is not exactly 0 in floating point; the
    bound ``n eps var + (n eps mean)^2`` covers the rounding error of that computation.
    """
    eps = np.finfo(np.float64).eps
    return var <= n_samples * eps * var + (n_samples * mean * eps) ** 2


class StandardScaler:
    r"""Standardise each feature to mean 0 and variance 1.

    .. math:: z_{ij} = (x_{ij} - \bar x_j) / s_j, \qquad
              s_j^2 = \frac{1}{n} \sum_i (x_{ij} - \bar x_j)^2 ,

    the population (ddof 0) variance, as scikit-learn uses. A feature whose variance is
    zero up to rounding gets ``scale_ = 1``, so it maps to 0 instead of to NaN.

    Parameters
    ----------
    with_mean : bool, default=True
    with_std : bool, default=True

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
    var_ : ndarray of shape (n_features,) or None
    scale_ : ndarray of shape (n_features,) or None
    n_features_in_ : int
    n_samples_seen_ : int

    Notes
    -----
    Which models need scaling and why: the book page "Data cleaning and feature engineering".
    """

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None):
        """Learn the per-feature mean and standard deviation of ``X`` (n_samples, n_features)."""
        X = check_array(X)
        n_samples = X.shape[0]
        mean = X.mean(axis=0)                            # (n_features,)
        var = ((X - mean) ** 2).mean(axis=0)             # two-pass variance, (n_features,)
        self.n_features_in_ = X.shape[1]
        self.n_samples_seen_ = n_samples
        self.mean_ = mean if (self.with_mean or self.with_std) else None
        if self.with_std:
            self.var_ = var
            scale = np.sqrt(var)
            scale[_constant_variance_mask(var, mean, n_samples)] = 1.0
            self.scale_ = scale
        else:
            self.var_ = None
            self.scale_ = None
        return self

    def transform(self, X):
        """Return the standardised ``X`` of shape (n_samples, n_features)."""
        check_is_fitted(self, "n_features_in_")
        X = check_array(X)
        check_n_features(self, X)
        Z = X.copy()
        if self.with_mean:
            Z -= self.mean_
        if self.with_std:
            Z /= self.scale_
        return Z

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Map standardised values back to the original units."""
        check_is_fitted(self, "n_features_in_")
        X = check_array(X)
        check_n_features(self, X)
        Z = X.copy()
        if self.with_std:
            Z *= self.scale_
        if self.with_mean:
            Z += self.mean_
        return Z


class MinMaxScaler:
    r"""Rescale each feature linearly to ``feature_range`` (default [0, 1]).

    .. math:: z_{ij} = a + (b - a) \frac{x_{ij} - \min_i x_{ij}}{\max_i x_{ij} - \min_i x_{ij}} ,

    computed as ``X * scale_ + min_``. A constant feature (range below ``10 eps``) gets
    a range of 1, so it maps to ``a``.

    Parameters
    ----------
    feature_range : tuple (a, b), default=(0, 1)
        Needs ``a < b``.
    clip : bool, default=False
        Clip transformed values of new data to ``feature_range``.

    Attributes
    ----------
    data_min_, data_max_, data_range_, scale_, min_ : ndarray of shape (n_features,)
    n_features_in_ : int
    """

    def __init__(self, *, feature_range=(0, 1), clip=False):
        self.feature_range = feature_range
        self.clip = clip

    def fit(self, X, y=None):
        """Learn the per-feature minimum and maximum of ``X`` (n_samples, n_features)."""
        low, high = self.feature_range
        if not low < high:
            raise ValueError(f"Minimum of desired feature range must be smaller than maximum. "
                             f"Got {self.feature_range!r}.")
        X = check_array(X)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        safe_range = np.where(self.data_range_ < 10 * np.finfo(np.float64).eps, 1.0, self.data_range_)
        self.scale_ = (high - low) / safe_range
        self.min_ = low - self.data_min_ * self.scale_
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Return the rescaled ``X`` of shape (n_samples, n_features)."""
        check_is_fitted(self, "n_features_in_")
        X = check_array(X)
        check_n_features(self, X)
        Z = X * self.scale_ + self.min_
        if self.clip:
            Z = np.clip(Z, *self.feature_range)
        return Z

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        check_is_fitted(self, "n_features_in_")
        X = check_array(X)
        check_n_features(self, X)
        return (X - self.min_) / self.scale_


def _check_array_allow_nan(X, name="X"):
    """Like ``check_array`` but lets NaN through (missing values); infinity is still rejected."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array for {name}, got a {X.ndim}D array instead.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} has shape {X.shape}; at least one sample and one feature are required.")
    if np.isinf(X).any():
        raise ValueError(f"{name} contains infinity; only NaN can mark a missing value.")
    return X


class SimpleImputer:
    r"""Replace missing values by a per-feature statistic of the observed values.

    Strategies: ``"mean"``, ``"median"``, ``"most_frequent"`` (the smallest of the most
    frequent values on ties) and ``"constant"`` (``fill_value``, default 0).

    A feature with no observed value at all has statistic NaN and, as in scikit-learn
    1.9, is dropped from the output with a ``UserWarning``, unless
    ``keep_empty_features=True``, which keeps it and fills it with 0 (with
    ``fill_value`` for ``"constant"``).

    Mean imputation shrinks the variance of a feature by the observed fraction
    (see the book page "Data cleaning and feature engineering"):

    .. math:: s^2_{\text{imputed}} = \frac{n_{\text{obs}} - 1}{n - 1}\, s^2_{\text{obs}} .

    Parameters
    ----------
    missing_values : float, default=np.nan
        The value that marks a missing entry (NaN or a number).
    strategy : {"mean", "median", "most_frequent", "constant"}, default="mean"
    fill_value : float or None, default=None
    keep_empty_features : bool, default=False

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features,)
    n_features_in_ : int
    """

    STRATEGIES = ("mean", "median", "most_frequent", "constant")

    def __init__(self, *, missing_values=np.nan, strategy="mean", fill_value=None,
                 keep_empty_features=False):
        self.missing_values = missing_values
        self.strategy = strategy
        self.fill_value = fill_value
        self.keep_empty_features = keep_empty_features

    def _missing_mask(self, X):
        if self.missing_values is None or (isinstance(self.missing_values, float)
                                           and np.isnan(self.missing_values)):
            return np.isnan(X)
        if np.isnan(X).any():
            raise ValueError("X contains NaN, but missing_values is not NaN.")
        return X == self.missing_values

    def fit(self, X, y=None):
        """Compute the statistic of each column of ``X`` (n_samples, n_features) over its observed values."""
        if self.strategy not in self.STRATEGIES:
            raise ValueError(f"strategy must be one of {self.STRATEGIES}, got {self.strategy!r}.")
        X = _check_array_allow_nan(X)
        missing = self._missing_mask(X)                  # (n_samples, n_features)
        n_features = X.shape[1]
        stats = np.full(n_features, np.nan)
        for j in range(n_features):
            observed = X[~missing[:, j], j]
            if observed.size == 0:
                continue                                 # stays NaN: an empty feature
            if self.strategy == "mean":
                stats[j] = observed.mean()
            elif self.strategy == "median":
                stats[j] = np.median(observed)
            elif self.strategy == "most_frequent":
                values, counts = np.unique(observed, return_counts=True)  # sorted values
                stats[j] = values[np.argmax(counts)]     # argmax takes the first: smallest on ties
            else:
                stats[j] = 0.0 if self.fill_value is None else float(self.fill_value)
        self.statistics_ = stats
        self.n_features_in_ = n_features
        return self

    def transform(self, X):
        """Return ``X`` with each missing entry replaced by its column's statistic."""
        check_is_fitted(self, "statistics_")
        X = _check_array_allow_nan(X)
        check_n_features(self, X)
        missing = self._missing_mask(X)
        empty = np.isnan(self.statistics_)
        fill = self.statistics_.copy()
        if self.keep_empty_features:
            fill[empty] = (0.0 if self.strategy != "constant" or self.fill_value is None
                           else float(self.fill_value))
            keep = np.ones(len(fill), dtype=bool)
        else:
            if empty.any():
                warnings.warn(f"Skipping features without any observed values: {np.flatnonzero(empty)}. "
                              f"At least one non-missing value is needed for imputation with "
                              f"strategy={self.strategy!r}.", UserWarning, stacklevel=2)
            keep = ~empty
        Z = np.where(missing, fill, X)
        return Z[:, keep]

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


def _check_categorical(X, name="X"):
    """Return ``X`` as a 2D array of categories (numbers or strings); missing values are rejected."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array for {name}, got a {X.ndim}D array instead.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} has shape {X.shape}; at least one sample and one feature are required.")
    if X.dtype.kind == "f" and not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity; impute or encode missing categories first.")
    if X.dtype.kind == "O" and any(v is None or (isinstance(v, float) and np.isnan(v)) for v in X.ravel()):
        raise ValueError(f"{name} contains None or NaN; impute or encode missing categories first.")
    return X


def _ordinal_codes(X, categories):
    """Per column, the index of each value in its sorted ``categories`` (-1 if unseen).

    Returns codes of shape (n_samples, n_features) and the boolean mask of unseen values.
    """
    codes = np.empty(X.shape, dtype=np.int64)
    for j, cats in enumerate(categories):
        column = X[:, j]
        numeric = cats.dtype.kind in "iuf", column.dtype.kind in "iuf"
        if all(numeric):                                 # compare numbers as floats: 1.5 is not 1
            cats, column = cats.astype(float), column.astype(float)
        elif any(numeric) and column.dtype.kind != "O" and cats.dtype.kind != "O":
            codes[:, j] = -1                             # numbers against strings: all unseen
            continue
        pos = np.searchsorted(cats, column)              # binary search in the sorted categories
        pos_clipped = np.minimum(pos, len(cats) - 1)
        known = cats[pos_clipped] == column
        codes[:, j] = np.where(known, pos_clipped, -1)
    return codes, codes < 0


class OneHotEncoder:
    """Encode each categorical feature as one 0/1 column per category (dense output).

    Parameters
    ----------
    handle_unknown : {"error", "ignore"}, default="error"
        What ``transform`` does with a category not seen in ``fit``: raise a
        ``ValueError``, or encode it as all zeros in that feature's block.
    drop : {None, "first"}, default=None
        ``"first"`` drops the column of each feature's first category (the
        dummy-variable trap of a model with intercept). An unseen category is then
        indistinguishable from the first one.

    Attributes
    ----------
    categories_ : list of ndarray
        The sorted categories of each feature.
    n_features_in_ : int
    """

    def __init__(self, *, handle_unknown="error", drop=None):
        self.handle_unknown = handle_unknown
        self.drop = drop

    def fit(self, X, y=None):
        """Learn the sorted categories of each column of ``X`` (n_samples, n_features)."""
        if self.handle_unknown not in ("error", "ignore"):
            raise ValueError(f"handle_unknown must be 'error' or 'ignore', got {self.handle_unknown!r}.")
        if self.drop not in (None, "first"):
            raise ValueError(f"drop must be None or 'first', got {self.drop!r}.")
        X = _check_categorical(X)
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Return the one-hot matrix of shape (n_samples, total number of kept categories)."""
        check_is_fitted(self, "categories_")
        X = _check_categorical(X)
        check_n_features(self, X)
        codes, unknown = _ordinal_codes(X, self.categories_)
        if unknown.any() and self.handle_unknown == "error":
            j = np.flatnonzero(unknown.any(axis=0))[0]
            raise ValueError(f"Found unknown categories {np.unique(X[unknown[:, j], j])} "
                             f"in column {j} during transform.")
        blocks = []
        for j, cats in enumerate(self.categories_):
            block = (codes[:, j, None] == np.arange(len(cats))).astype(float)   # (n_samples, n_cats)
            blocks.append(block[:, 1:] if self.drop == "first" else block)
        return np.hstack(blocks)

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


class TargetEncoder:
    r"""Replace each category by a shrunk mean of the target within it.

    For a category :math:`c` seen :math:`n_c` times with target mean :math:`\bar y_c`,
    and the overall target mean :math:`\bar y`,

    .. math:: \mathrm{enc}(c) = \frac{n_c \bar y_c + m \bar y}{n_c + m}
              = \lambda_c \bar y_c + (1 - \lambda_c) \bar y,
              \qquad \lambda_c = \frac{n_c}{n_c + m},

    the posterior mean of the category's mean under a conjugate prior centred at
    :math:`\bar y` worth :math:`m` = ``smooth`` pseudo-observations. With
    ``smooth="auto"``, :math:`\lambda_c = n_c \sigma^2 / (n_c \sigma^2 + s_c^2)`, where
    :math:`\sigma^2` is the variance of ``y`` and :math:`s_c^2` the (ddof 0) variance
    within the category: the empirical-Bayes weight of the normal-normal model. An
    unseen category is encoded as :math:`\bar y`.

    ``fit(X, y).transform(X)`` encodes the training rows with statistics that include
    their own targets, which leaks the target; ``fit_transform`` cross-fits instead
    (each fold is encoded with statistics from the other folds), as scikit-learn does,
    with ``cv`` contiguous folds (scikit-learn shuffles or stratifies, so its
    ``fit_transform`` output differs; ``fit`` and ``transform`` agree with it).

    Parameters
    ----------
    target_type : {"auto", "continuous", "binary"}, default="auto"
    smooth : "auto" or float >= 0, default="auto"
    cv : int, default=5

    Attributes
    ----------
    categories_ : list of ndarray
    encodings_ : list of ndarray
        The encoding of each category of each feature.
    target_mean_ : float
    target_type_ : str
    classes_ : ndarray or None
        The two class labels for a binary target (encoded as 0 and 1).
    n_features_in_ : int

    Notes
    -----
    Derived in the book page "Data cleaning and feature engineering".
    """

    def __init__(self, *, target_type="auto", smooth="auto", cv=5):
        self.target_type = target_type
        self.smooth = smooth
        self.cv = cv

    def _encode_target(self, y, n_samples):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1D, got a {y.ndim}D array instead.")
        if y.shape[0] != n_samples:
            raise ValueError(f"X and y have inconsistent numbers of samples: {n_samples} and {y.shape[0]}.")
        if y.dtype.kind in "fc" and not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinity; the target must be finite.")
        target_type = self.target_type
        if target_type == "auto":
            if y.dtype.kind in "USO":
                integral, n_distinct = True, len(np.unique(y))
            else:
                integral, n_distinct = bool(np.all(y == np.round(y))), len(np.unique(y))
            if integral and n_distinct > 2:
                raise ValueError("Multiclass targets are not supported by this TargetEncoder.")
            target_type = "binary" if integral else "continuous"
        if target_type == "binary":
            classes, y_enc = np.unique(y, return_inverse=True)
            if len(classes) != 2:
                raise ValueError(f"A binary target needs exactly 2 classes, got {len(classes)}.")
            return target_type, classes, y_enc.astype(float)
        if target_type == "continuous":
            try:
                return target_type, None, y.astype(float)
            except ValueError:
                raise ValueError("A continuous target must be numeric.") from None
        raise ValueError(f"target_type must be 'auto', 'continuous' or 'binary', got {target_type!r}.")

    def _encodings(self, codes, y, n_categories, y_mean):
        """Encodings of each feature's categories from integer ``codes`` (n_samples, n_features)."""
        encodings = []
        for j, n_cats in enumerate(n_categories):
            c = codes[:, j]
            counts = np.bincount(c, minlength=n_cats).astype(float)      # n_c
            sums = np.bincount(c, weights=y, minlength=n_cats)           # n_c * mean_c
            if self.smooth == "auto":
                with np.errstate(invalid="ignore", divide="ignore"):
                    means = sums / counts
                    ssd = np.bincount(c, weights=(y - means[c]) ** 2, minlength=n_cats)
                    var_y = y.var()
                    lam = var_y * counts / (var_y * counts + ssd / counts)
                    enc = lam * means + (1 - lam) * y_mean
                enc = np.where(np.isnan(enc), y_mean, enc)               # empty category, or 0/0
            else:
                m = float(self.smooth)
                total = counts + m
                with np.errstate(invalid="ignore", divide="ignore"):
                    enc = (sums + m * y_mean) / total
                enc = np.where(total == 0, y_mean, enc)
            encodings.append(enc)
        return encodings

    def fit(self, X, y):
        """Learn the categories of ``X`` (n_samples, n_features) and their encodings from ``y``."""
        if not (self.smooth == "auto" or (np.isscalar(self.smooth) and float(self.smooth) >= 0)):
            raise ValueError(f"smooth must be 'auto' or a non-negative float, got {self.smooth!r}.")
        X = _check_categorical(X)
        self.target_type_, self.classes_, y_num = self._encode_target(y, X.shape[0])
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        self.n_features_in_ = X.shape[1]
        self.target_mean_ = float(y_num.mean())
        codes, _ = _ordinal_codes(X, self.categories_)
        self.encodings_ = self._encodings(codes, y_num, [len(c) for c in self.categories_],
                                          self.target_mean_)
        return self

    def transform(self, X):
        """Return the encoded ``X`` (n_samples, n_features); unseen categories get ``target_mean_``."""
        check_is_fitted(self, "encodings_")
        X = _check_categorical(X)
        check_n_features(self, X)
        codes, unknown = _ordinal_codes(X, self.categories_)
        out = np.empty(X.shape)
        for j, enc in enumerate(self.encodings_):
            out[:, j] = np.where(unknown[:, j], self.target_mean_, enc[np.maximum(codes[:, j], 0)])
        return out

    def fit_transform(self, X, y):
        """Fit on all data, but encode each of ``cv`` contiguous folds with statistics of the other folds."""
        self.fit(X, y)
        X = _check_categorical(X)
        _, _, y_num = self._encode_target(y, X.shape[0])
        codes, _ = _ordinal_codes(X, self.categories_)
        n_samples = X.shape[0]
        out = np.empty(X.shape)
        for fold in np.array_split(np.arange(n_samples), self.cv):
            train = np.ones(n_samples, dtype=bool)
            train[fold] = False
            y_mean = y_num[train].mean()
            encodings = self._encodings(codes[train], y_num[train],
                                        [len(c) for c in self.categories_], y_mean)
            for j, enc in enumerate(encodings):
                out[fold, j] = enc[codes[fold, j]]
        return out


class KBinsDiscretizer:
    """Bin each continuous feature into intervals, encoded by their index (or one-hot).

    Strategies: ``"uniform"`` (equal widths between the minimum and the maximum) and
    ``"quantile"`` (edges at the quantiles ``0, 1/k, ..., 1``, computed with
    ``numpy.percentile(..., method=quantile_method)``; scikit-learn 1.9's default method
    is ``"averaged_inverted_cdf"``). Quantile bins narrower than ``1e-8`` (from tied
    values) are merged with a warning; a constant feature gets a single bin.

    Parameters
    ----------
    n_bins : int >= 2, default=5
    encode : {"ordinal", "onehot-dense"}, default="ordinal"
        Deviation from scikit-learn, whose default ``"onehot"`` returns a sparse matrix.
    strategy : {"uniform", "quantile"}, default="quantile"
    quantile_method : str, default="averaged_inverted_cdf"

    Attributes
    ----------
    bin_edges_ : ndarray of dtype object, shape (n_features,)
        The edges of each feature, an array of length ``n_bins_[j] + 1``.
    n_bins_ : ndarray of shape (n_features,)
    n_features_in_ : int
    """

    def __init__(self, n_bins=5, *, encode="ordinal", strategy="quantile",
                 quantile_method="averaged_inverted_cdf"):
        self.n_bins = n_bins
        self.encode = encode
        self.strategy = strategy
        self.quantile_method = quantile_method

    def fit(self, X, y=None):
        """Compute the bin edges of each column of ``X`` (n_samples, n_features)."""
        if self.strategy not in ("uniform", "quantile"):
            raise ValueError(f"strategy must be 'uniform' or 'quantile', got {self.strategy!r}.")
        if self.encode not in ("ordinal", "onehot-dense"):
            raise ValueError(f"encode must be 'ordinal' or 'onehot-dense', got {self.encode!r}.")
        if isinstance(self.n_bins, bool) or not isinstance(self.n_bins, (int, np.integer)) or self.n_bins < 2:
            raise ValueError(f"n_bins must be an int >= 2, got {self.n_bins!r}.")
        X = check_array(X)
        n_features = X.shape[1]
        edges = np.empty(n_features, dtype=object)
        n_bins = np.full(n_features, self.n_bins, dtype=int)
        for j in range(n_features):
            column = X[:, j]
            lo, hi = column.min(), column.max()
            if lo == hi:
                warnings.warn(f"Feature {j} is constant and will be replaced with 0.", UserWarning,
                              stacklevel=2)
                edges[j], n_bins[j] = np.array([-np.inf, np.inf]), 1
                continue
            if self.strategy == "uniform":
                e = np.linspace(lo, hi, self.n_bins + 1)
            else:
                levels = np.linspace(0, 100, self.n_bins + 1)
                e = np.percentile(column, levels, method=self.quantile_method)
                keep = np.diff(e, prepend=-np.inf) > 1e-8       # drop edges closer than 1e-8
                if not keep.all():
                    warnings.warn(f"Bins whose width are too small (i.e., <= 1e-8) in feature {j} are "
                                  "removed. Consider decreasing the number of bins.", UserWarning,
                                  stacklevel=2)
                e = e[keep]
            edges[j], n_bins[j] = e, len(e) - 1
        self.bin_edges_ = edges
        self.n_bins_ = n_bins
        self.n_features_in_ = n_features
        return self

    def transform(self, X):
        """Return the bin index of each entry (n_samples, n_features), or its one-hot code."""
        check_is_fitted(self, "bin_edges_")
        X = check_array(X)
        check_n_features(self, X)
        # the index of the bin = number of inner edges <= x; values outside [min, max]
        # fall in the first or last bin
        codes = np.column_stack([np.searchsorted(e[1:-1], X[:, j], side="right")
                                 for j, e in enumerate(self.bin_edges_)]).astype(float)
        if self.encode == "ordinal":
            return codes
        return np.hstack([(codes[:, j, None] == np.arange(k)).astype(float)
                          for j, k in enumerate(self.n_bins_)])

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


def murmurhash3_32(key, seed=0, positive=False):
    """32-bit MurmurHash3 (x86 variant) of a string (UTF-8) or bytes.

    Parameters
    ----------
    key : str or bytes
    seed : int, default=0
    positive : bool, default=False
        Return the unsigned value in [0, 2^32) instead of a signed int32.

    Returns
    -------
    int
    """
    data = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    mask = 0xFFFFFFFF
    c1, c2 = 0xCC9E2D51, 0x1B873593

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    h = seed & mask
    n_blocks = len(data) // 4
    for i in range(n_blocks):                            # body: 4-byte little-endian blocks
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = rotl((k * c1) & mask, 15) * c2 & mask
        h = rotl(h ^ k, 13)
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[4 * n_blocks:]                           # tail: the last 0-3 bytes
    if tail:
        k = int.from_bytes(tail, "little")
        k = rotl((k * c1) & mask, 15) * c2 & mask
        h ^= k
    h ^= len(data)                                       # finalisation: avalanche the bits
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    if positive:
        return h
    return h - (1 << 32) if h >= (1 << 31) else h


def hash_features(samples, n_features=2 ** 20, *, alternate_sign=True, seed=0):
    r"""The hashing trick: map bags of string tokens to a fixed number of columns.

    Token :math:`t` adds :math:`\xi(t) \in \{-1, +1\}` to column :math:`h(t) \bmod d`,
    where :math:`h` is the signed 32-bit MurmurHash3 of the token; the column is
    ``abs(h) % n_features`` and the sign is ``+1`` if ``h >= 0`` (the convention of
    ``sklearn.feature_extraction.FeatureHasher(input_type="string")``, which this
    reproduces exactly, as a dense array). Two of :math:`k` distinct tokens collide with
    probability about :math:`1/d`, and the expected number of colliding pairs is
    :math:`\binom{k}{2}/d`.

    Parameters
    ----------
    samples : iterable of iterables of str
        One bag of tokens per sample; a repeated token counts again.
    n_features : int, default=2**20
    alternate_sign : bool, default=True
    seed : int, default=0

    Returns
    -------
    ndarray of shape (n_samples, n_features)
    """
    if isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) or n_features < 1:
        raise ValueError(f"n_features must be a positive int, got {n_features!r}.")
    if isinstance(samples, str):
        raise ValueError("samples must be an iterable of token lists, not a single string.")
    rows = list(samples)
    out = np.zeros((len(rows), n_features))
    cache = {}
    for i, tokens in enumerate(rows):
        if isinstance(tokens, str):
            raise ValueError("each sample must be an iterable of tokens, not a string.")
        for token in tokens:
            if not isinstance(token, (str, bytes)):
                raise TypeError("feature names must be strings")
            if token not in cache:
                h = murmurhash3_32(token, seed)
                if h == -2 ** 31:                        # abs() would overflow in int32
                    index = (2 ** 31 - 1 - (n_features - 1)) % n_features
                else:
                    index = abs(h) % n_features
                sign = (1.0 if h >= 0 else -1.0) if alternate_sign else 1.0
                cache[token] = (index, sign)
            index, sign = cache[token]
            out[i, index] += sign
    return out

