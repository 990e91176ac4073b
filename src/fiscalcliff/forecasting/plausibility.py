"""How plausible is a scenario? The shocks it needs against their unconditional law.

Antolín-Díaz, Petrella & Rubio-Ramírez (2021, JME, "Structural scenario analysis with SVARs"):
a scenario asks that ``R vec(y) ~ N(f, S)`` (``S = 0`` for hard rows, ``sd^2`` for soft ones).
This changes the law of the stacked structural shocks ``e`` (``N = h * K`` of them, standard
normal unconditionally) to a Gaussian with, per posterior draw (APR's eq. for ``mu_e, Sigma_e``),

``mu = G^+ d`` and ``Sigma_e = G^+ S G^+' + I - G^+ G``, where ``G = R M`` restricted to the
shocks that may adjust (the others keep ``N(0, 1)``), ``G^+`` its Moore-Penrose inverse and
``d = f - R vec(mean path)``. This is the law :func:`~fiscalcliff.forecasting.conditional.
condition_shocks` samples from (a target drawn from ``N(f, S)``, then met exactly).

The divergence from ``N(0, I)`` is ``KL = 1/2 [tr(Sigma_e) + mu'mu - N - ln det Sigma_e]``.
Hard conditions make ``Sigma_e`` singular (the KL is infinite); we then use the **support
variant**: each direction a hard condition pins (eigenvalue 0 of ``Sigma_e``) contributes only its
mean shift, i.e. the KL of ``N(mu, Sigma_e + P_0)`` from ``N(0, I)`` with ``P_0`` the projection on
the pinned directions. It is 0 for a scenario that asks for the unconditional mean path, and
equals the full KL when there are no hard conditions.

The KL is calibrated as APR do, by the bias ``q`` of a coin whose divergence from a fair coin per
flip, ``-1/2 ln(4 q (1 - q))``, equals the KL per shock: ``q = (1 + sqrt(1 - exp(-2 KL / N))) / 2``.
``q = 0.5`` is as likely as the baseline; APR read about 0.83 as unlikely but not implausible.
Bounds (truncations) are not part of the measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: q above this is reported with a warning: the scenario's shocks diverge from their usual law
#: as much, per shock, as a coin biased 90:10 from a fair one (docs "Structural analysis")
Q_WARN = 0.9
#: eigenvalues of Sigma_e below this count as pinned by a hard condition
_PINNED = 1e-9
#: singular values of G below this times the largest are redundant conditions (the Gram
#: matrix's eigenvalues carry rounding of about 1e-16 of the largest, i.e. 1e-8 in singular
#: values)
_RANK_TOL = 1e-6


class PlausibilityWarning(UserWarning):
    """A scenario whose shocks are far from their unconditional law (q above Q_WARN)."""


VARIANT = "support variant: hard-pinned directions count by their mean shift only (APR 2021)"


@dataclass(frozen=True)
class Plausibility:
    """Per-draw KL divergence and calibrated ``q`` of one scenario.

    Attributes
    ----------
    kl : ndarray, shape (n,)
    q : ndarray, shape (n,)
    n_shocks : int
        Stacked shocks ``N = h * K`` (the KL is per this many).
    pinned : int
        Directions pinned by hard conditions (median over draws).
    """

    kl: np.ndarray
    q: np.ndarray
    n_shocks: int
    pinned: int

    def summary(self) -> dict:
        """Median q and KL, the 5-95% range of q, and how they were computed."""
        lo, mid, hi = np.quantile(self.q, [0.05, 0.5, 0.95])
        return {
            "q": round(float(mid), 4),
            "q_5_95": [round(float(lo), 4), round(float(hi), 4)],
            "kl": round(float(np.median(self.kl)), 4),
            "shocks": self.n_shocks,
            "pinned": self.pinned,
            "measure": "KL of the scenario's shocks from N(0, I), calibrated to q (APR 2021); "
            + VARIANT,
        }


def coin_q(kl: np.ndarray, n_shocks: int) -> np.ndarray:
    """APR's calibration: the coin bias whose per-flip divergence is ``kl / n_shocks``."""
    per = np.maximum(np.asarray(kl, dtype=float), 0.0) / n_shocks
    return 0.5 * (1.0 + np.sqrt(-np.expm1(-2.0 * per)))


def shock_moments(g: np.ndarray, d: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the adjusting shocks under the conditions (one draw).

    Parameters
    ----------
    g : ndarray, shape (m, N_free)
        Loadings of the conditions on the adjusting shocks.
    d : ndarray, shape (m,)
        Target means minus the conditions' value on the unconditional mean path.
    s : ndarray, shape (m,)
        Variances of the targets (0 for hard conditions).

    Returns
    -------
    mu : ndarray, shape (N_free,)
        ``G^+ d``.
    cov : ndarray, shape (N_free, N_free)
        ``G^+ S G^+' + I - G^+ G``.
    """
    g_plus = np.linalg.pinv(g)
    mu = g_plus @ d
    cov = g_plus @ np.diag(s) @ g_plus.T + np.eye(g.shape[1]) - g_plus @ g
    return mu, cov


def kl_from_standard(g: np.ndarray, d: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Support-variant KL of the conditioned shocks from ``N(0, I)``, and the pinned count.

    Works in the row space of ``G`` (``G = U L V'``): there ``Sigma_e`` is
    ``V L^-1 U' S U L^-1 V'``; elsewhere it is the identity. Batched over draws. ``U`` and ``L``
    come from the eigendecomposition of the small Gram matrix ``G G'`` (m x m, m the number of
    conditions) rather than an SVD of the wide ``G`` (m x h K), which is several times faster
    for 10,000 draws; directions with a singular value below ``_RANK_TOL`` times the largest
    (redundant conditions, at the Gram matrix's rounding level) are dropped.

    Parameters
    ----------
    g : ndarray, shape (..., m, N_free)
    d : ndarray, shape (..., m)
    s : ndarray, shape (m,)

    Returns
    -------
    kl : ndarray, shape (...)
    pinned : ndarray of int, shape (...)
        Directions with zero variance (pinned by hard conditions).
    """
    g = np.asarray(g, dtype=float)
    gram = g @ np.swapaxes(g, -1, -2)  # (..., m, m) = U L^2 U'
    w, u = np.linalg.eigh(gram)
    sv = np.sqrt(np.clip(w, 0.0, None))  # u (..., m, m), sv (..., m)
    keep = sv > _RANK_TOL * np.maximum(sv.max(axis=-1, keepdims=True), 1e-300)  # rank per draw
    safe = np.where(keep, sv, 1.0)
    shift = np.where(keep, np.einsum("...mr,...m->...r", u, d) / safe, 0.0)
    inner = np.einsum("...mr,m,...mq->...rq", u, np.asarray(s, float), u) / (
        safe[..., :, None] * safe[..., None, :]
    )
    both = keep[..., :, None] & keep[..., None, :]
    inner = np.where(both, inner, 0.0)
    r = sv.shape[-1]
    inner = inner + np.where(~keep[..., :, None], np.eye(r), 0.0)  # dropped rows: variance 1
    lam = np.clip(np.linalg.eigvalsh(inner), 0.0, None)  # eigenvalues of Sigma_e there
    free = lam > _PINNED
    safe_lam = np.where(free, lam, 1.0)
    kl = 0.5 * (np.sum(shift**2, axis=-1) + np.sum(safe_lam - 1.0 - np.log(safe_lam), axis=-1))
    return kl, np.sum(~free, axis=-1)


def scenario_plausibility(
    conditions,
    b: np.ndarray,
    sigma_root: np.ndarray,
    layout,
    mean_paths: np.ndarray | None = None,
    fixed: np.ndarray | None = None,
    *,
    psi: np.ndarray | None = None,
    paths: np.ndarray | None = None,
    random_shocks: np.ndarray | None = None,
    shock_scale: np.ndarray | None = None,
    loadings: np.ndarray | None = None,
) -> Plausibility:
    """KL and q of a scenario's hard and soft conditions, for every draw.

    Parameters
    ----------
    conditions : LinearConditions
        The scenario's conditions (bounds are ignored); ``free_shocks`` excludes any shock the
        scenario sets itself.
    b, sigma_root : ndarray
        Parameter draws ``(n, M, K)`` and structural impact matrices ``(n, K, K)``.
    layout : LagLayout
    mean_paths : ndarray, shape (n, h, K), optional
        Each draw's path with the set shocks at their values and all others zero. Or give
        ``paths`` and ``random_shocks`` instead.
    fixed : ndarray, optional
        Values (standard deviations) of the shocks the scenario sets directly
        (``shock_paths``): each is pinned, adding ``value^2 / 2`` (support variant).
    psi : ndarray, shape (n, h, K, K), optional
        The draws' impulse responses, if the caller has them.
    paths, random_shocks : ndarray, shape (n, h, K), optional
        Paths simulated with the set shocks at their values plus ``random_shocks`` (zero where
        a shock is set): the conditions' values at the mean paths are then
        ``R vec(paths) - G vec(random_shocks)`` by linearity, with no second simulation.
    shock_scale : ndarray, shape (n, h), optional
        The months' error scales the paths were simulated with: the standard-normal shocks
        (given them) are what the KL compares.
    loadings : ndarray, shape (n, m, h*K), optional
        :func:`~fiscalcliff.forecasting.irf.constraint_loadings` of ``conditions.equality_rows``,
        if the caller has them (e.g. to share them with the conditioning).
    """
    fixed = np.zeros(0) if fixed is None else np.asarray(fixed, dtype=float).ravel()
    extra = 0.5 * float(fixed @ fixed)
    from fiscalcliff.forecasting.irf import constraint_loadings

    c = conditions
    if (mean_paths is None) == (paths is None or random_shocks is None):
        raise ValueError("give mean_paths, or paths and random_shocks")
    n, h, k = (mean_paths if mean_paths is not None else paths).shape
    rows = c.equality_rows
    m_h = len(c.hard_labels)
    hard = np.broadcast_to(np.asarray(c.hard_values, float), (n, m_h))  # scalar or per draw
    soft = np.broadcast_to(np.asarray(c.soft_means, float), (n, len(c.soft_labels)))
    targets = np.concatenate([hard, soft], axis=1)  # (n, m)
    s = np.concatenate([np.zeros(len(c.hard_labels)), np.asarray(c.soft_sds, float) ** 2])
    if not len(rows):
        kl = np.full(n, extra)
        return Plausibility(kl, coin_q(kl, h * k), h * k, fixed.size)
    if loadings is None:
        loadings = constraint_loadings(
            rows, b, sigma_root, layout, h, psi=psi, shock_scale=shock_scale
        )
    g = loadings
    if mean_paths is not None:
        at_mean = mean_paths.reshape(n, h * k) @ rows.T  # (n, m)
    else:
        at_mean = paths.reshape(n, h * k) @ rows.T - np.einsum(
            "nmj,nj->nm", g, random_shocks.reshape(n, h * k)
        )
    if c.free_shocks is not None:
        g = g[:, :, np.asarray(c.free_shocks, dtype=bool)]
    d = targets - at_mean  # (n, m)
    kl, pinned = kl_from_standard(g, d, s)
    kl = kl + extra
    pinned += fixed.size
    return Plausibility(kl=kl, q=coin_q(kl, h * k), n_shocks=h * k, pinned=int(np.median(pinned)))
