"""Hyperparameters by maximising the log marginal likelihood plus Gamma hyperpriors (GLP 2015)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from fiscalcliff.model.spec import Hyperparameter


def gamma_from_mode_sd(mode: float, sd: float) -> tuple[float, float]:
    """Shape and scale of the Gamma distribution with the given mode and standard deviation."""
    scale = (-mode + np.sqrt(mode**2 + 4.0 * sd**2)) / 2.0
    return 1.0 + mode / scale, scale


def log_hyperprior(value: float, spec: Hyperparameter) -> float:
    """Log Gamma density of one hyperparameter."""
    shape, scale = gamma_from_mode_sd(spec.mode, spec.sd)
    from scipy import stats

    return float(stats.gamma.logpdf(value, shape, scale=scale))


@dataclass(frozen=True)
class HyperparameterFit:
    """Outcome of the hyperparameter search.

    Attributes
    ----------
    values : dict
        Value of every hyperparameter (estimated or fixed).
    estimated : tuple of str
        Names of the estimated ones.
    log_posterior : float
        Log marginal likelihood plus log hyperpriors at ``values``.
    converged : bool
        Whether the optimiser reported success.
    at_bound : tuple of str
        Estimated hyperparameters that ended on a bound of their search interval.
    evaluations : int
        Number of objective evaluations.
    """

    values: dict[str, float]
    estimated: tuple[str, ...]
    log_posterior: float
    converged: bool
    at_bound: tuple[str, ...]
    evaluations: int


def maximise(
    log_ml: Callable[[Mapping[str, float]], float],
    specs: Mapping[str, Hyperparameter],
) -> HyperparameterFit:
    """Maximise ``log_ml(values) + sum log hyperprior`` over the estimated hyperparameters.

    Works in logs (all hyperparameters are positive) with L-BFGS-B inside ``[log min, log max]``.

    Parameters
    ----------
    log_ml : callable
        Maps a dict of hyperparameter values to the log marginal likelihood.
    specs : mapping
        Hyperparameter settings by name.
    """
    free = [n for n, s in specs.items() if s.estimate]
    fixed = {n: s.start for n, s in specs.items() if not s.estimate}
    calls = 0

    def values_at(theta: np.ndarray) -> dict[str, float]:
        return {**fixed, **{n: float(np.exp(t)) for n, t in zip(free, theta, strict=True)}}

    def objective(theta: np.ndarray) -> float:
        nonlocal calls
        calls += 1
        vals = values_at(theta)
        total = log_ml(vals) + sum(log_hyperprior(vals[n], specs[n]) for n in free)
        return -total if np.isfinite(total) else 1e300

    if not free:
        vals = dict(fixed)
        return HyperparameterFit(vals, (), log_ml(vals), True, (), 1)
    start = np.log([specs[n].start for n in free])
    bounds = [(np.log(specs[n].min), np.log(specs[n].max)) for n in free]
    from scipy import optimize

    res = optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds)
    vals = values_at(res.x)
    at_bound = tuple(
        n
        for n, t, (lo, hi) in zip(free, res.x, bounds, strict=True)
        if min(abs(t - lo), abs(t - hi)) < 1e-6
    )
    return HyperparameterFit(vals, tuple(free), float(-res.fun), bool(res.success), at_bound, calls)
