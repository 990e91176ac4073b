"""The future months' error scales given hard and soft conditions on a forecast's path.

Used by the backtest's conditional forecasts (``--treasury-cash``, ``--condition-on`` of an
endogenous series), which are forecasts given the conditions. Scenario runs do not use it: their
scenarios share each draw's unconditional scales, so that comparisons stay paired draw by draw
(choosing the scales per scenario would give each scenario its own volatility in the same draw).

With Student-t errors or stochastic volatility the shock of forecast month ``s`` is
``sqrt(v_s) C z_s``, with ``v_s`` a random scale (:class:`~fiscalcliff.model.error_scales.
FutureScales`). A condition on the path says something about the scales: a $700bn fall of the TGA
in one month is far more likely in a month of large scale than in a calm one. Drawing the scales
from their unconditional law and then conditioning the Gaussian shocks given them would mix over
the scales with the wrong weights: calm months would be forced to carry large moves, with shocks
many standard deviations from zero.

So each posterior draw chooses its scale path by sampling–importance–resampling (Rubin 1988):
candidate paths from the unconditional law (the first is the draw's unconditional path), each
weighted by the Gaussian likelihood of the conditions given it,

``p(R y = r | v) = N(r; mu + G_v z_fixed, G_v G_v' + S)``,

where ``mu`` is the path's mean given the draw's parameters, ``G_v`` the conditions' loadings on
the shocks left random (scaled by ``sqrt(v)``), ``z_fixed`` the shocks the caller sets and ``S``
the soft conditions' variances. The chosen path is a draw from the scales' conditional law
given the conditions, exactly so as the number of candidates grows. Candidates
come in rounds of :data:`CANDIDATES`; draws whose weights are still concentrated on a few
candidates (effective sample size below :data:`ESS_TARGET`: conditions far in the tails, such as
a $1tn TGA) get more rounds, up to :data:`MAX_CANDIDATES`. The Gaussian shocks are then
conditioned given it (:func:`~fiscalcliff.forecasting.conditional.condition_shocks`). Bounds do
not enter the weights: they are imposed given the chosen scales.

Candidates are generated per chunk of draws from a seed fixed by the caller: the same seed gives
the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.forecasting.irf import constraint_loadings
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.error_scales import FutureScales

#: candidate scale paths per round (the first round's first: the draw's unconditional path)
CANDIDATES = 32
#: more rounds, for the draws whose weights' effective sample size is still below ESS_TARGET,
#: up to MAX_CANDIDATES candidates per draw in all
ESS_TARGET = 10.0
MAX_CANDIDATES = 1024
#: per-round budget for the (draws, candidates, m, m) Gram matrices, in float64 entries
_CHUNK_ENTRIES = 2_000_000


@dataclass(frozen=True)
class ScaleChoice:
    """The chosen scale paths and how informative the conditions were about them.

    Attributes
    ----------
    scale : ndarray, shape (n, h)
        Each draw's chosen path of month scales.
    ess : ndarray, shape (n,)
        Effective sample size ``(sum w)^2 / sum w^2`` of each draw's weights over its
        candidates: near their number when the conditions say little about the scales, small
        when a few candidates dominate.
    candidates : ndarray, shape (n,)
        Candidates weighed per draw.
    """

    scale: np.ndarray
    ess: np.ndarray
    candidates: np.ndarray

    def summary(self) -> dict:
        """Candidates and the per-draw ESS (median, 5% quantile), for output notes."""
        return {
            "candidates_median": int(np.median(self.candidates)),
            "candidates_max": int(self.candidates.max()),
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
    max_candidates: int = MAX_CANDIDATES,
) -> ScaleChoice:
    """Draw each draw's future month scales given linear conditions on its path.

    Candidates come in rounds of ``candidates``; a draw gets more rounds while the effective
    sample size of its weights is below :data:`ESS_TARGET`, up to ``max_candidates``. The choice
    is made as the candidates stream in (a weighted reservoir of size one: each new candidate
    replaces the current choice with probability ``w / (sum of the weights so far)``), which
    is the same law as resampling once from all of them.

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
        The unconditional scale paths they were simulated with (the first candidate).
    scales : FutureScales
        The law of each draw's future scales.
    b, sigma_root : ndarray
        Coefficient draws ``(n, M, K)`` and ``C`` with ``C C' = Sigma`` ``(n, K, K)``.
    layout : LagLayout
    seed : numpy.random.SeedSequence
        Source of the other candidates and of the choice.
    fixed : ndarray of bool, shape (h, K), optional
        Shocks the caller sets (not random).
    psi : ndarray, shape (n, h, K, K), optional
        The draws' impulse responses, when the caller has them.
    candidates, max_candidates : int
        Candidates per round, and at most per draw.

    Returns
    -------
    ScaleChoice
    """
    n, h, k = shocks.shape
    m = rows.shape[0]
    targets = np.broadcast_to(np.asarray(targets, dtype=float), (n, m))
    random = np.ones((h, k)) if fixed is None else (~np.asarray(fixed, bool)).astype(float)
    chunk = max(1, _CHUNK_ENTRIES // max(1, candidates * m * m))
    chosen = np.array(scale, dtype=float, copy=True)
    log_sum = np.full(n, -np.inf)  # log of the sum of the weights so far
    log_sq = np.full(n, -np.inf)  # log of the sum of their squares
    weighed = np.zeros(n, dtype=int)
    for number, start in enumerate(range(0, n, chunk)):
        part = np.arange(start, min(start + chunk, n))
        rng = np.random.default_rng(
            np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, number))
        )
        loadings = constraint_loadings(
            rows, b[part], sigma_root[part], layout, h, psi=None if psi is None else psi[part]
        ).reshape(-1, m, h, k)
        pieces = _Pieces.build(loadings, random, rows, paths[part], shocks[part], scale[part])
        live = np.arange(part.size)  # positions in the chunk still taking candidates
        first = True
        while live.size:
            law = scales.take(part[live])
            batch = [law.draw(h, rng) for _ in range(candidates - 1 if first else candidates)]
            if first:
                batch.insert(0, scale[part])
            cand = np.stack(batch, axis=1)  # (live, M, h)
            log_w = pieces.log_weights(live, targets[part[live]], soft_var, cand)
            u = rng.random(log_w.shape)
            at = part[live]
            for j in range(cand.shape[1]):  # the reservoir, candidate by candidate
                total = np.logaddexp(log_sum[at], log_w[:, j])
                take = np.log(u[:, j]) < log_w[:, j] - total
                chosen[at[take]] = cand[take, j]
                log_sum[at] = total
                log_sq[at] = np.logaddexp(log_sq[at], 2.0 * log_w[:, j])
            weighed[at] += cand.shape[1]
            first = False
            ess = np.exp(2.0 * log_sum[at] - log_sq[at])
            more = (ess < ESS_TARGET) & (weighed[at] + candidates <= max_candidates)
            live = live[more]
    return ScaleChoice(scale=chosen, ess=np.exp(2.0 * log_sum - log_sq), candidates=weighed)


@dataclass(frozen=True)
class _Pieces:
    """What the weights need from one chunk of draws, computed once for all its candidates.

    ``mu`` is the conditions' mean value ``(n, m)``, ``set_part`` the unscaled effect of the set
    shocks per month ``(n, m, h)`` and ``per_month`` the unscaled Gram contribution of the random
    shocks per month ``(n, h, m*m)``.
    """

    mu: np.ndarray
    set_part: np.ndarray
    per_month: np.ndarray

    @classmethod
    def build(cls, loadings, random, rows, paths, shocks, scale) -> _Pieces:
        n, m, h, k = loadings.shape
        # the paths' values are mu + sum_s sqrt(v_s) G_s z_s: take the shocks' part out
        values = paths.reshape(n, h * k) @ rows.T
        mu = values - np.einsum("nmhk,nh,nhk->nm", loadings, np.sqrt(scale), shocks)
        set_part = np.einsum("nmhk,hk,nhk->nmh", loadings, 1.0 - random, shocks)
        live = loadings * random  # loadings on the shocks left random
        per_month = np.einsum("nahk,nbhk->nhab", live, live).reshape(n, h, m * m)
        return cls(mu=mu, set_part=set_part, per_month=per_month)

    def log_weights(
        self, index: np.ndarray, targets: np.ndarray, soft_var: np.ndarray, cand: np.ndarray
    ) -> np.ndarray:
        """Log likelihood of the conditions under each candidate, ``(len(index), M)``, up to a
        constant (the same for every candidate of a draw)."""
        m = self.mu.shape[1]
        gram = np.matmul(cand, self.per_month[index]).reshape(*cand.shape[:2], m, m)
        gram += np.diag(np.asarray(soft_var, dtype=float))
        # a relative ridge keeps duplicate or redundant rows factorisable; it scales with the
        # candidate's Gram, so it does not favour any candidate
        ridge = 1e-10 * np.trace(gram, axis1=2, axis2=3) / m
        gram += ridge[..., None, None] * np.eye(m)
        shift = np.einsum("nmh,nMh->nMm", self.set_part[index], np.sqrt(cand))
        resid = targets[:, None, :] - self.mu[index][:, None, :] - shift
        chol = np.linalg.cholesky(gram)
        white = np.linalg.solve(chol, resid[..., None])[..., 0]
        log_det = 2.0 * np.log(np.diagonal(chol, axis1=2, axis2=3)).sum(axis=2)
        return -0.5 * (log_det + np.sum(white**2, axis=2))


__all__ = ["CANDIDATES", "ESS_TARGET", "MAX_CANDIDATES", "ScaleChoice", "condition_scales"]
