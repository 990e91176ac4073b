"""FredSource against recorded-format FRED replies (tests/fixtures/fred), never the network."""

from __future__ import annotations

import io
import json
import socket
import urllib.error
from collections.abc import Callable
from pathlib import Path

import pytest

from fiscalcliff.data import FredSource, OfflineDirectorySource
from fiscalcliff.errors import DataError, SourceUnavailableError

FIXTURES = Path(__file__).parent / "fixtures" / "fred"
KEY = "0123456789abcdef0123456789abcdef"


class FakeWeb:
    """Serves fixture bytes (or raises) and records the URLs asked for."""

    def __init__(self, reply: bytes | Callable[[str], bytes]) -> None:
        self.reply = reply
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.reply(url) if callable(self.reply) else self.reply


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _http_error(
    code: int, body: bytes = b"", reason: str = "Bad Request"
) -> Callable[[str], bytes]:
    def raise_(url: str) -> bytes:
        raise urllib.error.HTTPError(url, code, reason, {}, io.BytesIO(body))  # type: ignore[arg-type]

    return raise_


def _snapshot(shared_data_dir: Path, series_id: str, dates: list[str]) -> list[float]:
    obs = OfflineDirectorySource(shared_data_dir).fetch(series_id).observations
    return [float(obs[d]) for d in dates]


def test_public_csv_download(shared_data_dir: Path) -> None:
    web = FakeWeb(_fixture("fredgraph_DGS10.csv"))
    raw = FredSource(fetch_url=web).fetch("DGS10")
    assert web.urls == ["https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"]
    assert raw.origin == "fred:https://fred.stlouisfed.org/graph/fredgraph.csv?id=DGS10"
    obs = raw.observations
    dates = [f"{d:%Y-%m-%d}" for d in obs.index]
    assert len(dates) == 10 and "2026-07-03" not in dates  # the empty (holiday) cell is dropped
    # the same days in the independent snapshot of DGS10
    assert obs.tolist() == _snapshot(shared_data_dir, "DGS10", dates)


def test_legacy_csv_layout_with_dots(shared_data_dir: Path) -> None:
    raw = FredSource(fetch_url=FakeWeb(_fixture("fredgraph_DGS2_legacy.csv"))).fetch("DGS2")
    dates = [f"{d:%Y-%m-%d}" for d in raw.observations.index]
    assert dates[0] == "2026-06-26" and "2026-07-03" not in dates and len(dates) == 10
    assert raw.observations.tolist() == _snapshot(shared_data_dir, "DGS2", dates)


def test_json_api_with_key(shared_data_dir: Path) -> None:
    web = FakeWeb(_fixture("api_observations_WALCL.json"))
    source = FredSource(api_key=KEY, fetch_url=web)
    raw = source.fetch("WALCL")
    assert web.urls == [
        "https://api.stlouisfed.org/fred/series/observations?series_id=WALCL"
        f"&api_key={KEY}&file_type=json&limit=100000"
    ]
    assert KEY not in raw.origin and KEY not in repr(source) and KEY not in source.describe()
    assert raw.origin.startswith("fred:https://api.stlouisfed.org/fred/series/observations?")
    dates = [f"{d:%Y-%m-%d}" for d in raw.observations.index]
    assert dates[0] == "2026-07-01" and dates[-1] == "2026-08-19" and len(dates) == 8
    assert raw.observations.tolist() == _snapshot(shared_data_dir, "WALCL", dates)


def test_json_missing_value_dot_dropped() -> None:
    payload = {
        "count": 2,
        "observations": [
            {"date": "2026-07-02", "value": "4.49"},
            {"date": "2026-07-03", "value": "."},
        ],
    }
    web = FakeWeb(json.dumps(payload).encode())
    raw = FredSource(api_key=KEY, fetch_url=web).fetch("DGS10")
    assert raw.observations.tolist() == [4.49]


def test_unknown_series_http_400_json() -> None:
    web = FakeWeb(_http_error(400, _fixture("api_error_series_missing.json")))
    with pytest.raises(DataError, match=r"FRED has no series 'NOSUCH'.*series does not exist"):
        FredSource(api_key=KEY, fetch_url=web).fetch("NOSUCH")


def test_rejected_api_key_is_reported_without_the_key() -> None:
    web = FakeWeb(_http_error(400, _fixture("api_error_bad_key.json")))
    with pytest.raises(DataError, match="FRED rejected the API key") as info:
        FredSource(api_key=KEY, fetch_url=web).fetch("WALCL")
    assert KEY not in str(info.value)


def test_unknown_series_http_404_csv() -> None:
    web = FakeWeb(_http_error(404, b"", reason="Not Found"))
    with pytest.raises(DataError, match=r"FRED has no series 'NOSUCH' \(HTTP 404"):
        FredSource(fetch_url=web).fetch("NOSUCH")


def test_html_instead_of_data_names_the_id() -> None:
    web = FakeWeb(_fixture("fredgraph_not_found.html"))
    with pytest.raises(DataError, match=r"'NOSUCH'.*HTML"):
        FredSource(fetch_url=web).fetch("NOSUCH")


def test_garbage_reply_names_the_id() -> None:
    with pytest.raises(DataError, match="'NOSUCH'"):
        FredSource(fetch_url=FakeWeb(b"\xff\xfe\x00garbage")).fetch("NOSUCH")
    with pytest.raises(DataError, match="'NOSUCH'"):
        FredSource(api_key=KEY, fetch_url=FakeWeb(b"not json")).fetch("NOSUCH")


def test_csv_for_another_series_is_rejected() -> None:
    with pytest.raises(DataError, match="expected header"):
        FredSource(fetch_url=FakeWeb(_fixture("fredgraph_DGS10.csv"))).fetch("DGS2")


def test_truncated_json_is_rejected() -> None:
    payload = {"count": 3, "observations": [{"date": "2026-07-01", "value": "1"}]}
    with pytest.raises(DataError, match="truncated"):
        FredSource(api_key=KEY, fetch_url=FakeWeb(json.dumps(payload).encode())).fetch("X")


@pytest.mark.parametrize(
    "error",
    [
        urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
        TimeoutError("timed out"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
def test_network_failure_is_source_unavailable(error: Exception) -> None:
    def fail(url: str) -> bytes:
        raise error

    with pytest.raises(SourceUnavailableError, match="could not reach FRED for 'WALCL'") as info:
        FredSource(api_key=KEY, fetch_url=fail).fetch("WALCL")
    assert KEY not in str(info.value)


@pytest.mark.parametrize("code", [429, 500, 503])
def test_server_errors_are_source_unavailable(code: int) -> None:
    web = FakeWeb(_http_error(code, b"", reason="Service Unavailable"))
    with pytest.raises(SourceUnavailableError, match=f"HTTP {code}"):
        FredSource(fetch_url=web).fetch("WALCL")
