"""Read scenario files: ``extends`` chains, validation with file and line, resolved paths."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from fiscalcliff.errors import ConfigError
from fiscalcliff.scenarios.spec import ScenarioSpec

#: sections merged key by key when a scenario extends another; everything else is replaced
_MERGED_SECTIONS = ("exogenous", "conditions", "shock_paths", "events", "horizon", "policy")


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
    shocks: Any = None  # the short name of adjusting_shocks
    shock_paths: Any = None
    events: Any = None
    policy: Any = None
    sources: Any = None


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


def _display(path: Path) -> Path:
    """A path as short as possible for messages: relative to the working directory if inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _short_names(
    data: dict[str, Any], lines: dict[Any, int], shown: Path
) -> tuple[dict[str, Any], dict[Any, int]]:
    """``shocks:`` read as ``adjusting_shocks:`` (its short name), line numbers carried over."""
    if "shocks" not in data:
        return data, lines
    if "adjusting_shocks" in data:
        line = lines.get(("shocks",), 1)
        raise ConfigError(
            f"{shown}:{line}: shocks: 'shocks' is the short name of 'adjusting_shocks', and "
            "this file sets both; keep one"
        )
    renamed = {("adjusting_shocks" if k == "shocks" else k): v for k, v in data.items()}
    moved = {
        (("adjusting_shocks", *loc[1:]) if loc[:1] == ("shocks",) else loc): n
        for loc, n in lines.items()
    }
    return renamed, moved


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], list[str], ScenarioSpec]:
    """Merged raw mapping, file hashes along the chain, and the validated spec of ``path``.

    Every file of an ``extends`` chain is validated after merging with its base, against its own
    line numbers, so a problem is reported in the file that introduces it. ``priors`` is made
    absolute, resolved against the file that sets it (or its default, against the root file).
    """
    from fiscalcliff.provenance import file_sha256
    from fiscalcliff.yamlconfig import read_yaml, validate

    path = path.resolve()
    shown = _display(path)
    if path in seen:
        chain = " -> ".join(str(_display(p)) for p in (*seen, path))
        raise ConfigError(f"{shown}: 'extends' forms a cycle: {chain}")
    data, lines = read_yaml(shown)
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}:1: a scenario file must be a mapping of keys to values")
    validate(_Override, data, path=shown, lines=lines)  # unknown keys, with their lines
    short = "shocks" in data
    data, lines = _short_names(data, lines, shown)
    if "adjusting_shocks" in data:  # how this file spells the key that sets them
        data["shocks_key"] = "shocks" if short else "adjusting_shocks"
    hashes = [file_sha256(path)]
    base_ref = data.get("extends")
    if base_ref is None:
        merged = dict(data)
    else:
        base_path = (path.parent / str(base_ref)).resolve()
        if not base_path.is_file():
            line = lines.get(("extends",), 1)
            raise ConfigError(f"{shown}:{line}: extends: no such file {_display(base_path)}")
        base, base_hashes, _ = _resolve(base_path, (*seen, path))
        hashes = base_hashes + hashes
        merged = _merge(base, data)
    if "priors" in data or base_ref is None:
        default = ScenarioSpec.model_fields["priors"].default
        merged["priors"] = str((path.parent / str(data.get("priors", default))).resolve())
    shown_keys = {"adjusting_shocks": "shocks"} if short else None
    spec = validate(ScenarioSpec, merged, path=shown, lines=lines, shown_keys=shown_keys)
    return merged, hashes, spec


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
    from fiscalcliff.safe_read import CONFIG_FILE_LIMIT, read_text
    from fiscalcliff.yamlconfig import read_yaml

    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such scenario file")
    # a regular file of a sane size, read once: its text goes into the Scenario
    text = read_text(path, limit=CONFIG_FILE_LIMIT, error=ConfigError, what="scenario file")
    _, hashes, spec = _resolve(path, ())
    priors_path = Path(spec.priors)
    if not priors_path.is_file():
        _, lines = read_yaml(path)
        line = lines.get(("priors",), 1)
        raise ConfigError(f"{path}:{line}: priors: no such prior file {_display(priors_path)}")
    return Scenario(
        spec=spec,
        path=path.resolve(),
        priors_path=priors_path,
        sha256=bytes_sha256("\n".join(hashes).encode()),
        text=text,
    )


def load_scenarios(
    paths: Iterable[str | Path], *, priors: str | Path | None = None
) -> list[Scenario]:
    """Load several scenario files, reporting every file's problems in one error.

    Parameters
    ----------
    paths : iterable of str or Path
        Scenario files.
    priors : str or Path, optional
        A prior file to use instead of each scenario's own ``priors:`` (the command line's
        ``--priors``): e.g. the shipped scenarios under another model. The scenarios' hashes
        are unchanged; runs record the prior file actually used.

    Raises
    ------
    fiscalcliff.errors.ConfigError
        With the problems of every file that failed, file by file, or naming ``--priors``
        when that file does not exist.
    """
    if priors is not None and not Path(priors).is_file():
        raise ConfigError(f"--priors: no such prior file {priors}")
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_scenario(path))
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    if priors is not None:
        import dataclasses

        loaded = [dataclasses.replace(s, priors_path=Path(priors).resolve()) for s in loaded]
    return loaded
