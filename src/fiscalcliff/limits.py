"""Limits on the size of a run, checked before any work so that a typo fails in milliseconds.

``--draws 99999999999`` or ``horizon: {end: 2100-12}`` would otherwise allocate tens of GiB (and
fail with a MemoryError after minutes), and ``--seed 2**70`` would run to the end and then fail
to write its NetCDF attribute.
"""

from __future__ import annotations

from fiscalcliff.errors import InputError

__all__ = [
    "MAX_DRAWS",
    "MAX_HORIZON_MONTHS",
    "MAX_SEED",
    "MEMORY_BUDGET_BYTES",
    "check_draws",
    "check_horizon_months",
    "check_path_memory",
    "check_seed",
]

#: most posterior draws / paths in one run
MAX_DRAWS = 1_000_000
#: largest seed: NetCDF stores it as a signed 64-bit attribute
MAX_SEED = 2**63 - 1
#: longest forecast horizon, in months after the last month of data (20 years)
MAX_HORIZON_MONTHS = 240
#: memory a run's forecast arrays may take (draws x months x series, with working copies)
MEMORY_BUDGET_BYTES = 8 << 30
#: float64 arrays of size draws x months x series that a scenario run holds at its peak
_WORKING_COPIES = 6


def check_draws(draws: int, what: str = "draws") -> int:
    """Return ``draws`` if it is an integer in ``1..MAX_DRAWS``; else raise InputError."""
    if isinstance(draws, bool) or int(draws) != draws or not 1 <= int(draws) <= MAX_DRAWS:
        raise InputError(f"{what} must be an integer from 1 to {MAX_DRAWS:,} (got {draws})")
    return int(draws)


def check_seed(seed: int, what: str = "seed") -> int:
    """Return ``seed`` if it is an integer in ``0..MAX_SEED``; else raise InputError."""
    if isinstance(seed, bool) or int(seed) != seed or not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"{what} must be an integer from 0 to 2**63 - 1 (got {seed})")
    return int(seed)


def check_horizon_months(months: int, horizon: str, last_data: str) -> None:
    """Refuse a horizon more than :data:`MAX_HORIZON_MONTHS` months after the data end."""
    if months > MAX_HORIZON_MONTHS:
        raise InputError(
            f"horizon {horizon} is {months:,} months after the last month of data ({last_data}); "
            f"at most {MAX_HORIZON_MONTHS} months ({MAX_HORIZON_MONTHS // 12} years) can be "
            "forecast — choose an earlier month"
        )


def check_path_memory(draws: int, months: int, series: int, what: str = "--draws") -> None:
    """Refuse a run whose path arrays would exceed :data:`MEMORY_BUDGET_BYTES`."""
    need = draws * months * series * 8 * _WORKING_COPIES
    if need > MEMORY_BUDGET_BYTES:
        fit = MEMORY_BUDGET_BYTES // (months * series * 8 * _WORKING_COPIES)
        raise InputError(
            f"{draws:,} draws x {months} months x {series} series would need about "
            f"{need / (1 << 30):,.1f} GiB (limit {MEMORY_BUDGET_BYTES >> 30} GiB); lower {what} "
            f"to at most {fit:,} or shorten the horizon"
        )
