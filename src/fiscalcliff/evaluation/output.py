"""Backtest outputs: a directory with NetCDF, CSV and Markdown tables, figures and provenance."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from fiscalcliff.errors import InputError

#: the file that marks a directory as a backtest output (and may be replaced by a new one)
MARKER = "backtest.nc"


#: names of the entries :func:`write_backtest` writes
_OWNED = re.compile(
    r"^(backtest\.nc|scores\.csv|(coverage|explosive|skill|diebold_mariano)\.(csv|md)"
    r"|summary\.md|skill_[A-Za-z0-9_.-]+\.png|pit\.png|coverage\.png)$"
)


def owns_backtest_entry(name: str) -> bool:
    """Whether a directory entry is one a backtest writes (so it may be replaced)."""
    return bool(_OWNED.match(name))


def check_out_dir(directory: str | Path, flag: str = "--out") -> Path:
    """Refuse an output path we may not replace: anything but a new directory, an empty one or
    a previous backtest output (see :func:`fiscalcliff.output_targets.check_output_directory`).
    Called before any work is done."""
    from fiscalcliff.output_targets import check_output_directory

    return check_output_directory(directory, owns=owns_backtest_entry, kind="backtest", flag=flag)


def _md(table: pd.DataFrame, digits: int = 2) -> str:
    return table.round(digits).to_markdown()


def summary_text(result) -> str:
    """The readable summary: settings, skill vs rw, coverage, explosive draws."""
    s = result.settings
    lines = [
        f"Backtest: {len(s['origins'])} origins {s['origins'][0]}..{s['origins'][-1]}, "
        f"horizons 1-{s['horizons']}, {s['draws']} draws, seed {s['seed']}, "
        f"mode {s['mode']}"
        + (f" (conditioned on {', '.join(s['condition_on'])})" if s["condition_on"] else ""),
        f"models: {', '.join(s['models'])}",
        "",
    ]
    if result.benchmark:
        skill = result.skill()
        lines += ["CRPS skill vs rw (1 - CRPS/CRPS_rw; > 0 beats the random walk)", ""]
        lines += [skill.round(2).to_string(), ""]
    cov = result.coverage()[[c for c in result.coverage().columns if c.endswith(" all")]]
    lines += ["Coverage of the central bands, all horizons", "", cov.round(2).to_string(), ""]
    lines += ["Explosive draws (share per origin)", "", result.explosive().round(3).to_string()]
    return "\n".join(lines)


def write_backtest(result, directory: str | Path) -> Path:
    """Write the backtest directory, built aside and swapped in only when complete.

    Files: ``backtest.nc`` (every score), ``scores.csv`` (tidy), ``skill.csv/.md``,
    ``coverage.csv/.md``, ``diebold_mariano.csv/.md``, ``explosive.csv/.md``, ``summary.md``
    and figures ``skill_<variable>.png``, ``pit.png``, ``coverage.png``.
    """
    from fiscalcliff.atomic import atomic_directory, write_netcdf
    from fiscalcliff.evaluation import plots

    target = check_out_dir(directory)
    ds = result.dataset
    with atomic_directory(target, kind="backtest") as tmp:
        write_netcdf(ds, tmp / MARKER)
        result.scores_frame().to_csv(tmp / "scores.csv")
        tables = {"coverage": result.coverage(), "explosive": result.explosive()}
        if result.benchmark:
            tables["skill"] = result.skill()
            tables["diebold_mariano"] = result.diebold_mariano()
        for name, table in tables.items():
            table.to_csv(tmp / f"{name}.csv")
            (tmp / f"{name}.md").write_text(
                _md(table, 3 if name == "diebold_mariano" else 2) + "\n"
            )
        (tmp / "summary.md").write_text("```text\n" + summary_text(result) + "\n```\n")
        for name, (fig, _) in plots.all_figures(result).items():
            fig.savefig(tmp / f"{name}.png", dpi=110, bbox_inches="tight")
            plots.close(fig)
    return target


def read_backtest(directory: str | Path):
    """Load ``backtest.nc`` from a backtest directory."""
    import xarray as xr

    from fiscalcliff.evaluation.result import BacktestResult

    path = Path(directory) / MARKER
    if not path.is_file():
        raise InputError(f"{directory}: no {MARKER}; is this a `fiscalcliff backtest` output?")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return BacktestResult(ds.load())
