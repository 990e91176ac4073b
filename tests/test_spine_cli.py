"""Acceptance tests of the ``fiscalcliff`` command line on the real data (../shared/data).

The CLI is driven in-process through :func:`fiscalcliff.cli.main.main` (which returns the exit
code) and, for a couple of cases, as a separate process, to see what a user's terminal shows.
Expected values come from the command line itself (seed, draws, horizon), the prior file's
bytes, or the data layer, never from output pasted back in.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import fiscalcliff
from conftest import run_cli
from fiscalcliff.data import OfflineDirectorySource, load_panel
from fiscalcliff.model.spec import load_prior_file

ROOT = Path(__file__).resolve().parents[1]
PRIOR = ROOT / "priors" / "uncensored.yaml"
DRAWS = 300
HORIZON = "2026-12"
PATH_VARIABLES = (
    "fed_assets",
    "reserves",
    "tga",
    "rrp",
    "other_absorbing",
    "bill_3m",
    "yield_10y",
)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def forecast_argv(data_dir: Path, out: Path, seed: int = 7, *extra: str) -> list[str]:
    return [
        "forecast",
        "--data-dir",
        str(data_dir),
        "--priors",
        str(PRIOR),
        "--horizon",
        HORIZON,
        "--draws",
        str(DRAWS),
        "--seed",
        str(seed),
        "--out",
        str(out),
        *extra,
    ]


def cli_command() -> list[str]:
    """The installed console script, or the module if the script is not beside Python."""
    script = Path(sys.executable).with_name("fiscalcliff")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fiscalcliff.cli.main"]


@pytest.fixture(scope="module")
def model_names() -> list[str]:
    m = load_prior_file(PRIOR).model
    return list(m.endogenous) + list(m.exogenous)


@pytest.fixture(scope="module")
def forecast_runs(tmp_path_factory, shared_data_dir):
    """Three forecast runs: seed 7, seed 7 again, seed 8; each (code, stdout, stderr, file)."""
    tmp = tmp_path_factory.mktemp("forecast")
    runs = {}
    for label, seed in (("first", 7), ("again", 7), ("other", 8)):
        path = tmp / label / "f.nc"
        runs[label] = (*run_cli(forecast_argv(shared_data_dir, path, seed)), path)
    return runs


@pytest.fixture(scope="module")
def forecast_file(forecast_runs):
    with xr.open_dataset(forecast_runs["first"][3], engine="h5netcdf") as ds:
        yield ds.load()


# -- forecast: the main command ------------------------------------------------------------


def test_forecast_exits_zero_and_prints_quarterly_summary(forecast_runs, forecast_file):
    code, stdout, stderr, path = forecast_runs["first"]
    assert code == 0, stderr
    assert "Traceback" not in stderr
    # One column per calendar quarter touched by the forecast months, up to the horizon.
    dates = forecast_file["date"].to_index()
    quarters = pd.period_range(dates[0], HORIZON, freq="Q")
    assert str(quarters[-1]) == "2026Q4"
    for q in quarters:
        assert str(q) in stdout
    for name in ("fed_assets", "reserves", "tga", "rrp", "bill_3m", "yield_10y", "term_spread"):
        assert re.search(rf"^{name}\s", stdout, re.MULTILINE), name
    assert f"{DRAWS} draws, seed 7" in stdout
    assert str(path) in stdout


def test_forecast_file_has_paths_with_named_dims(forecast_file):
    ds = forecast_file
    for name in PATH_VARIABLES:
        assert name in ds.data_vars, name
        assert ds[name].dims == ("chain", "draw", "date")
    assert ds.sizes["chain"] == 1
    assert ds.sizes["draw"] == DRAWS
    assert ds["date"].to_index()[-1] == pd.Timestamp(f"{HORIZON}-01")


def test_forecast_file_records_provenance(forecast_file, shared_data_dir, model_names):
    attrs = forecast_file.attrs
    assert attrs["fiscalcliff_version"] == fiscalcliff.__version__
    assert attrs["prior_sha256"] == hashlib.sha256(PRIOR.read_bytes()).hexdigest()
    assert int(attrs["seed"]) == 7
    # The data hash is the one the data layer gives the same series from the same directory.
    spec = load_prior_file(PRIOR)
    panel = load_panel(
        model_names,
        source=OfflineDirectorySource(shared_data_dir),
        start=spec.model.sample.start,
        end=spec.model.sample.end,
    )
    assert re.fullmatch(r"[0-9a-f]{64}", attrs["data_sha256"])
    assert attrs["data_sha256"] == panel.data_hash
    last = json.loads(attrs["data_last_dates"])
    assert sorted(last) == sorted(model_names)
    assert last == panel.last_dates
    for name, month in last.items():
        assert MONTH.match(month), (name, month)
        assert month >= panel.end  # the sample ends at the earliest last month
    assert min(last.values()) == panel.end


def test_same_seed_same_paths_other_seed_different(forecast_runs):
    opened = {}
    for label in ("first", "again", "other"):
        code, _, stderr, path = forecast_runs[label]
        assert code == 0, stderr
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            opened[label] = {v: ds[v].values for v in PATH_VARIABLES}
    for name in PATH_VARIABLES:
        assert np.array_equal(opened["first"][name], opened["again"][name]), name
        assert not np.array_equal(opened["first"][name], opened["other"][name]), name


def test_forecast_as_a_process_with_the_environment_variable(tmp_path, shared_data_dir):
    out = tmp_path / "f.nc"
    env = {**os.environ, "FISCALCLIFF_DATA_DIR": str(shared_data_dir)}
    argv = ["forecast", "--priors", str(PRIOR), "--horizon", HORIZON, "--draws", "200"]
    proc = subprocess.run(
        [*cli_command(), *argv, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "2026Q4" in proc.stdout
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["draw"] == 200


def test_console_script_forecasts_without_importing_dask(tmp_path, shared_data_dir):
    """The console entry hides Dask from commands that do not use it (xarray would import it,
    and distributed, only because they are installed); the forecast is written all the same."""
    out = tmp_path / "f.nc"
    env = {**os.environ, "FISCALCLIFF_DATA_DIR": str(shared_data_dir)}
    argv = ["forecast", "--priors", str(PRIOR), "--horizon", HORIZON, "--draws", "50"]
    script = (
        "import sys; from fiscalcliff.cli.main import console; "
        f"sys.argv = ['fiscalcliff', *{[*argv, '--out', str(out)]!r}]; code = console(); "
        "print('DASK', [m for m in ('dask', 'distributed', 'dask.array') "
        "if sys.modules.get(m) is not None]); sys.exit(code)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "DASK []" in proc.stdout
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["draw"] == 50


@pytest.mark.parametrize(
    ("argv", "hidden"),
    [
        (["--quiet", "forecast", "--priors", "p.yaml"], True),
        (["--no-fit-cache", "compare", "a.yaml"], True),
        (["backtest", "--priors", "p.yaml"], False),
        (["--help"], False),
    ],
)
def test_console_hides_dask_only_from_commands_that_do_not_use_it(monkeypatch, argv, hidden):
    from fiscalcliff.cli import main as cli_main

    for name in ("dask", "distributed"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(sys, "argv", ["fiscalcliff", *argv])
    monkeypatch.setattr(cli_main, "main", lambda: 0)
    assert cli_main.console() == 0
    assert ("dask" in sys.modules and sys.modules["dask"] is None) is hidden
    assert ("distributed" in sys.modules and sys.modules["distributed"] is None) is hidden


# -- bad prior file --------------------------------------------------------------------------


@pytest.fixture
def misspelt_prior(tmp_path) -> tuple[Path, int]:
    """priors/uncensored.yaml with ``lag_decay`` renamed ``lag_decy``; returns (path, its line)."""
    text = PRIOR.read_text(encoding="utf-8")
    assert text.count("lag_decay:") == 1
    bad = text.replace("lag_decay:", "lag_decy:")
    line = next(i for i, row in enumerate(bad.splitlines(), 1) if "lag_decy:" in row)
    path = tmp_path / "typo.yaml"
    path.write_text(bad, encoding="utf-8")
    return path, line


def test_unknown_prior_key_is_reported_with_file_line_and_suggestion(
    misspelt_prior, shared_data_dir, tmp_path, cli
):
    path, line = misspelt_prior
    out = tmp_path / "f.nc"
    argv = ["forecast", "--data-dir", str(shared_data_dir), "--priors", str(path)]
    code, _, stderr = cli([*argv, "--out", str(out)])
    assert code == 2
    assert "lag_decy" in stderr
    assert "did you mean 'lag_decay'" in stderr
    assert f"{path.name}:{line}" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_unknown_prior_key_as_a_process_has_no_traceback(misspelt_prior, shared_data_dir, tmp_path):
    path, line = misspelt_prior
    out = tmp_path / "f.nc"
    priors_out = ["--priors", str(path), "--out", str(out)]
    proc = subprocess.run(
        [*cli_command(), "forecast", "--data-dir", str(shared_data_dir), *priors_out],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{path.name}:{line}" in proc.stderr
    assert not out.exists()


# -- bad inputs: exit 2, one clear message, nothing written ----------------------------------

BAD_INPUTS = {
    "month 13": (["--horizon", "2025-13"], "2025-13"),
    "horizon before the data end": (["--horizon", "2020-06"], "2020-06"),
    "zero draws": (["--draws", "0"], "draws"),
    "exog without '='": (["--exog", "nonsense"], "nonsense"),
    "exog not in the model": (["--exog", "unknown_var=3"], "unknown_var"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_forecast_arguments_exit_2(case, shared_data_dir, tmp_path, cli):
    extra, named = BAD_INPUTS[case]
    out = tmp_path / "f.nc"
    # options given again later override the ones in forecast_argv (argparse: last one wins)
    code, _, err = cli(["-q", *forecast_argv(shared_data_dir, out), *extra])
    assert code == 2
    assert err.startswith("error: ")
    assert named in err
    assert "Traceback" not in err
    assert not out.exists()


def test_missing_prior_file_exits_2(shared_data_dir, tmp_path, cli):
    missing = tmp_path / "no_such_prior.yaml"
    out = tmp_path / "f.nc"
    argv = ["forecast", "--data-dir", str(shared_data_dir), "--priors", str(missing)]
    code, _, err = cli([*argv, "--out", str(out)])
    assert code == 2
    assert "no_such_prior.yaml" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_data_dir_without_the_csv_files_exits_2(tmp_path, cli):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "f.nc"
    code, _, err = cli(
        ["forecast", "--data-dir", str(empty), "--priors", str(PRIOR), "--out", str(out)]
    )
    assert code == 2
    assert str(empty) in err  # says where it looked
    assert ".csv" in err
    assert "Traceback" not in err
    assert not out.exists()


# -- atomic output ----------------------------------------------------------------------------


def test_failed_run_leaves_an_existing_output_untouched(shared_data_dir, tmp_path, cli):
    out = tmp_path / "f.nc"
    old = b"previous results, not NetCDF"
    out.write_bytes(old)
    # Fails only after the model is fitted: the horizon is before the end of the data.
    argv = forecast_argv(shared_data_dir, out)
    argv[argv.index("--horizon") + 1] = "2020-06"
    code, _, _ = cli(argv)
    assert code == 2
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.nc"]


def test_interrupted_write_leaves_an_existing_output_untouched(
    shared_data_dir, tmp_path, monkeypatch, cli
):
    out = tmp_path / "f.nc"
    old = b"previous results, not NetCDF"
    out.write_bytes(old)

    def half_write(self, path, *args, **kwargs):
        Path(path).write_bytes(b"\x89HDF half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_netcdf", half_write)
    code, _, stderr = cli(forecast_argv(shared_data_dir, out))
    assert code == 130
    assert "interrupted" in stderr
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.nc"]  # no temporary left behind


# -- data show ---------------------------------------------------------------------------------


def test_data_show_lists_model_series_with_last_dates(shared_data_dir, model_names, cli):
    code, stdout, _ = cli(
        ["data", "show", "--data-dir", str(shared_data_dir), "--priors", str(PRIOR)]
    )
    assert code == 0
    spec = load_prior_file(PRIOR)
    panel = load_panel(
        model_names,
        source=OfflineDirectorySource(shared_data_dir),
        start=spec.model.sample.start,
    )
    table = stdout.split("\n\n")[0]  # the table; the ragged-edge section follows a blank line
    rows = {line.split()[0]: line.split() for line in table.splitlines() if line.split()}
    for name in model_names:
        assert name in rows, name
        # columns: series, source, units, first, last, origin; "last" is the series' own last
        # month, as the data layer records it before trimming the panel to a common end
        assert rows[name][4] == panel.last_dates[name], (name, rows[name])


def test_data_show_unknown_series_exits_2(shared_data_dir, cli):
    code, _, err = cli(["data", "show", "--data-dir", str(shared_data_dir), "not_a_series"])
    assert code == 2
    assert "not_a_series" in err
    assert "Traceback" not in err


# -- fit -------------------------------------------------------------------------------------


def test_fit_writes_posterior_draws(shared_data_dir, tmp_path, cli):
    out = tmp_path / "post.nc"
    argv = ["fit", "--data-dir", str(shared_data_dir), "--priors", str(PRIOR)]
    code, stdout, stderr = cli([*argv, "--out", str(out), "--draws", "200"])
    assert code == 0, stderr
    assert "log marginal likelihood" in stdout
    spec = load_prior_file(PRIOR)
    k, p, n_exog = len(spec.model.endogenous), spec.model.lags, len(spec.model.exogenous)
    with xr.open_dataset(out, engine="h5netcdf", group="posterior") as ds:
        assert ds["B"].dims == ("chain", "draw", "regressor", "equation")
        assert ds["B"].shape == (1, 200, 1 + k * p + n_exog, k)
        assert list(ds["equation"].values) == list(spec.model.endogenous)
        assert ds["Sigma"].shape == (1, 200, k, k)


# -- known defects (see the report): user mistakes that end as "internal error", exit 1 ------


def test_negative_seed_is_bad_input(shared_data_dir, tmp_path, cli):
    argv = forecast_argv(shared_data_dir, tmp_path / "f.nc", -1)
    code, _, stderr = cli(argv)
    assert code == 2, stderr


def test_non_finite_exogenous_value_is_bad_input(shared_data_dir, tmp_path, cli):
    argv = forecast_argv(shared_data_dir, tmp_path / "f.nc", 7, "--exog", "tariff_rate=nan")
    code, _, _ = cli(argv)
    assert code == 2


def test_unwritable_output_path_is_bad_input(shared_data_dir, tmp_path, cli):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    code, _, stderr = cli(forecast_argv(shared_data_dir, blocker / "f.nc"))
    assert code == 2, stderr
