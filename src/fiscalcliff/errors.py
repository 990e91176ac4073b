"""Exception hierarchy. Every error a user can cause maps to one exit code in the CLI.

Exit codes
----------
0  success
1  internal error (a bug: please report it)
2  bad input: configuration, scenario or prior file, command-line argument, data content
3  a data source could not be reached and no cached copy exists
"""

from __future__ import annotations


class FiscalCliffError(Exception):
    """Base class for errors that the CLI reports as one clear message."""

    exit_code: int = 1


class InputError(FiscalCliffError):
    """The user's input (file, argument, setting) is invalid."""

    exit_code = 2


class ConfigError(InputError):
    """A YAML configuration file failed validation; the message lists every problem."""


class DataError(InputError):
    """Data content is unusable: unknown series, missing file, bad cells, gaps, stale series."""


class SourceUnavailableError(FiscalCliffError):
    """A remote data source could not be reached and no cached copy exists."""

    exit_code = 3
