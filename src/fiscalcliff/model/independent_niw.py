"""The independent Normal-inverse-Wishart prior and its two Gibbs conditionals.

``vec(B) ~ N(vec(B0), diag(v))`` independently of ``Sigma ~ IW(Psi, d)`` (Kadiyala & Karlsson
1997; the "independent normal-Wishart" prior of the ECB's BEAR toolbox). Unlike the conjugate
prior ``vec(B) | Sigma ~ N(vec(B0), Sigma ⊗ Omega)``, whose Kronecker structure gives every
equation the same relative shrinkage, each coefficient has its own variance, so one equation can
be shrunk harder than the others (``prior.minnesota.equation_tightness``). There is no closed
form: a Gibbs sampler alternates ``B | Sigma`` (Gaussian) and ``Sigma | B`` (inverse-Wishart).

The variances follow the conjugate Minnesota moments at ``E[Sigma]``:
``v[r, j] = Omega[r] E[Sigma_jj] s_j^2`` for the lag and exogenous rows ``r`` of equation
``j`` with its tightness factor ``s_j`` (1: the usual Minnesota variance), and
``Omega[0] E[Sigma_jj]`` (diffuse) for the constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.model import niw
from fiscalcliff.model.design import LagLayout


@dataclass(frozen=True)
class IndependentPrior:
    """``vec(B) ~ N(vec(b), diag(variance))`` and ``Sigma ~ IW(psi, dof)``, independent.

    Attributes
    ----------
    b : ndarray, shape (M, K)
        Prior mean of the coefficients.
    variance : ndarray, shape (M, K)
        Prior variance of each coefficient.
    psi : ndarray, shape (K, K)
        Inverse-Wishart scale.
    dof : float
        Inverse-Wishart degrees of freedom.
    """

    b: np.ndarray
    variance: np.ndarray
    psi: np.ndarray
    dof: float

    @classmethod
    def from_conjugate(
        cls, prior: niw.NIWPrior, layout: LagLayout, equation_tightness: np.ndarray
    ) -> IndependentPrior:
        """The conjugate prior's moments at ``E[Sigma]``, equation ``j``'s lag and exogenous
        coefficients' standard deviations multiplied by ``equation_tightness[j]``.

        Parameters
        ----------
        prior : NIWPrior
            Conjugate Minnesota prior (``dof > K + 1``).
        layout : LagLayout
        equation_tightness : ndarray, shape (K,)
            Relative prior standard deviation of each equation's slope coefficients.
        """
        k = prior.psi.shape[0]
        sigma_mean = np.diag(prior.psi) / (prior.dof - k - 1.0)
        factor = np.ones((layout.n_regressors, k))
        factor[int(layout.constant) :] = np.asarray(equation_tightness, float)[None, :] ** 2
        variance = prior.omega[:, None] * sigma_mean[None, :] * factor
        return cls(b=prior.b, variance=variance, psi=prior.psi, dof=prior.dof)


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
    y: np.ndarray, x: np.ndarray, sigma_inv: np.ndarray, prior: IndependentPrior
) -> CoefficientConditional:
    """The Gaussian conditional of ``B`` given ``Sigma`` for rows ``y = x B + e``,
    ``e ~ N(0, Sigma)``.

    Parameters
    ----------
    y : ndarray, shape (T, K)
    x : ndarray, shape (T, M)
    sigma_inv : ndarray, shape (K, K)
    prior : IndependentPrior

    Returns
    -------
    CoefficientConditional
        Precision ``Sigma^-1 ⊗ X'X + diag(1 / v)`` and mean
        ``P^-1 (vec(X' Y Sigma^-1) + vec(B0) / v)``.
    """
    from scipy.linalg import cho_solve

    m, k = prior.b.shape
    inv_var = 1.0 / prior.variance.T.ravel()
    precision = np.kron(sigma_inv, x.T @ x)
    precision[np.diag_indices_from(precision)] += inv_var
    rhs = (x.T @ y @ sigma_inv).T.ravel() + prior.b.T.ravel() * inv_var
    chol = np.linalg.cholesky(precision)
    mean = cho_solve((chol, True), rhs)
    return CoefficientConditional(mean=mean, chol=chol, shape=(m, k))


def draw_sigma(resid: np.ndarray, prior: IndependentPrior, rng: np.random.Generator) -> np.ndarray:
    """One draw of ``Sigma | B, data ~ IW(Psi + E'E, d + T)`` from the residual rows ``E``."""
    psi = prior.psi + resid.T @ resid
    psi = 0.5 * (psi + psi.T)
    sigma, _ = niw.sample_inverse_wishart(psi, prior.dof + resid.shape[0], 1, rng)
    return sigma[0]
