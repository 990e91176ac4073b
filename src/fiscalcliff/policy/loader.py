"""Read and check the announcement files of a policy directory.

A policy directory holds YAML files named by what they contain:

* ``fed-*.yaml`` (e.g. the shipped ``fed-balance-sheet.yaml``): lists of :class:`FedDecision`;
* ``treasury-*.yaml`` (e.g. ``treasury-cash-balance.yaml``): lists of
  :class:`CashBalanceAssumption`.

Files are read in name order (hidden files are skipped), so entries added in a user's
``fed-my-notes.yaml`` come after the shipped ones (that order breaks ties between entries
announced on the same day). Every problem in every file is reported at once, each as
``file:line: location: message``.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscalcliff.errors import ConfigError, InputError
from fiscalcliff.policy.schema import CashBalanceAssumption, FedDecision, FedFile, TreasuryFile
from fiscalcliff.yamlconfig import LineMap, line_of, read_yaml, validate

__all__ = ["DEFAULT_POLICY_DIR", "POLICY_DIR_ENV", "Policy", "PolicyFile", "load_policy"]

#: environment variable naming the policy directory to use instead of the repository's
POLICY_DIR_ENV = "FISCALCLIFF_POLICY_DIR"
#: the shipped announcement files, relative to the repository root
DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[3] / "policy"
_PREFIXES = {"fed-": "fed", "treasury-": "treasury"}


@dataclass(frozen=True)
class PolicyFile:
    """One file that was read: its path, what it holds, how many entries, its SHA-256."""

    path: Path
    kind: str
    entries: int
    sha256: str


@dataclass(frozen=True)
class Policy:
    """Validated announcements, in file order (files sorted by name).

    Attributes
    ----------
    fed : tuple of FedDecision
        Fed balance-sheet decisions.
    treasury : tuple of CashBalanceAssumption
        Treasury end-of-quarter cash-balance assumptions.
    directory : pathlib.Path or None
        The directory they were read from.
    files : tuple of PolicyFile
        The files read (with digests, for provenance).
    as_of : str or None
        ``YYYY-MM`` if the entries were filtered to those announced by that month
        (:func:`fiscalcliff.policy.announced_by`), else ``None``.
    """

    fed: tuple[FedDecision, ...]
    treasury: tuple[CashBalanceAssumption, ...]
    directory: Path | None = None
    files: tuple[PolicyFile, ...] = field(default=())
    as_of: str | None = None

    def summary(self) -> str:
        """One line: how many entries of each kind, and their announcement dates."""

        def span(entries: Sequence[Any]) -> str:
            if not entries:
                return "none"
            dates = sorted(e.announced for e in entries)
            return f"{len(entries)} ({dates[0]} to {dates[-1]})"

        return f"Fed decisions {span(self.fed)}; Treasury cash assumptions {span(self.treasury)}"


def default_policy_dir() -> Path:
    """``$FISCALCLIFF_POLICY_DIR`` if set (and not empty), else the repository's ``policy/``."""
    env = os.environ.get(POLICY_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_POLICY_DIR


def _file_kind(path: Path) -> str | None:
    return next((kind for prefix, kind in _PREFIXES.items() if path.name.startswith(prefix)), None)


def load_policy(directory: str | os.PathLike[str] | None = None) -> Policy:
    """Read, validate and cross-check every announcement file in a policy directory.

    Parameters
    ----------
    directory : str or path-like, optional
        The directory. Default: ``$FISCALCLIFF_POLICY_DIR`` if set, else ``policy/`` of the
        repository (found next to an editable install, like ``priors/minnesota.yaml``).

    Returns
    -------
    Policy
        All entries, files in name order, entries in file order.

    Raises
    ------
    InputError
        If the directory is missing or holds no ``fed-*.yaml`` / ``treasury-*.yaml`` file, or
        holds another ``.yaml``/``.yml`` file (its content would be ignored silently).
    ConfigError
        If any file is not valid YAML or any entry fails the schema; or a Fed ``id`` or a
        Treasury (``announced``, ``quarter``) pair occurs twice (within a file or across
        files). The message lists every problem of every file, each with file and line.
    """
    if directory is None:
        path = default_policy_dir()
        if not path.is_dir():
            where = (
                f"${POLICY_DIR_ENV}={os.environ[POLICY_DIR_ENV]}"
                if os.environ.get(POLICY_DIR_ENV, "").strip()
                else "policy/ of the repository, next to an editable install"
            )
            raise InputError(
                f"the announced-policy files are missing: {path} ({where}) is not a directory; "
                f"pass a policy directory (--policy-dir DIR) or set ${POLICY_DIR_ENV}"
            )
    else:
        path = Path(directory).expanduser()
        if not path.is_dir():
            what = "is not a directory" if path.exists() else "does not exist"
            raise InputError(f"policy directory {path} {what}")

    candidates = sorted(
        p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")
    )
    stray = [p.name for p in candidates if _file_kind(p) is None]
    if stray:
        raise InputError(
            f"policy directory {path}: cannot tell what {', '.join(stray)} holds; name files "
            "fed-*.yaml (Fed decisions) or treasury-*.yaml (Treasury cash-balance assumptions)"
        )
    if not candidates:
        raise InputError(
            f"policy directory {path} holds no fed-*.yaml or treasury-*.yaml announcement file"
        )
    # parsed once per process while no file changes (name, size and modification time)
    stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in candidates)
    return _read_policy(path.resolve(), stamp)


@functools.lru_cache(maxsize=8)
def _read_policy(path: Path, stamp: tuple) -> Policy:
    """Parse and cross-check the files ``stamp`` lists in ``path`` (cached: same stamp, same
    immutable result)."""
    candidates = [path / name for name, *_ in stamp]
    fed: list[tuple[FedDecision, Path, LineMap, int]] = []
    treasury: list[tuple[CashBalanceAssumption, Path, LineMap, int]] = []
    files: list[PolicyFile] = []
    reports: list[str] = []
    for file in candidates:
        kind = _file_kind(file)
        try:
            data, lines = read_yaml(file)
            model = FedFile if kind == "fed" else TreasuryFile
            entries = validate(model, [] if data is None else data, path=file, lines=lines).root
        except ConfigError as exc:
            reports.append(str(exc))
            continue
        target = fed if kind == "fed" else treasury
        target.extend((e, file, lines, i) for i, e in enumerate(entries))
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        files.append(PolicyFile(file, kind, len(entries), digest))

    duplicates = _duplicates(
        [(e.id, f, ln, i, "id") for e, f, ln, i in fed], lambda key: f"duplicate id '{key}'"
    ) + _duplicates(
        [((e.announced.isoformat(), e.quarter), f, ln, i, "quarter") for e, f, ln, i in treasury],
        lambda key: f"a second assumption for {key[1]} from the release of {key[0]}",
    )
    if duplicates:
        reports.append("\n".join([f"{path}: {len(duplicates)} problem(s) found", *duplicates]))
    if reports:
        raise ConfigError("\n".join(reports))
    return Policy(
        fed=tuple(e for e, *_ in fed),
        treasury=tuple(e for e, *_ in treasury),
        directory=path.resolve(),
        files=tuple(files),
    )


def _duplicates(keyed, message) -> list[str]:
    """``file:line: [i].field: message (first at file:line)`` for every repeated key."""
    first: dict[Any, str] = {}
    problems = []
    for key, file, lines, i, fieldname in keyed:
        where = f"{file}:{line_of(lines, (i, fieldname))}"
        if key in first:
            problems.append(f"{where}: [{i}].{fieldname}: {message(key)} (first at {first[key]})")
        else:
            first[key] = where
    return problems
