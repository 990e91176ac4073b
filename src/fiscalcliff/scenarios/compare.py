"""Compare scenarios draw by draw: summary tables, event probabilities, fan charts, files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fiscalcliff import dims
from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.summary import MAIN_SERIES, hdi_nearest, quarterly_draws

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults
    from fiscalcliff.scenarios.loader import Scenario

#: probability mass of the highest-density intervals in tables and charts
HDI_PROB = 0.9


def summarise(draws: xr.Dataset, prob: float = HDI_PROB) -> pd.DataFrame:
    """Median and HDI (:func:`~fiscalcliff.forecasting.summary.hdi_nearest`, ArviZ's default
    method) over ``(chain, draw)`` for every variable, scenario and quarter.

    Returns
    -------
    pandas.DataFrame
        Index ``(scenario, variable, quarter)``; columns ``median``, ``hdi_lower``,
        ``hdi_upper``.
    """
    frames = []
    for name in draws.data_vars:
        da = draws[name]
        med = da.median(dim=(dims.CHAIN, dims.DRAW))
        hdi = hdi_nearest(da, prob, (dims.CHAIN, dims.DRAW))
        table = pd.DataFrame(
            {
                "median": med.to_series(),
                "hdi_lower": hdi.sel(ci_bound="lower", drop=True).to_series(),
                "hdi_upper": hdi.sel(ci_bound="upper", drop=True).to_series(),
            }
        )
        table["variable"] = name
        frames.append(table.reset_index())
    out = pd.concat(frames, ignore_index=True)
    # scenarios in run order, variables in the order asked for, quarters in time order
    order = {
        dims.SCENARIO: list(draws[dims.SCENARIO].values),
        "variable": list(draws.data_vars),
        "quarter": list(draws["quarter"].values),
    }
    keys = [out[col].map({v: i for i, v in enumerate(vals)}) for col, vals in order.items()]
    out = out.iloc[np.lexsort(keys[::-1])]
    return out.set_index([dims.SCENARIO, "variable", "quarter"])


def event_probabilities(paths: xr.Dataset, baseline: str) -> pd.DataFrame:
    """Probability of each event per scenario, and the difference from the baseline.

    The difference is the mean of per-draw differences of indicators (shared draws), with its
    Monte Carlo standard error.
    """
    if "events" not in paths:
        return pd.DataFrame(
            columns=["event", "scenario", "probability", "mc_se", "diff_vs_baseline", "diff_mc_se"]
        )
    ev = paths["events"].stack(sample=(dims.CHAIN, dims.DRAW)).astype(float)
    base = ev.sel({dims.SCENARIO: baseline})
    n = ev.sizes["sample"]
    texts = (
        json.loads(paths.attrs.get("events", "{}"))
        if isinstance(paths.attrs.get("events"), str)
        else dict(paths.attrs.get("events", {}))
    )
    rows = []
    for label in ev["event"].values:
        for scen in ev[dims.SCENARIO].values:
            x = ev.sel(event=label, scenario=scen).values
            d = x - base.sel(event=label).values
            p = x.mean()
            rows.append(
                (
                    label,
                    texts.get(str(label), ""),
                    scen,
                    p,
                    np.sqrt(p * (1 - p) / n),
                    d.mean(),
                    d.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "event",
            "definition",
            "scenario",
            "probability",
            "mc_se",
            "diff_vs_baseline",
            "diff_mc_se",
        ],
    )


@dataclass(frozen=True)
class Comparison:
    """Scenarios forecast on shared draws, with summaries relative to a baseline.

    Attributes
    ----------
    paths : xarray.Dataset
        Every series with dims ``(chain, draw, scenario, date)``.
    baseline : str
        Name of the baseline scenario.
    results : BVARResults
        The fitted model all scenarios share.
    """

    paths: xr.Dataset
    baseline: str
    results: BVARResults

    @property
    def variables(self) -> list[str]:
        """Main series present, in display order."""
        return [v for v in MAIN_SERIES if v in self.paths.data_vars]

    def levels(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Median and HDI of quarterly levels per scenario."""
        return summarise(quarterly_draws(self.paths, self.variables), prob)

    def differences(self, prob: float = HDI_PROB) -> pd.DataFrame:
        """Median and HDI of draw-by-draw differences from the baseline, by quarter."""
        q = quarterly_draws(self.paths, self.variables)
        diff = q - q.sel({dims.SCENARIO: self.baseline})
        return summarise(diff, prob)

    def event_probabilities(self) -> pd.DataFrame:
        """Event probabilities per scenario and their differences from the baseline."""
        return event_probabilities(self.paths, self.baseline)

    def plot_fan(self, variable: str, *, history_months: int = 36):
        """Fan chart of one series for every scenario against recent history; ``(fig, ax)``."""
        from fiscalcliff.scenarios.plots import fan_chart

        return fan_chart(self.paths, self.results, variable, history_months=history_months)

    def write(self, directory: str | Path) -> list[Path]:
        """Write NetCDF, CSV/Markdown tables and fan charts into ``directory`` atomically."""
        from fiscalcliff.scenarios.output import write_comparison

        return write_comparison(self, Path(directory))


def compare(
    scenarios: Sequence[Scenario],
    *,
    baseline: str,
    draws: int | None = None,
    seed: int | None = None,
    source=None,
    results: BVARResults | None = None,
    reporter=None,
) -> Comparison:
    """Run scenarios on shared draws and compare them with ``baseline``.

    Parameters
    ----------
    scenarios : sequence of Scenario
    baseline : str
        Name of one of the scenarios.
    draws, seed : int, optional
        Override the scenario files' settings.
    source : fiscalcliff.data.Source, optional
    results : BVARResults, optional
        Reuse a fitted model.
    reporter : optional
        Progress reporter (CLI).

    Returns
    -------
    Comparison
    """
    from fiscalcliff.model.fit import fit
    from fiscalcliff.model.spec import load_prior_file
    from fiscalcliff.scenarios.runner import run_scenarios, shared_settings

    names = [s.name for s in scenarios]
    if baseline not in names:
        raise InputError(f"--baseline '{baseline}' is not among the scenarios ({', '.join(names)})")
    if results is None:
        from fiscalcliff.scenarios.runner import _null_phase

        settings = shared_settings(scenarios, draws, seed)
        phase = reporter.phase if reporter is not None else _null_phase
        with phase("fitting the model (shared by all scenarios)"):
            results = fit(load_prior_file(settings.priors), source=source, as_of=settings.as_of)
    paths = run_scenarios(scenarios, results=results, draws=draws, seed=seed, reporter=reporter)
    return Comparison(paths=paths, baseline=baseline, results=results)
