"""Figures for the scenario pages: fan charts (with observed data) and differences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fiscalcliff import dims
from fiscalcliff.scenarios.plots import place_legend

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.scenarios.compare import Comparison


def _agg() -> None:
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)


def fan_figure(
    comparison: Comparison,
    variable: str,
    *,
    history_months: int = 36,
    observed: pd.Series | None = None,
):
    """The comparison's fan chart of one series, with later observations overlaid.

    Parameters
    ----------
    comparison : Comparison
        Usually one scenario and its baseline (:meth:`Comparison.plot_fan` draws them all).
    variable : str
    history_months : int
        Months of history before the forecast.
    observed : pandas.Series, optional
        Values observed after the fit's last data month (a backtest); drawn as black dots.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _agg()
    fig, ax = comparison.plot_fan(variable, history_months=history_months)
    if observed is not None and len(observed):
        last = comparison.results.panel.frame.index[-1]
        dates = comparison.paths[dims.DATE].to_index()
        later = observed[(observed.index > last) & (observed.index <= dates[-1])]
        if len(later):
            ax.plot(
                later.index,
                later.to_numpy(float),
                color="black",
                marker="o",
                ms=4,
                lw=1.0,
                ls="--",
                label="observed after the data cut-off",
                zorder=5,
            )
            place_legend(ax)
    return fig


def difference_figure(
    paths: xr.Dataset,
    baseline: str,
    scenario: str,
    variables: Sequence[str],
    *,
    ncols: int = 3,
):
    """Draw-by-draw differences from the baseline by month: median, 50% and 90% bands.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _agg()
    import matplotlib.pyplot as plt

    nrows = int(np.ceil(len(variables) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.0 * ncols, 2.8 * nrows), layout="constrained", squeeze=False
    )
    dates = paths[dims.DATE].to_index()
    color = plt.rcParams["axes.prop_cycle"].by_key()["color"][1]
    for ax, var in zip(axes.flat, variables, strict=False):
        da = paths[var]
        diff = da.sel({dims.SCENARIO: scenario}) - da.sel({dims.SCENARIO: baseline})
        vals = diff.stack(sample=(dims.CHAIN, dims.DRAW)).transpose(dims.DATE, "sample").values
        q = np.quantile(vals, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        ax.fill_between(dates, q[0], q[4], color=color, alpha=0.15, lw=0)
        ax.fill_between(dates, q[1], q[3], color=color, alpha=0.3, lw=0)
        ax.plot(dates, q[2], color=color, lw=1.8)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_title(f"{var} ({da.attrs.get('units', '')})", fontsize=10)
        ax.grid(alpha=0.3)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[len(variables) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{scenario} minus {baseline}, draw by draw: median, 50% and 90% bands", fontsize=11
    )
    return fig


def shadow_figure(shadow, observed: pd.Series, *, title: str, units: str):
    """The estimated shadow value of a censored variable beside its observed value.

    Parameters
    ----------
    shadow : xarray.DataArray
        Draws ``(chain, draw, time)`` of the shadow value (``CensoredResults.shadow()``).
    observed : pandas.Series
        The observed series on the same months.
    title, units : str

    Returns
    -------
    matplotlib.figure.Figure
        Posterior median and 90% band of the shadow value, and the observed value.
    """
    _agg()
    import matplotlib.pyplot as plt

    months = shadow["time"].to_index()
    q = shadow.quantile([0.05, 0.5, 0.95], dim=(dims.CHAIN, dims.DRAW)).to_numpy()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.fill_between(months, q[0], q[2], color="tab:blue", alpha=0.25, label="shadow, 90% band")
    ax.plot(months, q[1], color="tab:blue", lw=1.5, label="shadow, posterior median")
    ax.plot(observed.index, observed.to_numpy(), color="black", lw=1.2, label="observed")
    ax.axhline(0.0, color="grey", lw=0.6)
    ax.set_title(title)
    ax.set_ylabel(units)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
