"""Chosen equations shrunk harder than the conjugate prior allows, and the Gibbs conditionals.

The conjugate prior ``vec(B) | Sigma ~ N(vec(B0), Sigma ⊗ Omega)`` gives every equation the same
relative shrinkage (its Kronecker structure). ``prior.minnesota.equation_tightness`` multiplies
it by one more Gaussian factor on the slope coefficients (lags and exogenous inputs) of the
listed equations, independent of ``Sigma``:

``B[r, j] ~ N(B0[r, j], Omega[r] psi_j s_j^2)`` for equation ``j`` with factor ``s_j``,

the Minnesota variance at ``Sigma_jj = psi_j`` times ``s_j^2``. Every other equation keeps its
conjugate prior exactly; equation ``j``'s prior precision is the conjugate one plus
``1 / (Omega[r] psi_j s_j^2)``. There is no closed form any more: the Gibbs sampler draws
``B | Sigma`` (Gaussian, ``M K`` dimensions) and then ``Sigma | B``, whose inverse-Wishart
conditional is the conjugate model's (the extra factor does not involve ``Sigma``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.model import niw
from fiscalcliff.model.design import LagLayout


@dataclass(frozen=True)
class EquationShrinkage:
    """The conjugate prior times ``N(vec(prior.b), diag(1 / precision))`` on chosen coefficients.

    Attributes
    ----------
    prior : NIWPrior
        The conjugate prior of ``(B, Sigma)``.
    precision : ndarray, shape (M, K)
        Extra prior precision of each coefficient (0: none).
    """

    prior: niw.NIWPrior
    precision: np.ndarray

    @classmethod
    def build(
        cls, prior: niw.NIWPrior, layout: LagLayout, factors: np.ndarray
    ) -> EquationShrinkage:
        """The extra factor for equations with ``factors[j] < inf`` (``inf``: none).

        Parameters
        ----------
        prior : NIWPrior
            Conjugate Minnesota prior.
        layout : LagLayout
        factors : ndarray, shape (K,)
            ``s_j`` of each equation; ``np.inf`` leaves the equation at its conjugate prior.
        """
        psi = np.diag(prior.psi)
        slopes = np.zeros(layout.n_regressors, dtype=bool)
        slopes[int(layout.constant) :] = True
        factors = np.asarray(factors, float)
        precision = np.zeros((layout.n_regressors, psi.size))
        listed = np.isfinite(factors)
        variance = prior.omega[slopes, None] * (psi[listed] * factors[listed] ** 2)[None, :]
        precision[np.ix_(slopes, listed)] = 1.0 / variance
        return cls(prior=prior, precision=precision)


@dataclass(frozen=True)
class CoefficientConditional:
    """``vec(B) | Sigma, data ~ N(mean, P^-1)`` with ``P = chol @ chol.T`` (column-major vec)."""

    mean: np.ndarray
    chol: np.ndarray
    shape: tuple[int, int]

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of ``B``, shape (M, K)."""
        from scipy.linalg import solve_triangular

        z = rng.standard_normal(self.mean.size)
        vec = self.mean + solve_triangular(self.chol, z, lower=True, trans="T")
        m, k = self.shape
        return vec.reshape(k, m).T


def coefficient_conditional(
    y: np.ndarray, x: np.ndarray, sigma_inv: np.ndarray, shrinkage: EquationShrinkage
) -> CoefficientConditional:
    """The Gaussian conditional of ``B`` given ``Sigma`` for rows ``y = x B + e``,
    ``e ~ N(0, Sigma)``.

    Parameters
    ----------
    y : ndarray, shape (T, K)
    x : ndarray, shape (T, M)
    sigma_inv : ndarray, shape (K, K)
    shrinkage : EquationShrinkage

    Returns
    -------
    CoefficientConditional
        Precision ``Sigma^-1 ⊗ (X'X + Omega^-1) + diag(extra)`` and mean
        ``P^-1 (vec((X'Y + Omega^-1 B0) Sigma^-1) + extra * vec(B0))``.
    """
    from scipy.linalg import cho_solve

    prior = shrinkage.prior
    m, k = prior.b.shape
    omega_inv = 1.0 / prior.omega
    gram = x.T @ x
    gram[np.diag_indices_from(gram)] += omega_inv
    extra = shrinkage.precision.T.ravel()
    precision = np.kron(sigma_inv, gram)
    precision[np.diag_indices_from(precision)] += extra
    rhs = ((x.T @ y + omega_inv[:, None] * prior.b) @ sigma_inv).T.ravel()
    rhs += extra * prior.b.T.ravel()
    chol = np.linalg.cholesky(precision)
    mean = cho_solve((chol, True), rhs)
    return CoefficientConditional(mean=mean, chol=chol, shape=(m, k))


def draw_sigma(
    resid: np.ndarray, b: np.ndarray, prior: niw.NIWPrior, rng: np.random.Generator
) -> np.ndarray:
    """One draw of ``Sigma | B, data``: ``IW(Psi + E'E + (B - B0)' Omega^-1 (B - B0),
    d + T + M)`` from the residual rows ``E`` (the conjugate prior's ``B | Sigma`` term
    included)."""
    dev = b - prior.b
    psi = prior.psi + resid.T @ resid + dev.T @ (dev / prior.omega[:, None])
    psi = 0.5 * (psi + psi.T)
    dof = prior.dof + resid.shape[0] + b.shape[0]
    sigma, _ = niw.sample_inverse_wishart(psi, dof, 1, rng)
    return sigma[0]
