"""The PyMC model's log density equals an independent scipy computation of the same posterior.

Tiny simulated VAR-X (K=2, p=1, one exogenous variable). For two points of the sampler's free
coordinates, the difference of ``model.compile_logp()`` must equal the difference of

    log p(B, Sigma, theta, ... | Y)      (scipy.stats densities, numpy prior moments)
  + log |det d(natural) / d(free)|       (Jacobian by central finite differences)

so constants cancel and nothing of the model's own algebra (or its reparameterisation) is reused.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fiscalcliff.model import minnesota, niw
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.hyper import gamma_from_mode_sd
from fiscalcliff.model.spec import PriorFile

pytest.importorskip("pymc")

MODE = "FAST_COMPILE"  # compiles in about a second; these tests evaluate a handful of points


def _simulate(t: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = 1.0 + rng.standard_normal((t, 1))
    y = np.zeros((t, 2))
    y[0] = [2.0, 1.0]
    a = np.array([[0.7, 0.1], [0.2, 0.5]])
    root = np.array([[1.0, 0.0], [0.4, 0.8]])
    for i in range(1, t):
        y[i] = [0.5, 0.3] + a @ y[i - 1] + np.array([0.5, -0.2]) * x[i, 0]
        y[i] += root @ rng.standard_normal(2) * (3.0 if i % 17 == 0 else 1.0)
    return y, x


def _spec(y: np.ndarray, **prior) -> PriorFile:
    psi = minnesota.ar_residual_variance(y, 1)
    base = {"minnesota": {"psi": {"a": float(psi[0]), "b": float(psi[1])}}}
    return PriorFile.model_validate(
        {
            "model": {"endogenous": ["a", "b"], "exogenous": ["x"], "lags": 1},
            "prior": {**base, **prior},
        }
    )


def _sigma_scaled_entries(spec: PriorFile, means, c: float) -> list[dict]:
    """Entries for every equation with sd_i = c sqrt(E[Sigma_ii]): a conjugate row."""
    psi = spec.prior.minnesota.psi
    return [
        {"variable": "x", "equation": eq, "mean": m, "sd": c * np.sqrt(psi[eq]), "source": "test"}
        for eq, m in zip(["a", "b"], means, strict=True)
    ]


def _cases():
    y, _ = _simulate()
    plain = _spec(y)
    scaled = _spec(
        y,
        exogenous_priors=_sigma_scaled_entries(plain, [0.4, -0.1], 0.3),
        inference={"hyperparameters": "sample"},
    )
    student = _spec(
        y,
        single_unit_root=None,
        exogenous_priors=[
            {"variable": "x", "equation": "a", "mean": 0.4, "sd": 0.1, "source": "test"}
        ],
        errors={"distribution": "student_t", "nu": "estimate"},
        inference={"hyperparameters": "sample"},
    )
    sv = _spec(
        y,
        errors={"distribution": "student_t", "nu": 7.0},
        volatility={"kind": "stochastic"},
    )
    return {"conjugate": plain, "hierarchical_sigma_scaled": scaled, "student_t": student, "sv": sv}


CASES = _cases()


def _inputs(spec: PriorFile):
    from fiscalcliff.model.mcmc.pymc_model import inputs_from_problem

    y, x = _simulate()
    problem, hyper, _, _ = fit_arrays(spec, y, x, check_exact=False)
    random = hyper.estimated if spec.prior.inference.hyperparameters == "sample" else ()
    return problem, inputs_from_problem(problem, hyper.values, random=random)


def _reference(problem, inp, nat: dict) -> float:
    """log p(B, Sigma, theta, ... | Y) + const from scipy densities."""
    b, sigma = nat["B"], nat["Sigma"]
    k = sigma.shape[0]
    values = {**inp.hyper_values, **{n: float(nat[n]) for n in inp.random_hyper}}
    prior = problem.prior(values)
    out = stats.invwishart.logpdf(sigma, df=prior.dof, scale=prior.psi)
    indep = {r.row: r for r in inp.independent}
    rows = [i for i in range(b.shape[0]) if i not in indep]
    out += stats.matrix_normal.logpdf(
        b[rows], mean=prior.b[rows], rowcov=np.diag(prior.omega[rows]), colcov=sigma
    )
    for row, r in indep.items():
        out += stats.norm.logpdf(b[row, r.equations], r.mean, r.sd).sum()
        rest = [i for i in range(k) if i not in set(r.equations)]
        cov = prior.omega[row] * sigma[np.ix_(rest, rest)]
        out += stats.multivariate_normal.logpdf(b[row, rest], prior.b[row, rest], cov)
    yd, xd = problem.dummies(values)
    for i in range(yd.shape[0]):
        out += stats.multivariate_normal.logpdf(yd[i], xd[i] @ b, sigma)
    if inp.random_hyper:
        out -= niw.log_marginal_likelihood(yd, xd, prior)
        for name, h in inp.random_hyper.items():
            shape, scale = gamma_from_mode_sd(h.mode, h.sd)
            out += stats.gamma.logpdf(values[name], shape, scale=scale)
    t = problem.y.shape[0]
    h = np.zeros(t)
    vol = problem.spec.prior.volatility
    if vol.kind == "stochastic":
        phi, sd_h, eta = float(nat["sv_persistence"]), float(nat["sv_shock_sd"]), nat["eta"]
        h[0] = sd_h * eta[0] / np.sqrt(1 - phi**2)
        for i in range(1, t):
            h[i] = phi * h[i - 1] + sd_h * eta[i]
        out += stats.beta.logpdf(phi, vol.persistence_alpha, vol.persistence_beta)
        out += stats.halfnorm.logpdf(sd_h, scale=vol.shock_sd)
        out += stats.norm.logpdf(eta).sum()
    errors = problem.spec.prior.errors
    mean = problem.x @ b
    for i in range(t):
        cov = np.exp(h[i]) * sigma
        if errors.distribution == "normal":
            out += stats.multivariate_normal.logpdf(problem.y[i], mean[i], cov)
        else:
            nu = float(nat["nu"]) if errors.nu == "estimate" else errors.nu
            out += stats.multivariate_t.logpdf(problem.y[i], mean[i], cov, df=nu)
    if errors.distribution == "student_t" and errors.nu == "estimate":
        shape, scale = gamma_from_mode_sd(errors.nu_prior.mode, errors.nu_prior.sd)
        out += stats.gamma.logpdf(float(nat["nu"]) - 2.0, shape, scale=scale)
    return float(out)


class _Maps:
    """Free coordinates <-> the model's point dicts, and the natural coordinates."""

    def __init__(self, model, inp):
        self.model = model
        self.point = model.initial_point()
        self.keys = list(self.point)
        self.shapes = [np.shape(self.point[k]) for k in self.keys]
        names = ["B", "Sigma", *inp.random_hyper]
        if "nu" in model.named_vars:
            names.append("nu")
        if "h" in model.named_vars:
            names += ["sv_persistence", "sv_shock_sd", "sv_innovation_std"]
        self.names = names
        outs = model.replace_rvs_by_values([model[n] for n in names])
        self.fn = model.compile_fn(outs, inputs=model.value_vars, mode=MODE)
        self.logp = model.compile_logp(mode=MODE)
        k = inp.shape[2]
        self.tril = np.tril_indices(k)

    def unflatten(self, vec: np.ndarray) -> dict:
        out, i = {}, 0
        for key, shape in zip(self.keys, self.shapes, strict=True):
            n = int(np.prod(shape))
            out[key] = vec[i : i + n].reshape(shape)
            i += n
        return out

    def natural(self, vec: np.ndarray) -> dict:
        values = self.fn(self.unflatten(vec))
        nat = dict(zip(self.names, values, strict=True))
        if "sv_innovation_std" in nat:
            nat["eta"] = nat.pop("sv_innovation_std")
        return nat

    def natural_vector(self, vec: np.ndarray) -> np.ndarray:
        nat = self.natural(vec)
        parts = [nat["B"].ravel(), nat["Sigma"][self.tril]]
        parts += [np.ravel(v) for k, v in nat.items() if k not in ("B", "Sigma")]
        return np.concatenate(parts)

    def log_jacobian(self, vec: np.ndarray, step: float = 1e-6) -> float:
        n = vec.size
        jac = np.empty((n, n))
        for i in range(n):
            e = np.zeros(n)
            e[i] = step
            jac[:, i] = (self.natural_vector(vec + e) - self.natural_vector(vec - e)) / (2 * step)
        sign, logdet = np.linalg.slogdet(jac)
        assert sign != 0
        return float(logdet)


@pytest.mark.parametrize("case", list(CASES))
def test_model_logp_matches_scipy_posterior(case):
    from fiscalcliff.model.mcmc.pymc_model import build_model

    problem, inp = _inputs(CASES[case])
    model = build_model(inp)
    maps = _Maps(model, inp)
    x0 = np.concatenate([np.ravel(maps.point[k]) for k in maps.keys])
    rng = np.random.default_rng(1)
    points = [x0 + 2.0 * rng.standard_normal(x0.size) for _ in range(2)]
    ours = [float(maps.logp(maps.unflatten(p))) for p in points]
    ref = [_reference(problem, inp, maps.natural(p)) + maps.log_jacobian(p) for p in points]
    assert np.isfinite(ours).all() and np.isfinite(ref).all()
    assert abs(ours[0] - ours[1]) > 1.0  # the two points really differ
    assert ours[0] - ours[1] == pytest.approx(ref[0] - ref[1], abs=1e-5, rel=1e-7)


def test_dummy_normaliser_matches_closed_form():
    """The PyTensor p(Yd | theta) (matrix-t form) equals niw.log_marginal_likelihood."""
    import pytensor.tensor as pt

    from fiscalcliff.model.mcmc.pymc_model import _dummy_log_ml

    problem, inp = _inputs(CASES["hierarchical_sigma_scaled"])
    values = {"tightness": 0.3, "sum_of_coefficients": 2.0, "single_unit_root": 0.5}
    yd, xd = problem.dummies(values)
    prior = problem.prior(values)
    ours = _dummy_log_ml(pt, pt.as_tensor(yd), pt.as_tensor(xd), pt.as_tensor(prior.omega), inp)
    assert float(ours.eval(mode=MODE)) == pytest.approx(
        niw.log_marginal_likelihood(yd, xd, prior), rel=1e-10
    )
