"""Impulse responses and the loadings of linear conditions on the structural shocks.

The stacked ``h``-step forecast of a VAR-X draw is ``vec(y) = mu + M vec(z)`` with ``vec``
date-major (entry ``s*K + k`` is variable ``k`` at horizon date ``s``), ``z`` the shocks of
:func:`fiscalcliff.forecasting.paths.simulate_paths` and ``M`` block lower triangular with block
``(s, s')`` equal to ``Psi_{s-s'} C``. ``M`` itself is never built: a set of ``m`` linear conditions
``R vec(y)`` only needs ``R M``, an ``(m, h*K)`` matrix per draw.
"""

from __future__ import annotations

import numpy as np

from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.dynamics import impulse_responses


def constraint_loadings(
    rows: np.ndarray,
    b: np.ndarray,
    sigma_root: np.ndarray,
    layout: LagLayout,
    h: int,
    *,
    psi: np.ndarray | None = None,
    shock_scale: np.ndarray | None = None,
) -> np.ndarray:
    """Loadings ``G = R M`` of linear conditions on the stacked standard-normal shocks.

    Parameters
    ----------
    rows : ndarray, shape (m, h*K)
        Condition rows ``R`` acting on ``vec(y)`` (date-major, entry ``s*K + k``).
    b : ndarray, shape (n, M, K)
        Coefficient draws.
    sigma_root : ndarray, shape (n, K, K)
        ``C`` with ``C C' = Sigma`` per draw (the shock loading of :func:`simulate_paths`).
    layout : LagLayout
    h : int
        Forecast horizon.
    psi : ndarray, shape (n, h, K, K), optional
        Precomputed :func:`impulse_responses` (saves recomputing them for several row sets).
    shock_scale : ndarray, shape (n, h), optional
        Error scales of the months (the innovation of date ``s'`` is ``C sqrt(v_s') z``, as in
        :func:`~fiscalcliff.forecasting.paths.simulate_paths`).

    Returns
    -------
    ndarray, shape (n, m, h*K)
        ``G[d, i, s'*K + j]`` is the effect on condition ``i`` of a unit shock ``z`` to variable
        ``j`` at date ``s'`` in draw ``d``.
    """
    k = layout.n_endogenous
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[1] != h * k:
        raise ValueError(f"condition rows must have shape (m, {h * k}), got {rows.shape}")
    if psi is None:
        psi = impulse_responses(b, layout, h)
    n, m = psi.shape[0], rows.shape[0]
    r = rows.reshape(m, h, k)
    used = np.flatnonzero(np.abs(r).sum(axis=(0, 2)) > 0)
    top = int(used[-1]) + 1 if used.size else 0  # dates after the last used one contribute 0
    # toeplitz[(i, s'), (l, k)] = R[i, s' + l, k], so that for every draw
    # acc[(i, s'), j] = sum_{s >= s'} sum_k R[i, s, k] Psi_{s-s'}[k, j] is one batched product
    # with the draw's responses as a (top*K, K) matrix (a view: no copy of Psi)
    toeplitz = np.zeros((m, h, top, k))
    for date in range(top):
        toeplitz[:, date, : top - date] = r[:, date:top]
    acc = np.matmul(toeplitz.reshape(m * h, top * k), psi[:, :top].reshape(n, top * k, k))
    loadings = np.matmul(acc, np.asarray(sigma_root, dtype=float))  # (n, m*h, K)
    if shock_scale is not None:
        loadings = loadings.reshape(n, m, h, k) * np.sqrt(shock_scale)[:, None, :, None]
    return loadings.reshape(n, m, h * k)


__all__ = ["constraint_loadings", "impulse_responses"]
