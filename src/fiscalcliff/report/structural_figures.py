"""Figures of the structural analysis: impulse responses, variance shares, historical
decomposition (inputs: the datasets of :mod:`fiscalcliff.structural`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fiscalcliff import dims
from fiscalcliff.report.figures import _agg

#: series shown by default: the plumbing and the rates
DEFAULT_SERIES = ("reserves", "tga", "rrp", "policy_rate", "bill_3m", "yield_10y")
_DRAWS = (dims.CHAIN, dims.DRAW)


def _series(ds, series: Sequence[str] | None) -> list[str]:
    have = list(ds[dims.VARIABLE].values)
    return [s for s in (series or DEFAULT_SERIES) if s in have] or have[:6]


def irf_figure(ds, series: Sequence[str] | None = None):
    """A grid, one row per shock and one column per series: posterior median response and its
    68% and 90% bands, by horizon (months)."""
    _agg()
    import matplotlib.pyplot as plt

    irf = ds["irf"]
    shocks, names = list(ds["shock"].values), _series(ds, series)
    q = irf.sel(variable=names).quantile([0.05, 0.16, 0.5, 0.84, 0.95], dim=_DRAWS)
    h = ds["horizon"].values
    fig, axes = plt.subplots(
        len(shocks), len(names), figsize=(2.2 * len(names), 1.6 * len(shocks)), squeeze=False
    )
    for i, shock in enumerate(shocks):
        for j, name in enumerate(names):
            ax = axes[i, j]
            v = q.sel(shock=shock, variable=name).values
            ax.fill_between(h, v[0], v[4], color="tab:blue", alpha=0.15, lw=0)
            ax.fill_between(h, v[1], v[3], color="tab:blue", alpha=0.3, lw=0)
            ax.plot(h, v[2], color="tab:blue", lw=1.2)
            ax.axhline(0.0, color="grey", lw=0.5)
            ax.tick_params(labelsize=6)
            if i == 0:
                ax.set_title(name, fontsize=8)
            if j == 0:
                ax.set_ylabel(f"{shock}\nshock", fontsize=7)
    fig.suptitle("Responses to one-sd structural shocks (median, 68% and 90% bands)", fontsize=9)
    fig.tight_layout()
    return fig


def fevd_figure(ds, series: Sequence[str] | None = None):
    """Posterior-mean variance shares by shock (stacked, summing to one), one panel a series."""
    _agg()
    import matplotlib.pyplot as plt

    names = _series(ds, series)
    share = ds["fevd"].sel(variable=names).mean(_DRAWS)
    h = ds["horizon"].values + 1
    shocks = list(ds["shock"].values)
    fig, axes = plt.subplots(1, len(names), figsize=(2.4 * len(names), 2.6), squeeze=False)
    for j, name in enumerate(names):
        ax = axes[0, j]
        ax.stackplot(h, share.sel(variable=name).values, labels=shocks, alpha=0.85)
        ax.set_ylim(0, 1)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel("months ahead", fontsize=7)
        ax.tick_params(labelsize=6)
    axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
    fig.suptitle("Forecast-error variance shares (posterior mean)", fontsize=9)
    fig.tight_layout()
    return fig


def hd_figure(ds, series: Sequence[str] | None = None, start: str | None = "2019-01"):
    """Posterior-mean contribution of each shock (stacked bars, in deviations from the
    deterministic part) and the data minus the deterministic part (line), from ``start``.
    Means add up (the bars sum to the line); medians would not."""
    _agg()
    import matplotlib.pyplot as plt

    names = _series(ds, series)
    sub = ds.sel(date=slice(start, None), variable=names)
    months = sub["date"].to_index()
    contrib = sub["contribution"].mean(_DRAWS)
    gap = (sub["data"] - sub["deterministic"]).mean(_DRAWS)
    shocks = list(ds["shock"].values)
    colours = plt.get_cmap("tab10")(np.arange(len(shocks)))
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.0 * len(names)), squeeze=False)
    width = 25  # days
    for j, name in enumerate(names):
        ax = axes[j, 0]
        values = contrib.sel(variable=name).values  # (shock, date)
        up = np.zeros(len(months))
        down = np.zeros(len(months))
        for s, shock in enumerate(shocks):
            v = values[s]
            base = np.where(v >= 0, up, down)
            ax.bar(months, v, width=width, bottom=base, color=colours[s], label=shock, lw=0)
            up += np.where(v >= 0, v, 0)
            down += np.where(v < 0, v, 0)
        ax.plot(
            months,
            gap.sel(variable=name).values,
            color="black",
            lw=1.0,
            label="data minus deterministic",
        )
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=6)
    axes[0, 0].legend(loc="upper left", fontsize=6, ncol=4, frameon=False)
    fig.suptitle("Historical decomposition (posterior means by shock)", fontsize=9)
    fig.tight_layout()
    return fig
