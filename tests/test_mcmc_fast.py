"""Fast tests of the inference options of issue 4 (the slow NUTS checks are in test_mcmc_slow.py).

* prior-file schema: exogenous priors need a source; unknown names are refused;
* the exact sampler refuses what it cannot honour and honours Σ-scaled informative rows;
* informative tariff priors move the high-tariffs scenario in the direction the prior implies
  (exact sampler, Σ-scaled rows: fast);
* Metropolis over the hyperparameters reproduces the posterior of the tightness computed by
  quadrature;
* a small NUTS fit on real data agrees with the exact sampler and works in forecasts, scenarios
  and the saved NetCDF layout (PyTensor FAST_COMPILE mode to stay fast).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import integrate

import fiscalcliff as fc
from conftest import run_cli
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError, InputError
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.hyper import log_hyperprior
from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning
from fiscalcliff.model.mcmc.results import resample_indices
from fiscalcliff.model.spec import PriorFile

ROOT = Path(__file__).resolve().parents[1]
REDUCED_FORM = ROOT / "priors" / "reduced-form.yaml"
INFORMATIVE = ROOT / "priors" / "informative-tariffs.yaml"
VAGUE = ROOT / "priors" / "vague-tariffs.yaml"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def source(shared_data_dir):
    return OfflineDirectorySource(shared_data_dir)


@pytest.fixture(scope="module")
def default_exact(source):
    return fc.fit(fc.load_prior_file(REDUCED_FORM), source=source)


def _with(spec: PriorFile, **prior) -> PriorFile:
    data = spec.model_dump()
    for key, value in prior.items():
        if isinstance(value, dict) and isinstance(data["prior"].get(key), dict):
            data["prior"][key] = {**data["prior"][key], **value}
        else:
            data["prior"][key] = value
    return PriorFile.model_validate(data)


# -- prior file schema ---------------------------------------------------------------------------


def test_shipped_tariff_prior_files_cite_sources_and_differ_only_in_numbers():
    inf, vague = fc.load_prior_file(INFORMATIVE), fc.load_prior_file(VAGUE)
    for spec in (inf, vague):
        assert spec.prior.inference.sampler == "nuts"
        assert all(len(e.source.split()) >= 5 for e in spec.prior.exogenous_priors)
    pairs = [(e.variable, e.equation) for e in inf.prior.exogenous_priors]
    assert pairs == [(e.variable, e.equation) for e in vague.prior.exogenous_priors]
    assert inf.model == vague.model == fc.load_prior_file(REDUCED_FORM).model
    y10 = {e.equation: e for e in inf.prior.exogenous_priors}["yield_10y"]
    assert y10.mean > 0
    assert max(e.sd for e in inf.prior.exogenous_priors) < min(
        e.sd for e in vague.prior.exogenous_priors
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"variable": "tariff_rate", "equation": "yield_10y", "mean": 0.1, "sd": 0.1}, "source"),
        (
            {
                "variable": "tariff_rate",
                "equation": "yield_10y",
                "mean": 0.1,
                "sd": 0.1,
                "source": "  ",
            },
            "source",
        ),
        (
            {"variable": "nope", "equation": "yield_10y", "mean": 0, "sd": 1, "source": "x"},
            "'nope' is not exogenous",
        ),
        (
            {"variable": "tariff_rate", "equation": "gdp", "mean": 0, "sd": 1, "source": "x"},
            "'gdp' is not endogenous",
        ),
        (
            {
                "variable": "tariff_rate",
                "equation": "yield_10y",
                "mean": 0,
                "sd": -1,
                "source": "x",
            },
            "greater than 0",
        ),
    ],
)
def test_exogenous_prior_entries_are_validated(tmp_path, entry, expected):
    import yaml

    data = yaml.safe_load(REDUCED_FORM.read_text())
    data["prior"]["exogenous_priors"] = [entry]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=expected):
        fc.load_prior_file(path)


def test_unknown_inference_settings_are_refused(tmp_path):
    import yaml

    data = yaml.safe_load(REDUCED_FORM.read_text())
    data["prior"]["inference"] = {"sampler": "gibbs"}
    data["prior"]["errors"] = {"distribution": "student_t", "nu": 1.5}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as err:
        fc.load_prior_file(path)
    assert "sampler" in str(err.value) and "nu" in str(err.value)


# -- what the exact sampler honours ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"errors": {"distribution": "student_t", "nu": 5.0}}, "student_t errors"),
        ({"volatility": {"kind": "stochastic"}}, "stochastic volatility"),
    ],
)
def test_exact_sampler_refuses_non_conjugate_settings(source, change, expected):
    spec = _with(fc.load_prior_file(REDUCED_FORM), **change)
    with pytest.raises(InputError, match=expected) as err:
        fc.fit(spec, source=source, sampler="exact")
    assert "--sampler nuts" in str(err.value)


def test_exact_sampler_refuses_partial_informative_rows_and_cli_exits_2(shared_data_dir):
    code, _, err = run_cli(
        [
            "fit",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(INFORMATIVE),
            "--sampler",
            "exact",
        ]
    )
    assert code == 2
    assert "2 of 7 equations" in err and "--sampler nuts" in err
    assert "Traceback" not in err


def _sigma_scaled(results, means: dict[str, float], sd_y10: float) -> list[dict]:
    """Entries for tariff_rate in every equation with sd_i proportional to sqrt(E[Sigma_ii])."""
    k = len(results.endogenous)
    scale = np.diag(results.prior.psi) / (results.prior.dof - k - 1)
    c = sd_y10 / np.sqrt(scale[results.endogenous.index("yield_10y")])
    return [
        {
            "variable": "tariff_rate",
            "equation": eq,
            "mean": means.get(eq, 0.0),
            "sd": float(c * np.sqrt(scale[i])),
            "source": "test: Σ-scaled row",
        }
        for i, eq in enumerate(results.endogenous)
    ]


def _psi_dict(results) -> dict[str, float]:
    return {
        v: float(p) for v, p in zip(results.endogenous, np.diag(results.prior.psi), strict=True)
    }


def test_exact_sampler_honours_sigma_scaled_rows(default_exact, source):
    entries = _sigma_scaled(default_exact, {"yield_10y": 0.013}, 0.005)
    spec = _with(
        default_exact.spec,
        exogenous_priors=entries,
        minnesota={"psi": _psi_dict(default_exact)},
    )
    res = fc.fit(spec, source=source)
    row = list(default_exact.regressors).index("tariff_rate")
    k = len(res.endogenous)
    np.testing.assert_allclose(res.prior.b[row], [e["mean"] for e in entries])
    sd = np.sqrt(res.prior.omega[row] * np.diag(res.prior.psi) / (res.prior.dof - k - 1))
    np.testing.assert_allclose(sd, [e["sd"] for e in entries], rtol=1e-9)
    # every other row keeps its default prior (at the same hyperparameters)
    frame = res.panel.frame
    problem, *_ = fit_arrays(
        default_exact.spec,
        frame[list(res.endogenous)].to_numpy(float),
        frame[list(res.exogenous)].to_numpy(float),
    )
    default_prior = problem.prior(res.hyperparameters.values)
    other = np.arange(len(res.regressors)) != row
    np.testing.assert_allclose(res.prior.omega[other], default_prior.omega[other])
    np.testing.assert_array_equal(res.prior.b[other], default_prior.b[other])


def test_informative_tariff_prior_moves_high_tariffs_scenario(default_exact, source):
    """Fast variant (exact sampler, Σ-scaled rows): the prior mean of the tariff -> yield_10y
    multiplier (+0.013) is above what the data say under a vague prior, so the posterior
    multiplier rises towards it and high-tariffs minus baseline in yield_10y grows."""
    from fiscalcliff.scenarios.runner import run_scenarios

    psi = {"psi": _psi_dict(default_exact)}
    prior_mean = 0.013
    informative = _with(
        default_exact.spec,
        exogenous_priors=_sigma_scaled(default_exact, {"yield_10y": prior_mean}, 0.005),
        minnesota=psi,
    )
    vague = _with(
        default_exact.spec,
        exogenous_priors=_sigma_scaled(default_exact, {}, 1.0),
        minnesota=psi,
    )
    scenarios = [
        fc.load_scenario(SCENARIOS / "baseline.yaml"),
        fc.load_scenario(SCENARIOS / "high-tariffs.yaml"),
    ]
    row = list(default_exact.regressors).index("tariff_rate")
    col = list(default_exact.endogenous).index("yield_10y")
    out = {}
    for label, spec in (("informative", informative), ("vague", vague)):
        res = fc.fit(spec, source=source, as_of="2026-03")  # the shipped scenarios' as_of
        ds = run_scenarios(scenarios, results=res, draws=600, seed=11)
        diff = (
            ds["yield_10y"].sel(scenario="high-tariffs") - ds["yield_10y"].sel(scenario="baseline")
        ).isel(date=-1)
        out[label] = (
            float(res.posterior.b_mean[row, col]),
            float(diff.mean()),
            float(diff.std()) / np.sqrt(diff.size),
        )
    (b_inf, d_inf, se_inf), (b_vague, d_vague, se_vague) = out["informative"], out["vague"]
    direction = np.sign(prior_mean - b_vague)
    assert direction != 0
    assert np.sign(b_inf - b_vague) == direction  # the multiplier moves towards the prior mean
    assert abs(b_inf - prior_mean) < abs(b_vague - prior_mean)
    assert np.sign(d_inf - d_vague) == direction  # ... and so does the scenario difference
    assert abs(d_inf - d_vague) > 3 * np.hypot(se_inf, se_vague)


# -- hierarchical hyperparameters, exact sampler ------------------------------------------------


def test_metropolis_reproduces_the_tightness_posterior_by_quadrature():
    """One free hyperparameter (lambda): Metropolis draws vs the 1-D posterior by quadrature."""
    from fiscalcliff.model.hierarchical import metropolis

    rng = np.random.default_rng(5)
    t = 80
    y = np.cumsum(rng.standard_normal((t, 2)), axis=0)
    spec = PriorFile.model_validate(
        {
            "model": {"endogenous": ["a", "b"], "lags": 2},
            "prior": {
                "minnesota": {"tightness": {"mode": 0.2, "sd": 0.4, "min": 0.01, "max": 5}},
                "sum_of_coefficients": {"mode": 1, "sd": 1, "value": 1.0, "estimate": False},
                "single_unit_root": None,
            },
        }
    )
    problem, hyper, _, _ = fit_arrays(spec, y, None)
    assert hyper.estimated == ("tightness",)
    run = metropolis(
        problem,
        hyper,
        draws=6000,
        burn=1000,
        thin=1,
        scale=None,
        target_acceptance=0.3,
        rng=np.random.default_rng(1),
    )
    lam = run.values[:, 0]
    tight = spec.prior.minnesota.tightness

    def log_post(v):
        return problem.log_ml({**hyper.values, "tightness": v}) + log_hyperprior(v, tight)

    peak = log_post(hyper.values["tightness"])
    dens = lambda v: np.exp(log_post(v) - peak)  # noqa: E731
    z = integrate.quad(dens, tight.min, tight.max, points=[hyper.values["tightness"]], limit=200)[0]
    mean = integrate.quad(lambda v: v * dens(v), tight.min, tight.max, limit=200)[0] / z
    var = integrate.quad(lambda v: (v - mean) ** 2 * dens(v), tight.min, tight.max, limit=200)[0]
    sd = np.sqrt(var / z)
    assert 0.15 < run.acceptance_rate < 0.6
    assert abs(lam.mean() - mean) < 0.15 * sd
    assert lam.std() == pytest.approx(sd, rel=0.15)


def test_hierarchical_exact_results_forecast_and_save(default_exact, source, tmp_path):
    spec = _with(default_exact.spec, inference={"metropolis": {"draws": 400, "burn": 200}})
    res = fc.fit(spec, source=source, hyperparameters="sample", seed=2)
    assert res.chain.values.shape == (400, 3)
    a, b = res.sample(50, 9), res.sample(50, 9)
    np.testing.assert_array_equal(a.b, b.b)
    paths = res.forecast("2026-12", draws=100, seed=1)
    assert "Metropolis" in paths.attrs["sampler"]
    text = str(res)
    assert "acceptance rate" in text and "tightness (sampled)" in text
    tree = res.inference_data(100, 0)
    assert {"B", "Sigma", "tightness"} <= set(tree["posterior"].data_vars)
    assert np.isfinite(tree["sample_stats"]["lp"]).all()


def test_cli_hyperparameters_sample_reports_acceptance(shared_data_dir, tmp_path):
    out = tmp_path / "h.nc"
    code, stdout, err = run_cli(
        [
            "fit",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(REDUCED_FORM),
            "--hyperparameters",
            "sample",
            "--draws",
            "100",
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert "acceptance rate" in stdout
    tree = xr.open_datatree(out, engine="h5netcdf")
    assert set(tree.children) == {"posterior", "sample_stats", "observed_data"}
    assert "tightness" in tree["posterior"].data_vars


def test_exact_fit_saves_the_common_layout(shared_data_dir, tmp_path, default_exact):
    out = tmp_path / "fit.nc"
    code, _, err = run_cli(
        [
            "fit",
            "--data-dir",
            str(shared_data_dir),
            "--priors",
            str(REDUCED_FORM),
            "--out",
            str(out),
            "--draws",
            "150",
            "--sampler",
            "exact",
        ]
    )
    assert code == 0, err
    tree = xr.open_datatree(out, engine="h5netcdf")
    assert set(tree.children) == {"posterior", "sample_stats", "observed_data"}
    post = tree["posterior"]
    assert post["B"].dims == ("chain", "draw", "regressor", "equation")
    assert post["Sigma"].dims == ("chain", "draw", "equation", "equation_2")
    assert post.sizes["draw"] == 150
    y = tree["observed_data"]["y"]
    assert y.dims == ("time", "equation") and y.shape == (default_exact.n_obs, 7)
    assert tree.attrs["sampler"].startswith("exact")
    # lp is the normalised closed-form log density: finite, and highest near the mean
    assert np.isfinite(tree["sample_stats"]["lp"]).all()


# -- resampling stored draws ----------------------------------------------------------------------


def test_resample_indices_thin_and_repeat_deterministically():
    a = resample_indices(100, 30, np.random.default_rng(4))
    assert len(set(a)) == 30 and np.all(np.diff(a) > 0)
    np.testing.assert_array_equal(a, resample_indices(100, 30, np.random.default_rng(4)))
    b = resample_indices(100, 250, np.random.default_rng(4))
    counts = np.bincount(b, minlength=100)
    assert counts.min() == 2 and counts.max() == 3 and counts.sum() == 250


# -- a small NUTS fit on real data -----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_nuts(source):
    pytest.importorskip("pymc")
    from fiscalcliff.model.mcmc.fit import fit_nuts

    spec = PriorFile.model_validate(
        {
            "name": "small",
            "model": {
                "endogenous": ["policy_rate", "bill_3m", "yield_10y"],
                "exogenous": ["tariff_rate"],
                "lags": 2,
            },
        }
    )
    base = fc.fit(spec, source=source)
    frame = base.panel.frame
    problem, *_ = fit_arrays(
        spec,
        frame[list(spec.model.endogenous)].to_numpy(float),
        frame[list(spec.model.exogenous)].to_numpy(float),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fit_nuts(
            base,
            problem,
            draws=250,
            tune=250,
            chains=2,
            seed=1,
            cores=1,
            compile_kwargs={"mode": "FAST_COMPILE"},
        )
    return base, res


def test_small_nuts_fit_agrees_with_exact(small_nuts):
    base, res = small_nuts
    post = base.posterior
    b = res.trace["posterior"]["B"].to_numpy().reshape(-1, *post.b_mean.shape)
    sd = np.sqrt(np.diag(post.omega)[:, None] * np.diag(post.sigma_mean())[None])
    assert np.abs((b.mean(0) - post.b_mean) / sd).max() < 0.3
    np.testing.assert_allclose(b.std(0) / sd, 1.0, atol=0.25)
    sigma = res.trace["posterior"]["Sigma"].to_numpy().reshape(-1, 3, 3)
    np.testing.assert_allclose(
        sigma.mean(0), post.sigma_mean(), atol=0.3 * np.sqrt(post.sigma_variance()).max()
    )
    assert res.diagnostics.divergences == 0
    assert res.diagnostics.max_r_hat < 1.05


def test_nuts_results_sample_from_stored_draws(small_nuts):
    _, res = small_nuts
    stored = res.trace["posterior"]["B"].to_numpy().reshape(res.n_stored, -1)
    s1, s2 = res.sample(700, 3), res.sample(700, 3)
    np.testing.assert_array_equal(s1.b, s2.b)
    assert not np.array_equal(s1.b, res.sample(700, 4).b)
    assert s1.b.shape == (700, 8, 3)
    # every draw is one of the stored MCMC draws
    flat = s1.b.reshape(700, -1)
    assert all(np.any(np.all(stored == row, axis=1)) for row in flat[:20])
    np.testing.assert_allclose(s1.sigma_root @ np.swapaxes(s1.sigma_root, 1, 2), s1.sigma)
    assert np.allclose(np.triu(s1.sigma_root[0], 1), 0)


def test_nuts_results_drive_forecasts_and_save_the_same_layout(small_nuts, tmp_path):
    from fiscalcliff.model.mcmc.inference_data import write_tree

    base, res = small_nuts
    paths = res.forecast("2026-12", draws=200, seed=1)
    assert paths.attrs["sampler"] == "NUTS (pymc)"
    assert paths["yield_10y"].dims == ("chain", "draw", "date")
    write_tree(res.inference_data(), tmp_path / "nuts.nc")
    write_tree(base.inference_data(100, 0), tmp_path / "exact.nc")
    nuts = xr.open_datatree(tmp_path / "nuts.nc", engine="h5netcdf")
    exact = xr.open_datatree(tmp_path / "exact.nc", engine="h5netcdf")
    for group in ("posterior", "sample_stats", "observed_data"):
        assert group in nuts.children and group in exact.children
    for name in ("B", "Sigma"):
        assert nuts["posterior"][name].dims == exact["posterior"][name].dims
        assert nuts["posterior"][name].shape[2:] == exact["posterior"][name].shape[2:]
    np.testing.assert_array_equal(nuts["observed_data"]["y"], exact["observed_data"]["y"])
    assert "diverging" in nuts["sample_stats"]
    assert nuts.attrs["sampler"] == "NUTS (pymc)" and "max_r_hat" in nuts.attrs


def test_nuts_sample_carries_the_future_error_scales_for_t_and_sv(small_nuts):
    """With Student-t errors or stochastic volatility the draws keep Sigma and carry the law of
    their future error scales: nu, and the last month's h with phi and the shock sd."""
    import dataclasses

    _, res = small_nuts
    plain = res.sample(40, 2)
    assert plain.scales is None
    t_spec = _with(res.spec, errors={"distribution": "student_t", "nu": 5.0})
    t_sample = dataclasses.replace(res, spec=t_spec).sample(40, 2)
    np.testing.assert_array_equal(t_sample.sigma, plain.sigma)
    np.testing.assert_array_equal(t_sample.b, plain.b)
    np.testing.assert_array_equal(t_sample.scales.nu, np.full(40, 5.0))
    assert t_sample.scales.h_last is None
    post = res.trace["posterior"].to_dataset()
    shape = (post.sizes["chain"], post.sizes["draw"])
    h = xr.DataArray(np.zeros((*shape, 5)), dims=("chain", "draw", "time"))
    h[..., -1] = np.log(2.0)
    extra = {
        "h": h,
        "sv_persistence": xr.DataArray(np.full(shape, 0.9), dims=("chain", "draw")),
        "sv_shock_sd": xr.DataArray(np.full(shape, 0.2), dims=("chain", "draw")),
    }
    tree = res.trace.copy()
    tree["posterior"] = xr.DataTree(post.assign(**extra))
    sv_res = dataclasses.replace(
        res, spec=_with(res.spec, volatility={"kind": "stochastic"}), trace=tree
    )
    sv_sample = sv_res.sample(40, 2)
    np.testing.assert_array_equal(sv_sample.sigma, plain.sigma)
    np.testing.assert_allclose(sv_sample.scales.h_last, np.log(2.0))
    assert sv_sample.scales.nu is None
    # one month ahead the scale is exp(0.9 log 2 + 0.2 eta): its log has that mean and sd
    first = np.log(sv_sample.scales.draw(1, np.random.default_rng(0)))
    assert abs(first.mean() - 0.9 * np.log(2.0)) < 0.2 and 0.1 < first.std() < 0.3


def test_sampled_hyperparameters_refuse_independent_rows_with_the_unit_root_dummy(source):
    spec = fc.load_prior_file(INFORMATIVE)
    with pytest.raises(InputError, match="single_unit_root: null"):
        fc.fit(spec, source=source, hyperparameters="sample")


def test_structural_analysis_runs_on_nuts_draws(small_nuts):
    from fiscalcliff.structural import fevd, historical_decomposition, impulse_responses

    _, res = small_nuts
    irf = impulse_responses(res, horizon=6, draws=100, seed=0)
    assert irf["irf"].dims == ("chain", "draw", "shock", "variable", "horizon")
    assert irf.attrs["sampler"] == "NUTS (pymc)"
    # recursive in endogenous order: bill_3m's and yield_10y's shocks leave the EFFR on impact
    assert float(abs(irf["irf"].sel(variable="policy_rate", horizon=0)).sel(
        shock=["bill_3m", "yield_10y"]).max()) == 0.0  # fmt: skip
    np.testing.assert_allclose(fevd(res, horizon=6, draws=50)["fevd"].sum("shock"), 1.0)
    hd = historical_decomposition(res, draws=30, seed=0)
    total = hd["deterministic"] + hd["contribution"].sum("shock")
    assert float(abs(total - hd["data"]).max()) <= 1e-8 * float(abs(hd["data"]).max())
