"""Stable numerics against SciPy, NumPy and math.fsum, including extreme inputs."""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special
from sklearn.metrics import log_loss

from groundml.numerics import (
    binary_cross_entropy_with_logits,
    kahan_sum,
    log_sigmoid,
    log_softmax,
    logsumexp,
    pairwise_sum,
    sigmoid,
    softmax,
    softplus,
    welford_variance,
)

SEEDS = range(5)
SHAPES_AXES = [((7,), -1), ((4, 6), 0), ((4, 6), 1), ((3, 4, 5), 1), ((3, 4, 5), (0, 2))]
SCALES = [1.0, 30.0, 1000.0]                            # 1000: exp overflows without the shift
U64 = 2.0 ** -53                                         # unit roundoff, float64
U32 = 2.0 ** -24                                         # unit roundoff, float32


def no_fp_warnings():
    """Turn NumPy's overflow/invalid/divide warnings into errors."""
    return np.errstate(over="raise", invalid="raise", divide="raise")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES)
@pytest.mark.parametrize("scale", SCALES)
def test_logsumexp_softmax_log_softmax_match_scipy(seed, shape, axis, scale):
    a = np.random.default_rng(seed).normal(size=shape) * scale
    with no_fp_warnings():
        lse = logsumexp(a, axis=axis)
        p = softmax(a, axis=axis)
        log_p = log_softmax(a, axis=axis)
    assert_allclose(lse, special.logsumexp(a, axis=axis), rtol=1e-13, atol=1e-13)
    assert_allclose(p, special.softmax(a, axis=axis), rtol=1e-12, atol=1e-300)
    assert_allclose(log_p, special.log_softmax(a, axis=axis), rtol=1e-12, atol=1e-12)
    assert_allclose(np.sum(p, axis=axis), 1.0, rtol=1e-14)
    assert np.all(np.isfinite(log_p))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES)
def test_shift_invariance_and_bounds_of_logsumexp(seed, shape, axis):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shape) * 10
    c = rng.normal() * 500
    assert_allclose(logsumexp(a + c, axis=axis), logsumexp(a, axis=axis) + c, rtol=1e-12)
    assert_allclose(softmax(a + c, axis=axis), softmax(a, axis=axis), rtol=1e-9, atol=1e-300)
    lse, m = logsumexp(a, axis=axis), np.max(a, axis=axis)
    n = np.prod([a.shape[i] for i in np.atleast_1d(axis)])
    assert np.all(m <= lse) and np.all(lse <= m + np.log(n) + 1e-12)


@pytest.mark.parametrize("keepdims", [True, False])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1), -1])
def test_logsumexp_axis_and_keepdims_follow_numpy_shapes(axis, keepdims):
    a = np.random.default_rng(0).normal(size=(3, 4))
    out = logsumexp(a, axis=axis, keepdims=keepdims)
    assert np.shape(out) == np.sum(a, axis=axis, keepdims=keepdims).shape
    assert_allclose(out, special.logsumexp(a, axis=axis, keepdims=keepdims), rtol=1e-13)


def test_logsumexp_with_infinities_matches_scipy():
    a = np.array([[-np.inf, -np.inf], [0.0, -np.inf], [np.inf, 1.0], [-np.inf, np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = logsumexp(a, axis=1)
    assert_allclose(ours, special.logsumexp(a, axis=1))
    assert_allclose(ours, [-np.inf, 0.0, np.inf, np.inf])


def test_extreme_logits():
    a = np.array([1000.0, 0.0, -1000.0])
    assert_allclose(logsumexp(a), 1000.0, rtol=1e-15)
    assert_allclose(softmax(a), [1.0, 0.0, 0.0], atol=1e-300)
    assert_allclose(log_softmax(a), [0.0, -1000.0, -2000.0], rtol=1e-15)
    assert_allclose(logsumexp(np.full(10, -1000.0)), -1000.0 + np.log(10), rtol=1e-15)
    assert_allclose(softmax(np.full(4, 1000.0)), 0.25, rtol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_float32_precision_is_kept(seed):
    a = np.random.default_rng(seed).normal(size=(5, 8)).astype(np.float32) * 100
    assert logsumexp(a).dtype == np.float32
    assert softmax(a).dtype == np.float32 and log_softmax(a).dtype == np.float32
    assert_allclose(logsumexp(a), special.logsumexp(a.astype(float), axis=-1), rtol=1e-6)
    assert_allclose(log_softmax(a), special.log_softmax(a.astype(float), axis=-1), rtol=1e-5,
                    atol=1e-5)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1,), (50,), (6, 7)])
@pytest.mark.parametrize("scale", [1.0, 40.0, 1000.0])
def test_sigmoid_family_matches_scipy(seed, shape, scale):
    x = np.random.default_rng(seed).normal(size=shape) * scale
    with no_fp_warnings():
        s, ls, sp = sigmoid(x), log_sigmoid(x), softplus(x)
    assert_allclose(s, special.expit(x), rtol=1e-14, atol=1e-300)
    assert_allclose(ls, special.log_expit(x), rtol=1e-13, atol=1e-300)
    assert_allclose(sp, np.logaddexp(0.0, x), rtol=1e-13, atol=1e-300)
    assert np.all((s >= 0) & (s <= 1))


def test_sigmoid_at_extremes_and_scalar_input():
    with no_fp_warnings():
        assert sigmoid(1000.0) == 1.0 and sigmoid(-1000.0) == 0.0
        assert log_sigmoid(-1000.0) == -1000.0
        assert sigmoid(-40.0) == pytest.approx(special.expit(-40.0), rel=1e-14)
    assert np.ndim(sigmoid(0.5)) == 0


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(20,), (4, 9)])
@pytest.mark.parametrize("scale", [1.0, 50.0, 1000.0])
def test_bce_with_logits_matches_scipy(seed, shape, scale):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * scale
    y = (rng.random(shape) < 0.5).astype(float)
    y_soft = rng.random(shape)
    for target in (y, y_soft):
        reference = -(target * special.log_expit(x) + (1 - target) * special.log_expit(-x))
        with no_fp_warnings():
            per_sample = binary_cross_entropy_with_logits(x, target, reduction="none")
        assert per_sample.shape == shape
        assert_allclose(per_sample, reference, rtol=1e-12, atol=1e-15)
        assert binary_cross_entropy_with_logits(x, target) == pytest.approx(reference.mean(), rel=1e-12)
        assert binary_cross_entropy_with_logits(x, target, reduction="sum") == pytest.approx(
            reference.sum(), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_bce_with_moderate_logits_matches_sklearn_log_loss(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=200) * 3
    y = (rng.random(200) < special.expit(x)).astype(int)
    ours = binary_cross_entropy_with_logits(x, y)
    assert ours == pytest.approx(log_loss(y, special.expit(x), labels=[0, 1]), rel=1e-10)


def test_bce_where_the_naive_formula_fails():
    # sigmoid(40) rounds to 1, so the naive -log(1 - p) is inf; the true loss is ~40.
    assert binary_cross_entropy_with_logits(np.array([40.0]), np.array([0.0])) == pytest.approx(
        40.0 + math.log1p(math.exp(-40.0)), rel=1e-15)
    # The loss exp(-40) ~ 4e-18 is far below float64 epsilon relative to 1, yet kept.
    assert binary_cross_entropy_with_logits(np.array([40.0]), np.array([1.0])) == pytest.approx(
        math.log1p(math.exp(-40.0)), rel=1e-14)


# ---- summation ------------------------------------------------------------------------

def summation_data(seed, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.uniform(0, 1, size=n)
    if kind == "mixed-sign":
        return rng.normal(size=n) * 10.0 ** rng.integers(-8, 8, size=n)
    return np.concatenate([[1.0], np.full(n - 1, 1e-16)])   # one large, many tiny


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 7, 1000, 2 ** 16 + 3])
@pytest.mark.parametrize("kind", ["uniform", "mixed-sign", "tiny"])
def test_kahan_and_pairwise_meet_their_error_bounds_against_fsum(seed, n, kind):
    x = summation_data(seed, n, kind)
    exact = math.fsum(x)                                 # correctly rounded
    abs_sum = math.fsum(np.abs(x))
    gamma = lambda k: k * U64 / (1 - k * U64)
    # the reference itself may be off by half an ulp of the result: |exact| * U64
    assert abs(kahan_sum(x) - exact) <= 2.01 * U64 * abs_sum + U64 * abs(exact)
    levels = math.ceil(math.log2(n)) if n > 1 else 0
    assert abs(pairwise_sum(x) - exact) <= gamma(levels) * abs_sum + U64 * abs(exact)


def test_many_tiny_numbers_after_a_large_one():
    x = np.concatenate([[1.0], np.full(10 ** 6, 1e-16)])  # true sum 1 + 1e-10
    naive = 0.0
    for value in x.tolist():
        naive += value                                   # each 1e-16 is lost against 1.0
    assert naive == 1.0
    assert kahan_sum(x) == pytest.approx(1 + 1e-10, rel=4 * U64)
    assert pairwise_sum(x) == pytest.approx(1 + 1e-10, rel=30 * U64)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(1000,), (30, 40)])
def test_float32_sums_against_fsum(seed, shape):
    x = np.random.default_rng(seed).uniform(0, 1, size=shape).astype(np.float32)
    exact = math.fsum(x.ravel().astype(float))           # float32 values are exact doubles
    k, p = kahan_sum(x), pairwise_sum(x)
    assert isinstance(k, np.float32) and isinstance(p, np.float32)
    levels = math.ceil(math.log2(x.size))
    assert abs(float(k) - exact) <= (2.01 * U32 + U32) * exact
    assert abs(float(p) - exact) <= (levels * U32 / (1 - levels * U32) + U32) * exact


def test_empty_and_integer_input():
    assert kahan_sum([]) == 0.0 and pairwise_sum([]) == 0.0
    assert kahan_sum([1, 2, 3]) == 6.0 and pairwise_sum(np.arange(10)) == 45.0


# ---- variance -------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(2,), (50,), (200, 3), (1000, 1)])
@pytest.mark.parametrize("ddof", [0, 1])
def test_welford_matches_numpy_var(seed, shape, ddof):
    x = np.random.default_rng(seed).normal(loc=3.0, scale=2.0, size=shape)
    assert_allclose(welford_variance(x, ddof=ddof), np.var(x, axis=0, ddof=ddof), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_welford_survives_a_huge_offset(seed):
    x = 1e9 + np.random.default_rng(seed).normal(size=10_000)   # variance ~1, mean 1e9
    reference = np.var(x)                                # two-pass: accurate here
    one_pass = np.mean(x ** 2) - np.mean(x) ** 2         # cancels catastrophically
    assert abs(welford_variance(x) - reference) <= 1e-6 * reference
    assert abs(one_pass - reference) > 1e3 * abs(welford_variance(x) - reference)


def test_welford_float32():
    x = np.random.default_rng(0).normal(size=(500, 2)).astype(np.float32)
    assert_allclose(welford_variance(x), np.var(x.astype(float), axis=0), rtol=1e-5)


# ---- bad input ------------------------------------------------------------------------

def test_bad_input_raises():
    with pytest.raises(ValueError, match="different shapes"):
        binary_cross_entropy_with_logits(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binary_cross_entropy_with_logits(np.zeros(2), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match="reduction"):
        binary_cross_entropy_with_logits(np.zeros(2), np.zeros(2), reduction="avg")
    with pytest.raises(ValueError, match="more than ddof"):
        welford_variance(np.ones(1), ddof=1)
    with pytest.raises(ValueError, match="3D"):
        welford_variance(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="numeric"):
        softmax(["a", "b"])
    with pytest.raises(ValueError):                      # empty reduction, as in NumPy
        logsumexp(np.empty((2, 0)), axis=1)
