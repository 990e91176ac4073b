"""A censored model with Student-t errors and a common stochastic volatility, end to end: the
Gibbs sampler's extra block, what the draws carry to forecasts and scenarios, the fit cache."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.model import fit_cache
from test_censored import SMALL, implied_reserves

# the small censored model of test_censored, with both error-scale blocks
SPEC = copy.deepcopy(SMALL)
SPEC["name"] = "censored-scales"
SPEC["prior"]["errors"] = {"distribution": "student_t"}
SPEC["prior"]["volatility"] = {"kind": "stochastic"}


def _fit(path):
    return fc.fit(
        fc.load_prior_file(path), source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11"
    )


@pytest.fixture(scope="module")
def prior_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("scales") / "scales.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return path


@pytest.fixture(scope="module")
def fitted(prior_path):
    return _fit(prior_path)


def test_the_gibbs_sampler_draws_the_error_scales(fitted):
    post = fitted.trace["posterior"]
    for name in ("lambda", "h", "nu", "sv_persistence", "sv_shock_sd"):
        assert name in post, name
    months = fitted.months[fitted.layout.lags :]
    assert post["h"].sizes["resid_time"] == len(months)
    assert float(post["lambda"].min()) > 0 and float(post["nu"].min()) > 2
    assert 0 < float(post["sv_persistence"].min()) and float(post["sv_persistence"].max()) < 1
    # the volatility of 2020 (the pandemic balance-sheet swings) is far above that of 2017-19
    h = post["h"].mean(("chain", "draw")).to_series()
    assert h["2020-03":"2020-08"].mean() > h["2017-01":"2019-06"].mean() + 1.0
    # forecasts see the scales only through nu, the last h, phi and the shock sd: diagnosed
    assert {"nu", "h_last", "sv_persistence", "sv_shock_sd"} <= set(fitted.diagnostics.table.index)
    rates = fitted.settings["scale_acceptance"]
    assert set(rates) == {"h", "phi", "sd", "nu", "level"}
    assert all(0.05 < rates[n] <= 1 for n in rates), rates


def test_draws_carry_the_law_of_their_future_scales(fitted):
    sample = fitted.sample(300, 2)
    stored = fitted.trace["posterior"]
    flat_h = stored["h"].to_numpy().reshape(-1, stored["h"].sizes["resid_time"])
    sigma = stored["Sigma"].to_numpy().reshape(-1, *sample.sigma.shape[1:])
    # which stored draws were taken: match Sigma (continuous, so unique)
    picked = [int(np.flatnonzero((sigma == s).all(axis=(1, 2)))[0]) for s in sample.sigma[:20]]
    np.testing.assert_array_equal(sample.scales.h_last[:20], flat_h[picked, -1])
    nu = stored["nu"].to_numpy().reshape(-1)
    np.testing.assert_array_equal(sample.scales.nu[:20], nu[picked])
    v = sample.shock_scale(12, np.random.default_rng(0))
    assert v.shape == (300, 12) and (v > 0).all()


def test_forecasts_respect_bounds_and_identities_and_repeat_with_the_seed(fitted):
    ds = fitted.forecast("2026-12", draws=400, seed=3)
    assert float(ds["rrp"].min()) >= 0.0 and float(ds["policy_rate"].min()) >= 0.0
    implied = implied_reserves(ds)
    assert float((np.abs(ds["reserves"] - implied) / np.abs(ds["reserves"])).max()) < 1e-9
    again = fitted.forecast("2026-12", draws=400, seed=3)
    np.testing.assert_array_equal(ds["tga"].to_numpy(), again["tga"].to_numpy())
    other = fitted.forecast("2026-12", draws=400, seed=4)
    assert not np.array_equal(ds["tga"].to_numpy(), other["tga"].to_numpy())


def test_the_fit_cache_returns_the_same_draws_and_scales(prior_path, tmp_path, monkeypatch):
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    first = _fit(prior_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    second = _fit(prior_path)
    for name in ("B", "Sigma", "h", "lambda", "nu", "sv_shock_sd"):
        np.testing.assert_array_equal(
            first.trace["posterior"][name].to_numpy(), second.trace["posterior"][name].to_numpy()
        )
    a = first.forecast("2026-06", draws=200, seed=1)
    b = second.forecast("2026-06", draws=200, seed=1)
    np.testing.assert_array_equal(a["reserves"].to_numpy(), b["reserves"].to_numpy())


def test_a_scenario_meets_its_conditions_given_the_scales(prior_path, fitted, tmp_path):
    """A hard condition on the TGA and a bound on Fed other assets: met in every draw when the
    paths are simulated with each draw's month scales.  (Not a bound on reserves: reserves
    subtract ON RRP, whose censoring at zero acts after the conditioning.)"""
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "s",
                "description": "test",
                "priors": str(prior_path),
                "as_of": "2025-11",
                "horizon": {"end": "2026-06"},
                "conditions": {
                    "tga_march": {
                        "variable": "tga",
                        "path": [{"from": "2026-03", "to": "2026-03", "level": 900.0}],
                    },
                    "lending": {"variable": "fed_other_assets", "floor": 300.0, "from": "2026-06"},
                },
            }
        )
    )
    ds = fc.run_scenarios([fc.load_scenario(path)], draws=300, seed=2, results=fitted)
    tga = ds["tga"].sel(date="2026-03-01").to_numpy()
    np.testing.assert_allclose(tga, 900.0, atol=1e-6)
    other = ds["fed_other_assets"]
    assert float(other.sel(date="2026-06-01").min()) >= 300.0 - 1e-6
    assert float(other.sel(date="2026-05-01").min()) < 300.0  # the bound binds in some draws


def test_the_backtest_conditions_on_treasury_cash_with_the_scales_drawn_given_it(
    prior_path, shared_data_dir
):
    """A backtest task with Treasury's announced cash balance on the scaled model: the TGA of
    the quarter-end month is pinned in every draw (sd 0.01 $bn), the scales are chosen given
    the condition, and the same task gives the same numbers."""
    from fiscalcliff.evaluation.runner import build_tasks
    from fiscalcliff.evaluation.tasks import forecast_task

    source = OfflineDirectorySource(shared_data_dir)
    kw = {"origins": "2023-06", "benchmarks": (), "horizons": 4, "draws": 200}
    tasks, _ = build_tasks([prior_path], source=source, treasury_cash=0.01, **kw)
    first, again = forecast_task(tasks[0]), forecast_task(tasks[0])
    col = list(tasks[0].variables).index("tga")
    np.testing.assert_allclose(first.members[2][:, col], 600.0, atol=0.1)  # 2023-09: 600 $bn
    np.testing.assert_array_equal(first.members[3], again.members[3])
