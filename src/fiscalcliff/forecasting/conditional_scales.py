"""The future months' error scales given a scenario's hard and soft conditions.

With Student-t errors or stochastic volatility the shock of forecast month ``s`` is
``sqrt(v_s) C z_s``, with ``v_s`` a random scale (:class:`~fiscalcliff.model.error_scales.
FutureScales`). A condition on the path says something about the scales: a $700bn fall of the TGA
in one month is far more likely in a month of large scale than in a calm one. Drawing the scales
from their unconditional law and then conditioning the Gaussian shocks given them would mix over
the scales with the wrong weights: calm months would be forced to carry large moves, with shocks
many standard deviations from zero.

So each posterior draw chooses its scale path by sampling–importance–resampling (Rubin 1988):
``M`` candidate paths from the unconditional law (the first is the draw's unconditional path,
shared by every scenario), each weighted by the Gaussian likelihood of the conditions given it,

``p(R y = r | v) = N(r; mu + G_v z_fixed, G_v G_v' + S)``,

where ``mu`` is the path's mean given the draw's parameters, ``G_v`` the conditions' loadings on
the shocks the scenario leaves random (scaled by ``sqrt(v)``), ``z_fixed`` the shocks the scenario
sets and ``S`` the soft conditions' variances. The chosen path is a draw from the scales'
conditional law given the conditions, exactly so as ``M`` grows. The Gaussian shocks are then
conditioned given it (:func:`~fiscalcliff.forecasting.conditional.condition_shocks`). Bounds do
not enter the weights: they are imposed given the chosen scales.

Candidates are generated per chunk of draws from a seed fixed by the caller, so every scenario
of a run sees the same candidates (common random numbers): two scenarios differ in the chosen
scale of a draw only through their conditions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.forecasting.irf import constraint_loadings
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.error_scales import FutureScales

#: candidate scale paths per draw (the first: the draw's unconditional path)
CANDIDATES = 32
#: per-chunk budget for the (draws, candidates, m, m) Gram matrices, in float64 entries
_CHUNK_ENTRIES = 2_000_000


@dataclass(frozen=True)
class ScaleChoice:
    """The chosen scale paths and how informative the conditions were about them.

    Attributes
    ----------
    scale : ndarray, shape (n, h)
        Each draw's chosen path of month scales.
    ess : ndarray, shape (n,)
        Effective sample size ``1 / sum w^2`` of each draw's normalised weights over the
        candidates: near the number of candidates when the conditions say little about the
        scales, near 1 when one candidate dominates (then more candidates would sharpen it).
    """

    scale: np.ndarray
    ess: np.ndarray

    def summary(self) -> dict:
        """Candidates and the median and 5% quantile of the per-draw ESS, for output notes."""
        return {
            "candidates": CANDIDATES,
            "ess_median": round(float(np.median(self.ess)), 2),
            "ess_q05": round(float(np.quantile(self.ess, 0.05)), 2),
        }


def condition_scales(
    rows: np.ndarray,
    targets: np.ndarray,
    soft_var: np.ndarray,
    paths: np.ndarray,
    shocks: np.ndarray,
    scale: np.ndarray,
    scales: FutureScales,
    b: np.ndarray,
    sigma_root: np.ndarray,
    layout: LagLayout,
    seed: np.random.SeedSequence,
    *,
    fixed: np.ndarray | None = None,
    psi: np.ndarray | None = None,
    candidates: int = CANDIDATES,
) -> ScaleChoice:
    """Draw each draw's future month scales given linear conditions on its path.

    Parameters
    ----------
    rows : ndarray, shape (m, h*K)
        The hard and soft conditions' rows on ``vec(y)`` (date-major).
    targets : ndarray, shape (m,) or (n, m)
        Their values (the soft conditions' means).
    soft_var : ndarray, shape (m,)
        Variance of each condition's value: 0 for hard conditions, ``sd**2`` for soft ones.
    paths : ndarray, shape (n, h, K)
        Paths simulated with ``shocks`` and ``scale``.
    shocks : ndarray, shape (n, h, K)
        Their standard-normal shocks (the set ones included).
    scale : ndarray, shape (n, h)
        The unconditional scale paths they were simulated with (candidate 0).
    scales : FutureScales
        The law of each draw's future scales.
    b, sigma_root : ndarray
        Coefficient draws ``(n, M, K)`` and ``C`` with ``C C' = Sigma`` ``(n, K, K)``.
    layout : LagLayout
    seed : numpy.random.SeedSequence
        Source of the other candidates and of the choice (the same in every scenario).
    fixed : ndarray of bool, shape (h, K), optional
        Shocks the scenario sets (not random).
    psi : ndarray, shape (n, h, K, K), optional
        The draws' impulse responses, when the caller has them.
    candidates : int
        Candidate paths per draw.

    Returns
    -------
    ScaleChoice
    """
    n, h, k = shocks.shape
    m = rows.shape[0]
    targets = np.broadcast_to(np.asarray(targets, dtype=float), (n, m))
    random = np.ones((h, k)) if fixed is None else (~np.asarray(fixed, bool)).astype(float)
    chunk = max(1, _CHUNK_ENTRIES // max(1, candidates * m * m))
    chosen = np.empty((n, h))
    ess = np.empty(n)
    for number, start in enumerate(range(0, n, chunk)):
        part = slice(start, start + chunk)
        rng = np.random.default_rng(
            np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, number))
        )
        others = [scales.take(part).draw(h, rng) for _ in range(candidates - 1)]
        cand = np.stack([scale[part], *others], axis=1)  # (c, M, h)
        loadings = constraint_loadings(
            rows,
            b[part],
            sigma_root[part],
            layout,
            h,
            psi=None if psi is None else psi[part],
        ).reshape(-1, m, h, k)
        log_w = _log_weights(
            loadings,
            random,
            rows,
            targets[part],
            soft_var,
            paths[part],
            shocks[part],
            scale[part],
            cand,
        )
        w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        ess[part] = 1.0 / np.sum(w**2, axis=1)
        u = rng.random(w.shape[0])[:, None]
        pick = np.minimum((np.cumsum(w, axis=1) < u).sum(axis=1), candidates - 1)
        chosen[part] = cand[np.arange(w.shape[0]), pick]
    return ScaleChoice(scale=chosen, ess=ess)


def _log_weights(
    loadings: np.ndarray,
    random: np.ndarray,
    rows: np.ndarray,
    targets: np.ndarray,
    soft_var: np.ndarray,
    paths: np.ndarray,
    shocks: np.ndarray,
    scale: np.ndarray,
    cand: np.ndarray,
) -> np.ndarray:
    """Log likelihood of the conditions under each candidate, ``(n, M)`` up to a constant."""
    n, m, h, k = loadings.shape
    root = np.sqrt(scale)
    # the paths' values are mu + sum_s sqrt(v_s) G_s z_s: take the shocks' part out
    values = paths.reshape(n, h * k) @ rows.T
    mu = values - np.einsum("nmhk,nh,nhk->nm", loadings, root, shocks)
    set_part = np.einsum("nmhk,hk,nhk->nmh", loadings, 1.0 - random, shocks)  # (n, m, h)
    live = loadings * random  # loadings on the shocks left random
    per_month = np.einsum("nahk,nbhk->nhab", live, live).reshape(n, h, m * m)
    gram = np.matmul(cand, per_month).reshape(n, -1, m, m)  # (n, M, m, m)
    gram += np.diag(np.asarray(soft_var, dtype=float))
    # a relative ridge keeps duplicate or redundant rows factorisable; it scales with the
    # candidate's Gram, so it does not favour any candidate
    ridge = 1e-10 * np.trace(gram, axis1=2, axis2=3) / m
    gram += ridge[..., None, None] * np.eye(m)
    resid = (
        targets[:, None, :] - mu[:, None, :] - np.einsum("nmh,nMh->nMm", set_part, np.sqrt(cand))
    )
    chol = np.linalg.cholesky(gram)
    white = np.linalg.solve(chol, resid[..., None])[..., 0]
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=2, axis2=3)).sum(axis=2)
    return -0.5 * (log_det + np.sum(white**2, axis=2))


__all__ = ["CANDIDATES", "ScaleChoice", "condition_scales"]
