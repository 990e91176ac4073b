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

    Returns
    -------
    ndarray, shape (n, h, K)
    """
    n, h, k = shocks.shape
    p = layout.lags
    eps = shocks @ np.swapaxes(sigma_root, 1, 2)  # (n, h, K): rows z_t' C'
    lag_coef = b[:, layout.lag_slice, :]  # (n, p*K, K)
    base = np.zeros((n, h, k))
    if layout.constant:
        base += b[:, None, 0, :]
    if layout.n_exogenous:
        g = b[:, layout.exog_slice, :]  # (n, n_exog, K)
        xf = np.broadcast_to(exog_future, (n, h, layout.n_exogenous))
        base += xf @ g
    # lags[:, (l-1)*K:(l)*K] holds y_{t-l}
    history = np.asarray(history, dtype=float)
    if history.ndim == 3:
        lags = history[:, ::-1, :].reshape(n, p * k).copy()
    else:
        lags = np.broadcast_to(history[::-1].reshape(1, p * k), (n, p * k)).copy()
    out = np.empty((n, h, k))
    for step in range(h):
        y = np.einsum("nm,nmk->nk", lags, lag_coef, optimize=True) + base[:, step] + eps[:, step]
        out[:, step] = y
        lags = np.concatenate([y, lags[:, : (p - 1) * k]], axis=1)
    return out
