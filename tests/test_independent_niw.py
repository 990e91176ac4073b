"""The independent Normal-inverse-Wishart prior (``prior.minnesota.equation_tightness``).

References independent of the sampler's code: the Gaussian conditional of ``B`` against the
dense textbook formula; the whole Gibbs chain (no latent cells) against importance sampling of
the posterior with i.i.d. draws of the closed-form conjugate posterior as the proposal.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from scipy import stats

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model import niw
from fiscalcliff.model.censored import LatentCells, gibbs
from fiscalcliff.model.design import LagLayout, lagged_regressors
from fiscalcliff.model.independent_niw import (
    IndependentPrior,
    coefficient_conditional,
    draw_sigma,
)
from test_censored import SMALL

LAYOUT = LagLayout(2, 0, 1, True)


def _var_data(seed: int = 3, t_len: int = 80) -> np.ndarray:
    a = np.array([[0.7, 0.2], [0.3, 0.5]])
    rng = np.random.default_rng(seed)
    y = np.zeros((t_len, 2))
    for t in range(1, t_len):
        y[t] = np.array([0.2, -0.1]) + a @ y[t - 1] + 0.5 * rng.standard_normal(2)
    return y


def _conjugate() -> niw.NIWPrior:
    b = np.zeros((3, 2))
    b[1, 0], b[2, 1] = 0.7, 0.5
    return niw.NIWPrior(b=b, omega=np.array([10.0, 0.3, 0.3]), psi=np.eye(2) * 0.25, dof=5.0)


def test_the_coefficient_conditional_is_the_dense_gaussian_posterior():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3))
    y = rng.standard_normal((40, 2))
    sigma = np.array([[1.0, 0.3], [0.3, 0.5]])
    sigma_inv = np.linalg.inv(sigma)
    prior = IndependentPrior(
        b=rng.standard_normal((3, 2)), variance=rng.uniform(0.05, 2.0, (3, 2)), psi=np.eye(2), dof=4
    )
    # textbook: vec(Y) = (I ⊗ X) vec(B) + e, e ~ N(0, Sigma ⊗ I), prior N(b0, V)
    design = np.kron(np.eye(2), x)
    noise_precision = np.kron(sigma_inv, np.eye(40))
    v_inv = np.diag(1.0 / prior.variance.T.ravel())
    precision = design.T @ noise_precision @ design + v_inv
    cov = np.linalg.inv(precision)
    mean = cov @ (design.T @ noise_precision @ y.T.ravel() + v_inv @ prior.b.T.ravel())

    cond = coefficient_conditional(y, x, sigma_inv, prior)
    np.testing.assert_allclose(cond.mean, mean, rtol=1e-10, atol=1e-12)
    draws = np.stack([cond.draw(rng) for _ in range(20000)])  # (n, M, K)
    vec = np.swapaxes(draws, 1, 2).reshape(20000, -1)  # column-major vec
    np.testing.assert_allclose(vec.mean(0), mean, atol=5 * np.sqrt(np.diag(cov) / 20000).max())
    np.testing.assert_allclose(np.cov(vec.T), cov, atol=0.05 * np.abs(cov).max())


def test_sigma_given_b_is_the_inverse_wishart_of_the_residuals():
    rng = np.random.default_rng(1)
    resid = rng.standard_normal((50, 2)) * [1.0, 0.4]
    prior = IndependentPrior(b=np.zeros((1, 2)), variance=np.ones((1, 2)), psi=np.eye(2), dof=4)
    draws = np.stack([draw_sigma(resid, prior, rng) for _ in range(20000)])
    # IW(Psi + E'E, d + T) has mean (Psi + E'E) / (d + T - K - 1)
    expected = (np.eye(2) + resid.T @ resid) / (4 + 50 - 2 - 1)
    np.testing.assert_allclose(draws.mean(0), expected, rtol=0.02, atol=1e-3)


def test_equation_factors_scale_only_that_equations_slopes():
    prior = _conjugate()
    ones = IndependentPrior.from_conjugate(prior, LAYOUT, np.array([1.0, 1.0]))
    sigma_mean = np.diag(prior.psi) / (prior.dof - 2 - 1)  # E[Sigma_jj]
    np.testing.assert_allclose(ones.variance, prior.omega[:, None] * sigma_mean[None, :])
    tight = IndependentPrior.from_conjugate(prior, LAYOUT, np.array([1.0, 0.1]))
    np.testing.assert_allclose(tight.variance[:, 0], ones.variance[:, 0])
    np.testing.assert_allclose(tight.variance[0, 1], ones.variance[0, 1])  # the constant
    np.testing.assert_allclose(tight.variance[1:, 1], 0.01 * ones.variance[1:, 1])


def test_the_gibbs_chain_draws_the_independent_prior_posterior():
    y = _var_data()
    conj = _conjugate()
    indep = IndependentPrior.from_conjugate(conj, LAYOUT, np.array([1.0, 0.4]))
    cells, start = LatentCells.build(y, {0: -1e6}, 1)  # no cell at the bound
    assert cells.size == 0
    run = gibbs(
        y,
        None,
        cells,
        start,
        LAYOUT,
        conj,
        (np.zeros((0, 2)), np.zeros((0, 3))),
        draws=4000,
        tune=200,
        chains=1,
        seed=5,
        independent=indep,
    )
    b = run.b.reshape(-1, 3, 2)

    # reference: importance sampling, proposal = the closed-form conjugate posterior, weight =
    # independent prior density of B / conjugate prior density of B given Sigma
    yy, xx = lagged_regressors(y, None, 1, True)
    pb, ps, _ = niw.posterior(yy, xx, conj).sample(60000, np.random.default_rng(9))
    vec = np.swapaxes(pb - conj.b, 1, 2).reshape(60000, -1)  # deviations, column-major vec
    log_w = stats.norm.logpdf(vec, scale=np.sqrt(indep.variance.T.ravel())).sum(1)
    cov = np.einsum("nij,kl->nikjl", ps, np.diag(conj.omega)).reshape(60000, 6, 6)  # Sigma ⊗ Omega
    chol = np.linalg.cholesky(cov)
    z = np.linalg.solve(chol, vec[..., None])[..., 0]
    log_det = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(1)
    log_w -= -0.5 * (z**2).sum(1) - log_det - 3 * np.log(2 * np.pi)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    assert 1.0 / np.sum(w**2) > 2000  # enough effective draws for the reference
    ref_mean = np.einsum("n,nij->ij", w, pb)
    ref_sd = np.sqrt(np.einsum("n,nij->ij", w, (pb - ref_mean) ** 2))
    tol = 0.12 * ref_sd
    np.testing.assert_array_less(np.abs(b.mean(0) - ref_mean), tol)
    np.testing.assert_array_less(np.abs(b.std(0) - ref_sd), 2 * tol)
    # the test can tell the priors apart: the tight equation's slopes differ from the
    # conjugate posterior's by more than the tolerance
    conj_mean = pb.mean(0)
    assert np.any(np.abs(conj_mean[1:, 1] - ref_mean[1:, 1]) > 2 * tol[1:, 1])


def _spec_file(tmp_path, edit, name="spec.yaml"):
    spec = copy.deepcopy(SMALL)
    edit(spec)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec))
    return path


def test_an_unknown_equation_is_named(tmp_path):
    def edit(spec):
        spec["prior"].setdefault("minnesota", {})["equation_tightness"] = {"nonsense": 0.1}

    with pytest.raises(ConfigError, match=r"equation_tightness: 'nonsense' is not endogenous"):
        fc.load_prior_file(_spec_file(tmp_path, edit))


def test_equation_tightness_needs_a_censored_model(tmp_path):
    def edit(spec):
        spec["model"].pop("censored")
        first = spec["model"]["endogenous"][0]
        spec["prior"].setdefault("minnesota", {})["equation_tightness"] = {first: 0.1}

    with pytest.raises(ConfigError, match=r"equation_tightness needs a censored model"):
        fc.fit(
            fc.load_prior_file(_spec_file(tmp_path, edit)),
            source=OfflineDirectorySource(SHARED_DATA_DIR),
        )


def test_a_tight_equation_of_the_small_model_stays_near_its_prior(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALCLIFF_FIT_CACHE", "off")
    last = SMALL["model"]["endogenous"][-1]

    def fitted(factor):
        def edit(spec):
            spec["prior"]["inference"] = {"draws": 150, "tune": 50, "chains": 1}
            if factor is not None:
                spec["prior"].setdefault("minnesota", {})["equation_tightness"] = {last: factor}

        res = fc.fit(
            fc.load_prior_file(_spec_file(tmp_path, edit, f"s{factor}.yaml")),
            source=OfflineDirectorySource(SHARED_DATA_DIR),
            as_of="2025-11",
            diagnostics=False,
        )
        return res, res._flat("B")

    res, tight = fitted(0.01)
    assert res.settings["equation_tightness"] == {last: 0.01}
    _, free = fitted(None)
    k = len(res.endogenous)
    j = k - 1
    slopes = slice(1, None)  # every row but the constant
    prior_mean = np.zeros(tight.shape[1])
    prior_mean[1 + j] = 1.0  # own first lag (own_lag_mean 1)
    # the tight equation sits at its prior mean; with the usual prior it does not
    dev_tight = np.abs(tight[:, slopes, j].mean(0) - prior_mean[slopes]).max()
    dev_free = np.abs(free[:, slopes, j].mean(0) - prior_mean[slopes]).max()
    assert dev_tight < 0.1 * dev_free


@pytest.mark.parametrize("independent", [False, True])
def test_level_shift_terms_are_the_log_density_of_the_move(independent):
    """``(slope, trace)`` against the densities written out: under ``Sigma -> exp(-c) Sigma``
    the prior of ``Sigma`` (inverse-Wishart), the dummy rows (``N(0, Sigma)``), the conjugate
    prior of ``B`` given ``Sigma`` (absent for the independent prior, whose ``B`` does not depend
    on ``Sigma``) and the Jacobian on ``Sigma``'s free entries change the log density by
    ``slope c - trace (exp(c) - 1) / 2``."""
    from fiscalcliff.model.error_scales import level_shift_terms

    rng = np.random.default_rng(2)
    k, m = 2, 3
    sigma = np.array([[0.8, 0.2], [0.2, 0.5]])
    b, b0 = rng.standard_normal((m, k)), rng.standard_normal((m, k))
    omega, psi, dof = np.array([5.0, 0.4, 0.2]), np.array([[0.6, 0.1], [0.1, 0.3]]), 6.0
    dummy = rng.standard_normal((2, k))

    def log_density(c):
        s = np.exp(-c) * sigma
        out = stats.invwishart.logpdf(s, df=dof, scale=psi) - c * k * (k + 1) / 2
        out += stats.multivariate_normal.logpdf(dummy, cov=s).sum()
        if not independent:
            cov = np.kron(s, np.diag(omega))  # vec(B) | Sigma, column-major
            out += stats.multivariate_normal.logpdf((b - b0).T.ravel(), cov=cov)
        return out

    slope, trace = level_shift_terms(
        np.linalg.inv(sigma), b, b0, None if independent else omega, psi, dof, dummy
    )
    for c in (-0.7, 0.3, 1.1):
        expected = log_density(c) - log_density(0.0)
        assert slope * c - 0.5 * trace * (np.exp(c) - 1.0) == pytest.approx(expected, rel=1e-9)
