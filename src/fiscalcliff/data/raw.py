"""What a data source returns: one raw series in its source units and frequency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from fiscalcliff.errors import DataError

_SERIES_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


def check_series_id(series_id: str) -> str:
    """Return `series_id` if it is a plausible series id, else raise.

    Ids are letters, digits, ``_``, ``.`` and ``-`` (no path separators), so that an id can
    safely name a file.

    Raises
    ------
    DataError
        If the id is empty or contains other characters.
    """
    if not isinstance(series_id, str) or not _SERIES_ID_RE.match(series_id):
        raise DataError(
            f"invalid series id {series_id!r}: use letters, digits, '_', '.' or '-' (e.g. WALCL)"
        )
    return series_id


@dataclass(frozen=True)
class RawSeries:
    """One series as delivered by a source.

    Parameters
    ----------
    observations
        Values in the source's units at the source's frequency, indexed by observation date.
        Normalised on construction to a sorted ``DatetimeIndex`` named ``"date"`` with float64
        values; missing values are dropped.
    origin
        Where the values came from, e.g. ``"offline:/data/WALCL.csv"`` or
        ``"fred:https://fred.stlouisfed.org/graph/fredgraph.csv?id=WALCL"``.

    Raises
    ------
    DataError
        If the index is not made of dates or has duplicate dates, or values are not numeric.
    """

    observations: pd.Series
    origin: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "observations", _normalise(self.observations, self.origin))


def _normalise(obs: pd.Series, origin: str) -> pd.Series:
    try:
        index = pd.DatetimeIndex(obs.index).as_unit("ns")
        values = np.asarray(obs.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        message = f"{origin}: observations must be numbers indexed by dates ({exc})"
        raise DataError(message) from None
    if index.tz is not None:
        index = index.tz_localize(None)
    if np.isinf(values).any():
        raise DataError(f"{origin}: infinite values in observations")
    out = pd.Series(values, index=index, name=obs.name)
    out = out[~np.isnan(values) & ~index.isna()].sort_index()
    out.index.name = "date"
    if out.index.has_duplicates:
        dups = out.index[out.index.duplicated()].strftime("%Y-%m-%d")
        raise DataError(f"{origin}: duplicate observation dates {', '.join(dups[:5])}")
    return out


@runtime_checkable
class Source(Protocol):
    """A provider of raw series by id (offline directory, FRED, a cache in front of FRED)."""

    def fetch(self, series_id: str) -> RawSeries:
        """Return the series `series_id`.

        Raises
        ------
        DataError
            The series does not exist or its content is unusable.
        SourceUnavailableError
            The source cannot be reached.
        """
        ...

    def describe(self) -> str:
        """One line saying what this source is, for logs and provenance."""
        ...
