"""The optimizers of groundml.optim against hand-derived first steps, known minimisers
and closed-form gradient-descent iterates; the mini-batch sampler against its contract.

PyTorch is not a test dependency, so each update rule of ``torch.optim`` is checked
through closed forms of its first steps, written out here independently of the
implementation: for gradients g1, g2, g3 fed to a fresh optimizer, the parameters
after 1-3 steps follow from summing the geometric weights by hand.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from groundml.optim import SGD, AdaGrad, Adam, AdamW, RMSProp, minibatches, minimize

SEEDS = range(5)
SHAPES = [(1,), (4,), (3, 2), (20,)]


def random_problem(seed, shape):
    """A start theta0 and three gradients of mixed signs and scales."""
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=shape)
    scale = 10.0 ** rng.uniform(-2, 2, size=shape)          # per-coordinate scales 0.01 .. 100
    g1, g2, g3 = (scale * rng.normal(size=shape) for _ in range(3))
    return theta0, g1, g2, g3


def run(optimizer, theta0, grads):
    """Feed a fixed list of gradients; return theta_1, ..., theta_k."""
    out, theta = [], theta0
    for g in grads:
        theta = optimizer.step(theta, g)
        out.append(theta)
    return out


# ---- (a) the first steps against closed forms derived by hand -----------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_plain_and_weight_decay_first_steps(seed, shape):
    theta0, g1, g2, _ = random_problem(seed, shape)
    lr, lam = 0.1, 0.3
    t1, t2 = run(SGD(lr=lr), theta0, [g1, g2])
    assert_allclose(t1, theta0 - lr * g1, rtol=1e-13, atol=1e-13)
    assert_allclose(t2, theta0 - lr * (g1 + g2), rtol=1e-13, atol=1e-13)
    # L2 weight decay = shrink by (1 - lr * lam), then the plain step
    t1, t2 = run(SGD(lr=lr, weight_decay=lam), theta0, [g1, g2])
    expected1 = (1 - lr * lam) * theta0 - lr * g1
    assert_allclose(t1, expected1, rtol=1e-13, atol=1e-13)
    assert_allclose(t2, (1 - lr * lam) * expected1 - lr * g2, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dampening", [0.0, 0.3])
def test_sgd_momentum_first_three_steps(seed, shape, dampening):
    theta0, g1, g2, g3 = random_problem(seed, shape)
    lr, mu, c = 0.05, 0.9, 1 - dampening
    t1, t2, t3 = run(SGD(lr=lr, momentum=mu, dampening=dampening), theta0, [g1, g2, g3])
    # b1 = g1 (undamped), b2 = mu g1 + c g2, b3 = mu^2 g1 + mu c g2 + c g3
    assert_allclose(t1, theta0 - lr * g1, rtol=1e-12, atol=1e-12)
    assert_allclose(t2, t1 - lr * (mu * g1 + c * g2), rtol=1e-12, atol=1e-12)
    assert_allclose(t3, t2 - lr * (mu**2 * g1 + mu * c * g2 + c * g3), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_nesterov_first_three_steps(seed, shape):
    theta0, g1, g2, g3 = random_problem(seed, shape)
    lr, mu = 0.05, 0.8
    t1, t2, t3 = run(SGD(lr=lr, momentum=mu, nesterov=True), theta0, [g1, g2, g3])
    # d_t = g_t + mu b_t: d1 = (1 + mu) g1, d2 = (1 + mu) g2 + mu^2 g1, d3 = (1 + mu) g3 + mu^2 g2 + mu^3 g1
    assert_allclose(t1, theta0 - lr * (1 + mu) * g1, rtol=1e-12, atol=1e-12)
    assert_allclose(t2, t1 - lr * ((1 + mu) * g2 + mu**2 * g1), rtol=1e-12, atol=1e-12)
    assert_allclose(t3, t2 - lr * ((1 + mu) * g3 + mu**2 * g2 + mu**3 * g1), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_momentum_with_weight_decay_first_two_steps(seed, shape):
    theta0, g1, g2, _ = random_problem(seed, shape)
    lr, mu, lam = 0.05, 0.9, 0.1
    t1, t2 = run(SGD(lr=lr, momentum=mu, weight_decay=lam), theta0, [g1, g2])
    e1 = g1 + lam * theta0                                    # decayed gradient at step 1
    assert_allclose(t1, theta0 - lr * e1, rtol=1e-12, atol=1e-12)
    e2 = g2 + lam * t1
    assert_allclose(t2, t1 - lr * (mu * e1 + e2), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_adagrad_first_three_steps(seed, shape):
    theta0, g1, g2, g3 = random_problem(seed, shape)
    lr, eta, eps, acc = 0.1, 0.5, 1e-10, 0.2
    t1, t2, t3 = run(AdaGrad(lr=lr, lr_decay=eta, initial_accumulator_value=acc, eps=eps),
                     theta0, [g1, g2, g3])
    assert_allclose(t1, theta0 - lr * g1 / (np.sqrt(acc + g1**2) + eps), rtol=1e-12, atol=1e-12)
    assert_allclose(t2, t1 - lr / (1 + eta) * g2 / (np.sqrt(acc + g1**2 + g2**2) + eps),
                    rtol=1e-12, atol=1e-12)
    assert_allclose(t3, t2 - lr / (1 + 2 * eta) * g3 / (np.sqrt(acc + g1**2 + g2**2 + g3**2) + eps),
                    rtol=1e-12, atol=1e-12)
    # With the default accumulator 0, the first step is lr * sign(g) (up to eps)
    (t1,) = run(AdaGrad(lr=lr), theta0, [g1])
    assert_allclose(t1, theta0 - lr * np.sign(g1), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_adagrad_weight_decay_first_step(seed, shape):
    theta0, g1, _, _ = random_problem(seed, shape)
    lr, lam, eps = 0.1, 0.4, 1e-10
    (t1,) = run(AdaGrad(lr=lr, weight_decay=lam), theta0, [g1])
    e1 = g1 + lam * theta0
    assert_allclose(t1, theta0 - lr * e1 / (np.abs(e1) + eps), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_rmsprop_first_two_steps(seed, shape):
    theta0, g1, g2, _ = random_problem(seed, shape)
    lr, a, eps = 0.01, 0.9, 1e-8
    t1, t2 = run(RMSProp(lr=lr, alpha=a, eps=eps), theta0, [g1, g2])
    v1 = (1 - a) * g1**2
    v2 = a * (1 - a) * g1**2 + (1 - a) * g2**2
    assert_allclose(t1, theta0 - lr * g1 / (np.sqrt(v1) + eps), rtol=1e-12, atol=1e-12)
    assert_allclose(t2, t1 - lr * g2 / (np.sqrt(v2) + eps), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_rmsprop_centered_with_momentum_first_two_steps(seed, shape):
    theta0, g1, g2, _ = random_problem(seed, shape)
    lr, a, mu, eps = 0.01, 0.9, 0.5, 1e-8
    t1, t2 = run(RMSProp(lr=lr, alpha=a, eps=eps, momentum=mu, centered=True), theta0, [g1, g2])
    # centred second moment: v_t - gbar_t^2
    c1 = (1 - a) * g1**2 - ((1 - a) * g1) ** 2
    c2 = (a * (1 - a) * g1**2 + (1 - a) * g2**2) - (a * (1 - a) * g1 + (1 - a) * g2) ** 2
    d1 = g1 / (np.sqrt(c1) + eps)
    d2 = g2 / (np.sqrt(c2) + eps)
    assert_allclose(t1, theta0 - lr * d1, rtol=1e-10, atol=1e-12)
    assert_allclose(t2, t1 - lr * (mu * d1 + d2), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_adam_first_three_steps(seed, shape):
    theta0, g1, g2, g3 = random_problem(seed, shape)
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
    t1, t2, t3 = run(Adam(lr=lr, betas=(b1, b2), eps=eps), theta0, [g1, g2, g3])
    # bias-corrected averages are normalised weighted means of the gradients seen so far
    m2 = (b1 * g1 + g2) / (1 + b1)
    v2 = (b2 * g1**2 + g2**2) / (1 + b2)
    m3 = (b1**2 * g1 + b1 * g2 + g3) / (1 + b1 + b1**2)
    v3 = (b2**2 * g1**2 + b2 * g2**2 + g3**2) / (1 + b2 + b2**2)
    assert_allclose(t1, theta0 - lr * g1 / (np.abs(g1) + eps), rtol=1e-12, atol=1e-13)
    assert_allclose(t2, t1 - lr * m2 / (np.sqrt(v2) + eps), rtol=1e-12, atol=1e-13)
    assert_allclose(t3, t2 - lr * m3 / (np.sqrt(v3) + eps), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_adam_with_l2_and_adamw_first_two_steps(seed, shape):
    theta0, g1, g2, _ = random_problem(seed, shape)
    lr, b1, b2, eps, lam = 0.01, 0.8, 0.99, 1e-8, 0.5
    # Adam + L2: the decay term enters the gradient, then the moments
    t1, t2 = run(Adam(lr=lr, betas=(b1, b2), eps=eps, weight_decay=lam), theta0, [g1, g2])
    e1 = g1 + lam * theta0
    assert_allclose(t1, theta0 - lr * e1 / (np.abs(e1) + eps), rtol=1e-12, atol=1e-13)
    e2 = g2 + lam * t1
    m2, v2 = (b1 * e1 + e2) / (1 + b1), (b2 * e1**2 + e2**2) / (1 + b2)
    assert_allclose(t2, t1 - lr * m2 / (np.sqrt(v2) + eps), rtol=1e-12, atol=1e-13)
    # AdamW: shrink by (1 - lr lam), moments of the raw gradient
    w1, w2 = run(AdamW(lr=lr, betas=(b1, b2), eps=eps, weight_decay=lam), theta0, [g1, g2])
    assert_allclose(w1, (1 - lr * lam) * theta0 - lr * g1 / (np.abs(g1) + eps), rtol=1e-12, atol=1e-13)
    m2, v2 = (b1 * g1 + g2) / (1 + b1), (b2 * g1**2 + g2**2) / (1 + b2)
    assert_allclose(w2, (1 - lr * lam) * w1 - lr * m2 / (np.sqrt(v2) + eps), rtol=1e-12, atol=1e-13)


# ---- (c) Adam's first step has size lr in every coordinate ---------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lr", [1e-3, 0.1])
def test_adam_first_step_has_magnitude_lr_whatever_the_gradient_scale(seed, lr):
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=50)
    g = rng.choice([-1, 1], size=50) * 10.0 ** rng.uniform(-3, 3, size=50)   # |g| in 1e-3 .. 1e3
    for beta1, beta2 in [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)]:
        step = Adam(lr=lr, betas=(beta1, beta2)).step(theta0, g) - theta0
        # |step| = lr |g| / (|g| + eps) = lr (1 - O(eps / |g|)); eps / |g| <= 1e-5 here
        assert_allclose(np.abs(step), lr, rtol=2e-5)
        assert np.all(np.sign(step) == -np.sign(g))


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_is_invariant_to_rescaling_the_gradients(seed):
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=6)
    grads = [rng.normal(size=6) for _ in range(10)]
    a = run(Adam(lr=0.01, eps=0.0), theta0, grads)
    b = run(Adam(lr=0.01, eps=0.0), theta0, [1000.0 * g for g in grads])
    assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ---- (d) decoupled weight decay is not the L2 penalty for Adam -----------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_adamw_differs_from_adam_with_l2_but_not_without_decay(seed):
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=8)
    grads = [rng.normal(size=8) * np.geomspace(0.01, 100, 8) for _ in range(5)]
    adam_l2 = run(Adam(lr=0.01, weight_decay=0.1), theta0, grads)[-1]
    adamw = run(AdamW(lr=0.01, weight_decay=0.1), theta0, grads)[-1]
    assert np.max(np.abs(adam_l2 - adamw)) > 1e-4               # differ by far more than rounding
    # without decay they are the same algorithm
    assert_allclose(run(Adam(lr=0.01), theta0, grads)[-1],
                    run(AdamW(lr=0.01, weight_decay=0.0), theta0, grads)[-1], rtol=1e-15, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_l2_decay_is_undone_by_the_normalisation(seed):
    """With a zero loss gradient, Adam + L2 moves each coordinate by about lr per step
    towards 0 whatever the decay strength, while AdamW shrinks it by (1 - lr lam)."""
    rng = np.random.default_rng(seed)
    theta0 = rng.uniform(1, 2, size=5) * rng.choice([-1, 1], size=5)
    zero = [np.zeros(5)] * 3
    for lam in [1e-3, 1.0]:
        adam_l2 = run(Adam(lr=1e-2, weight_decay=lam), theta0, zero)
        # steps 2 and 3 see a slightly smaller gradient lam * theta, so "about": 1e-4 of 0.03
        assert_allclose(adam_l2[-1], theta0 - 3 * 1e-2 * np.sign(theta0), rtol=0, atol=1e-4)
        adamw = run(AdamW(lr=1e-2, weight_decay=lam), theta0, zero)
        assert_allclose(adamw[-1], (1 - 1e-2 * lam) ** 3 * theta0, rtol=1e-12)


# ---- (b) convergence to the minimiser of random SPD quadratics -----------------------

def spd_quadratic(seed, dim, kappa=10.0):
    """f(x) = x^T A x / 2 - b^T x with eigenvalues of A spread from 1 to kappa."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    a = (q * np.geomspace(1.0, kappa, dim)) @ q.T
    b = rng.normal(size=dim)
    return a, b, rng.normal(size=dim)


# (factory(lambda_max), n_steps, relative tolerance, L2 penalty in the minimised objective)
CONVERGENT = {
    "gd": (lambda lmax: SGD(lr=1 / lmax), 500, 1e-10, 0.0),
    "gd+l2": (lambda lmax: SGD(lr=1 / lmax, weight_decay=0.5), 500, 1e-10, 0.5),
    "heavy-ball": (lambda lmax: SGD(lr=0.5 / lmax, momentum=0.5), 500, 1e-10, 0.0),
    "nesterov": (lambda lmax: SGD(lr=0.5 / lmax, momentum=0.5, nesterov=True), 500, 1e-10, 0.0),
    "adagrad": (lambda lmax: AdaGrad(lr=0.5), 3000, 1e-10, 0.0),
    "adagrad+l2": (lambda lmax: AdaGrad(lr=0.5, weight_decay=0.3), 3000, 1e-10, 0.3),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim", [1, 2, 5, 20])
@pytest.mark.parametrize("name", sorted(CONVERGENT))
def test_converges_to_the_minimiser_of_an_spd_quadratic(seed, dim, name):
    factory, n_steps, rtol, lam = CONVERGENT[name]
    a, b, x0 = spd_quadratic(seed, dim)
    x_star = np.linalg.solve(a + lam * np.eye(dim), b)          # minimiser of f + lam |x|^2 / 2
    trajectory = minimize(lambda x: a @ x - b, x0, factory(np.linalg.eigvalsh(a)[-1]), n_steps)
    error = np.linalg.norm(trajectory[-1] - x_star) / np.linalg.norm(x_star)
    assert error < rtol, f"{name}: relative error {error:.2e}"


# Adam and RMSProp with a constant lr keep normalised steps of order lr near the
# minimum (Adam reaches it, then can be thrown off again once v_t has decayed), so they
# run with a geometric decay of the lr, changed between steps as a scheduler would.
DECAYED = {
    "rmsprop": (lambda: RMSProp(lr=0.05), 1e-3, 0.0),
    "rmsprop-centered-momentum": (lambda: RMSProp(lr=0.05, centered=True, momentum=0.5), 1e-3, 0.0),
    "adam": (lambda: Adam(lr=0.05), 1e-6, 0.0),
    "adam+l2": (lambda: Adam(lr=0.05, weight_decay=0.3), 1e-6, 0.3),
    "adamw-no-decay": (lambda: AdamW(lr=0.05, weight_decay=0.0), 1e-6, 0.0),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim", [1, 2, 5, 20])
@pytest.mark.parametrize("name", sorted(DECAYED))
def test_adaptive_methods_with_a_decaying_learning_rate_converge(seed, dim, name):
    factory, rtol, lam = DECAYED[name]
    a, b, x = spd_quadratic(seed, dim)
    x_star = np.linalg.solve(a + lam * np.eye(dim), b)
    opt = factory()
    for k in range(3000):
        opt.lr = 0.05 * 0.998**k
        x = opt.step(x, a @ x - b)
    error = np.linalg.norm(x - x_star) / np.linalg.norm(x_star)
    assert error < rtol, f"{name}: relative error {error:.2e}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim", [2, 5])
def test_gradient_descent_iterates_match_the_matrix_power_formula(seed, dim):
    a, b, x0 = spd_quadratic(seed, dim)
    x_star = np.linalg.solve(a, b)
    eta = 1.5 / np.linalg.eigvalsh(a)[-1]
    trajectory = minimize(lambda x: a @ x - b, x0, SGD(lr=eta), 30)
    for k in [1, 7, 30]:
        predicted = x_star + np.linalg.matrix_power(np.eye(dim) - eta * a, k) @ (x0 - x_star)
        assert_allclose(trajectory[k], predicted, rtol=1e-9, atol=1e-12)


def test_gradient_descent_diverges_above_two_over_lambda_max():
    a, b, x0 = spd_quadratic(0, 4)
    lmax = np.linalg.eigvalsh(a)[-1]
    x_star = np.linalg.solve(a, b)
    trajectory = minimize(lambda x: a @ x - b, x0, SGD(lr=2.1 / lmax), 200)
    assert np.linalg.norm(trajectory[-1] - x_star) > 1e3 * np.linalg.norm(x0 - x_star)


def test_rosenbrock_minimum_is_reached_by_momentum_and_adam():
    def grad(p):
        x, y = p
        return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])

    for opt, n_steps in [(SGD(lr=1e-3, momentum=0.9), 20_000), (Adam(lr=1e-2), 20_000)]:
        end = minimize(grad, [-1.5, 2.0], opt, n_steps)[-1]
        assert_allclose(end, [1.0, 1.0], atol=1e-3, err_msg=repr(opt))


# ---- the interface -------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.9), lambda: AdaGrad(),
                                  lambda: RMSProp(centered=True, momentum=0.3), lambda: Adam(),
                                  lambda: AdamW()])
def test_step_leaves_its_inputs_alone_and_reset_restarts(make):
    theta0, g1, g2, g3 = random_problem(0, (3, 2))
    theta_copy, g_copy = theta0.copy(), g1.copy()
    opt = make()
    first = run(opt, theta0, [g1, g2, g3])
    assert np.array_equal(theta0, theta_copy) and np.array_equal(g1, g_copy)
    assert opt.t_ == 3
    opt.reset()
    assert opt.t_ == 0
    again = run(opt, theta0, [g1, g2, g3])
    assert_allclose(again, first, rtol=0, atol=0)
    assert_allclose(again, run(make(), theta0, [g1, g2, g3]), rtol=0, atol=0)


def test_minimize_returns_the_whole_trajectory_and_resets_the_optimizer():
    a, b, x0 = spd_quadratic(1, 3)
    opt = Adam(lr=0.1)
    first = minimize(lambda x: a @ x - b, x0, opt, 25)
    assert first.shape == (26, 3)
    assert_allclose(first[0], x0, rtol=0, atol=0)
    second = minimize(lambda x: a @ x - b, x0, opt, 25)       # same optimizer object again
    assert_allclose(second, first, rtol=0, atol=0)
    assert minimize(lambda x: a @ x - b, x0, opt, 0).shape == (1, 3)


# ---- (e) mini-batches -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_samples", "batch_size"), [(10, 3), (64, 16), (100, 7), (5, 8), (1, 1)])
def test_minibatches_cover_every_index_exactly_once_per_epoch(seed, n_samples, batch_size):
    batches = list(minibatches(n_samples, batch_size, random_state=seed))
    assert_allclose(np.sort(np.concatenate(batches)), np.arange(n_samples), rtol=0, atol=0)
    sizes = [len(batch) for batch in batches]
    assert sizes == [batch_size] * (n_samples // batch_size) + (
        [n_samples % batch_size] if n_samples % batch_size else [])
    kept = list(minibatches(n_samples, batch_size, drop_last=True, random_state=seed))
    assert len(kept) == n_samples // batch_size
    assert all(len(batch) == batch_size for batch in kept)
    assert len(np.unique(np.concatenate(kept or [np.array([], int)]))) == batch_size * len(kept)


def test_minibatches_in_order_seeded_and_different_across_seeds():
    in_order = list(minibatches(10, 4, shuffle=False))
    assert [list(b) for b in in_order] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    a = np.concatenate(list(minibatches(50, 8, random_state=3)))
    b = np.concatenate(list(minibatches(50, 8, random_state=3)))
    c = np.concatenate(list(minibatches(50, 8, random_state=4)))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    rng = np.random.default_rng(0)                  # a Generator is advanced: new epoch, new order
    assert not np.array_equal(np.concatenate(list(minibatches(50, 8, random_state=rng))),
                              np.concatenate(list(minibatches(50, 8, random_state=rng))))


def test_shuffled_positions_are_uniform():
    # Over 6000 epochs, the position of sample 0 in the epoch is uniform on 0..11:
    # chi-square goodness of fit at the 0.1% level (fails by chance once in 1000 seeds).
    rng = np.random.default_rng(12345)
    n, epochs = 12, 6000
    positions = [int(np.flatnonzero(np.concatenate(list(minibatches(n, 5, random_state=rng))) == 0)[0])
                 for _ in range(epochs)]
    counts = np.bincount(positions, minlength=n)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_sampling_with_replacement_is_uniform_and_repeats_indices():
    rng = np.random.default_rng(2024)
    n, epochs = 20, 2000
    epochs_drawn = [np.concatenate(list(minibatches(n, 6, replace=True, random_state=rng)))
                    for _ in range(epochs)]
    assert all(len(e) == n for e in epochs_drawn)
    counts = np.bincount(np.concatenate(epochs_drawn), minlength=n)
    assert stats.chisquare(counts).pvalue > 1e-3
    # an epoch of n draws with replacement misses each index with probability (1 - 1/n)^n
    distinct = np.mean([len(np.unique(e)) for e in epochs_drawn]) / n
    assert abs(distinct - (1 - (1 - 1 / n) ** n)) < 0.01


# ---- (f) bad hyperparameters and bad input ---------------------------------------------

@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD(lr=-0.1), "lr must be non-negative"),
        (lambda: SGD(lr=float("nan")), "finite"),
        (lambda: SGD(lr="0.1"), "finite real number"),
        (lambda: SGD(lr=0.1, momentum=1.0), r"momentum must lie in \[0, 1\)"),
        (lambda: SGD(lr=0.1, momentum=-0.5), "momentum must be non-negative"),
        (lambda: SGD(lr=0.1, dampening=1.5), "dampening"),
        (lambda: SGD(lr=0.1, weight_decay=-1.0), "weight_decay"),
        (lambda: SGD(lr=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda: SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda: AdaGrad(lr_decay=-1.0), "lr_decay"),
        (lambda: AdaGrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda: AdaGrad(eps=-1e-10), "eps"),
        (lambda: RMSProp(alpha=1.0), "alpha"),
        (lambda: RMSProp(momentum=1.2), "momentum"),
        (lambda: RMSProp(centered="yes"), "centered"),
        (lambda: Adam(betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda: Adam(betas=(0.9, -0.1)), r"betas\[1\]"),
        (lambda: Adam(betas=(0.9,)), "pair"),
        (lambda: Adam(lr=-1e-3), "lr"),
        (lambda: AdamW(weight_decay=-0.01), "weight_decay"),
    ],
)
def test_bad_hyperparameters_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_hyperparameter_set_after_construction_raises_at_step():
    opt = Adam()
    opt.lr = -1.0
    with pytest.raises(ValueError, match="lr"):
        opt.step(np.zeros(2), np.ones(2))


def test_shape_errors():
    opt = SGD(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="different shapes"):
        opt.step(np.zeros(3), np.zeros(2))
    opt.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="call reset"):
        opt.step(np.zeros(4), np.ones(4))
    opt.reset()
    assert opt.step(np.zeros(4), np.ones(4)).shape == (4,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_samples": 0, "batch_size": 2}, "n_samples"),
        ({"n_samples": 10, "batch_size": 0}, "batch_size"),
        ({"n_samples": 10, "batch_size": 2.5}, "batch_size"),
        ({"n_samples": 10, "batch_size": 2, "shuffle": False, "replace": True}, "replace"),
    ],
)
def test_minibatches_bad_arguments_raise_when_called(kwargs, message):
    with pytest.raises(ValueError, match=message):
        minibatches(**kwargs)                         # no iteration needed


def test_minimize_bad_arguments():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match="n_steps"):
        minimize(lambda x: x, np.zeros(2), opt, -1)
    with pytest.raises(ValueError, match="callable"):
        minimize(None, np.zeros(2), opt, 3)
    with pytest.raises(ValueError, match="NaN"):
        minimize(lambda x: x, np.array([np.nan, 0.0]), opt, 3)
    with pytest.raises(ValueError, match="optimizer"):
        minimize(lambda x: x, np.zeros(2), "adam", 3)
