"""Scenarios compared on shared draws: exact zero differences, common random numbers, the
``compare``/``run`` command lines and their files, and the Python API.

Expected values come from the scenario files (names, seeds, the YAML's numbers), the prior file's
bytes, or are recomputed here from the paths themselves (event truth, probabilities).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import run_cli
from fiscalcliff.atomic import MANIFEST
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.summary import MAIN_SERIES
from fiscalcliff.model.fit import fit
from fiscalcliff.model.spec import load_prior_file
from fiscalcliff.scenarios.compare import Comparison, compare
from fiscalcliff.scenarios.loader import Scenario, load_scenario
from fiscalcliff.scenarios.runner import run_scenarios

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
PRIOR = ROOT / "priors" / "uncensored.yaml"
SERIES_DIMS = ("chain", "draw", "scenario", "date")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results(shared_data_dir):
    """The default model fitted once on all the real data, as the forward-looking shipped
    scenarios are (``as_of: null``)."""
    return fit(load_prior_file(PRIOR), source=OfflineDirectorySource(shared_data_dir), as_of=None)


@pytest.fixture(scope="module")
def scenarios():
    return {p.stem: load_scenario(p) for p in sorted(SCEN.glob("*.yaml"))}


def series_names(ds: xr.Dataset) -> list[str]:
    return [v for v in ds.data_vars if ds[v].dims == SERIES_DIMS]


# -- shared draws ----------------------------------------------------------------------------


def test_copy_of_the_baseline_differs_from_it_by_exactly_zero(tmp_path, results, scenarios):
    copy = tmp_path / "copy.yaml"
    copy.write_text(
        f"name: baseline-copy\nextends: {SCEN / 'baseline.yaml'}\n"
        "description: The baseline under another name.\n"
    )
    cmp = compare(
        [scenarios["baseline"], load_scenario(copy)],
        baseline="baseline",
        results=results,
        draws=200,
    )
    ds = cmp.paths
    assert ds.sizes["draw"] == 200
    assert list(ds["scenario"].values) == ["baseline", "baseline-copy"]
    names = series_names(ds)
    assert {"reserves", "tga", "rrp", "fed_assets"} <= set(names)
    for name in [*names, "events", "exog_tariff_rate", "exog_deficit_12m"]:
        a = ds[name].sel(scenario="baseline").values
        b = ds[name].sel(scenario="baseline-copy").values
        assert np.array_equal(a, b), name
    diffs = cmp.differences().xs("baseline-copy", level="scenario")
    assert (diffs.to_numpy() == 0).all()
    ev = cmp.event_probabilities()
    assert (ev.loc[ev["scenario"] == "baseline-copy", "diff_vs_baseline"] == 0).all()


def test_the_baseline_differs_from_itself_by_zero_in_the_tables(results, scenarios):
    cmp = compare(
        [scenarios["baseline"], scenarios["high-tariffs"]],
        baseline="baseline",
        results=results,
        draws=100,
    )
    diffs = cmp.differences().xs("baseline", level="scenario")
    assert len(diffs) and (diffs.to_numpy() == 0).all()
    # and high-tariffs really differs: its tariff path is 18 from 2026-12, above the last value
    tariffs = cmp.paths["exog_tariff_rate"].sel(scenario="high-tariffs", date="2026-12-01")
    assert float(tariffs) == 18.0
    assert not np.array_equal(
        cmp.paths["yield_10y"].sel(scenario="baseline").values,
        cmp.paths["yield_10y"].sel(scenario="high-tariffs").values,
    )


def test_same_seed_gives_identical_draws_and_another_seed_does_not(results, scenarios):
    pair = [scenarios["baseline"], scenarios["high-tariffs"]]
    first = run_scenarios(pair, results=results, draws=100, seed=11)
    again = run_scenarios(pair, results=results, draws=100, seed=11)
    other = run_scenarios(pair, results=results, draws=100, seed=12)
    assert first.attrs["seed"] == 11 and other.attrs["seed"] == 12
    for name in series_names(first):
        assert np.array_equal(first[name].values, again[name].values), name
        assert not np.array_equal(first[name].values, other[name].values), name


def test_a_scenario_gets_the_same_draws_alone_and_beside_others(results, scenarios):
    """Common random numbers: a scenario's paths do not depend on which others run with it."""
    alone = run_scenarios([scenarios["print-money"]], results=results, draws=60, seed=5)
    together = run_scenarios(
        [scenarios["baseline"], scenarios["print-money"]], results=results, draws=60, seed=5
    )
    for name in series_names(alone):
        assert np.array_equal(
            alone[name].sel(scenario="print-money").values,
            together[name].sel(scenario="print-money").values,
        ), name


# -- compare on the command line -------------------------------------------------------------


COMPARED = ("baseline", "print-money", "high-tariffs")


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory, shared_data_dir):
    """``fiscalcliff compare`` of three shipped files: (code, stdout, stderr, out dir).

    Under ``--priors priors/uncensored.yaml`` (the uncensored model, a sub-second fit): the files'
    own censored model is run in ``test_scenario_files.py``."""
    out = tmp_path_factory.mktemp("compare") / "cmp"
    argv = [
        "compare",
        *(str(SCEN / f"{n}.yaml") for n in COMPARED),
        "--baseline",
        "baseline",
        "--out",
        str(out),
        "--draws",
        "100",
        "--priors",
        str(PRIOR),
        "--data-dir",
        str(shared_data_dir),
    ]
    return (*run_cli(argv), out)


@pytest.fixture(scope="module")
def compare_paths(compare_run):
    code, _, stderr, out = compare_run
    assert code == 0, stderr
    with xr.open_dataset(out / "paths.nc", engine="h5netcdf") as ds:
        yield ds.load()


def test_compare_exits_zero_and_writes_every_file(compare_run, compare_paths):
    code, stdout, stderr, out = compare_run
    assert code == 0, stderr
    assert "Traceback" not in stderr
    names = {p.name for p in out.iterdir()}
    tables = {f"{t}.{ext}" for t in ("levels", "differences", "events") for ext in ("csv", "md")}
    fans = {f"fan_{v}.png" for v in MAIN_SERIES if v in compare_paths.data_vars}
    assert {"fan_reserves.png", "fan_tga.png", "fan_fed_assets.png"} <= fans
    assert names == {"paths.nc", "summary.md", MANIFEST} | tables | fans
    assert sorted(json.loads((out / MANIFEST).read_text())["entries"]) == sorted(names - {MANIFEST})
    for fan in fans:
        data = (out / fan).read_bytes()
        assert data.startswith(PNG) and len(data) > 1000, fan
    for table in tables | {"summary.md"}:
        assert (out / table).stat().st_size > 0, table
    summary = (out / "summary.md").read_text()
    assert "baseline: baseline" in summary
    for name in COMPARED:
        assert name in summary
    assert str(out) in stdout
    # no temporary sibling left next to the output directory
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_compare_paths_file_has_named_dims_and_the_three_scenarios(compare_paths):
    ds = compare_paths
    assert list(ds["scenario"].values) == list(COMPARED)
    assert ds.sizes["draw"] == 100 and ds.sizes["chain"] == 1
    for name in ("fed_assets", "reserves", "tga", "rrp", "bill_3m", "yield_10y"):
        assert ds[name].dims == SERIES_DIMS, name
    assert ds["date"].to_index()[-1] == pd.Timestamp("2027-12-01")
    assert int(ds.attrs["seed"]) == 2026  # the files' seed
    assert int(ds.attrs["draws"]) == 100


def test_compare_events_recomputed_from_the_paths(compare_paths):
    """The stored per-draw events agree with the baseline's event definitions applied here."""
    ds = compare_paths
    y26 = ds.sel(date=ds["date"].dt.year == 2027)  # baseline.yaml: "... any 2027"
    expected = {
        "reserves_below_2700": (y26["reserves"] < 2700).any("date"),
        "reserves_below_3000": (y26["reserves"] < 3000).any("date"),
        "rrp_below_100": (y26["rrp"] < 100).all("date"),
        "curve_inverted": ((y26["yield_10y"] - y26["bill_3m"]) < 0).any("date"),
        "yield_10y_above_5": (y26["yield_10y"] > 5).any("date"),
    }
    assert set(ds["event"].values) == set(expected)
    for label, truth in expected.items():
        stored = ds["events"].sel(event=label)
        assert np.array_equal(stored.values.astype(bool), truth.values), label


def test_events_csv_probabilities_are_the_mean_of_the_stored_events(compare_run, compare_paths):
    out = compare_run[3]
    table = pd.read_csv(out / "events.csv")
    assert set(table.columns) >= {"event", "scenario", "probability", "diff_vs_baseline"}
    events = compare_paths["events"].astype(float)
    mean = events.mean(("chain", "draw"))
    assert len(table) == mean.size
    for row in table.itertuples():
        p = float(mean.sel(event=row.event, scenario=row.scenario))
        base = float(mean.sel(event=row.event, scenario="baseline"))
        assert row.probability == pytest.approx(p, abs=1e-12), (row.event, row.scenario)
        assert row.diff_vs_baseline == pytest.approx(p - base, abs=1e-12)
        if row.scenario == "baseline":
            assert row.diff_vs_baseline == 0


def test_differences_csv_is_zero_for_the_baseline_rows(compare_run):
    out = compare_run[3]
    diffs = pd.read_csv(out / "differences.csv")
    base = diffs[diffs["scenario"] == "baseline"]
    assert len(base) > 0
    assert (base[["median", "hdi_lower", "hdi_upper"]].to_numpy() == 0).all()
    others = diffs[diffs["scenario"] == "print-money"]
    # print-money buys $120bn a month of securities in 2027: its fed_assets difference is not 0
    assert (others.loc[others["variable"] == "fed_assets", "median"] != 0).any()


def test_print_money_holdings_are_the_announced_path_plus_the_purchases(compare_paths):
    """print-money.yaml: $80bn of Treasuries and $40bn of MBS a month in 2027 replace the
    baseline's +75 (40 bills + 35 reinvested MBS principal) and -35 (MBS runoff), so its
    holdings exceed the baseline's by 80 more each month of 2027: 80 * k in month k."""
    ds = compare_paths
    holdings = ds["exog_fed_treasuries"] + ds["exog_fed_mbs"]
    gap = (holdings.sel(scenario="print-money") - holdings.sel(scenario="baseline")).to_series()
    assert (gap[:"2026-12-01"] == 0).all()
    np.testing.assert_allclose(gap["2027-01-01":].to_numpy(), 80.0 * np.arange(1, 13))
    # and the identity passes the holdings into fed_assets in every draw
    assets = ds["fed_assets"] - ds["fed_other_assets"]
    np.testing.assert_allclose(
        (assets - holdings).transpose(*ds["fed_assets"].dims).values, 0.0, atol=1e-9
    )


def test_compare_with_an_unknown_baseline_names_the_scenarios(tmp_path, shared_data_dir):
    out = tmp_path / "cmp"
    code, _, stderr = run_cli(
        [
            "compare",
            str(SCEN / "baseline.yaml"),
            str(SCEN / "print-money.yaml"),
            "--baseline",
            "nope",
            "--out",
            str(out),
            "--draws",
            "20",
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert "'nope'" in stderr
    assert "baseline" in stderr and "print-money" in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_compare_across_data_vintages_is_refused(tmp_path, shared_data_dir):
    out = tmp_path / "cmp"
    code, _, stderr = run_cli(
        [
            "compare",
            str(SCEN / "baseline.yaml"),
            str(SCEN / "baseline-2025-11.yaml"),
            "--baseline",
            "baseline",
            "--out",
            str(out),
            "--draws",
            "20",
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert "as_of" in stderr
    assert "2025-11" in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_duplicate_scenario_names_are_refused(results, scenarios):
    with pytest.raises(InputError, match="distinct"):
        run_scenarios([scenarios["baseline"], scenarios["baseline"]], results=results, draws=10)


def test_write_failure_leaves_no_directory_and_keeps_an_old_one(
    tmp_path, results, scenarios, monkeypatch
):
    cmp = compare(
        [scenarios["baseline"], scenarios["print-money"]],
        baseline="baseline",
        results=results,
        draws=30,
    )
    import fiscalcliff.scenarios.plots as plots

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while drawing")

    old = tmp_path / "old"
    cmp.write(old)  # a previous comparison: may be replaced, but only by a complete one
    before = {p.name: p.read_bytes() for p in old.iterdir()}
    monkeypatch.setattr(plots, "draw_fan", broken)  # fails in the drawing process too (forked)
    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError):
        cmp.write(fresh)
    assert not fresh.exists()
    with pytest.raises(RuntimeError):
        cmp.write(old)
    assert {p.name: p.read_bytes() for p in old.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]


_FORKED_VS_ALONE = """
import sys
from pathlib import Path

import fiscalcliff.scenarios.output as output
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.model.fit import fit
from fiscalcliff.model.spec import load_prior_file
from fiscalcliff.scenarios.compare import compare
from fiscalcliff.scenarios.loader import load_scenario

prior, scen, data, out = map(Path, sys.argv[1:])
results = fit(load_prior_file(prior), source=OfflineDirectorySource(data), as_of=None)
chosen = [load_scenario(scen / "baseline.yaml"), load_scenario(scen / "print-money.yaml")]
cmp = compare(chosen, baseline="baseline", results=results, draws=40)
assert output.can_fork_a_worker(), "no second process in a fresh interpreter"
cmp.write(out / "forked")
output.can_fork_a_worker = lambda: False
cmp.write(out / "alone")
"""


def test_charts_drawn_in_a_second_process_are_the_files_drawn_here(tmp_path, shared_data_dir):
    """write() forks a process to draw fan charts while it writes the tables; the directory is
    byte for byte the one written in this process alone (apart from the NetCDF file's
    creation time). Run in a fresh interpreter: here other tests may have left threads (Dask's),
    with which write() rightly does not fork. The fit comes from this session's fit cache."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _FORKED_VS_ALONE,
            str(PRIOR),
            str(SCEN),
            str(shared_data_dir),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    forked = {p.name: p.read_bytes() for p in (tmp_path / "forked").iterdir()}
    alone = {p.name: p.read_bytes() for p in (tmp_path / "alone").iterdir()}
    assert forked.keys() == alone.keys()
    assert len([n for n in forked if n.startswith("fan_")]) >= 3
    assert {n for n in forked if forked[n] != alone[n]} <= {"paths.nc"}


def test_sharing_the_conditions_loadings_changes_no_number(results, scenarios, monkeypatch):
    """Plausibility and conditioning share the loadings of the conditions on the shocks when
    they fit in memory; computed by each step instead (a zero budget) the run is identical."""
    import fiscalcliff.scenarios.runner as runner

    chosen = [scenarios["baseline"], scenarios["shutdown-tga"]]
    shared = run_scenarios(chosen, results=results, draws=60)
    monkeypatch.setattr(runner, "SHARED_RESPONSES_BYTES", 0)
    alone = run_scenarios(chosen, results=results, draws=60)
    for name in shared.data_vars:
        np.testing.assert_array_equal(shared[name].values, alone[name].values, err_msg=name)
    assert shared.attrs["conditions"] == alone.attrs["conditions"]


# -- run on the command line -----------------------------------------------------------------


@pytest.fixture(scope="module")
def print_money_runs(tmp_path_factory, shared_data_dir):
    """``fiscalcliff run print-money.yaml --draws 100 --priors priors/uncensored.yaml`` twice with
    the file's seed."""
    tmp = tmp_path_factory.mktemp("run")
    runs = []
    for label in ("first", "again"):
        out = tmp / label / "pm.nc"
        argv = [
            "run",
            str(SCEN / "print-money.yaml"),
            "--out",
            str(out),
            "--draws",
            "100",
            "--priors",
            str(PRIOR),
            "--data-dir",
            str(shared_data_dir),
        ]
        runs.append((*run_cli(argv), out))
    return runs


def test_run_exits_zero_and_records_provenance(print_money_runs, results, scenarios):
    code, stdout, stderr, out = print_money_runs[0]
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "Scenario print-money" in stdout
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        attrs = dict(ds.attrs)
        assert list(ds["scenario"].values) == ["print-money"]
        assert ds.sizes["draw"] == 100
    sha = json.loads(attrs["scenario_sha256"])
    assert sha == {"print-money": scenarios["print-money"].sha256}
    assert len(sha["print-money"]) == 64
    # the file names priors/default.yaml; --priors put priors/uncensored.yaml in its place
    assert attrs["prior_sha256"] == hashlib.sha256(PRIOR.read_bytes()).hexdigest()
    assert Path(attrs["prior_file"]).resolve() == PRIOR.resolve()
    assert int(attrs["seed"]) == 2026  # seed: 2026 in baseline.yaml, inherited
    assert attrs["as_of"] == ""  # baseline.yaml: as_of null, every series to its last month
    assert attrs["horizon"] == "2026-10..2027-12"  # the latest data month is 2026-09
    assert attrs["data_sha256"] == results.panel.data_hash
    assert int(attrs["draws"]) == 100


def test_a_missing_priors_file_is_named_before_any_fit(tmp_path, shared_data_dir, monkeypatch):
    import fiscalcliff.model.fit as fit_module

    def refuse(*args, **kwargs):
        raise AssertionError("fitted before --priors was checked")

    monkeypatch.setattr(fit_module, "fit", refuse)
    missing = tmp_path / "nope.yaml"
    for argv in (
        ["run", str(SCEN / "baseline.yaml")],
        ["compare", str(SCEN / "baseline.yaml"), "--baseline", "baseline", "--out", "o"],
    ):
        code, _, stderr = run_cli(
            [*argv, "--priors", str(missing), "--data-dir", str(shared_data_dir)]
        )
        assert code == 2, stderr
        assert "Traceback" not in stderr
        assert f"--priors: no such prior file {missing}" in stderr
    assert list(tmp_path.iterdir()) == []


def test_run_twice_with_the_same_seed_gives_identical_files(print_money_runs):
    arrays = []
    for code, _, stderr, out in print_money_runs:
        assert code == 0, stderr
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            arrays.append({v: ds[v].values for v in series_names(ds)})
    assert arrays[0].keys() == arrays[1].keys() and "reserves" in arrays[0]
    for name in arrays[0]:
        assert np.array_equal(arrays[0][name], arrays[1][name]), name


# -- Python API ------------------------------------------------------------------------------


def test_python_api(results):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    base = Scenario.from_yaml(SCEN / "baseline.yaml")
    pm = Scenario.from_yaml(str(SCEN / "print-money.yaml"))
    cmp = compare([base, pm], baseline="baseline", results=results, draws=50)
    assert isinstance(cmp, Comparison)
    assert cmp.baseline == "baseline"
    levels, diffs, events = cmp.levels(), cmp.differences(), cmp.event_probabilities()
    for table in (levels, diffs, events):
        assert isinstance(table, pd.DataFrame) and len(table) > 0
    assert levels.index.names == ["scenario", "variable", "quarter"]
    assert list(levels.columns) == ["median", "hdi_lower", "hdi_upper"]
    assert (levels["hdi_lower"] <= levels["median"]).all()
    assert (levels["median"] <= levels["hdi_upper"]).all()
    quarters = set(levels.index.get_level_values("quarter"))
    # the forecast starts 2026-10 (after the latest data, 2026-09) and ends 2027-12
    assert quarters == {"2026Q4", "2027Q1", "2027Q2", "2027Q3", "2027Q4"}
    assert set(events["scenario"]) == {"baseline", "print-money"}
    assert set(events["event"]) == set(base.spec.events)
    fig, ax = cmp.plot_fan("reserves")
    try:
        assert isinstance(fig, Figure) and isinstance(ax, Axes)
        assert "reserves" in ax.get_title()
    finally:
        plt.close(fig)


def test_compare_api_with_an_unknown_baseline(results, scenarios):
    with pytest.raises(InputError, match="'nope' is not among the scenarios"):
        compare([scenarios["baseline"]], baseline="nope", results=results, draws=10)
