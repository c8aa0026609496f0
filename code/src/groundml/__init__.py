"""groundml: the from-scratch code of the ML interview book.

One module per topic, NumPy only at run time, each implementation tested against a
reference library in ``code/tests``.
"""

from ._validation import ConvergenceWarning, NotFittedError
from .linear_model import LinearRegression, r2_score

__all__ = ["ConvergenceWarning", "LinearRegression", "NotFittedError", "r2_score"]
__version__ = "0.1.0"
