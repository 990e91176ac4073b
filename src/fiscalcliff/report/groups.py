"""Find scenario files and group them by the settings that let them share draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fiscalcliff.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from fiscalcliff.scenarios.loader import Scenario


@dataclass(frozen=True)
class ScenarioGroup:
    """Scenarios that run together on shared posterior draws and shocks.

    Attributes
    ----------
    priors : str
        The prior file all of them use (resolved path).
    as_of : str or None
        Last month of data (``YYYY-MM``), or None for all data.
    horizon_end : str
        Last forecast month.
    scenarios : tuple of Scenario
        The baseline first, then the others in file-name order.
    baseline : str
        Name of the baseline scenario.
    """

    priors: str
    as_of: str | None
    horizon_end: str
    scenarios: tuple[Scenario, ...]
    baseline: str

    @property
    def names(self) -> list[str]:
        """Scenario names, baseline first."""
        return [s.name for s in self.scenarios]


def find_scenario_files(inputs: Sequence[str | Path]) -> list[Path]:
    """Scenario files named on the command line: files as given, directories' ``*.yaml``.

    Parameters
    ----------
    inputs : sequence of str or Path
        Files and directories.

    Returns
    -------
    list of Path
        Each file once, directories expanded in file-name order.

    Raises
    ------
    InputError
        A path does not exist, or no scenario file was found.
    """
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                raise InputError(f"{path}: no scenario files (*.yaml) in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such scenario file or directory")
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    if not unique:
        raise InputError("no scenario files given")
    return list(unique.values())


def choose_baseline(names: Sequence[str]) -> str:
    """The scenario named ``baseline``, else the first whose name starts with ``baseline``.

    A group without such a scenario uses its first scenario as the reference.
    """
    if "baseline" in names:
        return "baseline"
    for name in names:
        if name.startswith("baseline"):
            return name
    return names[0]


def group_scenarios(scenarios: Sequence[Scenario]) -> list[ScenarioGroup]:
    """Group scenarios by prior file, ``as_of`` and horizon end.

    Groups using all the data come first, then backtests in ``as_of`` order. Within a group the
    baseline (see :func:`choose_baseline`) comes first, then the others in the order given.

    Parameters
    ----------
    scenarios : sequence of Scenario

    Returns
    -------
    list of ScenarioGroup

    Raises
    ------
    InputError
        Two scenarios share a name.
    """
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario names must be distinct; repeated: {', '.join(dupes)}")
    buckets: dict[tuple[str, str | None, str], list[Scenario]] = {}
    for s in scenarios:
        key = (str(s.priors_path), s.spec.as_of, s.spec.horizon.end)
        buckets.setdefault(key, []).append(s)
    groups = []
    for (priors, as_of, end), members in buckets.items():
        base = choose_baseline([s.name for s in members])
        ordered = sorted(members, key=lambda s: s.name != base)  # stable: baseline first
        groups.append(
            ScenarioGroup(
                priors=priors,
                as_of=as_of,
                horizon_end=end,
                scenarios=tuple(ordered),
                baseline=base,
            )
        )
    groups.sort(key=lambda g: (g.as_of is not None, g.as_of or "", g.horizon_end))
    return groups
