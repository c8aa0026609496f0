"""Hidden Markov model algorithms against brute-force enumeration over all state paths.

There is no scikit-learn counterpart (and hmmlearn is not a dependency), so the references
are the definitions themselves: sums and maxima over all K^T state paths for short
sequences, and an independent log-space forward recursion with scipy.special.logsumexp
for long ones.
"""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp

from groundml._validation import NotFittedError
from groundml.hmm import CategoricalHMM, backward, baum_welch, forward, posterior, viterbi

SEEDS = range(5)
SHAPES = [(2, 2, 1), (2, 3, 4), (3, 2, 5), (3, 4, 6)]      # (n_states, n_symbols, n_steps)


def random_model(seed, n_states, n_symbols):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.ones(n_states)), rng.dirichlet(np.ones(n_states), size=n_states),
            rng.dirichlet(np.ones(n_symbols), size=n_states))


def joint_log_prob(path, obs, start, trans, emis):
    """log p(z, o) for one state path, straight from the definition of the model."""
    lp = np.log(start[path[0]]) + np.log(emis[path[0], obs[0]])
    for t in range(1, len(obs)):
        lp += np.log(trans[path[t - 1], path[t]]) + np.log(emis[path[t], obs[t]])
    return lp


def enumerate_paths(obs, start, trans, emis):
    paths = list(itertools.product(range(len(start)), repeat=len(obs)))
    return np.array(paths), np.array([joint_log_prob(p, obs, start, trans, emis) for p in paths])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_posterior_viterbi_match_enumeration(seed, shape):
    k, m, n_steps = shape
    start, trans, emis = random_model(seed, k, m)
    obs = np.random.default_rng(100 + seed).integers(m, size=n_steps)
    paths, lps = enumerate_paths(obs, start, trans, emis)
    log_lik, alpha, scale = forward(obs, start, trans, emis)
    assert_allclose(log_lik, np.log(np.exp(lps).sum()), rtol=1e-10, atol=1e-10)
    # posterior marginals: p(z_t = i | o) = sum of p(z, o) over paths with z_t = i, / p(o)
    weights = np.exp(lps - log_lik)
    expected = np.array([[weights[paths[:, t] == i].sum() for i in range(k)] for t in range(n_steps)])
    assert_allclose(posterior(obs, start, trans, emis), expected, atol=1e-10)
    # Viterbi: the argmax path (unique for continuous random parameters) and its log-probability
    best = np.argmax(lps)
    assert np.sort(lps)[-1] - (np.sort(lps)[-2] if len(lps) > 1 else -np.inf) > 1e-9
    path, log_prob = viterbi(obs, start, trans, emis)
    assert_array_equal(path, paths[best])
    assert_allclose(log_prob, lps[best], rtol=1e-10)
    # scaled forward variables are the filtering distributions p(z_t | o_1..t)
    assert_allclose(alpha.sum(axis=1), 1.0, atol=1e-12)
    beta = backward(obs, start, trans, emis, scale)
    assert_allclose((alpha * beta).sum(axis=1), 1.0, atol=1e-10)


def log_space_forward(obs, start, trans, emis):
    """Independent reference: the forward recursion in log space with SciPy's logsumexp."""
    la = np.log(start) + np.log(emis[:, obs[0]])
    for o in obs[1:]:
        la = logsumexp(la[:, None] + np.log(trans), axis=0) + np.log(emis[:, o])
    return logsumexp(la)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_steps", [500, 5000])
def test_forward_long_sequences_match_log_space(seed, n_steps):
    start, trans, emis = random_model(seed, 3, 4)
    obs = np.random.default_rng(seed).integers(4, size=n_steps)
    log_lik, _, _ = forward(obs, start, trans, emis)
    assert np.isfinite(log_lik) and log_lik < -100   # the probability itself would underflow
    assert_allclose(log_lik, log_space_forward(obs, start, trans, emis), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_states", [2, 3])
def test_baum_welch_monotone_and_stochastic(seed, n_states):
    rng = np.random.default_rng(seed)
    true = random_model(50 + seed, n_states, 4)
    model = CategoricalHMM(n_components=n_states)
    model.startprob_, model.transmat_, model.emissionprob_ = true
    X, _ = model.sample(300, random_state=rng)
    init = random_model(seed, n_states, 4)
    start, trans, emis, hist = baum_welch(X[:, 0], *init, n_iter=50, tol=0)
    assert len(hist) == 50
    assert np.all(np.diff(hist) >= -1e-8 * np.abs(hist[1:]))       # EM never decreases the likelihood
    for p in (start, trans, emis):
        assert np.all(p >= 0)
        assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)
    # the returned parameters are at least as good as the last recorded ones
    assert forward(X[:, 0], start, trans, emis)[0] >= hist[-1] - 1e-8


def test_baum_welch_one_step_matches_enumeration():
    """One EM step computed from expected counts by explicit enumeration over paths."""
    start, trans, emis = random_model(7, 2, 3)
    obs = np.array([0, 2, 1, 1, 0])
    paths, lps = enumerate_paths(obs, start, trans, emis)
    w = np.exp(lps - logsumexp(lps))
    e_start, e_trans, e_emis = np.zeros(2), np.zeros((2, 2)), np.zeros((2, 3))
    for p, wp in zip(paths, w, strict=True):
        e_start[p[0]] += wp
        for t in range(len(obs)):
            e_emis[p[t], obs[t]] += wp
            if t > 0:
                e_trans[p[t - 1], p[t]] += wp
    new = baum_welch(obs, start, trans, emis, n_iter=1)
    assert_allclose(new[0], e_start / e_start.sum(), atol=1e-12)
    assert_allclose(new[1], e_trans / e_trans.sum(axis=1, keepdims=True), atol=1e-12)
    assert_allclose(new[2], e_emis / e_emis.sum(axis=1, keepdims=True), atol=1e-12)


def test_class_matches_functions_and_lengths():
    rng = np.random.default_rng(0)
    X = rng.integers(3, size=(40, 1))
    model = CategoricalHMM(n_components=2, n_iter=20, tol=0, random_state=0).fit(X, lengths=[15, 25])
    params = (model.startprob_, model.transmat_, model.emissionprob_)
    expected = forward(X[:15, 0], *params)[0] + forward(X[15:, 0], *params)[0]
    assert_allclose(model.score(X, lengths=[15, 25]), expected, rtol=1e-12)
    assert_array_equal(model.predict(X[:15]), viterbi(X[:15, 0], *params)[0])
    assert_allclose(model.predict_proba(X[:15]), posterior(X[:15, 0], *params), atol=1e-12)
    assert np.all(np.diff(model.log_likelihoods_) >= -1e-8)
    Xs, states = model.sample(50, random_state=1)
    assert Xs.shape == (50, 1) and states.shape == (50,) and Xs.max() < 3


def test_sample_frequencies_match_model():
    # Long-run symbol frequencies of a sampled chain match the stationary mix, within 3%.
    model = CategoricalHMM(n_components=2)
    model.startprob_ = np.array([0.5, 0.5])
    model.transmat_ = np.array([[0.9, 0.1], [0.2, 0.8]])
    model.emissionprob_ = np.array([[0.7, 0.3], [0.1, 0.9]])
    X, states = model.sample(20000, random_state=0)
    stationary = np.array([2 / 3, 1 / 3])                      # solves pi = pi A
    assert abs(states.mean() - stationary[1]) < 0.03
    assert abs(X.mean() - stationary @ model.emissionprob_[:, 1]) < 0.03


@pytest.mark.parametrize(
    "start, trans, emis",
    [
        ([0.5, 0.6], [[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.1, 0.9]]),     # start sums to 1.1
        ([0.5, 0.5], [[0.9, 0.2], [0.2, 0.8]], [[0.5, 0.5], [0.1, 0.9]]),     # transition row
        ([0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.4], [0.1, 0.9]]),     # emission row
        ([1.5, -0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.1, 0.9]]),    # negative entry
        ([0.5, 0.5], [[1.0]], [[0.5, 0.5], [0.1, 0.9]]),                      # wrong shape
        ([0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[np.nan, 1.0], [0.1, 0.9]]),  # NaN
    ],
)
def test_bad_parameters_raise(start, trans, emis):
    for fn in (forward, posterior, viterbi, backward):
        with pytest.raises(ValueError):
            fn([0, 1], start, trans, emis)


@pytest.mark.parametrize("obs", [[0, 2], [-1, 0], [0.5, 1], [[0, 1], [1, 0]], []])
def test_bad_observations_raise(obs):
    start, trans, emis = random_model(0, 2, 2)
    for fn in (forward, posterior, viterbi):
        with pytest.raises(ValueError):
            fn(obs, start, trans, emis)


def test_impossible_sequence():
    start, trans, emis = [1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]
    assert forward([0, 1], start, trans, emis)[0] == -np.inf
    with pytest.raises(ValueError, match="probability 0"):
        posterior([0, 1], start, trans, emis)


def test_not_fitted_and_bad_fit_arguments():
    with pytest.raises(NotFittedError):
        CategoricalHMM(n_components=2).score([[0], [1]])
    with pytest.raises(ValueError):
        CategoricalHMM(n_components=2).fit([[0], [1], [0]], lengths=[1, 1])
    with pytest.raises(ValueError):
        CategoricalHMM(n_components=2).fit([[0.5], [1]])
    with pytest.raises(ValueError):
        baum_welch([0, 1], *random_model(0, 2, 2), n_iter=0)
