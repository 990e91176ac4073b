"""Fan charts (matplotlib, imported lazily; the Agg backend is used when none is set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff import dims

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults


def history_of(results: BVARResults, variable: str, months: int):
    """Recent observed values of a model variable or identity (a pandas Series)."""
    frame = results.panel.frame
    if variable in frame.columns:
        return frame[variable].iloc[-months:]
    for ident in results.identities:
        if ident.target == variable:
            return ident.on_frame(frame).iloc[-months:]
    raise KeyError(variable)


def fan_chart(paths: xr.Dataset, results: BVARResults, variable: str, *, history_months: int = 36):
    """Median and 50%/90% equal-tailed bands per scenario, after recent history.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2))
    hist = history_of(results, variable, history_months)
    ax.plot(hist.index, hist.to_numpy(), color="black", lw=1.6, label="observed")
    # start every band at the last observation so the forecast joins the history line
    dates = hist.index[-1:].append(paths[dims.DATE].to_index())
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    da = paths[variable].stack(sample=(dims.CHAIN, dims.DRAW))
    for i, scen in enumerate(paths[dims.SCENARIO].values):
        vals = da.sel({dims.SCENARIO: scen}).transpose(dims.DATE, "sample").values
        q = np.quantile(vals, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        q = np.hstack([np.full((5, 1), hist.iloc[-1]), q])
        c = colors[i % len(colors)]
        ax.fill_between(dates, q[0], q[4], color=c, alpha=0.12, lw=0)
        ax.fill_between(dates, q[1], q[3], color=c, alpha=0.25, lw=0)
        ax.plot(dates, q[2], color=c, lw=1.8, label=f"{scen} (median, 50%/90%)")
    units = paths[variable].attrs.get("units", "")
    ax.set_title(f"{variable} ({units})")
    ax.axvline(hist.index[-1], color="grey", lw=0.8, ls=":")
    ax.grid(alpha=0.3)
    place_legend(ax)
    return fig, ax


#: fan chart geometry in inches: the axes' height, the title above and the date labels below
_AXES_IN, _TITLE_IN, _TICKS_IN, _LEGEND_ROW_IN = 3.2, 0.4, 0.42, 0.19


def place_legend(ax, ncol: int = 2) -> None:
    """Put the legend under the axes, in ``ncol`` columns, and size the figure to fit it.

    The legend never covers the bands, and the fixed geometry needs no layout engine: a
    constrained layout and ``loc="best"`` measured every text and band again, about 0.15 s of
    the 0.25 s each chart took to draw and save. Call again after adding lines.
    """
    fig = ax.figure
    rows = max(1, -(-len(ax.get_legend_handles_labels()[1]) // ncol))
    bottom = _TICKS_IN + rows * _LEGEND_ROW_IN + 0.1
    height = _TITLE_IN + _AXES_IN + bottom
    fig.set_figheight(height)
    fig.subplots_adjust(left=0.1, right=0.98, top=1 - _TITLE_IN / height, bottom=bottom / height)
    ax.legend(
        fontsize=8,
        ncol=ncol,
        loc="upper center",
        bbox_to_anchor=(0.5, -_TICKS_IN / _AXES_IN),
        frameon=False,
    )
