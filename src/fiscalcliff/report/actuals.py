"""What actually happened after a forecast's data vintage, and how the forecast compares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fiscalcliff import dims

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults


def observed_values(
    results: BVARResults,
    variables: Sequence[str],
    *,
    source=None,
    start: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Observed monthly values of model variables and identities, each to its own last month.

    Every series is loaded on its own through the data layer (the same catalogue, monthly
    aggregation and checks as a fit), so it runs to its own last complete month rather than to
    the last month all series share. An identity such as ``reserves`` is computed from its
    components in the months where all of them are observed.

    Parameters
    ----------
    results : BVARResults
        The fitted model (its endogenous variables and identities).
    variables : sequence of str
        Endogenous variables or identity targets.
    source : fiscalcliff.data.Source, optional
        Where to read series (default: :func:`fiscalcliff.data.default_source`).
    start : str, optional
        First month (``YYYY-MM``); default: every month the series has.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One column per variable (NaN where not observed), monthly index named ``date``; and
        notes about series that could not be loaded.
    """
    from fiscalcliff.data import load_panel
    from fiscalcliff.errors import FiscalCliffError

    endog = list(results.endogenous)
    identities = {i.target: i for i in results.identities}
    needed: list[str] = []
    for var in variables:
        if var in identities:
            needed += list(identities[var].names)
        elif var in endog:
            needed.append(var)
        else:
            raise KeyError(f"{var} is neither endogenous nor an identity of the model")
    columns: dict[str, pd.Series] = {}
    notes = []
    for name in dict.fromkeys(needed):
        try:
            panel = load_panel([name], source=source, start=start)
        except FiscalCliffError as exc:
            notes.append(f"{name}: not loaded ({exc})")
            continue
        columns[name] = panel.frame[name]
    frame = pd.DataFrame(columns)
    out = {}
    for var in variables:
        if var in identities:
            ident = identities[var]
            if not all(p in frame for p in ident.names):
                continue
            out[var] = ident.on_frame(frame)
        elif var in frame:
            out[var] = frame[var].dropna()
    result = pd.DataFrame(out, columns=[v for v in variables if v in out])
    result.index.name = dims.DATE
    return result.sort_index(), notes


def actual_vs_forecast(
    paths: xr.Dataset,
    observed: pd.DataFrame,
    scenario: str,
    variables: Sequence[str],
    prob: float = 0.9,
) -> pd.DataFrame:
    """Observed values against the forecast's median and equal-tailed interval, month by month.

    Parameters
    ----------
    paths : xarray.Dataset
        Forecast paths with dims ``(chain, draw, scenario, date)``.
    observed : pandas.DataFrame
        From :func:`observed_values`.
    scenario : str
        Which scenario of ``paths``.
    variables : sequence of str
    prob : float
        Probability mass of the interval (0.9: 5th to 95th percentile of the draws).

    Returns
    -------
    pandas.DataFrame
        Columns ``variable, date, actual, median, lower, upper, inside`` for every forecast
        month with an observation.
    """
    lo, hi = (1 - prob) / 2, 1 - (1 - prob) / 2
    rows = []
    dates = paths[dims.DATE].to_index()
    for var in variables:
        if var not in observed or var not in paths:
            continue
        obs = observed[var].dropna()
        months = [d for d in dates if d in obs.index]
        if not months:
            continue
        da = paths[var].sel({dims.SCENARIO: scenario, dims.DATE: months})
        draws = da.stack(sample=(dims.CHAIN, dims.DRAW)).transpose(dims.DATE, "sample").values
        q = np.quantile(draws, [lo, 0.5, hi], axis=1)
        for i, month in enumerate(months):
            actual = float(obs.loc[month])
            rows.append(
                (var, month, actual, q[1, i], q[0, i], q[2, i], bool(q[0, i] <= actual <= q[2, i]))
            )
    return pd.DataFrame(
        rows, columns=["variable", "date", "actual", "median", "lower", "upper", "inside"]
    )
