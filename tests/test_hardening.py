"""Issue 9's named defects, one test each: data loss, special files, output paths checked first,
cache integrity, public names whatever was imported first, byte-reproducible files, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from conftest import SHARED_DATA_DIR, run_cli
from fiscalcliff.data import CachedSource, FredSource
from fiscalcliff.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "fixtures" / "priors" / "small.yaml"
SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "baseline_uncensored.yaml"
FRED_CSV = ROOT / "tests" / "fixtures" / "fred" / "fredgraph_DGS10.csv"


def _no_fit(monkeypatch) -> None:
    """Make any model fit fail loudly: a check that runs first never gets there."""
    import fiscalcliff.model.fit as fit_module

    def refuse(*args, **kwargs):
        raise AssertionError("the model was fitted before the output path was checked")

    monkeypatch.setattr(fit_module, "fit", refuse)


# -- 1. compare never deletes what it did not write --


def test_compare_keeps_a_file_in_a_directory_it_did_not_write(tmp_path, monkeypatch):
    _no_fit(monkeypatch)
    out = tmp_path / "d"
    out.mkdir()
    (out / "keep").write_text("mine")
    code, _, err = run_cli(
        [
            "compare",
            str(SCENARIO),
            "--baseline",
            "baseline-uncensored",
            "--draws",
            "20",
            "--out",
            str(out),
            "--data-dir",
            str(SHARED_DATA_DIR),
        ]
    )
    assert code == 2
    assert f"--out {out}" in err and "(keep)" in err and "new or empty directory" in err
    assert (out / "keep").read_text() == "mine"


def test_compare_does_not_replace_a_file_with_a_directory(tmp_path, monkeypatch):
    _no_fit(monkeypatch)
    out = tmp_path / "results"
    out.write_text("precious")
    code, _, err = run_cli(
        [
            "compare",
            str(SCENARIO),
            "--baseline",
            "baseline-uncensored",
            "--out",
            str(out),
            "--data-dir",
            str(SHARED_DATA_DIR),
        ]
    )
    assert code == 2 and "not a directory" in err
    assert out.read_text() == "precious"


def test_compare_replaces_its_own_previous_output(tmp_path):
    out = tmp_path / "cmp"
    argv = [
        "compare",
        str(SCENARIO),
        "--baseline",
        "baseline-uncensored",
        "--draws",
        "20",
        "--out",
        str(out),
        "--data-dir",
        str(SHARED_DATA_DIR),
    ]
    assert run_cli(argv)[0] == 0
    first = (out / "paths.nc").stat().st_mtime_ns
    code, _, err = run_cli(argv)
    assert code == 0, err
    assert (out / "paths.nc").stat().st_mtime_ns >= first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp"]  # no stray temporaries


# -- 2. never replace a device node or other special file --


@pytest.mark.parametrize("target", ["/dev/null", "/dev/zero"])
def test_out_onto_a_device_is_refused_and_the_device_stays(target, monkeypatch):
    _no_fit(monkeypatch)
    code, _, err = run_cli(
        [
            "forecast",
            "--priors",
            str(SMALL),
            "--draws",
            "10",
            "--out",
            target,
            "--data-dir",
            str(SHARED_DATA_DIR),
        ]
    )
    assert code == 2 and "character device" in err and target in err
    assert Path(target).is_char_device()


def test_atomic_write_refuses_a_fifo_even_when_called_directly(tmp_path):
    from fiscalcliff.atomic import atomic_write
    from fiscalcliff.errors import InputError

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"), atomic_write(fifo) as f:
        f.write(b"x")
    assert fifo.is_fifo()


# -- 7. output paths are checked before any work, naming the user's path --


@pytest.mark.parametrize(
    ("out", "expect"),
    [
        (".", "names a directory"),
        ("/", "names a directory"),
        ("sub/", "names a directory"),
        ("", "the path is empty"),
    ],
)
def test_out_is_checked_before_the_fit(out, expect, tmp_path, monkeypatch):
    _no_fit(monkeypatch)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(
        ["forecast", "--priors", str(SMALL), "--out", out, "--data-dir", str(SHARED_DATA_DIR)]
    )
    assert code == 2 and expect in err and ".tmp-" not in err


def test_out_in_an_unwritable_directory_is_checked_before_the_fit(tmp_path, monkeypatch):
    _no_fit(monkeypatch)
    ro = Path("/proc/sys") if os.geteuid() == 0 else tmp_path / "ro"
    if ro != Path("/proc/sys"):
        ro.mkdir()
        ro.chmod(0o555)
    if not ro.is_dir():
        pytest.skip("no read-only directory available")
    code, _, err = run_cli(
        [
            "forecast",
            "--priors",
            str(SMALL),
            "--out",
            str(ro / "f.nc"),
            "--data-dir",
            str(SHARED_DATA_DIR),
        ]
    )
    assert code == 2 and f"--out {ro / 'f.nc'}" in err and "cannot write" in err


# -- 8. cache integrity and a pull that fetched nothing --


class _Web:
    def __init__(self) -> None:
        self.online = True

    def __call__(self, url: str) -> bytes:
        if not self.online:
            raise OSError("Network is unreachable")
        return FRED_CSV.read_bytes()


def test_a_cache_file_truncated_mid_line_is_reported_not_read(tmp_path):
    web = _Web()
    CachedSource(FredSource(fetch_url=web), tmp_path).fetch("DGS10")
    csv = tmp_path / "DGS10.csv"
    text = csv.read_text()
    csv.write_text(text[:-3])  # "...,4.21\n" -> "...,4." : still parses as a number
    web.online = False
    later = CachedSource(FredSource(fetch_url=web), tmp_path)
    with pytest.raises(DataError, match=r"DGS10\.csv is damaged .* bytes where .* were written"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            later.fetch("DGS10")


def test_a_cache_file_edited_in_place_is_reported(tmp_path):
    web = _Web()
    CachedSource(FredSource(fetch_url=web), tmp_path).fetch("DGS10")
    csv = tmp_path / "DGS10.csv"
    data = bytearray(csv.read_bytes())
    i = data.rindex(b".") + 1
    data[i] = ord("9") if data[i] != ord("9") else ord("8")  # same length, other digit
    csv.write_bytes(bytes(data))
    web.online = False
    with pytest.raises(DataError, match="checksum does not match"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CachedSource(FredSource(fetch_url=web), tmp_path).fetch("DGS10")


def test_data_pull_that_fetched_nothing_exits_3(tmp_path, monkeypatch):
    web = _Web()
    cache = CachedSource(FredSource(fetch_url=web), tmp_path)
    cache.fetch("DGS10")
    web.online = False
    import fiscalcliff.data.defaults as defaults

    monkeypatch.setattr(defaults, "fred_cache_source", lambda: cache)
    code, out, err = run_cli(["data", "pull", "yield_10y"])
    assert code == 3
    assert "nothing was downloaded" in err and "kept old copy" in out


# -- 11. public names stay what the docs say --


def test_no_public_name_is_also_a_subpackage_name():
    import pkgutil

    import fiscalcliff

    modules = {m.name for m in pkgutil.iter_modules(fiscalcliff.__path__)}
    assert not modules & set(fiscalcliff._EXPORTS), modules & set(fiscalcliff._EXPORTS)


def test_public_names_survive_importing_every_submodule_first():
    code = textwrap.dedent(
        """
        import importlib, inspect, pkgutil
        import fiscalcliff as fc
        for m in pkgutil.walk_packages(fc.__path__, "fiscalcliff."):
            if ".cli" not in m.name:
                importlib.import_module(m.name)
        bad = [n for n in fc._EXPORTS if inspect.ismodule(getattr(fc, n))]
        assert not bad, bad
        assert inspect.isfunction(fc.forecast) and fc.forecast.__name__ == "forecast"
        assert inspect.isfunction(fc.fit) and inspect.isfunction(fc.compare)
        assert inspect.isclass(fc.Scenario) and inspect.isclass(fc.BacktestResult)
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


# -- 12. byte-reproducible files under SOURCE_DATE_EPOCH --


def test_same_inputs_and_seed_give_byte_identical_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")  # 2025-11-24T16:00:00Z
    files = []
    for name in ("a.nc", "b.nc"):
        code, _, err = run_cli(
            [
                "forecast",
                "--priors",
                str(SMALL),
                "--draws",
                "30",
                "--seed",
                "4",
                "--out",
                str(tmp_path / name),
                "--data-dir",
                str(SHARED_DATA_DIR),
            ]
        )
        assert code == 0, err
        files.append((tmp_path / name).read_bytes())
    assert files[0] == files[1]
    import xarray as xr

    with xr.open_dataset(tmp_path / "a.nc", engine="h5netcdf") as ds:
        assert ds.attrs["created_utc"] == "2025-11-24T16:00:00Z"


def test_without_source_date_epoch_the_time_is_now(monkeypatch):
    from fiscalcliff.provenance import created_utc

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    stamp = created_utc()
    assert stamp[:4] == time.strftime("%Y", time.gmtime())


# -- kill -9 during a write --

_SLOW_WRITER = """
import sys, time
from fiscalcliff.atomic import atomic_write
with atomic_write(sys.argv[1], "w") as f:
    f.write("new, incomplete")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


def test_kill_9_during_a_write_keeps_the_old_file_and_the_next_run_cleans_up(tmp_path):
    from fiscalcliff.atomic import atomic_write

    target = tmp_path / "out.txt"
    target.write_text("previous complete output")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert target.read_text() == "previous complete output"
    stray = [p.name for p in tmp_path.iterdir() if p.name != "out.txt"]
    assert len(stray) == 1 and stray[0].startswith(f".out.txt.tmp-{proc.pid}-")
    with atomic_write(target, "w") as f:
        f.write("next run")
    assert target.read_text() == "next run"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_an_old_directory_left_between_renames_is_restored(tmp_path):
    from fiscalcliff.atomic import remove_stale_temporaries

    dead = _dead_pid()
    target = tmp_path / "cmp"
    old = tmp_path / f".cmp.old-{dead}-abcd1234"
    old.mkdir()
    (old / "paths.nc").write_text("previous")
    remove_stale_temporaries(target)
    assert (target / "paths.nc").read_text() == "previous" and not old.exists()


def test_temporaries_of_a_running_process_are_left_alone(tmp_path):
    from fiscalcliff.atomic import remove_stale_temporaries

    live = tmp_path / f".out.nc.tmp-{os.getpid()}-abcd1234.nc"
    live.write_text("being written")
    assert remove_stale_temporaries(tmp_path / "out.nc") == []
    assert live.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_manifest_lists_what_a_directory_output_holds(tmp_path):
    from fiscalcliff.atomic import MANIFEST, atomic_directory

    with atomic_directory(tmp_path / "run", kind="comparison") as tmp:
        (tmp / "a.csv").write_text("1")
    assert json.loads((tmp_path / "run" / MANIFEST).read_text()) == {
        "kind": "comparison",
        "entries": ["a.csv"],
    }
