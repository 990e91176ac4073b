"""Historical decomposition: which structural shocks moved each series, month by month.

For a draw ``(B, A)`` and the estimation sample, the reduced-form residuals are
``u_t = y_t - B' x_t`` and the structural shocks ``e_t = A^{-1} u_t``. Because the VAR-X is
linear, ``y_t`` splits exactly into

- a *deterministic* part: the path from the pre-sample months with the constant and the
  observed exogenous variables and no shocks;
- one *contribution* per shock ``j``: the path the VAR produces from zero when only shock ``j``
  hits (its realised values ``e_{t,j}``), ``sum_s Theta_s[:, j] e_{t-s, j}``.

Both are computed by simulating the VAR forward (never by subtraction), so ``deterministic + sum
of contributions = data`` is a check, not a definition. Censored models decompose each draw's
shadow-completed data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fiscalcliff import dims
from fiscalcliff.structural.responses import SHOCK, provenance_attrs, series_weights

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from fiscalcliff.model.results import BVARResults


def _draws_and_data(results: BVARResults, draws: int, seed: int):
    """``(sample, data (n, N, K) or (N, K), exog (N, n_x) or None, months)``: the
    estimation sample with its pre-sample, and per-draw data for censored fits."""
    panel = results.panel
    frame = panel.frame
    exog = frame[list(results.exogenous)].to_numpy(float) if results.exogenous else None
    if hasattr(results, "sample_with_data"):  # censored: each draw's shadow-completed data
        sample, completed = results.sample_with_data(draws, seed)
        data = completed[:, : len(frame)]
    else:
        sample = results.sample(draws, seed)
        data = frame[list(results.endogenous)].to_numpy(float)
    return sample, data, exog, frame.index


def historical_decomposition(
    results: BVARResults, *, draws: int = 500, seed: int = 0
) -> xr.Dataset:
    """Decompose the estimation sample into a deterministic part and one part per shock.

    Parameters
    ----------
    results : BVARResults
        A fitted model (exact, NUTS or censored).
    draws : int
        Posterior draws (each decomposes the data with its own parameters and shocks).
    seed : int

    Returns
    -------
    xarray.Dataset
        ``contribution`` (chain, draw, shock, variable, date), ``deterministic`` (chain, draw,
        variable, date), ``data`` (chain, draw, variable, date: the observed series, or the
        shadow-completed ones of a censored draw) and ``shocks`` (chain, draw, shock, date: the
        structural shocks in standard deviations). Dates are the estimation sample after the
        pre-sample lags.
    """
    import xarray as xr

    from fiscalcliff.forecasting.paths import simulate_paths
    from fiscalcliff.structural.responses import _check

    _check(0, draws)
    sample, data, exog, months = _draws_and_data(results, draws, seed)
    layout = results.layout
    p, k = layout.lags, layout.n_endogenous
    n = sample.b.shape[0]
    data = np.broadcast_to(data, (n, *data.shape[-2:])) if data.ndim == 2 else data
    t = data.shape[1] - p
    # residuals and structural shocks of every draw
    blocks = [np.ones((n, t, 1))] if layout.constant else []
    blocks += [data[:, p - lag : p - lag + t] for lag in range(1, p + 1)]
    if exog is not None:
        blocks.append(np.broadcast_to(exog[p:], (n, t, exog.shape[1])))
    x = np.concatenate(blocks, axis=2)  # (n, t, M)
    resid = data[:, p:] - x @ sample.b
    shocks = np.linalg.solve(sample.sigma_root[:, None], resid[..., None])[..., 0]  # (n, t, J)
    # deterministic part: the pre-sample, the constant and the exogenous path, no shocks
    exog_future = None if exog is None else exog[p:]
    deterministic = simulate_paths(
        sample.b,
        sample.sigma_root,
        data[:, :p],
        np.zeros((t, 0)) if exog_future is None else exog_future,
        np.zeros((n, t, k)),
        layout,
    )
    # one path per shock from zero: no constant, no exogenous, no initial conditions
    j = sample.sigma_root.shape[-1]
    b0 = sample.b.copy()
    if layout.constant:
        b0[:, 0] = 0.0
    if layout.n_exogenous:
        b0[:, layout.exog_slice] = 0.0
    only = np.zeros((n, j, t, j))
    only[:, np.arange(j), :, np.arange(j)] = np.swapaxes(shocks, 1, 2).transpose(1, 0, 2)
    contrib = simulate_paths(
        np.repeat(b0, j, axis=0),
        np.repeat(sample.sigma_root, j, axis=0),
        np.zeros((p, k)),
        np.zeros((t, layout.n_exogenous)),
        only.reshape(n * j, t, j),
        layout,
    ).reshape(n, j, t, k)
    names, weights = series_weights(results)
    constants = np.zeros((len(names), t))
    for row, ident in enumerate(results.identities, start=k):
        constants[row] = (
            ident.exogenous_part(exog[p:]) if exog is not None else np.full(t, ident.constant)
        )
    as_series = lambda a: np.einsum("vk,...tk->...vt", weights, a, optimize=True)  # noqa: E731
    ds = xr.Dataset(
        {
            "contribution": (
                (dims.CHAIN, dims.DRAW, SHOCK, dims.VARIABLE, dims.DATE),
                as_series(contrib)[None],
            ),
            "deterministic": (
                (dims.CHAIN, dims.DRAW, dims.VARIABLE, dims.DATE),
                (as_series(deterministic) + constants)[None],
            ),
            "data": (
                (dims.CHAIN, dims.DRAW, dims.VARIABLE, dims.DATE),
                (as_series(data[:, p:]) + constants)[None],
            ),
            "shocks": ((dims.CHAIN, dims.DRAW, SHOCK, dims.DATE), np.swapaxes(shocks, 1, 2)[None]),
        },
        coords={
            dims.CHAIN: [0],
            dims.DRAW: np.arange(n),
            SHOCK: list(results.shocks),
            dims.VARIABLE: names,
            dims.DATE: months[p:].to_numpy(),
        },
    )
    ds.attrs.update(provenance_attrs(results, draws=n, seed=seed, what="historical decomposition"))
    return ds
