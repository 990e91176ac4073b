"""Structural analysis: named recursive shocks, impulse responses, FEVD, historical decomposition.

Independent references: statsmodels' ``irf().orth_irfs`` and ``fevd().decomp`` for the
posterior mean of B under a near-flat prior (which equals OLS, ``test_flat_prior_ols.py``) and
statsmodels' residual covariance; zero impacts from the causal order written in the prior file;
the historical decomposition checked against the data it decomposes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.api import VAR

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model.design import LagLayout
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.identification import Identification
from fiscalcliff.model.results import PosteriorSample
from fiscalcliff.structural import fevd, historical_decomposition, impulse_responses
from fiscalcliff.structural.responses import structural_responses, variance_shares
from test_flat_prior_ols import flat_prior

ROOT = Path(__file__).resolve().parents[1]
ENDOG = ["a", "b", "c"]
#: the causal order of priors/uncensored.yaml, written out by hand from the file
DEFAULT_ORDER = {
    "policy_rate": "policy_rate",
    "lending": "fed_other_assets",
    "currency": "other_absorbing",
    "tga": "tga",
    "rrp_demand": "rrp",
    "bill_supply": "bill_3m",
    "term_premium": "yield_10y",
}


def simulated_var(seed: int = 3, n: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a1 = np.array([[0.5, 0.1, 0.0], [0.0, 0.4, 0.2], [0.1, 0.0, 0.3]])
    a2 = np.array([[0.2, 0.0, 0.0], [0.1, 0.1, 0.0], [0.0, 0.0, 0.2]])
    root = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.2, -0.3, 0.7]])
    y = np.zeros((n, 3))
    for t in range(2, n):
        y[t] = 0.3 + a1 @ y[t - 1] + a2 @ y[t - 2] + root @ rng.standard_normal(3)
    return y


def ours_for(y: np.ndarray, order: list[str]):
    """Posterior-mean B (near-flat prior) with statsmodels' sigma_u, recursive in ``order``."""
    _, _, post, _ = fit_arrays(flat_prior(ENDOG, [], 2), y, None)
    sm = VAR(pd.DataFrame(y, columns=ENDOG)).fit(2, trend="c")
    sigma = np.asarray(sm.sigma_u, dtype=float)
    ident = Identification(shocks=tuple(order), variables=tuple(order), endogenous=tuple(ENDOG))
    sample = PosteriorSample(
        b=post.b_mean[None], sigma=sigma[None], sigma_root=ident.impact(sigma[None])
    )
    return sample, LagLayout(3, 0, 2, True)


@pytest.mark.parametrize("order", [["a", "b", "c"], ["c", "a", "b"]], ids=["abc", "cab"])
def test_recursive_irf_and_fevd_equal_statsmodels(order):
    y = simulated_var()
    sample, layout = ours_for(y, order)
    theta = structural_responses(sample, layout, 20)[0]  # (H, K, J)
    # statsmodels orthogonalises in the column order of the data: reorder its columns
    sm = VAR(pd.DataFrame(y, columns=ENDOG)[order]).fit(2, trend="c")
    ref = sm.irf(20).orth_irfs  # (H, K_ordered, J)
    idx = [order.index(v) for v in ENDOG]  # our variable rows in statsmodels' order
    np.testing.assert_allclose(theta, ref[:, idx, :], rtol=1e-8, atol=1e-10)
    shares = variance_shares(np.transpose(theta, (2, 1, 0))[None])[0]  # (J, K, H)
    decomp = sm.fevd(21).decomp  # (K_ordered, H, J)
    np.testing.assert_allclose(np.transpose(shares, (1, 2, 0)), decomp[idx], rtol=1e-8, atol=1e-10)


def test_impact_matrix_reproduces_sigma_and_its_zeros_follow_the_order():
    rng = np.random.default_rng(0)
    m = rng.standard_normal((50, 4, 4))
    sigma = m @ np.swapaxes(m, 1, 2) + 0.1 * np.eye(4)
    endog = ("w", "x", "y", "z")
    ident = Identification(
        shocks=("s1", "s2", "s3", "s4"), variables=("y", "w", "z", "x"), endogenous=endog
    )
    a = ident.impact(sigma)
    np.testing.assert_allclose(a @ np.swapaxes(a, 1, 2), sigma, rtol=1e-12, atol=1e-12)
    # shock s2 (at w) does not move y on impact; s4 (at x) moves only x
    for shock, variable in ident.zero_impacts():
        j, i = ident.shocks.index(shock), endog.index(variable)
        assert np.all(a[:, i, j] == 0.0), (shock, variable)
    assert len(ident.zero_impacts()) == 6
    assert np.all(np.abs(a[:, 1, 3]) > 0)


# -- the shipped default model on the real data ------------------------------------------------


@pytest.fixture(scope="module")
def default_fit():
    spec = fc.load_prior_file(ROOT / "priors" / "uncensored.yaml")
    return fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")


def test_default_model_names_its_shocks_in_the_files_order(default_fit):
    assert default_fit.shocks == tuple(DEFAULT_ORDER)
    assert default_fit.identification.variables == tuple(DEFAULT_ORDER.values())


def test_zero_impacts_hold_in_every_draw_and_identities_respond_by_their_weights(default_fit):
    ds = impulse_responses(default_fit, horizon=12, draws=300, seed=4)
    irf = ds["irf"]
    assert irf.dims == ("chain", "draw", "shock", "variable", "horizon")
    assert irf.sizes["draw"] == 300 and list(ds["shock"].values) == list(DEFAULT_ORDER)
    shocks, variables = list(DEFAULT_ORDER), list(DEFAULT_ORDER.values())
    for j, shock in enumerate(shocks):
        for variable in variables[:j]:
            assert np.abs(irf.sel(shock=shock, variable=variable, horizon=0)).max() <= 1e-10
    # e.g. the term-premium shock moves only the 10-year yield on impact; the TGA shock moves
    # the TGA up by its standard deviation (positive on the diagonal)
    assert float(irf.sel(shock="tga", variable="tga", horizon=0).min()) > 0
    # reserves = fed_treasuries + fed_mbs + fed_other_assets - tga - rrp - other_absorbing with
    # the holdings exogenous: its response is the sum of the endogenous ones
    parts = (
        irf.sel(variable="fed_other_assets")
        - irf.sel(variable="tga")
        - irf.sel(variable="rrp")
        - irf.sel(variable="other_absorbing")
    )
    np.testing.assert_allclose(irf.sel(variable="reserves"), parts, rtol=1e-12, atol=1e-9)
    assert ds.attrs["identification"].startswith("recursive: policy_rate, lending")


def test_fevd_shares_sum_to_one_and_match_the_responses(default_fit):
    shares = fevd(default_fit, horizon=24, draws=200, seed=1)["fevd"]
    total = shares.sum("shock")
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)
    # one month ahead, the first variable in the causal order is all its own shock
    np.testing.assert_allclose(
        shares.sel(shock="policy_rate", variable="policy_rate", horizon=0), 1.0, rtol=1e-12
    )
    # same draws as impulse_responses with the same seed: shares from its squared responses
    irf = impulse_responses(default_fit, horizon=24, draws=200, seed=1)["irf"]
    cum = (irf**2).cumsum("horizon")
    np.testing.assert_allclose(shares, cum / cum.sum("shock"), rtol=1e-10)
    both = impulse_responses(default_fit, horizon=24, draws=200, seed=1, with_fevd=True)
    np.testing.assert_array_equal(both["fevd"], shares)
    np.testing.assert_array_equal(both["irf"], irf)


def test_historical_decomposition_adds_up_to_the_data(default_fit):
    ds = historical_decomposition(default_fit, draws=50, seed=2)
    frame = default_fit.panel.frame
    p = default_fit.layout.lags
    # the data it decomposes are the observed sample (after the pre-sample lags)
    np.testing.assert_array_equal(
        ds["data"].isel(chain=0, draw=0).sel(variable="tga").values, frame["tga"].values[p:]
    )
    total = ds["deterministic"] + ds["contribution"].sum("shock")
    scale = float(np.abs(ds["data"]).max())
    assert float(np.abs(total - ds["data"]).max()) <= 1e-8 * scale
    # the shocks are standardised: about unit variance over the sample, in every draw
    var = ds["shocks"].var("date")
    assert float(var.median()) == pytest.approx(1.0, abs=0.25)


def test_historical_decomposition_of_a_censored_fit_uses_each_draws_shadow_data(tmp_path):
    import warnings

    import yaml

    from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning
    from test_censored import SMALL

    path = tmp_path / "censored-small.yaml"
    path.write_text(yaml.safe_dump(SMALL))
    spec = fc.load_prior_file(path)
    with warnings.catch_warnings():  # a short Gibbs run: its r_hat is no news here
        warnings.simplefilter("ignore", ConvergenceWarning)
        results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    ds = historical_decomposition(results, draws=40, seed=0)
    total = ds["deterministic"] + ds["contribution"].sum("shock")
    assert float(np.abs(total - ds["data"]).max()) <= 1e-8 * float(np.abs(ds["data"]).max())
    rate = ds["data"].sel(variable="policy_rate", date=slice("2011", "2013"))
    assert float(rate.max()) <= 0.25 + 1e-12  # shadow values at the bound
    assert float(rate.std("draw").mean()) > 0  # and they differ between draws


# -- the prior file's identification section -------------------------------------------------


@pytest.mark.parametrize(
    "recursive, message",
    [
        ({"x": "a", "y": "a", "z": "b"}, "a given twice"),
        ({"x": "a", "y": "b", "z": "q"}, "q not endogenous"),
        ({"x": "a", "y": "b"}, "no shock for c"),
        ({"1x": "a", "y": "b", "z": "c"}, "shock names must be"),
    ],
    ids=["twice", "unknown", "missing", "bad-name"],
)
def test_identification_errors_are_clear(tmp_path, recursive, message):
    import yaml

    path = tmp_path / "p.yaml"
    path.write_text(
        yaml.safe_dump(
            {"model": {"endogenous": ENDOG, "lags": 1}, "identification": {"recursive": recursive}}
        )
    )
    with pytest.raises(ConfigError, match=message):
        fc.load_prior_file(path)


def test_without_identification_shocks_are_named_after_the_variables():
    spec = flat_prior(ENDOG, [], 2)
    ident = Identification.from_spec(spec)
    assert ident.shocks == tuple(ENDOG) and ident.zero_impacts() == [
        ("b", "a"),
        ("c", "a"),
        ("c", "b"),
    ]
    rng = np.random.default_rng(1)
    m = rng.standard_normal((5, 3, 3))
    sigma = m @ np.swapaxes(m, 1, 2) + np.eye(3)
    np.testing.assert_array_equal(ident.impact(sigma), np.linalg.cholesky(sigma))


# -- the command line --------------------------------------------------------------------------


def test_structural_irf_command_writes_netcdf_and_a_figure(tmp_path):
    import xarray as xr

    from conftest import run_cli

    out, png = tmp_path / "irf.nc", tmp_path / "irf.png"
    code, stdout, stderr = run_cli(
        [
            "structural", "irf", "--priors", str(ROOT / "priors" / "uncensored.yaml"),
            "--as-of", "2025-11", "--draws", "200", "--months", "24", "--out", str(out),
            "--figure", str(png), "--data-dir", str(SHARED_DATA_DIR),
        ]
    )  # fmt: skip
    assert code == 0, stderr
    assert "Identification: recursive: policy_rate, lending (fed_other_assets)" in stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds["irf"].dims == ("chain", "draw", "shock", "variable", "horizon")
        assert ds.sizes["draw"] == 200 and ds.sizes["horizon"] == 25
        assert ds.attrs["prior_sha256"] and ds.attrs["seed"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["irf.nc", "irf.png"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--months", "700"], "--months must be an integer from 0 to 600 (got 700)"),
        (["--series", "reserves,nope"], "--series: nope not a series of the model"),
        (["--figure", "{tmp}/plain-file/f.png"], "plain-file is a regular file, not a directory"),
        (["--draws", "0"], "--draws must be an integer"),
    ],
    ids=["months", "series", "figure-dir", "draws"],
)
def test_structural_command_bad_arguments_exit_2(tmp_path, extra, message):
    from conftest import run_cli

    (tmp_path / "plain-file").write_text("mine")
    extra = [e.replace("{tmp}", str(tmp_path)) for e in extra]

    code, _, stderr = run_cli(
        [
            "structural", "fevd", "--priors", str(ROOT / "priors" / "uncensored.yaml"),
            "--as-of", "2025-11", "--draws", "20", "--data-dir", str(SHARED_DATA_DIR), *extra,
        ]
    )  # fmt: skip
    assert code == 2, stderr
    assert "Traceback" not in stderr and message in stderr, stderr
    assert [p.name for p in tmp_path.iterdir()] == ["plain-file"]
    assert (tmp_path / "plain-file").read_text() == "mine"


# -- scenarios that set named shocks directly (shock_paths) ------------------------------------


def _shock_scenario(tmp_path, name: str, body: str):
    from fiscalcliff.scenarios.loader import load_scenario

    path = tmp_path / f"{name}.yaml"
    base = ROOT / "tests" / "fixtures" / "scenarios" / "baseline_uncensored.yaml"
    path.write_text(f"name: {name}\nextends: {base}\ndescription: d\n{body}")
    return load_scenario(path)


def test_a_set_term_premium_shock_takes_its_value_and_moves_only_the_10_year_yield(tmp_path):
    import json

    from fiscalcliff.scenarios.compare import compare
    from fiscalcliff.scenarios.loader import load_scenario

    spec = fc.load_prior_file(ROOT / "priors" / "uncensored.yaml")
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR))
    base = load_scenario(ROOT / "tests" / "fixtures" / "scenarios" / "baseline_uncensored.yaml")
    body = "shock_paths:\n  term_premium: [{{from: 2027-01, to: 2027-01, level: {}}}]\n"
    set_ = {v: _shock_scenario(tmp_path, f"tp{v}", body.format(v)) for v in (2, 3, 4)}
    cmp = compare([base, *set_.values()], baseline=base.name, results=results, draws=200)
    ds = cmp.paths
    diff = {
        (v, name): ds[name].sel(scenario=f"tp{v}") - ds[name].sel(scenario=base.name)
        for v in set_
        for name in DEFAULT_ORDER.values()
    }
    # before the shock month nothing differs; in it only the 10-year yield moves (the last
    # shock in the causal order has zero impact on the others)
    for (v, name), d in diff.items():
        assert float(np.abs(d.sel(date=slice(None, "2026-12"))).max()) == 0.0, (v, name)
        if name != "yield_10y":
            assert float(np.abs(d.sel(date="2027-01-01")).max()) <= 1e-9, (v, name)
    # the shock is set to the value (not added): paths are linear in it, one more sd adds the
    # draw's positive impact a, and the responses later scale the same way
    one = diff[(3, "yield_10y")] - diff[(2, "yield_10y")]
    two = diff[(4, "yield_10y")] - diff[(2, "yield_10y")]
    assert float(one.sel(date="2027-01-01").min()) > 0
    np.testing.assert_allclose(two, 2 * one, rtol=1e-9, atol=1e-9)
    notes = json.loads(ds.attrs["conditions"])
    assert notes["tp2"]["shock_paths"] == {"term_premium": {"2027-01": 2.0}}
    # a set shock adds value^2 / 2 to the KL (the treasury-cash condition comes before it)
    base_kl = notes[base.name]["plausibility"]["kl"]
    for v in set_:
        assert notes[f"tp{v}"]["plausibility"]["kl"] == pytest.approx(base_kl + v * v / 2, abs=1e-3)


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "shock_paths:\n  nope: [{from: 2027-01, to: 2027-01, level: 1}]\n",
            "shock_paths: nope not a shock of the model (its shocks: policy_rate, lending",
        ),
        (
            "shock_paths:\n  tga: [{from: 2027-01, to: 2027-01, change: 1}]\n",
            "a shock path takes 'level' segments only",
        ),
    ],
    ids=["unknown-shock", "not-level"],
)
def test_bad_shock_paths_are_named(tmp_path, body, message):
    from conftest import run_cli

    path = tmp_path / "shock.yaml"
    base = ROOT / "tests" / "fixtures" / "scenarios" / "baseline_uncensored.yaml"
    path.write_text(f"name: shock\nextends: {base}\ndescription: d\n{body}")
    code, _, stderr = run_cli(
        ["run", str(path), "--draws", "20", "--data-dir", str(SHARED_DATA_DIR)]
    )
    assert code == 2, stderr
    assert "Traceback" not in stderr and message in stderr, stderr
    assert "shock.yaml" in stderr


# -- sign restrictions -------------------------------------------------------------------------


def _sign_prior(tmp_path, signs: dict, identities: dict | None = None):
    import yaml

    text = yaml.safe_load((ROOT / "priors" / "uncensored.yaml").read_text())
    text["identification"] = {"signs": signs}
    if identities:
        text["identities"] = {**text["identities"], **identities}
    path = tmp_path / "signs.yaml"
    path.write_text(yaml.safe_dump(text, sort_keys=False))
    return fc.load_prior_file(path)


SIGNS = {
    "restrictions": {
        "tga": {"tga": "+", "reserves": "-"},
        "term_premium": {"yield_10y": {"sign": "+", "horizons": [0, 1, 2]}, "bill_3m": "-"},
    },
    "unrestricted": ["s3", "s4", "s5", "s6", "s7"],
}


def test_every_kept_draw_meets_its_sign_restrictions(tmp_path):
    spec = _sign_prior(tmp_path, SIGNS)
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    assert results.shocks == ("tga", "term_premium", "s3", "s4", "s5", "s6", "s7")
    sample = results.sample(300, 0)
    np.testing.assert_allclose(
        sample.sigma_root @ np.swapaxes(sample.sigma_root, 1, 2), sample.sigma, rtol=1e-10,
        atol=1e-8,
    )  # fmt: skip
    ds = impulse_responses(results, horizon=3, draws=300, seed=0)
    irf = ds["irf"]
    assert (irf.sel(shock="tga", variable="tga", horizon=0) > 0).all()
    assert (irf.sel(shock="tga", variable="reserves", horizon=0) < 0).all()
    assert (irf.sel(shock="term_premium", variable="yield_10y", horizon=[0, 1, 2]) > 0).all()
    assert (irf.sel(shock="term_premium", variable="bill_3m", horizon=0) < 0).all()
    # not restricted: the term-premium shock's bill response at horizon 1 takes both signs
    later = irf.sel(shock="term_premium", variable="bill_3m", horizon=1)
    assert (later > 0).any() and (later < 0).any()
    assert ds.attrs["identification"].startswith("sign restrictions: tga -> tga + at [0]")


def test_rotations_are_uniform_given_the_restrictions():
    from scipy import stats

    ident = Identification(
        shocks=("a", "b"),
        variables=(),
        endogenous=("y1", "y2"),
        signs=((0, np.array([1.0, 0.0]), (0,), 1, "a -> y1 +"),),
    )
    a = ident.impact(np.broadcast_to(np.eye(2), (4000, 2, 2)).copy(), rng=np.random.default_rng(0))
    # with Sigma = I, A = Q: the first column's angle is uniform on (-pi/2, pi/2) given a11 > 0
    angle = np.arctan2(a[:, 1, 0], a[:, 0, 0])
    assert (a[:, 0, 0] > 0).all()
    assert stats.kstest(angle, stats.uniform(-np.pi / 2, np.pi).cdf).pvalue > 0.01
    np.testing.assert_allclose(
        a @ np.swapaxes(a, 1, 2), np.broadcast_to(np.eye(2), a.shape), atol=1e-12
    )


def test_contradictory_sign_restrictions_are_refused_with_their_names(tmp_path):
    from fiscalcliff.errors import InputError

    signs = {
        "restrictions": {"x": {"tga": "+", "tga_twice": "-"}},
        "unrestricted": ["s2", "s3", "s4", "s5", "s6", "s7"],
        "max_tries": 50,
    }
    spec = _sign_prior(tmp_path, signs, identities={"tga_twice": "tga + tga"})
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    with pytest.raises(InputError, match=r"no rotation met every sign restriction in 50 tries"):
        results.sample(20, 0)


@pytest.mark.parametrize(
    "signs, message",
    [
        ({"restrictions": {"x": {"tga": "+"}}, "unrestricted": ["y"]}, "2 shocks named"),
        (
            {"restrictions": {"x": {"nope": "+"}}, "unrestricted": ["a", "b", "c", "d", "e", "f"]},
            "nope not a series of the model",
        ),
        (
            {"restrictions": {"x": {"tga": "+"}}, "unrestricted": ["x", "b", "c", "d", "e", "f"]},
            "both restricted and unrestricted: x",
        ),
    ],
    ids=["count", "series", "twice"],
)
def test_sign_identification_errors_are_clear(tmp_path, signs, message):
    with pytest.raises(ConfigError, match=message):
        _sign_prior(tmp_path, signs)
