"""Translate a scenario's conditions into linear conditions on the stacked forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.conditional import LinearConditions
from fiscalcliff.model.identities import Identity
from fiscalcliff.scenarios.paths import build_path, segment_months
from fiscalcliff.scenarios.spec import Condition, Segment, ShockWindow


def variable_weights(
    name: str,
    endogenous: Sequence[str],
    identities: Sequence[Identity],
    what: str,
    exog: np.ndarray | None = None,
) -> tuple[np.ndarray, float | np.ndarray]:
    """Weights over the endogenous variables and the constant that give series ``name``.

    For an identity that uses an exogenous variable the constant includes its known values:
    pass ``exog`` (rows: dates, columns: the model's exogenous variables) and the constant is an
    array with one value per row.
    """
    if name in endogenous:
        w = np.zeros(len(endogenous))
        w[list(endogenous).index(name)] = 1.0
        return w, 0.0
    for ident in identities:
        if ident.target == name:
            if ident.uses_exogenous:
                if exog is None:
                    raise ValueError(f"{what}: identity {name} needs the exogenous path")
                return ident.weights, ident.exogenous_part(exog)
            return ident.weights, ident.constant
    known = list(endogenous) + [i.target for i in identities]
    raise InputError(
        f"{what}: '{name}' is not an endogenous variable or identity of the model "
        f"(conditions can use: {', '.join(known)})"
    )


def build_conditions(
    conditions: Mapping[str, Condition],
    *,
    dates: pd.DatetimeIndex,
    endogenous: Sequence[str],
    identities: Sequence[Identity],
    last_observed: Mapping[str, float],
    adjusting_shocks: Sequence[str | ShockWindow] | None,
    exogenous_path: np.ndarray | None = None,
    shocks: Sequence[str] | None = None,
    shocks_key: str = "adjusting_shocks",
) -> LinearConditions:
    """Rows over ``vec(y)`` (date-major: index ``s*K + k``) for every condition.

    Parameters
    ----------
    conditions : mapping
        Condition label -> Condition.
    dates : DatetimeIndex
        Forecast months.
    endogenous : sequence of str
    identities : sequence of Identity
    last_observed : mapping
        Last data value of every endogenous variable and identity (paths build on it).
    adjusting_shocks : sequence of str or ShockWindow, or None
        The structural shocks that may adjust to meet hard/soft conditions (None = all): a name
        (every month) or a :class:`ShockWindow` (only its months). The others keep their
        unconditional law.
    exogenous_path : ndarray, shape (h, n_exog), optional
        The scenario's exogenous values (for conditions on identities that use them).
    shocks : sequence of str, optional
        The model's shock names in the order of its impact matrix's columns
        (``BVARResults.shocks``); default: named after ``endogenous``.
    shocks_key : str
        The scenario file's name for ``adjusting_shocks`` (``shocks`` is its short name), used
        in messages.
    """
    h, k = len(dates), len(endogenous)
    hard, soft, bounds = [], [], []
    for label, cond in conditions.items():
        what = f"conditions.{label}"
        weights, constant = variable_weights(
            cond.variable, endogenous, identities, what, exog=exogenous_path
        )
        constants = np.broadcast_to(constant, (h,))
        if cond.path is not None:
            target = build_path(
                cond.path, dates, last_observed[cond.variable], what=what, hold_last=False
            )
            for s in np.flatnonzero(~np.isnan(target)):
                row = np.zeros(h * k)
                row[s * k : (s + 1) * k] = weights
                tag = f"{label} ({cond.variable} {dates[s]:%Y-%m})"
                if cond.sd is None:
                    hard.append((row, target[s] - constants[s], tag))
                else:
                    soft.append((row, target[s] - constants[s], tag, cond.sd))
        else:
            first, last = segment_months_for_bounds(cond, dates, what)
            for s in range(first, last + 1):
                lo = -np.inf if cond.floor is None else cond.floor - constants[s]
                hi = np.inf if cond.ceiling is None else cond.ceiling - constants[s]
                row = np.zeros(h * k)
                row[s * k : (s + 1) * k] = weights
                bounds.append((row, lo, hi, f"{label} ({cond.variable} {dates[s]:%Y-%m})"))
    free = None
    if adjusting_shocks is not None:
        free = adjusting_mask(
            adjusting_shocks, dates, list(endogenous if shocks is None else shocks), shocks_key
        )
    return LinearConditions(
        hard_rows=_rows(hard, h * k),
        hard_values=np.array([v for _, v, _ in hard], dtype=float),
        hard_labels=tuple(item[2] for item in hard),
        soft_rows=_rows(soft, h * k),
        soft_means=np.array([item[1] for item in soft], dtype=float),
        soft_sds=np.array([item[3] for item in soft], dtype=float),
        soft_labels=tuple(item[2] for item in soft),
        bound_rows=_rows(bounds, h * k),
        lower=np.array([b[1] for b in bounds], dtype=float),
        upper=np.array([b[2] for b in bounds], dtype=float),
        bound_labels=tuple(b[3] for b in bounds),
        free_shocks=free,
    )


def adjusting_mask(
    adjusting_shocks: Sequence[str | ShockWindow],
    dates: pd.DatetimeIndex,
    names: Sequence[str],
    key: str = "adjusting_shocks",
) -> np.ndarray:
    """Which shocks may adjust, as a flat ``(h*K,)`` mask (date-major, like ``vec(y)``).

    Parameters
    ----------
    adjusting_shocks : sequence of str or ShockWindow
        Shock names (every month) or windows (their months only).
    dates : DatetimeIndex
        The forecast months.
    names : sequence of str
        The model's shock names, in the order of its impact matrix's columns.
    key : str
        The key as the scenario file spells it (``shocks`` or ``adjusting_shocks``), for messages.
    """
    windows = [ShockWindow(shock=a) if isinstance(a, str) else a for a in adjusting_shocks]
    unknown = [w.shock for w in windows if w.shock not in names]
    if unknown:
        raise InputError(
            f"{key}: {', '.join(unknown)} not a shock of the model "
            f"(its shocks: {', '.join(names)}; named in the prior file's identification)"
        )
    mask = np.zeros((len(dates), len(names)), dtype=bool)
    for i, w in enumerate(windows):
        seg = Segment.model_validate({"from": w.start, "to": w.end, "level": 0.0})
        first, last = segment_months(seg, dates, f"{key}[{i}] ({w.shock})")
        mask[first : last + 1, list(names).index(w.shock)] = True
    return mask.ravel()


def segment_months_for_bounds(
    cond: Condition, dates: pd.DatetimeIndex, what: str
) -> tuple[int, int]:
    """Horizon positions a bound covers (default: the whole horizon)."""
    seg = Segment.model_validate({"from": cond.start, "to": cond.end, "level": 0.0})
    return segment_months(seg, dates, what)


def _rows(items: list, n: int) -> np.ndarray:
    return np.array([it[0] for it in items], dtype=float).reshape(len(items), n)
