"""The multivariate gamma function's logarithm, without importing scipy.

``scipy.special`` pulls in scipy's array-API layer (about 0.2 s of every command's start) for
the one function the closed-form NIW formulas need; the tests check this one against
:func:`scipy.special.multigammaln`.
"""

from __future__ import annotations

import math


def multigammaln(a: float, d: int) -> float:
    """``log Γ_d(a) = d(d-1)/4 log(π) + Σ_{j=1..d} log Γ(a + (1-j)/2)``.

    Parameters
    ----------
    a : float
        Argument; must exceed ``(d - 1) / 2``.
    d : int
        Dimension (a positive integer).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``a <= (d - 1) / 2`` (the function is not defined there) or ``d < 1``.

    Examples
    --------
    >>> round(multigammaln(3.0, 1), 12) == round(math.lgamma(3.0), 12)
    True
    """
    if d < 1 or int(d) != d:
        raise ValueError(f"multigammaln: dimension must be a positive integer, got {d!r}")
    a = float(a)
    if not a > 0.5 * (d - 1):
        raise ValueError(f"multigammaln: a must exceed (d - 1) / 2 = {0.5 * (d - 1)}, got {a}")
    d = int(d)
    return 0.25 * d * (d - 1) * math.log(math.pi) + math.fsum(
        math.lgamma(a - 0.5 * j) for j in range(d)
    )
