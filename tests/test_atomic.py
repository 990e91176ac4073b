"""Tests for fiscalcliff.atomic: outputs are complete or absent, never half-written."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from fiscalcliff.atomic import (
    MANIFEST,
    atomic_directory,
    atomic_path,
    atomic_write,
    netcdf_safe_attrs,
    write_netcdf,
)
from fiscalcliff.errors import InputError

if TYPE_CHECKING:
    import xarray as xr


class Boom(RuntimeError):
    pass


def _listing(directory: Path) -> list[str]:
    """Every entry, including hidden temporaries."""
    return sorted(p.name for p in directory.iterdir())


# -- atomic_write -------------------------------------------------------------


def test_atomic_write_binary(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with atomic_write(target) as f:
        f.write(b"\x00\x01")
        assert not target.exists()  # nothing visible until the block succeeds
    assert target.read_bytes() == b"\x00\x01"
    assert _listing(tmp_path) == ["out.bin"]


def test_atomic_write_text_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    with atomic_write(target, "w") as f:
        f.write("héllo\n")
    assert target.read_text(encoding="utf-8") == "héllo\n"


def test_failure_mid_write_leaves_no_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(Boom), atomic_write(target, "w") as f:
        f.write("half of it")
        raise Boom
    assert _listing(tmp_path) == []


def test_existing_file_untouched_when_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Boom), atomic_write(target, "w") as f:
        f.write("new but incomplete")
        raise Boom
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["out.txt"]


def test_existing_file_replaced_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with atomic_write(target, "w") as f:
        f.write("new")
    assert target.read_text(encoding="utf-8") == "new"
    assert _listing(tmp_path) == ["out.txt"]


def test_keyboard_interrupt_also_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as f:
        f.write(b"x")
        raise KeyboardInterrupt
    assert _listing(tmp_path) == []


def test_temp_file_is_hidden_sibling(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with atomic_write(target) as f:
        tmp = Path(f.name)
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".out.bin.")
    assert not tmp.exists()


def test_permissions_follow_umask_not_tempfile(tmp_path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        pytest.skip("POSIX permissions")
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "out.bin") as f:
            f.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.bin").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("mode", "kwargs"), [("a", {}), ("r", {}), ("w+b", {}), ("wb", {"encoding": "utf-8"})]
)
def test_atomic_write_rejects_bad_arguments(
    tmp_path: Path, mode: str, kwargs: dict[str, str]
) -> None:
    with pytest.raises(ValueError), atomic_write(tmp_path / "x", mode, **kwargs):  # type: ignore[call-overload]
        pass  # pragma: no cover
    assert _listing(tmp_path) == []


# -- atomic_path ----------------------------------------------------------------


def test_atomic_path_keeps_suffix_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "fan.png"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent
        assert tmp.suffix == ".png"
        assert not tmp.exists()
        tmp.write_bytes(b"png")
        assert not target.exists()
    assert target.read_bytes() == b"png"
    assert _listing(target.parent) == ["fan.png"]


def test_atomic_path_failure_removes_temp_and_keeps_old(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Boom), atomic_path(target) as tmp:
        tmp.write_text("partial", encoding="utf-8")
        raise Boom
    assert target.read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["table.csv"]


def test_atomic_path_nothing_written_is_an_error(tmp_path: Path) -> None:
    with (
        pytest.raises(FileNotFoundError, match="nothing was written"),
        atomic_path(tmp_path / "x.nc"),
    ):
        pass
    assert _listing(tmp_path) == []


# -- atomic_directory -------------------------------------------------------------


def test_atomic_directory_new(tmp_path: Path) -> None:
    target = tmp_path / "run"
    with atomic_directory(target) as tmp:
        assert tmp.is_dir() and tmp.parent == tmp_path
        (tmp / "a.txt").write_text("a", encoding="utf-8")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.txt").write_text("b", encoding="utf-8")
        assert not target.exists()
    assert (target / "a.txt").read_text(encoding="utf-8") == "a"
    assert (target / "sub" / "b.txt").read_text(encoding="utf-8") == "b"
    assert _listing(tmp_path) == ["run"]


def test_atomic_directory_replaces_existing_on_success(tmp_path: Path) -> None:
    target = tmp_path / "run"
    target.mkdir()
    (target / "stale.txt").write_text("stale", encoding="utf-8")
    with atomic_directory(target) as tmp:
        (tmp / "fresh.txt").write_text("fresh", encoding="utf-8")
    assert _listing(target) == [MANIFEST, "fresh.txt"]
    assert json.loads((target / MANIFEST).read_text()) == {
        "kind": "output",
        "entries": ["fresh.txt"],
    }
    assert _listing(tmp_path) == ["run"]  # the old copy is gone too


def test_atomic_directory_failure_leaves_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(Boom), atomic_directory(target) as tmp:
        (tmp / "new.txt").write_text("new", encoding="utf-8")
        raise Boom
    assert _listing(target) == ["old.txt"]
    assert (target / "old.txt").read_text(encoding="utf-8") == "old"
    assert _listing(tmp_path) == ["run"]


def test_atomic_directory_failure_without_target(tmp_path: Path) -> None:
    with pytest.raises(Boom), atomic_directory(tmp_path / "run"):
        raise Boom
    assert _listing(tmp_path) == []


def test_atomic_directory_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "run"
    target.write_text("was a file", encoding="utf-8")
    with pytest.raises(InputError, match="exists and is not a directory"):
        with atomic_directory(target) as tmp:
            (tmp / "x").write_text("x", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "was a file"
    assert _listing(tmp_path) == ["run"]


def test_atomic_directory_with_atomic_files_inside(tmp_path: Path) -> None:
    with atomic_directory(tmp_path / "run") as tmp, atomic_write(tmp / "f.txt", "w") as f:
        f.write("ok")
    assert (tmp_path / "run" / "f.txt").read_text(encoding="utf-8") == "ok"


# -- NetCDF -----------------------------------------------------------------------


def test_netcdf_safe_attrs() -> None:
    attrs = netcdf_safe_attrs(
        {
            "config": {"b": [1, 2], "a": None},
            "list": [1, "x"],
            "tuple": (1.5,),
            "none": None,
            "flag": True,
            "np_flag": np.bool_(False),
            "np_float": np.float64(2.5),
            "text": "t",
            "n": 3,
            "path": Path("a") / "b.yaml",
            "array": np.array([1.0, 2.0]),
        }
    )
    assert attrs["config"] == '{"a": null, "b": [1, 2]}'
    assert json.loads(attrs["list"]) == [1, "x"]
    assert json.loads(attrs["tuple"]) == [1.5]
    assert attrs["none"] == ""
    assert attrs["flag"] == 1 and type(attrs["flag"]) is int
    assert attrs["np_flag"] == 0 and type(attrs["np_flag"]) is int
    assert attrs["np_float"] == 2.5 and type(attrs["np_float"]) is float
    assert attrs["text"] == "t" and attrs["n"] == 3
    assert attrs["path"] == str(Path("a") / "b.yaml")
    np.testing.assert_array_equal(attrs["array"], [1.0, 2.0])


def _dataset() -> xr.Dataset:
    import xarray as xr

    ds = xr.Dataset(
        {"reserves": (("date",), np.array([3.1, 3.2, np.nan]))},
        coords={"date": np.array(["2026-01-01", "2026-02-01", "2026-03-01"], dtype="M8[ns]")},
        attrs={
            "config": {"lags": 2, "series": ["tga", "rrp"]},
            "note": None,
            "converged": True,
            "title": "test",
        },
    )
    ds["reserves"].attrs = {"units": "USD bn", "transform": {"kind": "log"}, "flag": False}
    return ds


def test_write_netcdf_round_trip(tmp_path: Path) -> None:
    import xarray as xr

    ds = _dataset()
    target = tmp_path / "out" / "posterior.nc"
    assert write_netcdf(ds, target) == target
    assert _listing(target.parent) == ["posterior.nc"]
    with xr.open_dataset(target, engine="h5netcdf") as back:
        back.load()
    xr.testing.assert_identical(back.drop_attrs(), ds.drop_attrs())
    assert json.loads(back.attrs["config"]) == {"lags": 2, "series": ["tga", "rrp"]}
    assert back.attrs["note"] == ""
    assert back.attrs["converged"] == 1
    assert back.attrs["title"] == "test"
    assert back["reserves"].attrs["units"] == "USD bn"
    assert json.loads(back["reserves"].attrs["transform"]) == {"kind": "log"}
    assert back["reserves"].attrs["flag"] == 0
    # the caller's dataset is not modified
    assert ds.attrs["config"] == {"lags": 2, "series": ["tga", "rrp"]}
    assert ds["reserves"].attrs["flag"] is False


def test_write_netcdf_failure_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xarray as xr

    target = tmp_path / "posterior.nc"
    target.write_bytes(b"previous run")

    def broken(self: xr.Dataset, path: Path, *args: object, **kwargs: object) -> None:
        Path(path).write_bytes(b"partial")
        raise Boom

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(Boom):
        write_netcdf(_dataset(), target)
    assert target.read_bytes() == b"previous run"
    assert _listing(tmp_path) == ["posterior.nc"]


def test_write_netcdf_overwrites_file_it_was_read_from(tmp_path: Path) -> None:
    import xarray as xr

    target = tmp_path / "data.nc"
    write_netcdf(_dataset(), target)
    with xr.open_dataset(target, engine="h5netcdf") as lazy:
        write_netcdf(lazy.assign(reserves=lazy["reserves"] * 2), target)
    with xr.open_dataset(target, engine="h5netcdf") as back:
        np.testing.assert_allclose(back["reserves"].values, [6.2, 6.4, np.nan])
