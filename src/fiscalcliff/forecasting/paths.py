"""Simulate VAR-X forecast paths, vectorised over posterior draws."""

from __future__ import annotations

import numpy as np

from fiscalcliff.model.design import LagLayout


def simulate_paths(
    b: np.ndarray,
    sigma_root: np.ndarray,
    history: np.ndarray,
    exog_future: np.ndarray,
    shocks: np.ndarray,
    layout: LagLayout,
    shock_scale: np.ndarray | None = None,
) -> np.ndarray:
    """Iterate ``y_t = c + sum_l A_l y_{t-l} + G x_t + C z_t`` forward for every draw.

    Parameters
    ----------
    b : ndarray, shape (n, M, K)
        Coefficient draws in the layout of :mod:`fiscalcliff.model.design`.
    sigma_root : ndarray, shape (n, K, K)
        ``C`` with ``C C' = Sigma`` per draw.
    history : ndarray, shape (p, K) or (n, p, K)
        The last ``p`` observations, oldest first (shared, or per draw: e.g. a filled ragged
        edge, :mod:`fiscalcliff.forecasting.ragged`).
    exog_future : ndarray, shape (h, n_exog) or (n, h, n_exog)
        Exogenous values over the horizon (shared or per draw).
    shocks : ndarray, shape (n, h, K)
        Standard-normal innovations; zeros give the conditional-mean path of each draw.
    layout : LagLayout
    shock_scale : ndarray, shape (n, h), optional
        Error scales ``v_t`` of the months (Student-t errors, stochastic volatility: see
        :class:`~fiscalcliff.model.error_scales.FutureScales`): the innovation is then
        ``C sqrt(v_t) z_t``. None: ``C z_t``.

    Returns
    -------
    ndarray, shape (n, h, K)
    """
    n, h, k = shocks.shape
    p = layout.lags
    lag_coef = b[:, layout.lag_slice, :]  # (n, p*K, K)
    if shock_scale is not None:
        shocks = shocks * np.sqrt(shock_scale)[..., None]
    out = np.matmul(shocks, np.swapaxes(sigma_root, 1, 2))  # rows z_t' C'; y is built on them
    if layout.constant:
        out += b[:, None, 0, :]
    if layout.n_exogenous:
        g = b[:, layout.exog_slice, :]  # (n, n_exog, K)
        out += np.broadcast_to(exog_future, (n, h, layout.n_exogenous)) @ g
    history = np.asarray(history, dtype=float)
    # newest first: y_t goes to row h-1-t, so the p lags of step t are one contiguous block,
    # rows h-t .. h-t+p-1 = y_{t-1} .. y_{t-p} (the order of the lag rows of B)
    buf = np.empty((n, h + p, k))
    buf[:, h:] = (history if history.ndim == 3 else history[None])[:, ::-1]
    for t in range(h):
        lags = buf[:, h - t : h - t + p].reshape(n, 1, p * k)
        out[:, t] += np.matmul(lags, lag_coef)[:, 0]
        buf[:, h - 1 - t] = out[:, t]
    return out
