"""Conditional forecasts: adjust the shocks of every posterior draw so its path meets a scenario.

Every draw's ``h``-step forecast is Gaussian given the parameters, ``vec(y) = mu + M vec(z)`` with
``z ~ N(0, I)`` the shocks of :func:`fiscalcliff.forecasting.paths.simulate_paths` (``vec`` is
date-major: entry ``s*K + k`` is variable ``k`` at horizon date ``s``). A scenario is a set of
linear conditions on ``vec(y)``:

hard
    ``A vec(y) = r`` exactly. With ``G = A M`` (columns of shocks that may not adjust set to zero)
    and ``d = r - A vec(y_unconditional)``, ``z* = z + G' (G G')^{-1} d`` is an exact draw from
    ``z | G z = r - A mu`` (Waggoner & Zha 1999; "Matheron's rule"): its mean is
    ``G'(GG')^{-1}(r - A mu)`` and its covariance ``I - G'(GG')^{-1}G``.
soft
    ``a' vec(y) ~ N(mean, sd**2)`` exactly and independently across soft rows: a target is drawn
    per posterior draw and imposed jointly with the hard conditions, so the rest of the path
    follows the Gaussian conditional given the drawn targets.
bounds
    ``lower <= b' vec(y) <= upper``. After the hard and soft conditions the shocks still vary in
    the null space of their loadings; the bounded quantities ``w`` are jointly Gaussian there and
    are drawn exactly from their truncated law, all posterior draws at once, by accept-reject
    only (:func:`fiscalcliff.forecasting.tmvn.box_gaussian`): the draw's own ``w`` is kept when it
    already satisfies the bounds, otherwise fresh Gaussian proposals are tried, and draws whose
    box has small probability switch to Botev's (2017) minimax-tilted proposal. No Markov chain,
    no draw dropped. The shocks are then completed by Gaussian conditioning on the new ``w``, so
    hard and soft conditions still hold exactly.

Hard conditions implied by other hard conditions (a duplicate, or an identity whose parts are all
conditioned) are skipped when their values agree and rejected when they do not. Contradictions
and conditions that cannot be met raise :class:`~fiscalcliff.errors.InputError` naming them.

The same standard-normal ``z`` and an identically seeded ``rng`` across scenarios give common
random numbers, so scenario differences are not blurred by simulation noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.irf import constraint_loadings, impulse_responses
from fiscalcliff.forecasting.tmvn import box_gaussian
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.truncnorm import truncated_normal

__all__ = [
    "ConditionResult",
    "LinearConditions",
    "condition_shocks",
    "constraint_loadings",
    "entry_row",
    "impulse_responses",
    "truncated_normal",
]

#: a row whose loadings on the free shocks are below this fraction of its loadings on all shocks
#: cannot be moved by the free shocks
_STUCK_TOL = 1e-10
#: smallest eigenvalue of the correlation matrix of condition loadings treated as singular
_SINGULAR_TOL = 1e-11
#: relative tolerance for linear dependence of rows in label space
_DEPENDENT_TOL = 1e-9
#: remaining variance (in units of the unrestricted variance) of a bound row that counts as fixed
_FIXED_TOL = 1e-9
#: relative tolerance for value checks (contradictions, fixed bounds)
_VALUE_TOL = 1e-9
#: posterior draws conditioned at a time (bounds the memory of the per-draw loadings)
CHUNK_DRAWS = 4096
#: how bounds are sampled (recorded in the diagnostics)
BOUND_SAMPLER = "exact accept-reject (own draw, Gaussian proposals, Botev 2017 minimax tilting)"


def _quote(labels: Iterable[str]) -> str:
    return ", ".join(f"'{label}'" for label in labels)


def entry_row(h: int, k: int, date: int, variable: int, weight: float = 1.0) -> np.ndarray:
    """Row selecting ``weight * y[date, variable]`` from the stacked forecast ``vec(y)``.

    Parameters
    ----------
    h, k : int
        Horizon and number of endogenous variables.
    date : int
        Horizon date, ``0`` is the first forecast period.
    variable : int
        Position of the variable in the endogenous list.
    weight : float
        Coefficient of the entry (sum several rows for linear combinations).

    Returns
    -------
    ndarray, shape (h*k,)
    """
    if not (0 <= date < h and 0 <= variable < k):
        raise ValueError(f"entry (date {date}, variable {variable}) outside ({h}, {k})")
    row = np.zeros(h * k)
    row[date * k + variable] = weight
    return row


@dataclass(frozen=True, eq=False)
class LinearConditions:
    """Linear conditions on the stacked forecast ``vec(y)`` (date-major, index ``s*K + k``).

    Attributes
    ----------
    hard_rows : ndarray, shape (m_h, h*K)
        Hard conditions ``hard_rows @ vec(y) == hard_values`` exactly.
    hard_values : ndarray, shape (m_h,) or (n, m_h)
        Targets, shared or per posterior draw.
    hard_labels : tuple of str
    soft_rows : ndarray, shape (m_s, h*K)
        Soft conditions ``soft_rows @ vec(y) ~ N(soft_means, soft_sds**2)``, independent across
        rows.
    soft_means, soft_sds : ndarray, shape (m_s,)
        ``soft_sds > 0``.
    soft_labels : tuple of str
    bound_rows : ndarray, shape (m_b, h*K)
        Bounds ``lower <= bound_rows @ vec(y) <= upper``.
    lower, upper : ndarray, shape (m_b,)
        Infinite values allowed (one-sided bounds).
    bound_labels : tuple of str
    free_shocks : ndarray, shape (h*K,), bool, optional
        Which shocks (entry ``s*K + k``: variable ``k`` at date ``s``) may adjust to meet the hard
        and soft conditions; ``None`` means all of them. Bounds are physical limits: every shock
        may move to respect them, within the directions that keep hard/soft conditions intact.
    """

    hard_rows: np.ndarray
    hard_values: np.ndarray
    hard_labels: tuple[str, ...]
    soft_rows: np.ndarray
    soft_means: np.ndarray
    soft_sds: np.ndarray
    soft_labels: tuple[str, ...]
    bound_rows: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    bound_labels: tuple[str, ...]
    free_shocks: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for name in ("hard_rows", "soft_rows", "bound_rows"):
            rows = np.asarray(getattr(self, name), dtype=float)
            if rows.ndim != 2:
                raise ValueError(f"{name} must be 2-D, got shape {rows.shape}")
            put(name, rows)
        width = self.hard_rows.shape[1]
        if self.soft_rows.shape[1] != width or self.bound_rows.shape[1] != width:
            raise ValueError(
                "condition rows disagree on the number of entries: "
                f"{self.hard_rows.shape}, {self.soft_rows.shape}, {self.bound_rows.shape}"
            )
        for name in (
            "hard_values",
            "soft_means",
            "soft_sds",
            "lower",
            "upper",
        ):
            put(name, np.asarray(getattr(self, name), dtype=float))
        for name in ("hard_labels", "soft_labels", "bound_labels"):
            put(name, tuple(str(label) for label in getattr(self, name)))
        m_h, m_s, m_b = (len(self.hard_labels), len(self.soft_labels), len(self.bound_labels))
        checks = {
            "hard_rows": (self.hard_rows.shape[0], m_h),
            "hard_values": (self.hard_values.shape[-1] if self.hard_values.ndim else -1, m_h),
            "soft_rows": (self.soft_rows.shape[0], m_s),
            "soft_means": (self.soft_means.shape, (m_s,)),
            "soft_sds": (self.soft_sds.shape, (m_s,)),
            "bound_rows": (self.bound_rows.shape[0], m_b),
            "lower": (self.lower.shape, (m_b,)),
            "upper": (self.upper.shape, (m_b,)),
        }
        for name, (got, want) in checks.items():
            if got != want:
                raise ValueError(f"{name}: expected {want} entries/shape, got {got}")
        if self.hard_values.ndim not in (1, 2):
            raise ValueError(
                f"hard_values must be (m_h,) or (n, m_h), got {self.hard_values.shape}"
            )
        if self.free_shocks is not None:
            free = np.asarray(self.free_shocks, dtype=bool)
            if free.shape != (width,):
                raise ValueError(f"free_shocks must have shape ({width},), got {free.shape}")
            put("free_shocks", free)
        self._validate_values()

    def _validate_values(self) -> None:
        for kind, rows, labels in (
            ("hard condition", self.hard_rows, self.hard_labels),
            ("soft condition", self.soft_rows, self.soft_labels),
            ("bound", self.bound_rows, self.bound_labels),
        ):
            for row, label in zip(rows, labels, strict=True):
                if not np.all(np.isfinite(row)):
                    raise InputError(f"{kind} '{label}' has non-finite weights")
                if not np.any(row):
                    raise InputError(f"{kind} '{label}' does not involve any forecast entry")
        bad = np.atleast_2d(~np.isfinite(self.hard_values))
        if bad.any():
            raise InputError(
                f"hard condition(s) {_quote(np.array(self.hard_labels)[bad.any(axis=0)])} "
                "have non-finite values"
            )
        for i, label in enumerate(self.soft_labels):
            if not np.isfinite(self.soft_means[i]):
                raise InputError(f"soft condition '{label}' has a non-finite mean")
            if not (np.isfinite(self.soft_sds[i]) and self.soft_sds[i] > 0):
                raise InputError(
                    f"soft condition '{label}' needs a positive, finite standard deviation, "
                    f"got {self.soft_sds[i]}"
                )
        for i, label in enumerate(self.bound_labels):
            lo, hi = self.lower[i], self.upper[i]
            if np.isnan(lo) or np.isnan(hi) or lo > hi or lo == np.inf or hi == -np.inf:
                raise InputError(f"bound '{label}' has an empty interval [{lo}, {hi}]")

    @property
    def n_entries(self) -> int:
        """Length ``h*K`` of the stacked forecast the rows act on."""
        return self.hard_rows.shape[1]

    @property
    def equality_rows(self) -> np.ndarray:
        """The hard rows, then the soft rows, ``(m_h + m_s, h*K)``: the order in which every
        step (conditioning, plausibility, the scales given the conditions) stacks the equalities
        and in which loadings passed between them are laid out."""
        return np.vstack([self.hard_rows, self.soft_rows])

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to impose."""
        return not (self.hard_labels or self.soft_labels or self.bound_labels)

    @classmethod
    def empty(cls, h: int, k: int) -> LinearConditions:
        """No conditions on a forecast of ``h`` dates and ``k`` variables."""
        return cls.build(h, k)

    @classmethod
    def build(
        cls,
        h: int,
        k: int,
        *,
        hard: Sequence[tuple[np.ndarray, float | np.ndarray, str]] = (),
        soft: Sequence[tuple[np.ndarray, float, float, str]] = (),
        bounds: Sequence[tuple[np.ndarray, float, float, str]] = (),
        free_shocks: np.ndarray | None = None,
    ) -> LinearConditions:
        """Assemble conditions from lists of rows.

        Parameters
        ----------
        h, k : int
            Horizon and number of endogenous variables.
        hard : sequence of (row, value, label)
            ``row`` has shape ``(h*k,)`` (see :func:`entry_row`); ``value`` is a scalar or an
            ``(n,)`` array of per-draw targets.
        soft : sequence of (row, mean, sd, label)
        bounds : sequence of (row, lower, upper, label)
            Use ``-np.inf`` / ``np.inf`` for one-sided bounds.
        free_shocks : ndarray, shape (h*k,), bool, optional

        Returns
        -------
        LinearConditions
        """
        width = h * k

        def stack(rows: list[np.ndarray]) -> np.ndarray:
            return np.array(rows, dtype=float).reshape(len(rows), width)

        values = [np.asarray(v, dtype=float) for _, v, _ in hard]
        if any(v.ndim for v in values):
            n = max(v.shape[0] for v in values if v.ndim)
            hard_values = np.stack([np.broadcast_to(v, (n,)) for v in values], axis=1)
        else:
            hard_values = np.array(values, dtype=float).reshape(len(values))
        return cls(
            hard_rows=stack([r for r, _, _ in hard]),
            hard_values=hard_values,
            hard_labels=tuple(label for _, _, label in hard),
            soft_rows=stack([r for r, _, _, _ in soft]),
            soft_means=np.array([m for _, m, _, _ in soft], dtype=float),
            soft_sds=np.array([s for _, _, s, _ in soft], dtype=float),
            soft_labels=tuple(label for _, _, _, label in soft),
            bound_rows=stack([r for r, _, _, _ in bounds]),
            lower=np.array([lo for _, lo, _, _ in bounds], dtype=float),
            upper=np.array([hi for _, _, hi, _ in bounds], dtype=float),
            bound_labels=tuple(label for _, _, _, label in bounds),
            free_shocks=free_shocks,
        )


@dataclass(frozen=True, eq=False)
class ConditionResult:
    """Adjusted shocks of a conditional forecast.

    Attributes
    ----------
    shocks : ndarray, shape (n, h, K)
        Re-simulating with ``simulate_paths(..., shocks=shocks)`` gives the conditional paths.
    soft_targets : ndarray, shape (n, m_s)
        The drawn values of the soft-condition rows.
    diagnostics : dict
        ``max_hard_residual`` and ``max_soft_residual`` (largest ``|row @ vec(y) - target|``
        implied by the linear algebra), ``max_bound_violation``, ``bound_sampler`` (the method),
        ``bound_draws_resampled`` (draws whose unconditional values broke a bound and were drawn
        afresh from the truncated law), ``bound_draws_tilted`` (those of them that needed the
        minimax-tilted proposal), ``bound_proposals`` (proposals tried), ``redundant_conditions``
        (hard conditions implied by the others and therefore skipped), ``fixed_bounds`` (bounds
        on quantities that the hard/soft conditions or the shock restrictions fix; checked, not
        sampled) and
        ``min_gram_eigenvalue`` (conditioning of the equality system, 1 is best).
    """

    shocks: np.ndarray
    soft_targets: np.ndarray
    diagnostics: dict[str, Any]


def _drop_redundant_equalities(
    rows: np.ndarray, targets: np.ndarray, labels: Sequence[str], n_hard: int
) -> tuple[list[int], list[str]]:
    """Indices of linearly independent equality rows; consistent redundant hard rows are skipped.

    Rows are compared in label space (the entries of ``vec(y)``), independent of the parameters:
    a row that is a combination of earlier rows is dropped when every row involved is hard and
    its value agrees with the combination in every draw, and is an error otherwise.
    """
    scaled = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    keep: list[int] = []
    redundant: list[str] = []
    for i in range(rows.shape[0]):
        if keep:
            basis = scaled[keep].T  # (H, kept)
            coef = np.linalg.lstsq(basis, scaled[i], rcond=None)[0]
            if np.linalg.norm(scaled[i] - basis @ coef) < _DEPENDENT_TOL:
                used = [keep[j] for j in np.flatnonzero(np.abs(coef) > _DEPENDENT_TOL)]
                names = [labels[j] for j in [*used, i]]
                if i >= n_hard or any(j >= n_hard for j in used):
                    raise InputError(
                        f"conditions {_quote(names)} are linearly dependent ('{labels[i]}' is a "
                        "combination of the others) and include a soft condition, whose random "
                        "target cannot agree with the others; drop one of them"
                    )
                norms = np.linalg.norm(rows[[*used, i]], axis=1)
                implied = (targets[:, used] / norms[:-1]) @ coef[np.abs(coef) > _DEPENDENT_TOL]
                implied = implied * norms[-1]
                gap = np.abs(targets[:, i] - implied)
                tol = _VALUE_TOL * (1.0 + np.abs(targets[:, i]) + np.abs(implied))
                if np.any(gap > tol):
                    d = int(np.argmax(gap - tol))
                    raise InputError(
                        f"hard conditions {_quote(names)} contradict each other: the others fix "
                        f"'{labels[i]}' to {implied[d]:.6g} but it is set to {targets[d, i]:.6g}"
                    )
                redundant.append(labels[i])
                continue
        keep.append(i)
    return keep, redundant


def _singular_draw_labels(corr: np.ndarray, labels: Sequence[str]) -> tuple[int, list[str], float]:
    """Worst draw of a batch of correlation matrices and the labels in its near-null direction."""
    eigval, eigvec = np.linalg.eigh(corr)
    worst = int(np.argmin(eigval[:, 0]))
    null = np.abs(eigvec[worst, :, 0])
    involved = [labels[j] for j in np.flatnonzero(null > 1e-3 * null.max())]
    return worst, involved, float(eigval[worst, 0])


def _loadings_norms(
    rows: np.ndarray, free: np.ndarray | None, *, loadings: np.ndarray | None = None, **kw: Any
) -> tuple[Any, ...]:
    """Loadings on the free shocks, their row norms and a mask of rows they cannot move.

    ``loadings`` are the rows' loadings on every shock, if the caller has them (they are then
    not modified).
    """
    g = constraint_loadings(rows, **kw) if loadings is None else loadings.copy()
    full = np.linalg.norm(g, axis=2)
    if free is not None:
        g *= free
    norms = np.linalg.norm(g, axis=2)
    return g, norms, norms <= _STUCK_TOL * full


def condition_shocks(
    z: np.ndarray,
    paths: np.ndarray,
    b: np.ndarray,
    sigma_root: np.ndarray,
    layout: LagLayout,
    conditions: LinearConditions,
    rng: np.random.Generator,
    *,
    psi: np.ndarray | None = None,
    shock_scale: np.ndarray | None = None,
    loadings: np.ndarray | None = None,
) -> ConditionResult:
    """Adjust the standard-normal shocks of every draw to meet hard, soft and bound conditions.

    Parameters
    ----------
    z : ndarray, shape (n, h, K)
        Standard-normal shocks of the unconditional paths (common random numbers across
        scenarios).
    paths : ndarray, shape (n, h, K)
        Unconditional paths simulated with exactly these ``z``.
    b : ndarray, shape (n, M, K)
        Coefficient draws.
    sigma_root : ndarray, shape (n, K, K)
        ``C`` with ``C C' = Sigma`` per draw.
    layout : LagLayout
    conditions : LinearConditions
    rng : numpy.random.Generator
        Source of the soft targets and of the bound sampler's proposals (seed it identically
        across scenarios).
    psi : ndarray, shape (n, h, K, K), optional
        The draws' :func:`~fiscalcliff.model.dynamics.impulse_responses`, when the caller has
        them (e.g. shared by several scenarios on the same draws); computed per chunk otherwise.
    shock_scale : ndarray, shape (n, h), optional
        The months' error scales the paths were simulated with (Student-t errors, stochastic
        volatility): the shocks are conditioned given them.
    loadings : ndarray, shape (n, m, h*K), optional
        :func:`constraint_loadings` of ``conditions.equality_rows`` on every shock, with
        the same ``psi`` and ``shock_scale``, when the caller has them (e.g. from the scenario's
        plausibility); computed per chunk otherwise.

    Returns
    -------
    ConditionResult

    Raises
    ------
    InputError
        Conditions that contradict each other or cannot be met (naming them by label): two
        hard values for the same quantity, a soft condition dependent on other conditions, a
        condition the free shocks cannot move, conditions the free shocks can only move together,
        a hard/soft value outside a bound on the same quantity, or bounds that cannot hold
        together.
    """
    z = np.asarray(z, dtype=float)
    paths = np.asarray(paths, dtype=float)
    n, h, k = z.shape
    width = h * k
    if paths.shape != z.shape:
        raise ValueError(f"paths {paths.shape} and shocks {z.shape} differ in shape")
    if conditions.n_entries != width:
        raise ValueError(f"conditions act on {conditions.n_entries} entries, forecast has {width}")
    c = conditions
    m_h, m_s = len(c.hard_labels), len(c.soft_labels)
    hard_values = np.broadcast_to(c.hard_values, (n, m_h)) if m_h else np.zeros((n, 0))
    # all soft targets first, so that they do not depend on how many proposals the bound sampler
    # used (common random numbers across scenarios)
    soft_targets = c.soft_means + c.soft_sds * rng.standard_normal((n, m_s))
    shocks = np.empty((n, h, k))
    parts = []
    for start in range(0, n, CHUNK_DRAWS):
        rows = slice(start, start + CHUNK_DRAWS)
        try:
            shocks[rows], diag = _condition_chunk(
                z[rows],
                paths[rows],
                b[rows],
                sigma_root[rows],
                layout,
                c,
                hard_values[rows],
                soft_targets[rows],
                rng,
                None if psi is None else psi[rows],
                None if shock_scale is None else shock_scale[rows],
                None if loadings is None else loadings[rows],
            )
        except InputError as exc:
            raise _shift_draw_numbers(exc, start) from None
        parts.append(diag)
    return ConditionResult(
        shocks=shocks, soft_targets=soft_targets, diagnostics=_merge_diagnostics(parts)
    )


def _shift_draw_numbers(exc: InputError, offset: int) -> InputError:
    """The error of a chunk of draws, with its posterior draw numbers counted from the start."""
    if not offset:
        return exc
    text = re.sub(
        r"posterior draw (\d+)", lambda m: f"posterior draw {int(m[1]) + offset}", str(exc)
    )
    return type(exc)(text)


def _merge_diagnostics(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Diagnostics over all chunks of draws: maxima, minima, sums and unions."""
    out = dict(parts[0])
    for key in ("max_hard_residual", "max_soft_residual", "max_bound_violation"):
        out[key] = max(p[key] for p in parts)
    for key in ("bound_draws_resampled", "bound_draws_tilted", "bound_proposals"):
        out[key] = sum(p[key] for p in parts)
    out["min_gram_eigenvalue"] = min(p["min_gram_eigenvalue"] for p in parts)
    for key in ("redundant_conditions", "fixed_bounds"):
        out[key] = tuple(dict.fromkeys(label for p in parts for label in p[key]))
    return out


def _condition_chunk(
    z: np.ndarray,
    paths: np.ndarray,
    b: np.ndarray,
    sigma_root: np.ndarray,
    layout: LagLayout,
    c: LinearConditions,
    hard_values: np.ndarray,
    soft_targets: np.ndarray,
    rng: np.random.Generator,
    psi: np.ndarray | None = None,
    shock_scale: np.ndarray | None = None,
    loadings: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Conditioned shocks ``(n, h, K)`` and diagnostics of one chunk of draws (``loadings``: of
    the hard and soft rows, if the caller has them)."""
    n, h, k = z.shape
    width = h * k
    m_h = len(c.hard_labels)
    diagnostics: dict[str, Any] = {
        "max_hard_residual": 0.0,
        "max_soft_residual": 0.0,
        "max_bound_violation": 0.0,
        "bound_sampler": BOUND_SAMPLER,
        "bound_draws_resampled": 0,
        "bound_draws_tilted": 0,
        "bound_proposals": 0,
        "redundant_conditions": (),
        "fixed_bounds": (),
        "min_gram_eigenvalue": 1.0,
    }
    z_flat = z.reshape(n, width)
    y0 = paths.reshape(n, width)
    dz = np.zeros((n, width))
    free = None if c.free_shocks is None or c.free_shocks.all() else c.free_shocks
    common = {"b": b, "sigma_root": sigma_root, "layout": layout, "h": h}
    if shock_scale is not None:
        common["shock_scale"] = shock_scale
    if not c.is_empty:
        common["psi"] = impulse_responses(b, layout, h) if psi is None else psi

    eq_rows = c.equality_rows
    eq_labels = (*c.hard_labels, *c.soft_labels)
    targets = np.hstack([hard_values, soft_targets])
    gn = qinv = None
    g_eq = g_every = None
    if eq_rows.shape[0]:
        keep, redundant = _drop_redundant_equalities(eq_rows, targets, eq_labels, m_h)
        diagnostics["redundant_conditions"] = tuple(redundant)
        # on every shock, free or not
        g_every = constraint_loadings(eq_rows, **common) if loadings is None else loadings
        g_eq, norms, stuck = _loadings_norms(eq_rows, free, loadings=g_every)
        stuck_rows = [i for i in keep if stuck[:, i].any()]
        if stuck_rows:
            counts = stuck[:, stuck_rows].sum(axis=0)
            raise InputError(
                f"condition(s) {_quote(eq_labels[i] for i in stuck_rows)} cannot be moved by the "
                f"free shocks (in {int(counts.max())} of {n} draws); allow more shocks to adjust "
                "or drop the condition"
            )
        gn = g_eq[:, keep] / norms[:, keep, None]
        q = gn @ np.swapaxes(gn, 1, 2)
        min_eig = np.linalg.eigvalsh(q)[:, 0]
        diagnostics["min_gram_eigenvalue"] = float(min_eig.min())
        if min_eig.min() < _SINGULAR_TOL:
            worst, involved, _ = _singular_draw_labels(q, [eq_labels[i] for i in keep])
            raise InputError(
                f"conditions {_quote(involved)} cannot be imposed together: with the shocks "
                f"allowed to adjust they restrict linearly dependent combinations of the shocks "
                f"(posterior draw {worst}); drop one of them or allow more shocks to adjust"
            )
        qinv = np.linalg.inv(q)
        gap = (targets - y0 @ eq_rows.T)[:, keep] / norms[:, keep]
        x = np.einsum("nij,nj->ni", qinv, gap)
        x += np.einsum("nij,nj->ni", qinv, gap - np.einsum("nij,nj->ni", q, x))  # refinement
        dz = np.einsum("ni,nih->nh", x, gn)

    if c.bound_labels:
        # Bounds are physical limits, not policy: every shock may move to respect them, within
        # the directions that leave the hard/soft conditions exactly as imposed.
        if free is not None and gn is not None:
            g_all = g_every[:, keep]
            norms_all = np.linalg.norm(g_all, axis=2)
            gn = g_all / norms_all[..., None]
            qinv = np.linalg.inv(gn @ np.swapaxes(gn, 1, 2))
        dz += _bound_adjustment(z_flat + dz, y0, dz, c, gn, qinv, None, common, rng, diagnostics)

    if g_eq is not None:
        residual = np.einsum("nih,nh->ni", g_eq, dz) - (targets - y0 @ eq_rows.T)
        diagnostics["max_hard_residual"] = float(np.abs(residual[:, :m_h]).max(initial=0.0))
        diagnostics["max_soft_residual"] = float(np.abs(residual[:, m_h:]).max(initial=0.0))
    return (z_flat + dz).reshape(n, h, k), diagnostics


def _bound_adjustment(
    z_now: np.ndarray,
    y0: np.ndarray,
    dz: np.ndarray,
    c: LinearConditions,
    gn: np.ndarray | None,
    qinv: np.ndarray | None,
    free: np.ndarray | None,
    common: dict[str, Any],
    rng: np.random.Generator,
    diagnostics: dict[str, Any],
) -> np.ndarray:
    """Shock adjustment ``(n, h*K)`` that draws the bounded quantities from their truncated law.

    ``z_now`` are the shocks after the hard/soft step (``dz`` the adjustment already made), ``gn``
    and ``qinv`` the normalised equality loadings and the inverse of their Gram matrix (``None``
    without equality conditions).
    """
    n, width = z_now.shape
    labels = c.bound_labels
    gb, nb, stuck = _loadings_norms(c.bound_rows, free, **common)
    current = y0 @ c.bound_rows.T + np.einsum("nih,nh->ni", gb, dz)  # values after hard/soft
    with np.errstate(invalid="ignore", divide="ignore"):
        gbn = np.where(stuck[..., None], 0.0, gb / nb[..., None])
    del gb
    # w = gbn P z with P the projector on the null space of the equality loadings: w ~ N(0, s)
    s = gbn @ np.swapaxes(gbn, 1, 2)
    w_now = np.einsum("nih,nh->ni", gbn, z_now)
    x_eq = None
    if gn is not None and qinv is not None:
        cross = gn @ np.swapaxes(gbn, 1, 2)  # (n, m_e, m_b)
        x_eq = qinv @ cross
        s = s - np.swapaxes(cross, 1, 2) @ x_eq
        w_now = w_now - np.einsum("nei,ne->ni", x_eq, np.einsum("neh,nh->ne", gn, z_now))
    variance = np.diagonal(s, axis1=1, axis2=2)
    fixed = (variance < _FIXED_TOL).any(axis=0) | stuck.any(axis=0)
    _check_fixed_bounds(np.flatnonzero(fixed), current, c)
    diagnostics["fixed_bounds"] = tuple(labels[i] for i in np.flatnonzero(fixed))
    movable = np.flatnonzero(~fixed)
    adjustment = np.zeros((n, width))
    if movable.size:
        adjustment = _sample_movable_bounds(
            movable, s, current, nb, w_now, gbn, gn, x_eq, c, rng, diagnostics
        )
    final = current + np.einsum("nih,nh->ni", gbn * nb[..., None], adjustment)
    violation = np.maximum(c.lower - final, final - c.upper).max(initial=0.0)
    diagnostics["max_bound_violation"] = float(max(violation, 0.0))
    return adjustment


def _sample_movable_bounds(
    movable: np.ndarray,
    s: np.ndarray,
    current: np.ndarray,
    nb: np.ndarray,
    w_now: np.ndarray,
    gbn: np.ndarray,
    gn: np.ndarray | None,
    x_eq: np.ndarray | None,
    c: LinearConditions,
    rng: np.random.Generator,
    diagnostics: dict[str, Any],
) -> np.ndarray:
    """Shock adjustment drawing the bounds that the remaining free directions can move.

    ``s`` is the covariance of the normalised bounded quantities ``w`` given the equalities,
    ``current`` their values after the equality step and ``nb`` the norms used to normalise them.
    """
    n, width = current.shape[0], gbn.shape[2]
    labels = c.bound_labels

    # box for w: lower <= current + nb (w - w_now) <= upper
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = (c.lower - current) / nb + w_now
        hi = (c.upper - current) / nb + w_now
    reps, lo_rep, hi_rep = _merge_parallel_bounds(movable, s, lo, hi, labels)
    s_rep = s[:, reps][:, :, reps]
    scale = np.sqrt(np.diagonal(s_rep, axis1=1, axis2=2))
    corr = s_rep / scale[:, :, None] / scale[:, None, :]
    if len(reps) > 1 and np.linalg.eigvalsh(corr)[:, 0].min() < _SINGULAR_TOL:
        worst, involved, _ = _singular_draw_labels(corr, [labels[i] for i in reps])
        raise InputError(
            f"bounds {_quote(involved)} restrict linearly dependent combinations of the path once "
            f"the hard and soft conditions are imposed (posterior draw {worst}); the sampler "
            "cannot impose them jointly: drop or merge one of them"
        )
    w0 = w_now[:, reps]
    outside = np.flatnonzero(((w0 < lo_rep) | (w0 > hi_rep)).any(axis=1))
    diagnostics["bound_draws_resampled"] = int(outside.size)
    adjustment = np.zeros((n, width))
    if outside.size:
        try:
            adjustment[outside] = _resample_bounded(
                outside, reps, s_rep, w0, lo_rep, hi_rep, gbn, gn, x_eq, rng, diagnostics
            )
        except RuntimeError as exc:
            raise InputError(
                f"bounds {_quote(labels[i] for i in reps)} cannot be met: {exc}; widen or drop "
                "some of them"
            ) from None
    return adjustment


def _resample_bounded(
    outside: np.ndarray,
    reps: list[int],
    s_rep: np.ndarray,
    w0: np.ndarray,
    lo_rep: np.ndarray,
    hi_rep: np.ndarray,
    gbn: np.ndarray,
    gn: np.ndarray | None,
    x_eq: np.ndarray | None,
    rng: np.random.Generator,
    diagnostics: dict[str, Any],
) -> np.ndarray:
    """Shock adjustment for the draws ``outside`` whose bounded quantities ``w0`` leave the box.

    Draws new ``w`` exactly from the truncated law (:func:`box_gaussian`), then completes the
    shocks by Gaussian conditioning on the new ``w``: ``z += P gbn' s^{-1} (w_new - w0)`` with
    ``P`` the projector on the null space of the equality loadings, which leaves the equalities
    intact.
    """
    cov = s_rep[outside]
    w_start, lo, hi = w0[outside], lo_rep[outside], hi_rep[outside]
    w_new, stats = box_gaussian(cov, lo, hi, rng)
    diagnostics["bound_draws_tilted"] = stats.tilted
    diagnostics["bound_proposals"] = stats.proposals
    prec = np.linalg.inv(cov)
    delta = np.einsum("nij,nj->ni", prec, w_new - w_start)  # s^{-1} (w_new - w0)
    step = np.einsum("ni,nih->nh", delta, gbn[outside][:, reps])
    if x_eq is not None and gn is not None:
        along_eq = np.einsum("nei,ni->ne", x_eq[outside][:, :, reps], delta)
        step -= np.einsum("ne,neh->nh", along_eq, gn[outside])
    return step


def _check_fixed_bounds(rows: np.ndarray, current: np.ndarray, c: LinearConditions) -> None:
    """Bounds on quantities the equalities or shock restrictions fix: check, name contradictions."""
    eq_rows = c.equality_rows
    eq_labels = (*c.hard_labels, *c.soft_labels)
    for i in rows:
        value = current[:, i]
        tol = _VALUE_TOL * np.maximum(1.0, np.abs(value))
        bad = (value < c.lower[i] - tol) | (value > c.upper[i] + tol)
        if not bad.any():
            continue
        label = c.bound_labels[i]
        interval = f"[{c.lower[i]:.6g}, {c.upper[i]:.6g}]"
        d = int(np.argmax(bad))
        involved: list[str] = []
        if eq_rows.shape[0]:
            row = c.bound_rows[i] / np.linalg.norm(c.bound_rows[i])
            coef = np.linalg.lstsq(eq_rows.T, row, rcond=None)[0]
            if np.linalg.norm(row - eq_rows.T @ coef) < _DEPENDENT_TOL:
                scale = np.abs(coef) * np.linalg.norm(eq_rows, axis=1)
                involved = [eq_labels[j] for j in np.flatnonzero(scale > _DEPENDENT_TOL)]
        soft = [name for name in involved if name in c.soft_labels]
        if soft:
            raise InputError(
                f"bound '{label}' {interval} is on a quantity fixed by soft condition(s) "
                f"{_quote(soft)}, whose drawn targets break it in {int(bad.sum())} of {bad.size} "
                "draws (a bound cannot truncate a soft condition: narrow its sd or drop the bound)"
            )
        if involved:
            raise InputError(
                f"bound '{label}' {interval} contradicts condition(s) {_quote(involved)}, which "
                f"fix the bounded quantity at {value[d]:.6g} (in {int(bad.sum())} of "
                f"{bad.size} draws)"
            )
        raise InputError(
            f"bound '{label}' {interval} is on a quantity that the conditions and the shocks "
            f"allowed to adjust cannot move, and it is violated in {int(bad.sum())} of "
            f"{bad.size} draws (e.g. {value[d]:.6g})"
        )


def _merge_parallel_bounds(
    movable: np.ndarray, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, labels: Sequence[str]
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Fold bounds on proportional quantities (e.g. a lower and an upper bound given separately).

    Returns the representative rows and the intersected intervals of their ``w`` per draw.
    """
    reps: list[int] = []
    lows: list[np.ndarray] = []
    highs: list[np.ndarray] = []
    members: list[list[int]] = []
    for j in movable:
        for r, i in enumerate(reps):
            rho = s[:, i, j] / np.sqrt(s[:, i, i] * s[:, j, j])
            if np.all(1.0 - np.abs(rho) < _FIXED_TOL):
                ratio = s[:, i, j] / s[:, i, i]  # w_j = ratio * w_i
                a, b_ = lo[:, j] / ratio, hi[:, j] / ratio
                a, b_ = np.where(ratio > 0, a, b_), np.where(ratio > 0, b_, a)
                lows[r] = np.maximum(lows[r], a)
                highs[r] = np.minimum(highs[r], b_)
                members[r].append(int(j))
                break
        else:
            reps.append(int(j))
            lows.append(lo[:, j].copy())
            highs.append(hi[:, j].copy())
            members.append([int(j)])
    lo_rep = np.stack(lows, axis=1)
    hi_rep = np.stack(highs, axis=1)
    tol = _VALUE_TOL * np.maximum(1.0, np.maximum(np.abs(lo_rep), np.abs(hi_rep)))
    empty = lo_rep > hi_rep + np.where(np.isfinite(tol), tol, 0.0)
    if empty.any():
        r = int(np.flatnonzero(empty.any(axis=0))[0])
        raise InputError(
            f"bounds {_quote(labels[j] for j in members[r])} cannot all hold: they bound the same "
            f"quantity (given the other conditions) to an empty interval in "
            f"{int(empty[:, r].sum())} of {empty.shape[0]} draws"
        )
    hi_rep = np.maximum(hi_rep, lo_rep)  # rounding: touching intervals become a point
    return reps, lo_rep, hi_rep
