"""A source that reads ``<ID>.csv`` files from a local directory (an offline mirror of FRED)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from fiscalcliff.data.csvformat import parse_observations_csv
from fiscalcliff.data.raw import RawSeries, check_series_id
from fiscalcliff.errors import DataError
from fiscalcliff.safe_read import DATA_FILE_LIMIT, read_text


class OfflineDirectorySource:
    """Read series from ``<directory>/<ID>.csv`` files with a ``date,value`` header.

    Parsed files are kept in memory per instance (re-read if the file changes on disk).

    Parameters
    ----------
    directory
        Directory holding one ``<ID>.csv`` per series.

    Raises
    ------
    DataError
        If `directory` does not exist or is not a directory.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        path = Path(directory).expanduser()
        if not path.is_dir():
            what = "is not a directory" if path.exists() else "does not exist"
            raise DataError(f"data directory {path} {what}")
        self.directory = path.resolve()
        self._memo: dict[str, tuple[tuple[int, int], RawSeries]] = {}

    def describe(self) -> str:
        """Say which directory this source reads."""
        return f"offline directory {self.directory}"

    def available(self) -> list[str]:
        """Sorted ids of the ``*.csv`` files in the directory."""
        return sorted(p.stem for p in self.directory.glob("*.csv"))

    def fetch(self, series_id: str) -> RawSeries:
        """Read and parse ``<series_id>.csv``.

        Raises
        ------
        DataError
            If the file is missing (the message suggests close ids) or malformed (the message
            names the file and line).
        """
        check_series_id(series_id)
        path = self.directory / f"{series_id}.csv"
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise DataError(self._missing_message(series_id, path)) from None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._memo.get(series_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        text = read_text(path, limit=DATA_FILE_LIMIT, error=DataError, what="data file")
        observations = parse_observations_csv(
            text, where=str(path), series_id=series_id, complete_lines=True
        )
        observations.name = series_id
        raw = RawSeries(observations, origin=f"offline:{path}")
        self._memo[series_id] = (key, raw)
        return raw

    def _missing_message(self, series_id: str, path: Path) -> str:
        available = self.available()
        by_upper = {name.upper(): name for name in available}
        close = difflib.get_close_matches(series_id.upper(), list(by_upper), n=4, cutoff=0.5)
        message = f"no file for series '{series_id}': {path} does not exist"
        if close:
            return message + "; close ids available: " + ", ".join(by_upper[c] for c in close)
        if available:
            shown = ", ".join(available[:8]) + (", ..." if len(available) > 8 else "")
            return message + f"; {len(available)} ids available: {shown}"
        return message + f"; the directory {self.directory} holds no .csv files"

    def __repr__(self) -> str:
        return f"OfflineDirectorySource({str(self.directory)!r})"
