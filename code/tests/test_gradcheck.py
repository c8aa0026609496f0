"""Finite differences against gradients and Jacobians known in closed form."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from groundml.gradcheck import numerical_gradient, numerical_jacobian


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", [1, 3, 8])
def test_gradient_of_a_quadratic_form(seed, n):
    rng = np.random.default_rng(seed)
    A, b, x = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
    f = lambda v: v @ A @ v + b @ v                     # gradient (A + A^T) v + b
    assert_allclose(numerical_gradient(f, x), (A + A.T) @ x + b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", range(5))
def test_gradient_of_a_matrix_argument_keeps_its_shape(seed):
    rng = np.random.default_rng(seed)
    X, W = rng.normal(size=(6, 4)), rng.normal(size=(4, 3))
    f = lambda M: np.sum(np.sin(X @ M))                 # gradient X^T cos(X M)
    grad = numerical_gradient(f, W)
    assert grad.shape == W.shape
    assert_allclose(grad, X.T @ np.cos(X @ W), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", range(5))
def test_jacobian_of_a_linear_map_and_of_an_elementwise_map(seed):
    rng = np.random.default_rng(seed)
    A, x = rng.normal(size=(5, 3)), rng.normal(size=3)
    assert_allclose(numerical_jacobian(lambda v: A @ v, x), A, rtol=1e-7, atol=1e-8)
    assert_allclose(numerical_jacobian(np.tanh, x), np.diag(1 - np.tanh(x) ** 2), atol=1e-8)


def test_the_input_is_not_modified():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: v @ v, x)
    assert_allclose(x, [1.0, 2.0])
