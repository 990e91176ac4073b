"""Diebold–Mariano test of equal predictive accuracy, with the Harvey–Leybourne–Newbold fix."""

from __future__ import annotations

import numpy as np


def diebold_mariano(loss_diff: np.ndarray, horizon: int) -> tuple[float, float, int]:
    """Test whether a loss differential has mean zero.

    Parameters
    ----------
    loss_diff : ndarray, shape (T,)
        ``loss_model - loss_benchmark`` per forecast origin (NaNs are dropped); negative means
        the model is better.
    horizon : int
        Forecast horizon ``h``: the long-run variance uses autocovariances up to lag ``h - 1``
        with equal (rectangular) weights, as Diebold & Mariano (1995) propose for h-step
        forecasts; if that estimate is not positive, the lag-0 variance is used.

    Returns
    -------
    statistic : float
        ``DM * sqrt((T + 1 - 2h + h(h - 1)/T) / T)`` (Harvey, Leybourne & Newbold 1997).
    p_value : float
        Two-sided, from Student's t with ``T - 1`` degrees of freedom (HLN).
    n : int
        Number of non-missing differentials ``T``. With ``T < 3`` or zero variance the
        statistic and p-value are NaN.
    """
    from scipy import stats

    d = np.asarray(loss_diff, dtype=float)
    d = d[np.isfinite(d)]
    t = d.size
    h = int(horizon)
    if h < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")
    if t < 3:
        return float("nan"), float("nan"), t
    dc = d - d.mean()
    gamma = [dc @ dc / t] + [dc[k:] @ dc[:-k] / t for k in range(1, min(h, t))]
    lrv = gamma[0] + 2.0 * sum(gamma[1:])
    if not lrv > 0:
        lrv = gamma[0]
    if not lrv > 0:
        return float("nan"), float("nan"), t
    dm = d.mean() / np.sqrt(lrv / t)
    correction = np.sqrt(max(t + 1 - 2 * h + h * (h - 1) / t, 0.0) / t)
    stat = float(dm * correction)
    return stat, float(2 * stats.t.sf(abs(stat), df=t - 1)), t
