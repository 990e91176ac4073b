"""``prior.stationary``: the Gibbs sampler's prior truncated to stable coefficients.

The reference is independent of the sampler's loop: i.i.d. draws of the closed-form NIW
posterior, kept when stable. Without latent cells every Gibbs iteration draws that posterior, so
with the truncation it must draw the filtered law.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from scipy import stats

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import ConfigError
from fiscalcliff.model import censored, niw
from fiscalcliff.model.censored import LatentCells, gibbs
from fiscalcliff.model.design import LagLayout, lagged_regressors
from fiscalcliff.model.stability import max_root_modulus
from test_censored import SMALL

LAYOUT = LagLayout(2, 0, 1, True)


def _near_unit_root_var(rng: np.random.Generator, t_len: int = 60) -> np.ndarray:
    """A short 2-variable VAR(1) with a unit root: its posterior puts real weight (about a
    third, with seed 4) on explosive coefficients."""
    a = np.array([[1.0, 0.05], [0.0, 0.5]])
    y = np.zeros((t_len, 2))
    for t in range(1, t_len):
        y[t] = 0.1 + a @ y[t - 1] + 0.3 * rng.standard_normal(2)
    return y


def _prior() -> niw.NIWPrior:
    return niw.NIWPrior(b=np.zeros((3, 2)), omega=np.full(3, 1e4), psi=np.eye(2) * 1e-3, dof=4)


def _run(y, *, draws, seed=0, stationary=True):
    cells, start = LatentCells.build(y, {0: -1e6}, 1)  # no cell at the bound
    assert cells.size == 0
    return gibbs(
        y,
        None,
        cells,
        start,
        LAYOUT,
        _prior(),
        (np.zeros((0, 2)), np.zeros((0, 3))),
        draws=draws,
        tune=0,
        chains=1,
        seed=seed,
        stationary=stationary,
    )


def test_the_truncated_sampler_draws_the_stable_part_of_the_posterior():
    y = _near_unit_root_var(np.random.default_rng(4))
    yy, xx = lagged_regressors(y, None, 1, True)
    exact_b, _, _ = niw.posterior(yy, xx, _prior()).sample(8000, np.random.default_rng(1))
    exact_roots = max_root_modulus(exact_b, LAYOUT)
    explosive = np.mean(exact_roots > 1.0)
    assert 0.1 < explosive < 0.9  # the truncation removes a real part of the posterior
    reference_b, reference_roots = exact_b[exact_roots <= 1.0], exact_roots[exact_roots <= 1.0]

    run = _run(y, draws=3000)
    b = run.b.reshape(-1, 3, 2)
    roots = max_root_modulus(b, LAYOUT)
    assert roots.max() <= 1.0
    # each coefficient and the largest root: the same law as the filtered exact draws
    # (Bonferroni over the 7 tests)
    for i, j in np.ndindex(3, 2):
        assert stats.ks_2samp(b[:, i, j], reference_b[:, i, j]).pvalue > 0.01 / 7
    assert stats.ks_2samp(roots, reference_roots).pvalue > 0.01 / 7
    # and not the law of the untruncated posterior
    free = _run(y, draws=3000, stationary=False)
    assert np.mean(max_root_modulus(free.b.reshape(-1, 3, 2), LAYOUT) > 1.0) > 0.05


def test_a_posterior_without_stable_draws_stops_with_an_error_naming_the_setting(monkeypatch):
    monkeypatch.setattr(censored, "STATIONARY_MAX_TRIES", 1)  # the first explosive draw
    y = _near_unit_root_var(np.random.default_rng(4))
    with pytest.raises(ConfigError, match=r"prior\.stationary"):
        _run(y, draws=200)


def test_stationary_needs_a_censored_model(tmp_path):
    spec = copy.deepcopy(SMALL)
    spec["model"].pop("censored")
    spec["prior"]["stationary"] = True
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ConfigError, match=r"prior\.stationary needs a censored model"):
        fc.fit(fc.load_prior_file(path), source=OfflineDirectorySource(SHARED_DATA_DIR))


def test_a_stationary_fit_of_the_small_model_has_only_stable_draws(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALCLIFF_FIT_CACHE", "off")
    spec = copy.deepcopy(SMALL)
    spec["prior"]["stationary"] = True
    spec["prior"]["inference"] = {"draws": 60, "tune": 30, "chains": 2}
    path = tmp_path / "stationary.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = fc.fit(
        fc.load_prior_file(path),
        source=OfflineDirectorySource(SHARED_DATA_DIR),
        as_of="2025-11",
        diagnostics=False,
    )
    assert res.settings["stationary"] is True
    assert res.stored_max_roots.max() <= 1.0
    paths = res.forecast("2026-06", draws=200, seed=1)
    assert paths.attrs["explosive_share"] == 0.0
