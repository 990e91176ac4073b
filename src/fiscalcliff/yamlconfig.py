"""Load YAML files into pydantic models, with errors a person can act on.

Every problem in a file is reported at once, each on its own line and pointing at
the line of the file where it occurs::

    scenario.yaml: 2 problem(s) found
    scenario.yaml:4: prior.lamda: unknown key 'lamda' (did you mean 'lambda'?)
    scenario.yaml:7: shocks[1]: missing required key 'size'

The parser is PyYAML's safe loader with three changes:

* the line of every mapping key and sequence item is recorded in a :data:`LineMap`;
* a key repeated in one mapping is an error (PyYAML silently keeps the last one);
* dates and timestamps stay strings (``2026-02-01`` is ``"2026-02-01"``, not a
  :class:`datetime.date`), so models receive what the user wrote.

Reading is bounded: only regular files of at most
:data:`~fiscalcliff.safe_read.CONFIG_FILE_LIMIT` bytes are read, a document may expand (through
``&anchor``/``*alias``) to at most :data:`MAX_NODES` nodes (a "billion laughs" file is refused,
not expanded), and only the plain YAML types are accepted (``!!binary``, ``!!set``, ``!!python/…``
and other explicit tags are refused with their line).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import AliasChoices, AliasPath, BaseModel, RootModel, ValidationError

from fiscalcliff.errors import ConfigError

__all__ = [
    "MAX_NODES",
    "LineMap",
    "Location",
    "line_of",
    "load_yaml_model",
    "read_yaml",
    "suggest",
    "validate",
]

#: Path to a value in parsed YAML: mapping keys and sequence indices, outermost first.
Location = tuple[Any, ...]
#: 1-based line of every mapping key and sequence item, by :data:`Location`.
#: The empty location ``()`` holds the line where the document starts.
LineMap = dict[Location, int]


_MERGE_TAG = "tag:yaml.org,2002:merge"
#: the tags a configuration file may use: plain scalars, mappings, sequences and merge keys
_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)
#: most nodes a document may expand to, aliases followed (real prior files have a few hundred)
MAX_NODES = 100_000
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MAX_INPUT_REPR = 60


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe loader whose timestamps come back as ISO strings."""


def _construct_timestamp_as_str(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    value = loader.construct_yaml_timestamp(node)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    return str(value)  # pragma: no cover - PyYAML always returns a date or datetime


_Loader.add_constructor(_TIMESTAMP_TAG, _construct_timestamp_as_str)

#: libyaml's parser (about 10x faster) when PyYAML was built with it; same nodes and marks
_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """:class:`_Loader` on libyaml's parser."""

    _FastLoader.add_constructor(_TIMESTAMP_TAG, _construct_timestamp_as_str)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _fmt_key(key: Any) -> str:
    return repr(key) if isinstance(key, str) else repr(str(key))


class _Walker:
    """Walk a composed YAML node tree, recording lines and duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: LineMap = {}
        self.duplicates: list[tuple[int, str]] = []
        self._seen_duplicates: set[tuple[int, int]] = set()
        self._stack: set[int] = set()
        self.visited = 0

    def _key(self, node: yaml.Node) -> tuple[bool, Any]:
        """Return ``(ok, key)``; only scalar keys can be tracked."""
        if not isinstance(node, yaml.ScalarNode):
            return False, None
        key = self.loader.construct_object(node, deep=True)
        try:
            hash(key)
        except TypeError:  # pragma: no cover - scalars are always hashable
            return False, None
        return True, key

    def walk(self, node: yaml.Node | None, path: Location, *, only_new: bool = False) -> None:
        if node is None or id(node) in self._stack:  # empty document or recursive alias
            return
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _TooLarge(_line(node))
        if node.tag not in _ALLOWED_TAGS:
            raise _BadTag(_line(node), node.tag)
        self._stack.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                self._walk_mapping(node, path, only_new=only_new)
            elif isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    self._record((*path, i), _line(item), only_new)
                    self.walk(item, (*path, i), only_new=only_new)
        finally:
            self._stack.discard(id(node))

    def _record(self, path: Location, line: int, only_new: bool) -> None:
        if only_new:
            self.lines.setdefault(path, line)
        else:
            self.lines[path] = line

    def _walk_mapping(self, node: yaml.MappingNode, path: Location, *, only_new: bool) -> None:
        first_line: dict[Any, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            ok, key = self._key(key_node)
            if not ok:
                continue
            line = _line(key_node)
            if key in first_line:
                marker = (id(node), line)
                if marker not in self._seen_duplicates:
                    self._seen_duplicates.add(marker)
                    self.duplicates.append(
                        (
                            line,
                            f"duplicate key {_fmt_key(key)} "
                            f"(first on line {first_line[key]}, again on line {line})",
                        )
                    )
                continue
            first_line[key] = line
            self._record((*path, key), line, only_new)
            self.walk(value_node, (*path, key), only_new=only_new)
        # Merged keys (``<<: *anchor``) never override explicit ones, and earlier
        # merged mappings take precedence over later ones.
        explicit = set(first_line)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    continue  # the constructor reports this as an error
                for key_node, value_node in source.value:
                    ok, key = self._key(key_node)
                    if not ok or key in explicit or (*path, key) in self.lines:
                        continue
                    self._record((*path, key), _line(key_node), True)
                    self.walk(value_node, (*path, key), only_new=True)


class _TooLarge(Exception):
    """The document expands to more than :data:`MAX_NODES` nodes."""

    def __init__(self, line: int) -> None:
        self.line = line


class _BadTag(Exception):
    """A node carries a tag other than the plain YAML types."""

    def __init__(self, line: int, tag: str) -> None:
        self.line, self.tag = line, tag


def _syntax_error(path: Path | str, exc: yaml.YAMLError) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        msg = f"{path}:{mark.line + 1}:{mark.column + 1}: {problem}"
        if context:
            where = f" (line {context_mark.line + 1})" if context_mark is not None else ""
            msg += f" ({context}{where})"
        return ConfigError(msg)
    if isinstance(exc, yaml.reader.ReaderError):
        return ConfigError(f"{path}: {exc.reason} at character {exc.position}")
    return ConfigError(f"{path}: invalid YAML: {exc}")


def _compose(path: Path, text: str) -> tuple[yaml.SafeLoader, yaml.Node | None]:
    """A loader and the document's node tree: by libyaml when it parses the text cleanly,
    else by the pure-Python parser, whose messages (and refusal of control characters) are the
    ones reported."""
    if _FastLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        fast = _FastLoader(text)
        try:
            return fast, fast.get_single_node()
        except yaml.YAMLError:
            fast.dispose()
    try:
        loader = _Loader(text)  # the reader refuses NUL and other control characters here
        return loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None


def read_yaml(path: str | Path) -> tuple[Any, LineMap]:
    """Parse a YAML file safely and record the line of every key and item.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.

    Returns
    -------
    data : Any
        The parsed document (``None`` for an empty file). Dates and timestamps are
        ISO strings.
    lines : LineMap
        1-based line of every mapping key and sequence item, keyed by location
        (a tuple of keys and indices); ``()`` maps to the first line of the document.

    Raises
    ------
    ConfigError
        If the file cannot be read or is not a regular file of at most 1 MiB, is not valid
        YAML, expands to more than :data:`MAX_NODES` values, uses a non-plain tag (the message is
        ``"file:line:col: problem"``), holds more than one document, or repeats a
        key within one mapping (every repeat is listed with both lines).
    """
    from fiscalcliff.safe_read import CONFIG_FILE_LIMIT, read_text

    path = Path(path)
    text = read_text(path, limit=CONFIG_FILE_LIMIT, error=ConfigError, what="YAML file")

    loader, node = _compose(path, text)
    try:
        try:
            walker = _Walker(loader)
            try:
                walker.walk(node, ())
            except _TooLarge as exc:
                raise ConfigError(
                    f"{path}:{exc.line}: the document expands to more than {MAX_NODES:,} values "
                    "through its &anchors and *aliases; write the values out or use fewer aliases"
                ) from None
            except _BadTag as exc:
                short = exc.tag.removeprefix("tag:yaml.org,2002:")
                raise ConfigError(
                    f"{path}:{exc.line}: tag '!!{short}' is not allowed; use plain YAML values "
                    "(text, numbers, true/false, null, lists and mappings)"
                    if exc.tag.startswith("tag:yaml.org,2002:")
                    else f"{path}:{exc.line}: tag '{exc.tag}' is not allowed; use plain YAML "
                    "values (text, numbers, true/false, null, lists and mappings)"
                ) from None
            if walker.duplicates:
                problems = [f"{path}:{line}: {msg}" for line, msg in sorted(walker.duplicates)]
                raise ConfigError(_report(path, problems))
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None

    walker.lines[()] = _line(node) if node is not None else 1
    return data, walker.lines


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to *name*, or ``None`` if none is close.

    Parameters
    ----------
    name : str
        What the user wrote, e.g. ``"lamda"``.
    candidates : iterable of str
        Valid names, e.g. a model's field names and aliases.

    Returns
    -------
    str or None
        The best match according to :func:`difflib.get_close_matches`
        (cutoff 0.6); a case-insensitive exact match wins.

    Examples
    --------
    >>> suggest("lamda", ["lambda", "mu"])
    'lambda'
    >>> suggest("zzz", ["lambda", "mu"]) is None
    True
    """
    pool = [c for c in dict.fromkeys(candidates) if isinstance(c, str)]
    folded = {c.casefold(): c for c in pool}
    if name.casefold() in folded:
        return folded[name.casefold()]
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def line_of(lines: Mapping[Location, int], loc: Sequence[Any]) -> int | None:
    """Return the line of the deepest prefix of *loc* found in *lines*.

    Parameters
    ----------
    lines : LineMap
        As returned by :func:`read_yaml`.
    loc : sequence
        A location (keys and indices, outermost first).

    Returns
    -------
    int or None
        1-based line, or ``None`` if not even the document start is known.
    """
    loc = tuple(loc)
    for n in range(len(loc), -1, -1):
        line = lines.get(loc[:n])
        if line is not None:
            return line
    return None


def _format_loc(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _data_path(data: Any, loc: Sequence[Any]) -> Location:
    """Keep the parts of a pydantic location that exist in *data*.

    Pydantic inserts union-member names and validator tags (``'int'``,
    ``'function-after[...]'``) into locations; they are not in the data and are dropped.
    """
    path: list[Any] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and _has_key(current, part):
            current = current[part]
            path.append(part)
        elif (
            isinstance(current, list)
            and isinstance(part, int)
            and not isinstance(part, bool)
            and -len(current) <= part < len(current)
        ):
            current = current[part]
            path.append(part)
    return tuple(path)


def _has_key(d: dict[Any, Any], key: Any) -> bool:
    try:
        return key in d
    except TypeError:  # pragma: no cover - unhashable location part
        return False


# -- finding the model class at a location ----------------------------------


def _flatten(tp: Any) -> list[Any]:
    """Expand Annotated, Optional and Union into their member types."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _flatten(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in get_args(tp):
            out.extend(_flatten(arg))
        return out
    if isinstance(tp, typing.TypeAliasType):
        return _flatten(tp.__value__)
    if tp is type(None):
        return []
    return [tp]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_keys(model: type[BaseModel]) -> dict[str, Any]:
    """Map every spelling of every field (name and aliases) to its annotation."""
    keys: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        for key in (*_alias_strings(info.validation_alias), *_alias_strings(info.alias), name):
            keys.setdefault(key, info.annotation)
    return keys


def _alias_strings(alias: Any) -> list[str]:
    """Top-level keys named by an alias, ``AliasChoices`` or ``AliasPath``."""
    if isinstance(alias, str):
        return [alias]
    if isinstance(alias, AliasPath):
        return [alias.path[0]] if alias.path and isinstance(alias.path[0], str) else []
    if isinstance(alias, AliasChoices):
        return [k for choice in alias.choices for k in _alias_strings(choice)]
    return []


def _accepted_keys(model: type[BaseModel]) -> list[list[str]]:
    """For each field, the keys that validation accepts, the preferred spelling first."""
    config = model.model_config
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    by_alias = config.get("validate_by_alias", True) is not False
    out: list[list[str]] = []
    for name, info in model.model_fields.items():
        aliases = _alias_strings(info.validation_alias) or _alias_strings(info.alias)
        keys = aliases if by_alias else []
        if not keys or by_name:
            keys = [*keys, name]
        out.append(list(dict.fromkeys(keys)))
    return out


def _step(tp: Any, part: Any) -> list[Any]:
    """Types reached from *tp* by following location *part* (empty if none)."""
    if _is_model(tp) and issubclass(tp, RootModel):  # e.g. a file that is a list of entries
        root = _flatten(tp.model_fields["root"].annotation)
        return [t for inner in root for t in _step(inner, part)]
    if _is_model(tp):
        annotation = _field_keys(tp).get(part) if isinstance(part, str) else None
        return [] if annotation is None else _flatten(annotation)
    origin = get_origin(tp) or tp
    args = get_args(tp)
    if not isinstance(origin, type):
        return []
    if issubclass(origin, Mapping):
        return _flatten(args[1]) if len(args) == 2 else []
    if issubclass(origin, tuple) and isinstance(part, int):
        if len(args) == 2 and args[1] is Ellipsis:
            return _flatten(args[0])
        return _flatten(args[part]) if -len(args) <= part < len(args) else []
    if issubclass(origin, Sequence | set | frozenset) and not issubclass(origin, str | bytes):
        if isinstance(part, int) and args:
            return _flatten(args[0])
    return []


def _has_literal_tag(model: type[BaseModel], tag: Any) -> bool:
    for info in model.model_fields.values():
        for tp in _flatten(info.annotation):
            if get_origin(tp) is Literal and tag in get_args(tp):
                return True
    return False


def _models_at(model_cls: type[BaseModel], loc: Sequence[Any]) -> list[type[BaseModel]]:
    """The model class(es) that validate the mapping at pydantic location *loc*."""
    candidates: list[Any] = [model_cls]
    for part in loc:
        named = [c for c in candidates if getattr(c, "__name__", None) == part]
        if named:  # union member tag, e.g. ('prior', 'Normal', 'mu')
            candidates = named
            continue
        reached: list[Any] = []
        for c in candidates:
            reached.extend(_step(c, part))
        if reached:
            candidates = list(dict.fromkeys(reached))
            continue
        tagged = [c for c in candidates if _is_model(c) and _has_literal_tag(c, part)]
        if tagged:  # discriminated union tag value
            candidates = tagged
        # otherwise a validator tag such as 'function-after[...]': stay put
    return [c for c in dict.fromkeys(candidates) if _is_model(c)]


# -- messages ---------------------------------------------------------------


def _unknown_key_message(model_cls: type[BaseModel], loc: Sequence[Any]) -> str:
    key = loc[-1]
    models = _models_at(model_cls, loc[:-1])
    accepted = [keys for m in models for keys in _accepted_keys(m)]
    valid = list(dict.fromkeys(keys[0] for keys in accepted))  # one spelling per field
    msg = f"unknown key {_fmt_key(key)}"
    if not valid:
        return msg
    best = suggest(str(key), [k for keys in accepted for k in keys])
    if best is not None:
        return f"{msg} (did you mean {best!r}?)"
    return f"{msg} (valid keys: {', '.join(valid)})"


def _input_repr(value: Any) -> str | None:
    if isinstance(value, dict | list | BaseModel):
        return None
    text = repr(value)
    if len(text) > _MAX_INPUT_REPR:
        text = text[: _MAX_INPUT_REPR - 3] + "..."
    return text


def _without_union_noise(errors: list[dict[str, Any]], data: Any) -> list[dict[str, Any]]:
    """Drop a type error ("should be a valid string") at a place where another error goes
    deeper: for ``str | Model`` the value was a mapping, and the mapping's own error is the
    one that names the problem."""
    paths = [_data_path(data, tuple(err.get("loc", ()))) for err in errors]
    prefixes = {path[:i] for path in paths for i in range(len(path))}
    return [
        err
        for err, path in zip(errors, paths, strict=True)
        if not (str(err.get("type", "")).endswith("_type") and path in prefixes)
    ]


def _error_line(
    error: Mapping[str, Any],
    model_cls: type[BaseModel],
    data: Any,
    file: str,
    lines: Mapping[Location, int],
    shown_keys: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    loc = tuple(error.get("loc", ()))
    kind = error.get("type", "")
    where = _data_path(data, loc)
    if kind == "extra_forbidden" and loc:
        message = _unknown_key_message(model_cls, loc)
    elif kind == "missing" and loc:
        message = f"missing required key {_fmt_key(loc[-1])}"
    else:
        message = str(error.get("msg", "invalid value"))
        got = _input_repr(error.get("input"))
        if got is not None:
            message += f" (got {got})"
    line = line_of(lines, where)
    prefix = f"{file}:{line}" if line is not None else file
    shown = where
    if shown and shown_keys and shown[0] in shown_keys:  # the key as the file spells it
        shown = (shown_keys[shown[0]], *shown[1:])
    return (line or 0), f"{prefix}: {_format_loc(shown)}: {message}"


def _report(file: Path | str, problems: Sequence[str]) -> str:
    n = len(problems)
    return "\n".join([f"{file}: {n} problem(s) found", *problems])


def validate[M: BaseModel](
    model_cls: type[M],
    data: Any,
    *,
    path: str | Path = "<config>",
    lines: Mapping[Location, int] | None = None,
    shown_keys: Mapping[str, str] | None = None,
) -> M:
    """Validate parsed YAML against a pydantic model, reporting every problem at once.

    Parameters
    ----------
    model_cls : type[pydantic.BaseModel]
        The model; use ``model_config = ConfigDict(extra="forbid")`` so that
        misspelt keys are caught.
    data : Any
        Parsed YAML, as returned by :func:`read_yaml`.
    path : str or pathlib.Path, optional
        File name used in messages.
    lines : LineMap, optional
        Line map from :func:`read_yaml`; without it messages carry no line numbers.
    shown_keys : mapping, optional
        Top-level keys to name differently in messages: the spelling the file used when the
        caller renamed one before validating (e.g. ``{"adjusting_shocks": "shocks"}``).

    Returns
    -------
    pydantic.BaseModel
        The validated model instance.

    Raises
    ------
    ConfigError
        One error whose message starts ``"{file}: {n} problem(s) found"`` and then
        lists each problem on its own line as
        ``"{file}:{line}: {dotted.location}: {message}"``, in file order. Unknown
        keys name the closest valid key (or list the valid keys); missing keys are
        reported at the line of the enclosing mapping.
    """
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        file = str(path)
        errors = _without_union_noise(exc.errors(include_url=False), data)
        found = [
            _error_line(err, model_cls, data, file, lines or {}, shown_keys or {}) for err in errors
        ]
        # stable sort by line keeps pydantic's order within a line
        problems = list(dict.fromkeys(text for _, text in sorted(found, key=lambda t: t[0])))
        raise ConfigError(_report(file, problems)) from None


def load_yaml_model[M: BaseModel](path: str | Path, model_cls: type[M]) -> M:
    """Read a YAML file and validate it against *model_cls*.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.
    model_cls : type[pydantic.BaseModel]
        The model to validate against.

    Returns
    -------
    pydantic.BaseModel
        The validated model instance.

    Raises
    ------
    ConfigError
        If the file is missing, is not valid YAML, repeats a key, or does not match
        the model (see :func:`read_yaml` and :func:`validate`).
    """
    data, lines = read_yaml(path)
    return validate(model_cls, data, path=path, lines=lines)
