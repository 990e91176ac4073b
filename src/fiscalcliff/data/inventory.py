"""Tables behind ``fiscalcliff data show`` and ``fiscalcliff data pull``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from fiscalcliff.data.build import SeriesBuilder
from fiscalcliff.data.cache import CachedSource
from fiscalcliff.data.catalogue import Catalogue, load_catalogue
from fiscalcliff.data.raw import Source
from fiscalcliff.errors import DataError

_ORIGIN = re.compile(r"(?:offline|fred|cache):[^;()]+(?:\([^)]*\))?")


def describe_series(
    names: Sequence[str], *, source: Source, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """One row per catalogue series: source ids, units, first and last month, origin.

    Each series is built on its own (no common sample), so the dates are its full coverage.

    Parameters
    ----------
    names : sequence of str
        Catalogue names.
    source : Source
        Where raw series are read.
    catalogue : Catalogue, optional
        Defaults to the bundled catalogue.

    Returns
    -------
    pandas.DataFrame
        Columns ``series``, ``source``, ``units``, ``first``, ``last``, ``origin``.
    """
    catalogue = catalogue or load_catalogue()
    unknown = [n for n in names if n not in catalogue]
    if unknown:
        raise DataError(catalogue.unknown_message(unknown))
    builder = SeriesBuilder(catalogue, source)
    rows = []
    for name in names:
        rec = builder.build(name).record()
        rows.append(
            (name, "+".join(rec.source_ids), rec.units, rec.first, rec.last, _origins(rec.origin))
        )
    return pd.DataFrame(rows, columns=["series", "source", "units", "first", "last", "origin"])


def _origins(origin: str) -> str:
    """Distinct raw origins of a (possibly derived) series; offline files by name only."""
    found = dict.fromkeys(_ORIGIN.findall(origin))
    return "; ".join(Path(o).name if o.startswith("offline:") else o for o in found)


def pull_series(
    names: Sequence[str],
    *,
    cache: CachedSource | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Download the raw FRED series behind catalogue names into the local cache.

    Parameters
    ----------
    names : sequence of str
        Catalogue names; formula series pull their inputs.
    cache : CachedSource, optional
        Defaults to live FRED with the platform cache directory.
    catalogue : Catalogue, optional

    Returns
    -------
    pandas.DataFrame
        One row per raw series: id, observations, first, last, where from, whether the
        download failed and the older cached copy was kept.
    """
    from fiscalcliff.data.defaults import fred_cache_source

    catalogue = catalogue or load_catalogue()
    unknown = [n for n in names if n not in catalogue]
    if unknown:
        raise DataError(catalogue.unknown_message(unknown))
    cache = cache or fred_cache_source()
    ids = list(dict.fromkeys(i for n in names for i in catalogue.source_ids(n)))
    rows = [
        (r.series_id, r.n_obs, r.first, r.last, r.origin, "yes" if r.from_cache else "no")
        for r in cache.pull(ids)
    ]
    return pd.DataFrame(
        rows, columns=["id", "observations", "first", "last", "origin", "kept old copy"]
    )
