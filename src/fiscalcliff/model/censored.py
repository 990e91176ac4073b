"""Gibbs sampler of a VAR-X with censored variables, by data augmentation (arrays only).

A censored variable (ON RRP at zero, the policy rate and bill yields at the lower bound) is
observed as ``max(bound, shadow)``; at months where it sits at the bound its *shadow* value is
latent, known only to be at most the censoring threshold. Following Carriero, Clark, Marcellino
& Mertens (2025), "Forecasting with shadow-rate VARs", the VAR is written for the shadow values
(they enter the lags: the whole VAR lives in shadow space) and a Gibbs sampler alternates

1. ``(B, Sigma) | shadow data``: one exact draw of the conjugate Normal-inverse-Wishart posterior
   (:mod:`fiscalcliff.model.niw`) given the data with every latent cell filled in;
2. ``latent cells | B, Sigma, data``: each latent cell from its exact conditional, a univariate
   Gaussian truncated to its interval (``(-inf, threshold]`` for a censored cell, the real line
   for a missing cell of the ragged edge).

In step 2 all latent cells move jointly. Given ``(B, Sigma)`` the completed data are Gaussian
(the VAR likelihood is a quadratic form in them), so the latent cells given the observed ones are
Gaussian with a banded precision: cell ``(t, j)`` enters the residuals of months ``t .. t + p``
with loadings ``D_l[:, j]`` (``D_0 = I``, ``D_l = -A_l``), see :class:`_PairIndex`. Truncated to
the cells' intervals this law is sampled by exact Hamiltonian Monte Carlo (Pakman & Paninski
2014), started from the current values, ``sweeps`` trajectories per iteration: a valid Gibbs
step that moves whole runs of shadow values at once (single-site updates mix far too slowly
for shadow rates that stay below the bound for years).

The first ``p`` months (the pre-sample) are conditioned on as observed, censored or not. With no
latent cell the sampler reduces to i.i.d. draws of the exact posterior.

With Student-t errors or a common stochastic volatility (``prior.errors``, ``prior.volatility``)
month ``t``'s error covariance is ``v_t Sigma``; a third block draws the scales ``v_t``
(:mod:`fiscalcliff.model.error_scales`), and steps 1 and 2 weight month ``t`` by ``1 / v_t``
(the conjugate draw on rows scaled by ``v_t^-1/2``; the latent cells' precision and gradient
with per-month weights, :meth:`_PairIndex.weighted_precision`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from fiscalcliff.errors import ConfigError
from fiscalcliff.model import niw
from fiscalcliff.model.banded import band_cho_solve, band_cholesky, band_upper_solve
from fiscalcliff.model.design import LagLayout, companion_blocks, lagged_regressors
from fiscalcliff.model.equation_shrinkage import (
    CoefficientConditional,
    EquationShrinkage,
    coefficient_conditional,
    draw_sigma,
)
from fiscalcliff.model.error_scales import (
    ScaleSettings,
    ScaleState,
    draw_level_shift,
    level_shift_terms,
    update,
)
from fiscalcliff.model.stability import EXPLOSIVE_ROOT, max_root_modulus


@dataclass(frozen=True)
class LatentCells:
    """Which cells of the data are latent and the interval each must lie in.

    Attributes
    ----------
    rows, cols : ndarray of int, shape (n_latent,)
        Month index (into the data, ``>= p``) and variable index of each latent cell.
    lower, upper : ndarray, shape (n_latent,)
        Interval of each latent value (``-inf``/``inf`` for unbounded sides).
    """

    rows: np.ndarray
    cols: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def size(self) -> int:
        """Number of latent cells."""
        return int(self.rows.size)

    @classmethod
    def build(
        cls, data: np.ndarray, thresholds: dict[int, float], lags: int
    ) -> tuple[LatentCells, np.ndarray]:
        """Latent cells of ``data`` (N, K): censored cells (observed at or below the threshold of
        their column) and missing (NaN) cells, after the pre-sample.

        Returns
        -------
        cells : LatentCells
        start : ndarray, shape (N, K)
            ``data`` with each latent cell set to a feasible value: a censored cell to its
            observation (at most the threshold), a missing cell to the last value before it.
        """
        n, k = data.shape
        if np.isnan(data[:lags]).any():
            raise ValueError("the pre-sample (first p months) must be observed")
        start = data.copy()
        latent = np.zeros((n, k), dtype=bool)
        upper = np.full((n, k), np.inf)
        for j, c in thresholds.items():
            at = np.isfinite(data[:, j]) & (data[:, j] <= c)
            at[:lags] = False
            latent[:, j] |= at
            upper[at, j] = c
        missing = np.isnan(data)
        latent |= missing
        for j in range(k):  # feasible start for missing cells: the last value before them
            col = start[:, j]
            for t in np.flatnonzero(missing[:, j]):
                col[t] = min(col[t - 1], upper[t, j])
        rows, cols = np.nonzero(latent)
        return (
            cls(rows=rows, cols=cols, lower=np.full(rows.size, -np.inf), upper=upper[rows, cols]),
            start,
        )


@dataclass(frozen=True)
class GibbsDraws:
    """Retained draws of the censored Gibbs sampler, ``(chain, draw, ...)``.

    Attributes
    ----------
    b : ndarray, shape (C, D, M, K)
    sigma : ndarray, shape (C, D, K, K)
    latent : ndarray, shape (C, D, n_latent)
        The latent cells' values, in the order of :class:`LatentCells`.
    log_likelihood : ndarray, shape (C, D)
        Gaussian log likelihood of the shadow-completed data at the draw (after the pre-sample),
        given the draw's error scales.
    scales : dict of ndarray
        With Student-t errors or stochastic volatility (:mod:`fiscalcliff.model.error_scales`):
        ``lam`` and ``h`` (C, D, T) per residual month, ``nu``, ``phi`` and ``sd`` (C, D); and
        ``accepted`` (C, 5): the share of Metropolis proposals of ``h``, ``phi``, ``sd``, ``nu``
        and the joint level move of ``h`` and ``Sigma`` accepted over the chain (burn-in
        included). Empty otherwise.
    """

    b: np.ndarray
    sigma: np.ndarray
    latent: np.ndarray
    log_likelihood: np.ndarray
    scales: dict[str, np.ndarray] = field(default_factory=dict)


#: keys of :attr:`GibbsDraws.scales` stored per draw, and the acceptance counters' order
SCALE_DRAWS = ("lam", "h", "nu", "phi", "sd")
SCALE_BLOCKS = ("h", "phi", "sd", "nu", "level")


def _stacked_rows(
    data: np.ndarray,
    exog: np.ndarray | None,
    layout: LagLayout,
    dummies: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The regression rows ``(y, x)``: dummy observations on top of the data, month ``t``'s row
    scaled by ``sqrt(w_t)`` (its covariance is ``Sigma / w_t``)."""
    y, x = lagged_regressors(data, exog, layout.lags, layout.constant)
    if weights is not None:
        root = np.sqrt(weights)[:, None]
        y, x = y * root, x * root
    yd, xd = dummies
    return np.vstack([yd, y]), np.vstack([xd, x])


def _conjugate_posterior(
    data: np.ndarray,
    exog: np.ndarray | None,
    layout: LagLayout,
    prior: niw.NIWPrior,
    dummies: tuple[np.ndarray, np.ndarray],
    weights: np.ndarray | None = None,
) -> niw.NIWPosterior:
    """The conditional NIW posterior of ``(B, Sigma)`` given the completed data and the scales."""
    return niw.posterior(*_stacked_rows(data, exog, layout, dummies, weights), prior)


def _one_draw(post: niw.NIWPosterior, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    b, sigma, _ = post.sample(1, rng)
    return b[0], sigma[0]


def _coefficients_then_sigma(
    cond: CoefficientConditional,
    rows: tuple[np.ndarray, np.ndarray],
    prior: niw.NIWPrior,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Equations shrunk: ``B | Sigma`` from ``cond``, then ``Sigma | B`` (the truncation to
    stable ``B`` does not involve ``Sigma``, so redrawing both until ``B`` is stable draws the
    truncated ``B | Sigma`` and then ``Sigma`` given it)."""
    b = cond.draw(rng)
    y, x = rows
    return b, draw_sigma(y - x @ b, b, prior, rng)


def _residuals(data: np.ndarray, exog: np.ndarray | None, layout: LagLayout, b: np.ndarray):
    y, x = lagged_regressors(data, exog, layout.lags, layout.constant)
    return y - x @ b


class _PairIndex:
    """Fixed index arrays that assemble the latent cells' banded precision from lag blocks.

    For cells ``A = (t, j)`` and ``B = (t', j')`` with ``d = t' - t`` in ``0..p``, the joint
    precision entry is ``sum_{l=0}^{L} (D_{l+d}' Sigma^-1 D_l)[j, j']`` with ``D_0 = I``,
    ``D_l = -A_l`` and ``L = min(p - d, N - 1 - t')`` (the residuals that exist). Cells are in
    month order, so cells more than ``p`` months apart never interact and the precision is
    banded: it is assembled and factorised in LAPACK's upper band storage,
    ``band[u + i - j, j] = Q[i, j]`` for ``i <= j <= i + u``, with ``u`` the bandwidth.
    """

    def __init__(self, cells: LatentCells, n: int, lags: int, k: int) -> None:
        r, c = cells.rows, cells.cols
        size = cells.size
        if size and np.any(np.diff(r) < 0):
            raise ValueError("latent cells must be in month order")
        index = np.arange(size)
        reach = np.searchsorted(r, r + lags, side="right") - 1  # last cell within p months
        self.bandwidth = int((reach - index).max()) if size else 0
        u = self.bandwidth
        # band[u - s, j] pairs cell j with the cell s places before it, i = j - s
        s = np.arange(u + 1)[:, None]
        later = np.broadcast_to(index[None, :], (u + 1, size))
        earlier = later - s
        ok = earlier >= 0
        earlier = np.where(ok, earlier, 0)
        d = r[later] - r[earlier]
        ok &= d <= lags
        last = np.minimum(lags - d, n - 1 - r[later])
        flat = ((d * (lags + 1) + last) * k + c[earlier]) * k + c[later]
        sentinel = (lags + 1) * (lags + 1) * k * k  # an appended zero
        self.band_index = np.where(ok, flat, sentinel)[::-1]  # row u - s holds offset s
        # per residual month (for month-varying weights): term l of the sum pairs D_{l+d} with
        # D_l in the residual of month r[later] + l, i.e. residual row r[later] - p + l
        terms = np.arange(lags + 1)[:, None, None]
        use = ok & (terms <= last)
        term_flat = (((d + terms) * (lags + 1) + terms) * k + c[earlier]) * k + c[later]
        self.term_index = np.where(use, term_flat, (lags + 1) ** 2 * k * k)[:, ::-1]
        self.term_rows = np.where(use, r[later] - lags + terms, 0)[:, ::-1]
        self.rows = (r - lags)[:, None] + np.arange(lags + 1)  # residual rows of each cell
        self.valid = self.rows < n - lags
        self.bounded = np.flatnonzero(np.isfinite(cells.upper))

    def precision(self, g: np.ndarray) -> np.ndarray:
        """The latent cells' precision in upper band storage, ``(u + 1, n_latent)``, from the
        cumulative lag products ``g`` of :func:`_lag_products`."""
        return np.append(g.ravel(), 0.0)[self.band_index]

    def weighted_precision(self, prod: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The precision in upper band storage when residual month ``t`` has covariance
        ``Sigma / weights[t]``, from the lag products ``prod[a, b] = D_a' Sigma^-1 D_b``."""
        values = np.append(prod.ravel(), 0.0)[self.term_index]
        return np.einsum("lij,lij->ij", values, weights[self.term_rows])


def _lag_products(b: np.ndarray, sigma_inv: np.ndarray, layout: LagLayout):
    """``D_l`` (p+1, K, K), cumulative ``G[d, L] = sum_{l<=L} D_{l+d}' S D_l`` and the
    products ``P[a, b] = D_a' S D_b`` themselves."""
    p, k = layout.lags, layout.n_endogenous
    dmat = np.empty((p + 1, k, k))
    dmat[0] = np.eye(k)
    dmat[1:] = -companion_blocks(b, layout)
    sd = sigma_inv @ dmat  # S D_b
    prod = np.einsum("aki,bkj->abij", dmat, sd)  # D_a' S D_b
    g = np.zeros((p + 1, p + 1, k, k))
    for d in range(p + 1):
        terms = prod[np.arange(d, p + 1), np.arange(0, p + 1 - d)]  # l = 0..p-d
        g[d, : p + 1 - d] = np.cumsum(terms, axis=0)
    return dmat, g, prod


class BandedGaussian:
    """A Gaussian's precision ``Q = U'U`` factorised in upper band storage, with the columns of
    its covariance ``S = Q^-1`` computed on demand (and kept) for exact HMC's reflections."""

    def __init__(self, band: np.ndarray) -> None:
        self.factor = band_cholesky(band)
        self._columns: dict[int, np.ndarray] = {}

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``Q^-1 rhs``."""
        return band_cho_solve(self.factor, rhs)

    def velocity(self, z: np.ndarray) -> np.ndarray:
        """``U^-1 z``: a draw of ``N(0, Q^-1)`` from standard normals ``z``."""
        return band_upper_solve(self.factor, z)

    def column(self, i: int) -> np.ndarray:
        """Column ``i`` of the covariance ``Q^-1``."""
        col = self._columns.get(i)
        if col is None:
            unit = np.zeros(self.factor.shape[1])
            unit[i] = 1.0
            col = self._columns[i] = self.solve(unit)
        return col


def _latent_draw(
    state: np.ndarray,
    resid: np.ndarray,
    b: np.ndarray,
    sigma_inv: np.ndarray,
    cells: LatentCells,
    pairs: _PairIndex,
    layout: LagLayout,
    rng: np.random.Generator,
    trajectories: int,
    weights: np.ndarray | None = None,
) -> None:
    """Move all latent cells of one chain jointly, in place: their conditional law given
    ``(B, Sigma)`` (and the months' error scales, ``weights = 1 / v_t``) and the data is a
    Gaussian truncated to the cells' intervals, sampled by exact Hamiltonian Monte Carlo
    (Pakman & Paninski 2014) from the current values."""
    p, k = layout.lags, layout.n_endogenous
    dmat, g, prod = _lag_products(b, sigma_inv, layout)
    if weights is None:
        law = BandedGaussian(pairs.precision(g))
        f = resid @ sigma_inv
    else:
        law = BandedGaussian(pairs.weighted_precision(prod, weights))
        f = (resid @ sigma_inv) * weights[:, None]
    # gradient of the quadratic form in the latent cells at the current values
    f = np.concatenate([f, np.zeros((p, k))])
    cols = np.swapaxes(dmat, 1, 2)[:, cells.cols]  # (p+1, n_latent, K): D_l[:, j]
    grad = np.einsum("ilk,lik->i", f[pairs.rows] * pairs.valid[..., None], cols)
    x = state[cells.rows, cells.cols]
    mean = x - law.solve(grad)
    bounded = pairs.bounded
    offset = x - mean
    for _ in range(trajectories if bounded.size else 1):
        w = law.velocity(rng.standard_normal(x.size))  # velocity ~ N(0, Q^-1)
        if not bounded.size:  # a missing-data draw only: the exact Gaussian draw
            offset = w
            break
        offset = exact_hmc(offset, w, cells.upper - mean, bounded, law.column)
    new = np.minimum(mean + offset, cells.upper)  # rounding at a wall
    state[cells.rows, cells.cols] = new


#: explosive coefficient draws in a row after which ``stationary`` sampling gives up
STATIONARY_MAX_TRIES = 1000

#: total time of one exact-HMC trajectory (Pakman & Paninski recommend pi/2)
HMC_TIME = np.pi / 2
#: walls hit within one trajectory before giving up (a guard; never reached in practice)
HMC_MAX_BOUNCES = 100_000


def exact_hmc(
    offset: np.ndarray,
    velocity: np.ndarray,
    room: np.ndarray,
    bounded: np.ndarray,
    cov_column: Callable[[int], np.ndarray],
) -> np.ndarray:
    """One trajectory of exact HMC for ``N(0, Q^-1)`` truncated to ``x[bounded] <= room``.

    Pakman & Paninski (2014), "Exact Hamiltonian Monte Carlo for truncated multivariate
    Gaussians", JCGS 23(2), written in the original coordinates: the Hamiltonian flow is
    ``x(t) = x cos t + w sin t`` with the velocity ``w ~ N(0, Q^-1)`` drawn afresh; where
    ``x_i`` reaches its wall, ``w`` is reflected off it in the metric of the law,
    ``w <- w - 2 (w_i / S_ii) S[:, i]`` with ``S = Q^-1``, whose column ``i`` is
    ``cov_column(i)`` (only the walls hit are needed). The position after time
    ``pi/2`` is a draw of a Markov chain that leaves the truncated law invariant (no
    accept-reject step). ``offset`` must be feasible.
    """
    x, w = offset.copy(), velocity.copy()
    h = room[bounded]
    left, wall = HMC_TIME, -1
    for _ in range(HMC_MAX_BOUNCES):
        xb, wb = x[bounded], w[bounded]
        u = np.hypot(xb, wb)  # x_i(t) = u cos(t - phi)
        reach = u > h
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.arccos(np.clip(h / np.where(reach, u, 1.0), -1.0, 1.0))
        hit = np.where(reach, np.mod(np.arctan2(wb, xb) - alpha, 2 * np.pi), np.inf)
        # on a wall and moving out (e.g. a start clipped onto it): reflect at once; a wall
        # being left (moving in) is not hit again at t = 0
        outward = (xb >= h) & (wb > 0)
        hit[hit < 1e-12] = np.inf
        hit[outward] = 0.0
        if wall >= 0 and hit[wall] > 2 * np.pi - 1e-9:  # the wall just left, a turn away
            hit[wall] = np.inf
        wall = int(np.argmin(hit))
        t = hit[wall]
        if t >= left:
            return x * np.cos(left) + w * np.sin(left)
        x, w = x * np.cos(t) + w * np.sin(t), w * np.cos(t) - x * np.sin(t)
        left -= t
        i = int(bounded[wall])
        col = cov_column(i)
        w = w - 2.0 * (w[i] / col[i]) * col
        x[i] = min(x[i], h[wall])
    raise RuntimeError("exact HMC: too many wall hits in one trajectory")


def gibbs(
    data: np.ndarray,
    exog: np.ndarray | None,
    cells: LatentCells,
    start: np.ndarray,
    layout: LagLayout,
    prior: niw.NIWPrior,
    dummies: tuple[np.ndarray, np.ndarray],
    *,
    draws: int,
    tune: int,
    chains: int,
    sweeps: int = 1,
    seed: int = 0,
    scales: ScaleSettings | None = None,
    progress: Callable[[str], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    stationary: bool = False,
    shrinkage: EquationShrinkage | None = None,
) -> GibbsDraws:
    """Run the data-augmentation Gibbs sampler.

    Chains are independent (seeded by ``SeedSequence(seed).spawn(chains)``, so the draws do not
    depend on how they are scheduled) and run in up to two processes with one BLAS thread each
    (small matrices: threading only costs here). Chain 0 starts from the data; the others from
    over-dispersed shadow values (each latent cell lowered by a random half standard deviation
    of its variable), so that r_hat can detect a chain stuck where it started.

    Parameters
    ----------
    data : ndarray, shape (N, K)
        Observations (censored cells at their observed value, missing cells NaN).
    exog : ndarray, shape (N, n_exog) or None
        Exogenous values (all observed).
    cells, start : see :meth:`LatentCells.build`
    layout : LagLayout
    prior : NIWPrior
        Conjugate prior (fixed hyperparameters).
    dummies : (yd, xd)
        Dummy observations stacked on top of the data (may have zero rows).
    draws, tune, chains : int
        Retained draws and burn-in iterations per chain; number of chains.
    sweeps : int
        Exact-HMC trajectories over the latent cells per iteration.
    seed : int
    scales : ScaleSettings, optional
        Student-t errors and/or common stochastic volatility
        (:mod:`fiscalcliff.model.error_scales`), drawn as one more Gibbs block; None or
        inactive: Gaussian errors with a constant covariance.
    progress : callable, optional
    meanwhile : callable, optional
        Run here while the chain processes sample (e.g. imports the next step needs); after
        them when the chains run in this process.
    stationary : bool
        The prior truncated to stable coefficients (every companion root of modulus at most
        one; Cogley & Sargent 2005): ``(B, Sigma)`` is drawn from its conditional again until
        ``B`` is stable, an exact draw of the truncated conditional. After
        :data:`STATIONARY_MAX_TRIES` explosive draws in a row it stops with a ConfigError.
    shrinkage : EquationShrinkage, optional
        ``prior`` times an extra Gaussian factor on chosen equations' coefficients
        (:mod:`fiscalcliff.model.equation_shrinkage`): each iteration draws ``B | Sigma``
        (again until stable when ``stationary``) and then ``Sigma | B``.

    Returns
    -------
    GibbsDraws
    """
    import multiprocessing

    from fiscalcliff.model.mcmc.blas import default_cores, single_blas_thread

    seqs = np.random.SeedSequence(seed).spawn(chains)
    inputs = _ChainInputs(
        data,
        exog,
        cells,
        start,
        layout,
        prior,
        dummies,
        draws,
        tune,
        sweeps,
        scales,
        stationary,
        shrinkage,
    )
    jobs = [(inputs, seqs[c], c) for c in range(chains)]
    if progress:
        progress(f"censored Gibbs sampler: {chains} chain(s) x {tune} + {draws} iterations")
    with single_blas_thread():
        workers = default_cores(chains)
        if multiprocessing.current_process().daemon:  # e.g. a Dask worker: no children
            workers = 1
        if workers == 1:
            parts = [_chain(job) for job in jobs]
            if meanwhile is not None:
                meanwhile()
        else:
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                running = pool.map(_chain, jobs)
                if meanwhile is not None:
                    meanwhile()
                parts = list(running)
    arrays = [np.stack(x) for x in zip(*(part[:4] for part in parts), strict=True)]
    kept = {name: np.stack([part[4][name] for part in parts]) for name in parts[0][4]}
    return GibbsDraws(*arrays, scales=kept)


@dataclass(frozen=True)
class _ChainInputs:
    """What every chain of one :func:`gibbs` run shares (arguments of the same names there)."""

    data: np.ndarray
    exog: np.ndarray | None
    cells: LatentCells
    start: np.ndarray
    layout: LagLayout
    prior: niw.NIWPrior
    dummies: tuple[np.ndarray, np.ndarray]
    draws: int
    tune: int
    sweeps: int
    scales: ScaleSettings | None
    stationary: bool
    shrinkage: EquationShrinkage | None = None


def _chain(job) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """One chain ``(inputs, seed sequence, index)``: retained ``(B, Sigma, latent values, log
    likelihood, scale draws)``."""
    inputs, seq, index = job
    data, exog, cells, start = inputs.data, inputs.exog, inputs.cells, inputs.start
    layout, prior, dummies = inputs.layout, inputs.prior, inputs.dummies
    draws, tune, sweeps, sc = inputs.draws, inputs.tune, inputs.sweeps, inputs.scales
    stable, shrink = inputs.stationary, inputs.shrinkage
    m, k = layout.n_regressors, layout.n_endogenous
    rng = np.random.default_rng(seq)
    scaled = sc is not None and sc.active
    n_resid = data.shape[0] - layout.lags
    state_scales = ScaleState.start(sc, n_resid, rng) if scaled else None
    out_sc = {}
    if scaled:
        out_sc = {n: np.empty((draws, n_resid)) for n in ("lam", "h")}
        out_sc |= {n: np.empty(draws) for n in ("nu", "phi", "sd")}
    pairs = _PairIndex(cells, data.shape[0], layout.lags, k)
    state = start.copy()
    if cells.size and index > 0:
        scale = np.nanstd(data, axis=0)[cells.cols]
        shift = np.abs(rng.standard_normal(cells.size)) * scale * 0.5
        state[cells.rows, cells.cols] = np.maximum(
            state[cells.rows, cells.cols] - shift, cells.lower
        )
    out_b = np.empty((draws, m, k))
    out_s = np.empty((draws, k, k))
    out_l = np.empty((draws, cells.size))
    out_ll = np.empty(draws)
    if shrink is not None:  # B | Sigma comes first: start from the prior mean of Sigma
        sigma_inv = np.linalg.inv(prior.psi / max(prior.dof - k - 1.0, 1.0))
    for it in range(tune + draws):
        weights = state_scales.weights if scaled else None
        if shrink is None:
            post = _conjugate_posterior(state, exog, layout, prior, dummies, weights)
            redraw = partial(_one_draw, post)
        else:
            rows = _stacked_rows(state, exog, layout, dummies, weights)
            cond = coefficient_conditional(*rows, sigma_inv, shrink)
            redraw = partial(_coefficients_then_sigma, cond, rows, prior)
        b, sigma = redraw(rng)
        tries = 1
        while stable and max_root_modulus(b[None], layout)[0] > EXPLOSIVE_ROOT:
            if tries >= STATIONARY_MAX_TRIES:
                raise ConfigError(
                    f"prior.stationary: {tries} draws of the coefficients in a row were "
                    f"explosive (largest companion root above {EXPLOSIVE_ROOT:g}) in iteration "
                    f"{it} of chain {index}: the data put almost no weight on stable dynamics "
                    "under this prior; set prior.stationary: false"
                )
            b, sigma = redraw(rng)  # the same conditional: only the draw again
            tries += 1
        sigma_inv = np.linalg.inv(sigma)
        sigma_inv = 0.5 * (sigma_inv + sigma_inv.T)
        if cells.size:
            resid = _residuals(state, exog, layout, b)
            _latent_draw(state, resid, b, sigma_inv, cells, pairs, layout, rng, sweeps, weights)
        resid = None  # the residuals after this iteration's latent draw, once needed
        if scaled:
            resid = _residuals(state, exog, layout, b)
            update(state_scales, np.einsum("tk,kl,tl->t", resid, sigma_inv, resid), k, sc, rng)
            if sc.stochastic:
                shift = _level_shift(state_scales, b, sigma_inv, prior, dummies, rng)
                sigma, sigma_inv = sigma * np.exp(-shift), sigma_inv * np.exp(shift)
        if it >= tune:
            d = it - tune
            out_b[d], out_s[d] = b, sigma
            out_l[d] = state[cells.rows, cells.cols]
            scale = state_scales.scale if scaled else None
            if resid is None:
                resid = _residuals(state, exog, layout, b)
            out_ll[d] = _log_likelihood(resid, sigma, sigma_inv, scale)
            if scaled:
                s_ = state_scales
                out_sc["lam"][d], out_sc["h"][d] = s_.lam, s_.h
                out_sc["nu"][d], out_sc["phi"][d], out_sc["sd"][d] = s_.nu, s_.phi, s_.sd
    if scaled:
        counts = [state_scales.accepted[n] for n in SCALE_BLOCKS]
        out_sc["accepted"] = np.array(counts, float) / (tune + draws)
    return out_b, out_s, out_l, out_ll, out_sc


def _level_shift(
    state: ScaleState,
    b: np.ndarray,
    sigma_inv: np.ndarray,
    prior: niw.NIWPrior,
    dummies: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> float:
    """Move ``h``'s level and ``Sigma``'s scale together (in place for ``h``; returns the shift
    ``c``, ``Sigma`` becoming ``exp(-c) Sigma``), see :func:`error_scales.draw_level_shift`.
    An :class:`EquationShrinkage` factor does not involve ``Sigma``: the same terms."""
    yd, xd = dummies
    slope, trace = level_shift_terms(
        sigma_inv, b, prior.b, prior.omega, prior.psi, prior.dof, yd - xd @ b
    )
    shift, ok = draw_level_shift(state.h, state.phi, state.sd, slope, trace, rng)
    state.h = state.h + shift
    state.accepted["level"] += ok
    return shift


def _log_likelihood(
    resid: np.ndarray, sigma: np.ndarray, sigma_inv: np.ndarray, scale: np.ndarray | None = None
) -> float:
    """Gaussian log likelihood of the residuals, month ``t`` with covariance ``scale[t] Sigma``."""
    t, k = resid.shape
    _, logdet = np.linalg.slogdet(sigma)
    if scale is None:
        quad = np.einsum("tk,kl,tl->", resid, sigma_inv, resid)
        return -0.5 * (t * k * np.log(2 * np.pi) + t * logdet + quad)
    quad = np.einsum("tk,kl,tl->t", resid, sigma_inv, resid)
    return -0.5 * (
        t * k * np.log(2 * np.pi) + t * logdet + k * np.log(scale).sum() + (quad / scale).sum()
    )


def complete(data: np.ndarray, cells: LatentCells, latent: np.ndarray) -> np.ndarray:
    """The data with latent cells filled: ``(..., N, K)`` from latent values ``(..., n_latent)``."""
    out = np.broadcast_to(data, (*latent.shape[:-1], *data.shape)).copy()
    out[..., cells.rows, cells.cols] = latent
    return out
