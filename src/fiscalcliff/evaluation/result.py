"""The result of a backtest: the scores Dataset and the tables read from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fiscalcliff.evaluation import summary


@dataclass(frozen=True)
class BacktestResult:
    """Scores per (model, origin, variable, horizon) and their summaries.

    Attributes
    ----------
    dataset : xarray.Dataset
        ``crps``, ``log_score``, ``pit``, ``cover50``, ``cover90``, ``bias``, ``abs_error``
        (model, origin, variable, horizon); ``quantiles`` (… , quantile); ``observed``
        (origin, variable, horizon); ``explosive_share`` and ``seconds`` (model, origin);
        provenance attributes (settings, data, prior files, seeds).
    """

    dataset: object

    @property
    def settings(self) -> dict:
        """The recorded settings (models, origins, horizons, draws, seed, mode, ...)."""
        out = {}
        for key, value in self.dataset.attrs.items():
            try:
                out[key] = json.loads(value) if isinstance(value, str) else value
            except ValueError:
                out[key] = value
        return out

    @property
    def benchmark(self) -> str | None:
        """The model skill is measured against: ``rw`` when present."""
        return "rw" if "rw" in self.dataset.model.values else None

    def skill(self) -> pd.DataFrame:
        """Skill ``1 - CRPS/CRPS_rw`` by model, variable and horizon group."""
        if self.benchmark is None:
            raise ValueError("skill needs the 'rw' benchmark in the backtest")
        return summary.skill_table(self.dataset, self.benchmark)

    def coverage(self) -> pd.DataFrame:
        """Empirical coverage of the central 50% and 90% bands."""
        return summary.coverage_table(self.dataset)

    def diebold_mariano(self) -> pd.DataFrame:
        """Diebold–Mariano (HLN) tests of CRPS against ``rw``."""
        if self.benchmark is None:
            raise ValueError("the Diebold-Mariano tests need the 'rw' benchmark in the backtest")
        return summary.dm_table(self.dataset, self.benchmark)

    def explosive(self) -> pd.DataFrame:
        """Share of explosive draws per model (min, median, max over origins)."""
        return summary.explosive_table(self.dataset)

    def scores_frame(self) -> pd.DataFrame:
        """Every score as a tidy frame keyed by (model, origin, variable, horizon)."""
        fields = ["crps", "log_score", "pit", "cover50", "cover90", "bias", "abs_error"]
        return self.dataset[fields].to_dataframe().dropna(how="all")

    def __str__(self) -> str:
        from fiscalcliff.evaluation.output import summary_text

        return summary_text(self)

    def write(self, directory: str | Path) -> Path:
        """Write NetCDF, CSV and Markdown tables and figures to ``directory`` (atomically)."""
        from fiscalcliff.evaluation.output import write_backtest

        return write_backtest(self, directory)

    @classmethod
    def read(cls, directory: str | Path) -> BacktestResult:
        """Load a backtest written by :meth:`write` (its ``backtest.nc``)."""
        from fiscalcliff.evaluation.output import read_backtest

        return read_backtest(directory)
