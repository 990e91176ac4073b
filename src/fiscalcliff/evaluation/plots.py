"""Backtest figures: skill by horizon per variable, PIT histograms, coverage. Return (fig, axes)."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def close(fig) -> None:
    """Release a figure."""
    _plt().close(fig)


def skill_by_horizon(result, variable: str):
    """CRPS skill vs rw at each horizon, one line per model."""
    plt = _plt()
    ds = result.dataset
    fig, ax = plt.subplots(figsize=(6, 3.5))
    rw = ds.crps.sel(model="rw", variable=variable)
    for model in ds.model.values:
        if model == "rw":
            continue
        m = ds.crps.sel(model=model, variable=variable)
        both = m.notnull() & rw.notnull()
        skill = 1 - m.where(both).mean("origin") / rw.where(both).mean("origin")
        ax.plot(ds.horizon, skill, marker="o", ms=3, label=str(model))
    ax.axhline(0, color="k", lw=0.8)
    # skill is at most 1 but unbounded below: linear within [-1, 1], logarithmic beyond
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(top=1.0)
    ax.set(xlabel="horizon (months)", ylabel="CRPS skill vs rw (symlog)", title=variable)
    ax.legend(fontsize=8)
    return fig, ax


def pit_histograms(result):
    """PIT histograms, one panel per (model, variable); flat = calibrated."""
    plt = _plt()
    ds = result.dataset
    models, variables = list(ds.model.values), list(ds.variable.values)
    fig, axes = plt.subplots(
        len(models),
        len(variables),
        figsize=(1.6 * len(variables), 1.3 * len(models)),
        sharex=True,
        squeeze=False,
    )
    from fiscalcliff.evaluation.summary import pit_histogram

    for i, model in enumerate(models):
        for j, var in enumerate(variables):
            counts = pit_histogram(ds, model, var)
            ax = axes[i, j]
            ax.bar(np.arange(10) / 10 + 0.05, counts, width=0.1, color="C0")
            if counts.sum():
                ax.axhline(counts.sum() / 10, color="k", lw=0.6)
            ax.set_yticks([])
            if i == 0:
                ax.set_title(var, fontsize=7)
            if j == 0:
                ax.set_ylabel(model, fontsize=7)
    fig.suptitle("PIT histograms (all origins and horizons)", fontsize=9)
    return fig, axes


def coverage_chart(result):
    """Coverage of the central 90% band by model and variable, against the nominal 0.9."""
    plt = _plt()
    ds = result.dataset
    cov = ds.cover90.mean(["origin", "horizon"])
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / cov.sizes["model"]
    x = np.arange(cov.sizes["variable"])
    for i, model in enumerate(cov["model"].values):
        ax.bar(x + i * width, cov.sel(model=model), width, label=str(model))
    ax.axhline(0.9, color="k", lw=0.8, ls="--")
    ax.set_xticks(x + 0.4 - width / 2, cov["variable"].values, rotation=30, fontsize=8)
    ax.set(ylabel="90% band coverage", ylim=(0, 1))
    ax.legend(fontsize=8)
    return fig, ax


def all_figures(result) -> dict:
    """Every figure of a backtest directory, by file stem."""
    out = {}
    if result.benchmark:
        for var in result.dataset.variable.values:
            out[f"skill_{var}"] = skill_by_horizon(result, str(var))
    out["pit"] = pit_histograms(result)
    out["coverage"] = coverage_chart(result)
    return out
