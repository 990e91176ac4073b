"""Reduced-form dynamics of VAR-X coefficient draws (moving-average coefficients).

Pure algebra on ``B`` in the layout of :mod:`fiscalcliff.model.design`; used by identification
(sign restrictions beyond impact), conditional forecasting and structural analysis.
"""

from __future__ import annotations

import numpy as np

from fiscalcliff.model.design import LagLayout, companion_blocks


def impulse_responses(b: np.ndarray, layout: LagLayout, h: int) -> np.ndarray:
    """Reduced-form impulse responses ``Psi_0 .. Psi_{h-1}`` of every draw.

    ``Psi_0 = I`` and ``Psi_j = sum_{l=1}^{min(j, p)} A_l Psi_{j-l}``, so ``Psi_j[i, k]`` is the
    response of variable ``i`` after ``j`` periods to a unit reduced-form innovation in ``k``.

    Parameters
    ----------
    b : ndarray, shape (n, M, K)
        Coefficient draws in the layout of :mod:`fiscalcliff.model.design`.
    layout : LagLayout
    h : int
        Number of responses (the forecast horizon).

    Returns
    -------
    ndarray, shape (n, h, K, K)
    """
    if h < 1:
        raise ValueError(f"horizon must be at least 1, got {h}")
    a = companion_blocks(np.asarray(b, dtype=float), layout)  # (n, p, K, K)
    n, p, k = a.shape[0], layout.lags, layout.n_endogenous
    # stored newest first (rev[:, h-1-j] = Psi_j), so that Psi_{j-1}, ..., Psi_{j-top} are one
    # contiguous block per draw and stack without a copy
    rev = np.empty((n, h, k, k))
    rev[:, h - 1] = np.eye(k)
    # [A_1 A_2 ... A_p] side by side: row i, column (l, k)
    wide = np.ascontiguousarray(a.transpose(0, 2, 1, 3)).reshape(n, k, p * k)
    for j in range(1, h):
        top = min(j, p)
        # A_1 Psi_{j-1} + ... + A_top Psi_{j-top}: one batched GEMM over the stacked lags
        previous = rev[:, h - j : h - j + top].reshape(n, top * k, k)
        np.matmul(wide[:, :, : top * k], previous, out=rev[:, h - 1 - j])
    return rev[:, ::-1]


__all__ = ["impulse_responses"]
