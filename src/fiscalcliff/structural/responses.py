"""Structural impulse responses and forecast-error variance decompositions, per draw."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff import dims

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults, PosteriorSample

#: dims of a response array
SHOCK, HORIZON = "shock", "horizon"


def series_weights(results: BVARResults) -> tuple[list[str], np.ndarray]:
    """Names and weights ``(V, K)`` over the endogenous variables of every reported series:
    the endogenous variables, then the identities."""
    k = len(results.endogenous)
    names = [*results.endogenous, *(i.target for i in results.identities)]
    weights = np.vstack([np.eye(k), *(i.weights[None, :] for i in results.identities)])
    return names, weights


def structural_responses(sample: PosteriorSample, layout, horizon: int) -> np.ndarray:
    """``Theta_s = Psi_s A`` for ``s = 0..horizon``: shape (n, horizon + 1, K, K), entry
    ``[d, s, i, j]`` the response of variable ``i`` after ``s`` months to a one-sd shock ``j``."""
    from fiscalcliff.model.dynamics import impulse_responses as reduced_form

    psi = reduced_form(sample.b, layout, horizon + 1)
    return psi @ sample.sigma_root[:, None]


def variance_shares(responses: np.ndarray) -> np.ndarray:
    """Forecast-error variance shares from structural responses.

    Parameters
    ----------
    responses : ndarray, shape (..., J, V, H)
        Response of series ``v`` at horizon ``s`` to shock ``j`` (orthogonal, unit variance).

    Returns
    -------
    ndarray, same shape
        ``sum_{r<=s} resp[j, v, r]^2 / sum_j sum_{r<=s} resp[j, v, r]^2`` (NaN where a series
        has no forecast-error variance, e.g. an identity of exogenous variables only).
    """
    cum = np.cumsum(responses**2, axis=-1)
    total = cum.sum(axis=-3, keepdims=True)
    return np.divide(cum, total, out=np.full_like(cum, np.nan), where=total > 0)


def _check(horizon: int, draws: int) -> None:
    from fiscalcliff.errors import InputError
    from fiscalcliff.limits import check_draws

    if not isinstance(horizon, int | np.integer) or not 0 <= horizon <= 600:
        raise InputError(f"horizon must be an integer from 0 to 600 months (got {horizon!r})")
    check_draws(draws, "draws")


def impulse_responses(
    results: BVARResults,
    *,
    horizon: int = 48,
    draws: int = 2000,
    seed: int = 0,
    with_fevd: bool = False,
) -> xr.Dataset:
    """Responses to one-standard-deviation structural shocks, with every posterior draw.

    Parameters
    ----------
    results : BVARResults
        A fitted model (exact, NUTS or censored; censored models respond in shadow units).
    horizon : int
        Last horizon in months (0 = impact).
    draws : int
        Posterior draws (resampled from the stored ones for MCMC and censored fits).
    seed : int
        Same seed, same draws.
    with_fevd : bool
        Also return the variance shares of :func:`fevd` from the same draws (one pass).

    Returns
    -------
    xarray.Dataset
        ``irf`` with dims ``(chain, draw, shock, variable, horizon)``, in the units of each
        variable (and ``fevd`` if asked); attrs record the identification, the prior file and
        the seed.
    """
    names, irf = _series_responses(results, horizon, draws, seed)
    arrays = {"irf": irf, **({"fevd": variance_shares(irf)} if with_fevd else {})}
    return _dataset(results, arrays, names, horizon, draws, seed, "impulse responses")


def fevd(
    results: BVARResults, *, horizon: int = 48, draws: int = 2000, seed: int = 0
) -> xr.Dataset:
    """Forecast-error variance decomposition: the share of each shock in the variance of the
    ``s+1``-month-ahead forecast error (``horizon`` 0 = one month ahead), per draw.

    Returns
    -------
    xarray.Dataset
        ``fevd`` with dims ``(chain, draw, shock, variable, horizon)``; shares sum to one over
        ``shock`` in every draw.
    """
    names, resp = _series_responses(results, horizon, draws, seed)
    share = variance_shares(resp)
    return _dataset(results, {"fevd": share}, names, horizon, draws, seed, "variance shares")


def _series_responses(
    results: BVARResults, horizon: int, draws: int, seed: int
) -> tuple[list[str], np.ndarray]:
    """Series names and their responses ``(n, J, V, H)`` for ``draws`` posterior draws."""
    _check(horizon, draws)
    sample = results.sample(draws, seed)
    theta = structural_responses(sample, results.layout, horizon)  # (n, H, K, J)
    names, weights = series_weights(results)
    return names, np.matmul(weights, theta).transpose(0, 3, 2, 1)


def _dataset(results, arrays, names, horizon, draws, seed, what) -> xr.Dataset:
    import xarray as xr

    data_vars = {
        key: ((dims.CHAIN, dims.DRAW, SHOCK, dims.VARIABLE, HORIZON), value[None])
        for key, value in arrays.items()
    }
    units = {n: results.panel.records[n].units for n in results.endogenous}
    ds = xr.Dataset(
        data_vars,
        coords={
            dims.CHAIN: [0],
            dims.DRAW: np.arange(draws),
            SHOCK: list(results.shocks),
            dims.VARIABLE: names,
            HORIZON: np.arange(horizon + 1),
        },
    )
    ds.attrs.update(provenance_attrs(results, draws=draws, seed=seed, what=what, units=units))
    return ds


def provenance_attrs(results, **extra) -> dict:
    """What produced a structural output (:func:`fiscalcliff.provenance.provenance_attrs`)."""
    from fiscalcliff.provenance import provenance_attrs as stamp

    spec = results.spec
    return stamp(
        identification=results.identification.scheme,
        zero_impacts=results.identification.zero_impacts(),
        sampler=results.sampler_label,
        prior_file=spec.source or "",
        prior_sha256=spec.source_sha256 or "",
        data_sha256=results.panel.data_hash,
        sample=f"{results.sample_start}..{results.sample_end}",
        **extra,
    )
