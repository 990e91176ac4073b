"""Choose the data source from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from fiscalcliff.data.raw import Source

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.data.cache import CachedSource

#: environment variable naming an offline directory of ``<ID>.csv`` files
DATA_DIR_ENV = "FISCALCLIFF_DATA_DIR"
#: environment variable holding a FRED API key (optional)
FRED_API_KEY_ENV = "FRED_API_KEY"


def default_cache_dir() -> Path:
    """Directory where downloaded FRED series are cached (``<user cache>/fiscalcliff/fred``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fiscalcliff")) / "fred"


def default_source() -> Source:
    """Return the source selected by the environment.

    If ``FISCALCLIFF_DATA_DIR`` is set (and not empty), an
    :class:`~fiscalcliff.data.OfflineDirectorySource` reading that directory; otherwise FRED
    (with ``FRED_API_KEY`` if set) behind a :class:`~fiscalcliff.data.CachedSource` in
    :func:`default_cache_dir`.

    Raises
    ------
    DataError
        If ``FISCALCLIFF_DATA_DIR`` names a directory that does not exist.
    """
    from fiscalcliff.data.offline import OfflineDirectorySource

    data_dir = os.environ.get(DATA_DIR_ENV, "").strip()
    if data_dir:
        return OfflineDirectorySource(data_dir)
    return fred_cache_source()


def fred_cache_source() -> CachedSource:
    """Live FRED (with ``FRED_API_KEY`` if set) behind the cache in :func:`default_cache_dir`."""
    from fiscalcliff.data.cache import CachedSource
    from fiscalcliff.data.fred import FredSource

    api_key = os.environ.get(FRED_API_KEY_ENV, "").strip() or None
    return CachedSource(FredSource(api_key=api_key), cache_dir=default_cache_dir())
