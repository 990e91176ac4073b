"""Zero and sign restrictions (Arias, Rubio-Ramirez & Waggoner 2018).

Independent references:

- ARRW's Theorem 2: without zero restrictions the volume element of ``g o f_h`` is a constant
  times ``|det A0|^-(2K+m+1)``, so the importance weight must come out constant across draws;
- brute force: the target is the NIW-Haar law of the structural parameters ``(A0, A+)``
  conditioned on the zero restrictions in those coordinates; draws whose Euclidean distance to
  the restriction surface (``|z| / |grad z|``) is within a thin tube approximate it, and must
  match the importance-resampled draws (while the unweighted proposals must not);
- the restrictions themselves, checked on every draw of a fit on the real data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import yaml
from scipy import stats

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model.fit import fit_arrays
from fiscalcliff.model.identification import ImportanceWeightWarning
from fiscalcliff.model.zero_sign import draw_rotations, importance_resample, log_weights
from test_flat_prior_ols import flat_prior
from test_structural import ROOT


def _random_draws(rng, n, k, m):
    b = rng.normal(size=(n, m, k)) * 0.3
    x = rng.normal(size=(n, 12, k))
    return b, np.einsum("nti,ntj->nij", x, x) / 12


def test_without_zero_restrictions_the_importance_weight_is_constant():
    rng = np.random.default_rng(0)
    b, sigma = _random_draws(rng, 40, 3, 7)
    q, _ = np.linalg.qr(rng.normal(size=(40, 3, 3)))
    impact = np.linalg.cholesky(sigma) @ q
    lw = log_weights(impact, b, (), lags=2, lag_start=1)
    assert np.ptp(lw) < 1e-6
    # with a zero restriction the weights do vary (the check above has power)
    zeros = ((0, np.array([1.0, 0.0, 0.0]), 0),)
    chol = np.linalg.cholesky(sigma)
    q = draw_rotations(zeros, [np.broadcast_to(np.eye(3), (40, 3, 3))], chol, rng)
    assert np.ptp(log_weights(chol @ q, b, zeros, lags=2, lag_start=1)) > 0.1


def _tube_reference(post, rng, n):
    """Structural draws (NIW x Haar) within the 1% thinnest tube around ``z = 0``, where z is
    the horizon-1 response of y1 to shock 0 (the gradient by central differences)."""
    b, sigma, _ = post.sample(n, rng)
    q, r = np.linalg.qr(rng.normal(size=(n, 2, 2)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    impact = np.linalg.cholesky(sigma) @ q
    a0 = np.swapaxes(np.linalg.inv(impact), 1, 2)
    theta = np.concatenate([a0.reshape(n, -1), (b @ a0).reshape(n, -1)], axis=1)

    def z(th):
        a0_, plus = th[:, :4].reshape(-1, 2, 2), th[:, 4:].reshape(-1, 3, 2)
        a0inv = np.linalg.inv(a0_)
        lag1 = np.swapaxes((plus @ a0inv)[:, 1:3, :], 1, 2)  # rows: constant, lag-1 of a, b
        return (lag1 @ np.swapaxes(a0inv, 1, 2))[:, 0, 0]

    grad = np.empty_like(theta)
    for i in range(theta.shape[1]):
        up, down = theta.copy(), theta.copy()
        up[:, i] += 1e-6
        down[:, i] -= 1e-6
        grad[:, i] = (z(up) - z(down)) / 2e-6
    distance = np.abs(z(theta)) / np.linalg.norm(grad, axis=1)
    keep = distance < np.quantile(distance, 0.01)
    return impact[keep], b[keep]


def test_weighted_draws_match_brute_force_conditioning_on_the_restriction():
    rng = np.random.default_rng(1)
    y = np.zeros((40, 2))
    for t in range(1, 40):
        y[t] = np.array([[0.5, 0.3], [0.2, 0.4]]) @ y[t - 1] + rng.normal(size=2)
    _, _, post, _ = fit_arrays(flat_prior(["a", "b"], [], 1), y, None)
    ref_impact, ref_b = _tube_reference(post, rng, 300_000)

    n = 12_000
    b, sigma, _ = post.sample(n, rng)
    chol = np.linalg.cholesky(sigma)
    zeros = ((0, np.array([1.0, 0.0]), 1),)
    psi = [np.broadcast_to(np.eye(2), (n, 2, 2)), np.swapaxes(b[:, 1:3, :], 1, 2)]
    impact = chol @ draw_rotations(zeros, psi, chol, rng)
    assert np.abs(np.einsum("nk,nk->n", psi[1][:, 0], impact[:, :, 0])).max() < 1e-12
    picks, ess = importance_resample(log_weights(impact, b, zeros, lags=1, lag_start=1), rng)
    assert 0.1 * n < ess < 0.9 * n  # the weights matter here

    def stats_of(a, bb):  # sign-free statistics (columns may flip)
        return {"|A10|": np.abs(a[:, 1, 0]), "|A00|": np.abs(a[:, 0, 0]), "b": bb[:, 1, 0]}

    ref = stats_of(ref_impact, ref_b)
    weighted = stats_of(impact[picks], b[picks])
    unweighted = stats_of(impact, b)
    for name in ref:
        assert stats.ks_2samp(ref[name], weighted[name]).pvalue > 0.01, name
    # the unweighted proposals are not the target: the coefficient law moves by a lot
    assert stats.ks_2samp(ref["b"], unweighted["b"]).pvalue < 1e-10


def _zero_sign_prior(tmp_path, restrictions, unrestricted):
    text = yaml.safe_load((ROOT / "priors" / "uncensored.yaml").read_text())
    text["identities"]["reserves_and_tga"] = (
        "fed_treasuries + fed_mbs + fed_other_assets - rrp - other_absorbing"
    )
    text["identification"] = {"signs": {"restrictions": restrictions, "unrestricted": unrestricted}}
    path = tmp_path / "zero_sign.yaml"
    path.write_text(yaml.safe_dump(text, sort_keys=False))
    return fc.load_prior_file(path)


RESTRICTIONS = {
    "tga": {"tga": "+", "policy_rate": 0, "reserves_and_tga": {"sign": "0", "horizons": [0, 1, 2]}},
    "term_premium": {"yield_10y": "+", "bill_3m": 0, "policy_rate": "0"},
}


def test_zero_and_sign_restrictions_hold_in_every_draw_of_a_real_fit(tmp_path):
    spec = _zero_sign_prior(tmp_path, RESTRICTIONS, ["s3", "s4", "s5", "s6", "s7"])
    results = fc.fit(spec, source=OfflineDirectorySource(SHARED_DATA_DIR), as_of="2025-11")
    ident = results.identification
    assert ident.scheme.startswith("zero and sign restrictions: tga -> tga + at [0]")
    assert ("tga", "reserves_and_tga") in ident.zero_impacts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportanceWeightWarning)
        irf = fc.structural.impulse_responses(results, horizon=3, draws=200, seed=0)["irf"]
        sample = results.sample(50, 0)
    np.testing.assert_allclose(
        sample.sigma_root @ np.swapaxes(sample.sigma_root, 1, 2), sample.sigma, rtol=1e-10,
        atol=1e-8,
    )  # fmt: skip
    tga = irf.sel(shock="tga")
    assert float(abs(tga.sel(variable="reserves_and_tga", horizon=[0, 1, 2])).max()) < 1e-10
    assert float(abs(tga.sel(variable="policy_rate", horizon=0)).max()) < 1e-10
    # reserves fall one for one with the TGA while the restriction holds, not after it
    ratio = tga.sel(variable="reserves") / tga.sel(variable="tga")
    np.testing.assert_allclose(ratio.sel(horizon=[0, 1, 2]), -1.0, atol=1e-9)
    assert float(abs(ratio.sel(horizon=3) + 1).max()) > 1e-6
    tp = irf.sel(shock="term_premium", horizon=0)
    assert float(abs(tp.sel(variable=["bill_3m", "policy_rate"])).max()) < 1e-10
    assert (tga.sel(variable="tga", horizon=0) > 0).all()
    assert (tp.sel(variable="yield_10y") > 0).all()


def test_zero_restrictions_need_the_weighted_draws():
    from fiscalcliff.model.identification import Identification

    ident = Identification(
        shocks=("a", "b"),
        variables=(),
        endogenous=("y1", "y2"),
        zeros=((0, np.array([1.0, 0.0]), 0, "a -> y1 0 at [0]", "y1"),),
    )
    with pytest.raises(ValueError, match=r"use Identification\.draw"):
        ident.impact(np.broadcast_to(np.eye(2), (3, 2, 2)).copy())
    impact, lw = ident.draw(np.broadcast_to(np.eye(2), (3, 2, 2)).copy(), b=np.zeros((3, 5, 2)))
    assert lw.shape == (3,) and np.abs(impact[:, 0, 0]).max() == 0.0


def test_too_many_zero_restrictions_are_refused_with_the_rule(tmp_path):
    six = {"sign": "0", "horizons": [0, 1, 2, 3, 4, 5]}
    restrictions = {"tga": {"tga": "+", "reserves": six, "policy_rate": 0}}
    with pytest.raises(ConfigError, match=r"tga: 7 zero restrictions.*at most 6"):
        _zero_sign_prior(tmp_path, restrictions, ["s2", "s3", "s4", "s5", "s6", "s7"])
    # the second shock visited may have one zero fewer than the first
    restrictions = {"x": {"reserves": six}, "y": {"tga": six}}
    with pytest.raises(ConfigError, match=r"y: 6 zero restrictions.*visited 2\. .*at most 5"):
        _zero_sign_prior(tmp_path, restrictions, ["s3", "s4", "s5", "s6", "s7"])


def test_the_shipped_zero_sign_prior_is_exactly_identified():
    from fiscalcliff.model.identification import Identification

    spec = fc.load_prior_file(ROOT / "priors" / "censored-tga-zeros.yaml")
    ident = Identification.from_spec(spec)
    k = len(spec.model.endogenous)
    assert len(ident.zeros) == k * (k - 1) // 2 == 21
    assert sorted(spec.identification.signs.zero_counts().values()) == [0, 1, 2, 3, 4, 5, 6]
    tga = [(series, h) for j, _, h, _, series in ident.zeros if ident.shocks[j] == "tga"]
    assert tga == [("policy_rate", 0)] + [("reserves_and_tga", h) for h in range(5)]
