"""A content hash of a monthly panel that is stable across runs, machines and library versions."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

_HEADER = "fiscalcliff-panel-v1"


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 hex digest of a canonical text serialisation of a monthly panel.

    The text is a version line, ``date,<columns>`` and one line per month, ``YYYY-MM`` then each
    value as the shortest decimal that reads back exactly (``repr`` of the float64; ``-0.0`` is
    written as ``0.0``). It depends only on column names and order, months and values.

    Parameters
    ----------
    frame
        Month-start ``DatetimeIndex``, float columns.

    Returns
    -------
    str
        64 hex characters.
    """
    months = pd.DatetimeIndex(frame.index).strftime("%Y-%m")
    values = frame.to_numpy(dtype=np.float64) + 0.0  # turns -0.0 into 0.0
    lines = [_HEADER, ",".join(["date", *map(str, frame.columns)])]
    for month, row in zip(months, values.tolist(), strict=True):
        lines.append(month + "," + ",".join(map(repr, row)))
    digest = hashlib.sha256()
    digest.update("\n".join(lines).encode("utf-8"))
    return digest.hexdigest()
