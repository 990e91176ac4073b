"""Banded positive definite systems by direct LAPACK calls (the Gibbs samplers' inner loops).

``scipy.linalg``'s ``cholesky_banded``, ``cho_solve_banded`` and ``solveh_banded`` call the same
LAPACK routines (``pbtrf``, ``pbtrs``, ``ptsv``) behind argument validation and a batching
wrapper that cost about 50 microseconds a call, more than the routines themselves on the
samplers' ~200-month systems, which they solve tens of thousands of times per fit. These
functions call the routines directly, so they return the same numbers (``tbtrs``, the
triangular band solve, has no such wrapper and is here so its callers share one check); scipy
is imported when first called.
"""

from __future__ import annotations

import numpy as np


def _lapack():
    from scipy.linalg import lapack

    return lapack


def _check(info: int, routine: str) -> None:
    if info > 0:
        raise np.linalg.LinAlgError(f"{routine}: leading minor {info} not positive definite")
    if info < 0:  # pragma: no cover - the arguments are built here
        raise ValueError(f"{routine}: illegal value in argument {-info}")


def band_cholesky(band: np.ndarray) -> np.ndarray:
    """Upper Cholesky factor ``U`` (``Q = U'U``) of a symmetric positive definite band matrix.

    Parameters
    ----------
    band : ndarray, shape (u + 1, n)
        Upper band storage (LAPACK ``pbtrf`` with ``uplo="U"``; as
        ``scipy.linalg.cholesky_banded(band, lower=False)``).

    Returns
    -------
    ndarray, shape (u + 1, n)
        ``U`` in the same storage.
    """
    factor, info = _lapack().dpbtrf(np.asarray(band, dtype=float), lower=0)
    _check(info, "pbtrf")
    return factor


def band_cho_solve(factor: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``Q^-1 rhs`` given :func:`band_cholesky`'s factor of ``Q`` (LAPACK ``pbtrs``)."""
    x, info = _lapack().dpbtrs(factor, np.asarray(rhs, dtype=float), lower=0)
    _check(info, "pbtrs")
    return x


def band_upper_solve(factor: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``U^-1 rhs`` for :func:`band_cholesky`'s upper factor ``U`` (LAPACK ``tbtrs``): with
    standard-normal ``rhs`` a draw of ``N(0, Q^-1)``.

    Parameters
    ----------
    factor : ndarray, shape (u + 1, n)
    rhs : ndarray, shape (n,) or (n, r)
    """
    rhs = np.asarray(rhs, dtype=float)
    x, info = _lapack().dtbtrs(factor, rhs.reshape(rhs.shape[0], -1), uplo="U")
    _check(info, "tbtrs")
    return x.reshape(rhs.shape)


def tridiagonal_solve(diag: np.ndarray, off: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve ``T x = rhs`` for a symmetric positive definite tridiagonal ``T`` (LAPACK ``ptsv``,
    as ``scipy.linalg.solveh_banded`` does for one off-diagonal).

    Parameters
    ----------
    diag : ndarray, shape (n,)
        The diagonal.
    off : ndarray, shape (n - 1,)
        The off-diagonal.
    rhs : ndarray, shape (n,) or (n, r)
    """
    _, _, x, info = _lapack().dptsv(
        np.asarray(diag, dtype=float), np.asarray(off, dtype=float), np.asarray(rhs, dtype=float)
    )
    _check(info, "ptsv")
    return x


__all__ = ["band_cho_solve", "band_cholesky", "band_upper_solve", "tridiagonal_solve"]
