"""A source that downloads series from FRED (public CSV download, or the JSON API with a key)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable

import pandas as pd

from fiscalcliff.data.csvformat import parse_observations_csv, series_from_rows
from fiscalcliff.data.raw import RawSeries, check_series_id
from fiscalcliff.errors import DataError, SourceUnavailableError

CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
API_URL = "https://api.stlouisfed.org/fred/series/observations"
#: FRED's JSON API returns at most this many observations per request (its maximum)
API_LIMIT = 100_000

FetchUrl = Callable[[str], bytes]


class FredSource:
    """Download series from FRED.

    Without an API key the public CSV download
    ``https://fred.stlouisfed.org/graph/fredgraph.csv?id=<ID>`` is used; with a key, the JSON API
    ``https://api.stlouisfed.org/fred/series/observations``. The key never appears in origins or
    error messages. Every call downloads; wrap in :class:`~fiscalcliff.data.CachedSource` to
    keep copies.

    Parameters
    ----------
    api_key
        FRED API key, or None for the public CSV download.
    fetch_url
        Function ``url -> bytes`` doing the HTTP GET (default: :mod:`urllib.request`). It should
        raise :class:`urllib.error.HTTPError` for an HTTP error status and :class:`OSError`
        (e.g. :class:`urllib.error.URLError`, :class:`TimeoutError`) for network failures.
    timeout
        Seconds before the default `fetch_url` gives up.
    """

    def __init__(
        self,
        api_key: str | None = None,
        fetch_url: FetchUrl | None = None,
        timeout: float = 30,
    ) -> None:
        self.api_key = api_key or None
        self.timeout = timeout
        self._fetch_url = fetch_url if fetch_url is not None else self._urlopen

    def describe(self) -> str:
        """Say which FRED endpoint is used."""
        if self.api_key:
            return f"FRED JSON API ({API_URL}, API key set)"
        return f"FRED public CSV download ({CSV_URL}, no API key)"

    def url(self, series_id: str, *, redact: bool = True) -> str:
        """URL downloaded for `series_id`; with ``redact`` the API key is left out."""
        if not self.api_key:
            return f"{CSV_URL}?{urllib.parse.urlencode({'id': series_id})}"
        params = {"series_id": series_id}
        if not redact:
            params["api_key"] = self.api_key
        params |= {"file_type": "json", "limit": str(API_LIMIT)}
        return f"{API_URL}?{urllib.parse.urlencode(params)}"

    def fetch(self, series_id: str) -> RawSeries:
        """Download `series_id`.

        Raises
        ------
        DataError
            FRED does not know the id (HTTP 400/404, or the reply is not data), or rejects the key.
        SourceUnavailableError
            FRED cannot be reached (network error, timeout, HTTP 5xx/429).
        """
        check_series_id(series_id)
        public_url = self.url(series_id)
        body = self._get(series_id, public_url)
        where = f"FRED reply for '{series_id}' ({public_url})"
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(f"{where} is not text; is '{series_id}' a FRED series id?") from None
        if text.lstrip().startswith("<"):
            raise DataError(
                f"{where} is an HTML/XML page, not data: FRED probably has no series "
                f"'{series_id}' (check the id at https://fred.stlouisfed.org/series/{series_id})"
            )
        if self.api_key:
            observations = parse_api_json(text, where=where, series_id=series_id)
        else:
            observations = parse_observations_csv(text, where=where, series_id=series_id)
        observations.name = series_id
        return RawSeries(observations, origin=f"fred:{public_url}")

    def _get(self, series_id: str, public_url: str) -> bytes:
        try:
            return self._fetch_url(self.url(series_id, redact=False))
        except urllib.error.HTTPError as exc:
            detail = self._scrub(_error_detail(exc))
            if exc.code in (400, 404):
                if "api_key" in detail:
                    raise DataError(
                        f"FRED rejected the API key (set a valid FRED_API_KEY): {detail}"
                    ) from None
                raise DataError(
                    f"FRED has no series '{series_id}' (HTTP {exc.code} from {public_url}"
                    + (f": {detail})" if detail else ")")
                ) from None
            raise SourceUnavailableError(
                f"FRED could not serve '{series_id}' (HTTP {exc.code} from {public_url}); "
                "try again later"
            ) from None
        except OSError as exc:
            reason = self._scrub(str(getattr(exc, "reason", exc)))
            raise SourceUnavailableError(
                f"could not reach FRED for '{series_id}' ({public_url}): {reason}"
            ) from None

    def _scrub(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def _urlopen(self, url: str) -> bytes:
        from fiscalcliff._version import __version__

        request = urllib.request.Request(url, headers={"User-Agent": f"fiscalcliff/{__version__}"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return response.read()

    def __repr__(self) -> str:
        key = "'***'" if self.api_key else "None"
        return f"FredSource(api_key={key}, timeout={self.timeout})"


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """FRED's own error message from an error reply, if there is one."""
    try:
        body = exc.read() or b""
    except Exception:  # an unreadable error body: fall back to the status line
        body = b""
    try:
        payload = json.loads(body.decode("utf-8"))
        if isinstance(payload, dict) and "error_message" in payload:
            return " ".join(str(payload["error_message"]).split())
    except (UnicodeDecodeError, ValueError):
        pass
    return str(exc.reason or "").strip()


def parse_api_json(text: str, *, where: str, series_id: str) -> pd.Series:
    """Parse a reply of FRED's ``fred/series/observations`` endpoint (``file_type=json``).

    Raises
    ------
    DataError
        If the reply is not JSON, is a FRED error message, lacks observations, or is truncated.
    """
    try:
        payload = json.loads(text)
    except ValueError:
        raise DataError(f"{where} is not JSON; is '{series_id}' a FRED series id?") from None
    if not isinstance(payload, dict):
        raise DataError(f"{where}: unexpected JSON (not an object)")
    if "error_code" in payload or "error_message" in payload:
        message = " ".join(str(payload.get("error_message", "")).split())
        raise DataError(f"FRED has no series '{series_id}' ({where}: {message})")
    observations = payload.get("observations")
    if not isinstance(observations, list):
        raise DataError(f"{where}: no 'observations' list in the reply")
    count = payload.get("count")
    if isinstance(count, int) and count > len(observations):
        raise DataError(f"{where}: reply truncated ({len(observations)} of {count} observations)")

    def rows() -> Iterable[tuple[int, str, str]]:
        for i, obs in enumerate(observations, start=1):
            if not isinstance(obs, dict) or "date" not in obs or "value" not in obs:
                raise DataError(f"{where}, observation {i}: expected 'date' and 'value'")
            yield i, str(obs["date"]), str(obs["value"])

    return series_from_rows(rows(), where=where, item="observation")
