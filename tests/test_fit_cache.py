"""The fit cache of censored Gibbs runs: a hit returns exactly what a new run gives; any change
of input is a miss; a broken or unwritable cache never breaks a fit."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import yaml

import fiscalcliff as fc
from conftest import SHARED_DATA_DIR
from fiscalcliff.data import OfflineDirectorySource
from fiscalcliff.model import censored, fit_cache
from fiscalcliff.model.mcmc.diagnostics import ConvergenceWarning
from fiscalcliff.model.stability import max_root_modulus
from test_censored import SMALL

#: the censored tests' small model, with short chains: each test here fits it several times
SPEC = copy.deepcopy(SMALL)
SPEC["prior"]["inference"] = {"draws": 60, "tune": 30, "chains": 2}


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache") / "small.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return fc.load_prior_file(path)


def _fit(spec, seed=0, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fc.fit(
            spec,
            source=OfflineDirectorySource(SHARED_DATA_DIR),
            as_of="2025-11",
            seed=seed,
            **kwargs,
        )
    convergence = sorted(str(w.message) for w in caught if w.category is ConvergenceWarning)
    return res, convergence


def _entries(where):
    return sorted(where.glob("gibbs-*.npz"))


def _count_gibbs(monkeypatch):
    calls = []
    real = censored.gibbs

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(censored, "gibbs", counting)
    return calls


def test_a_hit_returns_exactly_what_a_new_run_gives(spec, tmp_path, monkeypatch):
    monkeypatch.setenv(fit_cache.ENV, "off")
    fresh, fresh_warnings = _fit(spec)
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    calls = _count_gibbs(monkeypatch)
    first, _ = _fit(spec)
    assert len(calls) == 1 and len(_entries(tmp_path)) == 1
    hit, hit_warnings = _fit(spec)
    assert len(calls) == 1  # the second fit did not sample
    for res in (first, hit):
        for name in ("B", "Sigma", "shadow_rrp"):
            np.testing.assert_array_equal(
                res.trace["posterior"][name].to_numpy(), fresh.trace["posterior"][name].to_numpy()
            )
        np.testing.assert_array_equal(res.completed, fresh.completed)
        np.testing.assert_array_equal(res.stored_max_roots, fresh.stored_max_roots)
    # the roots are those of the draws, the diagnostics and their warnings those of a new run
    b = fresh.trace["posterior"]["B"].to_numpy()
    np.testing.assert_array_equal(
        hit.stored_max_roots, max_root_modulus(b.reshape(-1, *b.shape[2:]), hit.layout)
    )
    assert hit.diagnostics.table.equals(fresh.diagnostics.table)
    assert hit.history_diagnostics.table.equals(fresh.history_diagnostics.table)
    for field in ("max_r_hat", "min_ess_bulk", "min_ess_tail", "worst_r_hat", "worst_ess"):
        assert getattr(hit.diagnostics, field) == getattr(fresh.diagnostics, field)
    assert hit.diagnostics.seconds == first.diagnostics.seconds  # the run's, as recorded
    assert hit_warnings == fresh_warnings
    a = hit.forecast("2026-12", draws=300, seed=4)
    b = fresh.forecast("2026-12", draws=300, seed=4)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].to_numpy(), b[name].to_numpy())


def test_a_changed_input_is_a_miss(spec, tmp_path, monkeypatch):
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    calls = _count_gibbs(monkeypatch)
    _fit(spec, seed=0)
    _fit(spec, seed=1)  # another seed
    later = spec.model_copy(
        update={"model": spec.model.model_copy(update={"lags": 3})}
    )  # another layout
    _fit(later)
    assert len(calls) == 3 and len(_entries(tmp_path)) == 3


def test_off_writes_nothing(spec, tmp_path, monkeypatch):
    monkeypatch.setenv(fit_cache.ENV, "off")
    calls = _count_gibbs(monkeypatch)
    _fit(spec)
    _fit(spec)
    assert len(calls) == 2
    with fit_cache.disabled():
        assert fit_cache.directory() is None
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    with fit_cache.disabled():
        _fit(spec)
    assert len(calls) == 3 and not _entries(tmp_path)


def test_without_diagnostics_the_same_draws_no_warnings_and_nothing_cached(
    spec, tmp_path, monkeypatch
):
    monkeypatch.setenv(fit_cache.ENV, "off")
    full, full_warnings = _fit(spec)
    assert full_warnings  # 60 draws per chain: the full fit does warn, so silence means something
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    calls = _count_gibbs(monkeypatch)
    bare, bare_warnings = _fit(spec, diagnostics=False)
    assert len(calls) == 1 and not _entries(tmp_path)  # sampled, and left out of the cache
    assert bare.diagnostics is None and bare.history_diagnostics is None
    assert bare_warnings == []
    assert "not diagnosed" in str(bare)
    for name in ("B", "Sigma", "shadow_rrp"):
        np.testing.assert_array_equal(
            bare.trace["posterior"][name].to_numpy(), full.trace["posterior"][name].to_numpy()
        )
    np.testing.assert_array_equal(bare.stored_max_roots, full.stored_max_roots)
    # a complete fit is cached, and a later fit without diagnostics reads it (with them)
    _fit(spec)
    assert len(calls) == 2 and len(_entries(tmp_path)) == 1
    hit, _ = _fit(spec, diagnostics=False)
    assert len(calls) == 2
    assert hit.diagnostics.table.equals(full.diagnostics.table)


def test_a_broken_entry_is_a_miss_and_is_replaced(spec, tmp_path, monkeypatch):
    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    calls = _count_gibbs(monkeypatch)
    good, _ = _fit(spec)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:1000])  # truncated, e.g. by a full disk
    again, _ = _fit(spec)
    assert len(calls) == 2
    np.testing.assert_array_equal(again.completed, good.completed)
    _fit(spec)
    assert len(calls) == 2  # rewritten whole


def test_an_unwritable_cache_does_not_stop_the_fit(spec, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(fit_cache.ENV, str(blocker / "fits"))
    res, _ = _fit(spec)
    assert res.n_stored == 120
    assert blocker.read_text() == "not a directory"


def test_only_the_newest_entries_are_kept_and_other_files_are_left_alone(tmp_path, monkeypatch):
    import os

    monkeypatch.setenv(fit_cache.ENV, str(tmp_path))
    monkeypatch.setattr(fit_cache, "MAX_ENTRIES", 2)
    mine = tmp_path / "notes.txt"
    mine.write_text("the user's")
    diag = _dummy_diagnostics()
    for i in range(4):
        path = fit_cache.save(f"{i:064x}", {"b": np.zeros(1)}, np.zeros(1), diag, None)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    kept = [p.name for p in _entries(tmp_path)]
    assert kept == [f"gibbs-{i:064x}.npz" for i in (2, 3)]
    assert mine.read_text() == "the user's"


def _dummy_diagnostics():
    import pandas as pd

    from fiscalcliff.model.mcmc.diagnostics import Diagnostics

    table = pd.DataFrame({"r_hat": [1.0]}, index=["B[x]"])
    return Diagnostics(1.0, 500.0, 500.0, "B[x]", "B[x]", 0, 10, 2, 0.1, table)


def test_the_cli_flag_turns_the_cache_off(spec, tmp_path, monkeypatch):
    from conftest import run_cli

    monkeypatch.setenv(fit_cache.ENV, str(tmp_path / "fits"))
    argv = ["fit", "--priors", str(spec.source), "--data-dir", str(SHARED_DATA_DIR)]
    argv += ["--as-of", "2025-11"]
    code, _, err = run_cli(["--no-fit-cache", *argv, "--out", str(tmp_path / "a.nc")])
    assert code == 0, err
    assert not _entries(tmp_path / "fits")
    code, _, err = run_cli([*argv, "--out", str(tmp_path / "b.nc")])
    assert code == 0, err
    assert len(_entries(tmp_path / "fits")) == 1
