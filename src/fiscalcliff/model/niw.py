"""Conjugate Normal–inverse-Wishart algebra for a VAR written as ``Y = X B + E``.

Pure functions over arrays; no labels, no I/O.  Notation (Giannone, Lenza & Primiceri 2015,
"Prior selection for vector autoregressions", REStat, appendix):

* ``Y`` is ``(T, K)``, ``X`` is ``(T, M)``, rows of ``E`` are i.i.d. ``N(0, Sigma)``;
* prior ``Sigma ~ IW(Psi, d)`` and ``vec(B) | Sigma ~ N(vec(b), Sigma ⊗ Omega)``;
* the posterior is ``Sigma | Y ~ IW(Psi_bar, d + T)`` and
  ``vec(B) | Sigma, Y ~ N(vec(B_bar), Sigma ⊗ Omega_bar)``.

``IW(Psi, d)`` has density proportional to ``|Sigma|^{-(d+K+1)/2} exp(-tr(Psi Sigma^{-1})/2)`` and
mean ``Psi / (d - K - 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.model.gamma import multigammaln


@dataclass(frozen=True)
class NIWPrior:
    """Conjugate NIW prior.

    ``Sigma ~ IW(psi, dof)`` and ``vec(B) | Sigma ~ N(vec(b), Sigma ⊗ diag(omega))``.

    Attributes
    ----------
    b : ndarray, shape (M, K)
        Prior mean of the coefficients.
    omega : ndarray, shape (M,)
        Diagonal of the prior row covariance ``Omega`` (scaled by ``Sigma``).
    psi : ndarray, shape (K, K)
        Inverse-Wishart scale matrix.
    dof : float
        Inverse-Wishart degrees of freedom; must exceed ``K - 1``.
    """

    b: np.ndarray
    omega: np.ndarray
    psi: np.ndarray
    dof: float


@dataclass(frozen=True)
class NIWPosterior:
    """Closed-form NIW posterior.

    Attributes
    ----------
    b_mean : ndarray, shape (M, K)
        Posterior mean of ``B`` (``B_bar``).
    omega : ndarray, shape (M, M)
        Posterior row covariance ``Omega_bar``.
    psi : ndarray, shape (K, K)
        Posterior inverse-Wishart scale ``Psi_bar``.
    dof : float
        Posterior degrees of freedom ``d + T``.
    """

    b_mean: np.ndarray
    omega: np.ndarray
    psi: np.ndarray
    dof: float

    @property
    def n_regressors(self) -> int:
        """Number of rows of ``B`` (M)."""
        return self.b_mean.shape[0]

    @property
    def n_equations(self) -> int:
        """Number of endogenous variables (K)."""
        return self.b_mean.shape[1]

    def sigma_mean(self) -> np.ndarray:
        """Posterior mean of ``Sigma``: ``Psi_bar / (dof - K - 1)`` (needs ``dof > K + 1``)."""
        k = self.n_equations
        if self.dof <= k + 1:
            raise ValueError("posterior mean of Sigma needs dof > K + 1")
        return self.psi / (self.dof - k - 1)

    def sigma_variance(self) -> np.ndarray:
        """Elementwise posterior variance of ``Sigma`` (inverse-Wishart, needs ``dof > K + 3``)."""
        k = self.n_equations
        nu = self.dof
        if nu <= k + 3:
            raise ValueError("posterior variance of Sigma needs dof > K + 3")
        diag = np.diag(self.psi)
        num = (nu - k + 1) * self.psi**2 + (nu - k - 1) * np.outer(diag, diag)
        return num / ((nu - k) * (nu - k - 1) ** 2 * (nu - k - 3))

    def b_covariance(self) -> np.ndarray:
        """Posterior covariance of ``vec(B)`` (column-major vec): ``E[Sigma] ⊗ Omega_bar``."""
        return np.kron(self.sigma_mean(), self.omega)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw ``n`` i.i.d. ``(B, Sigma)`` pairs.

        Parameters
        ----------
        n : int
            Number of draws.
        rng : numpy.random.Generator
            Source of randomness; the same generator state gives the same draws.

        Returns
        -------
        B : ndarray, shape (n, M, K)
        Sigma : ndarray, shape (n, K, K)
        Sigma_root : ndarray, shape (n, K, K)
            A square root ``C`` with ``C @ C.T == Sigma`` (used to draw shocks).
        """
        sigma, root = sample_inverse_wishart(self.psi, self.dof, n, rng)
        m, k = self.b_mean.shape
        z = rng.standard_normal((n, m, k))
        p = np.linalg.cholesky(self.omega)
        # vec(P Z C') = (C ⊗ P) vec(Z) has covariance (C C') ⊗ (P P') = Sigma ⊗ Omega_bar.
        pz = np.einsum("ij,njk->nik", p, z, optimize=True)
        b = self.b_mean[None] + pz @ np.swapaxes(root, 1, 2)
        return b, sigma, root


def sample_inverse_wishart(
    psi: np.ndarray, dof: float, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised draws from ``IW(psi, dof)`` by the Bartlett decomposition.

    ``Sigma^{-1} ~ W(psi^{-1}, dof)`` is written ``L A A' L'`` with ``L = chol(psi^{-1})`` and ``A``
    lower triangular (``A_ii ~ sqrt(chi2(dof - i))``, ``A_ij ~ N(0, 1)`` below the diagonal). Then
    ``Sigma = C C'`` with ``C = L^{-T} A^{-T}``.

    Returns
    -------
    Sigma : ndarray, shape (n, K, K)
    root : ndarray, shape (n, K, K)
        ``C`` with ``C @ C.T == Sigma``.
    """
    k = psi.shape[0]
    if dof <= k - 1:
        raise ValueError(f"inverse-Wishart needs dof > K - 1 (dof={dof}, K={k})")
    a = np.zeros((n, k, k))
    a[:, np.arange(k), np.arange(k)] = np.sqrt(rng.chisquare(dof - np.arange(k), size=(n, k)))
    rows, cols = np.tril_indices(k, -1)
    a[:, rows, cols] = rng.standard_normal((n, rows.size))
    # L = chol(psi^{-1});  Sigma = L^{-T} A^{-T} A^{-1} L^{-1}.
    from scipy import linalg  # lazily: scipy.linalg costs ~0.3 s of every CLI start

    l_chol = np.linalg.cholesky(np.linalg.inv(psi))
    l_inv_t = linalg.solve_triangular(l_chol, np.eye(k), lower=True).T
    a_inv_t = np.swapaxes(np.linalg.inv(a), 1, 2)
    root = l_inv_t[None] @ a_inv_t
    sigma = root @ np.swapaxes(root, 1, 2)
    return sigma, root


def _cholesky_solve(chol: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``A^{-1} rhs`` given ``A``'s lower Cholesky factor (two solves, numpy only: the fit's
    closed-form formulas run in every command, and importing scipy.linalg costs ~0.2 s)."""
    return np.linalg.solve(chol.T, np.linalg.solve(chol, rhs))


def posterior(y: np.ndarray, x: np.ndarray, prior: NIWPrior) -> NIWPosterior:
    """Closed-form NIW posterior for data ``(y, x)``.

    Parameters
    ----------
    y : ndarray, shape (T, K)
    x : ndarray, shape (T, M)
    prior : NIWPrior

    Returns
    -------
    NIWPosterior
    """
    omega_inv = 1.0 / prior.omega
    precision = x.T @ x + np.diag(omega_inv)
    chol = np.linalg.cholesky(precision)
    b_mean = _cholesky_solve(chol, x.T @ y + omega_inv[:, None] * prior.b)
    omega_bar = _cholesky_solve(chol, np.eye(precision.shape[0]))
    omega_bar = 0.5 * (omega_bar + omega_bar.T)
    resid = y - x @ b_mean
    dev = b_mean - prior.b
    psi_bar = prior.psi + resid.T @ resid + dev.T @ (omega_inv[:, None] * dev)
    psi_bar = 0.5 * (psi_bar + psi_bar.T)
    return NIWPosterior(b_mean=b_mean, omega=omega_bar, psi=psi_bar, dof=prior.dof + y.shape[0])


def log_marginal_likelihood(y: np.ndarray, x: np.ndarray, prior: NIWPrior) -> float:
    """Closed-form ``log p(Y | X)`` under the NIW prior (GLP 2015, online appendix).

    ``p(Y) = pi^{-TK/2} Γ_K((T+d)/2) / Γ_K(d/2) |Omega|^{-K/2} |Psi|^{d/2}
    |X'X + Omega^{-1}|^{-K/2} |Psi_bar|^{-(T+d)/2}``.
    """
    t, k = y.shape
    d = prior.dof
    omega_inv = 1.0 / prior.omega
    precision = x.T @ x + np.diag(omega_inv)
    chol_p = np.linalg.cholesky(precision)
    b_mean = _cholesky_solve(chol_p, x.T @ y + omega_inv[:, None] * prior.b)
    resid = y - x @ b_mean
    dev = b_mean - prior.b
    psi_bar = prior.psi + resid.T @ resid + dev.T @ (omega_inv[:, None] * dev)
    logdet_precision = 2.0 * np.sum(np.log(np.diag(chol_p)))
    logdet_omega = np.sum(np.log(prior.omega))
    _, logdet_psi = np.linalg.slogdet(prior.psi)
    sign, logdet_psi_bar = np.linalg.slogdet(psi_bar)
    if sign <= 0:
        return -np.inf
    return float(
        -0.5 * t * k * np.log(np.pi)
        + multigammaln(0.5 * (t + d), k)
        - multigammaln(0.5 * d, k)
        - 0.5 * k * logdet_omega
        + 0.5 * d * logdet_psi
        - 0.5 * k * logdet_precision
        - 0.5 * (t + d) * logdet_psi_bar
    )
