"""Wrong scenario files give one clear message and exit code 2, never a traceback.

Each ``tests/fixtures/scenarios/wrong_*.yaml`` states what must be reported in comment lines at
its top::

    # expect: <substring of the message>     (one or more)
    # stage: load | run

``load``: :func:`load_scenario` raises :class:`ConfigError` with every expected substring.
``run``: the file loads (the problem depends on the model or the data) and only running it fails.
Either way ``fiscalcliff run FILE --draws 20 --data-dir DIR`` exits 2 with every expected
substring in stderr and no traceback. A new ``wrong_*.yaml`` file is a new test case.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fiscalcliff.errors import ConfigError
from fiscalcliff.scenarios.loader import load_scenario

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scenarios"
WRONG = sorted(FIXTURES.glob("wrong_*.yaml"))
ROOT = Path(__file__).resolve().parents[1]


def header(path: Path) -> tuple[list[str], str]:
    """Expected substrings and stage from a fixture's leading comment lines."""
    expects, stage = [], None
    for line in path.read_text().splitlines():
        m = re.match(r"#\s*(expect|stage):\s*(.+?)\s*$", line)
        if m is None:
            break
        if m.group(1) == "expect":
            expects.append(m.group(2))
        else:
            stage = m.group(2)
    return expects, stage


def assert_clean_failure(code: int, stderr: str, expects: list[str]) -> None:
    assert code == 2, stderr
    assert ("\n" + stderr).count("\nerror: ") == 1, stderr  # after any progress lines
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for text in expects:
        assert text in stderr, f"{text!r} not in:\n{stderr}"


def test_there_are_wrong_files_for_both_stages():
    stages = [header(p)[1] for p in WRONG]
    assert stages.count("load") >= 12 and stages.count("run") >= 8
    assert set(stages) == {"load", "run"}


@pytest.mark.parametrize("path", WRONG, ids=[p.stem for p in WRONG])
def test_wrong_file_is_rejected_with_its_message(path, cli, shared_data_dir, tmp_path):
    expects, stage = header(path)
    assert expects, f"{path.name} has no '# expect:' line"
    assert stage in ("load", "run"), f"{path.name}: '# stage: load' or '# stage: run'"
    if stage == "load":
        with pytest.raises(ConfigError) as info:
            load_scenario(path)
        for text in expects:
            assert text in str(info.value), f"{text!r} not in:\n{info.value}"
    else:
        load_scenario(path)  # only running it can tell
    out = tmp_path / "out.nc"
    argv = ["run", str(path), "--draws", "20", "--data-dir", str(shared_data_dir)]
    code, _, stderr = cli([*argv, "--out", str(out)])
    assert_clean_failure(code, stderr, expects)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


LOAD_WRONG = [p for p in WRONG if header(p)[1] == "load"]


@pytest.mark.parametrize("path", LOAD_WRONG, ids=[p.stem for p in LOAD_WRONG])
def test_load_errors_follow_the_file_line_location_format(path):
    """Every problem line is ``file:line: ...``, with the line inside the file."""
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    n_lines = len(path.read_text().splitlines())
    lines = str(info.value).splitlines()
    problems = [ln for ln in lines if not ln.endswith("problem(s) found")]
    assert problems
    for line in problems:
        m = re.match(rf"^(?P<file>\S*{re.escape(path.name)}):(?P<line>\d+): \S", line)
        assert m, line
        assert 1 <= int(m.group("line")) <= n_lines, line
    count = re.match(r"^\S+: (\d+) problem\(s\) found$", lines[0])
    if count:
        assert int(count.group(1)) == len(problems)


def test_compare_reports_the_problems_of_every_file_at_once(cli, shared_data_dir, tmp_path):
    a, b = FIXTURES / "wrong_bad_month.yaml", FIXTURES / "wrong_duplicate_key.yaml"
    out = tmp_path / "cmp"
    code, _, stderr = cli(
        [
            "compare",
            str(a),
            str(b),
            "--baseline",
            "x",
            "--out",
            str(out),
            "--draws",
            "20",
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert_clean_failure(code, stderr, [*header(a)[0], *header(b)[0]])
    assert not out.exists()


def test_missing_scenario_file_exits_2(cli, shared_data_dir, tmp_path):
    missing = tmp_path / "nope.yaml"
    code, _, stderr = cli(["run", str(missing), "--data-dir", str(shared_data_dir)])
    assert_clean_failure(code, stderr, [str(missing), "no such scenario file"])


def test_negative_draws_on_the_command_line_exit_2(cli, shared_data_dir):
    path = ROOT / "scenarios" / "baseline.yaml"
    code, _, stderr = cli(["run", str(path), "--draws", "0", "--data-dir", str(shared_data_dir)])
    assert_clean_failure(code, stderr, ["--draws must be an integer from 1 to 1,000,000 (got 0)"])


RUN_WRONG = [p for p in WRONG if header(p)[1] == "run"]


@pytest.mark.parametrize("path", RUN_WRONG, ids=[p.stem for p in RUN_WRONG])
def test_run_time_error_names_the_scenario_file(path, cli, shared_data_dir, tmp_path):
    # the shipped baseline on the uncensored model (a quick fit), as the wrong files extend it
    base = FIXTURES / "baseline_uncensored.yaml"
    code, _, stderr = cli(
        [
            "compare",
            str(base),
            str(path),
            "--baseline",
            "baseline-uncensored",
            "--out",
            str(tmp_path / "cmp"),
            "--draws",
            "20",
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert code == 2, stderr
    assert path.name in stderr, stderr
