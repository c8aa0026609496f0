"""Tests, power, sample sizes and p-value adjustments against SciPy and their defining properties."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special, stats

from groundml.hypothesis_testing import (
    benjamini_hochberg,
    betainc,
    bonferroni,
    chi2_contingency,
    chi2_gof,
    chi2_sf,
    gammainc,
    gammaincc,
    norm_cdf,
    norm_sf,
    power_two_proportions,
    power_two_sample_z,
    sample_size_two_proportions,
    sample_size_two_sample_z,
    t_sf,
    ttest_ind,
    ttest_one_sample,
    ttest_rel,
    two_proportion_ztest,
    z_test_one_sample,
)

SEEDS = range(5)
SIZES = [2, 5, 30, 500]
ALTERNATIVES = ["two-sided", "greater", "less"]
RTOL = 1e-10          # p-values: our continued fractions against SciPy's (cephes/boost) special functions


# ---- special functions -------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", [1.0, 20.0, 500.0])
def test_betainc_matches_scipy(seed, scale):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.05, scale, size=(2, 400))
    x = rng.uniform(0, 1, size=400)
    x[:5] = [0.0, 1.0, 1e-12, 1 - 1e-12, 0.5]
    ref = special.betainc(a, b, x)
    assert_allclose(betainc(a, b, x), ref, rtol=RTOL, atol=1e-300)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", [1.0, 20.0, 500.0])
def test_gammainc_pair_matches_scipy(seed, scale):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.05, scale, size=400)
    x = a * rng.uniform(0, 3, size=400)                   # both sides of the switch at x = a + 1
    x[:3] = [0.0, 1e-10, 3 * scale]
    assert_allclose(gammainc(a, x), special.gammainc(a, x), rtol=RTOL, atol=1e-300)
    assert_allclose(gammaincc(a, x), special.gammaincc(a, x), rtol=RTOL, atol=1e-300)


@pytest.mark.parametrize("df", [1, 2.5, 7, 40, 1000])
def test_tails_match_scipy_distributions_far_into_the_tail(df):
    t = np.concatenate([-np.logspace(-3, 2, 50), np.logspace(-3, 2, 50), [0.0]])
    assert_allclose(t_sf(t, df), stats.t.sf(t, df), rtol=RTOL, atol=1e-300)
    x = np.logspace(-3, 3.3, 100)
    assert_allclose(chi2_sf(x, df), stats.chi2.sf(x, df), rtol=RTOL, atol=1e-300)
    z = np.linspace(-30, 30, 121)
    # rtol 1e-12: rounding of z / sqrt(2) is amplified by z^2 in erfc far in the tail
    assert_allclose(norm_cdf(z), stats.norm.cdf(z), rtol=1e-12, atol=1e-300)
    assert_allclose(norm_sf(z), stats.norm.sf(z), rtol=1e-12, atol=1e-300)


def test_special_functions_reject_bad_arguments():
    with pytest.raises(ValueError, match="positive"):
        betainc(0.0, 1.0, 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        betainc(1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="non-negative"):
        gammainc(1.0, -1.0)
    with pytest.raises(ValueError, match="positive"):
        gammaincc(-1.0, 1.0)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_sf(1.0, 0)
    with pytest.raises(ValueError, match="degrees of freedom"):
        chi2_sf(1.0, -2)


# ---- z and t tests -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_z_test_matches_normal_tail(seed, n, alternative):
    x = np.random.default_rng(seed).normal(0.3, 2.0, size=n)
    res = z_test_one_sample(x, mu0=0.1, sigma=2.0, alternative=alternative)
    z = (x.mean() - 0.1) / (2.0 / math.sqrt(n))
    ref = {"two-sided": 2 * stats.norm.sf(abs(z)), "greater": stats.norm.sf(z), "less": stats.norm.cdf(z)}
    assert_allclose(res.statistic, z, rtol=1e-12)
    assert_allclose(res.pvalue, ref[alternative], rtol=1e-12)
    assert res.df is None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_one_sample_matches_scipy(seed, n, alternative):
    x = np.random.default_rng(seed).normal(0.5, 1.5, size=n)
    ours = ttest_one_sample(x, popmean=0.2, alternative=alternative)
    ref = stats.ttest_1samp(x, 0.2, alternative=alternative)
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-12)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL)
    assert ours.df == ref.df


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("sizes", [(2, 2), (3, 9), (30, 12), (400, 250)])
@pytest.mark.parametrize("equal_var", [True, False])
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_ind_matches_scipy(seed, sizes, equal_var, alternative):
    rng = np.random.default_rng(seed)
    a = rng.normal(1.0, 1.0, size=sizes[0])
    b = rng.normal(0.6, 3.0, size=sizes[1])             # unequal variances: Welch and Student differ
    ours = ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
    ref = stats.ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-12)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL)
    assert_allclose(ours.df, ref.df, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_ttest_rel_matches_scipy(seed, n, alternative):
    rng = np.random.default_rng(seed)
    before = rng.normal(10, 2, size=n)
    after = before + rng.normal(0.3, 0.5, size=n)
    ours = ttest_rel(after, before, alternative=alternative)
    ref = stats.ttest_rel(after, before, alternative=alternative)
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-12)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL)
    assert ours.df == ref.df


def test_t_tests_on_bundled_data_match_scipy():
    from sklearn.datasets import load_iris
    X, y = load_iris(return_X_y=True)
    a, b = X[y == 1, 2], X[y == 2, 2]                     # petal length, versicolor vs virginica
    for equal_var in (True, False):
        ours, ref = ttest_ind(a, b, equal_var=equal_var), stats.ttest_ind(a, b, equal_var=equal_var)
        assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)
    ours, ref = ttest_rel(X[:, 0], X[:, 2]), stats.ttest_rel(X[:, 0], X[:, 2])
    assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)


# ---- chi-squared tests -------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k, ddof", [(2, 0), (4, 0), (4, 1), (10, 0), (10, 2)])
def test_chi2_gof_matches_scipy(seed, k, ddof):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(k) * 5)
    f_obs = rng.multinomial(300, probs).astype(float)
    f_exp = 300 * np.full(k, 1 / k)
    for expected in (None, f_exp, 300 * probs):
        ours = chi2_gof(f_obs, expected, ddof=ddof)
        ref = stats.chisquare(f_obs, expected, ddof=ddof)
        assert_allclose(ours.statistic, ref.statistic, rtol=1e-12)
        assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL, atol=1e-300)
        assert ours.df == k - 1 - ddof


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (4, 3), (5, 6)])
@pytest.mark.parametrize("correction", [True, False])
def test_chi2_contingency_matches_scipy(seed, shape, correction):
    rng = np.random.default_rng(seed)
    table = rng.integers(1, 40, size=shape)
    ours = chi2_contingency(table, correction=correction)
    ref = stats.chi2_contingency(table, correction=correction)
    assert_allclose(ours.statistic, ref.statistic, rtol=1e-12)
    assert_allclose(ours.pvalue, ref.pvalue, rtol=RTOL, atol=1e-300)
    assert ours.dof == ref.dof
    assert_allclose(ours.expected_freq, ref.expected_freq, rtol=1e-12)


def test_chi2_contingency_yates_edge_cases_match_scipy():
    # |O - E| below 0.5 (the correction may not overshoot E) and a table with zero degrees of freedom
    for table in ([[10, 10], [10, 11]], [[3, 0], [0, 3]], [[5, 7, 9]], [[5], [6]]):
        for correction in (True, False):
            ours = chi2_contingency(table, correction=correction)
            ref = stats.chi2_contingency(table, correction=correction)
            assert_allclose([ours.statistic, ours.pvalue], [ref.statistic, ref.pvalue], rtol=RTOL)
            assert ours.dof == ref.dof


# ---- two proportions, power and sample size ----------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [(50, 60), (1000, 1000), (20_000, 15_000)])
def test_two_proportion_z_squared_is_the_uncorrected_chi2(seed, n):
    rng = np.random.default_rng(seed)
    k1, k2 = rng.binomial(n[0], 0.11), rng.binomial(n[1], 0.1)
    res = two_proportion_ztest(k1, n[0], k2, n[1])
    ref = stats.chi2_contingency([[k1, n[0] - k1], [k2, n[1] - k2]], correction=False)
    assert_allclose(res.statistic**2, ref.statistic, rtol=1e-10)
    assert_allclose(res.pvalue, ref.pvalue, rtol=1e-9)
    assert np.sign(res.statistic) == np.sign(k1 / n[0] - k2 / n[1])
    greater = two_proportion_ztest(k1, n[0], k2, n[1], alternative="greater")
    assert_allclose(greater.pvalue, stats.norm.sf(res.statistic), rtol=1e-12)


@pytest.mark.parametrize("effect", [0.1, 0.3, 0.8, -0.5])
@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1])
@pytest.mark.parametrize("target", [0.5, 0.8, 0.95])
def test_sample_size_two_sample_z_is_the_smallest_n_reaching_the_power(effect, alpha, target):
    n = sample_size_two_sample_z(effect, alpha=alpha, power=target)
    assert power_two_sample_z(effect, n, alpha) >= target
    assert n == 1 or power_two_sample_z(effect, n - 1, alpha) < target
    alt = "greater" if effect > 0 else "less"
    n1 = sample_size_two_sample_z(effect, alpha=alpha, power=target, alternative=alt)
    assert power_two_sample_z(effect, n1, alpha, alt) >= target
    assert n1 == 1 or power_two_sample_z(effect, n1 - 1, alpha, alt) < target
    assert n1 <= n                                        # a one-sided test needs no more data


@pytest.mark.parametrize("rates", [(0.10, 0.12), (0.5, 0.45), (0.02, 0.025), (0.9, 0.8)])
@pytest.mark.parametrize("alpha", [0.01, 0.05])
@pytest.mark.parametrize("target", [0.8, 0.9])
def test_sample_size_two_proportions_is_the_smallest_n_reaching_the_power(rates, alpha, target):
    p1, p2 = rates
    n = sample_size_two_proportions(p1, p2, alpha=alpha, power=target)
    assert power_two_proportions(p1, p2, n, alpha) >= target
    assert power_two_proportions(p1, p2, n - 1, alpha) < target


def test_power_two_sample_z_matches_noncentral_normal_formula():
    # the statistic is N(d sqrt(n/2), 1): power from scipy's normal distribution directly
    d, n, alpha = 0.4, np.array([5.0, 50.0, 200.0]), 0.05
    lam, crit = d * np.sqrt(n / 2), stats.norm.ppf(1 - alpha / 2)
    ref = stats.norm.sf(crit, loc=lam) + stats.norm.cdf(-crit, loc=lam)
    assert_allclose(power_two_sample_z(d, n, alpha), ref, rtol=1e-12)
    assert_allclose(power_two_sample_z(d, n, alpha, "greater"), stats.norm.sf(stats.norm.ppf(0.95), loc=lam),
                    rtol=1e-12)
    assert_allclose(power_two_sample_z(0.0, 10.0, alpha), alpha, rtol=1e-12)   # no effect: power = alpha


@pytest.mark.parametrize("seed", range(3))
def test_power_two_sample_z_by_simulation(seed):
    rng = np.random.default_rng(seed)
    d, n, reps = 0.35, 80, 4000
    a = rng.normal(d, 1.0, size=(reps, n))
    b = rng.normal(0.0, 1.0, size=(reps, n))
    z = (a.mean(axis=1) - b.mean(axis=1)) / math.sqrt(2 / n)
    rate = np.mean(np.abs(z) > stats.norm.ppf(0.975))
    power = power_two_sample_z(d, n)
    assert abs(rate - power) < 4 * math.sqrt(power * (1 - power) / reps)   # 4 Monte Carlo standard errors


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rates", [(0.12, 0.10), (0.3, 0.35)])
def test_power_two_proportions_by_simulation(seed, rates):
    # the power formula is a normal approximation, so allow 4 Monte Carlo standard errors plus 0.01
    rng = np.random.default_rng(seed)
    p1, p2 = rates
    n = sample_size_two_proportions(p1, p2, power=0.8)
    reps = 3000
    k1, k2 = rng.binomial(n, p1, size=reps), rng.binomial(n, p2, size=reps)
    pooled = (k1 + k2) / (2 * n)
    z = (k1 - k2) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    rate = np.mean(np.abs(z) > stats.norm.ppf(0.975))
    assert abs(rate - 0.8) < 4 * math.sqrt(0.8 * 0.2 / reps) + 0.01
    # the vectorised statistic above is the package's test
    assert_allclose([two_proportion_ztest(k1[i], n, k2[i], n).statistic for i in range(5)], z[:5], rtol=1e-12)


# ---- multiple comparisons ----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("m", [1, 5, 100, 2000])
def test_benjamini_hochberg_matches_scipy(seed, m):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=m - m // 5), rng.uniform(0, 1e-3, size=m // 5)])
    p[rng.integers(0, m, size=m // 10)] = p[0]            # ties
    rng.shuffle(p)
    assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p, method="bh"), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("m", [1, 10, 300])
def test_bonferroni_rejects_exactly_below_alpha_over_m(seed, m):
    p = np.random.default_rng(seed).uniform(0, 0.02, size=m)
    adjusted = bonferroni(p)
    for alpha in (0.01, 0.05):
        np.testing.assert_array_equal(adjusted <= alpha, p <= alpha / m)
    assert np.all((adjusted >= p) & (adjusted <= 1))
    # Bonferroni is never less conservative than BH
    assert np.all(adjusted >= benjamini_hochberg(p) - 1e-15)


def test_bonferroni_and_bh_error_rates_by_simulation():
    # global null, independent tests: FWER of Bonferroni <= alpha; BH with 20% true effects keeps FDR <= q
    rng = np.random.default_rng(0)
    reps, m, alpha = 2000, 20, 0.1
    p_null = rng.uniform(size=(reps, m))
    fwer = np.mean([np.any(bonferroni(row) <= alpha) for row in p_null])
    assert fwer <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / reps)
    z = rng.normal(size=(reps, m))
    z[:, :4] += 3.0                                       # 4 true effects, 16 nulls
    p = stats.norm.sf(z)
    fdp = []
    for row in p:
        reject = benjamini_hochberg(row) <= alpha
        fdp.append(reject[4:].sum() / max(reject.sum(), 1))
    # FDR = q m0 / m = 0.08 for independent tests
    assert abs(np.mean(fdp) - alpha * 16 / 20) < 4 * np.std(fdp) / math.sqrt(reps)


# ---- bad input ---------------------------------------------------------------------------

def test_too_few_samples_raise_like_scipy():
    with pytest.raises(ValueError, match="at least 2"):
        ttest_one_sample([1.0])
    with pytest.raises(ValueError, match="at least 2"):
        ttest_ind([1.0, 2.0], [3.0])
    with pytest.raises(ValueError, match="at least 1"):
        z_test_one_sample([])
    # SciPy does not raise here: it returns NaN (with a warning) for a single observation
    with pytest.warns(RuntimeWarning):
        assert np.isnan(stats.ttest_1samp([1.0], 0.0).pvalue)


def test_zero_variance_raises():
    with pytest.raises(ValueError, match="zero variance"):
        ttest_one_sample([2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="zero variance"):
        ttest_ind([1.0, 1.0], [3.0, 3.0], equal_var=False)
    with pytest.raises(ValueError, match="zero variance"):
        ttest_rel([1.0, 2.0, 3.0], [0.0, 1.0, 2.0])      # constant differences


def test_mismatched_shapes_raise_like_scipy():
    with pytest.raises(ValueError, match="same length"):
        ttest_rel([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        stats.ttest_rel([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="different shapes"):
        chi2_gof([10, 20, 30], [30, 30])
    with pytest.raises(ValueError, match="1D"):
        ttest_ind(np.ones((3, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="2D"):
        chi2_contingency([1, 2, 3])


def test_bad_counts_raise_like_scipy():
    with pytest.raises(ValueError, match="positive"):
        chi2_gof([10, 20], [30, 0])
    with pytest.raises(ValueError, match="positive"):
        chi2_gof([10, 20], [40, -10])
    with pytest.raises(ValueError, match="same total"):
        chi2_gof([10, 20], [20, 20])
    with pytest.raises(ValueError):                       # SciPy also rejects totals that differ
        stats.chisquare([10, 20], [20, 20])
    with pytest.raises(ValueError, match="non-negative"):
        chi2_gof([-1, 5], [2, 2])
    with pytest.raises(ValueError, match="degrees of freedom"):
        chi2_gof([10, 20], ddof=1)
    for table, message in [([[1, -2], [3, 4]], "non-negative"), ([[0, 0], [3, 4]], "zero")]:
        with pytest.raises(ValueError, match=message):
            chi2_contingency(table)
        with pytest.raises(ValueError):                   # SciPy rejects the same tables
            stats.chi2_contingency(table)
    with pytest.raises(ValueError, match="NaN"):
        chi2_contingency([[1, np.nan], [3, 4]])
    with pytest.raises(ValueError, match="between 0 and n1"):
        two_proportion_ztest(11, 10, 3, 10)
    with pytest.raises(ValueError, match="positive integer"):
        two_proportion_ztest(1, 0, 3, 10)
    with pytest.raises(ValueError, match="pooled standard error"):
        two_proportion_ztest(0, 10, 0, 10)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5, np.nan])
def test_alpha_and_power_outside_unit_interval_raise(alpha):
    with pytest.raises(ValueError, match="alpha"):
        power_two_sample_z(0.5, 10, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        sample_size_two_sample_z(0.5, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        power_two_proportions(0.1, 0.2, 10, alpha=alpha)
    with pytest.raises(ValueError, match="power"):
        sample_size_two_proportions(0.1, 0.2, power=alpha)


def test_other_bad_arguments_raise():
    with pytest.raises(ValueError, match="alternative"):
        ttest_one_sample([1.0, 2.0], alternative="both")
    with pytest.raises(ValueError, match="sigma"):
        z_test_one_sample([1.0, 2.0], sigma=0.0)
    with pytest.raises(ValueError, match="nonzero"):
        sample_size_two_sample_z(0.0)
    with pytest.raises(ValueError, match="opposite sign"):
        sample_size_two_sample_z(-0.3, alternative="greater")
    with pytest.raises(ValueError, match="equal"):
        sample_size_two_proportions(0.2, 0.2)
    with pytest.raises(ValueError, match="p1"):
        power_two_proportions(0.0, 0.2, 100)
    with pytest.raises(ValueError, match="sample size"):
        power_two_sample_z(0.5, 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.2])
    with pytest.raises(ValueError, match="at least 1"):
        bonferroni([])
    with pytest.raises(ValueError, match="NaN"):
        benjamini_hochberg([0.1, np.nan])
