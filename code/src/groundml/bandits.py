"""Multi-armed bandits and tabular reinforcement learning.

Bandit agents (epsilon-greedy, UCB1, Beta-Bernoulli Thompson sampling) share the interface
``select_arm()`` / ``update(arm, reward)``; :func:`simulate` plays one against Bernoulli arms
and records the regret. A finite MDP is given by transition probabilities ``P`` of shape
(n_states, n_actions, n_states) and expected rewards ``R`` of shape (n_states, n_actions);
:func:`value_iteration` and :func:`policy_evaluation` solve it with the model, and
:func:`q_learning` and :func:`sarsa` learn from sampled steps of a :class:`TabularEnv`.

Derived in the book page "Bandits and reinforcement learning".
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    "EpsilonGreedy",
    "GridWorld",
    "SimulationResult",
    "TabularEnv",
    "ThompsonSampling",
    "UCB1",
    "check_mdp",
    "greedy_policy",
    "policy_evaluation",
    "q_learning",
    "sarsa",
    "simulate",
    "value_iteration",
]


# ----------------------------------------------------------------------------- bandits


class _BanditAgent:
    """Shared bookkeeping: pull counts and running mean rewards per arm."""

    def __init__(self, n_arms, *, random_state=None):
        self.n_arms = n_arms
        self.random_state = random_state

    def reset(self):
        """Forget everything learned and restart the random generator; returns ``self``."""
        if int(self.n_arms) != self.n_arms or self.n_arms < 1:
            raise ValueError(f"n_arms must be a positive integer, got {self.n_arms}.")
        self.counts_ = np.zeros(int(self.n_arms), dtype=np.int64)
        self.values_ = np.zeros(int(self.n_arms))            # running mean reward per arm
        self.t_ = 0
        self._rng = np.random.default_rng(self.random_state)
        return self

    def _ensure_started(self):
        if not hasattr(self, "counts_"):
            self.reset()

    def _check_arm(self, arm):
        if int(arm) != arm or not 0 <= arm < self.n_arms:
            raise ValueError(f"arm must be an integer in [0, {self.n_arms}), got {arm}.")
        return int(arm)

    def update(self, arm, reward):
        """Record ``reward`` for pulling ``arm``: counts and running mean (incremental formula)."""
        self._ensure_started()
        arm = self._check_arm(arm)
        reward = float(reward)
        if not np.isfinite(reward):
            raise ValueError(f"reward must be finite, got {reward}.")
        self.t_ += 1
        self.counts_[arm] += 1
        self.values_[arm] += (reward - self.values_[arm]) / self.counts_[arm]
        return self


class EpsilonGreedy(_BanditAgent):
    r"""Epsilon-greedy: explore a uniformly random arm with probability ``epsilon``.

    Parameters
    ----------
    n_arms : int
    epsilon : float in [0, 1], default=0.1
    random_state : int, Generator or None, default=None

    Notes
    -----
    With probability :math:`1 - \varepsilon` pull :math:`\arg\max_a \hat\mu_a` (ties to the lowest
    index), otherwise an arm chosen uniformly at random. With fixed :math:`\varepsilon > 0` the
    expected regret grows linearly, about :math:`\varepsilon \bar\Delta T`.
    """

    def __init__(self, n_arms, *, epsilon=0.1, random_state=None):
        super().__init__(n_arms, random_state=random_state)
        self.epsilon = epsilon

    def select_arm(self):
        """Return the index of the arm to pull next."""
        self._ensure_started()
        if not 0 <= self.epsilon <= 1:
            raise ValueError(f"epsilon must be in [0, 1], got {self.epsilon}.")
        if self._rng.random() < self.epsilon:
            return int(self._rng.integers(self.n_arms))
        return int(np.argmax(self.values_))


class UCB1(_BanditAgent):
    r"""UCB1 (Auer, Cesa-Bianchi and Fischer, 2002) for rewards in [0, 1].

    Notes
    -----
    Pull every arm once; afterwards, at step :math:`t` (pulls so far), pull

    .. math:: \arg\max_a \; \hat\mu_a + \sqrt{2 \ln t / n_a},

    ties going to the lowest index. Deterministic, so ``random_state`` is unused.
    """

    def __init__(self, n_arms):
        super().__init__(n_arms, random_state=None)

    def indices(self):
        """Upper confidence indices of shape (n_arms,); ``inf`` for arms never pulled."""
        self._ensure_started()
        with np.errstate(divide="ignore", invalid="ignore"):
            bonus = np.sqrt(2.0 * np.log(max(self.t_, 1)) / self.counts_)
        return np.where(self.counts_ > 0, self.values_ + bonus, np.inf)

    def select_arm(self):
        """Return the index of the arm to pull next."""
        return int(np.argmax(self.indices()))

    def update(self, arm, reward):
        if not 0.0 <= float(reward) <= 1.0:
            raise ValueError(f"UCB1 assumes rewards in [0, 1], got {reward}.")
        return super().update(arm, reward)


class ThompsonSampling(_BanditAgent):
    r"""Thompson sampling for Bernoulli arms with independent Beta priors.

    Parameters
    ----------
    n_arms : int
    prior_alpha, prior_beta : float > 0, default=1.0
        Beta prior for every arm (1, 1 is uniform).
    random_state : int, Generator or None, default=None

    Attributes
    ----------
    alpha_, beta_ : ndarray of shape (n_arms,)
        Posterior parameters: prior plus the numbers of successes and failures.

    Notes
    -----
    Draw :math:`\theta_a \sim \mathrm{Beta}(\alpha_a, \beta_a)` for each arm and pull the arm
    with the largest draw; a reward :math:`r \in \{0, 1\}` adds :math:`r` to :math:`\alpha_a`
    and :math:`1 - r` to :math:`\beta_a` (Beta-Bernoulli conjugacy).
    """

    def __init__(self, n_arms, *, prior_alpha=1.0, prior_beta=1.0, random_state=None):
        super().__init__(n_arms, random_state=random_state)
        self.prior_alpha = prior_alpha
        self.prior_beta = prior_beta

    def reset(self):
        super().reset()
        if not (self.prior_alpha > 0 and self.prior_beta > 0):
            raise ValueError("prior_alpha and prior_beta must be positive.")
        self.alpha_ = np.full(int(self.n_arms), float(self.prior_alpha))
        self.beta_ = np.full(int(self.n_arms), float(self.prior_beta))
        return self

    def select_arm(self):
        """Return the arm whose posterior draw is largest."""
        self._ensure_started()
        return int(np.argmax(self._rng.beta(self.alpha_, self.beta_)))

    def update(self, arm, reward):
        if reward not in (0, 1):
            raise ValueError(f"Beta-Bernoulli Thompson sampling needs rewards 0 or 1, got {reward}.")
        super().update(arm, reward)
        self.alpha_[int(arm)] += reward
        self.beta_[int(arm)] += 1 - reward
        return self


class SimulationResult(NamedTuple):
    """Output of :func:`simulate`; every array has shape (horizon,)."""

    arms: np.ndarray
    rewards: np.ndarray
    regret: np.ndarray          # cumulative pseudo-regret sum_s (mu* - mu_{a_s})


def simulate(agent, arm_means, horizon, random_state=None):
    r"""Play ``agent`` for ``horizon`` steps against Bernoulli arms with means ``arm_means``.

    The agent is reset first. Returns a :class:`SimulationResult` with the pulled arms, the
    0/1 rewards and the cumulative (pseudo-)regret
    :math:`\sum_{s \le t} (\mu^* - \mu_{a_s})`.
    """
    means = np.asarray(arm_means, dtype=float)
    if means.ndim != 1 or means.shape[0] != agent.n_arms:
        raise ValueError(f"arm_means must have shape ({agent.n_arms},), got {means.shape}.")
    if np.any(~np.isfinite(means)) or np.any((means < 0) | (means > 1)):
        raise ValueError("arm_means must be probabilities in [0, 1].")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon}.")
    rng = np.random.default_rng(random_state)
    agent.reset()
    horizon = int(horizon)
    uniforms = rng.random(horizon)
    arms = np.zeros(horizon, dtype=np.int64)
    rewards = np.zeros(horizon, dtype=np.int64)
    for t in range(horizon):
        arm = agent.select_arm()
        reward = int(uniforms[t] < means[arm])
        agent.update(arm, reward)
        arms[t], rewards[t] = arm, reward
    regret = np.cumsum(means.max() - means[arms])
    return SimulationResult(arms, rewards, regret)


# ----------------------------------------------------------------------------- MDPs


def check_mdp(P, R, gamma):
    """Validate a finite MDP; returns ``P``, ``R`` as float arrays.

    Parameters
    ----------
    P : array-like of shape (n_states, n_actions, n_states)
        ``P[s, a, s']`` = probability of moving to ``s'`` after action ``a`` in ``s``.
    R : array-like of shape (n_states, n_actions)
        Expected immediate reward.
    gamma : float in [0, 1)
        Discount factor.
    """
    P = np.asarray(P, dtype=float)
    R = np.asarray(R, dtype=float)
    if P.ndim != 3 or P.shape[0] != P.shape[2] or P.shape[0] == 0 or P.shape[1] == 0:
        raise ValueError(f"P must have shape (n_states, n_actions, n_states), got {P.shape}.")
    if R.shape != P.shape[:2]:
        raise ValueError(f"R must have shape {P.shape[:2]}, got {R.shape}.")
    if not (np.all(np.isfinite(P)) and np.all(np.isfinite(R))):
        raise ValueError("P and R must be finite.")
    if np.any(P < 0) or not np.allclose(P.sum(axis=2), 1.0, rtol=0, atol=1e-8):
        raise ValueError("Each P[s, a, :] must be a probability distribution (non-negative, sum 1).")
    if not 0 <= gamma < 1:
        raise ValueError(f"gamma must be in [0, 1), got {gamma}.")
    return P, R


def _check_policy(policy, n_states, n_actions):
    policy = np.asarray(policy)
    if policy.ndim == 1:                                   # deterministic: action per state
        if policy.shape[0] != n_states or np.any(policy < 0) or np.any(policy >= n_actions):
            raise ValueError(f"A deterministic policy needs shape ({n_states},) with actions in range.")
        probs = np.zeros((n_states, n_actions))
        probs[np.arange(n_states), policy.astype(np.int64)] = 1.0
        return probs
    if policy.shape != (n_states, n_actions) or np.any(policy < 0) or \
            not np.allclose(policy.sum(axis=1), 1.0, rtol=0, atol=1e-8):
        raise ValueError(f"A stochastic policy needs shape ({n_states}, {n_actions}) with rows summing to 1.")
    return policy.astype(float)


def policy_evaluation(P, R, policy, gamma, *, tol=1e-10, max_iter=100_000):
    r"""Value of a fixed policy by iterating the Bellman expectation operator.

    Parameters
    ----------
    P, R, gamma : see :func:`check_mdp`
    policy : ndarray of shape (n_states,) (an action per state) or (n_states, n_actions)

    Returns
    -------
    V : ndarray of shape (n_states,)

    Notes
    -----
    :math:`V \leftarrow r_\pi + \gamma P_\pi V` until the change is below ``tol`` in max norm;
    the fixed point solves :math:`(I - \gamma P_\pi) V = r_\pi`.
    """
    P, R = check_mdp(P, R, gamma)
    pi = _check_policy(policy, P.shape[0], P.shape[1])
    r_pi = (pi * R).sum(axis=1)                             # (n_states,)
    P_pi = np.einsum("sa,sat->st", pi, P)                   # (n_states, n_states)
    V = np.zeros(P.shape[0])
    for _ in range(int(max_iter)):
        V_new = r_pi + gamma * P_pi @ V
        if np.max(np.abs(V_new - V)) < tol:
            return V_new
        V = V_new
    return V


class ValueIterationResult(NamedTuple):
    """Output of :func:`value_iteration`."""

    V: np.ndarray            # (n_states,) optimal state values
    Q: np.ndarray            # (n_states, n_actions) optimal action values
    policy: np.ndarray       # (n_states,) greedy action (lowest index among ties)
    n_iter: int
    deltas: np.ndarray       # (n_iter,) max-norm change per sweep


def value_iteration(P, R, gamma, *, tol=1e-10, max_iter=100_000):
    r"""Optimal values by iterating the Bellman optimality operator.

    Parameters
    ----------
    P, R, gamma : see :func:`check_mdp`
    tol : float, default=1e-10
        Stop when a sweep changes ``V`` by less than ``tol`` in max norm; then
        :math:`\lVert V - V^* \rVert_\infty \le \gamma\,\mathrm{tol} / (1 - \gamma)`.

    Returns
    -------
    ValueIterationResult

    Notes
    -----
    :math:`Q(s, a) = R(s, a) + \gamma \sum_{s'} P(s, a, s') V(s')`, :math:`V \leftarrow \max_a Q`.
    The operator is a :math:`\gamma`-contraction in the max norm.
    """
    P, R = check_mdp(P, R, gamma)
    V = np.zeros(P.shape[0])
    deltas = []
    for _ in range(int(max_iter)):
        Q = R + gamma * P @ V                               # (n_states, n_actions)
        V_new = Q.max(axis=1)
        deltas.append(np.max(np.abs(V_new - V)))
        V = V_new
        if deltas[-1] < tol:
            break
    Q = R + gamma * P @ V
    return ValueIterationResult(V, Q, np.argmax(Q, axis=1), len(deltas), np.array(deltas))


def greedy_policy(Q):
    """Greedy action per state, of shape (n_states,) (lowest index among ties)."""
    return np.argmax(np.asarray(Q), axis=1)


class TabularEnv:
    """An episodic environment sampled from a finite MDP.

    Parameters
    ----------
    P : ndarray of shape (n_states, n_actions, n_states)
    R : ndarray of shape (n_states, n_actions)
        Reward received for taking ``a`` in ``s`` (deterministic given ``s, a``).
    start : int
        Start state of every episode.
    terminal : sequence of int, default=()
        States that end an episode when entered.
    """

    def __init__(self, P, R, start=0, terminal=()):
        P, R = check_mdp(P, R, 0.0)
        self.P, self.R = P, R
        self.n_states, self.n_actions = R.shape
        if not 0 <= start < self.n_states:
            raise ValueError(f"start must be a state in [0, {self.n_states}), got {start}.")
        self.start = int(start)
        self.terminal = frozenset(int(s) for s in terminal)
        self._cum = np.cumsum(P, axis=2)

    def step(self, state, action, rng):
        """Return ``(next_state, reward, done)`` for one sampled transition."""
        row = self._cum[state, action]
        nxt = min(int(np.searchsorted(row, rng.random(), side="right")), self.n_states - 1)
        return nxt, float(self.R[state, action]), nxt in self.terminal


class GridWorld(TabularEnv):
    """A deterministic grid world; by default Sutton and Barto's cliff walking (4 x 12).

    States are cells numbered row by row (``state = row * n_cols + col``); actions are
    0 up, 1 right, 2 down, 3 left. A move off the grid leaves the agent in place. Every step
    costs ``step_reward``; stepping into a cliff cell costs ``cliff_reward`` and sends the
    agent back to ``start``. Entering ``goal`` ends the episode; the goal is absorbing with
    reward 0, so the arrays also describe a discounted MDP for :func:`value_iteration`.
    """

    MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
    ARROWS = "^>v<"

    def __init__(self, n_rows=4, n_cols=12, start=(3, 0), goal=(3, 11), cliff=None,
                 step_reward=-1.0, cliff_reward=-100.0):
        if cliff is None:
            cliff = [(n_rows - 1, c) for c in range(1, n_cols - 1)] if (n_rows, n_cols) == (4, 12) else []
        self.shape = (n_rows, n_cols)
        self.cliff = [tuple(c) for c in cliff]
        n_states = n_rows * n_cols
        idx = lambda rc: rc[0] * n_cols + rc[1]  # noqa: E731
        start_s, goal_s = idx(start), idx(goal)
        cliff_s = {idx(c) for c in self.cliff}
        P = np.zeros((n_states, 4, n_states))
        R = np.zeros((n_states, 4))
        for r in range(n_rows):
            for c in range(n_cols):
                s = idx((r, c))
                for a, (dr, dc) in enumerate(self.MOVES):
                    if s == goal_s:
                        P[s, a, s] = 1.0                     # absorbing, reward 0
                        continue
                    nr, nc = min(max(r + dr, 0), n_rows - 1), min(max(c + dc, 0), n_cols - 1)
                    nxt = idx((nr, nc))
                    if nxt in cliff_s:
                        P[s, a, start_s], R[s, a] = 1.0, cliff_reward
                    else:
                        P[s, a, nxt], R[s, a] = 1.0, step_reward
        super().__init__(P, R, start=start_s, terminal=[goal_s])

    def render_policy(self, policy):
        """The greedy action in each cell as arrows; 'C' for cliff and 'G' for the goal."""
        rows = []
        n_rows, n_cols = self.shape
        goal = next(iter(self.terminal))
        for r in range(n_rows):
            line = ""
            for c in range(n_cols):
                s = r * n_cols + c
                line += "G" if s == goal else "C" if (r, c) in self.cliff else self.ARROWS[policy[s]]
            rows.append(line)
        return "\n".join(rows)


def _epsilon_greedy_action(q_row, epsilon, rng):
    """Random action with probability epsilon, else greedy with ties broken at random."""
    if rng.random() < epsilon:
        return int(rng.integers(q_row.shape[0]))
    best = np.flatnonzero(q_row == q_row.max())
    return int(best[0]) if best.shape[0] == 1 else int(rng.choice(best))


def _td_control(env, on_policy, n_episodes, alpha, gamma, epsilon, max_steps, random_state):
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}.")
    if not 0 <= gamma <= 1:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}.")
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon must be in [0, 1], got {epsilon}.")
    rng = np.random.default_rng(random_state)
    Q = np.zeros((env.n_states, env.n_actions))
    returns = np.zeros(int(n_episodes))
    for episode in range(int(n_episodes)):
        s = env.start
        a = _epsilon_greedy_action(Q[s], epsilon, rng)
        total = 0.0
        for _ in range(int(max_steps)):
            s2, r, done = env.step(s, a, rng)
            total += r
            a2 = _epsilon_greedy_action(Q[s2], epsilon, rng)
            if done:
                target = r                                   # Q of a terminal state is 0
            elif on_policy:
                target = r + gamma * Q[s2, a2]               # SARSA: the action actually taken next
            else:
                target = r + gamma * Q[s2].max()             # Q-learning: the greedy action
            Q[s, a] += alpha * (target - Q[s, a])
            if done:
                break
            s, a = s2, a2
        returns[episode] = total
    return Q, returns


def q_learning(env, *, n_episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, max_steps=10_000,
               random_state=None):
    r"""Tabular Q-learning (off-policy TD control) with an epsilon-greedy behaviour policy.

    Parameters
    ----------
    env : TabularEnv
    n_episodes : int
    alpha : float in (0, 1]
        Step size.
    gamma : float in [0, 1]
    epsilon : float in [0, 1]
        Exploration rate of the behaviour policy.
    max_steps : int
        Cap on the length of an episode.
    random_state : int, Generator or None

    Returns
    -------
    Q : ndarray of shape (n_states, n_actions)
    returns : ndarray of shape (n_episodes,)
        Undiscounted sum of rewards of each training episode.

    Notes
    -----
    :math:`Q(s, a) \leftarrow Q(s, a) + \alpha [r + \gamma \max_{a'} Q(s', a') - Q(s, a)]`.
    """
    return _td_control(env, False, n_episodes, alpha, gamma, epsilon, max_steps, random_state)


def sarsa(env, *, n_episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, max_steps=10_000, random_state=None):
    r"""Tabular SARSA (on-policy TD control) with an epsilon-greedy policy.

    Same parameters and returns as :func:`q_learning`.

    Notes
    -----
    :math:`Q(s, a) \leftarrow Q(s, a) + \alpha [r + \gamma Q(s', a') - Q(s, a)]`, where
    :math:`a'` is the action the epsilon-greedy policy actually takes next.
    """
    return _td_control(env, True, n_episodes, alpha, gamma, epsilon, max_steps, random_state)
