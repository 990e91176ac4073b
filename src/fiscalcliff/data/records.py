"""Provenance record of one series in a panel."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeriesRecord:
    """Where a panel column came from and what was done to it.

    Attributes
    ----------
    name
        Catalogue name (the panel column).
    source_ids
        Source series ids it is built from, e.g. ``("WALCL",)`` or ``("TREAST", "WSHOMCB")``.
    origin
        Where the raw data came from: ``"offline:<file>"``, ``"fred:<url>"``,
        ``"cache:<file> (fetched <time> from <url>)"``, or ``"derived (...)"`` for formulas.
    units
        Units of the column, e.g. ``"$bn"`` or ``"percent"``.
    first, last
        First and last month (``"YYYY-MM"``) with a value computed from data, before trimming
        to the panel's sample; months filled by a rule (``zero_before``, ``backfill_before``)
        are not counted, see `notes`.
    description
        One line from the catalogue.
    transform
        Human-readable steps, e.g. ``"monthly values as published, x -0.001, 12-month sum"``.
    notes
        Facts worth knowing (fills, interpolations, incomplete months left out, ...).
    """

    name: str
    source_ids: tuple[str, ...]
    origin: str
    units: str
    first: str
    last: str
    description: str
    transform: str
    notes: tuple[str, ...] = ()
