"""Read scenario files: ``extends`` chains, validation with file and line, resolved paths."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from fiscalcliff.errors import ConfigError
from fiscalcliff.scenarios.spec import ScenarioSpec

#: sections merged key by key when a scenario extends another; everything else is replaced
_MERGED_SECTIONS = ("exogenous", "conditions", "events", "horizon")


class _Override(BaseModel):
    """Keys a file that ``extends`` another may set (all optional; unknown keys rejected)."""

    model_config = ConfigDict(extra="forbid")

    name: Any = None
    description: Any = None
    extends: Any = None
    priors: Any = None
    as_of: Any = None
    horizon: Any = None
    draws: Any = None
    seed: Any = None
    exogenous: Any = None
    conditions: Any = None
    adjusting_shocks: Any = None
    events: Any = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario and where it came from. Read one with :meth:`from_yaml`.

    Attributes
    ----------
    spec : ScenarioSpec
        Validated settings after applying ``extends``.
    path : Path
        The file it was read from.
    priors_path : Path
        The prior file, resolved relative to the scenario file.
    sha256 : str
        Hash of the file and every file it extends (in order).
    text : str
        The file's own text (for reports).
    """

    spec: ScenarioSpec
    path: Path
    priors_path: Path
    sha256: str
    text: str

    @property
    def name(self) -> str:
        """Scenario name."""
        return self.spec.name

    @classmethod
    def from_yaml(cls, path: str | Path) -> Scenario:
        """Read a scenario file; see :func:`load_scenario`."""
        return load_scenario(path)


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    out.pop("name", None)  # a child must name itself
    for key, value in child.items():
        if key == "extends":
            continue
        if key in _MERGED_SECTIONS and isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = dict(out[key])
            for sub, sub_value in value.items():
                if sub_value is None:
                    merged.pop(sub, None)  # "name: null" removes an inherited entry
                else:
                    merged[sub] = sub_value
            out[key] = merged
        else:
            out[key] = value
    return out


def _resolve_raw(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], list[str], Path]:
    """Raw merged mapping, file hashes along the chain, and the directory priors resolve from."""
    from fiscalcliff.provenance import file_sha256
    from fiscalcliff.yamlconfig import read_yaml, validate

    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ConfigError(f"{path}: 'extends' forms a cycle: {chain}")
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a scenario file must be a mapping of keys to values")
    validate(_Override, data, path=path, lines=lines)  # unknown keys, with their lines
    hashes = [file_sha256(path)]
    base_ref = data.get("extends")
    if base_ref is None:
        # a file that extends nothing must be a complete scenario: check it with its own lines
        validate(ScenarioSpec, data, path=path, lines=lines)
        return data, hashes, path.parent
    base_path = (path.parent / str(base_ref)).resolve()
    if not base_path.is_file():
        line = lines.get(("extends",), 1)
        raise ConfigError(f"{path}:{line}: extends: no such file {base_path}")
    base, base_hashes, _ = _resolve_raw(base_path, (*seen, path))
    base_dir = base_path.parent
    if "priors" in base and "priors" not in data:
        # keep the base's prior file resolved against the base's own directory
        base = {**base, "priors": str((base_dir / str(base["priors"])).resolve())}
    return _merge(base, data), base_hashes + hashes, path.parent


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Scenario

    Raises
    ------
    fiscalcliff.errors.ConfigError
        Every problem at once, with file and line; unknown keys with the closest valid key.
    """
    from fiscalcliff.provenance import bytes_sha256
    from fiscalcliff.yamlconfig import read_yaml, validate

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such scenario file")
    merged, hashes, directory = _resolve_raw(path, ())
    _, lines = read_yaml(path)
    spec = validate(ScenarioSpec, merged, path=path, lines=lines)
    priors_path = (directory / spec.priors).resolve()
    if not priors_path.is_file():
        line = lines.get(("priors",), 1)
        raise ConfigError(f"{path}:{line}: priors: no such prior file {priors_path}")
    return Scenario(
        spec=spec,
        path=path.resolve(),
        priors_path=priors_path,
        sha256=bytes_sha256("\n".join(hashes).encode()),
        text=path.read_text(),
    )
