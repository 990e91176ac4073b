"""Convergence diagnostics of MCMC draws via ArviZ 1.x: r_hat, bulk/tail ESS, divergences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import xarray as xr


class ConvergenceWarning(RuntimeWarning):
    """MCMC draws that should not be trusted as they are (r_hat, divergences, low ESS)."""


#: r_hat above this is a warning (Vehtari et al. 2021)
RHAT_MAX = 1.01
#: bulk or tail ESS below this (over all chains) is a warning
ESS_MIN = 400


@dataclass(frozen=True)
class Diagnostics:
    """Worst-case convergence statistics over every saved parameter.

    Attributes
    ----------
    max_r_hat, min_ess_bulk, min_ess_tail : float
    worst_r_hat, worst_ess : str
        Parameters attaining them, e.g. ``B[yield_10y.l1, yield_10y]``.
    divergences : int
        Divergent transitions after tuning (NUTS); 0 for samplers without the notion.
    draws, chains : int
    seconds : float
        Wall time of sampling (tuning included, compilation excluded when known).
    table : pandas.DataFrame
        ``arviz.summary(kind="diagnostics")``: one row per scalar parameter.
    """

    max_r_hat: float
    min_ess_bulk: float
    min_ess_tail: float
    worst_r_hat: str
    worst_ess: str
    divergences: int
    draws: int
    chains: int
    seconds: float
    table: pd.DataFrame

    def warnings(self) -> list[str]:
        """Problems worth telling the user about, each with advice."""
        out = []
        if self.divergences:
            out.append(
                f"{self.divergences} divergent transition(s) after tuning: the sampler missed "
                "part of the posterior, so estimates may be biased. Raise target_accept "
                "(prior.inference.target_accept, e.g. 0.95-0.99), lengthen --tune, or simplify "
                "the model (fixed nu, no stochastic volatility, hyperparameters: optimise)"
            )
        if not self.max_r_hat <= RHAT_MAX:
            out.append(
                f"r_hat up to {self.max_r_hat:.3f} (> {RHAT_MAX}; worst {self.worst_r_hat}): "
                "the chains disagree. Run longer (--draws, --tune) or more chains (--chains) "
                "before using these draws"
            )
        if not min(self.min_ess_bulk, self.min_ess_tail) >= ESS_MIN:
            out.append(
                f"effective sample size as low as {min(self.min_ess_bulk, self.min_ess_tail):.0f}"
                f" (worst {self.worst_ess}): tail quantiles and event probabilities are noisy. "
                "Increase --draws"
            )
        return out

    def __str__(self) -> str:
        return (
            f"{self.chains} chain(s) x {self.draws} draws in {self.seconds:.1f} s; "
            f"max r_hat {self.max_r_hat:.4f}; min ESS bulk {self.min_ess_bulk:.0f}, "
            f"tail {self.min_ess_tail:.0f}; divergences {self.divergences}"
        )


def compute(posterior: xr.Dataset, diverging=None, seconds: float = float("nan")) -> Diagnostics:
    """Diagnostics for a posterior Dataset with dims ``(chain, draw, ...)``.

    Parameters
    ----------
    posterior : xarray.Dataset
    diverging : array-like of bool, optional
        ``sample_stats.diverging`` (chain, draw).
    seconds : float
        Sampling wall time, recorded as is.
    """
    return _from_table(_summary_table(posterior), posterior, diverging, seconds)


def compute_many(
    posteriors: Sequence[xr.Dataset], seconds: float = float("nan"), workers: int | None = None
) -> list[Diagnostics]:
    """:func:`compute` for several posteriors, their parameters shared out over processes.

    ArviZ computes r_hat and ESS parameter by parameter (a few ms each), so the hundreds of
    parameters of a censored fit take seconds; they are independent, so the processes summarise
    contiguous blocks of them and the tables are joined in order. The result equals
    ``[compute(p, seconds=seconds) for p in posteriors]`` exactly.

    Parameters
    ----------
    posteriors : sequence of xarray.Dataset
    seconds : float
        Sampling wall time, recorded in each.
    workers : int, optional
        Processes (default: 2, or 1 inside a daemonic process such as a Dask worker, which
        may not start children).
    """
    import multiprocessing

    import arviz_stats  # noqa: F401  (imported once here, not in every forked worker)

    from fiscalcliff.model.mcmc.blas import default_cores, single_blas_thread

    if workers is None:
        workers = 1 if multiprocessing.current_process().daemon else default_cores(2)
    # a few pieces per worker, handed out as workers free up: the cost per parameter varies
    # (slowly mixing ones take longer), so equal halves would leave one worker waiting
    pieces = [_split(p, 1 if workers == 1 else 4 * workers) for p in posteriors]
    flat = [piece for group in pieces for piece in group]
    if workers == 1 or len(flat) == 1:
        tables = [_summary_table(piece) for piece in flat]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with single_blas_thread():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                tables = list(pool.map(_summary_table, flat))
    import pandas as pd

    out, start = [], 0
    for posterior, group in zip(posteriors, pieces, strict=True):
        table = pd.concat(tables[start : start + len(group)])
        start += len(group)
        out.append(_from_table(table, posterior, None, seconds))
    return out


def _split(posterior: xr.Dataset, parts: int) -> list[xr.Dataset]:
    """``posterior`` as up to ``parts`` Datasets of contiguous parameters (in summary order):
    each variable is cut, if at all, along its first parameter dimension."""
    rows = []  # (variable, its first parameter dimension or None, row, parameters in the row)
    for name, var in posterior.data_vars.items():
        extra = [d for d in var.dims if d not in ("chain", "draw")]
        if not extra:
            rows.append((name, None, 0, 1))
            continue
        per_row = int(np.prod([var.sizes[d] for d in extra[1:]]))
        rows += [(name, extra[0], r, per_row) for r in range(var.sizes[extra[0]])]
    total = sum(r[3] for r in rows)
    if parts <= 1 or len(rows) < parts:
        return [posterior]
    # part of each row: by the running count of parameters before it
    before = np.cumsum([0] + [r[3] for r in rows[:-1]])
    part = np.minimum((before * parts) // total, parts - 1)
    out = []
    for p in range(parts):
        block: dict[str, xr.DataArray] = {}
        chosen = [rows[i] for i in np.flatnonzero(part == p)]
        for name in dict.fromkeys(r[0] for r in chosen):
            mine = [r for r in chosen if r[0] == name]
            var, dim = posterior[name], mine[0][1]
            if dim is not None and dim not in var.coords:  # keep positional labels as they were
                var = var.assign_coords({dim: np.arange(var.sizes[dim])})
            if dim is None or len(mine) == var.sizes[dim]:
                block[name] = var
            else:
                block[f"{name}@{mine[0][2]}"] = var.isel({dim: slice(mine[0][2], mine[-1][2] + 1)})
        if block:
            out.append(block)
    return [_dataset(b) for b in out]


def _dataset(block: dict) -> xr.Dataset:
    """A Dataset of variable slices, named as in the whole (``B@12`` is ``B`` from row 12)."""
    import xarray as xr

    ds = xr.Dataset({key: var for key, var in block.items()})
    ds.attrs["names"] = {key: key.split("@")[0] for key in block}
    return ds


def _summary_table(posterior: xr.Dataset) -> pd.DataFrame:
    """``arviz_stats.summary(kind="diagnostics")``, labels named after the whole posterior."""
    import arviz_stats as az

    table = az.summary(posterior, kind="diagnostics", round_to="none")
    names = posterior.attrs.get("names")
    if names:
        renames = {key: name for key, name in names.items() if key != name}
        table.index = [_relabel(label, renames) for label in table.index]
    return table


def _relabel(label: str, renames: dict[str, str]) -> str:
    head, bracket, rest = label.partition("[")
    return renames.get(head, head) + bracket + rest


def _from_table(table: pd.DataFrame, posterior: xr.Dataset, diverging, seconds) -> Diagnostics:
    r_hat = table["r_hat"].astype(float)
    ess = np.minimum(table["ess_bulk"].astype(float), table["ess_tail"].astype(float))
    # a parameter that never moves (e.g. a zero prior mean held exactly) has NaN diagnostics
    worst_r = r_hat.fillna(-np.inf).idxmax()
    worst_e = ess.fillna(np.inf).idxmin()
    return Diagnostics(
        max_r_hat=float(r_hat.max()),
        min_ess_bulk=float(table["ess_bulk"].min()),
        min_ess_tail=float(table["ess_tail"].min()),
        worst_r_hat=str(worst_r),
        worst_ess=str(worst_e),
        divergences=int(np.sum(diverging)) if diverging is not None else 0,
        draws=int(posterior.sizes["draw"]),
        chains=int(posterior.sizes["chain"]),
        seconds=float(seconds),
        table=table,
    )
