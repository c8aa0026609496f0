r"""First-order optimizers from scratch: SGD (with momentum and Nesterov), AdaGrad,
RMSProp, Adam and AdamW, plus a driver loop and a mini-batch sampler.

Every optimizer follows the update rule that PyTorch documents for its namesake in
``torch.optim`` (``SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``), step for step:
where the weight decay enters, where :math:`\epsilon` is added (outside the square
root), how the momentum buffer starts and which form of Nesterov momentum is used.
Each class docstring writes its rule out. The optimizers work on one NumPy array of
parameters at a time and never modify their inputs::

    opt = Adam(lr=1e-2)
    for _ in range(100):
        params = opt.step(params, grad(params))

The book pages "Gradient descent and stochastic gradient descent" and "Momentum,
Nesterov and adaptive optimizers" derive and test these rules.
"""

import numbers

import numpy as np

__all__ = ["SGD", "AdaGrad", "RMSProp", "Adam", "AdamW", "minimize", "minibatches"]


def _check_non_negative(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value!r}.")


def _check_unit_interval(name, value):
    """Check ``0 <= value < 1``, the range of every averaging coefficient."""
    _check_non_negative(name, value)
    if not value < 1:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}.")


class _Optimizer:
    """Shared machinery: input checks, the step counter and the state reset.

    Subclasses define ``_check_hyperparameters``, ``_init_state`` and ``_update``.
    The state (step counter ``t_`` and buffers ending in ``_``) is created at the
    first call of :meth:`step` with the shape of the parameters, and :meth:`reset`
    clears it.
    """

    def __init__(self):
        self._check_hyperparameters()
        self.reset()

    def reset(self):
        """Forget the state, so that the next :meth:`step` is step 1 again."""
        self.t_ = 0
        self._shape = None

    def step(self, params, grads):
        """Take one optimization step.

        Parameters
        ----------
        params : array-like of any shape
            Current parameters :math:`\\theta_{t-1}`.
        grads : array-like, same shape as ``params``
            Gradient of the objective at ``params``, :math:`\\nabla f(\\theta_{t-1})`.

        Returns
        -------
        new_params : ndarray, same shape as ``params``
            :math:`\\theta_t`. The inputs are not modified.
        """
        self._check_hyperparameters()        # hyperparameters may be changed between steps
        params = np.array(params, dtype=float)   # copies: the inputs are never modified
        grads = np.array(grads, dtype=float)
        if params.shape != grads.shape:
            raise ValueError(f"params and grads have different shapes: {params.shape} vs {grads.shape}.")
        if self._shape is None:
            self._shape = params.shape
            self._init_state(params.shape)
        elif params.shape != self._shape:
            raise ValueError(
                f"params have shape {params.shape}, but this optimizer's state has shape {self._shape}; "
                "call reset() before optimizing parameters of another shape."
            )
        self.t_ += 1
        return self._update(params, grads)

    def _check_hyperparameters(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _init_state(self, shape):  # pragma: no cover - overridden
        raise NotImplementedError

    def _update(self, params, grads):  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self):
        names = [k for k in vars(self) if not k.startswith("_") and not k.endswith("_")]
        return f"{type(self).__name__}(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in names) + ")"


class SGD(_Optimizer):
    r"""Stochastic gradient descent with optional momentum, Nesterov momentum and L2
    weight decay, as ``torch.optim.SGD``.

    With :math:`\gamma` = ``lr``, :math:`\mu` = ``momentum``, :math:`\tau` =
    ``dampening`` and :math:`\lambda` = ``weight_decay``, step :math:`t = 1, 2, \dots`
    computes

    .. math::

        g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        b_t &= g_t \text{ if } t = 1, \quad
               b_t = \mu b_{t-1} + (1 - \tau) g_t \text{ if } t > 1 \\
        d_t &= g_t + \mu b_t \text{ (Nesterov)}, \quad d_t = b_t \text{ (otherwise)} \\
        \theta_t &= \theta_{t-1} - \gamma d_t ,

    and :math:`d_t = g_t` when :math:`\mu = 0`. The buffer :math:`b_t` is a sum of
    past gradients, not an average: without dampening, a constant gradient :math:`g`
    gives steps that approach :math:`\gamma g / (1 - \mu)`. The learning rate
    multiplies the buffer rather than entering it (Sutskever et al. put it inside; the
    two agree while ``lr`` is constant). The Nesterov form evaluates the gradient at
    the current parameters and adds the look-ahead term :math:`\mu b_t`, which is
    Nesterov's method rewritten in shifted variables.

    Parameters
    ----------
    lr : float
        Learning rate :math:`\gamma \ge 0`.
    momentum : float, default=0
        :math:`\mu \in [0, 1)`.
    dampening : float, default=0
        :math:`\tau \in [0, 1]`; must be 0 for Nesterov momentum.
    nesterov : bool, default=False
        Requires ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient (the penalty
        :math:`\tfrac{\lambda}{2} \lVert\theta\rVert^2` in the objective).

    Attributes
    ----------
    t_ : int
        Number of steps taken.
    momentum_buffer_ : ndarray or None
        :math:`b_t`; None when ``momentum == 0``.

    Notes
    -----
    Derived in the book pages "Gradient descent and stochastic gradient descent" and
    "Momentum, Nesterov and adaptive optimizers".
    """

    def __init__(self, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weight_decay = weight_decay
        super().__init__()

    def _check_hyperparameters(self):
        _check_non_negative("lr", self.lr)
        _check_unit_interval("momentum", self.momentum)
        _check_non_negative("dampening", self.dampening)
        if self.dampening > 1:
            raise ValueError(f"dampening must lie in [0, 1], got {self.dampening!r}.")
        _check_non_negative("weight_decay", self.weight_decay)
        if not isinstance(self.nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be True or False, got {self.nesterov!r}.")
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires momentum > 0 and dampening = 0.")

    def _init_state(self, shape):
        self.momentum_buffer_ = None

    def _update(self, params, grads):
        g = grads + self.weight_decay * params if self.weight_decay else grads
        if self.momentum:
            if self.momentum_buffer_ is None:
                self.momentum_buffer_ = g.copy()                         # b_1 = g_1
            else:
                self.momentum_buffer_ = self.momentum * self.momentum_buffer_ + (1 - self.dampening) * g
            d = g + self.momentum * self.momentum_buffer_ if self.nesterov else self.momentum_buffer_
        else:
            d = g
        return params - self.lr * d


class AdaGrad(_Optimizer):
    r"""AdaGrad: per-coordinate steps scaled by the root of the summed squared
    gradients, as ``torch.optim.Adagrad``.

    With :math:`\gamma` = ``lr``, :math:`\eta` = ``lr_decay``, :math:`\lambda` =
    ``weight_decay`` and :math:`s_0` = ``initial_accumulator_value`` (in every
    coordinate), step :math:`t` computes (element-wise)

    .. math::

        \tilde\gamma_t &= \gamma / (1 + (t - 1)\eta) \\
        g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t \, g_t / (\sqrt{s_t} + \epsilon) .

    :math:`\epsilon` is added after the square root.

    Parameters
    ----------
    lr : float, default=1e-2
    lr_decay : float, default=0
    weight_decay : float, default=0
        L2 penalty added to the gradient.
    initial_accumulator_value : float, default=0
    eps : float, default=1e-10

    Attributes
    ----------
    t_ : int
    sum_ : ndarray
        :math:`s_t`, the running sum of squared gradients.

    Notes
    -----
    Derived in the book page "Momentum, Nesterov and adaptive optimizers".
    """

    def __init__(self, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        self.lr = lr
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps
        super().__init__()

    def _check_hyperparameters(self):
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            _check_non_negative(name, getattr(self, name))

    def _init_state(self, shape):
        self.sum_ = np.full(shape, float(self.initial_accumulator_value))

    def _update(self, params, grads):
        lr_t = self.lr / (1 + (self.t_ - 1) * self.lr_decay)
        g = grads + self.weight_decay * params if self.weight_decay else grads
        self.sum_ = self.sum_ + g**2
        return params - lr_t * g / (np.sqrt(self.sum_) + self.eps)


class RMSProp(_Optimizer):
    r"""RMSProp: per-coordinate steps scaled by the root of an exponential moving
    average of squared gradients, as ``torch.optim.RMSprop``.

    With :math:`\gamma` = ``lr``, :math:`\alpha` = ``alpha``, :math:`\mu` =
    ``momentum`` and :math:`\lambda` = ``weight_decay``, step :math:`t` computes
    (element-wise, all buffers start at 0)

    .. math::

        g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \tilde v_t &= v_t - \bar g_t^2, \quad
            \bar g_t = \alpha \bar g_{t-1} + (1 - \alpha) g_t
            \quad \text{(centered; otherwise } \tilde v_t = v_t) \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) , \qquad
        \theta_t = \theta_{t-1} - \gamma b_t ,

    and without momentum (:math:`\mu = 0`) simply
    :math:`\theta_t = \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)`.
    There is no bias correction, and :math:`\epsilon` is added after the square root.
    In the centered variant :math:`\tilde v_t \ge 0` holds exactly (Cauchy-Schwarz);
    it is clipped at 0 against rounding errors, where PyTorch would return NaN.

    Parameters
    ----------
    lr : float, default=1e-2
    alpha : float, default=0.99
        Smoothing constant in [0, 1).
    eps : float, default=1e-8
    weight_decay : float, default=0
    momentum : float, default=0
        In [0, 1).
    centered : bool, default=False

    Attributes
    ----------
    t_ : int
    square_avg_ : ndarray
        :math:`v_t`.
    grad_avg_ : ndarray
        :math:`\bar g_t` (used only when centered).
    momentum_buffer_ : ndarray
        :math:`b_t` (used only with momentum).

    Notes
    -----
    Derived in the book page "Momentum, Nesterov and adaptive optimizers".
    """

    def __init__(self, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = centered
        super().__init__()

    def _check_hyperparameters(self):
        for name in ("lr", "eps", "weight_decay"):
            _check_non_negative(name, getattr(self, name))
        _check_unit_interval("alpha", self.alpha)
        _check_unit_interval("momentum", self.momentum)
        if not isinstance(self.centered, (bool, np.bool_)):
            raise ValueError(f"centered must be True or False, got {self.centered!r}.")

    def _init_state(self, shape):
        self.square_avg_ = np.zeros(shape)
        self.grad_avg_ = np.zeros(shape)
        self.momentum_buffer_ = np.zeros(shape)

    def _update(self, params, grads):
        g = grads + self.weight_decay * params if self.weight_decay else grads
        self.square_avg_ = self.alpha * self.square_avg_ + (1 - self.alpha) * g**2
        v = self.square_avg_
        if self.centered:
            self.grad_avg_ = self.alpha * self.grad_avg_ + (1 - self.alpha) * g
            # v_t - gbar_t^2 >= 0 by the Cauchy-Schwarz inequality; clip rounding errors
            v = np.maximum(v - self.grad_avg_**2, 0.0)
        direction = g / (np.sqrt(v) + self.eps)
        if self.momentum:
            self.momentum_buffer_ = self.momentum * self.momentum_buffer_ + direction
            direction = self.momentum_buffer_
        return params - self.lr * direction


class Adam(_Optimizer):
    r"""Adam with bias-corrected moment estimates and optional L2 weight decay, as
    ``torch.optim.Adam`` (without AMSGrad).

    With :math:`\gamma` = ``lr``, :math:`(\beta_1, \beta_2)` = ``betas`` and
    :math:`\lambda` = ``weight_decay``, step :math:`t` computes (element-wise,
    :math:`m_0 = v_0 = 0`)

    .. math::

        g_t &= \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t , \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t) , \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        \theta_t &= \theta_{t-1} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon) .

    :math:`\epsilon` is added after the square root of the *bias-corrected*
    :math:`\hat v_t`. The weight decay is an L2 penalty: it passes through the moment
    estimates and is rescaled per coordinate like the gradient. :class:`AdamW`
    decouples it.

    Parameters
    ----------
    lr : float, default=1e-3
    betas : tuple of two floats, default=(0.9, 0.999)
        Each in [0, 1).
    eps : float, default=1e-8
    weight_decay : float, default=0

    Attributes
    ----------
    t_ : int
    exp_avg_ : ndarray
        :math:`m_t`.
    exp_avg_sq_ : ndarray
        :math:`v_t`.

    Notes
    -----
    Derived in the book page "Momentum, Nesterov and adaptive optimizers", including
    why dividing by :math:`1 - \beta^t` removes the bias of the averages started at 0.
    """

    _decoupled = False

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        super().__init__()

    def _check_hyperparameters(self):
        for name in ("lr", "eps", "weight_decay"):
            _check_non_negative(name, getattr(self, name))
        try:
            beta1, beta2 = self.betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of floats, got {self.betas!r}.") from None
        _check_unit_interval("betas[0]", beta1)
        _check_unit_interval("betas[1]", beta2)

    def _init_state(self, shape):
        self.exp_avg_ = np.zeros(shape)
        self.exp_avg_sq_ = np.zeros(shape)

    def _update(self, params, grads):
        beta1, beta2 = self.betas
        t = self.t_
        g = grads
        if self.weight_decay:
            if self._decoupled:
                params = params * (1 - self.lr * self.weight_decay)   # theta <- theta - lr * lambda * theta
            else:
                g = grads + self.weight_decay * params                # L2 penalty in the gradient
        self.exp_avg_ = beta1 * self.exp_avg_ + (1 - beta1) * g
        self.exp_avg_sq_ = beta2 * self.exp_avg_sq_ + (1 - beta2) * g**2
        m_hat = self.exp_avg_ / (1 - beta1**t)
        v_hat = self.exp_avg_sq_ / (1 - beta2**t)
        return params - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as ``torch.optim.AdamW`` (without AMSGrad).

    The same moment estimates as :class:`Adam`, computed from the raw gradient
    :math:`g_t = \nabla f(\theta_{t-1})`; the decay shrinks the parameters directly,
    by a factor that includes the learning rate:

    .. math::

        \theta'_{t} &= (1 - \gamma \lambda)\, \theta_{t-1} \\
        \theta_t &= \theta'_{t} - \gamma \, \hat m_t / (\sqrt{\hat v_t} + \epsilon) .

    Parameters
    ----------
    lr : float, default=1e-3
    betas : tuple of two floats, default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=1e-2
        :math:`\lambda`; note PyTorch's default of 0.01 (Adam's is 0).

    Notes
    -----
    Derived in the book page "Momentum, Nesterov and adaptive optimizers", which shows
    numerically that AdamW and Adam with an L2 penalty differ, while for plain SGD the
    two kinds of decay coincide.
    """

    _decoupled = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def minimize(grad_fn, x0, optimizer, n_steps):
    r"""Run ``n_steps`` steps of ``optimizer`` on a function given by its gradient.

    The optimizer is reset first, so the run starts at step 1 with empty buffers.

    Parameters
    ----------
    grad_fn : callable
        Maps parameters (an ndarray shaped like ``x0``) to the gradient of the
        objective there, of the same shape.
    x0 : array-like of any shape
        Starting point :math:`\theta_0`.
    optimizer : SGD, AdaGrad, RMSProp, Adam or AdamW
    n_steps : int
        Number of steps, at least 0.

    Returns
    -------
    trajectory : ndarray of shape (n_steps + 1, *x0.shape)
        :math:`\theta_0, \theta_1, \dots, \theta_{n\_steps}`. A divergent run is not
        stopped: its iterates may grow to ``inf`` or ``nan``.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}.")
    if not callable(grad_fn):
        raise ValueError("grad_fn must be callable.")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "reset"):
        raise ValueError(f"optimizer must have step() and reset() methods, got {optimizer!r}.")
    x = np.array(x0, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 contains NaN or infinity.")
    optimizer.reset()
    trajectory = np.empty((n_steps + 1,) + x.shape)
    trajectory[0] = x
    with np.errstate(over="ignore", invalid="ignore"):    # divergence is visible in the output
        for k in range(n_steps):
            x = optimizer.step(x, grad_fn(x))
            trajectory[k + 1] = x
    return trajectory


def minibatches(n_samples, batch_size, *, shuffle=True, replace=False, drop_last=False, random_state=None):
    """Return an iterator over the index arrays of the mini-batches of one epoch.

    Without replacement (the default, what a shuffled data loader does), the indices
    ``0, ..., n_samples - 1`` are put in random order (``shuffle=True``) or kept in
    order, then cut into consecutive batches of ``batch_size``: every index appears in
    exactly one batch. The last batch holds the remaining ``n_samples % batch_size``
    indices, unless ``drop_last`` drops it.

    With replacement (``replace=True``), each batch is drawn independently and
    uniformly from all indices, so an index can appear several times in an epoch or
    not at all; the batch sizes are the same as without replacement.

    Parameters
    ----------
    n_samples : int
        Number of samples, at least 1.
    batch_size : int
        At least 1. A value above ``n_samples`` gives one batch of every index.
    shuffle : bool, default=True
        Random order without replacement. Must be True when ``replace=True``.
    replace : bool, default=False
        Sample each batch with replacement.
    drop_last : bool, default=False
        Drop the last batch if it is smaller than ``batch_size``.
    random_state : None, int or numpy.random.Generator
        Seed, passed to ``numpy.random.default_rng``.

    Returns
    -------
    batches : iterator of ndarray of shape (batch_size,) or smaller, dtype int
        The arguments are checked when ``minibatches`` is called, not at the first
        batch.
    """
    for name, value in (("n_samples", n_samples), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if replace and not shuffle:
        raise ValueError("Sampling with replacement is random: replace=True needs shuffle=True.")
    rng = np.random.default_rng(random_state)
    n_full, remainder = divmod(n_samples, batch_size)
    sizes = [batch_size] * n_full + ([remainder] if remainder and not drop_last else [])
    return _generate_batches(n_samples, sizes, shuffle, replace, rng)


def _generate_batches(n_samples, sizes, shuffle, replace, rng):
    # A separate generator, so that minibatches() checks its arguments when called.
    if replace:
        for size in sizes:
            yield rng.integers(0, n_samples, size=size)
        return
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    start = 0
    for size in sizes:
        yield order[start:start + size]
        start += size
