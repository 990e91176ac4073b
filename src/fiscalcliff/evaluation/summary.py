"""Summaries of a backtest Dataset: skill against the random walk, coverage, Diebold–Mariano."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fiscalcliff.evaluation.dm import diebold_mariano

#: horizon groups of the evaluation protocol (DESIGN.md §11)
HORIZON_GROUPS = {"1-3": (1, 3), "4-6": (4, 6), "7-12": (7, 12)}


def _groups(ds) -> dict[str, tuple[int, int]]:
    hmax = int(ds.horizon.max())
    out = {k: (lo, min(hi, hmax)) for k, (lo, hi) in HORIZON_GROUPS.items() if lo <= hmax}
    out["all"] = (1, hmax)
    return out


def _paired(ds, model: str, benchmark: str, lo: int, hi: int):
    """CRPS of model and benchmark where both exist, (origin, variable, horizon)."""
    sel = {"horizon": slice(lo, hi)}
    a = ds.crps.sel(model=model, **sel)
    b = ds.crps.sel(model=benchmark, **sel)
    both = a.notnull() & b.notnull()
    return a.where(both), b.where(both)


def skill_table(ds, benchmark: str = "rw") -> pd.DataFrame:
    """``1 - mean CRPS / mean CRPS of the benchmark`` by model, variable and horizon group.

    Means run over origins and horizons of the group where both have a score. Positive =
    better than the benchmark. Rows (model, variable); columns horizon groups and ``all``.
    """
    rows = {}
    for model in ds.model.values:
        if model == benchmark:
            continue
        for var in ds.variable.values:
            row = {}
            for g, (lo, hi) in _groups(ds).items():
                a, b = _paired(ds.sel(variable=var), str(model), benchmark, lo, hi)
                den = float(b.mean())
                row[g] = 1.0 - float(a.mean()) / den if den > 0 else np.nan
            rows[(str(model), str(var))] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["model", "variable"]
    return table


def coverage_table(ds) -> pd.DataFrame:
    """Share of outcomes inside the central 50% and 90% bands, by model, variable, group."""
    rows = {}
    for model in ds.model.values:
        for var in ds.variable.values:
            row = {}
            for g, (lo, hi) in _groups(ds).items():
                sub = ds.sel(model=model, variable=var, horizon=slice(lo, hi))
                scored = np.isfinite(sub.crps)  # a model without the series: NaN, not 0
                row[f"cover50 {g}"] = float(sub.cover50.where(scored).mean())
                row[f"cover90 {g}"] = float(sub.cover90.where(scored).mean())
            rows[(str(model), str(var))] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["model", "variable"]
    return table


def dm_table(ds, benchmark: str = "rw") -> pd.DataFrame:
    """Diebold–Mariano tests (HLN correction) of CRPS against ``benchmark``.

    For each model, variable and horizon group the loss per origin is the CRPS averaged over
    the group's horizons; the long-run variance uses lags up to the group's longest horizon
    minus one. Negative statistics favour the model.
    """
    rows = {}
    for model in ds.model.values:
        if model == benchmark:
            continue
        for var in ds.variable.values:
            for g, (lo, hi) in _groups(ds).items():
                a, b = _paired(ds.sel(variable=var), str(model), benchmark, lo, hi)
                d = (a - b).mean("horizon", skipna=True).to_numpy()
                stat, p, n = diebold_mariano(d, hi)
                rows[(str(model), str(var), g)] = {"dm_stat": stat, "p_value": p, "origins": n}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["model", "variable", "group"]
    return table


def explosive_table(ds) -> pd.DataFrame:
    """Share of explosive draws per model: min, median and max over origins."""
    e = ds.explosive_share
    return pd.DataFrame(
        {
            "min": e.min("origin").to_numpy(),
            "median": e.median("origin").to_numpy(),
            "max": e.max("origin").to_numpy(),
        },
        index=pd.Index(ds.model.values, name="model"),
    )


def pit_histogram(ds, model: str, variable: str, bins: int = 10) -> np.ndarray:
    """Counts of PIT values in ``bins`` equal bins (all origins and horizons)."""
    pit = ds.pit.sel(model=model, variable=variable).to_numpy().ravel()
    pit = pit[np.isfinite(pit)]
    return np.histogram(pit, bins=bins, range=(0.0, 1.0))[0]
