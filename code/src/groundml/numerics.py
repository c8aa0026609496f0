r"""Numerically stable building blocks: log-sum-exp, softmax, sigmoid, summation, variance.

Each function computes a textbook formula in a way that does not overflow, underflow or
cancel where the naive formula would. Derived in the book page "Numerical stability".

Floating-point inputs keep their precision (``float32`` stays ``float32``); other
numeric inputs are converted to ``float64``.
"""

import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def _as_float_array(x, name="x"):
    """``x`` as a floating-point ndarray (float32/float64 kept, anything else -> float64)."""
    try:
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    return x


def _scalar_if_0d(out):
    """Return a NumPy scalar rather than a 0-d array, as NumPy's reductions do."""
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


def _finite_max(a, axis):
    """Max along ``axis`` (keepdims), with non-finite maxima replaced by 0.

    A slice that is all ``-inf`` (or holds ``+inf``) cannot be shifted by its maximum
    (``-inf - (-inf)`` is NaN); shifting it by 0 instead gives the right answer, because
    the shift only protects finite inputs from overflow.
    """
    m = np.max(a, axis=axis, keepdims=True)
    return np.where(np.isfinite(m), m, 0).astype(a.dtype)


def logsumexp(a, axis=-1, keepdims=False):
    r"""Log-sum-exp, :math:`\log \sum_i e^{a_i}`, without overflow.

    Computed as :math:`m + \log \sum_i e^{a_i - m}` with :math:`m = \max_i a_i`: every
    exponent is at most 0 (no overflow) and the sum lies in :math:`[1, n]` (no
    ``log(0)``), while the identity holds for any shift :math:`m`.

    Parameters
    ----------
    a : array-like of any shape
    axis : int, tuple of ints or None, default=-1
        Axis or axes to reduce; None reduces over all elements. (SciPy's
        ``scipy.special.logsumexp`` defaults to ``axis=None``.)
    keepdims : bool, default=False
        Keep the reduced axes with length 1, so the result broadcasts against ``a``.

    Returns
    -------
    out : ndarray or scalar
        ``a.shape`` without the reduced axes (or with them of length 1).
        ``-inf`` for a slice of all ``-inf``; ``+inf`` if the slice holds ``+inf``.
    """
    a = _as_float_array(a, "a")
    m = _finite_max(a, axis)                            # (..., 1, ...)
    with np.errstate(divide="ignore"):                  # log(0) = -inf for an all -inf slice
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return _scalar_if_0d(out)


def softmax(a, axis=-1):
    r"""Softmax, :math:`e^{a_i} / \sum_j e^{a_j}`, computed with the maximum subtracted.

    Softmax is unchanged when the same constant is added to every entry, so
    :math:`\mathrm{softmax}(a) = \mathrm{softmax}(a - \max_j a_j)`, whose exponentials
    cannot overflow and whose denominator is at least 1.

    Parameters
    ----------
    a : array-like of any shape
        Logits.
    axis : int or tuple of ints, default=-1
        Axis along which the probabilities sum to 1 (SciPy defaults to all axes).

    Returns
    -------
    p : ndarray of the same shape as ``a``
    """
    a = _as_float_array(a, "a")
    e = np.exp(a - _finite_max(a, axis))                # entries in [0, 1]
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(a, axis=-1):
    r"""Log of the softmax, :math:`a_i - \log \sum_j e^{a_j}`, without forming the softmax.

    ``np.log(softmax(a))`` returns ``-inf`` once a probability underflows to 0;
    this form returns the finite log-probability.

    Parameters
    ----------
    a : array-like of any shape
    axis : int or tuple of ints, default=-1

    Returns
    -------
    log_p : ndarray of the same shape as ``a``
    """
    a = _as_float_array(a, "a")
    shifted = a - _finite_max(a, axis)                  # max entry 0
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, with no overflow.

    With :math:`z = e^{-|x|} \in (0, 1]`, :math:`\sigma(x) = 1/(1 + z)` for
    :math:`x \ge 0` and :math:`z / (1 + z)` for :math:`x < 0`; no exponential of a
    positive number is ever taken.

    Parameters
    ----------
    x : array-like of any shape

    Returns
    -------
    s : ndarray of the same shape as ``x`` (a scalar for scalar input), in [0, 1]
    """
    x = _as_float_array(x)
    z = np.exp(-np.abs(x))
    return _scalar_if_0d(np.where(x >= 0, 1 / (1 + z), z / (1 + z)))


def softplus(x):
    r"""Softplus :math:`\log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})`, with no overflow.

    Parameters
    ----------
    x : array-like of any shape

    Returns
    -------
    out : ndarray of the same shape as ``x`` (a scalar for scalar input)
    """
    x = _as_float_array(x)
    return _scalar_if_0d(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))))


def log_sigmoid(x):
    r"""Log of the sigmoid, :math:`\log \sigma(x) = -\mathrm{softplus}(-x)`.

    Parameters
    ----------
    x : array-like of any shape

    Returns
    -------
    out : ndarray of the same shape as ``x`` (a scalar for scalar input), at most 0
    """
    return -softplus(-_as_float_array(x))


def binary_cross_entropy_with_logits(logits, y, reduction="mean"):
    r"""Binary cross-entropy of labels ``y`` under probabilities ``sigmoid(logits)``.

    .. math::

        \ell(x, y) = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))
                   = \max(x, 0) - x y + \log(1 + e^{-|x|}),

    computed in the second form, which never takes the log of a rounded probability.

    Parameters
    ----------
    logits : array-like of any shape
        Real-valued scores :math:`x`.
    y : array-like of the same shape
        Targets in [0, 1] (hard labels 0/1 or soft labels).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : float, or ndarray of the shape of ``logits`` for ``reduction="none"``
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}.")
    x = _as_float_array(logits, "logits")
    y = _as_float_array(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"logits and y have different shapes: {x.shape} vs {y.shape}.")
    if np.any((y < 0) | (y > 1)) or np.any(np.isnan(y)):
        raise ValueError("y must lie in [0, 1].")
    loss = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
    if reduction == "mean":
        return float(np.mean(loss))
    if reduction == "sum":
        return float(np.sum(loss))
    return loss


def kahan_sum(x):
    r"""Compensated (Kahan) summation of all entries of ``x``.

    A running correction :math:`c` holds the low-order bits lost by the last addition
    and is subtracted from the next term:

    .. math::

        y = x_i - c, \quad t = s + y, \quad c = (t - s) - y, \quad s = t .

    The error is at most :math:`(2u + O(n u^2)) \sum_i |x_i|`, with :math:`u` the unit
    roundoff, nearly independent of :math:`n`. The loop is sequential (one Python step
    per entry), so it is slow for very large arrays.

    Parameters
    ----------
    x : array-like of any shape

    Returns
    -------
    total : float (``float32`` input gives a ``numpy.float32``)
    """
    x = _as_float_array(x).ravel()
    if x.dtype == np.float64:
        values, total = x.tolist(), 0.0                 # Python floats are IEEE doubles
    else:
        values, total = x, x.dtype.type(0)              # NumPy scalars keep the precision
    compensation = total
    for value in values:
        y = value - compensation
        t = total + y
        compensation = (t - total) - y                  # what was lost when adding y
        total = t
    return total


def pairwise_sum(x):
    r"""Pairwise (cascade) summation of all entries of ``x``.

    Adds neighbours in a balanced binary tree: :math:`(x_1 + x_2) + (x_3 + x_4)`, then
    those sums in pairs, and so on. Every entry takes part in only
    :math:`\lceil \log_2 n \rceil` additions, so the error is at most
    :math:`\gamma_{\lceil \log_2 n \rceil} \sum_i |x_i|` with
    :math:`\gamma_k = k u / (1 - k u)`. Vectorised: the array is padded with zeros to a
    power of two (adding 0 is exact) and halved level by level.

    Parameters
    ----------
    x : array-like of any shape

    Returns
    -------
    total : float (``float32`` input gives a ``numpy.float32``)
    """
    x = _as_float_array(x).ravel()
    if x.size == 0:
        return x.dtype.type(0)
    size = 1 << (x.size - 1).bit_length()               # next power of two >= x.size
    level = np.zeros(size, dtype=x.dtype)
    level[: x.size] = x
    while level.size > 1:
        level = level[0::2] + level[1::2]               # one level of the tree
    return level[0]


def welford_variance(x, ddof=0):
    r"""Variance in one pass with Welford's update, without cancellation.

    With running mean :math:`M_k` and sum of squared deviations :math:`S_k`,

    .. math::

        M_k = M_{k-1} + \frac{x_k - M_{k-1}}{k}, \qquad
        S_k = S_{k-1} + (x_k - M_{k-1})(x_k - M_k),

    and the variance is :math:`S_n / (n - \mathrm{ddof})`. Unlike
    :math:`\overline{x^2} - \bar x^2`, no large nearly equal numbers are subtracted.

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, n_features)
        Samples along axis 0; features are handled in parallel.
    ddof : int, default=0
        Delta degrees of freedom, as in ``numpy.var`` (1 gives the unbiased estimate).

    Returns
    -------
    var : float or ndarray of shape (n_features,)
    """
    x = _as_float_array(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"Expected a 1D or 2D array for x, got a {x.ndim}D array instead.")
    n_samples = x.shape[0]
    if n_samples - ddof <= 0:
        raise ValueError(f"Need more than ddof={ddof} samples, got {n_samples}.")
    if x.ndim == 1 and x.dtype == np.float64:
        mean, m2 = 0.0, 0.0                             # Python floats: fast scalar loop
        rows = x.tolist()
    else:
        mean = np.zeros(x.shape[1:], dtype=x.dtype)     # () or (n_features,)
        m2 = np.zeros(x.shape[1:], dtype=x.dtype)
        rows = x
    for k, row in enumerate(rows, start=1):
        delta = row - mean                              # x_k - M_{k-1}
        mean = mean + delta / k                         # M_k
        m2 = m2 + delta * (row - mean)                  # S_k
    return _scalar_if_0d(np.asarray(m2 / (n_samples - ddof)))
