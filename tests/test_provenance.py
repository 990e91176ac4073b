"""Tests for fiscalcliff.provenance: hashes and output attributes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fiscalcliff._version
from fiscalcliff.provenance import (
    bytes_sha256,
    file_sha256,
    frame_sha256,
    package_version,
    provenance_attrs,
)

# -- plain hashes -----------------------------------------------------------------


def test_bytes_sha256_matches_hashlib() -> None:
    data = b"fiscal cliff\x00\xff"
    assert bytes_sha256(data) == hashlib.sha256(data).hexdigest()
    assert bytes_sha256(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = rng.bytes(3 * (1 << 20) + 17)  # several read chunks, the last one partial
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    assert file_sha256(str(path)) == hashlib.sha256(data).hexdigest()


def test_file_sha256_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "missing")


# -- frame hash ---------------------------------------------------------------------


def _values() -> dict[str, list[float]]:
    return {
        "reserves": [3212.5, 3190.25, 3301.0, float("nan")],
        "tga": [750.1, 812.333333333333, 0.1 + 0.2, 1e-300],
    }


DATES = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(_values(), index=pd.DatetimeIndex(DATES, name="date"))


def test_frame_hash_is_stable_when_rebuilt_from_same_values() -> None:
    a = _frame()
    b = pd.DataFrame(
        {k: np.array(v, dtype="float64") for k, v in _values().items()},
        index=pd.to_datetime(DATES),
    )
    # different construction, index name, memory layout and index resolution
    c = pd.DataFrame(
        np.asfortranarray(np.column_stack([_values()["reserves"], _values()["tga"]])),
        columns=["reserves", "tga"],
        index=pd.DatetimeIndex(DATES).as_unit("s"),
    )
    assert frame_sha256(a) == frame_sha256(b) == frame_sha256(c)
    assert frame_sha256(a) == frame_sha256(a.copy(deep=True))


def test_frame_hash_matches_documented_canonical_text() -> None:
    df = pd.DataFrame(
        {"x": [0.1, float("nan")], "n": [1, 2], "s": ["a", None]},
        index=pd.DatetimeIndex(["2026-01-01", "2026-02-01"]),
    )
    text = "\n".join(
        [
            "fiscalcliff-frame-sha256/v1",
            '"x"\t"n"\t"s"',
            '2026-01-01\t0.1\t1\t"a"',
            "2026-02-01\tnull\t2\tnull",
        ]
    )
    assert frame_sha256(df) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_frame_hash_sees_a_relative_change_of_1e_12() -> None:
    a = _frame()
    b = _frame()
    b.iloc[1, 1] = b.iloc[1, 1] * (1 + 1e-12)
    assert b.iloc[1, 1] != a.iloc[1, 1]
    assert frame_sha256(a) != frame_sha256(b)


def test_frame_hash_sees_one_ulp() -> None:
    a = _frame()
    b = _frame()
    b.iloc[0, 0] = np.nextafter(b.iloc[0, 0], np.inf)
    assert frame_sha256(a) != frame_sha256(b)


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.rename(columns={"tga": "TGA"}),
        lambda df: df[["tga", "reserves"]],
        lambda df: df.iloc[::-1],
        lambda df: df.iloc[:-1],
        lambda df: df.set_axis(pd.DatetimeIndex(DATES) + pd.Timedelta(days=1)),
        lambda df: df.fillna(0.0),
    ],
    ids=["column-name", "column-order", "row-order", "row-dropped", "dates", "nan-filled"],
)
def test_frame_hash_sees_label_and_order_changes(change) -> None:
    assert frame_sha256(change(_frame())) != frame_sha256(_frame())


def test_frame_hash_index_is_iso_date() -> None:
    # a PeriodIndex and a DatetimeIndex of month starts give the same canonical dates
    by_date = _frame()
    by_period = _frame().set_axis(pd.PeriodIndex(DATES, freq="M"))
    by_python_date = _frame().set_axis([dt.date.fromisoformat(d) for d in DATES])
    assert frame_sha256(by_date) == frame_sha256(by_period) == frame_sha256(by_python_date)


def test_frame_hash_independent_of_string_and_nullable_dtypes() -> None:
    obj = pd.DataFrame({"s": pd.Series(["a", "b"], dtype=object), "f": [1.5, np.nan]})
    modern = pd.DataFrame(
        {"s": pd.Series(["a", "b"], dtype="string"), "f": pd.array([1.5, None], dtype="Float64")}
    )
    assert frame_sha256(obj) == frame_sha256(modern)


def test_frame_hash_of_empty_frame() -> None:
    assert len(frame_sha256(pd.DataFrame())) == 64


# -- version and attributes -----------------------------------------------------------


def test_package_version() -> None:
    assert package_version() == fiscalcliff._version.__version__
    # the installed distribution's metadata says the same (pyproject.toml reads _version.py)
    from importlib.metadata import version

    assert version("fiscalcliff") == fiscalcliff._version.__version__
    assert isinstance(package_version(), str) and package_version()


def test_provenance_attrs_adds_standard_fields_sorted() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    attrs = provenance_attrs(lags=2, config_sha256="ab" * 32, alpha=0.5)
    after = dt.datetime.now(dt.UTC)
    assert list(attrs) == sorted(attrs)
    assert attrs["fiscalcliff_version"] == package_version()
    assert attrs["python_version"] == platform.python_version()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(attrs["created_utc"]))
    created = dt.datetime.fromisoformat(str(attrs["created_utc"]))
    assert before <= created <= after
    assert attrs["lags"] == 2 and attrs["alpha"] == 0.5


def test_provenance_attrs_json_round_trip() -> None:
    config = {"series": ["reserves", "tga"], "prior": {"lambda": 0.2, "decay": None}}
    shocks = [{"date": "2026-03", "size": -50.0}]
    attrs = provenance_attrs(config=config, shocks=shocks, window=(2010, 2025))
    assert isinstance(attrs["config"], str)
    assert json.loads(str(attrs["config"])) == config
    assert json.loads(str(attrs["shocks"])) == shocks
    assert json.loads(str(attrs["window"])) == [2010, 2025]
    # keys inside JSON are sorted too, so equal inputs give equal strings
    assert attrs["config"] == provenance_attrs(config=dict(reversed(config.items())))["config"]


def test_provenance_attrs_value_types() -> None:
    attrs = provenance_attrs(
        none=None,
        flag=True,
        np_int=np.int64(3),
        np_float=np.float32(0.5),
        when=dt.date(2026, 2, 1),
        path=Path("a.yaml"),
        arr=np.array([1, 2]),
    )
    assert attrs["none"] == ""
    assert attrs["flag"] == 1 and type(attrs["flag"]) is int
    assert attrs["np_int"] == 3 and type(attrs["np_int"]) is int
    assert attrs["np_float"] == 0.5 and type(attrs["np_float"]) is float
    assert attrs["when"] == "2026-02-01"
    assert attrs["path"] == "a.yaml"
    assert all(isinstance(v, str | int | float) for v in attrs.values())


def test_explicit_fields_take_precedence() -> None:
    attrs = provenance_attrs(created_utc="2026-01-01T00:00:00Z")
    assert attrs["created_utc"] == "2026-01-01T00:00:00Z"
