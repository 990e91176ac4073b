"""Backtest instrument: scores against independent references, no look-ahead, reproducibility."""

from __future__ import annotations

import shutil
from math import erf, exp, pi, sqrt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import InputError
from fiscalcliff.evaluation.dm import diebold_mariano
from fiscalcliff.evaluation.origins import parse_origins
from fiscalcliff.evaluation.predictive import random_walk_members
from fiscalcliff.evaluation.runner import build_tasks, run_tasks
from fiscalcliff.evaluation.scores import score_ensemble
from fiscalcliff.evaluation.tasks import forecast_task, run_task
from fiscalcliff.model.spec import load_prior_file

ROOT = Path(__file__).resolve().parents[1]
REDUCED_FORM = ROOT / "priors" / "reduced-form.yaml"


def gaussian_crps(y: float, mu: float, sd: float) -> float:
    """Closed form (Gneiting & Raftery 2007): sd * (z(2Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi))."""
    z = (y - mu) / sd
    phi = exp(-0.5 * z * z) / sqrt(2 * pi)
    cdf = 0.5 * (1 + erf(z / sqrt(2)))
    return sd * (z * (2 * cdf - 1) + 2 * phi - 1 / sqrt(pi))


def test_ensemble_crps_of_a_large_gaussian_sample_matches_the_closed_form():
    rng = np.random.default_rng(1)
    ens = rng.normal(2.0, 3.0, size=(200_000, 3))
    obs = np.array([2.0, -1.5, 9.0])
    got = score_ensemble(ens, obs)["crps"]
    want = [gaussian_crps(y, 2.0, 3.0) for y in obs]
    # Monte Carlo error of the ensemble CRPS at m = 200,000 is far below 0.5%
    np.testing.assert_allclose(got, want, rtol=5e-3)


def test_coverage_pit_and_median_errors_follow_the_ensemble_order_statistics():
    ens = np.arange(1.0, 101.0)[:, None] * np.ones((1, 2))  # members 1..100
    out = score_ensemble(ens, np.array([50.25, 99.0]))
    assert out["pit"][0] == pytest.approx(0.50)  # 50 members below 50.25
    assert out["cover50"].tolist() == [1.0, 0.0]
    assert out["cover90"].tolist() == [1.0, 0.0]  # 99 > 95% quantile 95.05
    assert out["bias"][0] == pytest.approx(50.5 - 50.25)
    nan = score_ensemble(ens, np.array([np.nan, 3.0]))
    assert np.isnan(nan["crps"][0]) and np.isfinite(nan["crps"][1])


def test_random_walk_bands_cover_ninety_percent_of_a_simulated_random_walk():
    # a long sample, so that the empirical h-month changes pin down the h-month spread; at 180
    # months (our origins' sample length) coverage is lower, about 0.87 (measured), because one
    # path's changes share its own drift: the rw benchmark's bands are somewhat narrow
    rng = np.random.default_rng(7)
    reps, t, h = 2000, 1500, 6
    hits = []
    for _ in range(reps):
        y = np.cumsum(rng.standard_normal(t + h))[:, None]
        members = random_walk_members(y[:t], h)[h - 1][:, 0]
        lo, hi = np.quantile(members, [0.05, 0.95])
        hits.append(lo <= y[t + h - 1, 0] <= hi)
    # binomial standard error at 2,000 replications is 0.0067; allow 3.5 of them
    assert abs(np.mean(hits) - 0.9) < 0.024


def test_dm_at_horizon_one_is_the_one_sample_t_test():
    from scipy import stats

    d = np.random.default_rng(3).normal(0.2, 1.0, size=40)
    stat, p, n = diebold_mariano(d, 1)
    ref = stats.ttest_1samp(d, 0.0)
    assert n == 40
    assert stat == pytest.approx(ref.statistic, rel=1e-12)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)


def test_dm_at_longer_horizons_uses_the_rectangular_hac_variance_and_hln_factor():
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_hac, weights_uniform

    rng = np.random.default_rng(4)
    e = rng.standard_normal(61)
    d = 0.3 + e[1:] + 0.6 * e[:-1]  # MA(1), as at horizon 2
    h, t = 2, d.size
    fit = sm.OLS(d, np.ones((t, 1))).fit()
    var = cov_hac(fit, nlags=h - 1, weights_func=weights_uniform, use_correction=False)[0, 0]
    want = d.mean() / np.sqrt(var) * np.sqrt((t + 1 - 2 * h + h * (h - 1) / t) / t)
    stat, _, _ = diebold_mariano(d, h)
    assert stat == pytest.approx(want, rel=1e-10)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2022-06:2022-09", ["2022-06", "2022-07", "2022-08", "2022-09"]),
        ("2022-06:2023-01:3", ["2022-06", "2022-09", "2022-12"]),
        ("2024-01,2023-05", ["2023-05", "2024-01"]),
    ],
)
def test_origins_parse(text, months):
    assert parse_origins(text) == months


@pytest.mark.parametrize("text", ["2022-13:2023-01", "2023-01:2022-01", "june", "2022-06,2022-06"])
def test_bad_origins_are_refused_with_the_argument_named(text):
    with pytest.raises(InputError, match="origins"):
        parse_origins(text)


def _perturbed_copy(src: Path, dst: Path, after: str) -> Path:
    """Copy the data directory and change every observation dated after the month ``after``."""
    shutil.copytree(src, dst)
    cutoff = pd.Period(after, freq="M").end_time
    changed = 0
    for path in dst.glob("*.csv"):
        frame = pd.read_csv(path, dtype={"value": float})
        if list(frame.columns) != ["date", "value"]:
            continue
        dates = pd.to_datetime(frame["date"])
        late = dates > cutoff
        frame.loc[late, "value"] = frame.loc[late, "value"] * 1.7 + 11.0
        changed += int(late.sum())
        frame.to_csv(path, index=False)
    assert changed > 1000  # the H.4.1, rates, fiscal and tariff files all run past the origin
    return dst


@pytest.fixture(scope="module")
def late_changed(tmp_path_factory, shared_data_dir):
    return _perturbed_copy(shared_data_dir, tmp_path_factory.mktemp("late") / "data", "2023-06")


def _tasks(source, origins="2023-06", **kw):
    kw.setdefault("benchmarks", ("rw", "ols", "minnesota"))
    kw.setdefault("horizons", 4)
    kw.setdefault("draws", 60)
    tasks, _ = build_tasks([REDUCED_FORM], origins=origins, source=source, **kw)
    return tasks


def test_changing_data_after_the_origin_leaves_every_forecast_bit_identical(
    shared_data_dir, late_changed
):
    base = _tasks(OfflineDirectorySource(shared_data_dir))
    moved = _tasks(OfflineDirectorySource(late_changed))
    assert [t.model for t in base] == ["reduced-form", "rw", "ols", "minnesota"]
    for a, b in zip(base, moved, strict=True):
        ea, eb = forecast_task(a), forecast_task(b)
        for ma, mb in zip(ea.members, eb.members, strict=True):
            np.testing.assert_array_equal(ma, mb)
        assert not np.array_equal(a.observed, b.observed)  # the outcomes did change


def test_changing_data_at_the_origin_changes_the_forecast(tmp_path, shared_data_dir):
    # the positive control of the look-ahead test: the same perturbation one month earlier
    early = _perturbed_copy(shared_data_dir, tmp_path / "data", "2023-05")
    base = _tasks(OfflineDirectorySource(shared_data_dir), benchmarks=("rw",))
    moved = _tasks(OfflineDirectorySource(early), benchmarks=("rw",))
    for a, b in zip(base, moved, strict=True):
        assert not np.array_equal(forecast_task(a).members[0], forecast_task(b).members[0])


def test_a_task_gives_the_same_numbers_whichever_other_origins_run(shared_data_dir):
    source = OfflineDirectorySource(shared_data_dir)
    both = _tasks(source, origins="2023-06,2024-02", benchmarks=())
    alone = _tasks(source, origins="2024-02", benchmarks=())
    np.testing.assert_array_equal(run_task(both[1]).quantiles, run_task(alone[0]).quantiles)


def test_serial_and_a_two_worker_dask_cluster_give_identical_numbers(shared_data_dir):
    tasks = _tasks(
        OfflineDirectorySource(shared_data_dir), origins="2023-06,2024-02", benchmarks=("rw",)
    )
    serial = run_tasks(tasks, serial=True)
    dask = run_tasks(tasks, workers=2)
    for a, b in zip(serial, dask, strict=True):
        assert (a.model, a.origin) == (b.model, b.origin)
        np.testing.assert_array_equal(a.quantiles, b.quantiles)
        for name in a.scores:
            np.testing.assert_array_equal(a.scores[name], b.scores[name])


def test_condition_on_reproduces_the_realised_values_exactly(shared_data_dir):
    tasks = _tasks(
        OfflineDirectorySource(shared_data_dir),
        origins="2024-02",
        benchmarks=("ols",),
        condition_on=("fed_assets", "reserves", "deficit_12m"),
    )
    for task in tasks:
        ens = forecast_task(task)
        col = {v: i for i, v in enumerate(task.variables)}
        for name in ("fed_assets", "reserves"):
            realised = task.condition[name]
            got = np.stack([m[:, col[name]] for m in ens.members], axis=1)
            np.testing.assert_allclose(got, np.broadcast_to(realised, got.shape), atol=1e-8)
            # the conditioned values are what the data say happened
            np.testing.assert_array_equal(realised, task.observed[:, col[name]])
        assert "exogenous deficit_12m: realised path" in ens.notes


def test_ols_benchmark_is_statsmodels_var_mean_forecast(shared_data_dir):
    from statsmodels.tsa.api import VAR

    from fiscalcliff.evaluation.predictive import origin_panel, var_ensemble

    spec = load_prior_file(REDUCED_FORM)
    source = OfflineDirectorySource(shared_data_dir)
    panel = origin_panel(spec, source, "2024-02").frame
    endog = panel[list(spec.model.endogenous)].reset_index(drop=True)
    exog = panel[list(spec.model.exogenous)].reset_index(drop=True)
    ref = VAR(endog, exog=exog).fit(spec.model.lags, trend="c")
    want = ref.forecast(
        endog.to_numpy()[-spec.model.lags :], 3, exog_future=np.tile(exog.to_numpy()[-1], (3, 1))
    )
    ens = var_ensemble(
        "ols",
        spec,
        source,
        "2024-02",
        3,
        tuple(spec.model.endogenous),
        20_000,
        np.random.SeedSequence(0),
    )
    got = np.stack([m.mean(axis=0) for m in ens.members])
    scale = endog.diff().std().to_numpy()
    # mean of 20,000 Gaussian paths around statsmodels' point forecast
    assert np.all(np.abs(got - want) < 0.1 * scale * np.sqrt(np.arange(1, 4))[:, None] + 1e-9)


def test_backtest_cli_smoke_writes_every_output(cli, tmp_path, shared_data_dir):
    out = tmp_path / "bt"
    code, stdout, stderr = cli(
        [
            "backtest",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(REDUCED_FORM),
            "--benchmarks",
            "rw,minnesota",
            "--origins",
            "2024-01:2024-03",
            "--horizons",
            "3",
            "--draws",
            "50",
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 0, stderr
    assert "CRPS skill vs rw" in stdout
    for name in (
        "backtest.nc",
        "scores.csv",
        "skill.md",
        "coverage.csv",
        "diebold_mariano.md",
        "summary.md",
        "pit.png",
        "coverage.png",
        "skill_reserves.png",
    ):
        assert (out / name).is_file(), name
    import xarray as xr

    with xr.open_dataset(out / "backtest.nc") as ds:
        assert ds.crps.dims == ("model", "origin", "variable", "horizon")
        assert list(ds.model.values) == ["reduced-form", "rw", "minnesota"]
        assert ds.attrs["seed"] == 0


def test_backtest_refuses_a_directory_it_did_not_write(cli, tmp_path, shared_data_dir):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    code, _, stderr = cli(
        [
            "backtest",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(REDUCED_FORM),
            "--origins",
            "2024-01",
            "--horizons",
            "2",
            "--draws",
            "20",
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert "not a previous backtest output (keep.txt)" in stderr and str(out) in stderr
    assert (out / "keep.txt").read_text() == "precious"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--benchmarks", "arima"], "unknown benchmark"),
        (["--horizons", "0"], "horizons"),
        (["--condition-on", "gdp"], "condition-on gdp"),
        (["--origins", "2030-01"], "origin 2030-01"),
        *[
            (["--treasury-cash", v], "--treasury-cash must be a standard deviation in $bn")
            for v in ("0", "-5", "nan", "inf", "lots")
        ],
    ],
)
def test_bad_backtest_arguments_exit_2_naming_them(cli, tmp_path, shared_data_dir, args, message):
    code, _, stderr = cli(
        [
            "backtest",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(REDUCED_FORM),
            "--draws",
            "20",
            "--serial",
            "--out",
            str(tmp_path / "o"),
            "--origins",
            "2024-01",
            *args,
        ]
    )
    assert code == 2, stderr
    assert message in stderr
    assert not (tmp_path / "o").exists()


def test_coverage_of_a_series_a_model_does_not_have_is_nan_not_zero():
    """A model without a series (the reduced-form model has no fed_other_assets) is not scored
    on it: its coverage is missing, where a stored 0 would read as 'never covered'."""
    import xarray as xr

    from fiscalcliff.evaluation.summary import coverage_table

    shape = (2, 3, 2, 12)  # model, origin, variable, horizon
    crps = np.ones(shape)
    crps[1, :, 1, :] = np.nan  # model "b" does not have variable "y"
    covered = np.ones(shape)
    covered[1, :, 1, :] = 0.0  # what the runner stores for it
    coords = {"model": ["a", "b"], "origin": [0, 1, 2], "variable": ["x", "y"]}
    coords["horizon"] = np.arange(1, 13)
    dims = ("model", "origin", "variable", "horizon")
    ds = xr.Dataset(
        {"crps": (dims, crps), "cover50": (dims, covered), "cover90": (dims, covered)}, coords
    )
    table = coverage_table(ds)
    assert table.loc[("a", "y"), "cover90 all"] == 1.0
    assert table.loc[("b", "x"), "cover90 all"] == 1.0
    assert np.isnan(table.loc[("b", "y"), "cover90 all"])
    assert np.isnan(table.loc[("b", "y"), "cover50 1-3"])


UNCENSORED = ROOT / "priors" / "uncensored.yaml"


def _announced_cash(quarter: str, by: str) -> float:
    """The cash balance for ``quarter`` in the latest release announced by month ``by``, read
    from the policy file with plain YAML (not the package's loader)."""
    import yaml

    rows = yaml.safe_load((ROOT / "policy" / "treasury-cash-balance.yaml").read_text())
    known = [r for r in rows if r["quarter"] == quarter and str(r["announced"])[:7] <= by]
    return float(max(known, key=lambda r: str(r["announced"]))["cash_balance_bn"])


@pytest.mark.parametrize("origin", ["2023-06", "2023-07"])
def test_treasury_cash_pins_the_quarter_end_tga_to_the_release_known_at_the_origin(
    shared_data_dir, origin
):
    # 2023Q3's balance was 600 $bn in the release of 2023-05-01 and 650 in that of 2023-07-31:
    # the origin 2023-06 must use 600 and 2023-07 650 (real time)
    want = _announced_cash("2023Q3", origin)
    assert want == {"2023-06": 600.0, "2023-07": 650.0}[origin]
    source = OfflineDirectorySource(shared_data_dir)
    kw = {"origins": origin, "benchmarks": ("rw",), "horizons": 4, "draws": 200}
    plain, _ = build_tasks([UNCENSORED], source=source, **kw)
    cash, settings = build_tasks([UNCENSORED], source=source, treasury_cash=0.01, **kw)
    assert settings["treasury_cash"] == "sd 0.01"
    assert [t.treasury_cash for t in cash] == [0.01, None]  # never on the random walk
    col = {v: i for i, v in enumerate(cash[0].variables)}
    sept = 3 - int(origin[-1]) + 6  # 2023-09 is horizon 3 from 2023-06 and 2 from 2023-07
    e_plain, e_cash = forecast_task(plain[0]), forecast_task(cash[0])
    tga = e_cash.members[sept - 1][:, col["tga"]]
    np.testing.assert_allclose(tga, want, atol=0.1)  # sd 0.01: all but exact in every draw
    assert np.abs(e_plain.members[sept - 1][:, col["tga"]] - want).max() > 20
    assert any(f"2023Q3 {want:,.0f}" in n and "by the tga shock" in n for n in e_cash.notes)
    # delivered by the named tga shock alone: in the recursive order policy_rate, lending,
    # currency come before tga, so their first month is exactly as without the condition
    for name in ("policy_rate", "fed_other_assets", "other_absorbing"):
        np.testing.assert_allclose(
            e_cash.members[0][:, col[name]], e_plain.members[0][:, col[name]], rtol=0, atol=1e-8
        )
    assert np.abs(e_cash.members[0][:, col["rrp"]] - e_plain.members[0][:, col["rrp"]]).max() > 0
    # the random walk is the same with and without the option
    np.testing.assert_array_equal(
        forecast_task(plain[1]).members[0], forecast_task(cash[1]).members[0]
    )


def test_stability_filter_forecasts_from_stable_draws_and_reports_the_explosive_share(
    shared_data_dir,
):
    from fiscalcliff.evaluation.predictive import _bvar_draws
    from fiscalcliff.model.stability import max_root_modulus

    spec = load_prior_file(UNCENSORED)
    source = OfflineDirectorySource(shared_data_dir)
    var, _, share = _bvar_draws(spec, source, "2025-03", 300, np.random.default_rng(1), "filter")
    assert max_root_modulus(var.b, var.layout).max() <= 1.0
    # the share of explosive draws made, against the share among unfiltered draws (about 43%
    # at this origin in the stored full-grid run)
    plain, _, nan = _bvar_draws(spec, source, "2025-03", 3000, np.random.default_rng(2))
    assert np.isnan(nan)
    reported = float((max_root_modulus(plain.b, plain.layout) > 1.0).mean())
    assert 0.05 < reported < 0.95  # both kinds of draw occur at this origin
    assert abs(share - reported) < 0.1  # binomial sd below 0.03 at these draw counts
    tasks, settings = build_tasks(
        [UNCENSORED],
        origins="2025-03",
        benchmarks=("rw", "ols"),
        horizons=2,
        draws=100,
        stability="filter",
        source=source,
    )
    assert settings["stability"] == "filter"
    ens = forecast_task(tasks[0])
    assert "stability: explosive posterior draws discarded and redrawn" in ens.notes
    assert ens.explosive_share > 0
    assert "stability" not in " ".join(forecast_task(tasks[2]).notes)  # ols: not filtered
    with pytest.raises(InputError, match="stability must be 'report' or 'filter'"):
        build_tasks([UNCENSORED], origins="2025-03", stability="drop", source=source)
