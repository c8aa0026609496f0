r"""Automatic differentiation from scratch: forward mode and reverse mode.

* ``Dual``: a dual number :math:`a + b\varepsilon` with :math:`\varepsilon^2 = 0`.
  Evaluating a function on ``Dual(x, v)`` carries the directional derivative along:
  :math:`f(x + v\varepsilon) = f(x) + f'(x) v\,\varepsilon` (forward mode).
* ``Value``: a scalar that records the operations applied to it. ``backward()`` walks
  that graph from the output back to the inputs and accumulates
  :math:`\partial\,\text{output} / \partial\,\text{node}` in every node's ``grad``
  (reverse mode, backpropagation). Each operation defines its local derivative right
  next to its forward computation.

Both work inside NumPy object arrays: ``np.exp``, ``np.log``, ``np.tanh``, ``np.sin``,
``np.cos``, ``np.sqrt`` and ``np.abs`` call the methods of the same name, and ``@``
and ``np.sum`` use ``+`` and ``*``. So one function written with NumPy can be
evaluated on floats, on ``Dual`` numbers and on ``Value`` objects; ``grad``,
``forward_grad`` and ``jvp`` do exactly that.

Derived in the book page "The chain rule and automatic differentiation".
"""

import functools
import math

import numpy as np

from .numerics import sigmoid as _stable_sigmoid


def _primal(x):
    """The plain number inside a (possibly nested) ``Dual`` or a ``Value``."""
    while isinstance(x, (Dual, Value)):
        x = x.val if isinstance(x, Dual) else x.data
    return x


def _defer_to_arrays(method):
    """Let NumPy broadcast ``Dual/Value op ndarray`` into an array of results.

    Without this, ``Dual(1.0) * np.ones(3)`` would build one Dual holding arrays.
    Returning NotImplemented makes Python call ``ndarray.__rmul__`` etc., which applies
    the operation to each entry.
    """
    @functools.wraps(method)
    def wrapper(self, other):
        if isinstance(other, np.ndarray):
            return NotImplemented
        return method(self, other)
    return wrapper


# ---- forward mode ----------------------------------------------------------------------

class Dual:
    r"""Dual number :math:`\text{val} + \text{dot}\,\varepsilon` with :math:`\varepsilon^2 = 0`.

    Every operation applies the rule :math:`f(a + b\varepsilon) = f(a) + f'(a)\, b\,
    \varepsilon`, so after evaluating a function on ``Dual(x, v)`` the ``dot`` part of
    the result is the directional derivative :math:`J_f(x)\, v`, exact up to rounding.
    ``val`` and ``dot`` may themselves be ``Dual`` numbers, which gives second
    derivatives (forward over forward).

    Parameters
    ----------
    val : float or Dual
        Primal value :math:`a`.
    dot : float or Dual, default=0.0
        Tangent :math:`b`, the derivative of ``val`` along the chosen direction.
    """

    __slots__ = ("val", "dot")

    def __init__(self, val, dot=0.0):
        self.val = val
        self.dot = dot

    def __repr__(self):
        def show(part):
            return repr(part) if isinstance(part, Dual) else f"{float(part):.6g}"
        return f"Dual(val={show(self.val)}, dot={show(self.dot)})"

    @staticmethod
    def _lift(other):
        return other if isinstance(other, Dual) else Dual(other, 0.0)

    @_defer_to_arrays
    def __add__(self, other):                          # (a + b e) + (c + d e)
        other = Dual._lift(other)
        return Dual(self.val + other.val, self.dot + other.dot)

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.val, -self.dot)

    @_defer_to_arrays
    def __sub__(self, other):
        other = Dual._lift(other)
        return Dual(self.val - other.val, self.dot - other.dot)

    @_defer_to_arrays
    def __rsub__(self, other):
        return Dual._lift(other) - self

    @_defer_to_arrays
    def __mul__(self, other):                          # product rule, from e^2 = 0
        other = Dual._lift(other)
        return Dual(self.val * other.val, self.dot * other.val + self.val * other.dot)

    __rmul__ = __mul__

    @_defer_to_arrays
    def __truediv__(self, other):                      # quotient rule
        other = Dual._lift(other)
        quotient = self.val / other.val
        return Dual(quotient, (self.dot - quotient * other.dot) / other.val)

    @_defer_to_arrays
    def __rtruediv__(self, other):
        return Dual._lift(other) / self

    @_defer_to_arrays
    def __pow__(self, exponent):
        if isinstance(exponent, Dual):                 # a^b = exp(b log a), for a > 0
            return (exponent * self.log()).exp()
        return Dual(self.val ** exponent,
                    exponent * self.val ** (exponent - 1) * self.dot)

    @_defer_to_arrays
    def __rpow__(self, base):                          # c^x, for a constant c > 0
        power = base ** self.val
        return Dual(power, power * math.log(base) * self.dot)

    def exp(self):
        e = exp(self.val)
        return Dual(e, e * self.dot)

    def log(self):
        return Dual(log(self.val), self.dot / self.val)

    def sin(self):
        return Dual(sin(self.val), cos(self.val) * self.dot)

    def cos(self):
        return Dual(cos(self.val), -sin(self.val) * self.dot)

    def tanh(self):
        t = tanh(self.val)
        return Dual(t, (1 - t * t) * self.dot)

    def sigmoid(self):
        s = sigmoid(self.val)
        return Dual(s, s * (1 - s) * self.dot)

    def sqrt(self):
        r = sqrt(self.val)
        return Dual(r, self.dot / (2 * r))

    def relu(self):                                    # derivative 0 at 0 (a subgradient)
        return Dual(relu(self.val), self.dot if _primal(self.val) > 0 else 0 * self.dot)

    def __abs__(self):                                 # derivative sign(x), 0 at 0
        sign = float(np.sign(_primal(self.val)))
        return Dual(sign * self.val, sign * self.dot)


# ---- reverse mode ----------------------------------------------------------------------

class Value:
    r"""A scalar node of a computational graph, for reverse-mode differentiation.

    Each arithmetic operation or elementary function returns a new ``Value`` that
    remembers its inputs (``parents``) and a closure ``_backward`` that adds
    ``out.grad`` times the local partial derivative to each input's ``grad``.
    ``backward()`` runs those closures in reverse topological order.

    Parameters
    ----------
    data : float
        The value computed in the forward pass.
    parents : tuple of Value, default=()
        The inputs of the operation that produced this node (empty for a leaf).
    op : str, default=""
        Name of that operation, for display.

    Attributes
    ----------
    grad : float
        After ``out.backward()``: the derivative of ``out`` with respect to this node.
    """

    __slots__ = ("data", "grad", "parents", "op", "_backward")

    def __init__(self, data, parents=(), op=""):
        if isinstance(data, (Value, Dual)):
            raise TypeError("Value holds a plain number; nesting Value/Dual is not supported.")
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self._backward = _leaf_backward

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # Each method: forward value first, then the local backward rule beside it.

    @_defer_to_arrays
    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():                               # d(a + b)/da = d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    __radd__ = __add__

    @_defer_to_arrays
    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():                               # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __rmul__ = __mul__

    def __neg__(self):
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad
        out._backward = _backward
        return out

    @_defer_to_arrays
    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():                               # d(a - b)/da = 1, d(a - b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    @_defer_to_arrays
    def __rsub__(self, other):
        return Value(other) - self

    @_defer_to_arrays
    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():                               # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            self.grad += out.grad / other.data
            other.grad -= out.grad * out.data / other.data
        out._backward = _backward
        return out

    @_defer_to_arrays
    def __rtruediv__(self, other):
        return Value(other) / self

    @_defer_to_arrays
    def __pow__(self, exponent):
        if isinstance(exponent, Value):                # a^b = exp(b log a), for a > 0
            return (exponent * self.log()).exp()
        exponent = float(exponent)
        out = Value(self.data ** exponent, (self,), f"**{exponent:g}")

        def _backward():                               # d(a^p)/da = p a^(p-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad
        out._backward = _backward
        return out

    @_defer_to_arrays
    def __rpow__(self, base):                          # c^x for a constant c > 0
        out = Value(base ** self.data, (self,), "c**")

        def _backward():                               # d(c^x)/dx = c^x log c
            self.grad += out.data * math.log(base) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            e = math.inf
        out = Value(e, (self,), "exp")

        def _backward():                               # d(e^a)/da = e^a
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def _backward():                               # d(log a)/da = 1/a
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def sin(self):
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad
        out._backward = _backward
        return out

    def cos(self):
        out = Value(math.cos(self.data), (self,), "cos")

        def _backward():
            self.grad -= math.sin(self.data) * out.grad
        out._backward = _backward
        return out

    def sqrt(self):
        out = Value(math.sqrt(self.data), (self,), "sqrt")

        def _backward():                               # d(sqrt a)/da = 1/(2 sqrt a)
            self.grad += out.grad / (2 * out.data)
        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():                               # d(tanh a)/da = 1 - tanh(a)^2
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(float(_stable_sigmoid(self.data)), (self,), "sigmoid")

        def _backward():                               # d(sigma(a))/da = sigma (1 - sigma)
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():                               # 1 for a > 0, else 0 (0 at a = 0)
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def __abs__(self):
        out = Value(abs(self.data), (self,), "abs")

        def _backward():                               # sign(a), 0 at a = 0
            self.grad += float(np.sign(self.data)) * out.grad
        out._backward = _backward
        return out

    def topological_order(self):
        """Every node this one depends on, each after all of its parents (inputs first).

        Iterative depth-first search, so deep graphs do not hit Python's recursion limit.
        """
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))                 # revisit once the parents are done
            stack.extend((p, False) for p in node.parents if id(p) not in visited)
        return order

    def backward(self):
        r"""Set ``node.grad`` to :math:`\partial\,\text{self} / \partial\,\text{node}` for every node.

        The gradients of the whole graph are reset first, so calling ``backward`` twice
        gives the same result (unlike PyTorch, which accumulates).
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):                   # outputs before inputs
            node._backward()


def _leaf_backward():
    """A leaf has no inputs to pass its gradient to."""


# ---- elementary functions for floats, arrays, Dual and Value --------------------------

def _elementwise(name, x, float_fn):
    if isinstance(x, (Dual, Value)):
        return getattr(x, name)()
    array = np.asarray(x)
    if array.dtype == object:                          # an array of Dual or Value
        return np.frompyfunc(lambda item: _elementwise(name, item, float_fn), 1, 1)(array)
    return float_fn(array)


def exp(x):
    """Elementwise :math:`e^x` of a float, an array, a ``Dual`` or a ``Value``."""
    return _elementwise("exp", x, np.exp)


def log(x):
    """Elementwise natural logarithm."""
    return _elementwise("log", x, np.log)


def sin(x):
    """Elementwise sine."""
    return _elementwise("sin", x, np.sin)


def cos(x):
    """Elementwise cosine."""
    return _elementwise("cos", x, np.cos)


def tanh(x):
    """Elementwise hyperbolic tangent."""
    return _elementwise("tanh", x, np.tanh)


def sqrt(x):
    """Elementwise square root."""
    return _elementwise("sqrt", x, np.sqrt)


def sigmoid(x):
    r"""Elementwise logistic sigmoid :math:`1 / (1 + e^{-x})`, computed stably."""
    return _elementwise("sigmoid", x, _stable_sigmoid)


def relu(x):
    r"""Elementwise :math:`\max(x, 0)`; its derivative is taken to be 0 at 0."""
    return _elementwise("relu", x, lambda a: np.maximum(a, 0.0))


# ---- gradients of functions written with NumPy ----------------------------------------

def _leaves(x, make):
    """An object array shaped like ``x`` holding ``make(index, value)`` for each entry."""
    leaves = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        leaves[idx] = make(idx, x[idx])
    return leaves if x.ndim else leaves[()]


def _unwrap_scalar(out):
    if isinstance(out, np.ndarray):
        if out.size != 1:
            raise ValueError(f"f must return a scalar, got an array of shape {out.shape}.")
        out = out.reshape(()).item()
    return out


def value_and_grad(f):
    r"""Reverse mode: a function returning ``(f(x), gradient of f at x)``.

    ``f`` maps an array shaped like ``x`` to a scalar and is written with ordinary
    operators and NumPy functions. It is called once on an object array of ``Value``
    leaves; one ``backward()`` then gives every partial derivative, at a cost of a
    small constant times one evaluation of ``f``, whatever the size of ``x``.

    Parameters
    ----------
    f : callable
        Maps an ndarray shaped like ``x`` to a scalar.

    Returns
    -------
    value_and_grad_f : callable
        ``value_and_grad_f(x)`` returns ``(value, grad)`` with ``value`` a float and
        ``grad`` an ndarray of the same shape as ``x``.
    """
    def value_and_grad_f(x):
        x = np.asarray(x, dtype=float)
        leaves = _leaves(x, lambda idx, v: Value(v))
        out = _unwrap_scalar(f(leaves))
        if not isinstance(out, Value):                 # f does not depend on x
            return float(out), np.zeros_like(x)
        out.backward()
        grads = np.array([leaf.grad for leaf in np.ravel(leaves)]).reshape(x.shape)
        return out.data, grads
    return value_and_grad_f


def grad(f):
    r"""Reverse mode: a function returning the gradient :math:`\nabla f(x)`, shaped like ``x``.

    See ``value_and_grad``.
    """
    value_and_grad_f = value_and_grad(f)
    return lambda x: value_and_grad_f(x)[1]


def jvp(f, x, v):
    r"""Forward mode: ``(f(x), J_f(x) v)`` from one evaluation of ``f`` on dual numbers.

    Parameters
    ----------
    f : callable
        Maps an ndarray shaped like ``x`` to a scalar or an array.
    x : array-like
        Point.
    v : array-like of the same shape as ``x``
        Direction (tangent).

    Returns
    -------
    value : float or ndarray
        ``f(x)``.
    tangent : float or ndarray of the same shape as ``value``
        The directional derivative :math:`J_f(x)\, v`.
    """
    x = np.asarray(x, dtype=float)
    v = np.asarray(v, dtype=float)
    if v.shape != x.shape:
        raise ValueError(f"x and v have different shapes: {x.shape} vs {v.shape}.")
    out = f(_leaves(x, lambda idx, value: Dual(value, v[idx])))
    if isinstance(out, Dual):
        return float(out.val), float(out.dot)
    out_array = np.asarray(out)
    if out_array.dtype != object:                      # f does not depend on x
        return out, np.zeros_like(out_array, dtype=float)
    values = np.array([Dual._lift(o).val for o in out_array.ravel()], dtype=float)
    tangents = np.array([Dual._lift(o).dot for o in out_array.ravel()], dtype=float)
    return values.reshape(out_array.shape), tangents.reshape(out_array.shape)


def forward_grad(f):
    r"""Forward mode gradient: one ``jvp`` per input, along each basis vector :math:`e_i`.

    Costs ``x.size`` evaluations of ``f``, against one forward and one backward pass
    for ``grad``. Given for comparison.
    """
    def forward_grad_f(x):
        x = np.asarray(x, dtype=float)
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            basis = np.zeros_like(x)
            basis[idx] = 1.0
            g[idx] = jvp(f, x, basis)[1]
        return g
    return forward_grad_f


def derivative(f, x):
    r"""Derivative :math:`f'(x)` of a scalar function of one variable, by forward mode."""
    out = f(Dual(float(x), 1.0))
    return float(out.dot) if isinstance(out, Dual) else 0.0
