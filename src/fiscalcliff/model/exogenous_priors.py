"""Informative priors on exogenous multipliers (``prior.exogenous_priors`` in a prior file).

An entry ``{variable: x, equation: i, mean: m, sd: s, source: ...}`` asks for
``B[x, i] ~ N(m, s^2)``. How it enters the two samplers:

**Σ-scaled rows (both samplers).** The conjugate prior gives every coefficient of one regressor
row the variance ``Sigma_ii * omega_x`` with one factor ``omega_x`` per row (Kronecker structure
``Sigma ⊗ Omega``). An informative prior on exogenous variable ``x`` is expressible in that form
only when *every* equation has an entry and the implied factors ``s_i^2 / E[Sigma_ii]`` agree
(within 1%; ``E[Sigma_ii] = psi_i / (d - K - 1)``, the prior scale of the residual variance). The
row then gets mean ``m_i`` and factor ``omega_x`` (their geometric mean): the prior sd of
``B[x, i]`` is ``s_i`` at ``Sigma_ii = E[Sigma_ii]`` and scales with ``sqrt(Sigma_ii)``. The
exact sampler and the NUTS model use the same Σ-scaled row, so the two agree on it.

**Independent rows (NUTS only).** Any other set of entries for ``x`` (e.g. one equation, or sds
not proportional to ``sqrt(psi_i)``) is not expressible in conjugate form: the exact sampler
refuses it with a message pointing to ``sampler: nuts``. The NUTS model gives each entry an
independent ``N(m, s^2)`` prior (not scaled by Σ) and keeps, for the equations of that row
without an entry, the marginal of the Minnesota row prior, ``N(0, omega_x Sigma_JJ)``, so their
prior is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fiscalcliff.errors import InputError
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.niw import NIWPrior

#: relative tolerance on the implied row factors of a Σ-scaled row
RTOL = 0.01


@dataclass(frozen=True)
class SigmaScaledRow:
    """A complete, Σ-scaled informative row: ``B[row] | Sigma ~ N(mean, omega Sigma)``."""

    variable: str
    row: int
    mean: np.ndarray
    omega: float


@dataclass(frozen=True)
class IndependentRow:
    """Entries of one row with independent Normal priors (NUTS only).

    ``equations``/``mean``/``sd`` list the entries; the row's other equations keep the
    Minnesota prior's marginal.
    """

    variable: str
    row: int
    equations: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    why: str = ""


@dataclass(frozen=True)
class ExogenousPlan:
    """How the prior file's exogenous priors enter the model."""

    sigma_scaled: tuple[SigmaScaledRow, ...] = ()
    independent: tuple[IndependentRow, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """No informative exogenous priors."""
        return not self.sigma_scaled and not self.independent


def plan(spec, layout: LagLayout, psi: np.ndarray, dof: float) -> ExogenousPlan:
    """Sort the prior file's ``exogenous_priors`` into Σ-scaled and independent rows.

    Parameters
    ----------
    spec : PriorFile
    layout : LagLayout
    psi : ndarray, shape (K,)
        Diagonal of the inverse-Wishart scale.
    dof : float
        Inverse-Wishart degrees of freedom (``E[Sigma] = Psi / (dof - K - 1)``).
    """
    entries = spec.prior.exogenous_priors
    if not entries:
        return ExogenousPlan()
    endog = list(spec.model.endogenous)
    k = len(endog)
    sigma_scale = psi / (dof - k - 1.0)
    scaled, indep, notes = [], [], []
    for j, name in enumerate(spec.model.exogenous):
        mine = [e for e in entries if e.variable == name]
        if not mine:
            continue
        row = layout.exog_slice.start + j
        eqs = np.array([endog.index(e.equation) for e in mine])
        mean = np.array([e.mean for e in mine])
        sd = np.array([e.sd for e in mine])
        factors = sd**2 / sigma_scale[eqs]
        if len(mine) < k:
            missing = [endog[i] for i in range(k) if i not in set(eqs)]
            why = (
                f"{name}: informative sds for {len(mine)} of {k} equations (none for "
                f"{', '.join(missing)}); a conjugate row needs all {k}"
            )
        elif factors.max() > factors.min() * (1 + RTOL):
            why = (
                f"{name}: implied variance factors sd_i^2/E[Sigma_ii] range "
                f"{factors.min():.3g}..{factors.max():.3g}; a conjugate row needs one factor "
                "(sds proportional to sqrt(psi_i))"
            )
        else:
            full = np.zeros(k)
            full[eqs] = mean
            omega = float(np.exp(np.mean(np.log(factors))))
            scaled.append(SigmaScaledRow(name, row, full, omega))
            notes.append(f"{name}: Σ-scaled informative row (omega={omega:.4g})")
            continue
        order = np.argsort(eqs)
        indep.append(IndependentRow(name, row, eqs[order], mean[order], sd[order], why))
        notes.append(f"{name}: independent Normal priors on {len(mine)} coefficient(s)")
    return ExogenousPlan(tuple(scaled), tuple(indep), tuple(notes))


def apply_conjugate(prior: NIWPrior, exo: ExogenousPlan) -> NIWPrior:
    """The conjugate prior with the Σ-scaled informative rows put in (independent rows ignored)."""
    if not exo.sigma_scaled:
        return prior
    b, omega = prior.b.copy(), prior.omega.copy()
    for r in exo.sigma_scaled:
        b[r.row] = r.mean
        omega[r.row] = r.omega
    return NIWPrior(b=b, omega=omega, psi=prior.psi, dof=prior.dof)


def non_conjugate_settings(spec, exo: ExogenousPlan) -> list[str]:
    """Settings of a prior file that the exact (conjugate) sampler cannot honour.

    A censored model's Gibbs sampler draws Student-t mixing variables and a common stochastic
    volatility as blocks of their own (:mod:`fiscalcliff.model.error_scales`), so for it only
    the independent exogenous priors are a problem."""
    problems = [f"exogenous_priors: {r.why}" for r in exo.independent]
    if spec.model.censored:
        return problems
    if spec.prior.errors.distribution != "normal":
        problems.append(f"errors: {spec.prior.errors.distribution} errors are not conjugate")
    if spec.prior.volatility.kind != "constant":
        problems.append("volatility: stochastic volatility is not conjugate")
    return problems


def check_exact(spec, exo: ExogenousPlan) -> None:
    """Raise a clear :class:`InputError` when the exact sampler cannot honour the prior file."""
    problems = non_conjugate_settings(spec, exo)
    if problems:
        raise InputError(
            "the exact (conjugate) sampler cannot honour these prior settings:\n  - "
            + "\n  - ".join(problems)
            + "\nuse the NUTS sampler instead: `--sampler nuts` on the command line, "
            "`sampler='nuts'` in fit(), or `prior.inference.sampler: nuts` in the prior file"
        )
