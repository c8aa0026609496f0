"""Bandit agents and tabular RL against explicit formulas, linear solves and theory.

There is no scikit-learn counterpart. References: numpy.linalg.solve for the Bellman
equations, brute-force search over all deterministic policies, explicit loops for the
UCB1 index and the Beta posterior, and the finite-time bound of Auer et al. (2002).
"""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from groundml.bandits import (
    UCB1,
    EpsilonGreedy,
    GridWorld,
    TabularEnv,
    ThompsonSampling,
    policy_evaluation,
    q_learning,
    sarsa,
    simulate,
    value_iteration,
)

SEEDS = range(5)
SIZES = [(2, 2), (4, 3), (6, 2)]           # (n_states, n_actions)


def random_mdp(seed, n_states, n_actions):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    R = rng.normal(size=(n_states, n_actions))
    return P, R


def solve_policy(P, R, policy, gamma):
    """V^pi from the linear Bellman system (I - gamma P_pi) V = r_pi."""
    n = P.shape[0]
    P_pi = P[np.arange(n), policy]                      # (n_states, n_states)
    r_pi = R[np.arange(n), policy]
    return np.linalg.solve(np.eye(n) - gamma * P_pi, r_pi)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("gamma", [0.5, 0.9])
def test_value_iteration_matches_linear_solve_and_brute_force(seed, size, gamma):
    P, R = random_mdp(seed, *size)
    res = value_iteration(P, R, gamma, tol=1e-13)
    assert_allclose(res.V, solve_policy(P, R, res.policy, gamma), atol=1e-8)
    # brute force over every deterministic policy: V* is the elementwise maximum
    all_values = np.array([solve_policy(P, R, np.array(pol), gamma)
                           for pol in itertools.product(range(size[1]), repeat=size[0])])
    assert_allclose(res.V, all_values.max(axis=0), atol=1e-8)
    # contraction: each sweep shrinks the change by at least a factor gamma
    d = res.deltas
    assert np.all(d[1:] <= gamma * d[:-1] + 1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
def test_policy_evaluation_matches_linear_solve(seed, size):
    P, R = random_mdp(seed, *size)
    rng = np.random.default_rng(seed)
    det = rng.integers(size[1], size=size[0])
    assert_allclose(policy_evaluation(P, R, det, 0.9), solve_policy(P, R, det, 0.9), atol=1e-8)
    stoch = rng.dirichlet(np.ones(size[1]), size=size[0])
    P_pi = np.einsum("sa,sat->st", stoch, P)
    expected = np.linalg.solve(np.eye(size[0]) - 0.9 * P_pi, (stoch * R).sum(axis=1))
    assert_allclose(policy_evaluation(P, R, stoch, 0.9), expected, atol=1e-8)


def chain_mdp():
    """Deterministic 3-state chain: action 0 left, 1 right; reward 1 for 'right' in the last state."""
    P = np.zeros((3, 2, 3))
    R = np.zeros((3, 2))
    for s in range(3):
        P[s, 0, max(s - 1, 0)] = 1.0
        P[s, 1, min(s + 1, 2)] = 1.0
    R[2, 1] = 1.0
    R[0, 0] = 0.2
    return P, R


@pytest.mark.parametrize("seed", SEEDS)
def test_q_learning_converges_to_value_iteration(seed):
    # Deterministic MDP, uniformly random behaviour (epsilon=1): every pair is visited
    # often, and with no noise a constant step size converges. Tolerance 1e-3, fixed seed.
    P, R = chain_mdp()
    env = TabularEnv(P, R, start=0)
    Q, _ = q_learning(env, n_episodes=300, alpha=0.5, gamma=0.9, epsilon=1.0, max_steps=100,
                      random_state=seed)
    Q_star = value_iteration(P, R, 0.9).Q
    assert_allclose(Q, Q_star, atol=1e-3)


def test_cliff_walking_q_learning_finds_optimal_path():
    env = GridWorld()
    vi = value_iteration(env.P, env.R, 0.999)
    Q, _ = q_learning(env, n_episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, random_state=0)
    # the greedy policy from the start walks the 13-step shortest path along the cliff
    s, steps = env.start, 0
    while s not in env.terminal and steps < 100:
        s, _, _ = env.step(s, int(np.argmax(Q[s])), np.random.default_rng(0))
        steps += 1
    assert steps == 13
    assert_allclose(vi.V[env.start], -sum(0.999 ** k for k in range(13)), rtol=1e-8)
    Qs, ret_s = sarsa(env, n_episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, random_state=0)
    _, ret_q = q_learning(env, n_episodes=500, alpha=0.5, gamma=1.0, epsilon=0.1, random_state=0)
    # online, SARSA's safer path earns more than Q-learning's while exploring (Sutton & Barto ex. 6.6)
    assert ret_s[100:].mean() > ret_q[100:].mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_ucb1_index_matches_explicit_formula(seed):
    rng = np.random.default_rng(seed)
    means = rng.uniform(size=4)
    agent = UCB1(4).reset()
    sums, counts = np.zeros(4), np.zeros(4)
    for t in range(300):
        arm = agent.select_arm()
        if t < 4:
            assert arm == t                          # every arm once, in order
        else:
            index = [sums[i] / counts[i] + np.sqrt(2 * np.log(t) / counts[i]) for i in range(4)]
            assert arm == int(np.argmax(index))
        reward = int(rng.random() < means[arm])
        agent.update(arm, reward)
        sums[arm] += reward
        counts[arm] += 1
    assert_array_equal(agent.counts_, counts)
    assert_allclose(agent.values_, sums / counts, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_thompson_posterior_counts(seed):
    res = simulate(ThompsonSampling(3, prior_alpha=2.0, prior_beta=0.5, random_state=seed),
                   [0.2, 0.5, 0.7], 400, random_state=seed)
    agent = ThompsonSampling(3, prior_alpha=2.0, prior_beta=0.5, random_state=seed)
    replay = simulate(agent, [0.2, 0.5, 0.7], 400, random_state=seed)
    assert_array_equal(res.arms, replay.arms)        # reproducible with a seed
    for a in range(3):
        pulled = res.arms == a
        assert agent.alpha_[a] == 2.0 + res.rewards[pulled].sum()
        assert agent.beta_[a] == 0.5 + (1 - res.rewards[pulled]).sum()


def test_ucb1_regret_below_auer_bound():
    # Auer et al. (2002), Theorem 1: E[regret(n)] <= 8 sum_i ln(n)/Delta_i + (1 + pi^2/3) sum_i Delta_i.
    means = np.array([0.9, 0.6, 0.5])
    gaps = means.max() - means
    horizon = 3000
    bound = 8 * np.log(horizon) * np.sum(1 / gaps[gaps > 0]) + (1 + np.pi ** 2 / 3) * gaps.sum()
    regrets = [simulate(UCB1(3), means, horizon, random_state=s).regret[-1] for s in range(10)]
    assert np.mean(regrets) < bound
    assert bound < gaps[1] * horizon               # so a linear-regret agent would fail the test


def test_fixed_epsilon_regret_is_linear():
    # Expected regret of epsilon-greedy grows at least like epsilon * mean gap * T.
    means = np.array([0.9, 0.6, 0.5])
    horizon = 3000
    regrets = [simulate(EpsilonGreedy(3, epsilon=0.1, random_state=s), means, horizon, random_state=s)
               .regret[-1] for s in range(10)]
    lower = 0.1 * np.mean(means.max() - means) * horizon
    assert np.mean(regrets) > 0.8 * lower


def test_epsilon_zero_is_greedy_and_one_is_uniform():
    agent = EpsilonGreedy(3, epsilon=0.0, random_state=0).reset()
    agent.update(1, 1.0)
    assert all(agent.select_arm() == 1 for _ in range(50))
    agent = EpsilonGreedy(3, epsilon=1.0, random_state=0).reset()
    counts = np.bincount([agent.select_arm() for _ in range(3000)], minlength=3)
    assert np.all(np.abs(counts / 3000 - 1 / 3) < 0.03)


def test_bad_input_raises():
    P, R = random_mdp(0, 3, 2)
    with pytest.raises(ValueError):
        value_iteration(P * 1.1, R, 0.9)                  # not stochastic
    with pytest.raises(ValueError):
        value_iteration(P, R[:, :1], 0.9)                 # shape mismatch
    with pytest.raises(ValueError):
        value_iteration(P, R, 1.0)                        # gamma must be < 1
    with pytest.raises(ValueError):
        policy_evaluation(P, R, np.array([0, 5, 1]), 0.9)  # action out of range
    with pytest.raises(ValueError):
        ThompsonSampling(2).update(0, 0.5)                # not a Bernoulli reward
    with pytest.raises(ValueError):
        UCB1(2).update(3, 1)                              # arm out of range
    with pytest.raises(ValueError):
        UCB1(2).update(0, 2.0)                            # reward outside [0, 1]
    with pytest.raises(ValueError):
        EpsilonGreedy(2, epsilon=1.5).select_arm()
    with pytest.raises(ValueError):
        simulate(UCB1(2), [0.5, 0.5, 0.5], 10)            # wrong number of arms
    with pytest.raises(ValueError):
        simulate(UCB1(2), [0.5, 1.5], 10)                 # not probabilities
    with pytest.raises(ValueError):
        q_learning(TabularEnv(P, R), alpha=0.0)
