"""Entropy, cross-entropy, KL divergence and mutual information against SciPy, scikit-learn
and closed forms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import rel_entr
from sklearn.metrics import log_loss, mutual_info_score

from groundml.information import (
    cross_entropy,
    entropy,
    kl_divergence,
    mutual_information,
    mutual_information_from_labels,
)

SEEDS = range(5)
SIZES = [1, 2, 7, 100]
BASES = [None, 2, 10]


def random_distribution(rng, n, n_zeros=0):
    """A random probability vector with ``n_zeros`` exact zeros (at random places)."""
    p = rng.dirichlet(np.full(n, 0.7))
    if n_zeros:
        p[rng.choice(n, size=n_zeros, replace=False)] = 0.0
        p /= p.sum()
    return p


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("base", BASES)
def test_entropy_matches_scipy(seed, n, base):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, n, n_zeros=n // 3)
    assert_allclose(entropy(p, base=base), stats.entropy(p, base=base), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("base", BASES)
def test_kl_matches_scipy_with_qk(seed, n, base):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, n, n_zeros=n // 3)
    q = random_distribution(rng, n)
    assert_allclose(kl_divergence(p, q, base=base), stats.entropy(p, q, base=base), rtol=1e-10, atol=1e-14)
    # and against scipy.special.rel_entr, summed
    ref = rel_entr(p, q).sum() / (1.0 if base is None else np.log(base))
    assert_allclose(kl_divergence(p, q, base=base), ref, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [2, 7, 100])
def test_cross_entropy_is_entropy_plus_kl(seed, n):
    rng = np.random.default_rng(seed)
    p, q = random_distribution(rng, n, n_zeros=1), random_distribution(rng, n)
    ref = stats.entropy(p) + stats.entropy(p, q)
    assert_allclose(cross_entropy(p, q), ref, rtol=1e-10)
    assert_allclose(cross_entropy(p, q, base=2), ref / np.log(2), rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_samples", "n_classes"), [(10, 2), (50, 3), (200, 10)])
def test_cross_entropy_with_one_hot_labels_is_sklearn_log_loss(seed, n_samples, n_classes):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(n_classes), size=n_samples)     # (n_samples, n_classes)
    labels = rng.integers(0, n_classes, size=n_samples)
    labels[:n_classes] = np.arange(n_classes)                       # every class present
    one_hot = np.eye(n_classes)[labels]
    ours = cross_entropy(one_hot, probs)                            # one value per sample
    assert ours.shape == (n_samples,)
    assert_allclose(ours, -np.log(probs[np.arange(n_samples), labels]), rtol=1e-12)
    assert_allclose(ours.mean(), log_loss(labels, probs, labels=np.arange(n_classes)), rtol=1e-10)


def test_batched_inputs_match_row_by_row():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(6), size=4)
    Q = rng.dirichlet(np.ones(6), size=4)
    assert_allclose(entropy(P), [stats.entropy(p) for p in P], rtol=1e-12)
    assert_allclose(kl_divergence(P, Q), [stats.entropy(p, q) for p, q in zip(P, Q, strict=True)], rtol=1e-10)


def test_analytic_values():
    assert entropy([1.0]) == 0.0
    assert_allclose(entropy([0.5, 0.5], base=2), 1.0, rtol=1e-15)
    assert_allclose(entropy(np.full(8, 1 / 8), base=2), 3.0, rtol=1e-15)
    assert_allclose(entropy(np.full(10, 0.1)), np.log(10), rtol=1e-14)
    # binary entropy h(0.1) in bits
    assert_allclose(entropy([0.1, 0.9], base=2),
                    -(0.1 * np.log2(0.1) + 0.9 * np.log2(0.9)), rtol=1e-14)
    # KL between Bernoulli(0.5) and Bernoulli(0.25), two ways round
    assert_allclose(kl_divergence([0.5, 0.5], [0.25, 0.75]),
                    0.5 * np.log(2) + 0.5 * np.log(2 / 3), rtol=1e-14)
    assert_allclose(kl_divergence([0.25, 0.75], [0.5, 0.5]),
                    0.25 * np.log(0.5) + 0.75 * np.log(1.5), rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_kl_properties(seed):
    rng = np.random.default_rng(seed)
    p, q = random_distribution(rng, 5), random_distribution(rng, 5)
    assert kl_divergence(p, q) > 0
    assert kl_divergence(p, p) == 0.0
    assert not np.isclose(kl_divergence(p, q), kl_divergence(q, p))   # asymmetric
    # uniform maximises entropy: H(p) = log n - KL(p || uniform)
    assert_allclose(entropy(p), np.log(5) - kl_divergence(p, np.full(5, 0.2)), rtol=1e-12)


def test_zeros_follow_scipy():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    assert kl_divergence(p, q) == np.inf == stats.entropy(p, q)
    assert cross_entropy(p, q) == np.inf
    # p = 0 where q > 0 is fine: 0 log(0 / q) = 0
    assert_allclose(kl_divergence([0.5, 0.5, 0.0], [0.25, 0.5, 0.25]),
                    stats.entropy([0.5, 0.5, 0.0], [0.25, 0.5, 0.25]), rtol=1e-14)
    assert entropy([0.0, 1.0, 0.0]) == 0.0


# ---- mutual information -------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_samples", "n_x", "n_y"), [(30, 2, 2), (200, 3, 5), (1000, 10, 4)])
def test_mutual_information_from_labels_matches_sklearn(seed, n_samples, n_x, n_y):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_x, size=n_samples)
    y = (x + rng.integers(0, 2, size=n_samples)) % n_y          # dependent on x
    assert_allclose(mutual_information_from_labels(x, y), mutual_info_score(x, y), rtol=1e-10, atol=1e-14)
    labels = np.array(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])[x]   # any label type
    assert_allclose(mutual_information_from_labels(labels, y), mutual_info_score(labels, y),
                    rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_x", "n_y"), [(2, 2), (3, 4), (6, 5)])
def test_mutual_information_identities(seed, n_x, n_y):
    rng = np.random.default_rng(seed)
    joint = rng.dirichlet(np.ones(n_x * n_y)).reshape(n_x, n_y)
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    mi = mutual_information(joint)
    # I = H(X) + H(Y) - H(X, Y) = KL(joint || product), each side from SciPy
    assert_allclose(mi, stats.entropy(px) + stats.entropy(py) - stats.entropy(joint.ravel()), rtol=1e-9)
    assert_allclose(mi, stats.entropy(joint.ravel(), np.outer(px, py).ravel()), rtol=1e-9)
    assert_allclose(mutual_information(joint, base=2), mi / np.log(2), rtol=1e-12)
    # independence gives zero
    assert_allclose(mutual_information(np.outer(px, py)), 0.0, atol=1e-14)


def test_mutual_information_analytic():
    # Y = X with X uniform on 4 symbols: I = H(X) = 2 bits
    assert_allclose(mutual_information(np.eye(4) / 4, base=2), 2.0, rtol=1e-14)
    # binary symmetric channel, uniform input, flip probability 0.1: I = 1 - h(0.1) bits
    eps = 0.1
    joint = 0.5 * np.array([[1 - eps, eps], [eps, 1 - eps]])
    h = -(eps * np.log2(eps) + (1 - eps) * np.log2(1 - eps))
    assert_allclose(mutual_information(joint, base=2), 1 - h, rtol=1e-13)


# ---- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: entropy([0.5, 0.6]), "sum to 1"),
        (lambda: entropy([1.5, -0.5]), "negative"),
        (lambda: entropy([np.nan, 1.0]), "NaN"),
        (lambda: entropy([]), "at least one entry"),
        (lambda: entropy(["a", "b"]), "numeric"),
        (lambda: entropy([0.5, 0.5], base=1), "base"),
        (lambda: entropy([0.5, 0.5], base=-2), "base"),
        (lambda: kl_divergence([0.5, 0.5], [0.2, 0.2]), "q must sum to 1"),
        (lambda: kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5]), "same shape"),
        (lambda: cross_entropy([0.5, 0.5], [1.2, -0.2]), "negative"),
        (lambda: mutual_information([0.5, 0.5]), "2D"),
        (lambda: mutual_information([[0.5, 0.5], [0.5, 0.5]]), "sum to 1"),
        (lambda: mutual_information_from_labels([1, 2, 3], [1, 2]), "same length"),
        (lambda: mutual_information_from_labels([], []), "non-empty"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
