"""Minnesota moments and dummy observations in conjugate form.

Follows Giannone, Lenza & Primiceri (2015) and the R package BVAR (Kuschnig & Vashold 2021):

* prior mean: ``own_lag_mean`` on each variable's own first lag, zero elsewhere;
* prior variance of the coefficient on variable ``j`` at lag ``l`` in equation ``i``:
  ``lambda^2 / l^alpha * psi_i / psi_j`` (through ``Sigma ⊗ Omega`` with ``E[Sigma_ii] = psi_i``);
* exogenous variable ``x``: ``(lambda * exogenous_tightness_x)^2 * psi_i / s_x^2``;
* constant: ``constant_variance * psi_i`` (diffuse);
* sum-of-coefficients (``mu``) and single-unit-root (``delta``) dummy observations built from
  the mean of the pre-sample observations (Bańbura, Giannone & Reichlin 2010).

The conjugate Kronecker structure forces the cross-variable tightness to one; a different value
needs the non-conjugate (MCMC) path.
"""

from __future__ import annotations

import numpy as np

from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.niw import NIWPrior


def minnesota_prior(
    layout: LagLayout,
    *,
    tightness: float,
    lag_decay: float,
    psi: np.ndarray,
    own_lag_mean: np.ndarray,
    exog_scale: np.ndarray,
    exog_tightness: float | np.ndarray,
    constant_variance: float,
) -> NIWPrior:
    """Conjugate Minnesota prior moments.

    Parameters
    ----------
    layout : LagLayout
        Sizes and row layout of ``B``.
    tightness : float
        Overall tightness ``lambda``.
    lag_decay : float
        ``alpha``: prior standard deviations shrink like ``l^{-alpha/2}``.
    psi : ndarray, shape (K,)
        Diagonal of the inverse-Wishart scale (residual-variance scale of each variable).
    own_lag_mean : ndarray, shape (K,)
        Prior mean of each variable's own first-lag coefficient (1 = random walk).
    exog_scale : ndarray, shape (n_exog,)
        Standard deviation of each exogenous variable (puts its coefficient on a unit scale).
    exog_tightness : float or ndarray, shape (n_exog,)
        Tightness of exogenous coefficients relative to ``lambda`` (one value, or one per
        exogenous variable).
    constant_variance : float
        Prior variance factor of the intercept (large = diffuse).

    Returns
    -------
    NIWPrior
    """
    k, p = layout.n_endogenous, layout.lags
    dof = k + 2.0
    scale = dof - k - 1.0  # E[Sigma] = Psi / (d - K - 1)
    b = np.zeros((layout.n_regressors, k))
    first = layout.lag_slice.start
    b[first + np.arange(k), np.arange(k)] = own_lag_mean
    omega = np.empty(layout.n_regressors)
    if layout.constant:
        omega[0] = constant_variance * scale
    lags = np.repeat(np.arange(1, p + 1), k)
    omega[layout.lag_slice] = tightness**2 * scale / (lags**lag_decay * np.tile(psi, p))
    if layout.n_exogenous:
        omega[layout.exog_slice] = (tightness * exog_tightness) ** 2 * scale / exog_scale**2
    return NIWPrior(b=b, omega=omega, psi=np.diag(psi), dof=dof)


def dummy_observations(
    layout: LagLayout,
    presample: np.ndarray,
    presample_exog_mean: np.ndarray,
    *,
    sum_of_coefficients: float | None,
    single_unit_root: float | None,
    soc_variables: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sum-of-coefficients and single-unit-root dummy observations.

    Parameters
    ----------
    layout : LagLayout
    presample : ndarray, shape (p, K)
        The first ``p`` observations; their mean ``y0`` anchors the dummies.
    presample_exog_mean : ndarray, shape (n_exog,)
        Mean of the exogenous variables over the pre-sample.
    sum_of_coefficients : float or None
        ``mu``; ``None`` switches the sum-of-coefficients dummies off. Smaller is tighter.
    single_unit_root : float or None
        ``delta``; ``None`` switches the single-unit-root dummy off. Smaller is tighter.
    soc_variables : ndarray of int, optional
        Column indices of the variables that get a sum-of-coefficients row; ``None``: all.

    Returns
    -------
    Yd : ndarray, shape (n_dummy, K)
    Xd : ndarray, shape (n_dummy, M)
    """
    k, p = layout.n_endogenous, layout.lags
    y0 = presample.mean(axis=0)
    ys, xs = [], []
    if sum_of_coefficients is not None:
        # A variable whose pre-sample mean is exactly zero (e.g. ON RRP before the facility) would
        # give an all-zero row: pure pseudo-data about Sigma, no information on B. Leave it out.
        chosen = np.zeros(k, dtype=bool)
        chosen[np.arange(k) if soc_variables is None else soc_variables] = True
        active = np.flatnonzero((y0 != 0.0) & chosen)
        yd = np.diag(y0)[active] / sum_of_coefficients
        xd = np.zeros((active.size, layout.n_regressors))
        xd[:, layout.lag_slice] = np.tile(yd, p)
        ys.append(yd)
        xs.append(xd)
    if single_unit_root is not None:
        yd = y0[None, :] / single_unit_root
        xd = np.zeros((1, layout.n_regressors))
        if layout.constant:
            xd[0, 0] = 1.0 / single_unit_root
        xd[:, layout.lag_slice] = np.tile(yd, p)
        if layout.n_exogenous:
            xd[0, layout.exog_slice] = presample_exog_mean / single_unit_root
        ys.append(yd)
        xs.append(xd)
    if not ys:
        return np.zeros((0, k)), np.zeros((0, layout.n_regressors))
    return np.vstack(ys), np.vstack(xs)


def ar_residual_variance(series: np.ndarray, lags: int) -> np.ndarray:
    """Residual variance of a univariate AR(``lags``) with intercept, fitted by OLS per column.

    This is the usual data-based choice of ``psi`` (BVAR's ``psi`` "auto" mode).

    Parameters
    ----------
    series : ndarray, shape (N, K)

    Returns
    -------
    ndarray, shape (K,)
    """
    n, k = series.shape
    out = np.empty(k)
    for j in range(k):
        col = series[:, j]
        x = np.column_stack(
            [np.ones(n - lags)] + [col[lags - lag : n - lag] for lag in range(1, lags + 1)]
        )
        y = col[lags:]
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ coef
        out[j] = resid @ resid / max(len(y) - x.shape[1], 1)
    return out
