"""Exact draws from zero-mean Gaussians truncated to a box, vectorised over posterior draws.

Every posterior draw ``i`` has its own law ``N(0, cov[i])`` truncated to
``lower[i] <= w <= upper[i]``. :func:`box_gaussian` draws one exact sample per posterior draw by
accept-reject only (no Markov chain, nothing dropped):

1. the caller's own Gaussian draw ``start`` is kept when it already lies in the box (a first
   rejection-sampling proposal, which keeps common random numbers across scenarios intact);
2. the rest get rounds of fresh ``N(0, cov)`` proposals, the first one inside the box is kept;
3. draws still without a sample (box of small probability) switch to the minimax exponentially
   tilted proposal of Botev (2017), "The normal law under linear restrictions: simulation and
   estimation via minimax tilting", JRSSB 79(1), whose acceptance rate stays high far in the
   tails. The saddle point of the tilting problem is found by Newton's method for all those draws
   at once.

Each stage is an exact accept-reject sampler of the truncated law, so the sample of each draw is
exact whichever stage produced it. A one-dimensional box is sampled directly by inversion
(:func:`~fiscalcliff.model.truncnorm.truncated_normal`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscalcliff.model.truncnorm import truncated_normal

#: fresh Gaussian proposals per remaining draw and round of plain rejection
PLAIN_BATCH = 16
#: rounds of plain rejection before a draw switches to the tilted proposal
PLAIN_ROUNDS = 4
#: tilted proposals per remaining draw and round, and the most rounds tried
TILTED_BATCH = 8
TILTED_ROUNDS = 200
#: Newton iterations and tolerance (largest gradient entry) for the tilting saddle point
NEWTON_STEPS = 100
NEWTON_TOL = 1e-10


@dataclass(frozen=True)
class BoxSampleStats:
    """How the draws of :func:`box_gaussian` were obtained (counts of posterior draws)."""

    kept: int
    plain: int
    tilted: int
    proposals: int


def log_interval_probability(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a <= b``, accurate in both tails."""
    from scipy.special import log_ndtr, ndtr  # lazily: only bounded scenarios need scipy

    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    out = np.empty(a.shape)
    right = a > 0  # both in the upper tail: use the reflected interval
    left = b < 0
    mid = ~(right | left)
    with np.errstate(divide="ignore", invalid="ignore"):
        for mask, lo, hi in ((right, -b, -a), (left, a, b)):
            if mask.any():
                log_hi = log_ndtr(hi[mask])
                out[mask] = log_hi + np.log1p(-np.exp(log_ndtr(lo[mask]) - log_hi))
        if mid.any():
            out[mid] = np.log1p(-ndtr(a[mid]) - ndtr(-b[mid]))
    return out


def box_gaussian(
    cov: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rng: np.random.Generator,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, BoxSampleStats]:
    """One exact draw per row from ``N(0, cov[i])`` truncated to ``[lower[i], upper[i]]``.

    Parameters
    ----------
    cov : ndarray, shape (n, d, d)
        Positive-definite covariance matrices.
    lower, upper : ndarray, shape (n, d)
        Box bounds, ``lower <= upper``; infinite values allowed.
    rng : numpy.random.Generator
    start : ndarray, shape (n, d), optional
        Draws of ``N(0, cov[i])`` to keep where they already lie in the box.

    Returns
    -------
    w : ndarray, shape (n, d)
        Inside the box in every row.
    stats : BoxSampleStats

    Raises
    ------
    RuntimeError
        If some draw has no accepted proposal after every round (a box of essentially zero
        probability that the tilted proposal could not reach either).
    """
    cov = np.asarray(cov, float)
    lower = np.asarray(lower, float)
    upper = np.asarray(upper, float)
    n, d = lower.shape
    out = np.empty((n, d))
    todo = np.ones(n, dtype=bool)
    kept = 0
    if start is not None:
        inside = _inside(start, lower, upper)
        out[inside] = start[inside]
        todo &= ~inside
        kept = int(inside.sum())
    if d == 1:
        rest = np.flatnonzero(todo)
        sd = np.sqrt(cov[rest, 0, 0])
        out[rest, 0] = truncated_normal(
            0.0, sd, lower[rest, 0], upper[rest, 0], 1.0 - rng.random(rest.size)
        )
        return out, BoxSampleStats(kept, int(rest.size), 0, int(rest.size))
    chol = np.linalg.cholesky(cov)
    proposals = 0
    plain = 0
    for _ in range(PLAIN_ROUNDS):
        rest = np.flatnonzero(todo)
        if not rest.size:
            break
        w = chol[rest] @ rng.standard_normal((rest.size, d, PLAIN_BATCH))  # (r, d, B)
        ok = ((w >= lower[rest, :, None]) & (w <= upper[rest, :, None])).all(axis=1)
        proposals += rest.size * PLAIN_BATCH
        hit = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        rows = rest[hit]
        out[rows] = w[hit, :, first[hit]]
        todo[rows] = False
        plain += int(hit.sum())
    rest = np.flatnonzero(todo)
    if rest.size:
        out[rest], used = _tilted(chol[rest], lower[rest], upper[rest], rng)
        proposals += used
    np.clip(out, lower, upper, out=out)  # rounding in L z
    return out, BoxSampleStats(kept, plain, int(rest.size), proposals)


def _inside(w: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return ((w >= lower) & (w <= upper)).all(axis=1)


def _tilted(
    chol: np.ndarray, lower: np.ndarray, upper: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Botev's minimax-tilting accept-reject sampler for every row (``d >= 2``)."""
    n, d = lower.shape
    diag = np.diagonal(chol, axis1=1, axis2=2)  # (n, d)
    lo, hi = lower / diag, upper / diag
    strict = chol / diag[:, :, None] - np.eye(d)  # unit-diagonal factor minus I (strictly lower)
    x, mu = _saddle_point(strict, lo, hi)
    psi_star = _psi(x, mu, strict, lo, hi)
    out = np.empty((n, d))
    todo = np.arange(n)
    used = 0
    for _ in range(TILTED_ROUNDS):
        if not todo.size:
            break
        z, log_ratio = _tilted_proposals(
            strict[todo], lo[todo], hi[todo], mu[todo], rng, TILTED_BATCH
        )  # z: (r, B, d)
        used += todo.size * TILTED_BATCH
        log_u = np.log(1.0 - rng.random(log_ratio.shape))
        ok = log_u <= log_ratio - psi_star[todo, None]
        hit = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        zs = z[np.flatnonzero(hit), first[hit]]  # (h, d)
        rows = todo[hit]
        out[rows] = np.einsum("nij,nj->ni", chol[rows], zs)
        todo = todo[~hit]
    if todo.size:
        raise RuntimeError(
            f"{todo.size} draws got no accepted sample from the tilted proposal after "
            f"{TILTED_ROUNDS * TILTED_BATCH} tries; the box has essentially zero probability"
        )
    return out, used


def _shifted_bounds(
    x: np.ndarray, mu: np.ndarray, strict: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    c = np.einsum("nij,nj->ni", strict, x)
    return lo - mu - c, hi - mu - c


def _psi(
    x: np.ndarray, mu: np.ndarray, strict: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Botev's ``psi(x; mu)`` (its last entries ``x_d = mu_d = 0``)."""
    lt, ut = _shifted_bounds(x, mu, strict, lo, hi)
    return (log_interval_probability(lt, ut) + 0.5 * mu**2 - x * mu).sum(axis=1)


def _gradient(
    x: np.ndarray, mu: np.ndarray, strict: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient ``(n, 2(d-1))`` and Jacobian of ``psi`` in ``(x_1..x_{d-1}, mu_1..mu_{d-1})``."""
    n, d = lo.shape
    lt, ut = _shifted_bounds(x, mu, strict, lo, hi)
    w = log_interval_probability(lt, ut)
    with np.errstate(over="ignore", invalid="ignore"):
        pl = np.exp(-0.5 * lt**2 - w) / np.sqrt(2 * np.pi)
        pu = np.exp(-0.5 * ut**2 - w) / np.sqrt(2 * np.pi)
    pl = np.where(np.isfinite(lt), pl, 0.0)
    pu = np.where(np.isfinite(ut), pu, 0.0)
    big_p = pl - pu
    m = d - 1
    dfdx = -mu[:, :m] + np.einsum("ni,nij->nj", big_p, strict)[:, :m]
    dfdm = (mu - x + big_p)[:, :m]
    grad = np.concatenate([dfdx, dfdm], axis=1)
    lt0 = np.where(np.isfinite(lt), lt, 0.0)
    ut0 = np.where(np.isfinite(ut), ut, 0.0)
    dp = -(big_p**2) + lt0 * pl - ut0 * pu
    dl = dp[:, :, None] * strict
    mx = (dl - np.eye(d))[:, :m, :m]
    xx = (np.swapaxes(strict, 1, 2) @ dl)[:, :m, :m]
    jac = np.empty((n, 2 * m, 2 * m))
    jac[:, :m, :m] = xx
    jac[:, :m, m:] = np.swapaxes(mx, 1, 2)
    jac[:, m:, :m] = mx
    jac[:, m:, m:] = 0.0
    idx = np.arange(m)
    jac[:, m + idx, m + idx] = 1.0 + dp[:, :m]
    return grad, jac


def _saddle_point(
    strict: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``grad psi = 0`` by damped Newton steps for every row at once."""
    n, d = lo.shape
    m = d - 1
    x = np.zeros((n, d))
    mu = np.zeros((n, d))
    grad, jac = _gradient(x, mu, strict, lo, hi)
    norm = np.abs(grad).max(axis=1)
    for _ in range(NEWTON_STEPS):
        active = np.flatnonzero(norm > NEWTON_TOL)
        if not active.size:
            break
        step = _newton_step(jac[active], grad[active])
        scale = np.ones(active.size)
        pending = np.arange(active.size)
        for _ in range(30):  # halve the step until the gradient norm falls
            xa, ma = x[active[pending]].copy(), mu[active[pending]].copy()
            xa[:, :m] += scale[pending, None] * step[pending, :m]
            ma[:, :m] += scale[pending, None] * step[pending, m:]
            sub = active[pending]
            g, j = _gradient(xa, ma, strict[sub], lo[sub], hi[sub])
            new = np.abs(g).max(axis=1)
            better = np.isfinite(new) & (new < norm[active[pending]])
            rows = active[pending[better]]
            x[rows], mu[rows] = xa[better], ma[better]
            grad[rows], jac[rows], norm[rows] = g[better], j[better], new[better]
            pending = pending[~better]
            if not pending.size:
                break
            scale[pending] *= 0.5
        if pending.size:  # no progress possible for these rows: stop iterating them
            norm[active[pending]] = -norm[active[pending]]
    norm = np.abs(norm)
    if (norm > 1e3 * NEWTON_TOL).any():
        bad = int((norm > 1e3 * NEWTON_TOL).sum())
        raise RuntimeError(f"minimax tilting: the saddle point was not found for {bad} draws")
    x[:, m:] = 0.0
    mu[:, m:] = 0.0
    return x, mu


def _newton_step(jac: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Solve ``jac @ step = -grad`` per row (least squares where ``jac`` is singular)."""
    try:
        return np.linalg.solve(jac, -grad[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("nij,nj->ni", np.linalg.pinv(jac), -grad)


def _tilted_proposals(
    strict: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    mu: np.ndarray,
    rng: np.random.Generator,
    batch: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` proposals per row from the tilted sequential law and their log ``psi(z; mu)``."""
    n, d = lo.shape
    z = np.zeros((n, batch, d))
    log_p = np.zeros((n, batch))
    for k in range(d):
        col = z[:, :, :k] @ strict[:, k, :k, None] if k else np.zeros((n, batch, 1))
        col = col[..., 0]
        tl = lo[:, k, None] - mu[:, k, None] - col
        tu = hi[:, k, None] - mu[:, k, None] - col
        draw = truncated_normal(0.0, 1.0, tl, tu, 1.0 - rng.random((n, batch)))
        z[:, :, k] = mu[:, k, None] + draw
        m_k = mu[:, k, None]
        log_p += log_interval_probability(tl, tu) + 0.5 * m_k**2 - m_k * z[:, :, k]
    return z, log_p
