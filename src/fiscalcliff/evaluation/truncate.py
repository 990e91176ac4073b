"""A data source that sees nothing after a forecast origin (no look-ahead in backtests)."""

from __future__ import annotations

import pandas as pd

from fiscalcliff.data.raw import RawSeries, Source


class TruncatedSource:
    """Wrap a :class:`~fiscalcliff.data.raw.Source` and drop every observation after a month.

    Raw observations (daily, weekly, monthly, quarterly) dated after the last day of ``last``
    are removed before any aggregation, transform or formula, so every series a model uses —
    exogenous ones and derived ones included — is built from data up to the origin only.
    The values are the final vintage (today's data), not what was published at the time.

    Parameters
    ----------
    source : Source
        The full source.
    last : str
        Last month kept, ``YYYY-MM``.
    """

    def __init__(self, source: Source, last: str) -> None:
        self.source = source
        self.last = str(last)
        self._cutoff = pd.Period(self.last, freq="M").end_time

    def fetch(self, series_id: str) -> RawSeries:
        """The series from the wrapped source, cut after the last day of ``last``."""
        raw = self.source.fetch(series_id)
        obs = raw.observations
        return RawSeries(obs[obs.index <= self._cutoff], f"{raw.origin} (to {self.last})")

    def describe(self) -> str:
        """The wrapped source and the cut-off."""
        return f"{self.source.describe()}, observations up to {self.last}"
