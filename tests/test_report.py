"""``fiscalcliff report``: grouping of scenario files, pages, figures and observed values.

The end-to-end test runs the command in-process on the real data (../shared/data) with few draws;
expected values come from the data layer and the scenario files, not from output pasted back.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from fiscalcliff.cli.main import build_parser, main
from fiscalcliff.errors import InputError
from fiscalcliff.report.actuals import actual_vs_forecast, observed_values
from fiscalcliff.report.groups import choose_baseline, find_scenario_files, group_scenarios
from fiscalcliff.report.pages import fmt, table
from fiscalcliff.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
PNG = b"\x89PNG\r\n\x1a\n"


def test_find_scenario_files_expands_directories_once(tmp_path):
    files = find_scenario_files([SCENARIOS, SCENARIOS / "baseline.yaml"])
    assert [f.name for f in files] == sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    with pytest.raises(InputError, match="no such scenario file"):
        find_scenario_files([tmp_path / "missing.yaml"])
    with pytest.raises(InputError, match="no scenario files"):
        find_scenario_files([tmp_path])


def test_choose_baseline():
    assert choose_baseline(["print-money", "baseline", "baseline-x"]) == "baseline"
    assert choose_baseline(["x", "baseline-2025-11"]) == "baseline-2025-11"
    assert choose_baseline(["x", "y"]) == "x"


def test_shipped_scenarios_form_two_groups():
    scenarios = [load_scenario(p) for p in find_scenario_files([SCENARIOS])]
    groups = group_scenarios(scenarios)
    # groups using all the data first, then the as-of (backtest) groups
    assert [g.baseline for g in groups] == ["baseline", "baseline-2025-11"]
    main_group, backtest = groups
    assert main_group.as_of is None and backtest.as_of == "2025-11"
    assert main_group.names[0] == "baseline"
    as_of_2025_11 = {"baseline-2025-11", "tariffs-struck-down"}  # their files say as_of 2025-11
    assert set(main_group.names) == {s.name for s in scenarios} - as_of_2025_11
    assert backtest.names == ["baseline-2025-11", "tariffs-struck-down"]


def test_report_command_is_registered_with_modest_default_draws():
    args = build_parser().parse_args(["report", "scenarios", "--out", "docs/forecasts"])
    assert args.command == "report" and args.draws == 1000 and args.seed is None
    assert args.scenarios == ["scenarios"]


def test_table_escapes_pipes_and_fmt_uses_units():
    text = table(["a", "b"], [["x|y", 1]])
    assert "x\\|y" in text and text.count("\n") == 3
    assert fmt(2891.6, "$bn") == "2,892" and fmt(4.126, "percent") == "4.13"
    assert fmt(-0.5, "percent", sign=True) == "-0.50" and fmt(12, "$bn", sign=True) == "+12"


def test_actual_vs_forecast_counts_months_inside_the_interval():
    dates = pd.date_range("2026-01-01", periods=3, freq="MS")
    draws = np.arange(1, 101, dtype=float)  # 1..100 in every month
    values = np.broadcast_to(draws[None, :, None, None], (1, 100, 1, 3))
    paths = xr.Dataset(
        {"tga": (("chain", "draw", "scenario", "date"), values)},
        coords={"chain": [0], "draw": np.arange(100), "scenario": ["s"], "date": dates},
    )
    observed = pd.DataFrame({"tga": [50.0, 99.0]}, index=dates[:2])
    out = actual_vs_forecast(paths, observed, "s", ["tga", "rrp"])
    assert list(out["date"]) == list(dates[:2])
    assert out["median"].tolist() == [50.5, 50.5]
    assert out["inside"].tolist() == [True, False]  # 99 is above the 95th percentile (95.05)


@pytest.fixture(scope="module")
def backtest_results(shared_data_dir):
    from fiscalcliff.data import OfflineDirectorySource
    from fiscalcliff.model.fit import fit
    from fiscalcliff.model.spec import load_prior_file

    source = OfflineDirectorySource(shared_data_dir)
    return fit(load_prior_file(ROOT / "priors" / "uncensored.yaml"), source=source, as_of="2025-11")


def test_observed_values_match_the_data_layer_and_identities(backtest_results, shared_data_dir):
    from fiscalcliff.data import OfflineDirectorySource, load_panel

    source = OfflineDirectorySource(shared_data_dir)
    observed, notes = observed_values(
        backtest_results, ["reserves", "tga", "term_spread"], source=source, start="2025-06"
    )
    assert not notes
    assert observed.index[0] == pd.Timestamp("2025-06-01")
    # months the fit saw are the fit's own values
    fit_frame = backtest_results.panel.frame
    for month in pd.date_range("2025-06-01", "2025-11-01", freq="MS"):
        assert observed.loc[month, "tga"] == pytest.approx(fit_frame.loc[month, "tga"])
    # later months come from each series on its own, to its own last month
    tga = load_panel(["tga"], source=source).frame["tga"]
    assert observed["tga"].last_valid_index() == tga.index[-1] > fit_frame.index[-1]
    parts = load_panel(["fed_assets", "tga", "rrp", "other_absorbing"], source=source).frame
    month = parts.index[-1]
    row = parts.loc[month]
    expected = row["fed_assets"] - row["tga"] - row["rrp"] - row["other_absorbing"]
    assert observed.loc[month, "reserves"] == pytest.approx(expected)


def _scenario(path: Path, name: str, base: str) -> Path:
    path.write_text(f"name: {name}\nextends: {SCENARIOS / base}\n")
    return path


def test_report_end_to_end_on_real_data(tmp_path, shared_data_dir, capsys):
    scen = tmp_path / "scenarios"
    scen.mkdir()
    _scenario(scen / "a.yaml", "baseline", "baseline.yaml")
    _scenario(scen / "b.yaml", "qe", "print-money.yaml")
    _scenario(scen / "c.yaml", "baseline-2025-11", "baseline-2025-11.yaml")
    out = tmp_path / "site" / "forecasts"
    argv = ["report", str(scen), "--out", str(out), "--draws", "60", "--seed", "7"]
    code = main(["-q", *argv, "--data-dir", str(shared_data_dir)])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.glob("*.md")) == [
        "baseline-2025-11.md",
        "baseline.md",
        "index.md",
        "qe.md",
    ]
    for name, n_figures in (("baseline", 6), ("qe", 7), ("baseline-2025-11", 6)):
        pngs = sorted((out / "figures" / name).glob("*.png"))
        assert len(pngs) == n_figures, (name, pngs)
        assert all(p.read_bytes()[:8] == PNG for p in pngs)
        page = (out / f"{name}.md").read_text()
        for png in pngs:  # every figure is shown on its page
            assert f"(figures/{name}/{png.name})" in page
        assert "seed | 7 |" in page and "60 shared draws" in page
        assert "fiscalcliff version" in page and "last month in the data" in page
    qe = (out / "qe.md").read_text()
    assert "## Difference from the baseline" in qe and "[baseline](baseline.md)" in qe
    assert "extends:" in qe and "It extends `" in qe  # its base is not one of the pages
    assert "print-money.yaml`" in qe and str(ROOT) not in qe.split("## Provenance")[1]
    assert "per_month" not in qe  # the file's own text, not its base's
    backtest = (out / "baseline-2025-11.md").read_text()
    assert "## What actually happened" in backtest
    rows = re.findall(r"^\| tga \| (2026-\d\d) \| ([\d,]+) \|", backtest, flags=re.M)
    assert len(rows) >= 6
    index = (out / "index.md").read_text()
    assert "```{toctree}" in index and "Backtest: data to 2025-11" in index

    # a failing run leaves the previous pages as they were
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (scen / "d.yaml").write_text("name: broken\nextends: a.yaml\ndraws: -1\n")
    assert main(["-q", *argv, "--data-dir", str(shared_data_dir)]) == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]
