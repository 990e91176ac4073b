"""Offline directory source, the CSV format, RawSeries and default_source."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscalcliff.data import (
    CachedSource,
    FredSource,
    OfflineDirectorySource,
    RawSeries,
    Source,
    default_source,
)
from fiscalcliff.data.csvformat import format_observations_csv, parse_observations_csv
from fiscalcliff.errors import DataError


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_real_file_exactly(shared_data_dir: Path) -> None:
    # Independent reading with the csv module: every row, same order, same values.
    with open(shared_data_dir / "WALCL.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    raw = OfflineDirectorySource(shared_data_dir).fetch("WALCL")
    obs = raw.observations
    assert len(obs) == len(rows) == 1243  # SOURCES.md: 1243 obs
    assert obs.dtype == np.float64
    assert isinstance(obs.index, pd.DatetimeIndex)
    assert obs.index.is_monotonic_increasing
    assert [f"{d:%Y-%m-%d}" for d in obs.index] == [r[0] for r in rows]
    assert obs.to_numpy().tolist() == [float(r[1]) for r in rows]
    assert raw.origin == f"offline:{shared_data_dir / 'WALCL.csv'}"


def test_is_a_source(shared_data_dir: Path) -> None:
    source = OfflineDirectorySource(shared_data_dir)
    assert isinstance(source, Source)
    assert str(shared_data_dir) in source.describe()


def test_parsed_files_are_cached_per_instance(tmp_path: Path) -> None:
    path = _write(tmp_path, "X.csv", "date,value\n2020-01-01,1\n2020-02-01,2\n")
    source = OfflineDirectorySource(tmp_path)
    assert source.fetch("X") is source.fetch("X")
    path.write_text("date,value\n2020-01-01,1\n2020-02-01,2\n2020-03-01,30\n", encoding="utf-8")
    assert source.fetch("X").observations.iloc[-1] == 30.0  # changed file is read again


def test_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match=f"{missing}.*does not exist"):
        OfflineDirectorySource(missing)


def test_missing_file_suggests_close_ids(shared_data_dir: Path) -> None:
    source = OfflineDirectorySource(shared_data_dir)
    with pytest.raises(DataError) as info:
        source.fetch("WALC")
    message = str(info.value)
    assert str(shared_data_dir / "WALC.csv") in message
    assert "WALCL" in message


def test_missing_file_in_unrelated_directory_lists_ids(tmp_path: Path) -> None:
    _write(tmp_path, "AAA.csv", "date,value\n2020-01-01,1\n")
    with pytest.raises(DataError, match=r"ZZZZZZ\.csv does not exist.*1 ids available: AAA"):
        OfflineDirectorySource(tmp_path).fetch("ZZZZZZ")


def test_non_numeric_cell_names_file_line_and_cell(tmp_path: Path) -> None:
    path = _write(tmp_path, "X.csv", "date,value\n2020-01-01,1.5\n2020-01-02,abc\n2020-01-03,2\n")
    with pytest.raises(DataError) as info:
        OfflineDirectorySource(tmp_path).fetch("X")
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert "'abc'" in message


@pytest.mark.parametrize("cell", ["nan", "inf", "-inf"])
def test_non_finite_cell_is_an_error(tmp_path: Path, cell: str) -> None:
    _write(tmp_path, "X.csv", f"date,value\n2020-01-01,1\n2020-01-02,{cell}\n")
    with pytest.raises(DataError, match="line 3"):
        OfflineDirectorySource(tmp_path).fetch("X")


@pytest.mark.parametrize("bad", ["2020-13-01", "2020/01/02", "01-02-2020", "2020-02-30", ""])
def test_bad_date_names_file_and_line(tmp_path: Path, bad: str) -> None:
    path = _write(tmp_path, "X.csv", f"date,value\n2020-01-01,1\n{bad},2\n")
    with pytest.raises(DataError, match=rf"{path}, line 3: bad date"):
        OfflineDirectorySource(tmp_path).fetch("X")


def test_missing_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "X.csv", "2020-01-01,1\n2020-01-02,2\n")
    with pytest.raises(DataError, match=rf"{path}, line 1: expected header 'date,value'"):
        OfflineDirectorySource(tmp_path).fetch("X")


def test_wrong_field_count(tmp_path: Path) -> None:
    _write(tmp_path, "X.csv", "date,value\n2020-01-01,1\n2020-01-02,2,3\n")
    with pytest.raises(DataError, match="line 3: expected 2 fields"):
        OfflineDirectorySource(tmp_path).fetch("X")


def test_duplicate_date(tmp_path: Path) -> None:
    _write(tmp_path, "X.csv", "date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-01,3\n")
    with pytest.raises(DataError, match=r"2020-01-01 appears twice \(lines 2 and 4\)"):
        OfflineDirectorySource(tmp_path).fetch("X")


def test_empty_file(tmp_path: Path) -> None:
    _write(tmp_path, "X.csv", "date,value\n")
    with pytest.raises(DataError, match="no observations"):
        OfflineDirectorySource(tmp_path).fetch("X")


def test_missing_markers_dropped_and_rows_sorted(tmp_path: Path) -> None:
    text = "date,value\n2020-01-03,3\n2020-01-01,1\n2020-01-02,.\n\n2020-01-04,\n2020-01-05,NA\n"
    _write(tmp_path, "X.csv", text)
    raw = OfflineDirectorySource(tmp_path).fetch("X")
    assert raw.observations.to_dict() == {
        pd.Timestamp("2020-01-01"): 1.0,
        pd.Timestamp("2020-01-03"): 3.0,
    }


def test_fred_style_header_accepted_for_matching_id(tmp_path: Path) -> None:
    _write(tmp_path, "DGS10.csv", "observation_date,DGS10\n2020-01-02,1.88\n")
    assert OfflineDirectorySource(tmp_path).fetch("DGS10").observations.iloc[0] == 1.88
    _write(tmp_path, "DGS2.csv", "observation_date,DGS10\n2020-01-02,1.58\n")
    with pytest.raises(DataError, match="expected header"):
        OfflineDirectorySource(tmp_path).fetch("DGS2")


@pytest.mark.parametrize("bad_id", ["../etc/passwd", "a/b", "", " WALCL"])
def test_ids_cannot_escape_the_directory(shared_data_dir: Path, bad_id: str) -> None:
    with pytest.raises(DataError, match="invalid series id"):
        OfflineDirectorySource(shared_data_dir).fetch(bad_id)


def test_csv_round_trip_is_exact() -> None:
    values = [0.1, 1 / 3, 6745699.0, -307501.43342617, 1e-12, 2.5e20]
    obs = pd.Series(values, index=pd.date_range("2020-01-01", periods=len(values), freq="D"))
    text = format_observations_csv(obs)
    assert "2020-01-03,6745699\n" in text  # integral values without ".0", as in the data files
    back = parse_observations_csv(text, where="test")
    assert back.to_numpy().tolist() == values
    assert back.index.equals(obs.index)


def test_raw_series_normalises_input() -> None:
    obs = pd.Series([2, None, 1], index=["2020-02-01", "2020-03-01", "2020-01-01"])
    raw = RawSeries(obs, origin="test")
    assert raw.observations.dtype == np.float64
    assert raw.observations.index.name == "date"
    assert raw.observations.to_numpy().tolist() == [1.0, 2.0]
    with pytest.raises(DataError, match="duplicate"):
        RawSeries(pd.Series([1.0, 2.0], index=["2020-01-01", "2020-01-01"]), origin="test")


def test_default_source_honours_data_dir(
    monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path
) -> None:
    monkeypatch.setenv("FISCALCLIFF_DATA_DIR", str(shared_data_dir))
    source = default_source()
    assert isinstance(source, OfflineDirectorySource)
    assert source.directory == shared_data_dir


def test_default_source_without_data_dir_is_cached_fred(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FISCALCLIFF_DATA_DIR", raising=False)
    monkeypatch.setenv("FRED_API_KEY", "abcdefabcdefabcdefabcdefabcdef12")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # platformdirs on Linux
    source = default_source()
    assert isinstance(source, CachedSource)
    assert isinstance(source.inner, FredSource)
    assert source.inner.api_key == "abcdefabcdefabcdefabcdefabcdef12"
    assert source.cache_dir.parts[-2:] == ("fiscalcliff", "fred")
    if sys.platform.startswith("linux"):
        assert source.cache_dir == tmp_path / "fiscalcliff" / "fred"


def test_default_source_missing_data_dir_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FISCALCLIFF_DATA_DIR", str(tmp_path / "absent"))
    with pytest.raises(DataError, match="absent does not exist"):
        default_source()


# -- the plain-file fast path and the general parser agree ------------------------------------

_CELLS = st.sampled_from(
    ["1", "-2.5", "+3", "4.", ".5", "1e3", "2.5E-2", ".", "", " 7", "inf", "nan", "x", "1e999"]
)
_DATES = st.sampled_from(
    ["2020-01-01", "2020-02-29", "2021-02-29", "1999-12-31", "2020-01-01", "0000-01-01", "2020-1-1"]
)


def _parse_or_error(text: str, **kwargs):
    try:
        return parse_observations_csv(text, where="f.csv", **kwargs)
    except DataError as exc:
        return str(exc)


@settings(max_examples=300, deadline=None)
@given(
    header=st.sampled_from(
        ["date,value", "observation_date,DFF", "DATE,dff", "date, value", "x,y"]
    ),
    rows=st.lists(st.tuples(_DATES, _CELLS), max_size=8),
    ending=st.sampled_from(["\n", "\r\n"]),
    last_newline=st.booleans(),
)
def test_the_plain_file_fast_path_reads_what_the_general_parser_reads(
    header, rows, ending, last_newline
):
    """The fast path (one regular expression over the body) takes only files the general CSV
    parser reads the same way: same series, or the same error (it declines the rest)."""
    from fiscalcliff.data import csvformat

    text = ending.join([header, *(f"{d},{v}" for d, v in rows)]) + (ending if last_newline else "")
    fast = _parse_or_error(text, series_id="DFF")
    original = csvformat._parse_plain
    try:
        csvformat._parse_plain = lambda *args: None
        general = _parse_or_error(text, series_id="DFF")
    finally:
        csvformat._parse_plain = original
    if isinstance(general, str):
        assert fast == general
    else:
        pd.testing.assert_series_equal(fast, general)


def test_the_plain_file_fast_path_is_taken_for_a_download_and_declined_for_a_quoted_file():
    from fiscalcliff.data.csvformat import _parse_plain

    days, values, lines = _parse_plain(
        "observation_date,DFF\n2020-01-01,1.5\n2020-01-02,.\n", "DFF"
    )
    assert list(days) == [np.datetime64("2020-01-01")]
    assert list(values) == [1.5] and list(lines) == [2]
    assert _parse_plain('"date","value"\n2020-01-01,1.5\n', None) is None
    assert _parse_plain("date,value\n2020-01-01,1.5", None) is None  # no line end: general parser
