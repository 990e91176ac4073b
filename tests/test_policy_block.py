"""Policy as input (issue 10): Fed holdings, deficit and tariffs exogenous, their baseline the
policy announced by the forecast's data month; identities that tie the blocks hold in every draw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model.identities import parse_identity

ROOT = Path(__file__).resolve().parents[1]
POLICY_PRIOR = ROOT / "priors" / "uncensored.yaml"


def test_an_identity_may_use_exogenous_variables():
    ident = parse_identity(
        "reserves",
        "fed_treasuries + fed_mbs + other - tga",
        ["other", "tga"],
        ["deficit", "fed_treasuries", "fed_mbs"],
    )
    np.testing.assert_array_equal(ident.weights, [1.0, -1.0])
    np.testing.assert_array_equal(ident.exog_weights, [0.0, 1.0, 1.0])
    y = np.array([[10.0, 3.0], [20.0, 4.0]])  # two dates: other, tga
    x = np.array([[0.0, 100.0, 50.0], [0.0, 110.0, 40.0]])  # deficit, treasuries, mbs
    np.testing.assert_array_equal(ident.apply(y, x), [10 - 3 + 150, 20 - 4 + 150])
    with pytest.raises(ValueError, match="needs the exogenous values"):
        ident.apply(y)
    with pytest.raises(ConfigError, match="'nope' not a model variable"):
        parse_identity("r", "tga - nope", ["tga"], ["fed_mbs"])


@pytest.fixture(scope="module")
def as_of_2025_11():
    spec = fc.load_prior_file(POLICY_PRIOR)
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    return results, results.forecast("2026-12", draws=300, seed=2)


def test_baseline_as_of_2025_11_holds_securities_at_the_announced_path(as_of_2025_11):
    results, paths = as_of_2025_11
    last_t = float(results.panel.frame["fed_treasuries"].iloc[-1])
    last_m = float(results.panel.frame["fed_mbs"].iloc[-1])
    treasuries = paths["exog_fed_treasuries"].to_numpy()
    mbs = paths["exog_fed_mbs"].to_numpy()
    # FOMC, 2025-10-29: "conclude the reduction of its aggregate securities holdings on
    # December 1" and reinvest agency principal in bills: total holdings flat from 2025-12, MBS
    # running off into Treasuries at the paydown pace of the data's last six months (the $35bn
    # cap is a ceiling: paydowns ran near $15-17bn a month); the $40bn a month of bill
    # purchases were announced on 2025-12-10, after the as-of month, so they are absent.
    np.testing.assert_allclose(treasuries + mbs, last_t + last_m, rtol=0, atol=1e-9)
    held = results.panel.frame["fed_mbs"]
    pace = (held.loc["2025-05-01"] - held.loc["2025-11-01"]) / 6  # May to November 2025
    assert 10.0 < pace < 35.0
    np.testing.assert_allclose(np.diff(np.concatenate([[last_m], mbs])), -pace, atol=1e-9)
    note = json.loads(paths.attrs["exogenous_assumptions"])["fed_mbs"]
    assert f"{pace:.1f} $bn a month" in note
    assert (
        "announced policy as of 2025-11"
        in json.loads(paths.attrs["exogenous_assumptions"])["fed_treasuries"]
    )


def test_fed_assets_and_reserves_identities_hold_in_every_draw(as_of_2025_11):
    _, paths = as_of_2025_11
    securities = paths["exog_fed_treasuries"] + paths["exog_fed_mbs"]
    assets = securities + paths["fed_other_assets"]
    # xarray aligns by dimension name; compare the differences, draw by draw
    assert float(abs(paths["fed_assets"] - assets).max()) <= 1e-9 * float(assets.max())
    reserves = assets - paths["tga"] - paths["rrp"] - paths["other_absorbing"]
    assert float(abs(paths["reserves"] - reserves).max()) <= 1e-9 * float(assets.max())


def test_an_announcement_after_the_as_of_month_never_affects_the_forecast(tmp_path, monkeypatch):
    spec = fc.load_prior_file(POLICY_PRIOR)
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    before = results.forecast("2026-12", draws=200, seed=9)
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", policy)
    fed = policy / "fed-balance-sheet.yaml"
    entries = yaml.safe_load(fed.read_text())
    later = dict(entries[-1])  # a copy of a real entry, re-dated after the as-of month
    later.update(
        id="2025-12-17-invented-purchases",
        announced="2025-12-17",
        effective="2026-01",
        until=None,
        kind="purchases",
        action="start",
        issuer="FOMC",
        direction="increase",
        basis="at_least",
        monthly_bn={"treasuries": 500.0, "agency": None, "bills": None},
        totals_bn=None,
    )
    fed.write_text(yaml.safe_dump([*entries, later], sort_keys=False))
    monkeypatch.setenv("FISCALCLIFF_POLICY_DIR", str(policy))
    assert any(e.id == later["id"] for e in fc.policy.load_policy().fed)  # it is read...
    after = results.forecast("2026-12", draws=200, seed=9)
    for name in before.data_vars:  # ...and changes nothing
        np.testing.assert_array_equal(before[name].values, after[name].values, err_msg=name)
    # as of 2025-12 the same invented entry is known and moves the holdings from 2026-01
    results_dec = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-12")
    moved = results_dec.forecast("2026-12", draws=50, seed=9)
    steps = np.diff(moved["exog_fed_treasuries"].to_numpy())
    assert np.all(steps >= 500.0 - 1e-9)


def test_a_market_shock_leaves_every_policy_input_unchanged(tmp_path):
    """A TGA path met by the TGA shock: exogenous inputs identical to the baseline's in every
    draw (block exogeneity), while the market block moves."""
    common = {
        "priors": str(POLICY_PRIOR),
        "as_of": "2025-11",
        "horizon": {"end": "2026-06"},
        "draws": 200,
        "seed": 4,
    }
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump({"name": "base", "description": "announced", **common}))
    tga = tmp_path / "tga.yaml"
    tga.write_text(
        yaml.safe_dump(
            {
                "name": "tga-up",
                "description": "TGA to 1,200",
                **common,
                "conditions": {"tga": {"variable": "tga", "path": [{"level": 1200.0}]}},
                "adjusting_shocks": ["tga"],
            }
        )
    )
    cmp = fc.compare(
        [fc.Scenario.from_yaml(base), fc.Scenario.from_yaml(tga)],
        baseline="base",
        source=OfflineDirectorySource(SHARED_DATA_DIR),
    )
    ds = cmp.paths
    for name in ("fed_treasuries", "fed_mbs", "deficit_12m", "tariff_rate"):
        var = ds[f"exog_{name}"]
        np.testing.assert_array_equal(var.sel(scenario="base"), var.sel(scenario="tga-up"))
    np.testing.assert_allclose(ds["tga"].sel(scenario="tga-up"), 1200.0, rtol=1e-9)
    assert not np.allclose(
        ds["reserves"].sel(scenario="base"), ds["reserves"].sel(scenario="tga-up")
    )
