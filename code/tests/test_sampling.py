"""Sampling algorithms: goodness-of-fit tests at fixed seeds, moments and exact counts.

Every goodness-of-fit test uses the threshold P_MIN = 1e-3 on its p-value: a correct
sampler fails one such test with probability 1e-3 for a random seed, and the seeds are
fixed, so the tests are deterministic; a wrong sampler (a biased shuffle, a reservoir
that favours early items, an alias table off by a few percent) gives p-values many
orders of magnitude smaller at these sample sizes.
"""

import itertools
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from groundml.sampling import (
    AliasSampler,
    box_muller,
    fair_coin_from_biased,
    fisher_yates_shuffle,
    inverse_cdf_sample,
    metropolis_hastings,
    rejection_sample,
    reservoir_sample,
    sample_categorical,
)

SEEDS = range(5)
P_MIN = 1e-3


# ---- continuous samplers: Kolmogorov–Smirnov against the target CDF --------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "dist", [stats.expon(scale=2.0), stats.norm(1.0, 3.0), stats.cauchy(), stats.beta(0.5, 2.0)],
    ids=["expon", "norm", "cauchy", "beta"],
)
def test_inverse_cdf_sample_fits_the_target(seed, dist):
    x = inverse_cdf_sample(dist.ppf, 5_000, rng=seed)
    assert x.shape == (5_000,) and np.all(np.isfinite(x))
    assert stats.kstest(x, dist.cdf).pvalue > P_MIN


@pytest.mark.parametrize("seed", SEEDS)
def test_inverse_cdf_exponential_by_hand(seed):
    rate = 0.5
    x = inverse_cdf_sample(lambda u: -np.log1p(-u) / rate, 20_000, rng=seed)
    assert stats.kstest(x, stats.expon(scale=1 / rate).cdf).pvalue > P_MIN
    assert abs(x.mean() - 1 / rate) < 5 * (1 / rate) / np.sqrt(len(x))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 7, 20_001])
def test_box_muller_is_standard_normal(seed, n):
    z = box_muller(n, rng=seed)
    assert z.shape == (n,)
    if n > 1000:
        assert stats.kstest(z, "norm").pvalue > P_MIN
        assert abs(z.mean()) < 5 / np.sqrt(n)
        assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
        # the two halves are the cos and sin of the same pair: uncorrelated
        half = n // 2
        assert abs(np.corrcoef(z[:half], z[half:2 * half])[0, 1]) < 5 / np.sqrt(half)


def bimodal_pdf(x):
    return 0.5 * stats.norm.pdf(x, -2, 0.7) + 0.5 * stats.norm.pdf(x, 2, 0.7)


def bimodal_cdf(x):
    return 0.5 * stats.norm.cdf(x, -2, 0.7) + 0.5 * stats.norm.cdf(x, 2, 0.7)


# proposal N(0, 3^2); M = max f / g, found on a fine grid with a 5% margin
PROPOSAL = stats.norm(0, 3)
_grid = np.linspace(-15, 15, 200_001)
M_BIMODAL = 1.05 * np.max(bimodal_pdf(_grid) / PROPOSAL.pdf(_grid))


@pytest.mark.parametrize("seed", SEEDS)
def test_rejection_sample_fits_target_and_accepts_one_in_M(seed):
    n = 5_000
    x, n_prop = rejection_sample(bimodal_pdf, lambda size, rng: PROPOSAL.rvs(size, random_state=rng),
                                 PROPOSAL.pdf, M_BIMODAL, n, rng=seed, return_n_proposals=True)
    assert x.shape == (n,)
    assert stats.kstest(x, bimodal_cdf).pvalue > P_MIN
    # n_prop - n is negative binomial: n failures before n successes with prob 1/M;
    # its standard deviation is sqrt(n (1 - 1/M)) * M
    rate = 1 / M_BIMODAL
    assert abs(n_prop - n * M_BIMODAL) < 5 * np.sqrt(n * (1 - rate)) / rate


@pytest.mark.parametrize("seed", SEEDS)
def test_rejection_sample_two_dimensional_uniform_disc(seed):
    # uniform on the unit disc by rejection from the square [-1, 1]^2: M = 4 / pi
    def disc_pdf(p):
        return (np.sum(p**2, axis=1) <= 1) / np.pi

    def square_sample(size, rng):
        return rng.uniform(-1, 1, size=(size, 2))

    x = rejection_sample(disc_pdf, square_sample, lambda p: np.full(len(p), 0.25), 4 / np.pi, 4_000, rng=seed)
    assert x.shape == (4_000, 2)
    # the squared radius of a uniform point in the disc is U(0, 1)
    assert stats.kstest(np.sum(x**2, axis=1), "uniform").pvalue > P_MIN


def test_rejection_sample_detects_a_too_small_envelope():
    with pytest.raises(ValueError, match="envelope is violated"):
        rejection_sample(stats.norm(0, 0.5).pdf, lambda size, rng: rng.normal(size=size),
                         stats.norm.pdf, 1.0, 100, rng=0)


# ---- discrete samplers: chi-squared against the probabilities --------------------------

PROBS = [
    np.array([0.5, 0.5]),
    np.array([0.1, 0.2, 0.3, 0.4]),
    np.array([0.0, 0.05, 0.6, 0.0, 0.35]),
    np.random.default_rng(42).dirichlet(np.ones(50)),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("probs", PROBS, ids=["2", "4", "5-with-zeros", "50"])
@pytest.mark.parametrize("method", ["alias", "cdf"])
def test_categorical_samplers_chi_squared(seed, probs, method):
    n = 50_000
    if method == "alias":
        draws = AliasSampler(probs).sample(n, rng=seed)
    else:
        draws = sample_categorical(probs, n, rng=seed)
    counts = np.bincount(draws, minlength=len(probs))
    assert len(counts) == len(probs)
    assert np.all(counts[probs == 0] == 0)             # impossible categories never appear
    support = probs > 0
    assert stats.chisquare(counts[support], n * probs[support]).pvalue > P_MIN


@pytest.mark.parametrize("probs", PROBS, ids=["2", "4", "5-with-zeros", "50"])
def test_alias_tables_encode_the_distribution_exactly(probs):
    sampler = AliasSampler(probs)
    assert np.all((sampler.prob_ >= 0) & (sampler.prob_ <= 1 + 1e-12))
    assert_allclose(sampler.probabilities(), probs, rtol=0, atol=1e-12)


# ---- reservoir sampling ------------------------------------------------------------------

@pytest.mark.parametrize(("n", "k"), [(5, 2), (10, 3), (20, 1)])
def test_reservoir_inclusion_frequencies_are_k_over_n(n, k):
    rng = np.random.default_rng(0)
    trials = 20_000
    counts = np.zeros(n)
    for _ in range(trials):
        chosen = reservoir_sample(iter(range(n)), k, rng=rng)   # a one-pass iterator
        assert len(set(chosen)) == k
        counts[chosen] += 1
    # each trial picks k of n items; test the inclusion counts against k/n each
    assert stats.chisquare(counts, np.full(n, trials * k / n)).pvalue > P_MIN


def test_reservoir_every_subset_equally_likely():
    rng = np.random.default_rng(1)
    n, k, trials = 5, 2, 30_000
    subsets = {s: 0 for s in itertools.combinations(range(n), k)}
    for _ in range(trials):
        subsets[tuple(sorted(reservoir_sample(range(n), k, rng=rng)))] += 1
    counts = np.array(list(subsets.values()))
    assert stats.chisquare(counts, np.full(len(counts), trials / len(counts))).pvalue > P_MIN


def test_reservoir_short_stream_returns_everything():
    assert reservoir_sample(range(3), 5, rng=0) == [0, 1, 2]
    assert reservoir_sample([], 2, rng=0) == []
    assert reservoir_sample("abc", 0, rng=0) == []


# ---- shuffling ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 4])
def test_fisher_yates_all_permutations_equally_likely(n):
    rng = np.random.default_rng(n)
    perms = {p: 0 for p in itertools.permutations(range(n))}
    trials = 2_000 * math.factorial(n)
    for _ in range(trials):
        perms[tuple(fisher_yates_shuffle(list(range(n)), rng=rng))] += 1
    counts = np.array(list(perms.values()))
    assert len(counts) == math.factorial(n)
    assert stats.chisquare(counts, np.full(len(counts), trials / len(counts))).pvalue > P_MIN


def test_naive_shuffle_fails_the_same_test():
    # The check above has power: swapping with ANY position (j in 0..n-1) is biased.
    rng = np.random.default_rng(0)
    n, trials = 3, 12_000
    perms = {p: 0 for p in itertools.permutations(range(n))}
    for _ in range(trials):
        x = list(range(n))
        for i in range(n):
            j = rng.integers(0, n)
            x[i], x[j] = x[j], x[i]
        perms[tuple(x)] += 1
    counts = np.array(list(perms.values()))
    assert stats.chisquare(counts, np.full(6, trials / 6)).pvalue < 1e-10


def test_fisher_yates_keeps_the_elements_and_the_input():
    x = np.arange(10.0).reshape(5, 2)
    original = x.copy()
    out = fisher_yates_shuffle(x, rng=0)
    assert isinstance(out, np.ndarray) and out.shape == x.shape
    assert_allclose(x, original)                       # input untouched
    assert sorted(map(tuple, out)) == sorted(map(tuple, x))   # rows permuted, not mixed
    letters = fisher_yates_shuffle("abcde", rng=0)
    assert sorted(letters) == list("abcde")
    assert fisher_yates_shuffle([], rng=0) == []


# ---- fair coin from a biased one ---------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_von_neumann_coin_is_fair_and_uses_1_over_p_q_flips(p):
    rng = np.random.default_rng(int(10 * p))

    def biased_flip(r):
        return int(r.random() < p)

    trials = 20_000
    results = [fair_coin_from_biased(biased_flip, rng=rng, return_n_flips=True) for _ in range(trials)]
    bits = np.array([b for b, _ in results])
    flips = np.array([f for _, f in results])
    assert set(np.unique(bits)) <= {0, 1}
    assert stats.binomtest(int(bits.sum()), trials, 0.5).pvalue > P_MIN
    # flips = 2 * Geometric(2pq): mean 1/(pq), variance 4 (1 - 2pq) / (2pq)^2
    s = 2 * p * (1 - p)
    mean, sd = 2 / s, 2 * np.sqrt(1 - s) / s
    assert abs(flips.mean() - mean) < 5 * sd / np.sqrt(trials)
    assert np.all(flips % 2 == 0)


# ---- Metropolis–Hastings -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_metropolis_hastings_standard_normal(seed):
    chain, acc = metropolis_hastings(lambda x: -0.5 * x**2, 3.0, 60_000, 2.4, rng=seed)
    assert chain.shape == (60_000,) and 0.2 < acc < 0.7
    kept = chain[1_000::20]                             # burn-in, then thin to reduce correlation
    assert stats.kstest(kept, "norm").pvalue > P_MIN
    assert abs(kept.mean()) < 0.1 and abs(kept.var() - 1) < 0.1


def test_metropolis_hastings_two_dimensional_correlated():
    cov = np.array([[1.0, 0.8], [0.8, 1.0]])
    precision = np.linalg.inv(cov)
    chain, _ = metropolis_hastings(lambda x: -0.5 * x @ precision @ x, np.zeros(2), 80_000, 1.0, rng=0)
    assert chain.shape == (80_000, 2)
    # autocorrelation inflates the standard error, hence the wide tolerance
    assert_allclose(np.cov(chain[2_000:].T), cov, atol=0.08)


def test_metropolis_hastings_unnormalised_density_is_fine():
    # adding a constant to log pi must not change the chain at a fixed seed
    a, _ = metropolis_hastings(lambda x: -0.5 * x**2, 0.0, 500, 1.0, rng=3)
    b, _ = metropolis_hastings(lambda x: -0.5 * x**2 + 123.0, 0.0, 500, 1.0, rng=3)
    assert_allclose(a, b, rtol=0, atol=0)


# ---- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: AliasSampler([0.5, 0.6]), "sum to 1"),
        (lambda: AliasSampler([1.2, -0.2]), "negative"),
        (lambda: AliasSampler([]), "non-empty"),
        (lambda: AliasSampler([[0.5, 0.5]]), "1D"),
        (lambda: sample_categorical([0.3, 0.3], 5), "sum to 1"),
        (lambda: sample_categorical([np.nan, 1.0], 5), "NaN"),
        (lambda: box_muller(-1), "non-negative integer"),
        (lambda: inverse_cdf_sample(np.log, 2.5), "non-negative integer"),
        (lambda: reservoir_sample(range(5), -1), "non-negative integer"),
        (lambda: rejection_sample(np.exp, np.ones, np.exp, 0.0, 5), "M must be positive"),
        (lambda: metropolis_hastings(lambda x: -x**2, 0.0, 10, 0.0), "step_size"),
        (lambda: metropolis_hastings(lambda x: -np.inf, 0.0, 10, 1.0), "finite"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
