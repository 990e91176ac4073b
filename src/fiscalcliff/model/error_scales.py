"""Month-by-month error scales for the censored Gibbs sampler: Student-t and stochastic volatility.

The censored VAR's errors are ``e_t ~ N(0, v_t Sigma)`` with a scale ``v_t = lambda_t exp(h_t)``
shared by every equation (a *common* scale, so the conjugate Kronecker structure survives):

- **Student-t errors** (``prior.errors.distribution: student_t``): ``lambda_t ~ IG(nu/2, nu/2)``
  i.i.d., which makes ``e_t`` multivariate Student-t with scale matrix ``Sigma``. Given the rest,
  ``lambda_t ~ IG((nu + K)/2, (nu + q_t exp(-h_t))/2)`` with ``q_t = e_t' Sigma^-1 e_t`` (exact).
  ``nu = 2 + g`` with ``g ~ Gamma(nu_prior)`` is sampled by random-walk Metropolis on ``log g``
  when ``nu: estimate``, with the ``lambda_t`` integrated out (then the ``lambda_t`` given it).
- **Common stochastic volatility** (``prior.volatility.kind: stochastic``; Carriero, Clark &
  Marcellino 2016): ``h_t = phi h_{t-1} + sd eta_t``, stationary around zero,
  ``phi ~ Beta(persistence_alpha, persistence_beta)``, ``sd ~ HalfNormal(shock_sd)`` — the
  model of the NUTS path (:mod:`fiscalcliff.model.mcmc.pymc_model`). The whole vector ``h`` is
  drawn at once by independence Metropolis–Hastings from the Gaussian approximation at the
  mode of its conditional (Chan & Hsiao 2014, "Estimation of stochastic volatility models with
  heavy tails and serial dependence"; the precision is tridiagonal); ``sd`` by independence MH
  from its inverse-gamma conditional under a flat prior, ``phi`` by independence MH from its
  truncated-normal regression conditional, each corrected for the rest of its prior.

Every step leaves the joint posterior invariant. Weights ``1 / v_t`` enter the conjugate draw
(rows scaled by ``v_t^-1/2``) and the shadow values' precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fiscalcliff.model.banded import band_cholesky, band_upper_solve, tridiagonal_solve
from fiscalcliff.model.truncnorm import truncated_normal

#: Newton iterations for the log-volatility mode (a guard; it converges in well under 20)
NEWTON_MAX = 100
#: random-walk step of log(nu - 2) in the nu update, and steps per Gibbs iteration
NU_STEP = 0.8
NU_STEPS = 10
#: independence-MH proposals of the log-volatility vector per Gibbs iteration: the mode and the
#: proposal's factor are computed once, so further proposals cost one triangular solve each
LOG_VOL_PROPOSALS = 10


@dataclass(frozen=True)
class ScaleSettings:
    """Which error scales the sampler draws, with their priors (from the prior file).

    Attributes
    ----------
    student_t : bool
    nu : float or None
        Fixed degrees of freedom; None: sampled, ``nu - 2 ~ Gamma(nu_shape, scale=nu_scale)``.
    nu_shape, nu_scale : float
    stochastic : bool
        Common stochastic volatility.
    persistence_alpha, persistence_beta, shock_sd : float
        ``phi ~ Beta(alpha, beta)``, ``sd ~ HalfNormal(shock_sd)``.
    """

    student_t: bool = False
    nu: float | None = None
    nu_shape: float = 2.0
    nu_scale: float = 5.0
    stochastic: bool = False
    persistence_alpha: float = 20.0
    persistence_beta: float = 1.5
    shock_sd: float = 0.3

    @property
    def active(self) -> bool:
        """Whether any scale is drawn (otherwise every ``v_t = 1``)."""
        return self.student_t or self.stochastic

    @classmethod
    def from_prior(cls, prior) -> ScaleSettings:
        """From a :class:`~fiscalcliff.model.spec.PriorSettings` (``errors`` and ``volatility``)."""
        from fiscalcliff.model.hyper import gamma_from_mode_sd

        errors, vol = prior.errors, prior.volatility
        shape, scale = gamma_from_mode_sd(errors.nu_prior.mode, errors.nu_prior.sd)
        return cls(
            student_t=errors.distribution == "student_t",
            nu=None if errors.nu == "estimate" else float(errors.nu),
            nu_shape=float(shape),
            nu_scale=float(scale),
            stochastic=vol.kind == "stochastic",
            persistence_alpha=float(vol.persistence_alpha),
            persistence_beta=float(vol.persistence_beta),
            shock_sd=float(vol.shock_sd),
        )


@dataclass
class ScaleState:
    """Current values of one chain's scale variables (``T`` residual months).

    Attributes
    ----------
    lam : ndarray, shape (T,)
        Student-t mixing variables (ones without Student-t errors).
    h : ndarray, shape (T,)
        Log-volatility (zeros without stochastic volatility).
    nu, phi, sd : float
    accepted : dict
        Accepted Metropolis proposals per block (``h``, ``phi``, ``sd``, ``nu``, ``level``).
    """

    lam: np.ndarray
    h: np.ndarray
    nu: float
    phi: float
    sd: float
    accepted: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, settings: ScaleSettings, t: int, rng: np.random.Generator) -> ScaleState:
        """Mixing variables at one, the hyperparameters at their prior's centre and, with
        stochastic volatility, ``h`` a draw of its stationary AR(1) prior at those values
        (zeros otherwise)."""
        a, b = settings.persistence_alpha, settings.persistence_beta
        nu = settings.nu if settings.nu is not None else 2.0 + settings.nu_shape * settings.nu_scale
        phi, sd = a / (a + b), settings.shock_sd * np.sqrt(2 / np.pi)
        h = np.zeros(t)
        if settings.stochastic:
            eta = rng.standard_normal(t) * sd
            h[0] = eta[0] / np.sqrt(1.0 - phi * phi)
            for i in range(1, t):
                h[i] = phi * h[i - 1] + eta[i]
        return cls(
            lam=np.ones(t),
            h=h,
            nu=float(nu),
            phi=phi,
            sd=sd,
            accepted={"h": 0, "phi": 0, "sd": 0, "nu": 0, "level": 0},
        )

    @property
    def scale(self) -> np.ndarray:
        """``v_t = lambda_t exp(h_t)``: month ``t``'s error covariance is ``v_t Sigma``."""
        return self.lam * np.exp(self.h)

    @property
    def weights(self) -> np.ndarray:
        """``1 / v_t``."""
        return np.exp(-self.h) / self.lam


@dataclass(frozen=True)
class FutureScales:
    """Per-draw law of the error scales of future months, ``v_{T+j}`` for ``j = 1..h``.

    Forecasts draw ``v_{T+j}`` for every path and month and use shocks
    ``sqrt(v_{T+j}) A u_{T+j}`` with standard-normal ``u`` (``A A' = Sigma``), which is the
    model's predictive law: with Student-t errors ``lambda_{T+j} ~ IG(nu/2, nu/2)`` i.i.d.; with
    stochastic volatility ``h_{T+j} = phi h_{T+j-1} + sd eta`` from the draw's last month.
    Conditions and plausibility work on ``u`` given the scales.

    Attributes
    ----------
    nu : ndarray, shape (n,) or None
        Degrees of freedom per draw (None: Gaussian errors).
    h_last, phi, sd : ndarray, shape (n,) or None
        Last month's log-volatility, persistence and shock sd per draw (None: constant).
    """

    nu: np.ndarray | None = None
    h_last: np.ndarray | None = None
    phi: np.ndarray | None = None
    sd: np.ndarray | None = None

    def _fields(self) -> dict[str, np.ndarray | None]:
        return {"nu": self.nu, "h_last": self.h_last, "phi": self.phi, "sd": self.sd}

    def take(self, index) -> FutureScales:
        """The draws at ``index``."""
        return FutureScales(
            **{n: None if v is None else v[index] for n, v in self._fields().items()}
        )

    @staticmethod
    def concatenate(parts: list[FutureScales]) -> FutureScales:
        """Draws of several laws, in order."""
        names = parts[0]._fields()
        return FutureScales(
            **{
                n: None if names[n] is None else np.concatenate([p._fields()[n] for p in parts])
                for n in names
            }
        )

    def draw(self, horizon: int, rng: np.random.Generator) -> np.ndarray:
        """``v_{T+j}``, shape ``(n, horizon)``, one independent path per draw."""
        n = (self.nu if self.nu is not None else self.h_last).shape[0]
        scale = np.ones((n, horizon))
        if self.nu is not None:
            half = 0.5 * self.nu[:, None]
            scale *= half / rng.gamma(np.broadcast_to(half, (n, horizon)), 1.0)
        if self.h_last is not None:
            eta = rng.standard_normal((n, horizon)) * self.sd[:, None]
            h = self.h_last
            for j in range(horizon):
                h = self.phi * h + eta[:, j]
                scale[:, j] *= np.exp(h)
        return scale


def future_scales(
    settings: ScaleSettings, nu: np.ndarray, h_last: np.ndarray, phi: np.ndarray, sd: np.ndarray
) -> FutureScales | None:
    """The :class:`FutureScales` of stored draws under ``settings`` (None: neither scale)."""
    if not settings.active:
        return None
    if settings.stochastic:
        return FutureScales(nu if settings.student_t else None, h_last, phi, sd)
    return FutureScales(nu=nu)


def update(
    state: ScaleState, quad: np.ndarray, k: int, settings: ScaleSettings, rng: np.random.Generator
) -> None:
    """One Gibbs pass over the scale variables, in place, given ``quad[t] = e_t' Sigma^-1 e_t``
    of the current residuals (``k`` equations)."""
    if settings.student_t:
        c = quad * np.exp(-state.h)
        if settings.nu is None:
            state.nu, ok = draw_nu(state.nu, c, k, settings, rng)
            state.accepted["nu"] += ok / NU_STEPS
        state.lam = 0.5 * (state.nu + c) / rng.gamma(0.5 * (state.nu + k), 1.0, size=c.shape)
    if settings.stochastic:
        state.h, ok = draw_log_vol(
            state.h, quad / state.lam, k, state.phi, state.sd, rng, LOG_VOL_PROPOSALS
        )
        state.accepted["h"] += ok / LOG_VOL_PROPOSALS
        state.sd, ok = draw_shock_sd(state.h, state.phi, state.sd, settings.shock_sd, rng)
        state.accepted["sd"] += ok
        state.h, state.sd, _ = draw_shock_sd_noncentred(
            state.h, state.sd, quad / state.lam, k, settings.shock_sd, rng
        )
        state.phi, ok = draw_persistence(
            state.h, state.phi, state.sd, settings.persistence_alpha, settings.persistence_beta, rng
        )
        state.accepted["phi"] += ok


def _ar1_precision(t: int, phi: float, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Diagonal and off-diagonal of the precision of a stationary zero-mean AR(1) of length t."""
    diag = np.full(t, (1.0 + phi * phi) / sd**2)
    diag[0] = diag[-1] = 1.0 / sd**2
    if t == 1:
        diag[0] = (1.0 - phi * phi) / sd**2
    return diag, np.full(max(t - 1, 0), -phi / sd**2)


def _band(diag: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Upper band storage of a symmetric tridiagonal matrix."""
    band = np.zeros((2, diag.size))
    band[0, 1:] = off
    band[1] = diag
    return band


def _tri_mult(diag: np.ndarray, off: np.ndarray, x: np.ndarray) -> np.ndarray:
    out = diag * x
    out[:-1] += off * x[1:]
    out[1:] += off * x[:-1]
    return out


def log_vol_log_density(h: np.ndarray, c: np.ndarray, k: int, phi: float, sd: float) -> float:
    """``log p(h | rest)`` up to a constant: ``sum_t [-k h_t / 2 - c_t exp(-h_t) / 2]`` plus the
    stationary AR(1) prior (``c_t = q_t / lambda_t``)."""
    return _log_vol_density(h, c, k, *_ar1_precision(h.size, phi, sd))


def _log_vol_density(
    h: np.ndarray, c: np.ndarray, k: int, diag: np.ndarray, off: np.ndarray
) -> float:
    """:func:`log_vol_log_density` given the AR(1) prior's tridiagonal precision."""
    return float(
        -0.5 * k * h.sum() - 0.5 * (c * np.exp(-h)).sum() - 0.5 * h @ _tri_mult(diag, off, h)
    )


def _log_vol_mode(c: np.ndarray, k: int, diag: np.ndarray, off: np.ndarray, start: np.ndarray):
    """Mode of the (strictly concave) log conditional of ``h``, by damped Newton steps."""

    def f(x):
        return _log_vol_density(x, c, k, diag, off)

    x, fx = start.copy(), f(start)
    for _ in range(NEWTON_MAX):
        e = c * np.exp(-x)
        grad = -0.5 * k + 0.5 * e - _tri_mult(diag, off, x)
        step = tridiagonal_solve(diag + 0.5 * e, off, grad)
        t = 1.0
        while True:
            new = x + t * step
            f_new = f(new)
            if f_new >= fx - 1e-12 or t < 1e-8:
                break
            t *= 0.5
        x, moved, fx = new, float(np.max(np.abs(t * step))), f_new
        if moved < 1e-9:
            break
    return x


def draw_log_vol(
    h: np.ndarray,
    c: np.ndarray,
    k: int,
    phi: float,
    sd: float,
    rng: np.random.Generator,
    proposals: int = 1,
) -> tuple[np.ndarray, int]:
    """``proposals`` independence Metropolis–Hastings steps for the log-volatility vector ``h``.

    The proposal is ``N(m, K^-1)`` with ``m`` the mode of ``log p(h | rest)`` and ``K`` minus its
    Hessian there (tridiagonal), drawn through its banded Cholesky factor. Each step leaves the
    conditional invariant, so several in a row are a valid (better mixing) update.

    Returns
    -------
    h : ndarray
        The new (or the old) vector.
    accepted : int
        How many of the proposals were accepted.
    """
    diag, off = _ar1_precision(h.size, phi, sd)
    mode = _log_vol_mode(c, k, diag, off, h)
    prec_diag = diag + 0.5 * c * np.exp(-mode)
    factor = band_cholesky(_band(prec_diag, off))
    w = band_upper_solve(factor, rng.standard_normal((h.size, proposals)))
    u = np.log(rng.uniform(size=proposals))

    def log_weight(x):  # log target - log proposal density
        d = x - mode
        return _log_vol_density(x, c, k, diag, off) + 0.5 * d @ _tri_mult(prec_diag, off, d)

    current, accepted = log_weight(h), 0
    for j in range(proposals):
        proposal = mode + w[:, j]
        new = log_weight(proposal)
        if u[j] < new - current:
            h, current, accepted = proposal, new, accepted + 1
    return h, accepted


def _ar1_sum_of_squares(h: np.ndarray, phi: float) -> float:
    return float((1.0 - phi * phi) * h[0] ** 2 + np.sum((h[1:] - phi * h[:-1]) ** 2))


def draw_shock_sd(
    h: np.ndarray, phi: float, sd: float, prior_sd: float, rng: np.random.Generator
) -> tuple[float, bool]:
    """Independence MH for the volatility's shock sd under a ``HalfNormal(prior_sd)`` prior.

    In ``v = sd^2`` the target is ``v^-(T+1)/2 exp(-S/(2v)) exp(-v/(2 prior_sd^2))``; the
    proposal ``IG((T-1)/2, S/2)`` is all of it but the last factor, which is the acceptance
    ratio. Needs ``T >= 2``.
    """
    t = h.size
    s = _ar1_sum_of_squares(h, phi)
    v_new = max(0.5 * s / rng.gamma(0.5 * (t - 1), 1.0), 1e-300)
    v_old = sd * sd
    if np.log(rng.uniform()) < -(v_new - v_old) / (2.0 * prior_sd**2):
        return float(np.sqrt(v_new)), True
    return sd, False


def draw_shock_sd_noncentred(
    h: np.ndarray,
    sd: float,
    c: np.ndarray,
    k: int,
    prior_sd: float,
    rng: np.random.Generator,
    steps: int = 5,
) -> tuple[np.ndarray, float, int]:
    """The shock sd again in the non-centred parameterisation ``h = sd h~`` (ancillarity-
    sufficiency interweaving, Kastner & Frühwirth-Schnatter 2014): with the standardised path
    ``h~ = h / sd`` held, ``sd``'s conditional is the HalfNormal prior times the likelihood
    ``prod_t exp(-k sd h~_t / 2 - c_t exp(-sd h~_t) / 2)``; ``steps`` random-walk Metropolis
    steps on ``log sd``. The centred update alone mixes slowly because ``sd`` and ``h`` are
    tied; interweaving the two is the standard remedy.

    Returns
    -------
    h : ndarray
        ``sd_new h~``.
    sd : float
    accepted : int
    """
    std = h / sd

    def log_p(x):  # in log sd, Jacobian included
        v = np.exp(x)
        return (
            float(
                -0.5 * v * v / prior_sd**2
                - 0.5 * k * v * std.sum()
                - 0.5 * (c * np.exp(-v * std)).sum()
            )
            + x
        )

    x = np.log(sd)
    current, accepted = log_p(x), 0
    moves = rng.standard_normal(steps) * 0.2
    u = np.log(rng.uniform(size=steps))
    for move, threshold in zip(moves, u, strict=True):
        new = log_p(x + move)
        if threshold < new - current:
            x, current, accepted = x + move, new, accepted + 1
    sd_new = float(np.exp(x))
    return std * sd_new, sd_new, accepted


def draw_persistence(
    h: np.ndarray, phi: float, sd: float, alpha: float, beta: float, rng: np.random.Generator
) -> tuple[float, bool]:
    """Independence MH for the volatility's persistence ``phi`` in (0, 1).

    The proposal is the regression part of the conditional, ``N(sum h_t h_{t-1} / sum h_{t-1}^2,
    sd^2 / sum h_{t-1}^2)`` truncated to (0, 1); the acceptance ratio is the rest: the
    ``Beta(alpha, beta)`` prior and the stationary density of ``h_1``.
    """
    lagged = h[:-1]
    ss = float(lagged @ lagged)
    if ss <= 0.0:
        return phi, False
    mean, scale = float(lagged @ h[1:]) / ss, sd / np.sqrt(ss)
    # inversion at one uniform, as scipy.stats.truncnorm.rvs draws (a quarter of its cost, and no
    # scipy.stats import in each chain's process)
    new = float(truncated_normal(mean, scale, 0.0, 1.0, rng.uniform()))
    new = min(max(new, 1e-12), 1.0 - 1e-12)

    def rest(x):
        return (
            (alpha - 1.0) * np.log(x)
            + (beta - 1.0) * np.log1p(-x)
            + 0.5 * np.log1p(-x * x)
            - 0.5 * (1.0 - x * x) * h[0] ** 2 / sd**2
        )

    if np.log(rng.uniform()) < rest(new) - rest(phi):
        return new, True
    return phi, False


def draw_level_shift(
    h: np.ndarray, phi: float, sd: float, slope: float, trace: float, rng: np.random.Generator
) -> tuple[float, bool]:
    """A joint move of the volatility's level and ``Sigma``'s scale:
    ``(h, Sigma) -> (h + c, exp(-c) Sigma)``, which leaves every month's error covariance
    ``exp(h_t) Sigma`` and so the likelihood unchanged.

    Without it the Gibbs sampler explores the direction along which ``h``'s mean and ``Sigma``'s
    scale trade off only through their priors, one small step per iteration. ``c`` is drawn from
    its conditional as a group move (Liu & Sabatti 2000): with the additive group's Haar measure,
    ``log p(c) = slope c - trace exp(c) / 2 - (h + c)' P (h + c) / 2`` up to a constant, where
    ``P`` is the AR(1) precision of ``h``, ``trace = tr(Sigma^-1 S)`` collects every prior term
    in ``Sigma^-1`` and ``slope`` the powers of ``|Sigma|`` and the Jacobian (see
    :func:`level_shift_terms`). The density is log-concave: independence Metropolis–Hastings
    from its Laplace approximation.

    Returns
    -------
    c : float
        The shift (0 when the proposal is rejected).
    accepted : bool
    """
    diag, off = _ar1_precision(h.size, phi, sd)
    ph = _tri_mult(diag, off, h)
    ones = _tri_mult(diag, off, np.ones(h.size))
    p_h, p_1 = float(ph.sum()), float(ones.sum())  # 1'P h, 1'P 1

    def log_p(c):
        return slope * c - 0.5 * trace * np.exp(c) - p_h * c - 0.5 * p_1 * c * c

    c = 0.0
    for _ in range(NEWTON_MAX):
        grad = slope - 0.5 * trace * np.exp(c) - p_h - p_1 * c
        curv = 0.5 * trace * np.exp(c) + p_1
        step = grad / curv
        c += step
        if abs(step) < 1e-10:
            break
    curv = 0.5 * trace * np.exp(c) + p_1
    scale = 1.0 / np.sqrt(curv)
    new = c + scale * rng.standard_normal()

    def log_q(x):
        return -0.5 * ((x - c) / scale) ** 2

    if np.log(rng.uniform()) < log_p(new) - log_p(0.0) + log_q(0.0) - log_q(new):
        return float(new), True
    return 0.0, False


def level_shift_terms(
    sigma_inv: np.ndarray,
    b: np.ndarray,
    prior_b: np.ndarray,
    prior_omega: np.ndarray,
    prior_psi: np.ndarray,
    prior_dof: float,
    dummy_resid: np.ndarray,
) -> tuple[float, float]:
    """``(slope, trace)`` of :func:`draw_level_shift` for the conjugate NIW prior
    ``Sigma ~ IW(Psi, d)``, ``vec(B) | Sigma ~ N(vec(B0), Sigma ⊗ diag(omega))`` and ``Td`` dummy
    observations with residuals ``Ed`` (covariance ``Sigma``).

    Under ``Sigma -> exp(-c) Sigma`` the log density gains ``c K (M + d + K + 1 + Td) / 2`` from
    the determinants, ``-exp(c) tr(Sigma^-1 S) / 2`` with
    ``S = Psi + (B - B0)' diag(omega)^-1 (B - B0) + Ed' Ed``, and the Jacobian of the move on
    the ``K (K + 1) / 2`` free entries of ``Sigma`` contributes ``-c K (K + 1) / 2``.
    """
    m, k = b.shape
    dev = b - prior_b
    s = prior_psi + dev.T @ (dev / prior_omega[:, None]) + dummy_resid.T @ dummy_resid
    td = dummy_resid.shape[0]
    slope = 0.5 * k * (m + prior_dof + k + 1 + td) - 0.5 * k * (k + 1)
    return float(slope), float(np.sum(sigma_inv * s))


def _log_nu_marginal(g: float, c: np.ndarray, k: int, settings: ScaleSettings) -> float:
    """``log p(g | residuals)`` up to a constant, ``nu = 2 + g``, with every ``lambda_t``
    integrated out: the product of multivariate Student-t densities of the residuals (``c_t =
    e_t' (exp(h_t) Sigma)^-1 e_t``, ``k`` equations) and the Gamma prior of ``g``."""
    from scipy.special import gammaln

    if g <= 0.0:
        return -np.inf
    nu = 2.0 + g
    t = c.size
    dens = t * (gammaln(0.5 * (nu + k)) - gammaln(0.5 * nu) - 0.5 * k * np.log(nu))
    dens -= 0.5 * (nu + k) * np.log1p(c / nu).sum()
    return float(dens + (settings.nu_shape - 1.0) * np.log(g) - g / settings.nu_scale)


def draw_nu(
    nu: float, c: np.ndarray, k: int, settings: ScaleSettings, rng: np.random.Generator
) -> tuple[float, int]:
    """:data:`NU_STEPS` random-walk Metropolis steps on ``log(nu - 2)`` (Jacobian included)
    targeting ``nu``'s conditional with the mixing variables integrated out
    (:func:`_log_nu_marginal`); the caller then draws every ``lambda_t`` given the new ``nu``,
    so the pair moves as one block (drawing ``nu`` given the ``lambda_t`` mixes very slowly).

    Returns
    -------
    nu : float
    accepted : int
    """
    g = nu - 2.0
    current = _log_nu_marginal(g, c, k, settings)
    steps = rng.standard_normal(NU_STEPS) * NU_STEP
    u = np.log(rng.uniform(size=NU_STEPS))
    accepted = 0
    for step, threshold in zip(steps, u, strict=True):
        g_new = g * np.exp(step)
        new = _log_nu_marginal(g_new, c, k, settings)
        if threshold < new - current + step:  # + log(g_new / g): the Jacobian
            g, current, accepted = g_new, new, accepted + 1
    return 2.0 + g, accepted


__all__ = [
    "FutureScales",
    "ScaleSettings",
    "ScaleState",
    "draw_level_shift",
    "draw_log_vol",
    "draw_nu",
    "draw_persistence",
    "draw_shock_sd",
    "draw_shock_sd_noncentred",
    "future_scales",
    "level_shift_terms",
    "log_vol_log_density",
    "update",
]
