"""Explosive-draw filtering: an explicit, recorded option of the unconditional forecast."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.errors import InputError
from fiscalcliff.forecasting import core
from fiscalcliff.model.fit import fit
from fiscalcliff.model.spec import load_prior_file
from fiscalcliff.model.stability import max_root_modulus

PRIOR = Path(__file__).resolve().parents[1] / "priors" / "reduced-form.yaml"


@pytest.fixture(scope="module")
def results(shared_data_dir):
    return fit(load_prior_file(PRIOR), source=OfflineDirectorySource(shared_data_dir))


def test_filter_keeps_only_stable_draws_and_records_how_many_were_discarded(results):
    ds = results.forecast("2026-12", draws=120, seed=3, stability="filter")
    assert ds.sizes["draw"] == 120
    roots = ds["max_root"].values.ravel()
    assert (roots <= 1.0).all()
    assert not ds["explosive"].values.any()
    assert ds.attrs["explosive_share"] == 0.0
    note = ds.attrs["stability"]
    drawn = int(note.split(" of ")[1].split()[0])
    discarded = int(note.split("(")[1].split()[0])
    # the last batch may overshoot: at least 120 of the draws made were stable
    assert 0 < discarded <= drawn - 120
    # the discarded share estimates the posterior's explosive share, which the report mode
    # measures on other draws (binomial sd about 0.02 at these counts)
    reported = results.forecast("2026-12", draws=500, seed=4).attrs["explosive_share"]
    assert abs(discarded / drawn - reported) < 0.1
    again = results.forecast("2026-12", draws=120, seed=3, stability="filter")
    np.testing.assert_array_equal(again["reserves"].values, ds["reserves"].values)


def test_stable_sample_roots_match_an_independent_eigenvalue_computation(results):
    sample, roots, drawn, explosive = core.stable_sample(results, 40, np.random.default_rng(0))
    assert sample.n_draws == 40 and drawn - explosive >= 40
    np.testing.assert_allclose(max_root_modulus(sample.b, results.layout), roots, rtol=1e-12)
    assert (roots <= 1.0).all()


def test_filter_gives_up_with_a_clear_error(results, monkeypatch):
    monkeypatch.setattr(core, "MAX_DRAWS_PER_KEPT", 1)
    with pytest.raises(InputError, match="filtering cannot reach"):
        results.forecast("2026-12", draws=200, seed=1, stability="filter")


def test_report_and_skip(results):
    rep = results.forecast("2026-12", draws=50, seed=2, stability="report")
    assert 0.0 <= rep.attrs["explosive_share"] <= 1.0
    skip = results.forecast("2026-12", draws=50, seed=2, stability="skip")
    assert "max_root" not in skip and skip.attrs["stability"] == "not checked"
    # same draws either way: the check does not change the paths
    np.testing.assert_array_equal(rep["reserves"].values, skip["reserves"].values)
    with pytest.raises(InputError, match="stability must be"):
        results.forecast("2026-12", draws=5, stability="drop")
