"""The ragged edge: fill the months where some series have ended, per posterior draw.

The sample for estimation ends at the last month every series shares; the panel's
:attr:`~fiscalcliff.data.DataPanel.tail` holds the months after it up to the latest data, with
NaN where a series has ended. Forecasts start after the tail. For each posterior draw the tail is
simulated from the sample's last month with its own shocks, and every observed endogenous cell is
imposed as a hard condition (exact Gaussian conditioning of the shocks,
:func:`~fiscalcliff.forecasting.conditional.condition_shocks`), so the unobserved cells are draws
from the model's conditional forecast given everything observed, and the observed cells equal the
data exactly. Exogenous variables are inputs, not forecasts: in the tail they take their observed
values and are held at their last observed value where they have ended.

The filled tail becomes the last rows of each draw's history, from which the forecast proper (or
every scenario) is simulated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fiscalcliff.forecasting.paths import simulate_paths

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.model.results import BVARResults, PosteriorSample

__all__ = ["Nowcast", "fill_ragged_edge", "ragged_edge_summary"]


@dataclass(frozen=True)
class Nowcast:
    """The ragged-edge months, filled per draw.

    Attributes
    ----------
    months : DatetimeIndex
        The tail months (empty if every series ends in the sample's last month).
    endogenous : ndarray, shape (n, m, K)
        Endogenous values per draw: the data where observed, conditional draws elsewhere.
    exogenous : ndarray, shape (m, n_exog)
        Exogenous values: observed, or held at the last observed value.
    observed : ndarray, shape (m, K), bool
        Which endogenous cells are data.
    history : ndarray, shape (n, p, K)
        The last ``p`` months of each draw's history (sample and tail), oldest first.
    """

    months: pd.DatetimeIndex
    endogenous: np.ndarray
    exogenous: np.ndarray
    observed: np.ndarray
    history: np.ndarray


def exogenous_tail(results: BVARResults, tail: pd.DataFrame) -> np.ndarray:
    """Exogenous values ``(m, n_exog)`` of the tail months: observed, else the last value."""
    frame = results.panel.frame
    out = np.empty((len(tail), len(results.exogenous)))
    for j, name in enumerate(results.exogenous):
        values = pd.concat([frame[name], tail[name]]).ffill()
        out[:, j] = values.iloc[len(frame) :].to_numpy(float)
    return out


def observed_exogenous(results: BVARResults, name: str) -> pd.Series:
    """Every observed value of exogenous variable ``name``, the ragged tail included."""
    return pd.concat([results.panel.frame[name], results.panel.edge[name]]).dropna()


def last_exogenous(results: BVARResults) -> dict[str, tuple[float, pd.Timestamp]]:
    """Last observed value and month of every exogenous variable, the tail included."""
    out = {}
    for name in results.exogenous:
        values = observed_exogenous(results, name)
        out[name] = (float(values.iloc[-1]), pd.Timestamp(values.index[-1]))
    return out


def fill_ragged_edge(
    results: BVARResults,
    b: np.ndarray,
    sigma_root: np.ndarray,
    shock_rng: np.random.Generator,
    condition_rng: np.random.Generator,
    *,
    sample: PosteriorSample | None = None,
) -> Nowcast:
    """Fill the tail for every draw and return each draw's history for the forecast.

    Parameters
    ----------
    results : BVARResults
    b : ndarray, shape (n, M, K)
    sigma_root : ndarray, shape (n, K, K)
    shock_rng, condition_rng : numpy.random.Generator
        Streams for the tail's shocks and for the conditioning (used only if there is a tail).
    sample : PosteriorSample, optional
        The draws ``b`` and ``sigma_root`` come from. When it carries per-draw histories (a
        censored model, whose Gibbs sampler drew the tail with the parameters) those are used
        as they are, and the streams are not touched.

    Returns
    -------
    Nowcast
    """
    from fiscalcliff.forecasting.conditional import LinearConditions, condition_shocks, entry_row

    endog = list(results.endogenous)
    p, k, n = results.layout.lags, len(endog), b.shape[0]
    frame = results.panel.frame
    sample_history = frame[endog].to_numpy(float)[-p:]
    tail = results.panel.edge
    m = len(tail)
    if sample is not None and sample.history is not None:
        from fiscalcliff.forecasting.censor import censor

        data = tail[endog].to_numpy(float)
        seen = np.isfinite(data)
        values = censor(results, sample.edge)
        values[:, seen] = data[seen]  # observed cells as observed (censored ones included)
        return Nowcast(
            months=tail.index,
            endogenous=values,
            exogenous=exogenous_tail(results, tail),
            observed=seen,
            history=sample.history,
        )
    if m == 0:
        return Nowcast(
            months=tail.index,
            endogenous=np.zeros((n, 0, k)),
            exogenous=np.zeros((0, len(results.exogenous))),
            observed=np.zeros((0, k), dtype=bool),
            history=np.broadcast_to(sample_history, (n, p, k)).copy(),
        )
    observed_values = tail[endog].to_numpy(float)
    observed = np.isfinite(observed_values)
    x_tail = exogenous_tail(results, tail)
    z = shock_rng.standard_normal((n, m, k))
    paths = simulate_paths(b, sigma_root, sample_history, x_tail, z, results.layout)
    hard = [
        (entry_row(m, k, t, j), float(observed_values[t, j]), f"{endog[j]} {tail.index[t]:%Y-%m}")
        for t in range(m)
        for j in range(k)
        if observed[t, j]
    ]
    if hard:
        conditions = LinearConditions.build(m, k, hard=hard)
        res = condition_shocks(z, paths, b, sigma_root, results.layout, conditions, condition_rng)
        paths = simulate_paths(b, sigma_root, sample_history, x_tail, res.shocks, results.layout)
        paths[:, observed] = observed_values[observed]  # exact data (conditioning is to ~1e-10)
    full = np.concatenate([np.broadcast_to(sample_history, (n, p, k)), paths], axis=1)
    return Nowcast(
        months=tail.index,
        endogenous=paths,
        exogenous=x_tail,
        observed=observed,
        history=full[:, -p:, :].copy(),
    )


def ragged_edge_summary(results: BVARResults) -> dict[str, str]:
    """For each series, its last observed month and the tail months the forecast fills."""
    tail = results.panel.edge
    out = {}
    for name in [*results.endogenous, *results.exogenous]:
        last = results.panel.last_dates.get(name, "")
        missing = tail.index[tail[name].isna().to_numpy()] if len(tail) else tail.index
        if len(missing):
            how = "held at last value" if name in results.exogenous else "conditional forecast"
            span = f"{missing[0]:%Y-%m}" + (f"..{missing[-1]:%Y-%m}" if len(missing) > 1 else "")
            out[name] = f"observed to {last}; {span} filled ({how})"
        else:
            out[name] = f"observed to {last}"
    return out
