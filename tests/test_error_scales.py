"""The error-scale blocks of the censored Gibbs sampler (Student-t errors, common stochastic
volatility) against their target conditionals, computed independently by quadrature or in
closed form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from fiscalcliff.model.error_scales import (
    FutureScales,
    ScaleSettings,
    ScaleState,
    draw_log_vol,
    draw_persistence,
    draw_shock_sd,
    update,
)


def _grid_moments(grid: np.ndarray, log_density: np.ndarray) -> tuple[float, float]:
    w = np.exp(log_density - logsumexp(log_density))
    mean = float(w @ grid)
    return mean, float(w @ (grid - mean) ** 2)


def _check_chain(draws: np.ndarray, mean: float, var: float, ess_fraction: float = 0.2) -> None:
    """The chain's mean within 4.5 Monte Carlo standard errors (with a conservative effective
    sample size) and its variance within 15%."""
    se = np.sqrt(var / (ess_fraction * draws.size))
    assert abs(draws.mean() - mean) < 4.5 * se, (draws.mean(), mean, se)
    assert abs(draws.var() / var - 1.0) < 0.15, (draws.var(), var)


@pytest.mark.parametrize("seed", [0, 1])
def test_log_vol_sampler_matches_quadrature_on_two_months(seed):
    """h = (h1, h2): the target exp(-k h/2 - c exp(-h)/2) times the stationary AR(1) prior, on a
    fine 2-d grid; 20,000 independence-MH steps match its marginal means and variances."""
    rng = np.random.default_rng(seed)
    k, phi, sd = 3, 0.7, 0.6
    c = np.array([0.4, 9.0])  # a calm month and a volatile one
    g = np.linspace(-5.0, 6.0, 801)
    h1, h2 = np.meshgrid(g, g, indexing="ij")
    log_p = -0.5 * k * (h1 + h2) - 0.5 * (c[0] * np.exp(-h1) + c[1] * np.exp(-h2))
    log_p += -0.5 * ((1 - phi**2) * h1**2 + (h2 - phi * h1) ** 2) / sd**2
    w = np.exp(log_p - logsumexp(log_p))
    m1, m2 = (w * h1).sum(), (w * h2).sum()
    v1, v2 = (w * (h1 - m1) ** 2).sum(), (w * (h2 - m2) ** 2).sum()
    h = np.zeros(2)
    out = np.empty((20_000, 2))
    accepted = 0
    for i in range(out.shape[0]):
        h, ok = draw_log_vol(h, c, k, phi, sd, rng)
        accepted += ok
        out[i] = h
    assert accepted > 0.3 * out.shape[0]
    _check_chain(out[:, 0], m1, v1)
    _check_chain(out[:, 1], m2, v2)


def test_several_log_vol_proposals_keep_the_same_target():
    """Ten proposals per call (one mode, one factorisation) sample the same law as one."""
    rng = np.random.default_rng(5)
    k, phi, sd = 7, 0.9, 0.5
    c = rng.chisquare(k, 6) * np.exp(rng.normal(0, 1, 6))
    one, ten = np.zeros(6), np.zeros(6)
    a, b = np.empty((6000, 6)), np.empty((6000, 6))
    for i in range(6000):
        one, _ = draw_log_vol(one, c, k, phi, sd, rng, proposals=1)
        ten, _ = draw_log_vol(ten, c, k, phi, sd, rng, proposals=10)
        a[i], b[i] = one, ten
    for j in range(6):
        assert stats.ks_2samp(a[1000::10, j], b[1000::10, j]).pvalue > 0.01


def test_shock_sd_sampler_matches_quadrature():
    """sd | h, phi under a HalfNormal prior: target sd^-T exp(-S/(2 sd^2)) exp(-sd^2/(2 s0^2))
    on a grid against 40,000 independence-MH steps."""
    rng = np.random.default_rng(2)
    phi, prior_sd = 0.8, 0.3
    h = np.array([0.3, 0.1, 0.5, -0.2, 0.2, 0.4])
    s = (1 - phi**2) * h[0] ** 2 + np.sum((h[1:] - phi * h[:-1]) ** 2)
    grid = np.linspace(1e-3, 3.0, 20_001)
    log_p = -h.size * np.log(grid) - s / (2 * grid**2) - grid**2 / (2 * prior_sd**2)
    mean, var = _grid_moments(grid, log_p)
    sd, out = 0.2, np.empty(40_000)
    for i in range(out.size):
        sd, _ = draw_shock_sd(h, phi, sd, prior_sd, rng)
        out[i] = sd
    _check_chain(out, mean, var)


def test_noncentred_shock_sd_step_matches_quadrature():
    """With the standardised path h~ = h / sd held, sd's conditional is HalfNormal(s0) times
    prod_t exp(-k sd h~_t / 2 - c_t exp(-sd h~_t) / 2): grid against 20,000 calls."""
    from fiscalcliff.model.error_scales import draw_shock_sd_noncentred

    rng = np.random.default_rng(11)
    k, prior_sd = 3, 0.5
    std = np.array([0.5, 1.2, -0.3, 2.0, 0.8, -1.0])
    c = np.array([1.0, 8.0, 0.5, 20.0, 3.0, 0.2])
    grid = np.linspace(1e-4, 4.0, 40_001)
    log_p = (
        -0.5 * grid**2 / prior_sd**2
        - 0.5 * k * grid * std.sum()
        - 0.5 * (c[:, None] * np.exp(-grid * std[:, None])).sum(axis=0)
    )
    mean, var = _grid_moments(grid, log_p)
    sd, out = 0.4, np.empty(20_000)
    for i in range(out.size):
        h, sd, _ = draw_shock_sd_noncentred(std * sd, sd, c, k, prior_sd, rng)
        np.testing.assert_allclose(h, std * sd)
        out[i] = sd
    _check_chain(out, mean, var)


def test_persistence_sampler_matches_quadrature():
    """phi | h, sd with a Beta prior and the stationary start: grid against 40,000 steps."""
    rng = np.random.default_rng(4)
    sd, alpha, beta = 0.4, 20.0, 1.5
    h = np.array([0.8, 0.5, 0.9, 0.3, 0.6, 0.1, 0.4])
    grid = np.linspace(1e-4, 1 - 1e-4, 20_001)
    ss = (1 - grid**2) * h[0] ** 2 + ((h[1:, None] - grid * h[:-1, None]) ** 2).sum(axis=0)
    log_p = stats.beta.logpdf(grid, alpha, beta) + 0.5 * np.log1p(-(grid**2)) - ss / (2 * sd**2)
    mean, var = _grid_moments(grid, log_p)
    phi, out = 0.9, np.empty(40_000)
    for i in range(out.size):
        phi, _ = draw_persistence(h, phi, sd, alpha, beta, rng)
        out[i] = phi
    _check_chain(out, mean, var)


def test_student_t_mixing_variables_are_their_inverse_gamma_conditional():
    """lambda_t | rest ~ IG((nu + k)/2, (nu + q_t)/2) exactly (fixed nu): KS per month."""
    rng = np.random.default_rng(6)
    settings = ScaleSettings(student_t=True, nu=5.0)
    k, quad = 4, np.array([0.5, 4.0, 40.0])
    state = ScaleState.start(settings, quad.size, rng)
    draws = np.empty((4000, quad.size))
    for i in range(draws.shape[0]):
        update(state, quad, k, settings, rng)
        draws[i] = state.lam
    for t, q in enumerate(quad):
        law = stats.invgamma(0.5 * (5.0 + k), scale=0.5 * (5.0 + q))
        assert stats.kstest(draws[:, t], law.cdf).pvalue > 0.01


def test_degrees_of_freedom_sampler_matches_quadrature():
    """nu = 2 + g given the residuals, the mixing variables integrated out, with g ~
    Gamma(shape, scale): the product of multivariate Student-t densities (scipy's) on a grid
    against 20,000 calls of the Metropolis block."""
    from fiscalcliff.model.error_scales import draw_nu

    rng = np.random.default_rng(7)
    k = 3
    settings = ScaleSettings(student_t=True, nu=None, nu_shape=2.0, nu_scale=5.0)
    e = stats.multivariate_t(np.zeros(k), np.eye(k), df=6.0).rvs(size=60, random_state=rng)
    c = (e**2).sum(axis=1)
    nu = 2.0 + np.linspace(1e-3, 80.0, 8001)
    log_p = stats.gamma.logpdf(nu - 2.0, 2.0, scale=5.0)
    log_p += np.array(
        [stats.multivariate_t(np.zeros(k), np.eye(k), df=v).logpdf(e).sum() for v in nu]
    )
    mean, var = _grid_moments(nu, log_p)
    draws, value = np.empty(20_000), 8.0
    for i in range(draws.size):
        value, _ = draw_nu(value, c, k, settings, rng)
        draws[i] = value
    _check_chain(draws, mean, var)


def test_future_scales_follow_the_models_predictive_law():
    """FutureScales.draw: with Student-t errors and stochastic volatility, v_{T+j} =
    lambda_j exp(h_{T+j}) with lambda_j ~ IG(nu/2, nu/2) i.i.d. and h an AR(1) from h_T; KS at
    months 1 and 6 against that law simulated by hand, and lambda independent across months."""
    rng = np.random.default_rng(8)
    n = 5000
    law = FutureScales(
        nu=np.full(n, 6.0), h_last=np.full(n, 0.8), phi=np.full(n, 0.9), sd=np.full(n, 0.3)
    )
    mine = law.draw(6, rng)
    other = np.random.default_rng(9)
    lam = stats.invgamma(3.0, scale=3.0).rvs(size=(n, 6), random_state=other)
    h = 0.8
    ref = np.empty((n, 6))
    for j in range(6):
        h = 0.9 * h + 0.3 * other.standard_normal(n)
        ref[:, j] = lam[:, j] * np.exp(h)
    for j in (0, 5):
        assert stats.ks_2samp(mine[:, j], ref[:, j]).pvalue > 0.01
    t_only = FutureScales(nu=np.full(n, 6.0)).draw(3, rng)
    assert abs(stats.spearmanr(t_only[:, 0], t_only[:, 2]).statistic) < 0.05
    assert stats.kstest(t_only[:, 1], stats.invgamma(3.0, scale=3.0).cdf).pvalue > 0.01


def test_level_shift_leaves_the_joint_law_of_h_and_sigma_invariant():
    """Exact draws of (sigma^2, h) from IW(psi, d) x the stationary AR(1) prior (K = 1, no
    coefficients, no data: the likelihood is unchanged by the move anyway), each moved once by
    (h + c, exp(-c) sigma^2): the moved draws have the same law (KS on sigma^2 and on h's mean
    and last value), and most proposals are accepted."""
    from fiscalcliff.model.error_scales import draw_level_shift, level_shift_terms

    rng = np.random.default_rng(10)
    psi, dof, phi, sd, t, n = 2.0, 6.0, 0.9, 0.3, 8, 4000
    sigma2 = 0.5 * psi / rng.gamma(0.5 * dof, 1.0, n)
    h = np.empty((n, t))
    h[:, 0] = rng.standard_normal(n) * sd / np.sqrt(1 - phi**2)
    for i in range(1, t):
        h[:, i] = phi * h[:, i - 1] + sd * rng.standard_normal(n)
    moved_s, moved_h, accepted = np.empty(n), np.empty((n, t)), 0
    for i in range(n):
        slope, trace = level_shift_terms(
            np.array([[1 / sigma2[i]]]),
            np.zeros((0, 1)),
            np.zeros((0, 1)),
            np.zeros(0),
            np.array([[psi]]),
            dof,
            np.zeros((0, 1)),
        )
        c, ok = draw_level_shift(h[i], phi, sd, slope, trace, rng)
        accepted += ok
        moved_s[i], moved_h[i] = sigma2[i] * np.exp(-c), h[i] + c
    assert accepted > 0.8 * n
    law = stats.invgamma(0.5 * dof, scale=0.5 * psi)
    assert stats.kstest(moved_s, law.cdf).pvalue > 0.01
    assert stats.ks_2samp(moved_h.mean(axis=1), h.mean(axis=1)).pvalue > 0.01
    assert stats.ks_2samp(moved_h[:, -1], h[:, -1]).pvalue > 0.01
    # and it does move: the level changes in almost every draw
    assert np.mean(np.abs(moved_h[:, 0] - h[:, 0]) > 1e-9) > 0.8
