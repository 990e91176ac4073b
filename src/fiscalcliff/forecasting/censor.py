"""Censored variables in forecasts: simulate the shadow value, report ``max(bound, shadow)``.

Paths are simulated for the shadow values (the VAR of a censored model lives in shadow space,
:mod:`fiscalcliff.model.censored`); the variable itself is ``max(lower, shadow)``, so no draw is
below its bound, and identities are evaluated on these observed values (reserves use
``max(0, shadow ON RRP)``). Conditions are imposed in shadow space; a condition on a censored
variable alone translates exactly:

* a hard condition at or below the censoring threshold ("ON RRP at zero") is the bound
  ``shadow <= threshold``; above it, ``shadow == value``;
* a floor at or below the lower bound always holds and is dropped; any other floor or cap is the
  same bound on the shadow value.

Conditions on sums that include a censored variable (e.g. reserves) are imposed on the shadow
sum: exact where the shadow is above the bound, approximate (conservative) where it is below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.forecasting.conditional import LinearConditions
    from fiscalcliff.model.results import BVARResults


def censor(results: BVARResults, shadow: np.ndarray) -> np.ndarray:
    """Observed values ``(..., K)`` from shadow values: ``max(lower, shadow)`` per censored
    variable (a copy; the input is returned unchanged when nothing is censored)."""
    censored = results.censored
    if not censored:
        return shadow
    out = np.array(shadow, dtype=float, copy=True)
    endog = list(results.endogenous)
    for name, bound in censored.items():
        j = endog.index(name)
        out[..., j] = np.maximum(out[..., j], bound.lower)
    return out


def shadow_conditions(
    results: BVARResults, conditions: LinearConditions
) -> tuple[LinearConditions, list[str]]:
    """Rewrite conditions on censored variables as conditions on their shadow values.

    Returns
    -------
    conditions : LinearConditions
        Conditions in shadow space.
    notes : list of str
        What was rewritten, one sentence each.
    """
    from fiscalcliff.forecasting.conditional import LinearConditions

    censored = results.censored
    if not censored or conditions.is_empty:
        return conditions, []
    endog = list(results.endogenous)
    k = len(endog)
    index = {endog.index(n): b for n, b in censored.items()}

    def single(row: np.ndarray) -> tuple[int, float] | None:
        nz = np.flatnonzero(row)
        if nz.size == 1 and nz[0] % k in index:
            return int(nz[0] % k), float(row[nz[0]])
        return None

    notes: list[str] = []
    hard, bounds = [], []
    values = np.asarray(conditions.hard_values)
    for i, label in enumerate(conditions.hard_labels):
        row = conditions.hard_rows[i]
        one = single(row)
        value = values[..., i]
        if one is not None and np.ndim(value) == 0:
            j, w = one
            bound = index[j]
            if float(value) / w <= bound.threshold:
                upper = bound.threshold
                lo, hi = (-np.inf, upper * w) if w > 0 else (upper * w, np.inf)
                bounds.append((row, lo, hi, f"{label} (at the bound: shadow <= {upper:g})"))
                notes.append(f"{label}: at the bound, imposed as shadow <= {upper:g}")
                continue
        hard.append((row, value, label))
    for i, label in enumerate(conditions.bound_labels):
        row, lo, hi = conditions.bound_rows[i], conditions.lower[i], conditions.upper[i]
        one = single(row)
        if one is not None:
            j, w = one
            floor = lo / w if w > 0 else hi / w
            cap = hi / w if w > 0 else lo / w
            if not np.isfinite(cap) and floor <= index[j].lower:
                notes.append(f"{label}: always holds for a censored variable, dropped")
                continue
        bounds.append((row, lo, hi, label))
    h = conditions.hard_rows.shape[1] // k
    out = LinearConditions.build(
        h,
        k,
        hard=hard,
        soft=[
            (conditions.soft_rows[i], conditions.soft_means[i], conditions.soft_sds[i], lab)
            for i, lab in enumerate(conditions.soft_labels)
        ],
        bounds=bounds,
        free_shocks=conditions.free_shocks,
    )
    return out, _summarise(notes)


def _summarise(notes: list[str]) -> list[str]:
    """One line per condition name and outcome (the months counted, not listed)."""
    counts: dict[tuple[str, str], int] = {}
    for note in notes:
        label, _, outcome = note.partition(": ")
        name = label.split(" (")[0]
        counts[(name, outcome)] = counts.get((name, outcome), 0) + 1
    return [
        f"{name}: {outcome}" + (f" ({n} months)" if n > 1 else "")
        for (name, outcome), n in counts.items()
    ]
