"""Acceptance tests of the fit -> posterior -> forecast spine on the real data (../shared/data).

Each expected value has its own reason: statsmodels' OLS for a near-flat prior, the accounting
identity recomputed from the paths, calendar arithmetic for the dates, Monte Carlo error bands
from the closed-form posterior moments, and a perturbation check for the hyperparameter optimum.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from statsmodels.tsa.api import VAR

import fiscalcliff as fc
from fiscalcliff.data import OfflineDirectorySource, load_panel
from fiscalcliff.errors import InputError
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.hyper import log_hyperprior

ROOT = Path(__file__).resolve().parents[1]
REDUCED_FORM_PRIOR = ROOT / "priors" / "reduced-form.yaml"
FLAT_PRIOR = Path(__file__).resolve().parent / "fixtures" / "priors" / "flat.yaml"
HORIZON = "2026-12"
DRAWS = 300
SEED = 3
BALANCES = ("fed_assets", "tga", "rrp", "other_absorbing", "reserves")
RATES = ("policy_rate", "bill_3m", "yield_10y")


@pytest.fixture(scope="module")
def source(shared_data_dir):
    return OfflineDirectorySource(shared_data_dir)


@pytest.fixture(scope="module")
def default_fit(source):
    """(spec, spec.model_dump() taken before fitting, results) for priors/uncensored.yaml."""
    spec = fc.load_prior_file(REDUCED_FORM_PRIOR)
    before = spec.model_dump()
    results = fc.fit(spec, source=source)
    return spec, before, results


@pytest.fixture(scope="module")
def results(default_fit):
    return default_fit[2]


@pytest.fixture(scope="module")
def paths(results):
    return results.forecast(HORIZON, draws=DRAWS, seed=SEED)


def months_after(last: pd.Timestamp, horizon: str) -> list[pd.Timestamp]:
    """First-of-month dates after ``last`` through ``horizon``, by year/month arithmetic."""
    end_y, end_m = map(int, horizon.split("-"))
    y, m = last.year, last.month
    out = []
    while (y, m) < (end_y, end_m):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(pd.Timestamp(year=y, month=m, day=1))
    return out


# -- a near-flat prior is OLS -------------------------------------------------------------------


def test_near_flat_prior_posterior_mean_is_statsmodels_var_ols(source):
    spec = fc.load_prior_file(FLAT_PRIOR)
    m = spec.model
    default = fc.load_prior_file(REDUCED_FORM_PRIOR).model
    assert (m.endogenous, m.exogenous) == (default.endogenous, default.exogenous)
    panel = load_panel(
        [*m.endogenous, *m.exogenous], source=source, start=m.sample.start, end=m.sample.end
    )
    res = fc.fit(spec, panel=panel)
    frame = panel.frame
    ols = VAR(frame[list(m.endogenous)], exog=frame[list(m.exogenous)]).fit(m.lags, trend="c")
    rename = {f"L{lag}.{v}": f"{v}.l{lag}" for lag in range(1, m.lags + 1) for v in m.endogenous}
    params = ols.params.rename(index=rename)
    assert sorted(params.index) == sorted(res.regressors)
    ref = params.loc[list(res.regressors), list(m.endogenous)].to_numpy()
    np.testing.assert_allclose(res.posterior.b_mean, ref, rtol=1e-6, atol=0)


# -- the spec is an input, not state -------------------------------------------------------------


def test_fit_does_not_mutate_the_spec_and_the_spec_is_frozen(default_fit):
    spec, before, _ = default_fit
    assert spec.model_dump() == before
    with pytest.raises(ValidationError):
        spec.name = "changed"
    with pytest.raises(ValidationError):
        spec.model.lags = 1
    with pytest.raises(ValidationError):
        spec.prior.minnesota.lag_decay = 0.0


# -- forecast paths ------------------------------------------------------------------------------


def test_reserves_identity_holds_in_every_draw(paths):
    rhs = paths["fed_assets"] - paths["tga"] - paths["rrp"] - paths["other_absorbing"]
    lhs = paths["reserves"]
    assert lhs.dims == rhs.dims == ("chain", "draw", "date")
    scale = float(np.abs(paths["fed_assets"]).max())
    np.testing.assert_allclose(lhs.values, rhs.values, rtol=1e-9, atol=1e-9 * scale)
    spread = paths["yield_10y"] - paths["bill_3m"]
    np.testing.assert_allclose(paths["term_spread"].values, spread.values, rtol=1e-9, atol=1e-12)


def test_forecast_dates_run_from_the_month_after_the_data_to_the_horizon(paths, results):
    # the latest month any series has data for (the ragged edge is filled, not cut)
    last = pd.Timestamp(f"{max(results.panel.last_dates.values())}-01")
    expected = months_after(last, HORIZON)
    dates = paths["date"].to_index()
    assert list(dates) == expected
    assert all(d.day == 1 for d in dates)
    assert dates[-1] == pd.Timestamp(f"{HORIZON}-01")
    edge = results.panel.edge.index
    assert paths.sizes == {
        "chain": 1,
        "draw": DRAWS,
        "date": len(expected),
        "nowcast_date": len(edge),
    }
    # the ragged edge runs from the month after the sample to the latest data
    assert edge[0] == results.panel.frame.index[-1] + pd.offsets.MonthBegin(1)
    assert edge[-1] + pd.offsets.MonthBegin(1) == dates[0]


def test_units_are_recorded(paths):
    for name in BALANCES:
        assert paths[name].attrs["units"] == "$bn", name
    for name in RATES:
        assert paths[name].attrs["units"] == "percent", name
    # a difference of two rates in percent is in percentage points
    assert paths["term_spread"].attrs["units"] == "percentage points"
    assert paths["exog_deficit_12m"].attrs["units"] == "$bn"
    assert paths["exog_tariff_rate"].attrs["units"] == "percent"


def test_explosive_share_is_the_mean_of_the_explosive_flags(paths):
    share = paths.attrs["explosive_share"]
    assert 0.0 <= share <= 1.0
    assert share == pytest.approx(float(paths["explosive"].mean()), abs=1e-12)
    assert paths["explosive"].dims == ("chain", "draw")
    np.testing.assert_array_equal(paths["explosive"].values, paths["max_root"].values > 1.0)


# -- exogenous paths -----------------------------------------------------------------------------


def test_exogenous_variables_default_to_their_last_observed_value(paths, results):
    notes = json.loads(paths.attrs["exogenous_assumptions"])
    assert sorted(notes) == sorted(results.exogenous)
    for name in results.exogenous:
        # the series' own last month, the months after the sample included
        observed = results.panel.frame[name].combine_first(results.panel.edge[name]).dropna()
        last, last_month = observed.iloc[-1], observed.index[-1].strftime("%Y-%m")
        assert last_month == results.panel.last_dates[name]
        assert paths[f"exog_{name}"].dims == ("date",)
        np.testing.assert_array_equal(paths[f"exog_{name}"].values, last)
        assert "last observed" in notes[name]
        assert last_month in notes[name]


def test_user_exogenous_paths_are_used(results, paths):
    h = paths.sizes["date"]
    ramp = list(np.linspace(10.0, 25.0, h))
    scalar = results.forecast(HORIZON, draws=50, seed=SEED, exogenous={"tariff_rate": 25.0})
    listed = results.forecast(HORIZON, draws=50, seed=SEED, exogenous={"tariff_rate": ramp})
    np.testing.assert_array_equal(scalar["exog_tariff_rate"].values, 25.0)
    np.testing.assert_array_equal(listed["exog_tariff_rate"].values, ramp)
    for ds in (scalar, listed):
        notes = json.loads(ds.attrs["exogenous_assumptions"])
        assert "last observed" not in notes["tariff_rate"]
        assert "last observed" in notes["deficit_12m"]  # the other one is still held
    # same seed, different tariff path: the paths must differ
    assert not np.array_equal(scalar["fed_assets"].values, listed["fed_assets"].values)


def test_exogenous_list_of_the_wrong_length_is_an_input_error(results, paths):
    h = paths.sizes["date"]
    with pytest.raises(InputError, match="tariff_rate"):
        results.forecast(HORIZON, draws=10, exogenous={"tariff_rate": [15.0] * (h + 1)})


# -- posterior draws -----------------------------------------------------------------------------


def test_posterior_dataset_works_with_arviz_summary(results):
    import arviz as az

    summary = az.summary(results.posterior_dataset(200, 0), var_names=["Sigma"])
    k = len(results.endogenous)
    assert isinstance(summary, pd.DataFrame)
    assert len(summary) == k * k
    assert all(str(label).startswith("Sigma") for label in summary.index)
    assert "mean" in summary.columns


def test_posterior_draws_average_to_the_closed_form_mean(results):
    post = results.posterior
    chunks = [results.sample(5_000, seed=100 + i).b for i in range(4)]  # 20,000 draws
    n = sum(c.shape[0] for c in chunks)
    mean = sum(c.sum(axis=0) for c in chunks) / n
    # Var(B[m, k]) = E[Sigma_kk] * Omega_bar[m, m] under the matrix-normal-inverse-Wishart.
    se = np.sqrt(np.outer(np.diag(post.omega), np.diag(post.sigma_mean())) / n)
    z = np.abs(mean - post.b_mean) / se
    assert z.max() < 5.0  # 609 elements: P(max |z| > 5) is about 3e-4 under the model


# -- hyperparameters -----------------------------------------------------------------------------


def test_estimated_hyperparameters_are_a_local_maximum(default_fit):
    spec, _, results = default_fit
    m = spec.model
    frame = results.panel.frame
    problem, _, _, _ = fit_arrays(
        spec, frame[list(m.endogenous)].to_numpy(), frame[list(m.exogenous)].to_numpy()
    )
    settings = {
        "tightness": spec.prior.minnesota.tightness,
        "sum_of_coefficients": spec.prior.sum_of_coefficients,
        "single_unit_root": spec.prior.single_unit_root,
    }
    hp = results.hyperparameters
    assert sorted(hp.estimated) == sorted(settings)

    def objective(values):
        return problem.log_ml(values) + sum(
            log_hyperprior(values[n], settings[n]) for n in hp.estimated
        )

    best = objective(hp.values)
    assert best == pytest.approx(hp.log_posterior, rel=1e-10)
    for name in hp.estimated:
        s = settings[name]
        for factor in (0.95, 1.05):
            moved = hp.values[name] * factor
            if not s.min <= moved <= s.max:
                continue  # at a bound: only the inward direction can be checked
            assert objective({**hp.values, name: moved}) <= best, (name, factor)


# -- as-of ---------------------------------------------------------------------------------------


def test_as_of_limits_the_last_month(source, results):
    spec = fc.load_prior_file(REDUCED_FORM_PRIOR)
    early = fc.fit(spec, source=source, as_of="2025-11")
    assert early.panel.frame.index[-1] == pd.Timestamp("2025-11-01")
    assert early.sample_end == "2025-11"
    assert early.panel.frame.index[0] == results.panel.frame.index[0]  # same start
    ds = early.forecast("2026-03", draws=20, seed=0)
    assert ds["date"].to_index()[0] == pd.Timestamp("2025-12-01")
