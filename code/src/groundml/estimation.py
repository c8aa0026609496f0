r"""Point estimation, Bayesian updating and confidence intervals, from scratch.

Three book pages derive everything here: "Maximum likelihood and estimator
properties" (the maximum-likelihood estimators and the German tank estimator), "MAP
estimation and Bayesian inference" (conjugate posteriors and MAP ridge regression) and
"Law of large numbers, central limit theorem and confidence intervals" (the intervals
and the bootstrap).

Only NumPy and the standard library's ``math`` are used. The normal and Student t
quantiles that the intervals need are computed here too: ``normal_ppf`` and ``t_ppf``
invert the cumulative distribution functions by bisection, to about machine precision
(the tests compare them with ``scipy.stats`` at ``rtol=1e-10``).
"""

import inspect
import math

import numpy as np

from ._validation import check_1d_sample, check_X_y

__all__ = [
    "bernoulli_mle", "gaussian_mle", "exponential_mle", "poisson_mle", "uniform_mle",
    "german_tank_unbiased", "beta_bernoulli_posterior", "normal_known_variance_posterior",
    "map_ridge", "normal_cdf", "normal_ppf", "t_cdf", "t_ppf", "mean_confidence_interval",
    "proportion_confidence_interval", "bootstrap_ci",
]


# ---- input checks ----------------------------------------------------------------------

def _check_sample(x, name="x", min_size=1):
    """Return ``x`` as a finite 1-D float array with at least ``min_size`` entries."""
    return check_1d_sample(x, name=name, min_size=min_size)


def _check_probability(p, name):
    if not 0 < p < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {p!r}.")
    return float(p)


def _check_positive(value, name):
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


# ---- maximum-likelihood estimators -------------------------------------------------------

def bernoulli_mle(x):
    r"""Maximum-likelihood estimate of a Bernoulli success probability.

    .. math:: \hat p = \bar x = \frac{k}{n}, \qquad k = \sum_i x_i .

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Observations, each 0 or 1.

    Returns
    -------
    p_hat : float

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    x = _check_sample(x)
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("Bernoulli observations must be 0 or 1.")
    return float(x.mean())


def gaussian_mle(x):
    r"""Maximum-likelihood estimates of the mean and variance of a Gaussian.

    .. math:: \hat\mu = \bar x, \qquad \hat\sigma^2 = \frac{1}{n} \sum_i (x_i - \bar x)^2 .

    The variance estimate divides by ``n``, not ``n - 1``; it is biased, with
    :math:`\mathbb{E}[\hat\sigma^2] = \frac{n-1}{n} \sigma^2`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)

    Returns
    -------
    mean : float
    variance : float
        The maximum-likelihood (biased) variance, ``np.var(x, ddof=0)``.

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    x = _check_sample(x)
    mean = x.mean()
    return float(mean), float(np.mean((x - mean) ** 2))


def exponential_mle(x):
    r"""Maximum-likelihood estimate of the rate of an exponential distribution.

    For the density :math:`\lambda e^{-\lambda x}` on :math:`x \ge 0`,
    :math:`\hat\lambda = 1 / \bar x`. (SciPy's ``expon`` uses the scale
    :math:`1/\lambda`, whose estimate is :math:`\bar x`.)

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative observations, not all zero.

    Returns
    -------
    rate : float

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    x = _check_sample(x)
    if np.any(x < 0):
        raise ValueError("Exponential observations must be non-negative.")
    if not np.any(x > 0):
        raise ValueError("All observations are zero: the likelihood has no maximum (rate -> infinity).")
    return float(1.0 / x.mean())


def poisson_mle(x):
    r"""Maximum-likelihood estimate of a Poisson mean, :math:`\hat\lambda = \bar x`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative integer counts.

    Returns
    -------
    rate : float

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    x = _check_sample(x)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("Poisson observations must be non-negative integers.")
    return float(x.mean())


def uniform_mle(x):
    r"""Maximum-likelihood estimate of :math:`\theta` for the uniform distribution on :math:`[0, \theta]`.

    The likelihood is :math:`\theta^{-n}` for :math:`\theta \ge \max_i x_i` and 0
    otherwise, so :math:`\hat\theta = \max_i x_i`. It is biased low:
    :math:`\mathbb{E}[\hat\theta] = \frac{n}{n+1}\theta`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Non-negative observations, not all zero.

    Returns
    -------
    theta_hat : float

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    x = _check_sample(x)
    if np.any(x < 0):
        raise ValueError("Observations of a uniform distribution on [0, theta] must be non-negative.")
    if not np.any(x > 0):
        raise ValueError("All observations are zero: the likelihood has no maximum (theta -> 0).")
    return float(x.max())


def german_tank_unbiased(serials):
    r"""Minimum-variance unbiased estimate of the number of tanks, :math:`N`.

    Model: the tanks carry the serial numbers :math:`1, \dots, N`, and the ``k``
    observed serials are a simple random sample drawn without replacement. With
    :math:`m` the largest observed serial, :math:`\mathbb{E}[m] = \frac{k (N + 1)}{k + 1}`,
    so

    .. math:: \hat N = m \Bigl(1 + \frac{1}{k}\Bigr) - 1

    is unbiased. (The maximum-likelihood estimate is :math:`m` itself.)

    Parameters
    ----------
    serials : array-like of shape (k,)
        Distinct positive integers.

    Returns
    -------
    n_hat : float

    Notes
    -----
    Derived in the book page "Maximum likelihood and estimator properties".
    """
    serials = _check_sample(serials, name="serials")
    if np.any(serials < 1) or np.any(serials != np.round(serials)):
        raise ValueError("Serial numbers must be positive integers.")
    if np.unique(serials).size != serials.size:
        raise ValueError("Serial numbers must be distinct: the sample is drawn without replacement.")
    k = serials.size
    return float(serials.max() * (1 + 1 / k) - 1)


# ---- Bayesian updating -------------------------------------------------------------------

def beta_bernoulli_posterior(alpha, beta, data):
    r"""Posterior of a Bernoulli probability under a :math:`\mathrm{Beta}(\alpha, \beta)` prior.

    With :math:`k` successes in :math:`n` trials the posterior is
    :math:`\mathrm{Beta}(\alpha + k, \beta + n - k)`.

    Parameters
    ----------
    alpha, beta : float
        Positive prior parameters.
    data : array-like of shape (n_samples,)
        Observations, each 0 or 1 (may be empty: the posterior is then the prior).

    Returns
    -------
    alpha_post, beta_post : float

    Notes
    -----
    Derived in the book page "MAP estimation and Bayesian inference".
    """
    alpha, beta = _check_positive(alpha, "alpha"), _check_positive(beta, "beta")
    data = _check_sample(data, name="data", min_size=0)
    if not np.all((data == 0) | (data == 1)):
        raise ValueError("Bernoulli observations must be 0 or 1.")
    k = float(data.sum())
    return alpha + k, beta + data.size - k


def normal_known_variance_posterior(x, noise_var, prior_mean, prior_var):
    r"""Posterior of a Gaussian mean :math:`\mu` when the noise variance is known.

    Model: :math:`x_i \mid \mu \sim \mathcal{N}(\mu, \sigma^2)` independently, prior
    :math:`\mu \sim \mathcal{N}(\mu_0, \tau_0^2)`. The posterior is
    :math:`\mathcal{N}(\mu_n, \tau_n^2)` with precisions adding up,

    .. math::

        \frac{1}{\tau_n^2} = \frac{1}{\tau_0^2} + \frac{n}{\sigma^2}, \qquad
        \mu_n = \tau_n^2 \Bigl(\frac{\mu_0}{\tau_0^2} + \frac{n \bar x}{\sigma^2}\Bigr).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Observations (may be empty).
    noise_var : float
        :math:`\sigma^2 > 0`.
    prior_mean : float
        :math:`\mu_0`.
    prior_var : float
        :math:`\tau_0^2 > 0`.

    Returns
    -------
    post_mean, post_var : float

    Notes
    -----
    Derived in the book page "MAP estimation and Bayesian inference".
    """
    x = _check_sample(x, min_size=0)
    noise_var = _check_positive(noise_var, "noise_var")
    prior_var = _check_positive(prior_var, "prior_var")
    if not np.isfinite(prior_mean):
        raise ValueError(f"prior_mean must be finite, got {prior_mean!r}.")
    post_precision = 1.0 / prior_var + x.size / noise_var
    post_var = 1.0 / post_precision
    post_mean = post_var * (prior_mean / prior_var + x.sum() / noise_var)
    return float(post_mean), float(post_var)


def map_ridge(X, y, noise_var, prior_var, fit_intercept=False):
    r"""MAP weights of linear regression with a Gaussian prior: ridge regression.

    Model: :math:`y = X w + b + \varepsilon`, :math:`\varepsilon \sim \mathcal{N}(0, \sigma^2 I)`,
    prior :math:`w \sim \mathcal{N}(0, \tau^2 I)`. The negative log-posterior is, up to a
    constant, :math:`\frac{1}{2\sigma^2} \lVert y - X w - b \rVert^2 + \frac{1}{2\tau^2} \lVert w \rVert^2`,
    whose minimiser is the ridge solution

    .. math:: \hat w = (X^\top X + \lambda I)^{-1} X^\top y, \qquad \lambda = \sigma^2 / \tau^2,

    that is, the minimiser of :math:`\lVert y - X w \rVert^2 + \lambda \lVert w \rVert^2`
    (scikit-learn's ``Ridge(alpha=lambda)``). With ``fit_intercept=True`` the intercept
    gets a flat prior; its MAP value is :math:`b = \bar y - \bar x^\top \hat w`, with
    :math:`\hat w` solved on centred ``X`` and ``y``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    noise_var : float
        :math:`\sigma^2 > 0`.
    prior_var : float
        :math:`\tau^2 > 0`.
    fit_intercept : bool, default=False

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
        0.0 when ``fit_intercept=False``.

    Notes
    -----
    Derived in the book page "MAP estimation and Bayesian inference".
    """
    X, y = check_X_y(X, y)
    if y.ndim != 1:
        raise ValueError(f"Expected a 1D array for y, got a {y.ndim}D array instead.")
    lam = _check_positive(noise_var, "noise_var") / _check_positive(prior_var, "prior_var")
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), y.mean()
        X, y = X - x_mean, y - y_mean
    gram = X.T @ X + lam * np.eye(X.shape[1])           # (n_features, n_features), positive definite
    coef = np.linalg.solve(gram, X.T @ y)                # (n_features,)
    intercept = float(y_mean - x_mean @ coef) if fit_intercept else 0.0
    return coef, intercept


# ---- normal and Student t quantiles ------------------------------------------------------

def normal_cdf(x):
    r"""Standard normal CDF, :math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x / \sqrt 2)`.

    ``erfc`` keeps full relative precision in the lower tail.
    """
    return 0.5 * math.erfc(-float(x) / math.sqrt(2.0))


def _bisect(f, lo, hi, max_iter=300):
    """Root of an increasing function f on [lo, hi] (f(lo) <= 0 <= f(hi)), to machine precision."""
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):                              # adjacent floats: done
            break
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def normal_ppf(p):
    r"""Standard normal quantile :math:`\Phi^{-1}(p)`, by bisection on :func:`normal_cdf`.

    The lower half is solved directly, where ``erfc`` has full relative precision, and
    the upper half by symmetry, :math:`\Phi^{-1}(p) = -\Phi^{-1}(1 - p)`. The result is
    accurate to a few units in the last place (tested against ``scipy.stats.norm.ppf``).

    Parameters
    ----------
    p : float in (0, 1)

    Returns
    -------
    z : float
    """
    p = _check_probability(p, "p")
    if p > 0.5:
        return -normal_ppf(1.0 - p)
    if p == 0.5:
        return 0.0
    return _bisect(lambda z: normal_cdf(z) - p, -40.0, 0.0)


def _betacf(a, b, x, max_iter=100_000, eps=1e-16):
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, max_iter + 1):
        # even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
        coeff = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + coeff * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + coeff / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        # odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
        coeff = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1.0 + coeff * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + coeff / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            return h
    raise RuntimeError("Incomplete beta continued fraction did not converge.")  # pragma: no cover


def _stirling_tail(z):
    """The correction terms of Stirling's series for log Gamma(z), accurate to 1e-15 for z >= 50."""
    return 1 / (12 * z) - 1 / (360 * z**3) + 1 / (1260 * z**5) - 1 / (1680 * z**7)


def _log_beta_inverse(a, b):
    r""":math:`\log\Gamma(a + b) - \log\Gamma(a) - \log\Gamma(b)`, without cancellation for large ``a``.

    For :math:`a \ge 50 \ge b` the difference :math:`\log\Gamma(a + b) - \log\Gamma(a)` is taken
    from Stirling's series term by term, :math:`(a - \tfrac12)\log(1 + b/a) + b \log(a + b) - b`
    plus the difference of the correction terms, instead of subtracting two large numbers.
    """
    if a < b:
        a, b = b, a
    if a < 50 or b > 50:
        return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    diff = ((a - 0.5) * math.log1p(b / a) + b * math.log(a + b) - b
            + _stirling_tail(a + b) - _stirling_tail(a))
    return diff - math.lgamma(b)


def _betainc(a, b, x, y):
    r"""Regularised incomplete beta function :math:`I_x(a, b)`, given both :math:`x` and :math:`y = 1 - x`.

    Passing :math:`y` separately keeps its relative precision when :math:`x` is close to 1.
    """
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_x = math.log1p(-y) if y < 0.5 else math.log(x)
    log_y = math.log1p(-x) if x < 0.5 else math.log(y)
    log_front = a * log_x + b * log_y + _log_beta_inverse(a, b)
    if x < (a + 1.0) / (a + b + 2.0):                    # the fraction converges fast here
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, y) / b


def t_cdf(t, df):
    r"""CDF of Student's t distribution with ``df`` degrees of freedom.

    For :math:`t \ge 0`, :math:`P(T > t) = \tfrac12 I_{\nu / (\nu + t^2)}(\nu/2, 1/2)`, with
    :math:`I` the regularised incomplete beta function (evaluated by its continued
    fraction); negative :math:`t` follows by symmetry.
    """
    df = _check_positive(df, "df")
    t = float(t)
    t2 = t * t
    tail = 0.5 * _betainc(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2))   # P(T > |t|)
    return 1.0 - tail if t > 0 else tail


def t_ppf(p, df):
    r"""Quantile of Student's t distribution, by bisection on :func:`t_cdf`.

    Parameters
    ----------
    p : float in (0, 1)
    df : float
        Degrees of freedom, positive (need not be an integer).

    Returns
    -------
    t : float
        Accurate to about ``1e-12`` relative (tested against ``scipy.stats.t.ppf``).
    """
    p = _check_probability(p, "p")
    df = _check_positive(df, "df")
    if p > 0.5:
        return -t_ppf(1.0 - p, df)
    if p == 0.5:
        return 0.0
    lo = -1.0
    while t_cdf(lo, df) > p:                             # bracket the root: t_cdf(lo) <= p
        lo *= 2.0
    return _bisect(lambda t: t_cdf(t, df) - p, lo, 0.0)


# ---- confidence intervals ----------------------------------------------------------------

def mean_confidence_interval(x, confidence=0.95, method="t", sigma=None):
    r"""Two-sided confidence interval for a population mean.

    * ``method="t"``: :math:`\bar x \pm t_{n-1,\,1-\alpha/2}\, s / \sqrt n`, with
      :math:`s` the sample standard deviation (``ddof=1``); exact for Gaussian data.
    * ``method="z"``: :math:`\bar x \pm z_{1-\alpha/2}\, \sigma / \sqrt n`, with the known
      ``sigma`` if given (exact for Gaussian data), else :math:`s` (a large-sample
      approximation that under-covers for small :math:`n`).

    Here :math:`\alpha = 1 - \text{confidence}`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        At least two observations (one is enough for ``method="z"`` with ``sigma``).
    confidence : float in (0, 1), default=0.95
    method : {"t", "z"}, default="t"
    sigma : float or None, default=None
        Known population standard deviation, for ``method="z"`` only.

    Returns
    -------
    low, high : float

    Notes
    -----
    Derived in the book page "Law of large numbers, central limit theorem and
    confidence intervals".
    """
    confidence = _check_probability(confidence, "confidence")
    if method not in ("t", "z"):
        raise ValueError(f"method must be 't' or 'z', got {method!r}.")
    if sigma is not None and method != "z":
        raise ValueError("sigma (a known standard deviation) is only used with method='z'.")
    x = _check_sample(x, min_size=1 if sigma is not None else 2)
    n = x.size
    mean = x.mean()
    upper = 0.5 + confidence / 2                         # 1 - alpha / 2
    if method == "t":
        crit, scale = t_ppf(upper, n - 1), x.std(ddof=1)
    else:
        crit = normal_ppf(upper)
        scale = x.std(ddof=1) if sigma is None else _check_positive(sigma, "sigma")
    half_width = crit * scale / math.sqrt(n)
    return float(mean - half_width), float(mean + half_width)


def proportion_confidence_interval(k, n, confidence=0.95, method="wilson"):
    r"""Two-sided confidence interval for a binomial proportion.

    With :math:`\hat p = k/n` and :math:`z = z_{1-\alpha/2}`:

    * ``method="wald"``: :math:`\hat p \pm z \sqrt{\hat p (1 - \hat p) / n}`. Not clipped
      to :math:`[0, 1]`; it collapses to a single point when :math:`k \in \{0, n\}`.
    * ``method="wilson"``: the set of :math:`p` with
      :math:`|\hat p - p| \le z \sqrt{p (1 - p) / n}`, that is

      .. math::

          \frac{\hat p + \frac{z^2}{2n}}{1 + \frac{z^2}{n}} \pm
          \frac{z}{1 + \frac{z^2}{n}} \sqrt{\frac{\hat p (1 - \hat p)}{n} + \frac{z^2}{4 n^2}} .

    Parameters
    ----------
    k : int
        Number of successes, ``0 <= k <= n``.
    n : int
        Number of trials, positive.
    confidence : float in (0, 1), default=0.95
    method : {"wilson", "wald"}, default="wilson"

    Returns
    -------
    low, high : float

    Notes
    -----
    Derived in the book page "Law of large numbers, central limit theorem and
    confidence intervals".
    """
    confidence = _check_probability(confidence, "confidence")
    if method not in ("wald", "wilson"):
        raise ValueError(f"method must be 'wald' or 'wilson', got {method!r}.")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if int(k) != k or not 0 <= k <= n:
        raise ValueError(f"k must be an integer between 0 and n={n}, got {k!r}.")
    z = normal_ppf(0.5 + confidence / 2)
    p_hat = k / n
    if method == "wald":
        half_width = z * math.sqrt(p_hat * (1 - p_hat) / n)
        return p_hat - half_width, p_hat + half_width
    shrink = 1 + z * z / n
    centre = (p_hat + z * z / (2 * n)) / shrink
    half_width = z / shrink * math.sqrt(p_hat * (1 - p_hat) / n + z * z / (4 * n * n))
    return centre - half_width, centre + half_width


def bootstrap_ci(x, statistic, n_resamples=9999, confidence=0.95, random_state=None,
                 vectorized=None, return_distribution=False):
    r"""Percentile bootstrap confidence interval for ``statistic(x)``.

    Draw ``n_resamples`` samples of size :math:`n` from ``x`` with replacement,
    compute the statistic on each, and return the empirical :math:`\alpha/2` and
    :math:`1 - \alpha/2` quantiles of those values (linear interpolation, NumPy's
    default), with :math:`\alpha = 1 - \text{confidence}`.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
    statistic : callable
        Maps a sample to a number. If ``vectorized``, it must accept an ``axis``
        keyword and reduce along it, like ``np.mean``.
    n_resamples : int, default=9999
    confidence : float in (0, 1), default=0.95
    random_state : None, int or numpy.random.Generator
        Seed for ``np.random.default_rng``.
    vectorized : bool or None, default=None
        None means: True if ``statistic`` has a parameter named ``axis``.
    return_distribution : bool, default=False
        Also return the bootstrap values of the statistic.

    Returns
    -------
    low, high : float
    bootstrap_distribution : ndarray of shape (n_resamples,)
        Only if ``return_distribution``.

    Notes
    -----
    Derived in the book page "Law of large numbers, central limit theorem and
    confidence intervals". The interval can fail badly for statistics that depend on
    the extremes of the sample, such as the maximum.
    """
    x = _check_sample(x)
    confidence = _check_probability(confidence, "confidence")
    if int(n_resamples) != n_resamples or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}.")
    if not callable(statistic):
        raise ValueError("statistic must be callable.")
    rng = np.random.default_rng(random_state)
    n = x.size
    idx = rng.integers(0, n, size=(int(n_resamples), n))    # (n_resamples, n): one resample per row
    resamples = x[idx]
    if vectorized is None:
        try:
            vectorized = "axis" in inspect.signature(statistic).parameters
        except (TypeError, ValueError):                  # some built-ins have no signature
            vectorized = False
    if vectorized:
        values = np.asarray(statistic(resamples, axis=-1), dtype=float)
    else:
        values = np.array([statistic(row) for row in resamples], dtype=float)
    if values.shape != (int(n_resamples),):
        raise ValueError("statistic must return one number per sample.")
    alpha = 1 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    if return_distribution:
        return float(low), float(high), values
    return float(low), float(high)
