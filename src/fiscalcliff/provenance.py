"""Provenance: content hashes and the attributes stamped on every output.

Hashes are SHA-256 hex digests. :func:`frame_sha256` hashes a canonical text form of
a data frame, so it depends only on the labels and values, not on the pandas version,
dtype backend or memory layout.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import platform
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "bytes_sha256",
    "file_sha256",
    "frame_sha256",
    "package_version",
    "provenance_attrs",
]

_CHUNK = 1 << 20
#: first line of the canonical frame text; bump if the canonical form ever changes
_FRAME_FORMAT = "fiscalcliff-frame-sha256/v1"
#: every kind of missing value (NaN, None, NaT, NA): pandas converts between them freely
_MISSING = "null"


def bytes_sha256(data: bytes | bytearray | memoryview) -> str:
    """Return the SHA-256 hex digest of *data*.

    Parameters
    ----------
    data : bytes-like
        Content to hash.

    Returns
    -------
    str
        64 lowercase hex characters.
    """
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 hex digest of a file's bytes, read in chunks.

    Parameters
    ----------
    path : str or os.PathLike
        File to hash.

    Returns
    -------
    str
        64 lowercase hex characters.
    """
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _canon(value: Any) -> str:
    """Canonical text of one label or cell."""
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar -> Python scalar
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _MISSING if math.isnan(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, _dt.datetime | _dt.date):
        return _iso(value)
    # pandas scalars: Timestamp, Period, NaT, NA, Timedelta
    iso = _pandas_iso(value)
    if iso is not None:
        return iso
    return json.dumps(str(value), ensure_ascii=False)


def _iso(value: _dt.date) -> str:
    """ISO text; a naive midnight datetime is written as a plain date."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None and value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    return value.isoformat()


def _pandas_iso(value: Any) -> str | None:
    import pandas as pd

    if value is pd.NaT or value is pd.NA:
        return _MISSING
    if isinstance(value, pd.Timestamp):
        return _iso(value.to_pydatetime(warn=False)) if value.nanosecond == 0 else value.isoformat()
    if isinstance(value, pd.Period):
        return _iso(value.start_time.to_pydatetime(warn=False))
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    return None


def _canon_values(values: Iterable[Any]) -> list[str]:
    return [_canon(v) for v in values]


def _canon_column(series: pd.Series) -> list[str]:
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_float_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        # fast path; tolist() gives Python floats (NaN for missing), repr round-trips
        floats = series.to_numpy(dtype="float64", na_value=math.nan).tolist()
        return [_MISSING if math.isnan(x) else repr(x) for x in floats]
    return _canon_values(series.astype(object).tolist())


def frame_sha256(df: pd.DataFrame) -> str:
    """Return a SHA-256 of a data frame's labels and values, independent of pandas quirks.

    Parameters
    ----------
    df : pandas.DataFrame
        Frame to hash.

    Returns
    -------
    str
        64 lowercase hex characters.

    Notes
    -----
    The hash is taken over this UTF-8 text, one line per row, tab-separated::

        fiscalcliff-frame-sha256/v1
        <column labels, in order>
        <index label>  <value>  <value> ...

    Dates (``Timestamp``, ``datetime``, ``date``) are ISO strings, written as a plain
    date ``YYYY-MM-DD`` when naive and at midnight; a ``Period`` is the ISO date of its
    start. Floats are ``repr(float)``, which round-trips exactly, so any change to a
    value changes the hash; every missing value (NaN, None, NaT, NA) is ``null``, as
    pandas turns one into another depending on dtype and version. Integers are decimal
    integers (so an int column and a float column of the same numbers differ), strings
    are JSON strings. Row and column order matter; the names of the axes
    (``df.index.name``) do not. Multi-level labels are joined with ``|``.
    """
    import pandas as pd

    def labels(index: pd.Index) -> list[str]:
        if isinstance(index, pd.MultiIndex):
            return ["|".join(_canon_values(t)) for t in index.tolist()]
        return _canon_values(index.astype(object).tolist())

    columns = [_canon_column(df.iloc[:, j]) for j in range(df.shape[1])]
    rows = labels(df.index)
    lines = [_FRAME_FORMAT, "\t".join(labels(df.columns))]
    for i, label in enumerate(rows):
        lines.append("\t".join([label, *(col[i] for col in columns)]))
    return bytes_sha256("\n".join(lines).encode("utf-8"))


def package_version() -> str:
    """Return the installed ``fiscalcliff`` version.

    Returns
    -------
    str
        E.g. ``"0.1.0"``; ``"0.0.0+unknown"`` when running from an uninstalled tree.
    """
    from fiscalcliff._version import __version__

    return __version__


def _attr_value(value: Any) -> str | int | float:
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar -> Python scalar
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        if isinstance(value, set | frozenset):
            value = sorted(value, key=str)
        return json.dumps(value, sort_keys=True, default=_json_default, ensure_ascii=False)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, _dt.datetime | _dt.date):
        return obj.isoformat()
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    if hasattr(obj, "model_dump"):  # pydantic models
        return obj.model_dump(mode="json")
    return str(obj)


#: the reproducible-builds variable: seconds since 1970-01-01 UTC to stamp instead of "now"
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


def created_utc() -> str:
    """The creation time to record: ``$SOURCE_DATE_EPOCH`` if set, else now (UTC).

    Following https://reproducible-builds.org/specs/source-date-epoch/, a run with
    ``SOURCE_DATE_EPOCH`` set (an integer number of seconds since the epoch) stamps that time, so
    the same inputs and seed give byte-identical output files.

    Raises
    ------
    InputError
        If ``SOURCE_DATE_EPOCH`` is set but is not a non-negative integer.
    """
    value = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not value:
        moment = _dt.datetime.now(_dt.UTC)
    else:
        from fiscalcliff.errors import InputError

        if not value.isdigit() or int(value) > 253402300799:  # 9999-12-31T23:59:59Z
            raise InputError(
                f"{SOURCE_DATE_EPOCH}={value!r}: must be a whole number of seconds since "
                "1970-01-01 UTC (e.g. `date +%s`), or unset"
            )
        moment = _dt.datetime.fromtimestamp(int(value), _dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def provenance_attrs(**fields: Any) -> dict[str, str | int | float]:
    """Build the provenance attributes stamped on an output.

    Parameters
    ----------
    **fields
        Anything worth recording, e.g. ``config_sha256=...``, ``data_vintage=...``,
        ``command="fiscalcliff fit ..."``. Dicts, lists, tuples and sets become JSON
        strings (keys sorted); ``None`` becomes ``""``; booleans become ``0``/``1``;
        dates become ISO strings; other objects their ``str``.

    Returns
    -------
    dict
        *fields* plus ``fiscalcliff_version``, ``created_utc`` (ISO 8601 to the second,
        ``YYYY-MM-DDTHH:MM:SSZ``; see :func:`created_utc` for ``SOURCE_DATE_EPOCH``) and
        ``python_version``, with keys sorted. A field passed explicitly takes precedence over
        the automatic one of the same name (e.g. a fixed ``created_utc``).

    Examples
    --------
    >>> attrs = provenance_attrs(lags=2, config={"p": 2})
    >>> attrs["config"], attrs["lags"]
    ('{"p": 2}', 2)
    """
    auto: dict[str, Any] = {
        "fiscalcliff_version": package_version(),
        "created_utc": created_utc(),
        "python_version": platform.python_version(),
    }
    merged = {**auto, **fields}
    return {k: _attr_value(merged[k]) for k in sorted(merged)}
