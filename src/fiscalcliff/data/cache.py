"""A source wrapper that keeps a copy of every downloaded series and falls back to it offline."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fiscalcliff.data.csvformat import format_observations_csv, parse_observations_csv
from fiscalcliff.data.raw import RawSeries, Source, check_series_id
from fiscalcliff.errors import DataError, SourceUnavailableError


class StaleCacheWarning(UserWarning):
    """A source was unreachable, so a previously downloaded (possibly outdated) copy is used."""


@dataclass(frozen=True)
class PullResult:
    """What :meth:`CachedSource.pull` did for one series.

    Attributes
    ----------
    series_id
        The id pulled.
    origin
        Origin of the values now in the cache (the live URL, or ``cache:...`` if the source
        was unreachable and the old copy was kept).
    path
        The cached CSV file.
    first, last
        First and last observation dates, ``"YYYY-MM-DD"``.
    n_obs
        Number of observations.
    retrieved_at
        When the cached copy was downloaded (UTC, ISO 8601).
    from_cache
        True if the source was unreachable and the existing cached copy was used.
    """

    series_id: str
    origin: str
    path: Path
    first: str
    last: str
    n_obs: int
    retrieved_at: str
    from_cache: bool


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CachedSource:
    """Fetch from `inner`, saving each series to `cache_dir`; use the saved copy if offline.

    Every successful fetch writes ``<ID>.csv`` (``date,value``) and ``<ID>.json`` (origin URL,
    retrieval time, the CSV's length and SHA-256) atomically. A cached copy is read only if its
    length and checksum match the record, so a truncated or edited file is reported as damaged
    (a :class:`DataError` that says to pull it again), never read as data. If `inner` raises
    :class:`SourceUnavailableError`, the cached copy is returned with a :class:`StaleCacheWarning`;
    without a cached copy the error propagates.
    A :class:`DataError` from `inner` (e.g. unknown id) always propagates.

    Parameters
    ----------
    inner
        The live source, usually :class:`~fiscalcliff.data.FredSource`.
    cache_dir
        Directory for the cached files (created when first needed).
    clock
        Returns the current UTC time (for tests).
    """

    def __init__(
        self,
        inner: Source,
        cache_dir: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.inner = inner
        self.cache_dir = Path(cache_dir).expanduser()
        self._clock = clock
        self._memo: dict[str, tuple[RawSeries, bool]] = {}

    def describe(self) -> str:
        """Say what is cached where."""
        return f"{self.inner.describe()}, cached in {self.cache_dir}"

    def fetch(self, series_id: str) -> RawSeries:
        """Fetch `series_id` from the inner source, falling back to the cache if unreachable.

        Raises
        ------
        SourceUnavailableError
            The inner source is unreachable and there is no cached copy.
        DataError
            The inner source rejects the id, or the cached copy is corrupt.
        """
        return self._fetch(series_id)[0]

    def pull(self, ids: Iterable[str]) -> list[PullResult]:
        """Refresh the cache for each id (used by ``fiscalcliff data pull``).

        Parameters
        ----------
        ids
            Source series ids, e.g. ``["WALCL", "WTREGEN"]``.

        Returns
        -------
        list of PullResult
            One per id, in order; ``from_cache`` tells whether the live source was unreachable.
        """
        results = []
        for series_id in ids:
            self._memo.pop(series_id, None)
            raw, from_cache = self._fetch(series_id)
            meta = self._read_meta(series_id)
            obs = raw.observations
            results.append(
                PullResult(
                    series_id=series_id,
                    origin=raw.origin,
                    path=self.csv_path(series_id),
                    first=f"{obs.index[0]:%Y-%m-%d}",
                    last=f"{obs.index[-1]:%Y-%m-%d}",
                    n_obs=len(obs),
                    retrieved_at=str(meta.get("retrieved_at", "unknown")),
                    from_cache=from_cache,
                )
            )
        return results

    def csv_path(self, series_id: str) -> Path:
        """Path of the cached CSV for `series_id`."""
        return self.cache_dir / f"{check_series_id(series_id)}.csv"

    def meta_path(self, series_id: str) -> Path:
        """Path of the metadata JSON for `series_id`."""
        return self.cache_dir / f"{check_series_id(series_id)}.json"

    def _fetch(self, series_id: str) -> tuple[RawSeries, bool]:
        check_series_id(series_id)
        if series_id in self._memo:
            return self._memo[series_id]
        try:
            raw = self.inner.fetch(series_id)
        except SourceUnavailableError as exc:
            if not self.csv_path(series_id).exists():
                raise SourceUnavailableError(
                    f"{exc} (and no cached copy in {self.cache_dir})"
                ) from exc
            raw = self._read_cache(series_id)
            warnings.warn(
                f"{exc}; using the cached copy ({raw.origin[len('cache:') :]})",
                StaleCacheWarning,
                stacklevel=3,
            )
            result = (raw, True)
        else:
            self._write_cache(series_id, raw)
            result = (raw, False)
        self._memo[series_id] = result
        return result

    def _write_cache(self, series_id: str, raw: RawSeries) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        from fiscalcliff.provenance import bytes_sha256

        text = format_observations_csv(raw.observations)
        data = text.encode("utf-8")
        meta = {
            "series_id": series_id,
            "origin": raw.origin,
            "retrieved_at": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "n_obs": len(raw.observations),
            "csv_bytes": len(data),
            "csv_sha256": bytes_sha256(data),
        }
        # the CSV first: if the meta write never happens, the old record no longer matches and
        # the copy is reported as damaged rather than read
        _write_text(self.csv_path(series_id), text)
        _write_text(self.meta_path(series_id), json.dumps(meta, indent=2) + "\n")

    def _read_meta(self, series_id: str) -> dict[str, object]:
        try:
            meta = json.loads(self.meta_path(series_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def _read_cache(self, series_id: str) -> RawSeries:
        from fiscalcliff.provenance import bytes_sha256
        from fiscalcliff.safe_read import DATA_FILE_LIMIT, read_bytes

        path = self.csv_path(series_id)
        data = read_bytes(path, limit=DATA_FILE_LIMIT, error=DataError, what="cached data file")
        meta = self._read_meta(series_id)
        recorded = (meta.get("csv_bytes"), meta.get("csv_sha256"))
        if recorded != (len(data), bytes_sha256(data)):
            why = (
                f"{len(data):,} bytes where {recorded[0]:,} were written"
                if isinstance(recorded[0], int) and recorded[0] != len(data)
                else "its checksum does not match the one recorded when it was downloaded"
                if recorded[1]
                else f"{self.meta_path(series_id).name} records no checksum for it"
            )
            raise DataError(
                f"cached copy {path} is damaged ({why}); run `fiscalcliff data pull` with a "
                "network connection to download it again"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:  # pragma: no cover - the checksum matched our own write
            raise DataError(f"cannot read cached copy {path}: {exc}") from None
        observations = parse_observations_csv(text, where=str(path), series_id=series_id)
        observations.name = series_id
        fetched = meta.get("retrieved_at", "at an unknown time")
        url = str(meta.get("origin", "an unknown source")).removeprefix("fred:")
        return RawSeries(observations, origin=f"cache:{path} (fetched {fetched} from {url})")

    def __repr__(self) -> str:
        return f"CachedSource({self.inner!r}, cache_dir={str(self.cache_dir)!r})"


def _write_text(path: Path, text: str) -> None:
    """Write `text` atomically (temporary file in the same directory, then ``os.replace``)."""
    from fiscalcliff.atomic import atomic_write

    with atomic_write(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
