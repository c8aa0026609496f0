"""Probability from scratch: Bayes' rule, common distributions, sample statistics.

The book pages "Probability foundations and Bayes' theorem", "Common distributions"
and "Expectation, variance, covariance and correlation"
(``book/mathematics/probability-bayes.md``, ``distributions.md`` and
``expectation-covariance.md``) derive every formula used here. NumPy only: log-gamma
values come from :func:`math.lgamma`, applied elementwise.

Conventions
-----------
* Probability mass and density functions take the point(s) first and broadcast
  points and parameters against each other, like ``scipy.stats``.
* A point outside the support has mass or density 0; a parameter outside its range
  raises ``ValueError`` (``scipy.stats`` returns NaN instead).
* ``geometric_pmf`` counts *trials* up to and including the first success
  (support 1, 2, ...), as ``scipy.stats.geom`` does.
"""

import math
from typing import NamedTuple

import numpy as np

_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _as_float_array(values, name):
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert it to floats: {exc}") from None
    return arr


def _check_probability(p, name="p", *, open_left=False):
    p = _as_float_array(p, name)
    low_ok = p > 0 if open_left else p >= 0
    if not np.all(low_ok & (p <= 1)):           # NaN fails both comparisons
        interval = "(0, 1]" if open_left else "[0, 1]"
        raise ValueError(f"{name} must lie in {interval}, got {p}.")
    return p


def _check_positive(x, name, *, allow_zero=False):
    x = _as_float_array(x, name)
    ok = x >= 0 if allow_zero else x > 0
    if not np.all(ok & np.isfinite(x)):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be finite and {kind}, got {x}.")
    return x


def _xlogy(x, y):
    """``x * log(y)`` with the convention ``0 * log(0) = 0``."""
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = np.zeros(x.shape)
    nonzero = x != 0
    with np.errstate(divide="ignore"):
        out[nonzero] = x[nonzero] * np.log(y[nonzero])
    return out


def _is_integer(k):
    return np.isfinite(k) & (k == np.floor(k))


# ---- Bayes' rule ---------------------------------------------------------------------

def bayes_posterior(prior, likelihoods, *, return_evidence=False):
    r"""Posterior over a finite set of hypotheses by Bayes' rule.

    .. math::

        P(H_k \mid D) = \frac{P(D \mid H_k)\, P(H_k)}{\sum_j P(D \mid H_j)\, P(H_j)} .

    The denominator, the *evidence* :math:`P(D)`, is the law of total probability.
    With several observations (rows of ``likelihoods``) they are assumed conditionally
    independent given the hypothesis, so their likelihoods multiply (the naive Bayes
    assumption); the product is formed in log space, so many small likelihoods do not
    underflow.

    Parameters
    ----------
    prior : array-like of shape (n_hypotheses,)
        Non-negative weights with a finite positive sum; they are divided by their sum.
    likelihoods : array-like of shape (n_hypotheses,) or (n_observations, n_hypotheses)
        :math:`P(D \mid H_k)` for each hypothesis (a probability, or a density value
        for continuous data, so it may exceed 1); non-negative and finite.
    return_evidence : bool, default=False
        Also return :math:`P(D)`.

    Returns
    -------
    posterior : ndarray of shape (n_hypotheses,)
    evidence : float
        Only if ``return_evidence``. May underflow to 0 for many observations.

    Notes
    -----
    Derived in the book page "Probability foundations and Bayes' theorem".
    """
    prior = _as_float_array(prior, "prior")
    likelihoods = _as_float_array(likelihoods, "likelihoods")
    if prior.ndim != 1 or prior.size == 0:
        raise ValueError(f"prior must be a non-empty 1D array, got shape {prior.shape}.")
    if not np.all(np.isfinite(prior) & (prior >= 0)):
        raise ValueError("prior must contain finite, non-negative weights.")
    with np.errstate(over="ignore"):
        total = prior.sum()
    if not (np.isfinite(total) and total > 0):
        raise ValueError("prior cannot be normalised: its weights sum to 0 (or overflow).")
    if likelihoods.ndim == 1:
        likelihoods = likelihoods[None, :]
    if likelihoods.ndim != 2 or likelihoods.shape[1] != prior.size:
        raise ValueError(
            f"likelihoods must have shape ({prior.size},) or (n_observations, {prior.size}), "
            f"got {likelihoods.shape}."
        )
    if not np.all(np.isfinite(likelihoods) & (likelihoods >= 0)):
        raise ValueError("likelihoods must be finite and non-negative.")

    with np.errstate(divide="ignore"):
        log_joint = np.log(prior / total) + np.log(likelihoods).sum(axis=0)   # (n_hypotheses,)
    top = log_joint.max()
    if not np.isfinite(top):
        raise ValueError("The data have probability 0 under every hypothesis with prior weight > 0; "
                         "the posterior is undefined.")
    weights = np.exp(log_joint - top)           # largest weight is 1: no overflow
    posterior = weights / weights.sum()
    if return_evidence:
        return posterior, float(np.exp(top) * weights.sum())   # log-sum-exp, undone
    return posterior


# ---- probability mass functions --------------------------------------------------------

def binomial_pmf(k, n, p):
    r"""Binomial probability mass function.

    .. math::

        P(X = k) = \binom{n}{k} p^k (1 - p)^{n - k}, \qquad k = 0, 1, \dots, n,

    the probability of ``k`` successes in ``n`` independent trials with success
    probability ``p``; computed in log space through :math:`\log\Gamma`.

    Parameters
    ----------
    k : array-like
        Number(s) of successes; mass 0 off the support ``{0, ..., n}``.
    n : int or array-like of non-negative integers
    p : float or array-like in [0, 1]

    Returns
    -------
    pmf : ndarray of the broadcast shape of ``k``, ``n`` and ``p``

    Notes
    -----
    Derived in the book page "Common distributions".
    """
    k = _as_float_array(k, "k")
    n = _as_float_array(n, "n")
    if not np.all(_is_integer(n) & (n >= 0)):
        raise ValueError(f"n must be a non-negative integer, got {n}.")
    p = _check_probability(p)
    k, n, p = np.broadcast_arrays(k, n, p)
    inside = _is_integer(k) & (k >= 0) & (k <= n)
    kk = np.where(inside, k, 0.0)
    log_choose = _lgamma(n + 1) - _lgamma(kk + 1) - _lgamma(n - kk + 1)
    log_pmf = log_choose + _xlogy(kk, p) + _xlogy(n - kk, 1 - p)
    return np.where(inside, np.exp(log_pmf), 0.0)


def binomial_cdf(k, n, p):
    r"""Binomial cumulative distribution function, :math:`P(X \le k) = \sum_{j \le k} P(X = j)`.

    Parameters
    ----------
    k : array-like
        Any real numbers; :math:`P(X \le k)` is 0 below 0 and 1 from ``n`` on.
    n : int
        Number of trials (a scalar here).
    p : float in [0, 1]

    Returns
    -------
    cdf : ndarray, same shape as ``k``
    """
    n = _as_float_array(n, "n")
    if n.ndim != 0 or np.ndim(p) != 0:
        raise ValueError("binomial_cdf takes a scalar n and a scalar p.")
    if not (_is_integer(n) and n >= 0):
        raise ValueError(f"n must be a non-negative integer, got {n}.")
    n = int(n)
    pmf = binomial_pmf(np.arange(n + 1), n, p)                               # (n + 1,)
    cumulative = np.concatenate([[0.0], np.minimum(np.cumsum(pmf), 1.0)])    # (n + 2,)
    k = _as_float_array(k, "k")
    index = np.clip(np.floor(np.nan_to_num(k, nan=-1.0)), -1, n).astype(int) + 1
    return np.where(np.isnan(k), np.nan, cumulative[index])


def poisson_pmf(k, lam):
    r"""Poisson probability mass function.

    .. math::

        P(X = k) = e^{-\lambda} \frac{\lambda^k}{k!}, \qquad k = 0, 1, 2, \dots

    Parameters
    ----------
    k : array-like
        Count(s); mass 0 off the non-negative integers.
    lam : float or array-like, non-negative
        The rate :math:`\lambda` (mean count); ``lam = 0`` puts all mass on 0.

    Returns
    -------
    pmf : ndarray of the broadcast shape of ``k`` and ``lam``

    Notes
    -----
    Derived in the book page "Common distributions".
    """
    k = _as_float_array(k, "k")
    lam = _check_positive(lam, "lam", allow_zero=True)
    k, lam = np.broadcast_arrays(k, lam)
    inside = _is_integer(k) & (k >= 0)
    kk = np.where(inside, k, 0.0)
    log_pmf = _xlogy(kk, lam) - lam - _lgamma(kk + 1)
    return np.where(inside, np.exp(log_pmf), 0.0)


def geometric_pmf(k, p):
    r"""Geometric probability mass function, counting *trials* until the first success.

    .. math::

        P(X = k) = (1 - p)^{k - 1} p, \qquad k = 1, 2, 3, \dots

    This is ``scipy.stats.geom``'s convention. The number of *failures* before the
    first success is :math:`X - 1`, with mass :math:`(1 - p)^{j} p` at
    :math:`j = 0, 1, \dots`

    Parameters
    ----------
    k : array-like
        Trial number(s); mass 0 off the positive integers.
    p : float or array-like in (0, 1]
        Success probability of each trial.

    Returns
    -------
    pmf : ndarray of the broadcast shape of ``k`` and ``p``

    Notes
    -----
    Derived in the book page "Common distributions".
    """
    k = _as_float_array(k, "k")
    p = _check_probability(p, open_left=True)
    k, p = np.broadcast_arrays(k, p)
    inside = _is_integer(k) & (k >= 1)
    kk = np.where(inside, k, 1.0)
    return np.where(inside, np.exp(_xlogy(kk - 1, 1 - p)) * p, 0.0)


# ---- probability density functions -----------------------------------------------------

def exponential_pdf(x, rate):
    r"""Exponential density, :math:`f(x) = \lambda e^{-\lambda x}` for :math:`x \ge 0`.

    The waiting time to the first event of a Poisson process with rate
    :math:`\lambda`. ``scipy.stats.expon`` uses the scale :math:`1/\lambda`.

    Parameters
    ----------
    x : array-like
    rate : float or array-like, positive

    Returns
    -------
    pdf : ndarray of the broadcast shape of ``x`` and ``rate``; 0 for ``x < 0``
    """
    x = _as_float_array(x, "x")
    rate = _check_positive(rate, "rate")
    x, rate = np.broadcast_arrays(x, rate)
    inside = x >= 0
    return np.where(inside, rate * np.exp(-rate * np.where(inside, x, 0.0)), 0.0)


def exponential_cdf(x, rate):
    r"""Exponential distribution function, :math:`F(x) = 1 - e^{-\lambda x}` for :math:`x \ge 0`.

    Parameters
    ----------
    x : array-like
    rate : float or array-like, positive

    Returns
    -------
    cdf : ndarray of the broadcast shape of ``x`` and ``rate``; 0 for ``x < 0``
    """
    x = _as_float_array(x, "x")
    rate = _check_positive(rate, "rate")
    x, rate = np.broadcast_arrays(x, rate)
    return np.where(x >= 0, -np.expm1(-rate * np.maximum(x, 0.0)), 0.0)


def beta_pdf(x, a, b):
    r"""Beta density on [0, 1].

    .. math::

        f(x) = \frac{x^{a - 1} (1 - x)^{b - 1}}{B(a, b)}, \qquad
        B(a, b) = \frac{\Gamma(a)\,\Gamma(b)}{\Gamma(a + b)} ,

    computed in log space through :math:`\log\Gamma`. At an endpoint the density is
    ``inf`` when the exponent there is negative (``a < 1`` at 0, ``b < 1`` at 1).

    Parameters
    ----------
    x : array-like
        Point(s); density 0 outside [0, 1].
    a, b : float or array-like, positive
        Shape parameters.

    Returns
    -------
    pdf : ndarray of the broadcast shape of ``x``, ``a`` and ``b``

    Notes
    -----
    Derived in the book page "Common distributions".
    """
    x = _as_float_array(x, "x")
    a = _check_positive(a, "a")
    b = _check_positive(b, "b")
    x, a, b = np.broadcast_arrays(x, a, b)
    inside = (x >= 0) & (x <= 1)
    xx = np.where(inside, x, 0.5)
    log_beta = _lgamma(a) + _lgamma(b) - _lgamma(a + b)
    with np.errstate(over="ignore"):
        density = np.exp(_xlogy(a - 1, xx) + _xlogy(b - 1, 1 - xx) - log_beta)
    return np.where(inside, density, 0.0)


# ---- a sampler -------------------------------------------------------------------------

def poisson_process(rate, t_end, *, random_state=None):
    r"""Arrival times of a homogeneous Poisson process on :math:`[0, t_{\text{end}}]`.

    Inter-arrival times are independent :math:`\text{Exponential}(\lambda)`; the arrival
    times are their running sums, kept while they do not exceed ``t_end``. The number of
    arrivals is then :math:`\text{Poisson}(\lambda t_{\text{end}})`.

    Parameters
    ----------
    rate : float, positive
        :math:`\lambda`, the expected number of arrivals per unit time.
    t_end : float, positive
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    times : ndarray of shape (n_arrivals,)
        Increasing arrival times in :math:`[0, t_{\text{end}}]`.
    """
    rate = float(_check_positive(rate, "rate"))
    t_end = float(_check_positive(t_end, "t_end"))
    rng = np.random.default_rng(random_state)
    mean = rate * t_end
    chunk = int(mean + 5 * math.sqrt(mean) + 10)      # enough gaps almost always
    times = np.cumsum(rng.exponential(1 / rate, size=chunk))
    while times[-1] <= t_end:                        # rarely: draw more gaps
        more = times[-1] + np.cumsum(rng.exponential(1 / rate, size=chunk))
        times = np.concatenate([times, more])
    return times[times <= t_end]


# ---- empirical distribution and sample statistics ------------------------------------

def empirical_cdf(samples):
    r"""The empirical distribution function of a sample, as a function.

    .. math::

        \hat F_n(x) = \frac{1}{n} \#\{i : X_i \le x\} ,

    evaluated for many points at once by binary search in the sorted sample.

    Parameters
    ----------
    samples : array-like of shape (n_samples,)

    Returns
    -------
    ecdf : callable
        Maps an array of points to an array of the same shape with values in [0, 1].
    """
    data = _as_float_array(samples, "samples")
    if data.ndim != 1 or data.size == 0:
        raise ValueError(f"samples must be a non-empty 1D array, got shape {data.shape}.")
    if not np.all(np.isfinite(data)):
        raise ValueError("samples contain NaN or infinity.")
    data = np.sort(data)

    def ecdf(x):
        return np.searchsorted(data, np.asarray(x, dtype=float), side="right") / data.size

    return ecdf


def _check_samples_2d(X, name="X"):
    X = _as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array for {name} of shape (n_samples, n_features), "
                         f"got a {X.ndim}D array.")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return X


def covariance_matrix(X, ddof=1):
    r"""Sample covariance matrix of the columns of ``X``.

    .. math::

        S = \frac{1}{n - \text{ddof}} \sum_{i=1}^{n} (x_i - \bar x)(x_i - \bar x)^\top
          = \frac{1}{n - \text{ddof}} X_c^\top X_c ,

    where :math:`X_c` is ``X`` with each column's mean subtracted. ``ddof=1`` gives the
    unbiased estimate (Bessel's correction), ``ddof=0`` the maximum-likelihood one.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    ddof : int, default=1

    Returns
    -------
    S : ndarray of shape (n_features, n_features)

    Notes
    -----
    Derived in the book page "Expectation, variance, covariance and correlation".
    """
    X = _check_samples_2d(X)
    n_samples = X.shape[0]
    if n_samples - ddof <= 0:
        raise ValueError(f"Need more than ddof={ddof} samples, got {n_samples}.")
    Xc = X - X.mean(axis=0)                          # (n_samples, n_features)
    return Xc.T @ Xc / (n_samples - ddof)


def correlation_matrix(X):
    r"""Pearson correlation matrix of the columns of ``X``.

    .. math::

        R_{jk} = \frac{S_{jk}}{\sqrt{S_{jj} S_{kk}}} \in [-1, 1] ,

    with :math:`S` the covariance matrix (the ``ddof`` cancels). Entries are clipped to
    [-1, 1] against rounding, as ``numpy.corrcoef`` does.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    R : ndarray of shape (n_features, n_features)
    """
    S = covariance_matrix(X, ddof=1)
    sd = np.sqrt(np.diag(S))                         # (n_features,)
    if np.any(sd == 0):
        raise ValueError(f"Columns {np.flatnonzero(sd == 0).tolist()} are constant: "
                         "their correlation is undefined.")
    return np.clip(S / np.outer(sd, sd), -1.0, 1.0)


class Moments(NamedTuple):
    """Mean, variance, skewness and excess kurtosis, one entry per column."""

    mean: np.ndarray
    variance: np.ndarray
    skewness: np.ndarray
    kurtosis: np.ndarray


def sample_moments(x, *, bias=True):
    r"""Sample mean, variance, skewness and excess kurtosis, along axis 0.

    With central sample moments :math:`m_r = \frac{1}{n} \sum_i (x_i - \bar x)^r`:

    * ``bias=True`` (default): variance :math:`m_2`, skewness
      :math:`g_1 = m_3 / m_2^{3/2}`, excess kurtosis :math:`g_2 = m_4 / m_2^2 - 3`. These
      match ``numpy.var(ddof=0)``, ``scipy.stats.skew(bias=True)`` and
      ``scipy.stats.kurtosis(fisher=True, bias=True)``.
    * ``bias=False``: variance :math:`\frac{n}{n-1} m_2` (unbiased), and the adjusted
      estimators :math:`G_1 = \frac{\sqrt{n(n-1)}}{n-2} g_1` and
      :math:`G_2 = \frac{n-1}{(n-2)(n-3)} \bigl((n+1) g_2 + 6\bigr)`, which match
      ``scipy.stats.skew(bias=False)`` and ``scipy.stats.kurtosis(bias=False)``.
      Only the variance is unbiased for every distribution; :math:`G_2` is unbiased
      for normal samples.

    Parameters
    ----------
    x : array-like of shape (n_samples,) or (n_samples, n_features)
    bias : bool, default=True

    Returns
    -------
    Moments
        Named tuple ``(mean, variance, skewness, kurtosis)``; each a float for 1-D
        ``x``, else an ndarray of shape (n_features,).

    Notes
    -----
    Derived in the book page "Expectation, variance, covariance and correlation".
    """
    x = _as_float_array(x, "x")
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be 1D or 2D, got a {x.ndim}D array.")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinity.")
    n = x.shape[0]
    needed = 2 if bias else 4
    if n < needed:
        raise ValueError(f"Need at least {needed} samples with bias={bias}, got {n}.")
    mean = x.mean(axis=0)
    d = x - mean                                     # deviations, same shape as x
    m2, m3, m4 = ((d ** r).mean(axis=0) for r in (2, 3, 4))
    if np.any(m2 <= 0):
        raise ValueError("The sample has zero variance: skewness and kurtosis are undefined.")
    g1 = m3 / m2 ** 1.5
    g2 = m4 / m2 ** 2 - 3.0
    if bias:
        variance, skewness, kurtosis = m2, g1, g2
    else:
        variance = m2 * n / (n - 1)
        skewness = g1 * math.sqrt(n * (n - 1)) / (n - 2)
        kurtosis = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6.0)
    values = (mean, variance, skewness, kurtosis)
    if x.ndim == 1:
        values = tuple(float(v) for v in values)
    return Moments(*values)
