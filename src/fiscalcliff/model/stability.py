"""Stability of VAR draws: largest modulus of the companion matrix's eigenvalues."""

from __future__ import annotations

import numpy as np

from fiscalcliff.model.design import LagLayout, companion_blocks

#: a draw is explosive when its companion matrix has a root of modulus above this
EXPLOSIVE_ROOT = 1.0


def companion_matrices(b: np.ndarray, layout: LagLayout) -> np.ndarray:
    """Companion matrices ``(n, pK, pK)`` of coefficient draws ``(n, M, K)``."""
    n = b.shape[0]
    k, p = layout.n_endogenous, layout.lags
    blocks = companion_blocks(b, layout)  # (n, p, K, K)
    comp = np.zeros((n, k * p, k * p))
    comp[:, :k, :] = np.concatenate(list(np.moveaxis(blocks, 1, 0)), axis=-1)
    if p > 1:
        comp[:, k:, :-k] = np.eye(k * (p - 1))
    return comp


def max_root_modulus(b: np.ndarray, layout: LagLayout, chunk: int = 500) -> np.ndarray:
    """Largest eigenvalue modulus of each draw's companion matrix.

    Parameters
    ----------
    b : ndarray, shape (n, M, K)
    layout : LagLayout
    chunk : int
        Draws per batch (bounds memory).

    Returns
    -------
    ndarray, shape (n,)
        Values above one mean the draw is explosive.
    """
    out = np.empty(b.shape[0])
    for start in range(0, b.shape[0], chunk):
        comp = companion_matrices(b[start : start + chunk], layout)
        out[start : start + chunk] = np.abs(np.linalg.eigvals(comp)).max(axis=-1)
    return out


def parallel_max_root(b: np.ndarray, layout: LagLayout, workers: int = 2) -> np.ndarray:
    """:func:`max_root_modulus` split over threads (LAPACK releases the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    parts = np.array_split(np.arange(b.shape[0]), workers)
    with ThreadPoolExecutor(workers) as pool:
        res = pool.map(lambda idx: max_root_modulus(b[idx], layout), parts)
    return np.concatenate(list(res))
