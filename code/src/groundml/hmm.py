"""Hidden Markov models with categorical emissions: forward-backward, Viterbi, Baum-Welch.

A model with ``K`` hidden states and ``M`` symbols is given by a start distribution
``startprob`` of shape (K,), a transition matrix ``transmat`` of shape (K, K) whose row
``i`` is the distribution of the next state given state ``i``, and an emission matrix
``emissionprob`` of shape (K, M) whose row ``i`` is the distribution of the symbol emitted
in state ``i``. An observation sequence is a 1-D array of integers in ``[0, M)``.

Derived in the book page "Hidden Markov models".
"""

import numpy as np

from ._validation import check_is_fitted

__all__ = [
    "CategoricalHMM",
    "backward",
    "baum_welch",
    "check_hmm_parameters",
    "forward",
    "posterior",
    "viterbi",
]

_ATOL = 1e-8  # tolerance for "rows sum to one"


def _check_stochastic(p, name, shape_hint):
    p = np.asarray(p, dtype=float)
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if np.any(p < 0):
        raise ValueError(f"{name} has negative entries; probabilities must be non-negative.")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=_ATOL):
        raise ValueError(f"{name} must be stochastic ({shape_hint} summing to 1); got sums {sums}.")
    return p


def check_hmm_parameters(startprob, transmat, emissionprob):
    """Validate HMM parameters and return them as float arrays.

    Parameters
    ----------
    startprob : array-like of shape (n_states,)
    transmat : array-like of shape (n_states, n_states)
    emissionprob : array-like of shape (n_states, n_symbols)

    Raises
    ------
    ValueError
        If a shape is wrong, an entry is negative or not finite, or a distribution does not
        sum to one.
    """
    startprob = np.asarray(startprob, dtype=float)
    transmat = np.asarray(transmat, dtype=float)
    emissionprob = np.asarray(emissionprob, dtype=float)
    if startprob.ndim != 1 or startprob.shape[0] == 0:
        raise ValueError(f"startprob must be a non-empty 1D array, got shape {startprob.shape}.")
    k = startprob.shape[0]
    if transmat.shape != (k, k):
        raise ValueError(f"transmat must have shape ({k}, {k}), got {transmat.shape}.")
    if emissionprob.ndim != 2 or emissionprob.shape[0] != k or emissionprob.shape[1] == 0:
        raise ValueError(f"emissionprob must have shape ({k}, n_symbols), got {emissionprob.shape}.")
    startprob = _check_stochastic(startprob, "startprob", "entries")
    transmat = _check_stochastic(transmat, "transmat", "rows")
    emissionprob = _check_stochastic(emissionprob, "emissionprob", "rows")
    return startprob, transmat, emissionprob


def _check_obs(obs, n_symbols):
    """Return ``obs`` as a 1-D int array with values in ``[0, n_symbols)``."""
    arr = np.asarray(obs)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"An observation sequence must be 1D, got a {arr.ndim}D array.")
    if arr.shape[0] == 0:
        raise ValueError("An observation sequence must contain at least 1 symbol.")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError("Observations must be integer symbols; got non-integer values.")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"Observations must be integer symbols, got dtype {arr.dtype}.")
    arr = arr.astype(np.int64)
    if arr.min() < 0 or arr.max() >= n_symbols:
        raise ValueError(
            f"Observations must lie in [0, {n_symbols}); got values from {arr.min()} to {arr.max()}."
        )
    return arr


def forward(obs, startprob, transmat, emissionprob):
    r"""Scaled forward algorithm.

    Parameters
    ----------
    obs : array-like of shape (n_steps,)
        Integer symbols in ``[0, n_symbols)``.
    startprob : array-like of shape (n_states,)
    transmat : array-like of shape (n_states, n_states)
    emissionprob : array-like of shape (n_states, n_symbols)

    Returns
    -------
    log_likelihood : float
        :math:`\log p(o_1, \dots, o_T)`; ``-inf`` if the sequence is impossible.
    alpha : ndarray of shape (n_steps, n_states)
        Scaled forward variables :math:`\hat\alpha_t(i) = p(z_t = i \mid o_{1:t})`.
    scale : ndarray of shape (n_steps,)
        :math:`c_t = p(o_t \mid o_{1:t-1})`.

    Notes
    -----
    The unscaled recursion is :math:`\alpha_1 = \pi \odot B_{:, o_1}`,
    :math:`\alpha_{t} = (\alpha_{t-1}^\top A) \odot B_{:, o_t}`. Each step is normalised by
    :math:`c_t`, so :math:`\log p(o_{1:T}) = \sum_t \log c_t`. Cost :math:`O(T K^2)`.
    Derived in the book page "Hidden Markov models".
    """
    startprob, transmat, emissionprob = check_hmm_parameters(startprob, transmat, emissionprob)
    obs = _check_obs(obs, emissionprob.shape[1])
    return _forward(obs, startprob, transmat, emissionprob)


def _forward(obs, startprob, transmat, emissionprob):
    n_steps, n_states = obs.shape[0], startprob.shape[0]
    alpha = np.zeros((n_steps, n_states))
    scale = np.zeros(n_steps)
    emit = emissionprob.T[obs]                                  # (n_steps, n_states): B[:, o_t]
    a = startprob * emit[0]                                     # (n_states,)
    for t in range(n_steps):
        if t > 0:
            a = (alpha[t - 1] @ transmat) * emit[t]
        scale[t] = a.sum()
        if scale[t] == 0.0:                                     # impossible sequence
            alpha[t:] = np.nan
            return -np.inf, alpha, scale
        alpha[t] = a / scale[t]
    return float(np.log(scale).sum()), alpha, scale


def backward(obs, startprob, transmat, emissionprob, scale=None):
    r"""Scaled backward algorithm, using the forward pass's scale factors.

    Parameters
    ----------
    obs : array-like of shape (n_steps,)
    startprob : array-like of shape (n_states,)
    transmat : array-like of shape (n_states, n_states)
    emissionprob : array-like of shape (n_states, n_symbols)
    scale : ndarray of shape (n_steps,), optional
        The ``scale`` returned by :func:`forward`; computed if not given.

    Returns
    -------
    beta : ndarray of shape (n_steps, n_states)
        :math:`\hat\beta_t(i) = p(o_{t+1:T} \mid z_t = i) / \prod_{s > t} c_s`.

    Notes
    -----
    :math:`\beta_T = 1`, :math:`\beta_t = A (B_{:, o_{t+1}} \odot \beta_{t+1})`; with the same
    scale factors as the forward pass, :math:`\hat\alpha_t \odot \hat\beta_t` is the
    posterior :math:`p(z_t \mid o_{1:T})`.
    """
    startprob, transmat, emissionprob = check_hmm_parameters(startprob, transmat, emissionprob)
    obs = _check_obs(obs, emissionprob.shape[1])
    if scale is None:
        log_likelihood, _, scale = _forward(obs, startprob, transmat, emissionprob)
        if not np.isfinite(log_likelihood):
            raise ValueError("The observation sequence has probability 0 under the model.")
    return _backward(obs, transmat, emissionprob, np.asarray(scale, dtype=float))


def _backward(obs, transmat, emissionprob, scale):
    n_steps, n_states = obs.shape[0], transmat.shape[0]
    beta = np.ones((n_steps, n_states))
    emit = emissionprob.T[obs]                                  # (n_steps, n_states)
    for t in range(n_steps - 2, -1, -1):
        beta[t] = transmat @ (emit[t + 1] * beta[t + 1]) / scale[t + 1]
    return beta


def posterior(obs, startprob, transmat, emissionprob):
    r"""Posterior state marginals :math:`\gamma_t(i) = p(z_t = i \mid o_{1:T})`.

    Returns
    -------
    gamma : ndarray of shape (n_steps, n_states)
        Each row sums to one.
    """
    startprob, transmat, emissionprob = check_hmm_parameters(startprob, transmat, emissionprob)
    obs = _check_obs(obs, emissionprob.shape[1])
    log_likelihood, alpha, scale = _forward(obs, startprob, transmat, emissionprob)
    if not np.isfinite(log_likelihood):
        raise ValueError("The observation sequence has probability 0 under the model.")
    return alpha * _backward(obs, transmat, emissionprob, scale)


def viterbi(obs, startprob, transmat, emissionprob):
    r"""Most probable state path, by dynamic programming in log space.

    Returns
    -------
    path : ndarray of shape (n_steps,)
        :math:`\arg\max_{z_{1:T}} p(z_{1:T}, o_{1:T})` (ties go to the lower state index).
    log_prob : float
        :math:`\log p(z^*_{1:T}, o_{1:T})`, the joint log-probability of that path.

    Notes
    -----
    :math:`\delta_1 = \log\pi + \log B_{:, o_1}`,
    :math:`\delta_t(j) = \max_i [\delta_{t-1}(i) + \log A_{ij}] + \log B_{j, o_t}`, with
    back-pointers to recover the path. Cost :math:`O(T K^2)`.
    """
    startprob, transmat, emissionprob = check_hmm_parameters(startprob, transmat, emissionprob)
    obs = _check_obs(obs, emissionprob.shape[1])
    with np.errstate(divide="ignore"):
        log_pi, log_a, log_b = np.log(startprob), np.log(transmat), np.log(emissionprob)
    n_steps, n_states = obs.shape[0], startprob.shape[0]
    delta = log_pi + log_b[:, obs[0]]                           # (n_states,)
    back = np.zeros((n_steps, n_states), dtype=np.int64)
    for t in range(1, n_steps):
        cand = delta[:, None] + log_a                           # (from i, to j)
        back[t] = np.argmax(cand, axis=0)
        delta = cand[back[t], np.arange(n_states)] + log_b[:, obs[t]]
    path = np.zeros(n_steps, dtype=np.int64)
    path[-1] = int(np.argmax(delta))
    for t in range(n_steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(delta[path[-1]])


def _as_sequence_list(sequences, n_symbols):
    if isinstance(sequences, (list, tuple)) and len(sequences) > 0 and np.ndim(sequences[0]) >= 1:
        return [_check_obs(s, n_symbols) for s in sequences]
    return [_check_obs(sequences, n_symbols)]


def _e_step(seqs, startprob, transmat, emissionprob):
    """Expected counts and total log-likelihood for a list of sequences."""
    n_states, n_symbols = emissionprob.shape
    start_counts = np.zeros(n_states)
    trans_counts = np.zeros((n_states, n_states))
    emit_counts = np.zeros((n_states, n_symbols))
    total = 0.0
    for obs in seqs:
        log_likelihood, alpha, scale = _forward(obs, startprob, transmat, emissionprob)
        if not np.isfinite(log_likelihood):
            raise ValueError("An observation sequence has probability 0 under the current model.")
        total += log_likelihood
        beta = _backward(obs, transmat, emissionprob, scale)
        gamma = alpha * beta                                      # (n_steps, n_states)
        start_counts += gamma[0]
        if obs.shape[0] > 1:
            # xi_t(i, j) = alpha_t(i) A_ij B_j(o_{t+1}) beta_{t+1}(j) / c_{t+1}, summed over t
            weighted = emissionprob[:, obs[1:]].T * beta[1:] / scale[1:, None]   # (n_steps-1, n_states)
            trans_counts += transmat * (alpha[:-1].T @ weighted)
        np.add.at(emit_counts.T, obs, gamma)
    return total, start_counts, trans_counts, emit_counts


def _normalise_rows(counts, old):
    sums = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        new = counts / sums
    return np.where(sums > 0, new, old)        # a state never visited keeps its old row


def baum_welch(sequences, startprob, transmat, emissionprob, *, n_iter=100, tol=1e-6):
    r"""Baum-Welch (EM) re-estimation of HMM parameters from unlabelled sequences.

    Parameters
    ----------
    sequences : array-like of shape (n_steps,) or list of such arrays
    startprob, transmat, emissionprob : array-like
        Initial parameters (see :func:`forward`); zeros stay zero.
    n_iter : int, default=100
        Maximum number of EM iterations.
    tol : float, default=1e-6
        Stop when the log-likelihood improves by less than ``tol``.

    Returns
    -------
    startprob, transmat, emissionprob : ndarray
        Re-estimated parameters.
    log_likelihoods : ndarray of shape (n_performed,)
        Log-likelihood of the data under the parameters at the start of each iteration;
        non-decreasing (EM's monotonicity).

    Notes
    -----
    E step: :math:`\gamma_t(i) = p(z_t = i \mid o)` and
    :math:`\xi_t(i, j) = p(z_t = i, z_{t+1} = j \mid o)` by forward-backward. M step:
    :math:`\pi_i \propto \sum_{\text{seq}} \gamma_1(i)`, :math:`A_{ij} \propto \sum_t \xi_t(i, j)`,
    :math:`B_{ik} \propto \sum_{t: o_t = k} \gamma_t(i)`.
    """
    startprob, transmat, emissionprob = check_hmm_parameters(startprob, transmat, emissionprob)
    if int(n_iter) < 1:
        raise ValueError(f"n_iter must be at least 1, got {n_iter}.")
    if not tol >= 0:
        raise ValueError(f"tol must be non-negative, got {tol}.")
    seqs = _as_sequence_list(sequences, emissionprob.shape[1])
    history = []
    for _ in range(int(n_iter)):
        total, s_c, t_c, e_c = _e_step(seqs, startprob, transmat, emissionprob)
        history.append(total)
        startprob = s_c / s_c.sum()
        transmat = _normalise_rows(t_c, transmat)
        emissionprob = _normalise_rows(e_c, emissionprob)
        if len(history) > 1 and history[-1] - history[-2] < tol:
            break
    return startprob, transmat, emissionprob, np.array(history)


class CategoricalHMM:
    """Hidden Markov model with categorical emissions, fitted by Baum-Welch.

    Parameters
    ----------
    n_components : int, default=1
        Number of hidden states.
    n_iter : int, default=10
        Maximum number of EM iterations.
    tol : float, default=1e-2
        Convergence threshold on the log-likelihood gain.
    random_state : int, Generator or None, default=None
        Seed for the random initialisation (and the default for :meth:`sample`).
    init_params : str, default="ste"
        Which parameters ``fit`` initialises at random: any of "s" (startprob_), "t"
        (transmat_) and "e" (emissionprob_). The others must be set before ``fit``.
    n_features : int or None, default=None
        Number of symbols; inferred as ``max(X) + 1`` if None.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emissionprob_ : ndarray of shape (n_components, n_features)
    log_likelihoods_ : ndarray
        Log-likelihood at the start of each EM iteration (non-decreasing).

    Notes
    -----
    Observations ``X`` are integer symbols of shape (n_samples, 1) (or (n_samples,)), with
    ``lengths`` splitting them into independent sequences, as in hmmlearn.
    Derived in the book page "Hidden Markov models".
    """

    def __init__(self, *, n_components=1, n_iter=10, tol=1e-2, random_state=None, init_params="ste",
                 n_features=None):
        self.n_components = n_components
        self.n_iter = n_iter
        self.tol = tol
        self.random_state = random_state
        self.init_params = init_params
        self.n_features = n_features

    def _split(self, X, lengths, n_symbols):
        X = _check_obs(X, n_symbols)
        if lengths is None:
            return [X]
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.ndim != 1 or np.any(lengths < 1) or lengths.sum() != X.shape[0]:
            raise ValueError(f"lengths must be positive and sum to {X.shape[0]}, got {lengths}.")
        return np.split(X, np.cumsum(lengths)[:-1])

    def _params(self):
        check_is_fitted(self, "emissionprob_")
        return check_hmm_parameters(self.startprob_, self.transmat_, self.emissionprob_)

    def fit(self, X, lengths=None):
        """Estimate the parameters by Baum-Welch from the symbols ``X``; returns ``self``."""
        if int(self.n_components) < 1:
            raise ValueError(f"n_components must be at least 1, got {self.n_components}.")
        arr = np.asarray(X)
        n_symbols = self.n_features
        if n_symbols is None and "e" not in self.init_params and hasattr(self, "emissionprob_"):
            n_symbols = np.shape(self.emissionprob_)[1]
        if n_symbols is None:
            n_symbols = int(np.max(_check_obs(arr, np.inf))) + 1
        seqs = self._split(X, lengths, n_symbols)
        rng = np.random.default_rng(self.random_state)
        k = int(self.n_components)
        if "s" in self.init_params:
            self.startprob_ = rng.dirichlet(np.ones(k))
        if "t" in self.init_params:
            self.transmat_ = rng.dirichlet(np.ones(k), size=k)
        if "e" in self.init_params:
            self.emissionprob_ = rng.dirichlet(np.ones(n_symbols), size=k)
        for name in ("startprob_", "transmat_", "emissionprob_"):
            if not hasattr(self, name):
                raise ValueError(f"{name} must be set before fit when it is not in init_params.")
        start, trans, emis, history = baum_welch(
            seqs, self.startprob_, self.transmat_, self.emissionprob_, n_iter=self.n_iter, tol=self.tol
        )
        self.startprob_, self.transmat_, self.emissionprob_ = start, trans, emis
        self.log_likelihoods_ = history
        self.n_features_in_ = 1
        return self

    def score(self, X, lengths=None):
        """Log-likelihood :math:`\\log p(X)` of the symbols under the model (summed over sequences)."""
        start, trans, emis = self._params()
        return float(sum(_forward(s, start, trans, emis)[0] for s in self._split(X, lengths, emis.shape[1])))

    def predict(self, X, lengths=None):
        """Viterbi state path, of shape (n_samples,)."""
        start, trans, emis = self._params()
        return np.concatenate([viterbi(s, start, trans, emis)[0]
                               for s in self._split(X, lengths, emis.shape[1])])

    def predict_proba(self, X, lengths=None):
        """Posterior state marginals, of shape (n_samples, n_components)."""
        start, trans, emis = self._params()
        return np.vstack([posterior(s, start, trans, emis) for s in self._split(X, lengths, emis.shape[1])])

    def sample(self, n_samples=1, random_state=None):
        """Draw ``(X, states)``: symbols of shape (n_samples, 1) and states of shape (n_samples,)."""
        start, trans, emis = self._params()
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
        rng = np.random.default_rng(self.random_state if random_state is None else random_state)
        states = np.zeros(int(n_samples), dtype=np.int64)
        symbols = np.zeros(int(n_samples), dtype=np.int64)
        state = rng.choice(len(start), p=start)
        for t in range(int(n_samples)):
            if t > 0:
                state = rng.choice(len(start), p=trans[state])
            states[t] = state
            symbols[t] = rng.choice(emis.shape[1], p=emis[state])
        return symbols[:, None], states
