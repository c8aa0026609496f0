"""Forward and reverse mode against finite differences, analytic gradients and each other."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from groundml.autodiff import (
    Dual,
    Value,
    cos,
    derivative,
    exp,
    forward_grad,
    grad,
    jvp,
    log,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
    value_and_grad,
)
from groundml.gradcheck import numerical_gradient, numerical_jacobian

SEEDS = range(5)

# ---- random expressions ---------------------------------------------------------------
# Each builder takes sub-expressions (functions of the input vector) and returns a new one.
# Arguments of log, sqrt and division are kept away from 0 so finite differences are valid.
UNARY = [
    lambda a: lambda x: tanh(a(x)),
    lambda a: lambda x: exp(tanh(a(x))),
    lambda a: lambda x: sin(a(x)),
    lambda a: lambda x: cos(a(x)),
    lambda a: lambda x: sigmoid(a(x)),
    lambda a: lambda x: log(1 + a(x) * a(x)),
    lambda a: lambda x: sqrt(1 + a(x) ** 2),
    lambda a: lambda x: a(x) ** 3,
    lambda a: lambda x: -a(x),
    lambda a: lambda x: 2.0 ** tanh(a(x)),
    lambda a: lambda x: relu(a(x)),
]
BINARY = [
    lambda a, b: lambda x: a(x) + b(x),
    lambda a, b: lambda x: a(x) - b(x),
    lambda a, b: lambda x: a(x) * b(x),
    lambda a, b: lambda x: a(x) / (1.5 + tanh(b(x))),
    lambda a, b: lambda x: 0.5 * a(x) + 3.0 - b(x) / 2.0,
    lambda a, b: lambda x: 1.0 / (1.0 + a(x) ** 2) - b(x),
]


def random_expression(rng, n_inputs, depth):
    """A random function of x (an array of n_inputs entries) built from the tables above."""
    if depth == 0 or rng.random() < 0.15:
        i = int(rng.integers(n_inputs))
        return lambda x: x[i]
    if rng.random() < 0.5:
        return UNARY[rng.integers(len(UNARY))](random_expression(rng, n_inputs, depth - 1))
    make = BINARY[rng.integers(len(BINARY))]
    return make(random_expression(rng, n_inputs, depth - 1), random_expression(rng, n_inputs, depth - 1))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_inputs", [1, 3, 6])
def test_random_expressions_reverse_forward_and_finite_differences_agree(seed, n_inputs):
    rng = np.random.default_rng(seed)
    for _ in range(15):
        f = random_expression(rng, n_inputs, depth=5)
        x = rng.normal(size=n_inputs)
        value, g_reverse = value_and_grad(f)(x)
        assert value == pytest.approx(float(f(x)), rel=1e-12, abs=1e-12)  # same forward value
        g_forward = forward_grad(f)(x)
        g_numeric = numerical_gradient(lambda v, f=f: float(f(v)), x)
        assert_allclose(g_reverse, g_forward, rtol=1e-10, atol=1e-12)
        assert_allclose(g_reverse, g_numeric, rtol=1e-5, atol=1e-6)


# ---- analytic gradients ---------------------------------------------------------------

ELEMENTARY = [  # (function, derivative), evaluated at points where both are defined
    (lambda t: exp(t), np.exp),
    (lambda t: log(t * t + 0.5), lambda t: 2 * t / (t * t + 0.5)),
    (lambda t: sin(t), np.cos),
    (lambda t: cos(t), lambda t: -np.sin(t)),
    (lambda t: tanh(t), lambda t: 1 - np.tanh(t) ** 2),
    (lambda t: sigmoid(t), lambda t: np.exp(-t) / (1 + np.exp(-t)) ** 2),
    (lambda t: sqrt(t * t + 1), lambda t: t / np.sqrt(t * t + 1)),
    (lambda t: t ** 4, lambda t: 4 * t ** 3),
    (lambda t: 3.0 ** t, lambda t: 3.0 ** t * np.log(3.0)),
    (lambda t: 1 / (2 + t * t), lambda t: -2 * t / (2 + t * t) ** 2),
    (lambda t: 5 - t, lambda t: -1.0),
    (lambda t: abs(t), np.sign),
    (lambda t: relu(t), lambda t: float(t > 0)),
    (lambda t: (t * t + 1) ** Dual(1.5) if isinstance(t, Dual) else (t * t + 1) ** Value(1.5)
     if isinstance(t, Value) else (t * t + 1) ** 1.5, lambda t: 3 * t * np.sqrt(t * t + 1)),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("index", range(len(ELEMENTARY)))
def test_elementary_derivatives_in_both_modes(seed, index):
    f, df = ELEMENTARY[index]
    for t in np.random.default_rng(seed).uniform(-2, 2, size=5):
        expected = df(t)
        assert derivative(f, t) == pytest.approx(expected, rel=1e-12, abs=1e-14)
        leaf = Value(t)
        f(leaf).backward()
        assert leaf.grad == pytest.approx(expected, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 4, 9])
def test_quadratic_form(seed, n):
    rng = np.random.default_rng(seed)
    A, b, x = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
    f = lambda v: v @ A @ v + b @ v                     # gradient (A + A^T) x + b
    assert_allclose(grad(f)(x), (A + A.T) @ x + b, rtol=1e-12, atol=1e-12)
    assert_allclose(forward_grad(f)(x), (A + A.T) @ x + b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_samples", "n_features"), [(10, 2), (40, 5)])
def test_logistic_regression_loss(seed, n_samples, n_features):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = (rng.random(n_samples) < 0.5).astype(float)
    w = rng.normal(size=n_features)

    def loss(v):
        z = X @ v                                        # (n_samples,) logits
        return np.sum(log(1 + exp(-z)) + (1 - y) * z) / n_samples

    p = 1 / (1 + np.exp(-X @ w))
    value, g = value_and_grad(loss)(w)
    assert value == pytest.approx(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)), rel=1e-12)
    assert_allclose(g, X.T @ (p - y) / n_samples, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [2, 5])
def test_softmax_cross_entropy_gradient_is_p_minus_onehot(seed, k):
    rng = np.random.default_rng(seed)
    z, label = rng.normal(size=k) * 3, int(rng.integers(k))
    g = grad(lambda v: log(np.sum(exp(v))) - v[label])(z)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert_allclose(g, p - np.eye(k)[label], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_two_layer_network_matches_manual_backprop(seed):
    rng = np.random.default_rng(seed)
    n, d, h = 8, 3, 5
    X, y = rng.normal(size=(n, d)), rng.normal(size=n)
    W1, b1, w2 = rng.normal(size=(d, h)), rng.normal(size=h), rng.normal(size=h)
    shapes = [W1.shape, b1.shape, w2.shape]
    theta = np.concatenate([W1.ravel(), b1, w2])

    def unpack(t):
        sizes = np.cumsum([np.prod(s) for s in shapes])[:-1]
        return [part.reshape(s) for part, s in zip(np.split(t, sizes), shapes, strict=True)]

    def loss(t):
        A, c, v = unpack(t)
        hidden = tanh(X @ A + c)                        # (n, h)
        r = hidden @ v - y                              # (n,)
        return np.sum(r * r) / (2 * n)

    H = np.tanh(X @ W1 + b1)
    r = H @ w2 - y
    g_w2 = H.T @ r / n
    g_pre = np.outer(r, w2) * (1 - H ** 2) / n           # (n, h)
    expected = np.concatenate([(X.T @ g_pre).ravel(), g_pre.sum(axis=0), g_w2])
    assert_allclose(grad(loss)(theta), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("n_in", "n_out"), [(3, 2), (2, 5)])
def test_jvp_is_jacobian_times_vector(seed, n_in, n_out):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n_out, n_in))
    f = lambda x: tanh(A @ x) * sin(A @ x)
    x, v = rng.normal(size=n_in), rng.normal(size=n_in)
    value, tangent = jvp(f, x, v)
    assert_allclose(value, np.tanh(A @ x) * np.sin(A @ x), rtol=1e-12)
    J = numerical_jacobian(lambda u: np.tanh(A @ u) * np.sin(A @ u), x)
    assert_allclose(tangent, J @ v, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_nested_duals_give_second_derivatives(seed):
    t = np.random.default_rng(seed).uniform(-2, 2)
    f = lambda s: sin(s) * s ** 3 + exp(s / 2)
    second = f(Dual(Dual(t, 1.0), Dual(1.0, 0.0))).dot.dot
    expected = (-np.sin(t) * t ** 3 + 6 * t ** 2 * np.cos(t) + 6 * t * np.sin(t)
                + np.exp(t / 2) / 4)
    assert second == pytest.approx(expected, rel=1e-12)


# ---- graph mechanics ------------------------------------------------------------------

def test_shared_subexpressions_accumulate_and_backward_is_repeatable():
    x = Value(3.0)
    y = x * x + x * 2 + x                               # dy/dx = 2x + 3 = 9
    y.backward()
    assert x.grad == 9.0
    y.backward()                                         # grads are reset, not doubled
    assert x.grad == 9.0


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y + x                                        # y = 5001 x
    y.backward()
    assert x.grad == 5001.0


def test_relu_and_abs_use_zero_at_the_kink():
    # Both 0s are subgradients; relu(x) - relu(-x) = x, yet its computed derivative at 0
    # is 0 + 0 = 0, because autodiff differentiates the program, not the function.
    assert derivative(relu, 0.0) == 0.0
    assert derivative(abs, 0.0) == 0.0
    assert derivative(lambda t: relu(t) - relu(-t), 0.0) == 0.0
    assert derivative(lambda t: relu(t) - relu(-t), 1e-3) == 1.0


def test_overflow_gives_inf_like_numpy():
    assert math.isinf(exp(Value(1000.0)).data)


def test_function_of_no_input_has_zero_gradient():
    value, g = value_and_grad(lambda v: 2.0)(np.ones(3))
    assert value == 2.0 and np.all(g == 0)


def test_bad_input_raises():
    with pytest.raises(TypeError, match="plain number"):
        Value(Value(1.0))
    with pytest.raises(ValueError, match="must return a scalar"):
        grad(lambda v: v * 2)(np.ones(3))
    with pytest.raises(ValueError, match="different shapes"):
        jvp(lambda v: v, np.ones(3), np.ones(2))


@pytest.mark.parametrize("cls", [Dual, Value])
def test_operations_with_arrays_broadcast_elementwise(cls):
    arr = np.array([1.0, 2.0, 3.0])
    for out in (cls(2.0) * arr, arr * cls(2.0), cls(2.0) + arr, cls(2.0) - arr, arr / cls(2.0),
                cls(2.0) / arr, cls(2.0) ** np.ones(3)):
        assert isinstance(out, np.ndarray) and out.shape == (3,)
        assert all(isinstance(item, cls) for item in out)
    values = [item.val if cls is Dual else item.data for item in cls(2.0) - arr]
    assert_allclose(values, 2.0 - arr)
