"""Direct LAPACK band solvers against scipy.linalg's wrappers and dense numpy (the references)."""

import numpy as np
import pytest
from scipy import linalg

from fiscalcliff.model.banded import (
    band_cho_solve,
    band_cholesky,
    band_upper_solve,
    tridiagonal_solve,
)


def _spd_band(n: int, u: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random symmetric positive definite matrix with ``u`` off-diagonals: band and dense."""
    dense = np.triu(np.tril(rng.standard_normal((n, n)), u), -u)
    dense = dense + dense.T
    dense += np.eye(n) * (np.abs(dense).sum(axis=1).max() + 1.0)  # diagonally dominant
    band = np.zeros((u + 1, n))
    for d in range(u + 1):
        band[u - d, d:] = np.diagonal(dense, d)
    return band, dense


@pytest.mark.parametrize(("n", "u", "r"), [(1, 0, 1), (5, 1, 1), (40, 3, 2), (200, 7, 1)])
def test_band_cholesky_and_solve_match_scipy_and_dense(n, u, r):
    rng = np.random.default_rng(n + u)
    band, dense = _spd_band(n, u, rng)
    rhs = rng.standard_normal((n, r))
    factor = band_cholesky(band)
    np.testing.assert_array_equal(factor, linalg.cholesky_banded(band, lower=False))
    x = band_cho_solve(factor, rhs)
    np.testing.assert_array_equal(x, linalg.cho_solve_banded((factor, False), rhs))
    np.testing.assert_allclose(dense @ x, rhs, atol=1e-10)
    np.testing.assert_allclose(band_cho_solve(factor, rhs[:, 0]), x[:, 0], rtol=1e-14)


@pytest.mark.parametrize(("n", "u", "r"), [(1, 0, 1), (5, 1, 1), (40, 3, 2), (200, 7, 3)])
def test_band_upper_solve_inverts_the_factor_and_draws_the_gaussian(n, u, r):
    rng = np.random.default_rng(10 * n + u)
    band, dense = _spd_band(n, u, rng)
    factor = band_cholesky(band)
    upper = np.zeros((n, n))
    for d in range(u + 1):
        upper += np.diag(factor[u - d, d:], d)
    np.testing.assert_allclose(upper.T @ upper, dense, rtol=1e-12)  # the factor is U
    rhs = rng.standard_normal((n, r))
    x = band_upper_solve(factor, rhs)
    np.testing.assert_allclose(upper @ x, rhs, atol=1e-10)
    assert band_upper_solve(factor, rhs[:, 0]).shape == (n,)
    np.testing.assert_array_equal(band_upper_solve(factor, rhs[:, 0]), x[:, 0])


@pytest.mark.parametrize("n", [2, 3, 199])
def test_tridiagonal_solve_matches_solveh_banded_and_dense(n):
    rng = np.random.default_rng(n)
    off = rng.uniform(-1.0, 1.0, n - 1)
    diag = 2.5 + rng.random(n)  # diagonally dominant
    rhs = rng.standard_normal(n)
    x = tridiagonal_solve(diag, off, rhs)
    band = np.zeros((2, n))
    band[0, 1:], band[1] = off, diag
    np.testing.assert_array_equal(x, linalg.solveh_banded(band, rhs))
    dense = np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)
    np.testing.assert_allclose(dense @ x, rhs, atol=1e-12)
    # inputs are not overwritten
    np.testing.assert_array_equal(tridiagonal_solve(diag, off, rhs), x)


def test_not_positive_definite_is_an_error():
    band = np.array([[0.0, 2.0, 2.0], [1.0, 1.0, 1.0]])  # [[1,2,0],[2,1,2],[0,2,1]]
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        band_cholesky(band)
    with pytest.raises(np.linalg.LinAlgError, match="not positive definite"):
        tridiagonal_solve(band[1], band[0, 1:], np.ones(3))
