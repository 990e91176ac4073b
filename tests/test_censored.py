"""Censored variables (issue 11): data augmentation of shadow values, exact HMC for the latent
cells, forecasts in shadow space censored at the bound, conditions at the bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError, InputError
from fiscalcliff.model import niw
from fiscalcliff.model.censored import (
    BandedGaussian,
    LatentCells,
    _lag_products,
    _PairIndex,
    _residuals,
    exact_hmc,
    gibbs,
)
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.stability import max_root_modulus

ROOT = Path(__file__).resolve().parents[1]


def band_to_dense(band: np.ndarray) -> np.ndarray:
    """The symmetric matrix held in upper band storage ``band`` (``(u + 1, n)``)."""
    u, n = band.shape[0] - 1, band.shape[1]
    out = np.zeros((n, n))
    for s in range(u + 1):
        diagonal = band[u - s, s:]
        out[np.arange(n - s), np.arange(s, n)] = diagonal
        out[np.arange(s, n), np.arange(n - s)] = diagonal
    return out


def _quadratic_form(start, cells, exog, layout, b, sigma_inv):
    def quad(x):
        full = start.copy()
        full[cells.rows, cells.cols] = x
        e = _residuals(full, exog, layout, b)
        return 0.5 * np.einsum("tk,kl,tl->", e, sigma_inv, e)

    return quad


def _finite_differences(quad, x0):
    """Hessian and gradient of ``quad`` at ``x0`` by central differences with unit steps (exact
    for a quadratic)."""
    eye = np.eye(x0.size)
    hess = np.array(
        [
            [
                (quad(x0 + ei + ej) - quad(x0 + ei - ej) - quad(x0 - ei + ej) + quad(x0 - ei - ej))
                / 4.0
                for ej in eye
            ]
            for ei in eye
        ]
    )
    grad = np.array([(quad(x0 + e) - quad(x0 - e)) / 2.0 for e in eye])
    return hess, grad


def test_latent_precision_and_gradient_equal_the_likelihood_quadratic_form():
    """The banded precision and the gradient the sampler assembles from lag blocks equal the
    Hessian and gradient of the VAR's quadratic form in the latent cells, found by central
    differences (exact for a quadratic, up to rounding)."""
    rng = np.random.default_rng(0)
    n, k, p = 16, 3, 2
    layout = LagLayout(k, 1, p, True)
    data = rng.standard_normal((n, k))
    data[:, 1] = np.abs(data[:, 1]) + 0.5
    exog = rng.standard_normal((n, 1))
    data[[3, 4, 5, 14, 15], 0] = np.nan  # missing runs, one at the end
    data[[6, 15], 2] = np.nan
    data[[7, 8], 1] = -1.0  # censored at 0
    cells, start = LatentCells.build(data, {1: 0.0}, p)
    assert cells.size == 9 and np.isfinite(cells.upper).sum() == 2
    b = rng.standard_normal((layout.n_regressors, k)) * 0.3
    sigma = np.cov(rng.standard_normal((k, 40)))
    sigma_inv = np.linalg.inv(sigma)
    quad = _quadratic_form(start, cells, exog, layout, b, sigma_inv)
    x0 = start[cells.rows, cells.cols]
    hess, grad = _finite_differences(quad, x0)
    pairs = _PairIndex(cells, n, p, k)
    dmat, g, _ = _lag_products(b, sigma_inv, layout)
    band = pairs.precision(g)
    q = band_to_dense(band)
    np.testing.assert_allclose(q, hess, atol=1e-9)
    # cells more than p months apart do not interact: the band holds the whole precision
    far = np.abs(cells.rows[:, None] - cells.rows[None, :]) > p
    assert np.abs(hess[far]).max() < 1e-12 and band.shape[0] == pairs.bandwidth + 1
    law = BandedGaussian(band)
    cov = np.linalg.inv(hess)
    for i in range(cells.size):
        np.testing.assert_allclose(law.column(i), cov[:, i], atol=1e-9)
    z = rng.standard_normal(cells.size)
    w = law.velocity(z)  # U^-1 z with Q = U'U: so U w = z and w'Q w = z'z
    np.testing.assert_allclose(w @ hess @ w, z @ z, rtol=1e-9)
    np.testing.assert_allclose(law.solve(z), cov @ z, atol=1e-9)
    f = np.concatenate([_residuals(start, exog, layout, b) @ sigma_inv, np.zeros((p, k))])
    cols = np.swapaxes(dmat, 1, 2)[:, cells.cols]
    mine = np.einsum("ilk,lik->i", f[pairs.rows] * pairs.valid[..., None], cols)
    np.testing.assert_allclose(mine, grad, atol=1e-9)


def test_weighted_latent_precision_and_gradient_equal_the_weighted_quadratic_form():
    """With month-varying error scales (residual month t has covariance Sigma / w_t: Student-t
    errors, stochastic volatility), the banded precision and gradient equal the Hessian and
    gradient of sum_t w_t e_t' Sigma^-1 e_t / 2 by central differences; weights of one give the
    unweighted band exactly."""
    rng = np.random.default_rng(3)
    n, k, p = 18, 3, 3
    layout = LagLayout(k, 1, p, True)
    data = rng.standard_normal((n, k))
    exog = rng.standard_normal((n, 1))
    data[[4, 5, 9, 16, 17], 0] = np.nan
    data[[8, 17], 2] = np.nan
    data[[6, 7, 8, 12], 1] = -1.0
    cells, start = LatentCells.build(data, {1: 0.0}, p)
    b = rng.standard_normal((layout.n_regressors, k)) * 0.3
    sigma_inv = np.linalg.inv(np.cov(rng.standard_normal((k, 40))))
    weights = rng.uniform(0.2, 3.0, n - p)

    def quad(x):
        full = start.copy()
        full[cells.rows, cells.cols] = x
        e = _residuals(full, exog, layout, b)
        return 0.5 * np.einsum("t,tk,kl,tl->", weights, e, sigma_inv, e)

    x0 = start[cells.rows, cells.cols]
    hess, grad = _finite_differences(quad, x0)
    pairs = _PairIndex(cells, n, p, k)
    dmat, g, prod = _lag_products(b, sigma_inv, layout)
    np.testing.assert_allclose(
        band_to_dense(pairs.weighted_precision(prod, weights)), hess, atol=1e-9
    )
    np.testing.assert_allclose(
        pairs.weighted_precision(prod, np.ones(n - p)), pairs.precision(g), atol=1e-12
    )
    f = (_residuals(start, exog, layout, b) @ sigma_inv) * weights[:, None]
    f = np.concatenate([f, np.zeros((p, k))])
    cols = np.swapaxes(dmat, 1, 2)[:, cells.cols]
    mine = np.einsum("ilk,lik->i", f[pairs.rows] * pairs.valid[..., None], cols)
    np.testing.assert_allclose(mine, grad, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_hmc_matches_rejection_sampling(seed):
    """Exact HMC on a correlated 3-d Gaussian truncated to x <= upper (two walls): 600
    independent chains of 8 trajectories each against rejection sampling, two-sample KS on
    each coordinate."""
    rng = np.random.default_rng(seed)
    cov = np.array([[1.0, 0.8, 0.3], [0.8, 1.0, 0.5], [0.3, 0.5, 2.0]])
    chol = np.linalg.cholesky(np.linalg.inv(cov))
    upper = np.array([-0.3, 0.2, np.inf])
    bounded = np.flatnonzero(np.isfinite(upper))
    sigma = np.linalg.inv(chol @ chol.T)
    ours = np.empty((600, 3))
    for i in range(600):
        x = np.array([-1.0, -1.0, 0.0])
        for _ in range(8):
            w = np.linalg.solve(chol.T, rng.standard_normal(3))
            x = exact_hmc(x, w, upper, bounded, lambda i: sigma[:, i])
        ours[i] = x
    assert (ours[:, bounded] <= upper[bounded] + 1e-12).all()
    prop = rng.multivariate_normal(np.zeros(3), cov, size=40_000)
    ref = prop[(prop <= upper).all(axis=1)][:3000]
    for j in range(3):
        assert stats.ks_2samp(ours[:, j], ref[:, j]).pvalue > 0.01


def _simulate_censored_var(rng, t_len=160):
    a = np.array([[0.85, 0.1], [0.05, 0.6]])
    c = np.array([-0.05, 0.4])
    sigma = np.array([[0.2, 0.05], [0.05, 0.25]])
    root = np.linalg.cholesky(sigma)
    y = np.zeros((t_len + 50, 2))
    for t in range(1, len(y)):
        y[t] = c + a @ y[t - 1] + root @ rng.standard_normal(2)
    y = y[50:]
    obs = y.copy()
    obs[:, 0] = np.maximum(obs[:, 0], 0.0)
    truth = np.vstack([c, a.T])  # rows: const, lag-1 of each variable; columns: equations
    return obs, y, truth, sigma


def _flat_prior(m: int, k: int) -> niw.NIWPrior:
    return niw.NIWPrior(b=np.zeros((m, k)), omega=np.full(m, 1e4), psi=np.eye(k) * 1e-3, dof=k + 2)


def _var1_gibbs(obs, cells, start, *, draws, tune, seed=0, chains=1):
    """The censored Gibbs sampler on a 2-variable VAR(1) with a constant, flat prior."""
    return gibbs(
        obs,
        None,
        cells,
        start,
        LagLayout(2, 0, 1, True),
        _flat_prior(3, 2),
        (np.zeros((0, 2)), np.zeros((0, 3))),
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
    )


def test_posterior_intervals_cover_true_coefficients_of_a_censored_var():
    """16 replications of a 2-variable VAR(1) whose first variable is censored at 0 (30-50% of
    months on average): the 90% posterior intervals of the 6 coefficients and 3 covariance
    entries cover the truth in about 90% of the 144 cases."""
    hits, total, shares = 0, 0, []
    for rep in range(16):
        obs, _, truth, sigma = _simulate_censored_var(np.random.default_rng(100 + rep))
        cells, start = LatentCells.build(obs, {0: 0.0}, 1)
        shares.append(cells.size / len(obs))
        run = _var1_gibbs(obs, cells, start, draws=300, tune=100, seed=rep)
        b = run.b.reshape(-1, 3, 2)
        s = run.sigma.reshape(-1, 2, 2)
        lo, hi = np.quantile(b, [0.05, 0.95], axis=0)
        hits += int(((lo <= truth) & (truth <= hi)).sum())
        slo, shi = np.quantile(s, [0.05, 0.95], axis=0)
        tri = np.tril_indices(2)
        hits += int(((slo[tri] <= sigma[tri]) & (sigma[tri] <= shi[tri])).sum())
        total += 9
    assert 0.3 <= np.mean(shares) <= 0.5
    share = hits / total
    assert 0.82 <= share <= 0.97, share


def test_ignoring_censoring_is_biased_where_the_sampler_is_not():
    """The same data treated as uncensored (zeros taken as observed) give the constant of the
    censored variable's equation visibly too high; the shadow sampler's posterior mean is close
    to the truth (a check that the data augmentation matters, averaged over 4 replications)."""
    naive, shadow = [], []
    for rep in range(4):
        obs, _, truth, _ = _simulate_censored_var(np.random.default_rng(200 + rep), 300)
        cells, start = LatentCells.build(obs, {0: 0.0}, 1)
        run = _var1_gibbs(obs, cells, start, draws=300, tune=100, seed=rep)
        shadow.append(run.b.reshape(-1, 3, 2).mean(axis=0)[0, 0] - truth[0, 0])
        empty = LatentCells(*(np.zeros(0, dtype=int),) * 2, np.zeros(0), np.zeros(0))
        plain = _var1_gibbs(obs, empty, obs, draws=300, tune=0, seed=rep)
        naive.append(plain.b.reshape(-1, 3, 2).mean(axis=0)[0, 0] - truth[0, 0])
    assert abs(np.mean(shadow)) < 0.04
    assert np.mean(naive) > 0.06  # the constant of the censored equation is pushed up


def test_without_latent_cells_the_sampler_is_the_exact_posterior():
    """No cell at the bound: every iteration is an i.i.d. draw of the closed-form NIW posterior;
    posterior means of B and Sigma agree with the closed form within Monte Carlo error."""
    rng = np.random.default_rng(5)
    _, y, _, _ = _simulate_censored_var(rng)
    cells, start = LatentCells.build(y, {0: -50.0}, 1)  # bound far below the data
    assert cells.size == 0
    run = _var1_gibbs(y, cells, start, draws=2000, tune=0, chains=2)
    from fiscalcliff.model.design import lagged_regressors

    yy, xx = lagged_regressors(y, None, 1, True)
    post = niw.posterior(yy, xx, _flat_prior(3, 2))
    b = run.b.reshape(-1, 3, 2)
    se = b.std(axis=0) / np.sqrt(b.shape[0])
    assert (np.abs(b.mean(axis=0) - post.b_mean) < 4 * se).all()
    s = run.sigma.reshape(-1, 2, 2)
    se_s = s.std(axis=0) / np.sqrt(s.shape[0])
    assert (np.abs(s.mean(axis=0) - post.sigma_mean()) < 4 * se_s).all()


# ---------------------------------------------------------------- on real data, small model


def implied_reserves(ds):
    """Reserves from their identity with the small model's series, per draw and month."""
    return (
        ds["exog_fed_treasuries"]
        + ds["exog_fed_mbs"]
        + ds["fed_other_assets"]
        - ds["tga"]
        - ds["rrp"]
        - ds["other_absorbing"]
    )


SMALL = {
    "name": "censored-small",
    "model": {
        "endogenous": ["fed_other_assets", "tga", "rrp", "other_absorbing", "policy_rate"],
        "exogenous": ["fed_treasuries", "fed_mbs"],
        "lags": 2,
        "sample": {"start": "2009-01"},
        "censored": {
            "rrp": {"lower": 0.0, "at_or_below": 5.0},
            "policy_rate": {"lower": 0.0, "at_or_below": 0.25},
        },
    },
    "identities": {
        "reserves": "fed_treasuries + fed_mbs + fed_other_assets - tga - rrp - other_absorbing"
    },
    "prior": {
        "minnesota": {"tightness": {"value": 0.2, "mode": 0.2, "sd": 0.4, "estimate": False}},
        "sum_of_coefficients": None,
        "single_unit_root": None,
        "inference": {"draws": 150, "tune": 100, "chains": 2},
    },
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("censored") / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL))
    spec = fc.load_prior_file(path)
    return fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")


def test_fit_reports_shadow_series_and_diagnostics(small):
    tree = small.inference_data()
    post = tree["posterior"]
    assert {"B", "Sigma", "shadow_rrp", "shadow_policy_rate"} <= set(post.data_vars)
    assert dict(post["B"].sizes) == {"chain": 2, "draw": 150, "regressor": 13, "equation": 5}
    assert "lp" in tree["sample_stats"]
    assert np.isfinite(small.diagnostics.max_r_hat)
    # diagnostics: Sigma, B and the latent cells of the last p months; history: earlier cells
    months = small.months
    recent = months[-small.layout.lags :]
    table, history = small.diagnostics.table, small.history_diagnostics.table
    latent = [n for n in table.index if not n.startswith(("B[", "Sigma["))]
    assert "B[policy_rate.l1, tga]" in table.index and "Sigma[rrp, rrp]" in table.index
    # the recent latent cells, from the data: at or below a threshold, or missing
    data = pd.concat([small.panel.frame, small.panel.edge]).reindex(recent)
    want = {
        f"latent[{name}[{m:%Y-%m}]]"
        for name in small.endogenous
        for m, v in data[name].items()
        if np.isnan(v) or (name in small.censored and v <= small.censored[name].threshold)
    }
    assert set(latent) == want
    assert len(history) and all(pd.Timestamp(n[-9:-2]) < recent[0] for n in history.index)
    assert len(latent) + len(history) == small.settings["latent_cells"]
    shadow = small.shadow()["shadow_policy_rate"]
    data = small.panel.frame["policy_rate"]
    months = shadow["time"].to_index()
    at_bound = (data <= 0.25).reindex(months).to_numpy().copy()
    at_bound[: small.layout.lags] = False  # the pre-sample is conditioned on as observed
    values = shadow.to_numpy().reshape(-1, len(months))
    assert (values[:, at_bound] <= 0.25 + 1e-12).all()
    np.testing.assert_array_equal(
        values[:, ~at_bound],
        np.broadcast_to(data.reindex(months).to_numpy()[~at_bound], values[:, ~at_bound].shape),
    )
    # the shadow rate went well below zero in 2011-2014 and 2020-2021
    assert float(shadow.sel(time=slice("2011", "2014")).mean()) < 0.0


def test_forecasts_never_go_below_a_bound_and_identities_hold(small):
    ds = small.forecast("2026-12", draws=2000, seed=3)
    for name, bound in small.censored.items():
        assert float(ds[name].min()) >= bound.lower
        np.testing.assert_array_equal(
            ds[name].to_numpy(), np.maximum(ds[f"shadow_{name}"].to_numpy(), bound.lower)
        )
        assert float(ds[f"shadow_{name}"].min()) < bound.lower  # the censoring is active
    implied = implied_reserves(ds)
    err = np.abs(ds["reserves"] - implied) / np.abs(ds["reserves"])
    assert float(err.max()) < 1e-9


def test_stored_draws_roots_are_looked_up_and_equal_a_fresh_eigenvalue_check(small):
    """Forecasts resample the stored Gibbs draws, so each stored draw's largest companion root
    is computed once; what a sample carries equals the eigenvalues of its own ``B``."""
    sample = small.sample(700, 5)
    np.testing.assert_array_equal(sample.max_root, max_root_modulus(sample.b, small.layout))
    ds = small.forecast("2026-12", draws=700, seed=5, stability="report")
    fresh = small.sample(700, np.random.default_rng(np.random.SeedSequence(5).spawn(4)[0]))
    np.testing.assert_array_equal(
        ds["max_root"].to_numpy()[0], max_root_modulus(fresh.b, small.layout)
    )
    picked = sample.take(np.array([3, 1]))
    np.testing.assert_array_equal(picked.max_root, sample.max_root[[3, 1]])


def test_same_seed_same_numbers(small, tmp_path):
    a = small.forecast("2026-06", draws=200, seed=9)
    b = small.forecast("2026-06", draws=200, seed=9)
    np.testing.assert_array_equal(a["rrp"].to_numpy(), b["rrp"].to_numpy())
    spec = small.spec
    again = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    np.testing.assert_array_equal(
        again.trace["posterior"]["B"].to_numpy(), small.trace["posterior"]["B"].to_numpy()
    )


def _scenario(tmp_path, conditions: dict) -> fc.Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "s",
                "description": "test",
                "priors": str(ROOT / "priors" / "uncensored.yaml"),
                "as_of": "2025-11",
                "horizon": {"end": "2026-06"},
                "conditions": conditions,
            }
        )
    )
    return fc.load_scenario(path)


def test_a_hard_condition_at_the_bound_is_shadow_at_or_below_it(small, tmp_path):
    """ON RRP pinned at 0 in 2026-03: the shadow is at or below the threshold (5) in every draw,
    so the reported ON RRP lies in [0, 5] there, not exactly 0 with the shadow forced to 0."""
    s = _scenario(
        tmp_path,
        {
            "rrp_zero": {
                "variable": "rrp",
                "path": [{"from": "2026-03", "to": "2026-03", "level": 0}],
            }
        },
    )
    ds = small.forecast(s, draws=500, seed=1)
    month = ds.sel(date="2026-03-01", scenario="s")
    assert float(month["shadow_rrp"].max()) <= 5.0 + 1e-8
    assert float(month["rrp"].min()) >= 0.0
    assert float(month["shadow_rrp"].std()) > 1.0  # not pinned at one value
    note = ds.attrs["conditions"]
    assert "at the bound" in str(note)
    # above the threshold it is an ordinary hard condition on the shadow
    s2 = _scenario(
        tmp_path,
        {
            "rrp_high": {
                "variable": "rrp",
                "path": [{"from": "2026-03", "to": "2026-03", "level": 100}],
            }
        },
    )
    ds2 = small.forecast(s2, draws=200, seed=1)
    np.testing.assert_allclose(ds2["rrp"].sel(date="2026-03-01").to_numpy(), 100.0, atol=1e-6)


def test_a_floor_at_the_lower_bound_is_dropped_and_a_higher_floor_holds(small, tmp_path):
    s = _scenario(
        tmp_path,
        {
            "rrp_nonneg": {"variable": "rrp", "floor": 0},
            "rate_floor": {"variable": "policy_rate", "floor": 3.0},
        },
    )
    ds = small.forecast(s, draws=300, seed=2)
    assert float(ds["policy_rate"].min()) >= 3.0 - 1e-9
    assert "always holds" in str(ds.attrs["conditions"])


def test_censored_needs_the_exact_sampler(small):
    with pytest.raises(InputError, match=r"model\.censored needs sampler: exact"):
        fc.fit(small.spec, sampler="nuts", source=OfflineDirectorySource(SHARED_DATA_DIR))


@pytest.mark.parametrize(
    ("censored", "message"),
    [
        ({"yield_10y": {"lower": 0.0}}, "must be endogenous"),
        ({"rrp": {"lower": 1.0, "at_or_below": 0.5}}, "must be at least lower"),
        ({"rrp": {"upper": 1.0}}, "upper"),
    ],
)
def test_bad_censored_settings_are_refused(tmp_path, censored, message):
    spec = yaml.safe_load(yaml.safe_dump(SMALL))
    spec["model"]["censored"] = censored
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ConfigError, match=message):
        fc.load_prior_file(path)


def test_shipped_censored_prior_file_loads():
    spec = fc.load_prior_file(ROOT / "priors" / "censored.yaml")
    assert set(spec.model.censored) == {"rrp", "policy_rate", "bill_3m"}
    assert spec.model.censored["rrp"].threshold == 5.0


def test_the_ragged_edge_is_filled_by_the_gibbs_sampler(tmp_path):
    """Data to the latest month (a ragged edge): observed edge cells are reported as observed,
    missing ones are filled per draw, and forecasts start from each draw's shadow history."""
    spec = yaml.safe_load(yaml.safe_dump(SMALL))
    spec["model"]["endogenous"] = ["tga", "rrp", "policy_rate"]
    spec["model"]["exogenous"] = []
    spec["identities"] = {}
    path = tmp_path / "edge.yaml"
    path.write_text(yaml.safe_dump(spec))
    results = fc.fit(fc.load_prior_file(path), source=OfflineDirectorySource(SHARED_DATA_DIR))
    edge = results.panel.edge[["tga", "rrp", "policy_rate"]]
    assert len(edge) and edge.isna().any().any()  # the test needs a ragged edge
    ds = results.forecast("2027-03", draws=300, seed=4)
    for name in edge.columns:
        col = edge[name]
        if col.isna().any():
            filled = ds[f"nowcast_{name}"].to_numpy()[0]  # (draw, nowcast_date)
            seen = col.notna().to_numpy()
            np.testing.assert_array_equal(
                filled[:, seen], np.broadcast_to(col.to_numpy()[seen], filled[:, seen].shape)
            )
            assert filled[:, ~seen].std(axis=0).min() > 0
    assert float(ds["rrp"].min()) >= 0.0
