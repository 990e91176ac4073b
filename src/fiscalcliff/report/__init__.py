"""The docs site's "2026 scenarios" pages: ``fiscalcliff report scenarios/ --out docs/forecasts``.

Scenario files are grouped by the settings that let them share posterior draws (prior file,
``as_of`` and horizon); each group runs once through :func:`fiscalcliff.scenarios.compare.compare`
against its baseline, so every difference on a page is a draw-by-draw difference. Each scenario
gets one MyST Markdown page with fan charts, tables, the scenario file and provenance; a scenario
with an ``as_of`` date (a backtest) also shows what was observed after it.

Typical use::

    from fiscalcliff.report import build_report

    pages = build_report(["scenarios"], "docs/forecasts", draws=1000)

Names are imported lazily so that the CLI's ``--help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    "build_report": "fiscalcliff.report.build",
    "ReportPage": "fiscalcliff.report.build",
    "ScenarioGroup": "fiscalcliff.report.groups",
    "group_scenarios": "fiscalcliff.report.groups",
    "find_scenario_files": "fiscalcliff.report.groups",
    "observed_values": "fiscalcliff.report.actuals",
    "actual_vs_forecast": "fiscalcliff.report.actuals",
}

__all__ = list(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.report.actuals import actual_vs_forecast, observed_values  # noqa: F401
    from fiscalcliff.report.build import ReportPage, build_report  # noqa: F401
    from fiscalcliff.report.groups import (  # noqa: F401
        ScenarioGroup,
        find_scenario_files,
        group_scenarios,
    )


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'fiscalcliff.report' has no attribute {name!r}")
