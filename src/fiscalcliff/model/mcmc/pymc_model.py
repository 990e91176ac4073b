"""The VAR-X ``Y = X B + E`` as a PyMC model.

Density (everything the exact sampler uses, plus the non-conjugate options):

* ``Sigma ~ IW(Psi, d)`` with ``Psi = diag(psi)``, ``d = K + 2`` (as :mod:`..minnesota`);
* ``B | Sigma``: matrix normal ``N(b, Sigma ⊗ Omega)`` (Minnesota moments, Σ-scaled informative
  rows) except rows with independent informative priors (:mod:`..exogenous_priors`);
* sum-of-coefficients and single-unit-root dummy observations as Gaussian pseudo-data
  ``Yd = Xd B + Ed`` (rows scaled by ``1/mu`` and ``1/delta``) — exactly as the exact fit appends
  them to the data; when hyperparameters are random the prior is normalised by
  ``p(Yd | lambda, mu, delta)`` (GLP 2015: the prior of ``(B, Sigma)`` is the posterior given
  the dummies), so ``lambda``, ``mu``, ``delta`` get the same posterior as the Metropolis sampler;
* hyperparameters fixed (the exact fit's values) or random with their Gamma hyperpriors,
  truncated to ``[min, max]``;
* errors: Gaussian ``N(0, Sigma)``, or multivariate Student-t with scale ``Sigma``; optionally a
  common stochastic volatility factor ``Sigma_t = exp(h_t) Sigma``.

Parameterisation (a bijection, so the target density of ``(B, Sigma)`` is unchanged; the log
Jacobian is added as a potential):

* ``Sigma = L L'`` with ``L = C S``, ``C`` the Cholesky factor of the conjugate posterior's
  ``Sigma`` mode and ``S`` lower triangular with ``log diag(S)`` and the off-diagonal free (scaled
  by the expected posterior spread);
* ``B = B_c + G Z L'`` with ``Z`` free, ``B_c`` and ``G G' = Omega_bar`` the conjugate posterior
  mean and row covariance at the fixed hyperparameters: on the conjugate model ``Z`` is then a
  priori standard normal given ``Sigma`` — a linear preconditioning of the kind of PyMC's QR
  reparameterisation of regressions. Without it the 87 highly collinear lag regressors of the
  default model make NUTS crawl. With random hyperparameters ``B_c`` and ``G`` are recomputed
  from them (the conditional posterior given ``theta``), which removes the funnel between the
  tightness and the 609 coefficients (bulk ESS of the tightness ~100 -> ~1,800 per 2,000 draws).
  Non-conjugate options (independent rows, Student-t, SV) keep this preconditioner; it is then
  approximate and NUTS's mass-matrix adaptation does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fiscalcliff.model.exogenous_priors import IndependentRow
from fiscalcliff.model.hyper import gamma_from_mode_sd
from fiscalcliff.model.spec import ErrorSettings, Hyperparameter, VolatilitySettings

TIGHTNESS, SOC, SUR = "tightness", "sum_of_coefficients", "single_unit_root"


@dataclass(frozen=True)
class ModelInputs:
    """Arrays and settings that define the PyMC model (no PyMC objects).

    Attributes
    ----------
    y, x : ndarray, shapes (T, K), (T, M)
        Data in regression form (without dummies).
    yd0, xd0 : ndarray, shapes (Td, K), (Td, M)
        Dummy observations at ``mu = delta = 1``; ``dummy_scale_of`` names the hyperparameter
        (``sum_of_coefficients`` or ``single_unit_root``) dividing each row.
    b : ndarray, shape (M, K)
        Prior mean of ``B`` (Σ-scaled informative rows included).
    omega_fixed : ndarray, shape (M,)
        Prior row variance factors at the fixed hyperparameters.
    omega_unit : ndarray, shape (M,)
        Factors at ``lambda = 1`` for rows in ``lambda_rows`` (``omega = lambda^2 omega_unit``).
    psi, dof : Inverse-Wishart prior ``IW(diag(psi), dof)``.
    independent : tuple of IndependentRow
    hyper_values : dict
        Value of every hyperparameter (used for those not random).
    random_hyper : dict
        Hyperparameters sampled, with their settings.
    b_center, b_root, sigma_root : ndarray
        Preconditioner: ``B_c``, ``G``, ``C`` (see the module docstring).
    dof_post : float
        Posterior degrees of freedom of the conjugate reference (scales the Σ parameters).
    """

    y: np.ndarray
    x: np.ndarray
    yd0: np.ndarray
    xd0: np.ndarray
    dummy_scale_of: tuple[str, ...]
    b: np.ndarray
    omega_fixed: np.ndarray
    omega_unit: np.ndarray
    lambda_rows: np.ndarray
    psi: np.ndarray
    dof: float
    b_center: np.ndarray
    b_root: np.ndarray
    sigma_root: np.ndarray
    dof_post: float
    hyper_values: dict[str, float]
    random_hyper: dict[str, Hyperparameter] = field(default_factory=dict)
    independent: tuple[IndependentRow, ...] = ()
    errors: ErrorSettings = field(default_factory=ErrorSettings)
    volatility: VolatilitySettings = field(default_factory=VolatilitySettings)
    regressors: tuple[str, ...] = ()
    equations: tuple[str, ...] = ()
    dates: tuple = ()

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(T, M, K)``."""
        return self.y.shape[0], self.x.shape[1], self.y.shape[1]

    def coords(self) -> dict:
        """PyMC coordinates."""
        t, m, k = self.shape
        eq = list(self.equations) or [f"y{i}" for i in range(k)]
        return {
            "regressor": list(self.regressors) or [f"x{i}" for i in range(m)],
            "equation": eq,
            "equation_2": eq,
            "time": list(self.dates) or list(range(t)),
            "offdiag": list(range(k * (k - 1) // 2)),
        }


def inputs_from_problem(
    problem,
    values: dict[str, float],
    *,
    random: tuple[str, ...] = (),
    regressors=(),
    dates=(),
) -> ModelInputs:
    """Model inputs for a fitted conjugate problem (:class:`fiscalcliff.model.fit._Problem`).

    Parameters
    ----------
    problem : fiscalcliff.model.fit._Problem
    values : dict
        Hyperparameter values (the optimised ones); random ones start there.
    random : tuple of str
        Names of hyperparameters to sample.
    """
    from fiscalcliff.errors import InputError
    from fiscalcliff.model import minnesota

    spec = problem.spec
    layout = problem.layout
    exo = problem.exo
    specs = {TIGHTNESS: spec.prior.minnesota.tightness}
    if spec.prior.sum_of_coefficients is not None:
        specs[SOC] = spec.prior.sum_of_coefficients
    if spec.prior.single_unit_root is not None:
        specs[SUR] = spec.prior.single_unit_root
    random_hyper = {n: specs[n] for n in random if n in specs}
    if random_hyper and exo.independent and SUR in specs:
        raise InputError(
            "hyperparameters: sample cannot be combined with independent (non Σ-scaled) "
            "exogenous priors while the single-unit-root dummy is on: that dummy involves the "
            "exogenous rows, and the prior's normalising constant p(Yd | hyperparameters) then "
            "has no closed form. Use hyperparameters: optimise, or single_unit_root: null"
        )
    prior = problem.prior(values)
    unit = problem.minnesota_prior({**values, TIGHTNESS: 1.0}).omega
    lam_rows = np.zeros(layout.n_regressors, bool)
    lam_rows[layout.lag_slice] = True
    lam_rows[layout.exog_slice] = True
    for r in exo.sigma_scaled:
        lam_rows[r.row] = False
    blocks, kinds = [], []
    for name in (SOC, SUR):
        if name in specs:
            kw = {SOC: None, SUR: None, name: 1.0}
            yd, xd = minnesota.dummy_observations(
                layout,
                problem.presample,
                problem.presample_exog_mean,
                sum_of_coefficients=kw[SOC],
                single_unit_root=kw[SUR],
                soc_variables=problem.soc_variables,
            )
            blocks.append((yd, xd))
            kinds += [name] * yd.shape[0]
    k, m = len(problem.psi), layout.n_regressors
    yd0 = np.vstack([b[0] for b in blocks]) if blocks else np.zeros((0, k))
    xd0 = np.vstack([b[1] for b in blocks]) if blocks else np.zeros((0, m))
    post = problem.posterior(values)
    sigma_mode = post.psi / (post.dof + k + 1.0)
    return ModelInputs(
        y=problem.y,
        x=problem.x,
        yd0=yd0,
        xd0=xd0,
        dummy_scale_of=tuple(kinds),
        b=prior.b,
        omega_fixed=prior.omega,
        omega_unit=np.where(lam_rows, unit, prior.omega),
        lambda_rows=lam_rows,
        psi=np.diag(prior.psi).copy(),
        dof=prior.dof,
        b_center=post.b_mean,
        b_root=np.linalg.cholesky(post.omega),
        sigma_root=np.linalg.cholesky(sigma_mode),
        dof_post=post.dof,
        hyper_values=dict(values),
        random_hyper=random_hyper,
        independent=exo.independent,
        errors=spec.prior.errors,
        volatility=spec.prior.volatility,
        regressors=tuple(regressors),
        equations=tuple(spec.model.endogenous),
        dates=tuple(dates),
    )


def _lmvgamma(pt, a, k: int):
    """log multivariate gamma ``log Γ_k(a)`` (PyTensor)."""
    j = np.arange(k)
    return k * (k - 1) / 4.0 * np.log(np.pi) + pt.sum(pt.gammaln(a - j / 2.0))


def build_model(inp: ModelInputs):
    """The PyMC model. Deterministics ``B`` (regressor, equation) and ``Sigma`` (equation,
    equation_2); random hyperparameters under their names; ``nu``; ``h`` (time) with SV.

    Returns
    -------
    pymc.Model
    """
    import pymc as pm
    import pytensor.tensor as pt
    from pytensor.tensor.linalg import cholesky, solve_triangular

    t_obs, m, k = inp.shape
    tri = np.tril_indices(k, -1)
    s_diag = 1.0 / np.sqrt(2.0 * inp.dof_post)
    s_off = 1.0 / np.sqrt(inp.dof_post)
    with pm.Model(coords=inp.coords()) as model:
        # hyperparameters
        hv = {}
        for name, h in inp.random_hyper.items():
            shape, scale = gamma_from_mode_sd(h.mode, h.sd)
            hv[name] = pm.Truncated(
                name,
                pm.Gamma.dist(alpha=shape, beta=1.0 / scale),
                lower=h.min,
                upper=h.max,
                initval=float(inp.hyper_values[name]),
            )
        for name, v in inp.hyper_values.items():
            hv.setdefault(name, pt.constant(float(v)))

        # Sigma = L L', L = C S
        u_raw = pm.Flat("sigma_log_diag_std", dims="equation")
        off_raw = pm.Flat("sigma_offdiag_std", dims="offdiag")
        u = s_diag * u_raw
        s_mat = pt.zeros((k, k))
        s_mat = pt.set_subtensor(s_mat[np.arange(k), np.arange(k)], pt.exp(u))
        s_mat = pt.set_subtensor(s_mat[tri], s_off * off_raw)
        chol = pt.as_tensor(inp.sigma_root) @ s_mat
        sigma = pm.Deterministic("Sigma", chol @ chol.T, dims=("equation", "equation_2"))
        logdet = 2.0 * pt.sum(np.log(np.diag(inp.sigma_root)) + u)

        # B | Sigma: prior row variance factors
        if TIGHTNESS in inp.random_hyper:
            lam = hv[TIGHTNESS]
            omega = pt.where(inp.lambda_rows, lam**2 * inp.omega_unit, inp.omega_fixed)
        else:
            omega = pt.as_tensor(inp.omega_fixed)
        if inp.yd0.shape[0]:
            dummy_scale = pt.stack([1.0 / hv[name] for name in inp.dummy_scale_of])
            yd = inp.yd0 * dummy_scale[:, None]
            xd = inp.xd0 * dummy_scale[:, None]

        # B = B_c + G Z L'
        z = pm.Flat("B_std", dims=("regressor", "equation"))
        # log |d(B, Sigma) / d(Z, u, off)| up to a constant
        weights = k - np.arange(k) + 1.0 + m
        log_jac = pt.sum(weights * u)
        if inp.random_hyper:
            # B_c and G follow the hyperparameters: the conjugate posterior mean and root of
            # the row covariance given theta, so Z stays a priori N(0, I) as theta moves
            prec = inp.x.T @ inp.x + pt.diag(1.0 / omega)
            rhs = inp.x.T @ inp.y + inp.b / omega[:, None]
            if inp.yd0.shape[0]:
                prec = prec + xd.T @ xd
                rhs = rhs + xd.T @ yd
            r_low = cholesky(prec)
            center = solve_triangular(
                r_low.T, solve_triangular(r_low, rhs, lower=True), lower=False
            )
            b_expr = center + solve_triangular(r_low.T, z @ chol.T, lower=False)
            log_jac = log_jac - k * pt.sum(pt.log(pt.diag(r_low)))
        else:
            b_expr = pt.as_tensor(inp.b_center) + pt.as_tensor(inp.b_root) @ z @ chol.T
        b = pm.Deterministic("B", b_expr, dims=("regressor", "equation"))
        pm.Potential("log_jacobian", log_jac)

        # Sigma ~ IW(diag(psi), d)
        w = solve_triangular(chol, np.diag(np.sqrt(inp.psi)), lower=True)
        pm.Potential(
            "sigma_prior", -0.5 * (inp.dof + k + 1.0) * logdet - 0.5 * pt.sum(pt.square(w))
        )

        # B | Sigma
        indep_rows = [r.row for r in inp.independent]
        rows = np.setdiff1d(np.arange(m), indep_rows)
        dev = (b - inp.b)[rows] / pt.sqrt(omega[rows])[:, None]
        q = solve_triangular(chol, dev.T, lower=True)
        lp_b = (
            -0.5 * rows.size * logdet
            - 0.5 * k * pt.sum(pt.log(omega[rows]))
            - 0.5 * pt.sum(pt.square(q))
        )
        for r in inp.independent:
            lp_b = lp_b + pt.sum(
                -pt.log(r.sd) - 0.5 * pt.square((b[r.row, r.equations] - r.mean) / r.sd)
            )
            rest = np.setdiff1d(np.arange(k), r.equations)
            if rest.size:
                sub = sigma[rest][:, rest] * omega[r.row]
                c_sub = cholesky(sub)
                v = solve_triangular(c_sub, b[r.row, rest] - inp.b[r.row, rest], lower=True)
                lp_b = lp_b - pt.sum(pt.log(pt.diag(c_sub))) - 0.5 * pt.sum(pt.square(v))
        pm.Potential("B_prior", lp_b)

        # dummy observations (pseudo-data)
        if inp.yd0.shape[0]:
            ed = yd - xd @ b
            qd = solve_triangular(chol, ed.T, lower=True)
            pm.Potential(
                "dummy_observations",
                -0.5 * inp.yd0.shape[0] * logdet - 0.5 * pt.sum(pt.square(qd)),
            )
            if inp.random_hyper:
                pm.Potential("dummy_normaliser", -_dummy_log_ml(pt, yd, xd, omega, inp))

        # likelihood
        nu = None
        if inp.errors.distribution == "student_t":
            if inp.errors.nu == "estimate":
                shape, sc = gamma_from_mode_sd(inp.errors.nu_prior.mode, inp.errors.nu_prior.sd)
                g = pm.Gamma("nu_minus_2", alpha=shape, beta=1.0 / sc)
                nu = pm.Deterministic("nu", 2.0 + g)
            else:
                nu = pt.constant(float(inp.errors.nu))
        h = None
        if inp.volatility.kind == "stochastic":
            vol = inp.volatility
            phi = pm.Beta("sv_persistence", alpha=vol.persistence_alpha, beta=vol.persistence_beta)
            sd_h = pm.HalfNormal("sv_shock_sd", sigma=vol.shock_sd)
            eta = pm.Normal("sv_innovation_std", 0.0, 1.0, dims="time")
            lag = np.subtract.outer(np.arange(t_obs), np.arange(t_obs))
            decay = pt.where(lag >= 0, phi ** np.maximum(lag, 0), 0.0)
            first = pt.set_subtensor(eta[0], eta[0] / pt.sqrt(1.0 - phi**2))
            h = pm.Deterministic("h", sd_h * (decay @ first), dims="time")

        def loglik(value, mean, chol_, nu_, h_):
            qt = solve_triangular(chol_, (value - mean).T, lower=True)
            quad = pt.sum(pt.square(qt), axis=0)
            out = -0.5 * t_obs * 2.0 * pt.sum(pt.log(pt.diag(chol_)))
            if h is not None:
                out = out - 0.5 * k * pt.sum(h_)
                quad = quad * pt.exp(-h_)
            if nu is None:
                return out - 0.5 * pt.sum(quad)
            return (
                out
                + t_obs
                * (pt.gammaln(0.5 * (nu_ + k)) - pt.gammaln(0.5 * nu_) - 0.5 * k * pt.log(nu_))
                - 0.5 * (nu_ + k) * pt.sum(pt.log1p(quad / nu_))
            )

        params = [
            pt.as_tensor(inp.x) @ b,
            chol,
            nu if nu is not None else pt.constant(np.inf),
            h if h is not None else pt.zeros(t_obs),
        ]
        pm.CustomDist(
            "y",
            *params,
            logp=loglik,
            observed=inp.y,
            dims=("time", "equation"),
            signature="(t,k),(k,k),(),(t)->(t,k)",
        )
    return model


def _dummy_log_ml(pt, yd, xd, omega, inp: ModelInputs):
    """``log p(Yd | hyperparameters)`` under the NIW prior (PyTensor), matrix-t form.

    ``-Td K/2 log(pi) + log Γ_K((Td+d)/2) - log Γ_K(d/2) + d/2 log|Psi| - K/2 log|I + Xd Ω Xd'|
    - (Td+d)/2 log|Psi + Ed' (I + Xd Ω Xd')^{-1} Ed|`` with ``Ed = Yd - Xd b``.
    """
    from pytensor.tensor.linalg import cholesky, solve_triangular

    td, k = inp.yd0.shape
    d = inp.dof
    a = pt.eye(td) + (xd * omega[None, :]) @ xd.T
    c_a = cholesky(a)
    ed = yd - xd @ inp.b
    v = solve_triangular(c_a, ed, lower=True)
    s = np.diag(inp.psi) + v.T @ v
    c_s = cholesky(s)
    return (
        -0.5 * td * k * np.log(np.pi)
        + _lmvgamma(pt, 0.5 * (td + d), k)
        - _lmvgamma(pt, 0.5 * d, k)
        + 0.5 * d * np.sum(np.log(inp.psi))
        - k * pt.sum(pt.log(pt.diag(c_a)))
        - (td + d) * pt.sum(pt.log(pt.diag(c_s)))
    )
