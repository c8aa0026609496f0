"""Sampling algorithms from scratch: turning uniform random numbers into other distributions.

The book page "Sampling algorithms" (``book/mathematics/sampling.md``) proves that each
algorithm here samples from the distribution it claims. Every function takes its
randomness from an ``rng`` argument (None, an int seed or a ``numpy.random.Generator``)
and never touches NumPy's global seed.
"""

import numpy as np


def _open_uniform(n, rng):
    """``n`` uniforms in the open interval (0, 1): ``(k + 1/2) / 2^53`` for a random integer k."""
    return (rng.integers(0, 2**53, size=n) + 0.5) / 2.0**53


def _check_n(n, name="n"):
    if int(n) != n or n < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {n!r}.")
    return int(n)


def inverse_cdf_sample(inv_cdf, n, rng=None):
    r"""Inverse transform sampling: :math:`X = F^{-1}(U)` with :math:`U \sim \mathrm{U}(0, 1)`.

    If ``inv_cdf`` is the generalised inverse
    :math:`F^{-1}(u) = \inf\{x : F(x) \ge u\}` of a CDF :math:`F`, then
    :math:`P(F^{-1}(U) \le x) = P(U \le F(x)) = F(x)`, so :math:`X` has CDF :math:`F`.
    The uniforms lie strictly inside (0, 1), so quantile functions that are infinite at
    0 or 1 (normal, exponential) stay finite. Derived in the book page
    "Sampling algorithms".

    Parameters
    ----------
    inv_cdf : callable
        Vectorised quantile function: maps an ndarray of shape (n,) in (0, 1) to (n,).
    n : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    samples : ndarray of shape (n,)
    """
    n = _check_n(n)
    rng = np.random.default_rng(rng)
    return np.asarray(inv_cdf(_open_uniform(n, rng)))


def box_muller(n, rng=None):
    r"""Standard normal samples by the Box–Muller transform.

    For independent :math:`U_1, U_2 \sim \mathrm{U}(0, 1)`, the pair

    .. math::

        Z_1 = \sqrt{-2 \ln U_1} \cos(2\pi U_2), \qquad Z_2 = \sqrt{-2 \ln U_1} \sin(2\pi U_2)

    is two independent :math:`\mathcal{N}(0, 1)` variables: the radius squared
    :math:`R^2 = -2\ln U_1` is exponential with mean 2, the squared radius of a standard
    bivariate normal, and the angle is uniform. Derived in the book page
    "Sampling algorithms".

    Parameters
    ----------
    n : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    z : ndarray of shape (n,)
    """
    n = _check_n(n)
    rng = np.random.default_rng(rng)
    n_pairs = (n + 1) // 2
    u1 = _open_uniform(n_pairs, rng)                    # in (0, 1): the log is finite
    u2 = rng.random(n_pairs)
    radius = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:n]


def rejection_sample(target_pdf, proposal_sample, proposal_pdf, M, n, rng=None,
                     return_n_proposals=False):
    r"""Rejection sampling from a density :math:`f` with an envelope :math:`M g \ge f`.

    Repeat: draw :math:`Y \sim g` and :math:`U \sim \mathrm{U}(0, 1)`; accept :math:`Y`
    if :math:`U M g(Y) \le f(Y)`. Accepted values have density :math:`f`, and each
    proposal is accepted with probability :math:`1/M` when :math:`f` and :math:`g` are
    normalised (so about :math:`M n` proposals are needed). Proposals are drawn in
    batches. Derived in the book page "Sampling algorithms".

    Parameters
    ----------
    target_pdf : callable
        :math:`f`, vectorised over proposals.
    proposal_sample : callable
        ``proposal_sample(size, rng)`` returns ``size`` draws from :math:`g`, an ndarray
        of shape (size,) or (size, n_features).
    proposal_pdf : callable
        :math:`g`, vectorised over proposals.
    M : float
        Envelope constant with :math:`f(x) \le M g(x)` for all :math:`x`.
    n : int
        Number of accepted samples wanted.
    rng : None, int or numpy.random.Generator
    return_n_proposals : bool, default=False
        Also return the number of proposals drawn until the ``n``-th acceptance.

    Returns
    -------
    samples : ndarray of shape (n,) or (n, n_features)
    n_proposals : int
        Only if ``return_n_proposals``.

    Raises
    ------
    ValueError
        If ``M`` is not positive, or a proposal violates :math:`f(y) \le M g(y)`.
    """
    n = _check_n(n)
    if not M > 0:
        raise ValueError(f"M must be positive, got {M!r}.")
    rng = np.random.default_rng(rng)
    accepted, n_accepted, n_proposals = [], 0, 0
    batch = max(16, int(1.2 * M * n) + 16)             # about one batch is enough on average
    while n_accepted < n:
        y = np.asarray(proposal_sample(batch, rng))
        f, g = np.asarray(target_pdf(y), dtype=float), np.asarray(proposal_pdf(y), dtype=float)
        if np.any(f > M * g * (1 + 1e-12)):
            raise ValueError("The envelope is violated: target_pdf(y) > M * proposal_pdf(y) "
                             "for some proposal y. Increase M.")
        accept = rng.random(batch) * M * g <= f
        positions = np.flatnonzero(accept)
        needed = n - n_accepted
        if len(positions) >= needed:                    # stop at the n-th acceptance
            n_proposals += positions[needed - 1] + 1
            accepted.append(y[positions[:needed]])
            n_accepted = n
        else:
            n_proposals += batch
            accepted.append(y[positions])
            n_accepted += len(positions)
    samples = np.concatenate(accepted) if accepted else np.empty(0)
    return (samples, int(n_proposals)) if return_n_proposals else samples


def reservoir_sample(iterable, k, rng=None):
    r"""Uniform sample of ``k`` items from a stream of unknown length (Algorithm R).

    Keep the first ``k`` items; the item with 0-based index :math:`i \ge k` replaces a
    uniformly chosen slot with probability :math:`k / (i + 1)`. After :math:`n` items,
    every item is in the reservoir with probability :math:`k / n`, and every subset of
    size ``k`` is equally likely. One pass, :math:`O(k)` memory. Derived in the book page
    "Sampling algorithms".

    Parameters
    ----------
    iterable : iterable
        The stream; read once.
    k : int
        Reservoir size.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    reservoir : list
        ``k`` items (all of them, in order, if the stream has fewer than ``k``).
    """
    k = _check_n(k, "k")
    rng = np.random.default_rng(rng)
    reservoir = []
    for i, item in enumerate(iterable):
        if i < k:
            reservoir.append(item)
        else:
            j = rng.integers(0, i + 1)                  # uniform on {0, ..., i}
            if j < k:                                   # probability k / (i + 1)
                reservoir[j] = item
    return reservoir


def _check_probs(probs):
    p = np.asarray(probs, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"probs must be a non-empty 1D array, got shape {p.shape}.")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contains NaN or infinity.")
    if np.any(p < 0):
        raise ValueError("probs contains negative entries.")
    if not np.isclose(p.sum(), 1.0, rtol=0, atol=1e-8):
        raise ValueError(f"probs must sum to 1, got {p.sum()!r}.")
    return p / p.sum()


def sample_categorical(probs, n, rng=None):
    r"""Categorical samples by inverse transform: binary search of a uniform in the CDF.

    With cumulative sums :math:`c_j = p_0 + \dots + p_j`, the category of
    :math:`U \sim \mathrm{U}[0, 1)` is the number of :math:`c_j \le U`, which is ``j``
    exactly when :math:`c_{j-1} \le U < c_j`, an event of probability :math:`p_j`.
    :math:`O(K)` setup and :math:`O(\log K)` per sample. Derived in the book page
    "Sampling algorithms".

    Parameters
    ----------
    probs : array-like of shape (n_categories,)
        Non-negative, summing to 1.
    n : int
    rng : None, int or numpy.random.Generator

    Returns
    -------
    samples : ndarray of int, shape (n,)
    """
    p = _check_probs(probs)
    n = _check_n(n)
    rng = np.random.default_rng(rng)
    cdf = np.cumsum(p)
    cdf[-1] = 1.0                                       # guard against rounding below 1
    return np.searchsorted(cdf, rng.random(n), side="right")


class AliasSampler:
    r"""Walker's alias method, built by Vose's algorithm: :math:`O(1)` per categorical sample.

    Setup (:math:`O(K)`): scale the probabilities to :math:`K p_j` and split the
    categories into "small" (:math:`< 1`) and "large" (:math:`\ge 1`). Repeatedly pair a
    small category ``s`` with a large one ``l``: column ``s`` keeps probability
    ``prob_[s]`` :math:`= K p_s` (scaled) and gives the rest of its unit column to
    ``alias_[s] = l``, whose scaled mass drops by :math:`1 - K p_s`. Sampling: pick a
    column :math:`j` uniformly, return :math:`j` with probability ``prob_[j]`` and
    ``alias_[j]`` otherwise. Derived in the book page "Sampling algorithms".

    Parameters
    ----------
    probs : array-like of shape (n_categories,)
        Non-negative, summing to 1 (within 1e-8).

    Attributes
    ----------
    prob_ : ndarray of shape (n_categories,)
        Probability of keeping column :math:`j` rather than taking its alias.
    alias_ : ndarray of int, shape (n_categories,)
    """

    def __init__(self, probs):
        p = _check_probs(probs)
        K = len(p)
        scaled = K * p                                  # column heights, average 1
        self.prob_ = np.ones(K)
        self.alias_ = np.arange(K)
        small = [j for j in range(K) if scaled[j] < 1.0]
        large = [j for j in range(K) if scaled[j] >= 1.0]
        while small and large:
            s, big = small.pop(), large.pop()
            self.prob_[s] = scaled[s]
            self.alias_[s] = big
            scaled[big] -= 1.0 - scaled[s]              # big fills the rest of column s
            (small if scaled[big] < 1.0 else large).append(big)
        # Whatever is left has scaled mass 1 up to rounding: a full column of its own.
        for j in small + large:
            self.prob_[j] = 1.0

    def probabilities(self):
        """The distribution the tables encode: ``prob_[j] / K`` plus the alias mass sent to ``j``."""
        K = len(self.prob_)
        q = self.prob_ / K
        np.add.at(q, self.alias_, (1.0 - self.prob_) / K)
        return q

    def sample(self, n, rng=None):
        """Draw ``n`` categories, each with two uniforms and no search.

        Returns
        -------
        samples : ndarray of int, shape (n,)
        """
        n = _check_n(n)
        rng = np.random.default_rng(rng)
        column = rng.integers(0, len(self.prob_), size=n)
        keep = rng.random(n) < self.prob_[column]
        return np.where(keep, column, self.alias_[column])


def fair_coin_from_biased(biased_flip, rng=None, return_n_flips=False):
    r"""One fair bit from a coin of unknown bias :math:`p \in (0, 1)` (von Neumann's trick).

    Flip twice; return the first flip if the two differ, else start again. Both
    :math:`(1, 0)` and :math:`(0, 1)` have probability :math:`p(1-p)`, so the output is
    fair, and the number of flips is :math:`2 \times` a geometric variable with mean
    :math:`1 / (2p(1-p))`, i.e. :math:`1/(p(1-p))` flips on average. Derived in the book
    page "Sampling algorithms".

    Parameters
    ----------
    biased_flip : callable
        ``biased_flip(rng)`` returns 0 or 1, independently at each call.
    rng : None, int or numpy.random.Generator
        Passed on to ``biased_flip``.
    return_n_flips : bool, default=False
        Also return the number of biased flips used.

    Returns
    -------
    bit : int
    n_flips : int
        Only if ``return_n_flips``.
    """
    rng = np.random.default_rng(rng)
    n_flips = 0
    while True:
        a, b = int(biased_flip(rng)), int(biased_flip(rng))
        n_flips += 2
        if a != b:
            return (a, n_flips) if return_n_flips else a


def fisher_yates_shuffle(x, rng=None):
    r"""Uniformly random permutation of ``x`` (Fisher–Yates, Durstenfeld's in-place form).

    For :math:`i = n-1, \dots, 1`, swap position :math:`i` with a uniform position
    :math:`j \in \{0, \dots, i\}`. The choices :math:`(j_{n-1}, \dots, j_1)` range over
    :math:`n \cdot (n-1) \cdots 2 = n!` equally likely values and map one-to-one onto
    permutations, so each permutation has probability :math:`1/n!`. :math:`O(n)` time.
    Derived in the book page "Sampling algorithms".

    Parameters
    ----------
    x : sequence or ndarray of length n
        Not modified.

    Returns
    -------
    shuffled : list, or ndarray (shuffled along axis 0) if ``x`` is an ndarray
    """
    rng = np.random.default_rng(rng)
    out = np.array(x, copy=True) if isinstance(x, np.ndarray) else list(x)
    for i in range(len(out) - 1, 0, -1):
        j = int(rng.integers(0, i + 1))                 # uniform on {0, ..., i}, j = i allowed
        if isinstance(out, np.ndarray):
            out[[i, j]] = out[[j, i]]
        else:
            out[i], out[j] = out[j], out[i]
    return out


def metropolis_hastings(log_density, x0, n_steps, step_size, rng=None):
    r"""Random-walk Metropolis: a Markov chain whose stationary density is :math:`\pi`.

    From :math:`x`, propose :math:`x' = x + \sigma \varepsilon` with
    :math:`\varepsilon \sim \mathcal{N}(0, I)` (symmetric), and accept with probability
    :math:`\min\bigl(1, \pi(x') / \pi(x)\bigr)`, else stay at :math:`x`. Only the ratio
    is needed, so :math:`\pi` may be unnormalised. The acceptance rule gives detailed
    balance :math:`\pi(x) T(x \to x') = \pi(x') T(x' \to x)`. Derived in the book page
    "Sampling algorithms".

    Parameters
    ----------
    log_density : callable
        :math:`\log \pi` up to an additive constant; takes a point shaped like ``x0``.
    x0 : float or array-like of shape (n_features,)
        Starting point; ``log_density(x0)`` must be finite.
    n_steps : int
    step_size : float
        Standard deviation :math:`\sigma` of the proposal.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    chain : ndarray of shape (n_steps,) for a scalar ``x0``, else (n_steps, n_features)
        The states after each step (repeated states count: they are part of the chain).
    acceptance_rate : float
    """
    n_steps = _check_n(n_steps, "n_steps")
    if not step_size > 0:
        raise ValueError(f"step_size must be positive, got {step_size!r}.")
    rng = np.random.default_rng(rng)
    x = np.array(x0, dtype=float)
    log_p = float(log_density(x))
    if not np.isfinite(log_p):
        raise ValueError("log_density(x0) must be finite: start the chain where the density is positive.")
    chain = np.empty((n_steps,) + x.shape)
    noise = step_size * rng.standard_normal((n_steps,) + x.shape)
    log_u = np.log(_open_uniform(n_steps, rng))
    n_accepted = 0
    for t in range(n_steps):
        proposal = x + noise[t]
        log_p_new = float(log_density(proposal))
        if log_u[t] < log_p_new - log_p:                # accept with prob min(1, ratio)
            x, log_p = proposal, log_p_new
            n_accepted += 1
        chain[t] = x
    return chain, n_accepted / max(n_steps, 1)
