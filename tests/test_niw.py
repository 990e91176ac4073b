"""Closed-form NIW posterior, exact sampler and marginal likelihood vs independent references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import logsumexp

from fiscalcliff.model import niw


def _small_problem(rng, t=40, k=2, m=3):
    x = np.column_stack([np.ones(t), rng.standard_normal((t, m - 1))])
    b_true = rng.standard_normal((m, k))
    y = x @ b_true + rng.standard_normal((t, k)) @ np.array([[1.0, 0.0], [0.5, 0.8]])[:k, :k]
    prior = niw.NIWPrior(
        b=np.zeros((m, k)),
        omega=np.array([4.0, 0.5, 2.0])[:m],
        psi=np.diag([1.0, 2.0])[:k, :k],
        dof=k + 3.0,
    )
    return y, x, prior


def test_posterior_matches_textbook_formulas():
    rng = np.random.default_rng(1)
    y, x, prior = _small_problem(rng)
    post = niw.posterior(y, x, prior)
    # Independent route: textbook normal-equations with explicit inverses.
    omega_inv = np.linalg.inv(np.diag(prior.omega))
    omega_bar = np.linalg.inv(x.T @ x + omega_inv)
    b_bar = omega_bar @ (x.T @ y + omega_inv @ prior.b)
    b_ols = np.linalg.solve(x.T @ x, x.T @ y)
    s = (y - x @ b_ols).T @ (y - x @ b_ols)
    # Zellner's decomposition of Psi_bar via the OLS estimate.
    psi_bar = (
        prior.psi
        + s
        + (b_ols - prior.b).T
        @ np.linalg.inv(np.diag(prior.omega) + np.linalg.inv(x.T @ x))
        @ (b_ols - prior.b)
    )
    np.testing.assert_allclose(post.b_mean, b_bar, rtol=1e-10)
    np.testing.assert_allclose(post.omega, omega_bar, rtol=1e-10)
    np.testing.assert_allclose(post.psi, psi_bar, rtol=1e-10)
    assert post.dof == prior.dof + y.shape[0]


def test_sampler_matches_closed_form_moments():
    rng = np.random.default_rng(2)
    y, x, prior = _small_problem(rng, t=30)
    post = niw.posterior(y, x, prior)
    n = 200_000
    b, sigma, root = post.sample(n, np.random.default_rng(3))
    np.testing.assert_allclose(root @ np.swapaxes(root, 1, 2), sigma, rtol=1e-10, atol=1e-12)
    # Mean of B: within 4 Monte Carlo standard errors, element by element.
    cov_vec = post.b_covariance()  # column-major vec
    se = np.sqrt(np.diag(cov_vec) / n).reshape(post.b_mean.shape, order="F")
    assert np.all(np.abs(b.mean(0) - post.b_mean) < 4 * se)
    # Covariance of vec(B): E[Sigma] ⊗ Omega_bar.
    vec = b.transpose(0, 2, 1).reshape(n, -1)
    np.testing.assert_allclose(np.cov(vec.T), cov_vec, rtol=0.03, atol=0.03 * np.abs(cov_vec).max())
    # Sigma: inverse-Wishart mean and elementwise variance.
    se_sigma = np.sqrt(post.sigma_variance() / n)
    assert np.all(np.abs(sigma.mean(0) - post.sigma_mean()) < 4 * se_sigma)
    np.testing.assert_allclose(sigma.var(0), post.sigma_variance(), rtol=0.05)


def test_inverse_wishart_sampler_agrees_with_scipy():
    psi = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
    dof = 9.0
    ours, _ = niw.sample_inverse_wishart(psi, dof, 100_000, np.random.default_rng(4))
    ref = stats.invwishart(df=dof, scale=psi).rvs(100_000, random_state=5)
    np.testing.assert_allclose(ours.mean(0), ref.mean(0), atol=0.01)
    np.testing.assert_allclose(ours.var(0), ref.var(0), rtol=0.1, atol=1e-3)


def test_same_seed_same_draws():
    y, x, prior = _small_problem(np.random.default_rng(6))
    post = niw.posterior(y, x, prior)
    a = post.sample(50, np.random.default_rng(7))
    b = post.sample(50, np.random.default_rng(7))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


def test_log_marginal_likelihood_univariate_quadrature():
    """K = 1: integrate the Gaussian likelihood over the inverse-gamma prior numerically."""
    rng = np.random.default_rng(8)
    t = 12
    x = np.column_stack([np.ones(t), rng.standard_normal(t)])
    y = (x @ np.array([0.5, -1.0]) + 0.7 * rng.standard_normal(t))[:, None]
    prior = niw.NIWPrior(
        b=np.array([[0.2], [0.0]]), omega=np.array([2.0, 0.5]), psi=np.array([[0.8]]), dof=4.0
    )
    s_mat = np.eye(t) + x @ np.diag(prior.omega) @ x.T
    mean = (x @ prior.b)[:, 0]
    # Sigma ~ IW(psi, d) in one dimension is inverse-gamma(d/2, psi/2).
    ig = stats.invgamma(prior.dof / 2, scale=prior.psi[0, 0] / 2)

    def integrand(log_s2):
        s2 = np.exp(log_s2)
        like = stats.multivariate_normal(mean, s2 * s_mat).pdf(y[:, 0])
        return like * ig.pdf(s2) * s2

    value, _ = integrate.quad(integrand, -12, 8, limit=400, epsabs=0, epsrel=1e-10)
    assert niw.log_marginal_likelihood(y, x, prior) == pytest.approx(np.log(value), abs=1e-7)


def test_log_marginal_likelihood_bivariate_monte_carlo():
    """K = 2: average the matrix-normal likelihood over scipy's inverse-Wishart prior draws."""
    rng = np.random.default_rng(9)
    y, x, prior = _small_problem(rng, t=6)
    s_mat = np.eye(6) + x @ np.diag(prior.omega) @ x.T
    sigmas = stats.invwishart(df=prior.dof, scale=prior.psi).rvs(200_000, random_state=10)
    resid = (y - x @ prior.b).reshape(-1, order="F")  # vec, column-major
    s_inv = np.linalg.inv(s_mat)
    _, logdet_s = np.linalg.slogdet(s_mat)
    sig_inv = np.linalg.inv(sigmas)
    # vec(E) ~ N(0, Sigma ⊗ S): quadratic form = tr(Sigma^{-1} E' S^{-1} E)
    e = resid.reshape(6, 2, order="F")
    q = np.einsum("nij,ji->n", sig_inv, e.T @ s_inv @ e)
    _, logdet_sig = np.linalg.slogdet(sigmas)
    logpdf = -0.5 * (12 * np.log(2 * np.pi) + 6 * logdet_sig + 2 * logdet_s + q)
    mc = logsumexp(logpdf) - np.log(len(logpdf))
    assert niw.log_marginal_likelihood(y, x, prior) == pytest.approx(mc, abs=0.02)
