"""CachedSource: saves every download, falls back to it (with a warning) when offline."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from fiscalcliff.data import CachedSource, FredSource, RawSeries, StaleCacheWarning
from fiscalcliff.errors import DataError, SourceUnavailableError

FIXTURES = Path(__file__).parent / "fixtures" / "fred"
FETCHED = datetime(2026, 8, 21, 10, 0, 5, tzinfo=UTC)


class Switchable:
    """A FRED source whose network can be switched off."""

    def __init__(self) -> None:
        self.online = True
        self.calls = 0

    def __call__(self, url: str) -> bytes:
        self.calls += 1
        if not self.online:
            raise OSError("Network is unreachable")
        return (FIXTURES / "fredgraph_DGS10.csv").read_bytes()


def _cached(tmp_path: Path, web: Switchable) -> CachedSource:
    return CachedSource(FredSource(fetch_url=web), tmp_path / "cache", clock=lambda: FETCHED)


def test_success_writes_csv_and_metadata(tmp_path: Path) -> None:
    web = Switchable()
    source = _cached(tmp_path, web)
    raw = source.fetch("DGS10")
    assert raw.origin == "fred:https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert files == ["DGS10.csv", "DGS10.json"]  # no temporary files left behind
    meta = json.loads((tmp_path / "cache" / "DGS10.json").read_text())
    assert meta["origin"] == raw.origin
    assert meta["retrieved_at"] == "2026-08-21T10:00:05Z"
    text = (tmp_path / "cache" / "DGS10.csv").read_text()
    assert text.startswith("date,value\n2026-06-26,4.38\n")


def test_offline_falls_back_to_cache_with_warning(tmp_path: Path) -> None:
    web = Switchable()
    fresh = _cached(tmp_path, web).fetch("DGS10")
    web.online = False
    later = _cached(tmp_path, web)  # a new process: nothing in memory
    with pytest.warns(StaleCacheWarning, match=r"fetched 2026-08-21T10:00:05Z") as record:
        raw = later.fetch("DGS10")
    assert "Network is unreachable" in str(record[0].message)
    pd.testing.assert_series_equal(raw.observations, fresh.observations)
    csv_path = tmp_path / "cache" / "DGS10.csv"
    assert raw.origin == (
        f"cache:{csv_path} (fetched 2026-08-21T10:00:05Z from "
        "https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10)"
    )
    assert issubclass(StaleCacheWarning, UserWarning)


def test_offline_without_cache_raises(tmp_path: Path) -> None:
    web = Switchable()
    web.online = False
    with pytest.raises(SourceUnavailableError, match="no cached copy"):
        _cached(tmp_path, web).fetch("DGS10")


def test_unknown_series_is_not_hidden_by_the_cache(tmp_path: Path) -> None:
    class Unknown:
        def fetch(self, series_id: str) -> RawSeries:
            raise DataError(f"FRED has no series '{series_id}'")

        def describe(self) -> str:
            return "unknown"

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "X.csv").write_text("date,value\n2020-01-01,1\n")
    with pytest.raises(DataError, match="no series 'X'"):
        CachedSource(Unknown(), cache_dir).fetch("X")


def test_fetch_is_remembered_within_an_instance(tmp_path: Path) -> None:
    web = Switchable()
    source = _cached(tmp_path, web)
    source.fetch("DGS10")
    web.online = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no stale-cache warning: the first result is reused
        source.fetch("DGS10")
    assert web.calls == 1


def test_pull_refreshes_and_reports(tmp_path: Path) -> None:
    web = Switchable()
    source = _cached(tmp_path, web)
    (result,) = source.pull(["DGS10"])
    assert (result.series_id, result.first, result.last, result.n_obs) == (
        "DGS10",
        "2026-06-26",
        "2026-07-10",
        10,
    )
    assert result.path == tmp_path / "cache" / "DGS10.csv"
    assert result.retrieved_at == "2026-08-21T10:00:05Z"
    assert not result.from_cache
    source.pull(["DGS10"])
    assert web.calls == 2  # pull always asks the live source again
    web.online = False
    with pytest.warns(StaleCacheWarning):
        (stale,) = source.pull(["DGS10"])
    assert stale.from_cache and stale.origin.startswith("cache:")
