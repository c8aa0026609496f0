r"""Hypothesis tests, power and sample sizes, and multiple-comparison adjustments, from scratch.

Two book pages derive everything here: "Hypothesis testing" (the z, t and chi-squared
tests and their p-values) and "A/B testing and experiment design" (the two-proportion
test, power, sample size per arm, Bonferroni and Benjamini-Hochberg).

Only NumPy and the standard library's ``math`` are used. The p-values need the upper
tails of the normal, Student t and chi-squared distributions; the last two are
regularised incomplete beta and gamma functions, evaluated here by their power series
and continued fractions (modified Lentz algorithm), vectorised over arrays. The tests
compare them with ``scipy.special`` at ``rtol=1e-10`` and every test with
``scipy.stats``.
"""

import math
from typing import NamedTuple

import numpy as np

from ._validation import check_1d_sample
from .estimation import normal_cdf, normal_ppf

__all__ = [
    "norm_cdf", "norm_sf", "betainc", "gammainc", "gammaincc", "t_sf", "chi2_sf",
    "TestResult", "Chi2ContingencyResult",
    "z_test_one_sample", "ttest_one_sample", "ttest_ind", "ttest_rel", "chi2_gof", "chi2_contingency",
    "two_proportion_ztest", "power_two_sample_z", "sample_size_two_sample_z",
    "power_two_proportions", "sample_size_two_proportions", "bonferroni", "benjamini_hochberg",
]

_ALTERNATIVES = ("two-sided", "greater", "less")
_TINY = 1e-300
_EPS = 1e-15
_MAX_ITER = 10_000


class TestResult(NamedTuple):
    """Outcome of a test: the statistic, its p-value and the degrees of freedom (None for z-tests)."""

    statistic: float
    pvalue: float
    df: float | None = None


class Chi2ContingencyResult(NamedTuple):
    """Outcome of the chi-squared independence test, in the order of ``scipy.stats.chi2_contingency``."""

    statistic: float
    pvalue: float
    dof: int
    expected_freq: np.ndarray


# ---- input checks ----------------------------------------------------------------------

def _check_sample(x, name="x", min_size=2):
    """Return ``x`` as a finite 1-D float array with at least ``min_size`` entries."""
    return check_1d_sample(x, name=name, min_size=min_size)


def _check_unit_open(value, name):
    if not (np.isfinite(value) and 0 < value < 1):
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}.")
    return float(value)


def _check_alternative(alternative):
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}.")
    return alternative


def _check_positive_var(var, name):
    if not var > 0:
        raise ValueError(f"{name} has zero variance: the t statistic is undefined.")


# ---- distribution tails ------------------------------------------------------------------

_lgamma = np.vectorize(math.lgamma, otypes=[float])


_normal_cdf = np.vectorize(normal_cdf, otypes=[float])


def norm_cdf(x):
    r"""Standard normal CDF, :math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)`, elementwise.

    The vectorised form of :func:`groundml.estimation.normal_cdf`.
    """
    return _normal_cdf(np.asarray(x, dtype=float))


def norm_sf(x):
    r"""Standard normal upper tail :math:`1 - \Phi(x) = \Phi(-x)`, accurate far into the tail."""
    return norm_cdf(-np.asarray(x, dtype=float))


def _lentz_beta(a, b, x, max_iter=_MAX_ITER):
    """Continued fraction of the incomplete beta function, all elements of the arrays at once.

    Evaluates 1 / (1 + d_1 / (1 + d_2 / (1 + ...))) with
    d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)) and
    d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)), by the modified Lentz method.
    """
    def clamp(v):
        return np.where(np.abs(v) < _TINY, _TINY, v)

    c = np.ones_like(x)
    d = 1.0 / clamp(1.0 - (a + b) * x / (a + 1.0))
    h = d.copy()
    done = np.zeros(x.shape, dtype=bool)                 # an element stays converged once it is
    for m in range(1, max_iter + 1):
        coeff = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))        # even term d_{2m}
        d = 1.0 / clamp(1.0 + coeff * d)
        c = clamp(1.0 + coeff / c)
        h = h * d * c
        coeff = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))   # odd term d_{2m+1}
        d = 1.0 / clamp(1.0 + coeff * d)
        c = clamp(1.0 + coeff / c)
        delta = d * c
        h = h * delta
        done |= np.abs(delta - 1.0) < _EPS
        if np.all(done):
            return h
    raise RuntimeError("Incomplete beta continued fraction did not converge.")  # pragma: no cover


def _betainc(a, b, x, y):
    r""":math:`I_x(a, b)` for arrays, given both ``x`` and ``y = 1 - x`` (keeps precision near 1)."""
    a, b, x, y = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, x, y)))
    out = np.empty(a.shape)
    out[x <= 0] = 0.0
    out[y <= 0] = 1.0
    inner = (x > 0) & (y > 0)
    direct = inner & (x < (a + 1.0) / (a + b + 2.0))     # the fraction converges fast here
    flipped = inner & ~direct                            # use I_x(a, b) = 1 - I_{1-x}(b, a)
    for mask, p, q, u, v, flip in ((direct, a, b, x, y, False), (flipped, b, a, y, x, True)):
        if not np.any(mask):
            continue
        p, q, u, v = p[mask], q[mask], u[mask], v[mask]
        log_front = p * np.log(u) + q * np.log(v) + _lgamma(p + q) - _lgamma(p) - _lgamma(q)
        value = np.exp(log_front) * _lentz_beta(p, q, u) / p
        out[mask] = 1.0 - value if flip else value
    return out


def betainc(a, b, x):
    r"""Regularised incomplete beta function, elementwise.

    .. math:: I_x(a, b) = \frac{1}{B(a, b)} \int_0^x t^{a-1} (1 - t)^{b-1} \, dt .

    Parameters
    ----------
    a, b : array-like
        Positive shape parameters.
    x : array-like
        Points in :math:`[0, 1]`; all three are broadcast together.

    Returns
    -------
    ndarray
        Same as ``scipy.special.betainc(a, b, x)``.

    Notes
    -----
    For :math:`x < (a + 1)/(a + b + 2)`,
    :math:`I_x(a, b) = \frac{x^a (1-x)^b}{a B(a, b)} \cdot
    \frac{1}{1 + \frac{d_1}{1 + \frac{d_2}{1 + \cdots}}}`
    (continued fraction, modified Lentz method); otherwise the symmetry
    :math:`I_x(a, b) = 1 - I_{1-x}(b, a)`. Derived in the book page "Hypothesis testing".
    """
    a, b, x = (np.asarray(v, dtype=float) for v in (a, b, x))
    if np.any(~(a > 0)) or np.any(~(b > 0)):
        raise ValueError("The shape parameters a and b must be positive.")
    if np.any(~((x >= 0) & (x <= 1))):
        raise ValueError("x must lie in [0, 1].")
    return _betainc(a, b, x, 1.0 - x)


def _gamma_series(a, x, max_iter=_MAX_ITER):
    """Sum of x^n / ((a + 1) ... (a + n)) over n >= 0, divided by a (the series of P(a, x))."""
    term = 1.0 / a
    total = term.copy()
    for n in range(1, max_iter + 1):
        term = term * x / (a + n)
        total = total + term
        if np.all(np.abs(term) < np.abs(total) * _EPS):
            return total
    raise RuntimeError("Incomplete gamma series did not converge.")  # pragma: no cover


def _gamma_fraction(a, x, max_iter=_MAX_ITER):
    """Continued fraction of Q(a, x): 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...)."""
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / _TINY)
    d = 1.0 / b
    h = d.copy()
    done = np.zeros(x.shape, dtype=bool)
    for i in range(1, max_iter + 1):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < _TINY, _TINY, d)
        c = b + an / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        delta = d * c
        h = h * delta
        done |= np.abs(delta - 1.0) < _EPS
        if np.all(done):
            return h
    raise RuntimeError("Incomplete gamma continued fraction did not converge.")  # pragma: no cover


def _gammainc_pair(a, x):
    """Return (P(a, x), Q(a, x)), each computed where it is the small one or by its own expansion."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    lower, upper = np.zeros(a.shape), np.ones(a.shape)
    series = (x > 0) & (x < a + 1.0)                     # the series converges fast here
    fraction = x >= a + 1.0
    if np.any(series):
        aa, xx = a[series], x[series]
        p = np.exp(aa * np.log(xx) - xx - _lgamma(aa)) * _gamma_series(aa, xx)
        lower[series], upper[series] = p, 1.0 - p
    if np.any(fraction):
        aa, xx = a[fraction], x[fraction]
        q = np.exp(aa * np.log(xx) - xx - _lgamma(aa)) * _gamma_fraction(aa, xx)
        lower[fraction], upper[fraction] = 1.0 - q, q
    return lower, upper


def _check_gamma_args(a, x):
    a, x = np.asarray(a, dtype=float), np.asarray(x, dtype=float)
    if np.any(~(a > 0)):
        raise ValueError("The shape parameter a must be positive.")
    if np.any(~(x >= 0)):
        raise ValueError("x must be non-negative.")
    return a, x


def gammainc(a, x):
    r"""Regularised lower incomplete gamma function :math:`P(a, x) = \gamma(a, x)/\Gamma(a)`, elementwise.

    Parameters
    ----------
    a : array-like
        Positive shape parameters.
    x : array-like
        Non-negative points, broadcast with ``a``.

    Returns
    -------
    ndarray
        Same as ``scipy.special.gammainc(a, x)``.

    Notes
    -----
    For :math:`x < a + 1` the series
    :math:`P(a, x) = \frac{x^a e^{-x}}{\Gamma(a)} \sum_{n \ge 0} \frac{x^n}{a (a+1) \cdots (a+n)}`;
    otherwise :math:`1 - Q(a, x)` from the continued fraction of :math:`Q`.
    Derived in the book page "Hypothesis testing".
    """
    return _gammainc_pair(*_check_gamma_args(a, x))[0]


def gammaincc(a, x):
    r"""Regularised upper incomplete gamma function :math:`Q(a, x) = 1 - P(a, x)`, elementwise.

    Computed from its continued fraction for :math:`x \ge a + 1`, so that small upper
    tails keep their relative precision. Same as ``scipy.special.gammaincc(a, x)``.
    """
    return _gammainc_pair(*_check_gamma_args(a, x))[1]


def t_sf(t, df):
    r"""Upper tail :math:`P(T > t)` of Student's t distribution with ``df`` degrees of freedom, elementwise.

    .. math:: P(T > |t|) = \tfrac12 I_{\nu/(\nu + t^2)}\bigl(\tfrac{\nu}{2}, \tfrac12\bigr),

    and :math:`P(T > t) = 1 - P(T > |t|)` for :math:`t < 0`.
    """
    t, df = np.asarray(t, dtype=float), np.asarray(df, dtype=float)
    if np.any(~(df > 0)):
        raise ValueError("The degrees of freedom must be positive.")
    t2 = t * t
    tail = 0.5 * _betainc(0.5 * df, 0.5, df / (df + t2), t2 / (df + t2))    # P(T > |t|)
    return np.where(t > 0, tail, 1.0 - tail)


def chi2_sf(x, df):
    r"""Upper tail of the chi-squared distribution, :math:`P(\chi^2_k > x) = Q(k/2, x/2)`, elementwise."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    if np.any(~(df > 0)):
        raise ValueError("The degrees of freedom must be positive.")
    return gammaincc(0.5 * df, np.maximum(0.5 * x, 0.0))


# ---- p-values from statistics ------------------------------------------------------------

def _z_pvalue(z, alternative):
    if alternative == "two-sided":
        return float(2.0 * norm_sf(abs(z)))
    return float(norm_sf(z) if alternative == "greater" else norm_cdf(z))


def _t_pvalue(t, df, alternative):
    if alternative == "two-sided":
        return float(min(1.0, 2.0 * t_sf(abs(t), df)))
    return float(t_sf(t, df) if alternative == "greater" else t_sf(-t, df))


# ---- z and t tests -----------------------------------------------------------------------

def z_test_one_sample(x, mu0=0.0, sigma=1.0, alternative="two-sided"):
    r"""One-sample z-test of :math:`H_0: \mu = \mu_0` when the standard deviation is known.

    .. math:: z = \frac{\bar x - \mu_0}{\sigma / \sqrt n} \sim \mathcal{N}(0, 1) \text{ under } H_0 .

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        At least one observation.
    mu0 : float, default=0.0
        Hypothesised mean.
    sigma : float, default=1.0
        Known population standard deviation, positive.
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        ``"greater"`` tests against :math:`\mu > \mu_0`.

    Returns
    -------
    TestResult
        ``statistic`` (z), ``pvalue``; ``df`` is None.

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    x = _check_sample(x, min_size=1)
    alternative = _check_alternative(alternative)
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive finite number, got {sigma!r}.")
    z = (x.mean() - mu0) / (sigma / math.sqrt(x.size))
    return TestResult(float(z), _z_pvalue(z, alternative))


def ttest_one_sample(x, popmean=0.0, alternative="two-sided"):
    r"""One-sample t-test of :math:`H_0: \mu = \mu_0` (``scipy.stats.ttest_1samp``).

    .. math:: t = \frac{\bar x - \mu_0}{s / \sqrt n} \sim t_{n-1} \text{ under } H_0 \text{ (Gaussian data)},

    with :math:`s` the sample standard deviation (``ddof=1``).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        At least two observations, not all equal.
    popmean : float, default=0.0
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue`` and ``df = n - 1``.

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    x = _check_sample(x)
    alternative = _check_alternative(alternative)
    var = x.var(ddof=1)
    _check_positive_var(var, "x")
    n = x.size
    t = (x.mean() - popmean) / math.sqrt(var / n)
    return TestResult(float(t), _t_pvalue(t, n - 1, alternative), float(n - 1))


def ttest_ind(a, b, equal_var=True, alternative="two-sided"):
    r"""Two-sample t-test of :math:`H_0: \mu_a = \mu_b` (``scipy.stats.ttest_ind``).

    * ``equal_var=True`` (Student): pooled variance
      :math:`s_p^2 = \frac{(n_a - 1)s_a^2 + (n_b - 1)s_b^2}{n_a + n_b - 2}`,
      :math:`t = (\bar a - \bar b) / (s_p\sqrt{1/n_a + 1/n_b})`, ``df`` :math:`= n_a + n_b - 2`.
    * ``equal_var=False`` (Welch): :math:`t = (\bar a - \bar b)/\sqrt{v_a + v_b}` with
      :math:`v = s^2/n`, and the Welch-Satterthwaite degrees of freedom
      :math:`\nu = (v_a + v_b)^2 / \bigl(v_a^2/(n_a - 1) + v_b^2/(n_b - 1)\bigr)`.

    Parameters
    ----------
    a : array-like of shape (n_a,)
    b : array-like of shape (n_b,)
        Each with at least two observations.
    equal_var : bool, default=True
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        ``"greater"`` tests against :math:`\mu_a > \mu_b`.

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue`` and ``df`` (non-integer for Welch).

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    a, b = _check_sample(a, "a"), _check_sample(b, "b")
    alternative = _check_alternative(alternative)
    na, nb = a.size, b.size
    var_a, var_b = a.var(ddof=1), b.var(ddof=1)
    if equal_var:
        df = na + nb - 2.0
        pooled = ((na - 1) * var_a + (nb - 1) * var_b) / df
        _check_positive_var(pooled, "the pooled sample")
        se = math.sqrt(pooled * (1 / na + 1 / nb))
    else:
        va, vb = var_a / na, var_b / nb
        _check_positive_var(va + vb, "the pooled sample")
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    t = (a.mean() - b.mean()) / se
    return TestResult(float(t), _t_pvalue(t, df, alternative), float(df))


def ttest_rel(a, b, alternative="two-sided"):
    r"""Paired t-test (``scipy.stats.ttest_rel``): the one-sample t-test of the differences ``a - b``.

    Parameters
    ----------
    a, b : array-like of shape (n_pairs,)
        Paired observations, at least two pairs.
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue`` and ``df = n_pairs - 1``.

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    a, b = _check_sample(a, "a"), _check_sample(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length for a paired test, got {a.size} and {b.size}.")
    return ttest_one_sample(a - b, 0.0, alternative)


# ---- chi-squared tests -------------------------------------------------------------------

def chi2_gof(f_obs, f_exp=None, ddof=0):
    r"""Pearson's chi-squared goodness-of-fit test (``scipy.stats.chisquare``).

    .. math::

        X^2 = \sum_{j=1}^k \frac{(O_j - E_j)^2}{E_j} \approx \chi^2_{k - 1 - \text{ddof}} \text{ under } H_0 .

    Parameters
    ----------
    f_obs : array-like of shape (n_categories,)
        Observed counts, non-negative, at least two categories.
    f_exp : array-like of shape (n_categories,) or None, default=None
        Expected counts, positive, with the same total as ``f_obs``; None means equal.
    ddof : int, default=0
        Number of parameters estimated from the data, subtracted from the degrees of freedom.

    Returns
    -------
    TestResult
        ``statistic``, ``pvalue`` and ``df = n_categories - 1 - ddof``.

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    f_obs = _check_sample(f_obs, "f_obs")
    if np.any(f_obs < 0):
        raise ValueError("Observed counts f_obs must be non-negative.")
    if f_exp is None:
        f_exp = np.full(f_obs.shape, f_obs.mean())
    else:
        f_exp = _check_sample(f_exp, "f_exp")
        if f_exp.shape != f_obs.shape:
            raise ValueError(f"f_obs and f_exp have different shapes: {f_obs.shape} and {f_exp.shape}.")
    if np.any(f_exp <= 0):
        raise ValueError("Expected counts f_exp must be positive.")
    if not math.isclose(f_obs.sum(), f_exp.sum(), rel_tol=1e-8):
        raise ValueError(f"f_obs and f_exp must have the same total, got {f_obs.sum()} and {f_exp.sum()}.")
    df = f_obs.size - 1 - ddof
    if df < 1:
        raise ValueError(f"ddof={ddof} leaves {df} degrees of freedom; at least 1 required.")
    stat = float(np.sum((f_obs - f_exp) ** 2 / f_exp))
    return TestResult(stat, float(chi2_sf(stat, df)), float(df))


def chi2_contingency(observed, correction=True):
    r"""Pearson's chi-squared test of independence for a two-way table (``scipy.stats.chi2_contingency``).

    Under independence the expected counts are :math:`E_{ij} = R_i C_j / N` (row total
    times column total over the grand total), and

    .. math:: X^2 = \sum_{i,j} \frac{(O_{ij} - E_{ij})^2}{E_{ij}} \approx \chi^2_{(r-1)(c-1)} .

    With ``correction=True`` and one degree of freedom (a 2 x 2 table), Yates' continuity
    correction moves each :math:`O_{ij}` by :math:`\min(0.5, |O_{ij} - E_{ij}|)` towards
    :math:`E_{ij}` first.

    Parameters
    ----------
    observed : array-like of shape (n_rows, n_cols)
        Non-negative counts; no row or column may sum to zero.
    correction : bool, default=True

    Returns
    -------
    Chi2ContingencyResult
        ``statistic``, ``pvalue``, ``dof`` and ``expected_freq`` of shape (n_rows, n_cols).
        A table with zero degrees of freedom gives statistic 0 and p-value 1.

    Notes
    -----
    Derived in the book page "Hypothesis testing".
    """
    try:
        observed = np.asarray(observed, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"observed must be numeric: {exc}") from None
    if observed.ndim != 2:
        raise ValueError(f"Expected a 2D contingency table, got a {observed.ndim}D array instead.")
    if not np.all(np.isfinite(observed)):
        raise ValueError("observed contains NaN or infinity.")
    if np.any(observed < 0):
        raise ValueError("All counts in the contingency table must be non-negative.")
    total = observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total if total > 0 else observed
    if np.any(expected == 0):
        raise ValueError("A row or column of the table sums to zero: an expected count is zero.")
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    if dof == 0:
        return Chi2ContingencyResult(0.0, 1.0, 0, expected)
    if correction and dof == 1:
        diff = expected - observed
        observed = observed + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    stat = float(np.sum((observed - expected) ** 2 / expected))
    return Chi2ContingencyResult(stat, float(chi2_sf(stat, dof)), dof, expected)


# ---- A/B tests: two proportions, power and sample size ------------------------------------

def _check_count(k, n, name):
    if not (float(n).is_integer() and n >= 1):
        raise ValueError(f"n{name} must be a positive integer, got {n!r}.")
    if not (float(k).is_integer() and 0 <= k <= n):
        raise ValueError(f"successes{name} must be an integer between 0 and n{name}, got {k!r}.")


def two_proportion_ztest(successes1, n1, successes2, n2, alternative="two-sided"):
    r"""Pooled two-proportion z-test of :math:`H_0: p_1 = p_2`.

    .. math::

        z = \frac{\hat p_1 - \hat p_2}{\sqrt{\hat p (1 - \hat p)(1/n_1 + 1/n_2)}}, \qquad
        \hat p = \frac{k_1 + k_2}{n_1 + n_2} .

    Its square equals the uncorrected chi-squared statistic of the 2 x 2 table.

    Parameters
    ----------
    successes1, n1, successes2, n2 : int
        Successes and trials in each group.
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        ``"greater"`` tests against :math:`p_1 > p_2`.

    Returns
    -------
    TestResult
        ``statistic`` (z) and ``pvalue``; ``df`` is None.

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    _check_count(successes1, n1, "1")
    _check_count(successes2, n2, "2")
    alternative = _check_alternative(alternative)
    pooled = (successes1 + successes2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        raise ValueError("All trials succeeded or all failed: the pooled standard error is zero.")
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (successes1 / n1 - successes2 / n2) / se
    return TestResult(float(z), _z_pvalue(z, alternative))


def _power_from_shift(shift, sd0, sd1, alpha, alternative):
    r"""Power of a z-test whose numerator is N(shift, sd1^2) and whose null sd is sd0 (per unit sqrt(n))."""
    if alternative == "two-sided":
        z = normal_ppf(1 - alpha / 2)
        return norm_cdf((shift - z * sd0) / sd1) + norm_cdf((-shift - z * sd0) / sd1)
    z = normal_ppf(1 - alpha)
    sign = 1.0 if alternative == "greater" else -1.0
    return norm_cdf((sign * shift - z * sd0) / sd1)


def _check_n_array(n):
    n = np.asarray(n, dtype=float)
    if np.any(~(n > 0)) or np.any(~np.isfinite(n)):
        raise ValueError("The sample size per group must be positive and finite.")
    return n


def power_two_sample_z(effect_size, n_per_group, alpha=0.05, alternative="two-sided"):
    r"""Power of the two-sample z-test with known, equal variances and equal group sizes.

    With the standardised effect :math:`d = (\mu_1 - \mu_2)/\sigma`, the statistic is
    :math:`\mathcal{N}(\lambda, 1)` with :math:`\lambda = d\sqrt{n/2}`, so the two-sided power is

    .. math:: \Phi(\lambda - z_{1-\alpha/2}) + \Phi(-\lambda - z_{1-\alpha/2}) .

    Parameters
    ----------
    effect_size : float or array-like
        :math:`d`, finite; broadcast with ``n_per_group``.
    n_per_group : float or array-like
        Positive sample size(s) per group.
    alpha : float in (0, 1), default=0.05
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    power : float or ndarray
        Of the broadcast shape of ``effect_size`` and ``n_per_group``.

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    alpha = _check_unit_open(alpha, "alpha")
    alternative = _check_alternative(alternative)
    effect_size = np.asarray(effect_size, dtype=float)
    if not np.all(np.isfinite(effect_size)):
        raise ValueError(f"effect_size must be finite, got {effect_size!r}.")
    n = _check_n_array(n_per_group)
    power = _power_from_shift(effect_size * np.sqrt(n / 2), 1.0, 1.0, alpha, alternative)
    return float(power) if power.ndim == 0 else power


def _smallest_n(power_fn, n_guess, target):
    """Smallest integer n >= 1 with power_fn(n) >= target, starting from an approximate n_guess."""
    n = max(1, math.ceil(n_guess))
    while power_fn(n) < target:                          # the guess may be one or two short
        n += 1
    while n > 1 and power_fn(n - 1) >= target:           # ... or a little long (the ignored tail)
        n -= 1
    return n


def _z_quantiles(alpha, power, alternative):
    z_alpha = normal_ppf(1 - alpha / 2) if alternative == "two-sided" else normal_ppf(1 - alpha)
    return z_alpha, normal_ppf(power)


def sample_size_two_sample_z(effect_size, alpha=0.05, power=0.8, alternative="two-sided"):
    r"""Smallest sample size per group at which :func:`power_two_sample_z` reaches ``power``.

    Ignoring the far rejection tail,
    :math:`n \approx 2 (z_{1-\alpha/2} + z_{1-\beta})^2 / d^2` with :math:`1 - \beta` the
    target power; the result is then adjusted to the smallest integer that reaches it.

    Parameters
    ----------
    effect_size : float
        Standardised effect :math:`d`, nonzero (and of the sign of the one-sided alternative).
    alpha, power : float in (0, 1)
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    n_per_group : int

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    alpha, power = _check_unit_open(alpha, "alpha"), _check_unit_open(power, "power")
    alternative = _check_alternative(alternative)
    if not (np.isfinite(effect_size) and effect_size != 0):
        raise ValueError(f"effect_size must be finite and nonzero, got {effect_size!r}.")
    if (alternative == "greater" and effect_size < 0) or (alternative == "less" and effect_size > 0):
        raise ValueError("The effect has the opposite sign to the one-sided alternative: no n reaches it.")
    z_alpha, z_beta = _z_quantiles(alpha, power, alternative)
    guess = 2 * (z_alpha + z_beta) ** 2 / effect_size**2
    return _smallest_n(lambda n: power_two_sample_z(effect_size, n, alpha, alternative), guess, power)


def _check_rates(p1, p2):
    _check_unit_open(p1, "p1")
    _check_unit_open(p2, "p2")
    return float(p1), float(p2)


def power_two_proportions(p1, p2, n_per_group, alpha=0.05, alternative="two-sided"):
    r"""Approximate power of :func:`two_proportion_ztest` with ``n_per_group`` trials in each group.

    Under the alternative, :math:`\hat p_1 - \hat p_2 \approx \mathcal{N}(\Delta, \sigma_1^2/n)`
    with :math:`\Delta = p_1 - p_2` and :math:`\sigma_1^2 = p_1 q_1 + p_2 q_2`, while the test
    divides by the pooled standard error, close to :math:`\sigma_0/\sqrt n` with
    :math:`\sigma_0^2 = 2\bar p \bar q`, :math:`\bar p = (p_1 + p_2)/2`. The two-sided power is

    .. math::

        \Phi\Bigl(\frac{\Delta\sqrt n - z_{1-\alpha/2}\sigma_0}{\sigma_1}\Bigr) +
        \Phi\Bigl(\frac{-\Delta\sqrt n - z_{1-\alpha/2}\sigma_0}{\sigma_1}\Bigr) .

    Parameters
    ----------
    p1, p2 : float in (0, 1)
        True success probabilities.
    n_per_group : float or array-like
        Positive trials per group.
    alpha : float in (0, 1), default=0.05
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    power : float or ndarray

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    p1, p2 = _check_rates(p1, p2)
    alpha = _check_unit_open(alpha, "alpha")
    alternative = _check_alternative(alternative)
    n = _check_n_array(n_per_group)
    p_bar = (p1 + p2) / 2
    sd0, sd1 = math.sqrt(2 * p_bar * (1 - p_bar)), math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    power = _power_from_shift((p1 - p2) * np.sqrt(n), sd0, sd1, alpha, alternative)
    return float(power) if power.ndim == 0 else power


def sample_size_two_proportions(p1, p2, alpha=0.05, power=0.8, alternative="two-sided"):
    r"""Smallest trials per group at which :func:`power_two_proportions` reaches ``power``.

    Ignoring the far tail,
    :math:`n \approx \bigl(z_{1-\alpha/2}\sigma_0 + z_{1-\beta}\sigma_1\bigr)^2 / \Delta^2`
    (notation of :func:`power_two_proportions`), then adjusted to the smallest integer.

    Parameters
    ----------
    p1, p2 : float in (0, 1), different
    alpha, power : float in (0, 1)
    alternative : {"two-sided", "greater", "less"}, default="two-sided"

    Returns
    -------
    n_per_group : int

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    p1, p2 = _check_rates(p1, p2)
    alpha, power = _check_unit_open(alpha, "alpha"), _check_unit_open(power, "power")
    alternative = _check_alternative(alternative)
    if p1 == p2:
        raise ValueError("p1 and p2 are equal: there is no effect to detect.")
    if (alternative == "greater" and p1 < p2) or (alternative == "less" and p1 > p2):
        raise ValueError("The effect has the opposite sign to the one-sided alternative: no n reaches it.")
    p_bar = (p1 + p2) / 2
    sd0, sd1 = math.sqrt(2 * p_bar * (1 - p_bar)), math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    z_alpha, z_beta = _z_quantiles(alpha, power, alternative)
    guess = ((z_alpha * sd0 + z_beta * sd1) / (p1 - p2)) ** 2
    return _smallest_n(lambda n: power_two_proportions(p1, p2, n, alpha, alternative), guess, power)


# ---- multiple comparisons ----------------------------------------------------------------

def _check_pvalues(pvalues):
    p = _check_sample(pvalues, "pvalues", min_size=1)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1].")
    return p


def bonferroni(pvalues):
    r"""Bonferroni-adjusted p-values, :math:`\min(1, m p_i)` for :math:`m` tests.

    Rejecting where the adjusted p-value is at most :math:`\alpha` (that is,
    :math:`p_i \le \alpha/m`) keeps the family-wise error rate at most :math:`\alpha`, under
    any dependence between the tests.

    Parameters
    ----------
    pvalues : array-like of shape (m,)

    Returns
    -------
    adjusted : ndarray of shape (m,)

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    p = _check_pvalues(pvalues)
    return np.minimum(1.0, p.size * p)


def benjamini_hochberg(pvalues):
    r"""Benjamini-Hochberg adjusted p-values (``scipy.stats.false_discovery_control``, ``method="bh"``).

    With the sorted p-values :math:`p_{(1)} \le \dots \le p_{(m)}`, the adjusted value of
    :math:`p_{(i)}` is :math:`\min\bigl(1, \min_{j \ge i} m p_{(j)} / j\bigr)`. Rejecting where it
    is at most :math:`q` rejects the :math:`k` smallest p-values, with :math:`k` the largest
    :math:`i` such that :math:`p_{(i)} \le i q / m`; for independent tests this controls the
    false discovery rate at :math:`q m_0 / m \le q`.

    Parameters
    ----------
    pvalues : array-like of shape (m,)

    Returns
    -------
    adjusted : ndarray of shape (m,)
        In the original order.

    Notes
    -----
    Derived in the book page "A/B testing and experiment design".
    """
    p = _check_pvalues(pvalues)
    m = p.size
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)                   # m p_(i) / i
    running_min = np.minimum.accumulate(scaled[::-1])[::-1]       # min over j >= i
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, running_min)
    return adjusted
