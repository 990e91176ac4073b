"""Forecast evaluation: rolling-origin backtests against a random walk, OLS and a plain BVAR.

``backtest(priors, benchmarks=..., origins=..., horizons=..., draws=..., seed=...)`` re-estimates
every model at every origin on data cut at that origin, scores the forecast ensembles (CRPS,
log score, PIT, coverage, bias) and returns a :class:`BacktestResult`.
"""

from fiscalcliff.evaluation.result import BacktestResult
from fiscalcliff.evaluation.runner import backtest

__all__ = ["BacktestResult", "backtest"]
