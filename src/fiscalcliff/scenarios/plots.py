"""Fan charts (matplotlib, imported lazily; the Agg backend is used when none is set)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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


@dataclass(frozen=True)
class FanData:
    """What a fan chart shows, as plain arrays: the history and each scenario's quantiles.

    Attributes
    ----------
    variable, units : str
    history_dates : numpy.ndarray of datetime64
        Recent observed months; ``history`` their values.
    history : numpy.ndarray
    dates : numpy.ndarray of datetime64
        The last observed month, then every forecast month.
    scenarios : tuple of str
    quantiles : numpy.ndarray, shape (scenarios, 5, dates)
        The 5%, 25%, 50%, 75% and 95% quantiles across draws; the first column is the last
        observation, so every band joins the history line.
    """

    variable: str
    units: str
    history_dates: np.ndarray
    history: np.ndarray
    dates: np.ndarray
    scenarios: tuple[str, ...]
    quantiles: np.ndarray


#: the quantiles a fan chart draws: the 90% and 50% equal-tailed bands and the median
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def fan_data(
    paths: xr.Dataset, results: BVARResults, variable: str, *, history_months: int = 36
) -> FanData:
    """The history and the per-scenario quantiles of one series (see :class:`FanData`)."""
    hist = history_of(results, variable, history_months)
    dates = hist.index[-1:].append(paths[dims.DATE].to_index())
    da = paths[variable]
    values = da.transpose(dims.SCENARIO, dims.DATE, ...).to_numpy()
    values = values.reshape(values.shape[0], values.shape[1], -1)  # (scenario, date, sample)
    q = np.moveaxis(np.quantile(values, FAN_QUANTILES, axis=2), 0, 1)  # (scenario, 5, date)
    last = np.full((*q.shape[:2], 1), hist.iloc[-1])
    return FanData(
        variable=variable,
        units=str(paths[variable].attrs.get("units", "")),
        history_dates=hist.index.to_numpy(),
        history=hist.to_numpy(dtype=float),
        dates=dates.to_numpy(),
        scenarios=tuple(str(s) for s in da[dims.SCENARIO].values),
        quantiles=np.concatenate([last, q], axis=2),
    )


def draw_fan(data: FanData):
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
    ax.plot(data.history_dates, data.history, color="black", lw=1.6, label="observed")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, scen in enumerate(data.scenarios):
        q = data.quantiles[i]
        c = colors[i % len(colors)]
        ax.fill_between(data.dates, q[0], q[4], color=c, alpha=0.12, lw=0)
        ax.fill_between(data.dates, q[1], q[3], color=c, alpha=0.25, lw=0)
        ax.plot(data.dates, q[2], color=c, lw=1.8, label=f"{scen} (median, 50%/90%)")
    ax.set_title(f"{data.variable} ({data.units})")
    ax.axvline(data.history_dates[-1], color="grey", lw=0.8, ls=":")
    ax.grid(alpha=0.3)
    place_legend(ax)
    return fig, ax


def save_fan(data: FanData, path: str | Path, dpi: int = 110) -> Path:
    """Draw a fan chart, write it as PNG to ``path`` and close it; returns ``path``."""
    import matplotlib.pyplot as plt

    fig, _ = draw_fan(data)
    try:
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return Path(path)


def fan_chart(paths: xr.Dataset, results: BVARResults, variable: str, *, history_months: int = 36):
    """Median and 50%/90% equal-tailed bands per scenario, after recent history.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
    """
    return draw_fan(fan_data(paths, results, variable, history_months=history_months))


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
