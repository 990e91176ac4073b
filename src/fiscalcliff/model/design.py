"""Regression form of a VAR-X: lags, exogenous and deterministic terms stacked as ``Y = X B + E``.

Row layout of ``B`` (and columns of ``X``): ``const`` (when present), then ``<var>.l1`` for every
endogenous variable, ``<var>.l2``, ... ``<var>.l<p>``, then the exogenous variables dated ``t``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONSTANT = "const"


def regressor_names(
    endogenous: Sequence[str], exogenous: Sequence[str], lags: int, constant: bool = True
) -> list[str]:
    """Names of the rows of ``B`` in the layout used throughout the package."""
    names = [CONSTANT] if constant else []
    for lag in range(1, lags + 1):
        names.extend(f"{v}.l{lag}" for v in endogenous)
    names.extend(exogenous)
    return names


def lagged_regressors(
    history: np.ndarray, exog: np.ndarray | None, lags: int, constant: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Build ``(Y, X)`` from a levels panel.

    Parameters
    ----------
    history : ndarray, shape (N, K)
        Endogenous observations in time order.
    exog : ndarray, shape (N, n_exog) or None
        Exogenous observations aligned with ``history`` (entering at date ``t``).
    lags : int
        Number of lags ``p``; the first ``p`` rows are pre-sample.
    constant : bool
        Include an intercept column.

    Returns
    -------
    Y : ndarray, shape (N - p, K)
    X : ndarray, shape (N - p, M)
    """
    n = history.shape[0]
    if n <= lags:
        raise ValueError(f"need more than {lags} observations, got {n}")
    t = n - lags
    blocks = [np.ones((t, 1))] if constant else []
    blocks.extend(history[lags - lag : n - lag] for lag in range(1, lags + 1))
    if exog is not None and exog.shape[1]:
        blocks.append(exog[lags:])
    return history[lags:], np.hstack(blocks)


@dataclass(frozen=True)
class LagLayout:
    """Where each kind of regressor sits in ``B``."""

    n_endogenous: int
    n_exogenous: int
    lags: int
    constant: bool = True

    @property
    def n_regressors(self) -> int:
        """Rows of ``B``."""
        return int(self.constant) + self.n_endogenous * self.lags + self.n_exogenous

    @property
    def lag_slice(self) -> slice:
        """Rows of ``B`` holding the lag coefficients, lag 1 first."""
        start = int(self.constant)
        return slice(start, start + self.n_endogenous * self.lags)

    @property
    def exog_slice(self) -> slice:
        """Rows of ``B`` holding the exogenous coefficients."""
        stop = self.n_regressors
        return slice(stop - self.n_exogenous, stop)


def companion_blocks(b: np.ndarray, layout: LagLayout) -> np.ndarray:
    """Lag coefficient matrices ``A_l`` (so ``y_t = sum_l A_l y_{t-l} + ...``).

    Parameters
    ----------
    b : ndarray, shape (..., M, K)

    Returns
    -------
    ndarray, shape (..., p, K, K)
        ``A[..., l-1, i, j]`` is the effect of variable ``j`` at lag ``l`` on variable ``i``.
    """
    k, p = layout.n_endogenous, layout.lags
    lag_rows = b[..., layout.lag_slice, :]  # (..., p*K, K): rows (lag, j), columns i
    lag_rows = lag_rows.reshape(*b.shape[:-2], p, k, k)  # (..., l, j, i)
    return np.swapaxes(lag_rows, -1, -2)
