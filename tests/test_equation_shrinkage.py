"""``prior.minnesota.equation_tightness``: chosen equations shrunk beyond the conjugate prior.

References independent of the sampler's code: the Gaussian conditional of ``B`` against the
dense textbook formula; ``Sigma | B`` against its inverse-Wishart mean; the whole Gibbs chain
(no latent cells) against importance sampling of the posterior with i.i.d. draws of the
closed-form conjugate posterior as the proposal (the weight is the extra factor's density).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model import niw
from fiscalcliff.model.censored import LatentCells, gibbs
from fiscalcliff.model.design import LagLayout, lagged_regressors
from fiscalcliff.model.equation_shrinkage import (
    EquationShrinkage,
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
    b[1, 0], b[2, 1] = 0.7, 0.9
    return niw.NIWPrior(b=b, omega=np.array([10.0, 0.3, 0.3]), psi=np.eye(2) * 0.25, dof=5.0)


def test_the_coefficient_conditional_is_the_dense_gaussian_posterior():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3))
    y = rng.standard_normal((40, 2))
    sigma = np.array([[1.0, 0.3], [0.3, 0.5]])
    sigma_inv = np.linalg.inv(sigma)
    prior = niw.NIWPrior(
        b=rng.standard_normal((3, 2)), omega=rng.uniform(0.1, 2.0, 3), psi=np.eye(2), dof=4
    )
    extra = rng.uniform(0.0, 3.0, (3, 2))
    shrink = EquationShrinkage(prior=prior, precision=extra)
    # textbook: vec(Y) = (I ⊗ X) vec(B) + e, e ~ N(0, Sigma ⊗ I); prior N(b0, Sigma ⊗ Omega)
    # times N(b0, diag(1 / extra))
    design = np.kron(np.eye(2), x)
    noise_precision = np.kron(sigma_inv, np.eye(40))
    prior_precision = np.linalg.inv(np.kron(sigma, np.diag(prior.omega)))
    prior_precision += np.diag(extra.T.ravel())
    precision = design.T @ noise_precision @ design + prior_precision
    cov = np.linalg.inv(precision)
    b0 = prior.b.T.ravel()
    mean = cov @ (design.T @ noise_precision @ y.T.ravel() + prior_precision @ b0)

    cond = coefficient_conditional(y, x, sigma_inv, shrink)
    np.testing.assert_allclose(cond.mean, mean, rtol=1e-10, atol=1e-12)
    draws = np.stack([cond.draw(rng) for _ in range(20000)])  # (n, M, K)
    vec = np.swapaxes(draws, 1, 2).reshape(20000, -1)  # column-major vec
    np.testing.assert_allclose(vec.mean(0), mean, atol=5 * np.sqrt(np.diag(cov) / 20000).max())
    np.testing.assert_allclose(np.cov(vec.T), cov, atol=0.05 * np.abs(cov).max())


def test_sigma_given_b_is_the_conjugate_inverse_wishart():
    rng = np.random.default_rng(1)
    resid = rng.standard_normal((50, 2)) * [1.0, 0.4]
    prior = niw.NIWPrior(b=np.zeros((3, 2)), omega=np.array([4.0, 0.5, 0.5]), psi=np.eye(2), dof=4)
    b = rng.standard_normal((3, 2))
    draws = np.stack([draw_sigma(resid, b, prior, rng) for _ in range(20000)])
    # IW(Psi + E'E + B' Omega^-1 B, d + T + M) has mean S / (d + T + M - K - 1)
    scale = np.eye(2) + resid.T @ resid + b.T @ (b / prior.omega[:, None])
    expected = scale / (4 + 50 + 3 - 2 - 1)
    np.testing.assert_allclose(draws.mean(0), expected, rtol=0.02, atol=1e-3)


def test_only_the_listed_equations_slopes_get_the_extra_factor():
    prior = _conjugate()
    shrink = EquationShrinkage.build(prior, LAYOUT, np.array([np.inf, 0.1]))
    assert np.all(shrink.precision[:, 0] == 0.0)  # equation 0: its conjugate prior alone
    assert shrink.precision[0, 1] == 0.0  # the constant
    psi = np.diag(prior.psi)
    # Minnesota variance at Sigma_jj = psi_j, times 0.1^2
    np.testing.assert_allclose(shrink.precision[1:, 1], 1.0 / (prior.omega[1:] * psi[1] * 0.01))


def test_the_gibbs_chain_draws_the_shrunk_posterior():
    y = _var_data()
    conj = _conjugate()
    shrink = EquationShrinkage.build(conj, LAYOUT, np.array([np.inf, 0.4]))
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
        shrinkage=shrink,
    )
    b = run.b.reshape(-1, 3, 2)

    # reference: importance sampling, proposal = the closed-form conjugate posterior, weight =
    # the extra factor's density
    yy, xx = lagged_regressors(y, None, 1, True)
    pb, _, _ = niw.posterior(yy, xx, conj).sample(60000, np.random.default_rng(9))
    dev = pb - conj.b
    log_w = -0.5 * np.einsum("nij,ij->n", dev**2, shrink.precision)
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    assert 1.0 / np.sum(w**2) > 2000  # enough effective draws for the reference
    ref_mean = np.einsum("n,nij->ij", w, pb)
    ref_sd = np.sqrt(np.einsum("n,nij->ij", w, (pb - ref_mean) ** 2))
    tol = 0.12 * ref_sd
    np.testing.assert_array_less(np.abs(b.mean(0) - ref_mean), tol)
    np.testing.assert_array_less(np.abs(b.std(0) - ref_sd), 2 * tol)
    # the test can tell the priors apart: the shrunk equation's slopes differ from the
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
