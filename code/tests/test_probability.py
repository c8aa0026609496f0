"""groundml.probability against scipy.stats, numpy and exact enumeration."""

import itertools
from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import special, stats

from groundml.probability import (
    Moments,
    bayes_posterior,
    beta_pdf,
    binomial_cdf,
    binomial_pmf,
    correlation_matrix,
    covariance_matrix,
    empirical_cdf,
    exponential_cdf,
    exponential_pdf,
    geometric_pmf,
    poisson_pmf,
    poisson_process,
    sample_moments,
)

SEEDS = range(5)

# ---- probability mass and density functions against scipy.stats ------------------------


@pytest.mark.parametrize("n", [0, 1, 5, 20, 300])
@pytest.mark.parametrize("p", [0.0, 0.03, 0.5, 0.97, 1.0])
def test_binomial_pmf_and_cdf_match_scipy(n, p):
    k = np.concatenate([np.arange(-2, n + 3), [0.5, n - 0.5]])   # includes off-support points
    assert_allclose(binomial_pmf(k, n, p), stats.binom.pmf(k, n, p), rtol=1e-9, atol=1e-300)
    assert binomial_pmf(np.arange(n + 1), n, p).sum() == pytest.approx(1.0, abs=1e-12)
    x = np.concatenate([k, [-np.inf, np.inf, 2.7]])
    assert_allclose(binomial_cdf(x, n, p), stats.binom.cdf(x, n, p), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_binomial_pmf_broadcasts_like_scipy(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(0, 50, size=(4, 1))
    p = rng.uniform(size=(1, 6))
    k = rng.integers(0, 50, size=(4, 6))
    ours = binomial_pmf(k, n, p)
    assert ours.shape == (4, 6)
    assert_allclose(ours, stats.binom.pmf(k, n, p), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("lam", [0.0, 0.1, 1.0, 7.5, 300.0])
def test_poisson_pmf_matches_scipy(lam):
    k = np.concatenate([np.arange(-2, 700), [0.5, 3.2]])
    assert_allclose(poisson_pmf(k, lam), stats.poisson.pmf(k, lam), rtol=1e-9, atol=1e-300)
    assert poisson_pmf(np.arange(2000), lam).sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_poisson_pmf_broadcasts_like_scipy(seed):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.1, 40, size=(5, 1))
    k = rng.integers(0, 60, size=(1, 7))
    assert_allclose(poisson_pmf(k, lam), stats.poisson.pmf(k, lam), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("p", [1e-3, 0.2, 0.5, 0.9, 1.0])
def test_geometric_pmf_counts_trials_like_scipy(p):
    k = np.concatenate([np.arange(-1, 200), [1.5]])
    assert_allclose(geometric_pmf(k, p), stats.geom.pmf(k, p), rtol=1e-9, atol=1e-300)
    assert geometric_pmf(0, p) == 0.0                  # support starts at 1 trial


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rate", [0.2, 1.0, 13.0])
def test_exponential_pdf_and_cdf_match_scipy(seed, rate):
    x = np.random.default_rng(seed).normal(1 / rate, 2 / rate, size=(7, 3))  # some negative
    ref = stats.expon(scale=1 / rate)
    assert_allclose(exponential_pdf(x, rate), ref.pdf(x), rtol=1e-12, atol=1e-300)
    assert_allclose(exponential_cdf(x, rate), ref.cdf(x), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("a, b", [(0.5, 0.5), (1.0, 1.0), (2.0, 5.0), (30.0, 0.7), (1.0, 3.0)])
def test_beta_pdf_matches_scipy_and_integrates_to_one(a, b):
    x = np.concatenate([[-0.5, 0.0, 1.0, 1.5], np.linspace(0.001, 0.999, 401)])
    assert_allclose(beta_pdf(x, a, b), stats.beta.pdf(x, a, b), rtol=1e-9, atol=1e-300)
    # The integral over [0, 1] is 1: midpoint rule on a fine grid avoids the endpoints.
    grid = (np.arange(200_000) + 0.5) / 200_000
    tolerance = 1e-2 if min(a, b) < 1 else 1e-6       # integrable endpoint singularity
    assert beta_pdf(grid, a, b).mean() == pytest.approx(1.0, abs=tolerance)


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_pdf_broadcasts_like_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.3, 10, size=(3, 1, 1)), rng.uniform(0.3, 10, size=(1, 4, 1))
    x = rng.uniform(size=(1, 1, 5))
    assert_allclose(beta_pdf(x, a, b), stats.beta.pdf(x, a, b), rtol=1e-9)


# ---- Bayes' rule against exact enumeration -------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_hypotheses, n_observations, n_outcomes", [(2, 1, 2), (3, 2, 4), (5, 3, 3)])
def test_bayes_posterior_matches_enumeration_of_the_joint(seed, n_hypotheses, n_observations,
                                                          n_outcomes):
    """Build the full joint table P(H, D_1, ..., D_m) with the D_i conditionally
    independent given H, then condition by summing its entries."""
    rng = np.random.default_rng(seed)
    prior = rng.dirichlet(np.ones(n_hypotheses))
    # conditional[h, o] = P(D_i = o | H = h), the same for every observation
    conditional = rng.dirichlet(np.ones(n_outcomes), size=n_hypotheses)
    observed = tuple(rng.integers(n_outcomes, size=n_observations))
    joint = {}
    for h in range(n_hypotheses):
        for outcome in itertools.product(range(n_outcomes), repeat=n_observations):
            joint[h, outcome] = prior[h] * np.prod([conditional[h, o] for o in outcome])
    evidence_ref = sum(v for (h, outcome), v in joint.items() if outcome == observed)
    posterior_ref = np.array([joint[h, observed] for h in range(n_hypotheses)]) / evidence_ref
    assert sum(joint.values()) == pytest.approx(1.0, abs=1e-12)

    likelihoods = conditional[:, list(observed)].T      # (n_observations, n_hypotheses)
    posterior, evidence = bayes_posterior(prior, likelihoods, return_evidence=True)
    assert_allclose(posterior, posterior_ref, rtol=1e-10)
    assert evidence == pytest.approx(evidence_ref, rel=1e-10)
    # An unnormalised prior gives the same posterior.
    assert_allclose(bayes_posterior(7.0 * prior, likelihoods), posterior_ref, rtol=1e-10)


def test_bayes_posterior_rare_disease_against_fractions():
    prior = [Fraction(1, 1000), Fraction(999, 1000)]             # (disease, healthy)
    positive = [Fraction(99, 100), Fraction(5, 100)]             # P(+ | disease), P(+ | healthy)
    exact = prior[0] * positive[0] / (prior[0] * positive[0] + prior[1] * positive[1])
    posterior = bayes_posterior(np.array(prior, dtype=float), np.array(positive, dtype=float))
    assert posterior[0] == pytest.approx(float(exact), rel=1e-12)
    assert exact == Fraction(11, 566)


@pytest.mark.parametrize("seed", SEEDS)
def test_bayes_posterior_does_not_underflow_with_many_observations(seed):
    rng = np.random.default_rng(seed)
    prior = rng.dirichlet(np.ones(4))
    likelihoods = rng.uniform(1e-3, 0.2, size=(2000, 4))        # the product underflows
    assert np.prod(likelihoods, axis=0).max() == 0.0
    ref = special.softmax(np.log(prior) + np.log(likelihoods).sum(axis=0))
    assert_allclose(bayes_posterior(prior, likelihoods), ref, rtol=1e-9)


# ---- a sampler: goodness of fit ----------------------------------------------------------


def test_poisson_process_counts_gaps_and_positions():
    rate, t_end = 3.0, 2.0
    rng = np.random.default_rng(12345)
    runs = [poisson_process(rate, t_end, random_state=rng) for _ in range(4000)]
    counts = np.array([len(r) for r in runs])
    # Counts are Poisson(rate * t_end): chi-square test on the bins 0..14 and >= 15.
    mean = rate * t_end
    observed = np.bincount(np.minimum(counts, 15), minlength=16)
    probs = np.append(stats.poisson.pmf(np.arange(15), mean), stats.poisson.sf(14, mean))
    assert stats.chisquare(observed, probs * len(counts)).pvalue > 1e-3
    assert counts.mean() == pytest.approx(mean, abs=4 * np.sqrt(mean / len(counts)))
    # Gaps between arrivals are Exponential(rate) (the first gap starts at 0) ...
    first_gaps = np.array([r[0] for r in runs if len(r) > 0])
    inner_gaps = np.concatenate([np.diff(r) for r in runs])
    # ... but only gaps that end before t_end are kept, so compare with the
    # exponential truncated at t_end for the first gap.
    truncated = stats.truncexpon(b=rate * t_end, scale=1 / rate)
    assert stats.kstest(first_gaps, truncated.cdf).pvalue > 1e-3
    assert inner_gaps.min() > 0
    # Given the count, arrival times are uniform on [0, t_end].
    positions = np.concatenate(runs)
    assert stats.kstest(positions, stats.uniform(0, t_end).cdf).pvalue > 1e-3
    assert np.all(np.diff(positions[: counts[0]]) > 0)


def test_poisson_process_long_run_gaps_are_exponential():
    rate = 2.5
    times = poisson_process(rate, 2000.0, random_state=7)       # about 5000 arrivals
    gaps = np.diff(np.concatenate([[0.0], times]))
    assert stats.kstest(gaps, stats.expon(scale=1 / rate).cdf).pvalue > 1e-3
    assert gaps.mean() == pytest.approx(1 / rate, rel=0.05)


def test_poisson_process_is_reproducible():
    assert_allclose(poisson_process(2.0, 5.0, random_state=3), poisson_process(2.0, 5.0, random_state=3))


# ---- empirical CDF and sample statistics --------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 10, 500])
@pytest.mark.parametrize("ties", [False, True])
def test_empirical_cdf_matches_scipy(seed, n, ties):
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, 5, size=n).astype(float) if ties else rng.normal(size=n)
    points = np.concatenate([samples, rng.normal(size=50), [-np.inf, np.inf]])
    ref = stats.ecdf(samples).cdf.evaluate(points)
    assert_allclose(empirical_cdf(samples)(points), ref, rtol=0, atol=1e-15)
    assert empirical_cdf(samples)(points[-50:].reshape(5, 10)).shape == (5, 10)


def make_samples(seed, n_samples, n_features):
    """Correlated, skewed columns with different scales."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n_samples, n_features)) @ rng.normal(size=(n_features, n_features))
    return np.exp(0.3 * Z) * rng.uniform(0.5, 5.0, size=n_features) + rng.normal(size=n_features)


SHAPES = [(5, 1), (30, 3), (200, 6), (4, 8)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ddof", [0, 1])
def test_covariance_matrix_matches_numpy(seed, shape, ddof):
    X = make_samples(seed, *shape)
    S = covariance_matrix(X, ddof=ddof)
    assert S.shape == (shape[1], shape[1])
    assert_allclose(S, np.atleast_2d(np.cov(X, rowvar=False, ddof=ddof)), rtol=1e-10, atol=1e-12)
    assert np.linalg.eigvalsh(S).min() > -1e-10 * np.abs(S).max()   # positive semidefinite


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_correlation_matrix_matches_numpy(seed, shape):
    X = make_samples(seed, *shape)
    R = correlation_matrix(X)
    assert_allclose(R, np.atleast_2d(np.corrcoef(X, rowvar=False)), rtol=1e-10, atol=1e-12)
    assert np.all(np.abs(R) <= 1)
    assert_allclose(np.diag(R), 1.0, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", [(10,), (500,), (4, 3), (50, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_sample_moments_match_numpy_and_scipy(seed, shape, bias):
    x = make_samples(seed, shape[0], 1 if len(shape) == 1 else shape[1])
    x = x[:, 0] if len(shape) == 1 else x
    result = sample_moments(x, bias=bias)
    assert isinstance(result, Moments)
    assert_allclose(result.mean, np.mean(x, axis=0), rtol=1e-12)
    assert_allclose(result.variance, np.var(x, axis=0, ddof=0 if bias else 1), rtol=1e-10)
    assert_allclose(result.skewness, stats.skew(x, axis=0, bias=bias), rtol=1e-8, atol=1e-12)
    assert_allclose(result.kurtosis, stats.kurtosis(x, axis=0, fisher=True, bias=bias),
                    rtol=1e-8, atol=1e-12)
    if len(shape) == 1:
        assert all(isinstance(v, float) for v in result)


def test_sample_moments_of_large_samples_approach_the_population_values():
    rng = np.random.default_rng(0)
    expo = sample_moments(rng.exponential(size=400_000))
    # Exponential(1): mean 1, variance 1, skewness 2, excess kurtosis 6.
    assert_allclose([expo.mean, expo.variance], [1.0, 1.0], atol=0.01)
    assert expo.skewness == pytest.approx(2.0, abs=0.05)
    assert expo.kurtosis == pytest.approx(6.0, abs=0.5)


# ---- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: binomial_pmf(1, 5, 1.2), r"p must lie in \[0, 1\]"),
        (lambda: binomial_pmf(1, 5, -0.1), r"p must lie in \[0, 1\]"),
        (lambda: binomial_pmf(1, 5, np.nan), r"p must lie in \[0, 1\]"),
        (lambda: binomial_pmf(1, -2, 0.5), "n must be a non-negative integer"),
        (lambda: binomial_pmf(1, 2.5, 0.5), "n must be a non-negative integer"),
        (lambda: binomial_cdf(1, 2.5, 0.5), "n must be a non-negative integer"),
        (lambda: binomial_cdf(1, [2, 3], 0.5), "scalar n"),
        (lambda: binomial_pmf("a", 5, 0.5), "must be numeric"),
        (lambda: poisson_pmf(1, -1.0), "lam must be finite and non-negative"),
        (lambda: poisson_pmf(1, np.inf), "lam must be finite and non-negative"),
        (lambda: geometric_pmf(1, 0.0), r"p must lie in \(0, 1\]"),
        (lambda: geometric_pmf(1, 1.5), r"p must lie in \(0, 1\]"),
        (lambda: exponential_pdf(1.0, 0.0), "rate must be finite and positive"),
        (lambda: exponential_cdf(1.0, -2.0), "rate must be finite and positive"),
        (lambda: beta_pdf(0.5, 0.0, 1.0), "a must be finite and positive"),
        (lambda: beta_pdf(0.5, 1.0, -1.0), "b must be finite and positive"),
        (lambda: poisson_process(-1.0, 1.0), "rate must be finite and positive"),
        (lambda: poisson_process(1.0, 0.0), "t_end must be finite and positive"),
    ],
)
def test_bad_distribution_parameters_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("prior", "likelihoods", "message"),
    [
        ([0.5, -0.1, 0.6], [0.1, 0.2, 0.3], "non-negative weights"),
        ([0.0, 0.0], [0.1, 0.2], "cannot be normalised"),
        ([1e308, 1e308], [0.1, 0.2], "cannot be normalised"),
        ([np.inf, 1.0], [0.1, 0.2], "non-negative weights"),
        ([np.nan, 1.0], [0.1, 0.2], "non-negative weights"),
        ([], [], "non-empty 1D"),
        ([[0.5, 0.5]], [0.1, 0.2], "non-empty 1D"),
        ([0.5, 0.5], [0.1, 0.2, 0.3], "likelihoods must have shape"),
        ([0.5, 0.5], [0.1, -0.2], "finite and non-negative"),
        ([0.5, 0.5], [0.0, 0.0], "probability 0 under every hypothesis"),
        ([1.0, 0.0], [0.0, 0.7], "probability 0 under every hypothesis"),
    ],
)
def test_bad_bayes_input_raises(prior, likelihoods, message):
    with pytest.raises(ValueError, match=message):
        bayes_posterior(prior, likelihoods)


def test_bad_sample_input_raises():
    with pytest.raises(ValueError, match="Expected a 2D array"):
        covariance_matrix(np.ones(5))
    with pytest.raises(ValueError, match="Need more than ddof=1 samples"):
        covariance_matrix(np.ones((1, 3)))
    with pytest.raises(ValueError, match="NaN or infinity"):
        covariance_matrix(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match=r"Columns \[1\] are constant"):
        correlation_matrix(np.column_stack([np.arange(5.0), np.ones(5)]))
    with pytest.raises(ValueError, match="zero variance"):
        sample_moments(np.ones(10))
    with pytest.raises(ValueError, match="at least 4 samples"):
        sample_moments([1.0, 2.0, 4.0], bias=False)
    with pytest.raises(ValueError, match="non-empty 1D"):
        empirical_cdf([])
    with pytest.raises(ValueError, match="NaN or infinity"):
        empirical_cdf([1.0, np.nan])
