"""Convergence diagnostics of MCMC draws via ArviZ 1.x: r_hat, bulk/tail ESS, divergences."""

from __future__ import annotations

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
    import arviz_stats as az

    table = az.summary(posterior, kind="diagnostics", round_to="none")
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
