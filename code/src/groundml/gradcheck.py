"""Finite-difference gradients, to check analytic ones.

The central difference :math:`(f(x + h e_i) - f(x - h e_i)) / (2h)` has error
:math:`O(h^2)` from truncation and :math:`O(\\epsilon / h)` from rounding, where
:math:`\\epsilon` is the machine precision; :math:`h \\approx \\epsilon^{1/3} \\approx 10^{-5}`
balances the two for double precision.
"""

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        Maps an ndarray shaped like ``x`` to a scalar.
    x : array-like of any shape
        Point at which to differentiate.
    eps : float
        Step ``h`` of the central difference.

    Returns
    -------
    grad : ndarray, same shape as ``x``
    """
    x = np.array(x, dtype=float)                    # a copy: x is perturbed in place
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + eps
        f_plus = float(f(x))
        x[idx] = original - eps
        f_minus = float(f(x))
        x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def numerical_jacobian(f, x, eps=1e-6):
    """Central-difference Jacobian of a vector function.

    Returns an ndarray of shape ``f(x).shape + x.shape``: entry ``[i..., j...]`` is
    the derivative of output ``i`` with respect to input ``j``.
    """
    x = np.array(x, dtype=float)
    out_shape = np.shape(f(x))
    jac = np.zeros(out_shape + x.shape)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + eps
        f_plus = np.asarray(f(x), dtype=float)
        x[idx] = original - eps
        f_minus = np.asarray(f(x), dtype=float)
        x[idx] = original
        jac[(Ellipsis,) + idx] = (f_plus - f_minus) / (2 * eps)
    return jac
