"""Tests for fiscalcliff.yamlconfig: line maps, duplicate keys, dates, error messages.

Line numbers asserted here were counted by hand in the fixture files under
``tests/fixtures/yaml/`` (or in the inline YAML), not computed by the code under test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from fiscalcliff.errors import ConfigError
from fiscalcliff.yamlconfig import line_of, load_yaml_model, read_yaml, suggest, validate

FIXTURES = Path(__file__).parent / "fixtures" / "yaml"


# -- models used by the tests -------------------------------------------------


class Prior(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    lam: float = Field(alias="lambda", gt=0)
    decay: float = 1.0


class Shock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: str
    variable: str
    size: float


class Series(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    transform: str = "level"


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    start: str
    end: str
    lags: int = Field(ge=1)
    prior: Prior
    shocks: list[Shock] = []
    series: dict[str, Series]
    notes: str | None = None


def _write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return str(exc.value).splitlines()[1:]


# -- read_yaml ----------------------------------------------------------------


def test_read_yaml_line_map_of_valid_fixture() -> None:
    data, lines = read_yaml(FIXTURES / "valid.yaml")
    assert data["name"] == "baseline"
    # counted by hand in valid.yaml (line 1 is a comment)
    expected = {
        (): 2,
        ("name",): 2,
        ("start",): 3,
        ("end",): 4,
        ("lags",): 5,
        ("prior",): 6,
        ("prior", "lambda"): 7,
        ("prior", "decay"): 8,
        ("shocks",): 9,
        ("shocks", 0): 10,
        ("shocks", 0, "date"): 10,
        ("shocks", 0, "variable"): 11,
        ("shocks", 0, "size"): 12,
        ("shocks", 1): 13,
        ("shocks", 1, "date"): 13,
        ("shocks", 1, "variable"): 13,
        ("shocks", 1, "size"): 13,
        ("series",): 14,
        ("series", "reserves"): 15,
        ("series", "reserves", "source"): 16,
        ("series", "tga"): 17,
        ("series", "tga", "source"): 18,
        ("series", "tga", "transform"): 19,
    }
    assert lines == expected


def test_dates_stay_strings() -> None:
    data, _ = read_yaml(FIXTURES / "valid.yaml")
    assert data["start"] == "2026-02"  # YAML leaves this one alone anyway
    assert data["end"] == "2026-12-01"  # YAML would make this a datetime.date
    assert data["shocks"][0]["date"] == "2026-03"
    assert data["shocks"][1]["date"] == "2026-04-01"  # inside a flow mapping


def test_timestamps_and_date_keys_become_iso_strings(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "at: 2026-02-01 10:30:00\n"
        "utc: 2026-02-01T10:30:00Z\n"
        "tagged: !!timestamp 2026-03-01\n"
        "2026-01-01: new year\n"
        "list: [2026-05-01, 2026-06]\n",
    )
    data, lines = read_yaml(path)
    assert data == {
        "at": "2026-02-01T10:30:00",
        "utc": "2026-02-01T10:30:00+00:00",
        "tagged": "2026-03-01",
        "2026-01-01": "new year",
        "list": ["2026-05-01", "2026-06"],
    }
    assert lines[("2026-01-01",)] == 4
    assert lines[("list", 1)] == 5


def test_non_string_scalars_are_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\nb: 2.5\nc: true\nd: null\ne: '2026-02-01'\n1: one\n")
    data, lines = read_yaml(path)
    assert data == {"a": 1, "b": 2.5, "c": True, "d": None, "e": "2026-02-01", 1: "one"}
    assert lines[(1,)] == 6


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: file not found") as exc:
        read_yaml(path)
    assert exc.value.exit_code == 2


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory, not a regular YAML file"):
        read_yaml(tmp_path)


def test_syntax_error_location() -> None:
    path = FIXTURES / "syntax.yaml"
    with pytest.raises(ConfigError) as exc:
        read_yaml(path)
    # the flow sequence opened on line 4 is never closed; PyYAML notices at the
    # ':' after 'lags' on line 5, column 5
    assert str(exc.value).startswith(f"{path}:5:5: expected ',' or ']'")
    assert "line 4" in str(exc.value)


def test_tab_indentation_error_location(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nprior:\n\tlambda: 1\n")
    with pytest.raises(ConfigError, match=r"config\.yaml:3:1: found character '\\t'"):
        read_yaml(path)


def test_unknown_tag_is_a_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\nb: !!python/name:os.system x\n")
    with pytest.raises(ConfigError, match=r"config\.yaml:2: tag '!!python/name:os.system' is not"):
        read_yaml(path)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("name: !!binary aGVsbG8=\n", "!!binary"),
        ("a: 1\nb: !!set {x, y}\n", "!!set"),
        ("a: !!omap [x: 1]\n", "!!omap"),
        ("a: !custom 3\n", "!custom"),
    ],
)
def test_non_plain_tags_are_refused_with_their_line(tmp_path: Path, text: str, tag: str) -> None:
    path = _write(tmp_path, text)
    line = text.count("\n", 0, text.index(tag)) + 1
    with pytest.raises(ConfigError, match=rf"config\.yaml:{line}: tag '{tag}' is not allowed"):
        read_yaml(path)


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    # "billion laughs": nine levels of ten aliases each would expand to 10**9 strings
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=r"expands to more than 100,000 values"):
        read_yaml(path)


def test_moderate_aliases_still_work(tmp_path: Path) -> None:
    path = _write(tmp_path, "base: &b {x: 1, y: [1, 2]}\nc: *b\nd: {<<: *b, x: 2}\n")
    data, _ = read_yaml(path)
    assert data["c"] == {"x": 1, "y": [1, 2]} and data["d"] == {"x": 2, "y": [1, 2]}


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null"])
def test_device_is_refused_before_reading(target: str) -> None:
    with pytest.raises(ConfigError, match=rf"{target}: is a character device, not a regular"):
        read_yaml(target)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"pipe\.yaml: is a named pipe"):
        read_yaml(fifo)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\n" + "# padding\n" * 120_000)
    with pytest.raises(ConfigError, match=r"more than the 1 MiB accepted"):
        read_yaml(path)


def test_several_documents_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: 1\n---\nb: 2\n")
    with pytest.raises(ConfigError, match=r"config\.yaml:2:1: .*another document"):
        read_yaml(path)


def test_duplicate_keys_report_both_lines() -> None:
    path = FIXTURES / "duplicate.yaml"
    with pytest.raises(ConfigError) as exc:
        read_yaml(path)
    lines = str(exc.value).splitlines()
    assert lines[0] == f"{path}: 2 problem(s) found"
    assert lines[1] == f"{path}:5: duplicate key 'lambda' (first on line 3, again on line 5)"
    assert lines[2] == f"{path}:7: duplicate key 'name' (first on line 1, again on line 7)"


def test_duplicate_keys_in_flow_mapping_and_list_item(tmp_path: Path) -> None:
    path = _write(tmp_path, "items:\n  - {a: 1, a: 2}\n  - b: 1\n    c: 2\n    b: 3\n")
    with pytest.raises(ConfigError) as exc:
        read_yaml(path)
    assert _problems(exc) == [
        f"{path}:2: duplicate key 'a' (first on line 2, again on line 2)",
        f"{path}:5: duplicate key 'b' (first on line 3, again on line 5)",
    ]


def test_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    text = (
        "base: &base\n"  # 1
        "  source: fred:A\n"  # 2
        "  transform: log\n"  # 3
        "tga:\n"  # 4
        "  <<: *base\n"  # 5
        "  transform: diff\n"  # 6
    )
    data, lines = read_yaml(_write(tmp_path, text))
    assert data["tga"] == {"source": "fred:A", "transform": "diff"}
    assert lines[("tga", "transform")] == 6  # the explicit key, not the merged one
    assert lines[("tga", "source")] == 2  # merged: the line where it is written


def test_empty_file(tmp_path: Path) -> None:
    data, lines = read_yaml(_write(tmp_path, ""))
    assert data is None
    assert lines == {(): 1}


def test_empty_file_fails_validation_at_line_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "# nothing here\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, Series)
    (problem,) = _problems(exc)
    assert problem.startswith(f"{path}:1: (top level): Input should be a valid dictionary")


def test_recursive_alias_does_not_hang(tmp_path: Path) -> None:
    data, lines = read_yaml(_write(tmp_path, "a: &x [1, *x]\n"))
    assert data["a"][1] is data["a"]
    assert lines[("a", 0)] == 1


# -- validate / load_yaml_model ------------------------------------------------


def test_valid_fixture_loads() -> None:
    scenario = load_yaml_model(FIXTURES / "valid.yaml", Scenario)
    assert scenario.prior.lam == 0.2
    assert scenario.end == "2026-12-01"
    assert scenario.shocks[1].size == 10
    assert scenario.series["tga"].transform == "log"


def test_all_errors_reported_at_once_with_lines() -> None:
    path = FIXTURES / "errors.yaml"
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, Scenario)
    text = str(exc.value)
    assert text.splitlines()[0] == f"{path}: 6 problem(s) found"
    problems = _problems(exc)
    # counted by hand in errors.yaml; listed in file order
    assert problems[0].startswith(f"{path}:5: lags: Input should be a valid integer")
    assert problems[0].endswith("(got 'zero')")
    assert problems[1:] == [
        f"{path}:6: prior: missing required key 'lambda'",
        f"{path}:7: prior.lamda: unknown key 'lamda' (did you mean 'lambda'?)",
        f"{path}:13: shocks[1]: missing required key 'size'",
        f"{path}:18: series.reserves.transfrom: unknown key 'transfrom' "
        "(did you mean 'transform'?)",
        f"{path}:19: colour: unknown key 'colour' (valid keys: name, start, end, lags, "
        "prior, shocks, series, notes)",
    ]


def test_config_error_is_exit_code_2() -> None:
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(FIXTURES / "errors.yaml", Scenario)
    assert exc.value.exit_code == 2
    assert exc.value.__cause__ is None  # no pydantic traceback noise


def test_constraint_error_shows_input(tmp_path: Path) -> None:
    text = "source: s\ntransform: 3\n"
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, Series)
    assert _problems(exc) == [f"{path}:2: transform: Input should be a valid string (got 3)"]


def test_validate_without_line_map() -> None:
    with pytest.raises(ConfigError) as exc:
        validate(Series, {"sauce": "x"}, path="inline")
    assert str(exc.value).splitlines() == [
        "inline: 2 problem(s) found",
        "inline: (top level): missing required key 'source'",
        "inline: sauce: unknown key 'sauce' (did you mean 'source'?)",
    ]


def test_validate_returns_instance() -> None:
    s = validate(Series, {"source": "x"}, path="p", lines={})
    assert s == Series(source="x")


# deeper structures: dict of lists of models, Optional models, aliases, unions


class Leaf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alpha: float
    beta: float = 0.0


class Branch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leaves: dict[str, list[Leaf]]
    spare: Leaf | None = None
    pair: tuple[Leaf, Leaf] | None = None


class Normal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["normal"]
    mu: float = 0.0
    sigma: float


class Gamma(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["gamma"]
    shape: float
    rate: float


class Tree(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trunk: Branch
    priors: dict[str, Annotated[Normal | Gamma, Field(discriminator="kind")]] = {}
    growth_rate: float = Field(default=1.0, validation_alias="growth-rate")


TREE = """\
trunk:
  leaves:
    north:
      - alpha: 1
      - alpah: 2
    south: []
  spare:
    alpha: 1
    gamma: 3
  pair:
    - alpha: 1
    - alpha: 2
      bta: 1
priors:
  a: {kind: normal, sigma: 1, sigam: 2}
  b:
    kind: gamma
    shape: 2
    rat: 1
growth_rat: 2
"""


def test_nested_suggestions_follow_model_types(tmp_path: Path) -> None:
    path = _write(tmp_path, TREE)
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, Tree)
    assert _problems(exc) == [
        f"{path}:5: trunk.leaves.north[1]: missing required key 'alpha'",
        f"{path}:5: trunk.leaves.north[1].alpah: unknown key 'alpah' (did you mean 'alpha'?)",
        f"{path}:9: trunk.spare.gamma: unknown key 'gamma' (valid keys: alpha, beta)",
        f"{path}:13: trunk.pair[1].bta: unknown key 'bta' (did you mean 'beta'?)",
        f"{path}:15: priors.a.sigam: unknown key 'sigam' (did you mean 'sigma'?)",
        f"{path}:16: priors.b: missing required key 'rate'",
        f"{path}:19: priors.b.rat: unknown key 'rat' (did you mean 'rate'?)",
        f"{path}:20: growth_rat: unknown key 'growth_rat' (did you mean 'growth-rate'?)",
    ]


class Aliased(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    horizon_months: int = Field(default=12, alias="horizon")
    draws: int = Field(default=100, validation_alias=AliasChoices("draws", "n_draws"))


def test_suggestions_cover_aliases_and_accepted_field_names(tmp_path: Path) -> None:
    text = "lambd: 0.3\n"
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, Prior)
    assert f"{path}:1: lambd: unknown key 'lambd' (did you mean 'lambda'?)" in _problems(exc)

    # populate_by_name: the field name is accepted, so it can be suggested
    with pytest.raises(ConfigError) as exc:
        validate(Aliased, {"horizon_month": 3, "n_draw": 5, "zzz": 1}, path="p")
    assert _problems(exc) == [
        "p: horizon_month: unknown key 'horizon_month' (did you mean 'horizon_months'?)",
        "p: n_draw: unknown key 'n_draw' (did you mean 'n_draws'?)",
        "p: zzz: unknown key 'zzz' (valid keys: horizon, draws)",
    ]


def test_suggest() -> None:
    assert suggest("lamda", ["lambda", "mu", "sigma"]) == "lambda"
    assert suggest("SIGMA", ["lambda", "mu", "sigma"]) == "sigma"
    assert suggest("transfrom", ["source", "transform"]) == "transform"
    assert suggest("colour", ["name", "lags"]) is None
    assert suggest("x", []) is None


def test_line_of_uses_deepest_known_prefix() -> None:
    lines = {(): 1, ("a",): 2, ("a", 0): 3}
    assert line_of(lines, ("a", 0, "missing", "deeper")) == 3
    assert line_of(lines, ("b",)) == 1
    assert line_of({}, ("a",)) is None


@pytest.mark.parametrize(
    "path",
    sorted(
        str(p)
        for pattern in ("priors/*.yaml", "scenarios/*.yaml", "tests/fixtures/yaml/*.yaml")
        for p in Path(__file__).resolve().parents[1].glob(pattern)
    )
    + sorted(
        str(p) for p in (Path(__file__).resolve().parents[2] / "shared" / "policy").glob("*.yaml")
    ),
)
def test_the_libyaml_parser_gives_what_the_pure_parser_gives(path: str, monkeypatch) -> None:
    """read_yaml parses with libyaml when it can: the data, the line map and the error of every
    shipped, policy and fixture file are those of the pure-Python parser."""
    from fiscalcliff import yamlconfig

    def read():
        try:
            return yamlconfig.read_yaml(path)
        except ConfigError as exc:
            return str(exc)

    assert yamlconfig._FastLoader is not None  # PyYAML's wheels ship libyaml
    fast = read()
    monkeypatch.setattr(yamlconfig, "_FastLoader", None)
    assert read() == fast
