"""fiscalcliff: Bayesian VAR-X scenarios for US bank reserves, the TGA, ON RRP and yields.

Typical use::

    import fiscalcliff as fc

    spec = fc.load_prior_file("priors/default.yaml")
    results = fc.fit(spec)                    # data from $FISCALCLIFF_DATA_DIR or live FRED
    paths = results.forecast("2026-12", draws=2000, seed=1)   # xarray.Dataset
    fc.quarterly_summary(paths)               # pandas.DataFrame

    pm = fc.Scenario.from_yaml("scenarios/print-money.yaml")
    results.forecast(pm)                      # dims (chain, draw, scenario, date)
    cmp = fc.compare([fc.Scenario.from_yaml("scenarios/baseline.yaml"), pm], baseline="baseline")
    cmp.differences(); cmp.event_probabilities(); cmp.plot_fan("reserves")

Public names are imported lazily so that ``import fiscalcliff`` (and the CLI) start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from fiscalcliff._version import __version__

_EXPORTS = {
    "load_prior_file": "fiscalcliff.model.spec",
    "PriorFile": "fiscalcliff.model.spec",
    "fit": "fiscalcliff.model.fit",
    "BVARResults": "fiscalcliff.model.results",
    "MCMCResults": "fiscalcliff.model.mcmc.results",
    "HierarchicalResults": "fiscalcliff.model.hierarchical",
    "forecast": "fiscalcliff.forecasting.core",
    "quarterly_summary": "fiscalcliff.forecasting.summary",
    "Scenario": "fiscalcliff.scenarios.loader",
    "load_scenario": "fiscalcliff.scenarios.loader",
    "run_scenarios": "fiscalcliff.scenarios.runner",
    "compare": "fiscalcliff.scenarios.compare",
    "Comparison": "fiscalcliff.scenarios.compare",
    "backtest": "fiscalcliff.evaluation",
    "BacktestResult": "fiscalcliff.evaluation",
    "load_panel": "fiscalcliff.data",
    "default_source": "fiscalcliff.data",
    "OfflineDirectorySource": "fiscalcliff.data",
    "FredSource": "fiscalcliff.data",
    "CachedSource": "fiscalcliff.data",
    "impulse_responses": "fiscalcliff.structural",
    "fevd": "fiscalcliff.structural",
    "historical_decomposition": "fiscalcliff.structural",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.data import (
        CachedSource,  # noqa: F401
        FredSource,  # noqa: F401
        OfflineDirectorySource,  # noqa: F401
        default_source,  # noqa: F401
        load_panel,  # noqa: F401
    )
    from fiscalcliff.evaluation import BacktestResult, backtest  # noqa: F401
    from fiscalcliff.forecasting.core import forecast  # noqa: F401
    from fiscalcliff.forecasting.summary import quarterly_summary  # noqa: F401
    from fiscalcliff.model.fit import fit  # noqa: F401
    from fiscalcliff.model.hierarchical import HierarchicalResults  # noqa: F401
    from fiscalcliff.model.mcmc.results import MCMCResults  # noqa: F401
    from fiscalcliff.model.results import BVARResults  # noqa: F401
    from fiscalcliff.model.spec import PriorFile, load_prior_file  # noqa: F401
    from fiscalcliff.scenarios.compare import Comparison, compare  # noqa: F401
    from fiscalcliff.scenarios.loader import Scenario, load_scenario  # noqa: F401
    from fiscalcliff.scenarios.runner import run_scenarios  # noqa: F401
    from fiscalcliff.structural import (  # noqa: F401
        fevd,
        historical_decomposition,
        impulse_responses,
    )


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fiscalcliff' has no attribute {name!r}")
