"""One backtest task: a (model, origin) pair described by plain data, and its scored result.

Tasks are pure functions of their description (seeded from it), so they run identically in
this process, on a local Dask cluster or on a remote one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from fiscalcliff.evaluation.scores import QUANTILES, SCORE_FIELDS, score_ensemble
from fiscalcliff.model.spec import PriorFile

#: the built-in benchmarks and what they are
BENCHMARKS = {
    "rw": "no-change random walk; band from the empirical h-month changes, sample start to origin",
    "ols": "statsmodels VAR (OLS) with the same variables, lags and sample; Gaussian shocks",
    "minnesota": "plain Minnesota BVAR (priors/minnesota.yaml): tightness 0.2, no dummies",
}


@dataclass(frozen=True)
class Task:
    """What one worker needs to forecast and score one model at one origin.

    Attributes
    ----------
    model : str
        Label in the outputs (a prior file's stem, or ``rw`` / ``ols``).
    kind : {"bvar", "ols", "rw"}
    spec : PriorFile
        The validated prior file (``bvar``: the model; ``ols``/``rw``: the reference model whose
        variables, lags and sample they use); shipped whole, so remote workers need no access
        to the file.
    origin : str
        Last month of data, ``YYYY-MM``.
    horizons : int
        Months to forecast (fewer than the backtest's when conditioning data run out).
    draws : int
    seed : int
        The backtest's seed; the task derives its own streams from (seed, model, origin).
    source : Source
        The full data source; the task cuts it at the origin.
    variables : tuple of str
        Scored variables, in output order.
    observed : ndarray, shape (horizons, V)
        What happened after the origin (NaN where not observed).
    condition : dict
        Realised future values (arrays of length ``horizons``) of conditioned variables.
    treasury_cash : float or None
        Standard deviation ($bn) of the soft conditions that put Treasury's announced
        end-of-quarter cash balances on the TGA; ``None``: not imposed.
    stability : {"report", "filter"}
        ``filter``: a BVAR forecasts from its stable posterior draws only.
    """

    model: str
    kind: str
    spec: PriorFile
    origin: str
    horizons: int
    draws: int
    seed: int
    source: object
    variables: tuple[str, ...]
    observed: np.ndarray
    condition: dict[str, np.ndarray] = field(default_factory=dict)
    treasury_cash: float | None = None
    stability: str = "report"


@dataclass(frozen=True)
class TaskResult:
    """Scores of one (model, origin): arrays over (horizon, variable)."""

    model: str
    origin: str
    scores: dict[str, np.ndarray]  # field -> (horizons, V)
    quantiles: np.ndarray  # (horizons, Q, V)
    explosive_share: float
    seconds: float
    notes: tuple[str, ...]
    hyperparameters: dict[str, float]


def forecast_task(task: Task):
    """The task's forecast ensemble (no scoring): see :mod:`fiscalcliff.evaluation.predictive`."""
    from fiscalcliff.evaluation.origins import task_seed
    from fiscalcliff.evaluation.predictive import random_walk, var_ensemble

    spec = task.spec
    if task.kind == "rw":
        return random_walk(spec, task.source, task.origin, task.horizons, task.variables)
    return var_ensemble(
        task.kind,
        spec,
        task.source,
        task.origin,
        task.horizons,
        task.variables,
        task.draws,
        task_seed(task.seed, task.model, task.origin),
        task.condition,
        task.treasury_cash,
        task.stability,
    )


def run_task(task: Task) -> TaskResult:
    """Forecast and score one (model, origin) with one BLAS thread."""
    from fiscalcliff.model.mcmc.blas import single_blas_thread

    start = time.perf_counter()
    with single_blas_thread():
        ens = forecast_task(task)
        h, v = task.horizons, len(task.variables)
        scores = {name: np.full((h, v), np.nan) for name in SCORE_FIELDS}
        quantiles = np.full((h, len(QUANTILES), v), np.nan)
        for s, members in enumerate(ens.members):
            out = score_ensemble(members, task.observed[s])
            for name in SCORE_FIELDS:
                scores[name][s] = out[name]
            quantiles[s] = out["quantiles"]
    return TaskResult(
        model=task.model,
        origin=task.origin,
        scores=scores,
        quantiles=quantiles,
        explosive_share=ens.explosive_share,
        seconds=time.perf_counter() - start,
        notes=ens.notes,
        hyperparameters=ens.hyperparameters,
    )
