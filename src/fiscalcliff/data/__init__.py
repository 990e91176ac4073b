"""Data layer: sources of raw series, the series catalogue, and checked monthly panels.

Typical use::

    from fiscalcliff.data import OfflineDirectorySource, load_panel

    panel = load_panel(["fed_assets", "tga", "rrp"], source=OfflineDirectorySource("data"))
    panel.frame  # monthly DataFrame, $bn

Names are imported lazily, so ``import fiscalcliff.data`` does not import pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fiscalcliff.data.cache import CachedSource, PullResult, StaleCacheWarning
    from fiscalcliff.data.catalogue import Catalogue, SeriesSpec, load_catalogue
    from fiscalcliff.data.defaults import default_source, fred_cache_source
    from fiscalcliff.data.fred import FredSource
    from fiscalcliff.data.inventory import describe_series, pull_series
    from fiscalcliff.data.offline import OfflineDirectorySource
    from fiscalcliff.data.panel import DataPanel, load_panel
    from fiscalcliff.data.raw import RawSeries, Source
    from fiscalcliff.data.records import SeriesRecord

_EXPORTS = {
    "CachedSource": "cache",
    "PullResult": "cache",
    "StaleCacheWarning": "cache",
    "Catalogue": "catalogue",
    "SeriesSpec": "catalogue",
    "load_catalogue": "catalogue",
    "default_source": "defaults",
    "fred_cache_source": "defaults",
    "describe_series": "inventory",
    "pull_series": "inventory",
    "FredSource": "fred",
    "OfflineDirectorySource": "offline",
    "DataPanel": "panel",
    "load_panel": "panel",
    "RawSeries": "raw",
    "Source": "raw",
    "SeriesRecord": "records",
}

__all__ = [
    "CachedSource",
    "Catalogue",
    "DataPanel",
    "FredSource",
    "OfflineDirectorySource",
    "PullResult",
    "RawSeries",
    "SeriesRecord",
    "SeriesSpec",
    "Source",
    "StaleCacheWarning",
    "default_source",
    "describe_series",
    "fred_cache_source",
    "load_catalogue",
    "load_panel",
    "pull_series",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
