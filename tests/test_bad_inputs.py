"""The generated bad-input suite (issue 9): hundreds of malformed inputs through the CLI.

Every case must be refused with exit 2 (or 3 where a source is unreachable) and one message that
names the file, field or argument; never an internal error, a traceback, a hang, or exit 0.
The hand-written families live in :mod:`bad_inputs`; the property tests below add inputs that
hypothesis generates. ``pytest -s tests/test_bad_inputs.py`` prints the tally by family.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bad_inputs
from bad_inputs import SCENARIO_BASE, SMALL_PRIOR, Case, run_case

CASES = bad_inputs.all_cases()


def test_the_suite_is_large_and_covers_every_family():
    families = {c.family for c in CASES}
    assert families == {"prior", "scenario", "data", "cli", "env"}
    assert len({c.ident for c in CASES}) >= 400
    for family in families:
        assert sum(c.family == family for c in CASES) >= 10, family


@pytest.mark.parametrize("case", CASES, ids=[c.ident for c in CASES])
def test_bad_input_is_refused_clearly(case: Case, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    assert outcome.verdict == "refused", outcome.explain()
    assert ("\n" + outcome.stderr).count("\nerror: ") + outcome.stderr.count(": error: ") >= 1


# -- generated inputs ------------------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: values no numeric field accepts
_never_numbers = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, True, False, None, [], {}]),
    st.text(alphabet="abcxyz ,;", min_size=1, max_size=8),
    st.floats(min_value=1e17, max_value=1e308),
    st.floats(max_value=-1e17, min_value=-1e308),
)
_prior_numbers = [f.path for f in bad_inputs.PRIOR_NUMBERS]


@_SETTINGS
@given(where=st.sampled_from(_prior_numbers), value=_never_numbers)
def test_generated_prior_numbers_are_refused(tmp_path_factory, where, value):
    base = bad_inputs._prior_base_for(where)
    text = bad_inputs._dump(bad_inputs._set(base, where, value))
    case = bad_inputs._prior_case("generated", "gen", text, [str(where[-1])])
    case = Case(**{**case.__dict__, "family": "prior", "category": "generated"})
    outcome = run_case(case, tmp_path_factory.mktemp("gen"))
    assert outcome.verdict == "refused", outcome.explain()


@_SETTINGS
@given(text=st.text(max_size=200))
def test_generated_text_as_a_prior_file_is_refused(tmp_path_factory, text):
    # no short text is a valid prior file (one needs model.endogenous and model.lags)
    case = bad_inputs._prior_case("generated text", "gen", text, [])
    outcome = run_case(case, tmp_path_factory.mktemp("gen"))
    assert outcome.verdict == "refused", outcome.explain()


_scenario_fields = st.sampled_from(
    [
        ("draws",),
        ("seed",),
        ("horizon", "end"),
        ("exogenous", "tariff_rate", 0, "level"),
        ("conditions", "qe", "path", 0, "per_month"),
        ("conditions", "qe", "sd"),
        ("events", "low"),
        ("name",),
    ]
)


@_SETTINGS
@given(where=_scenario_fields, value=_never_numbers)
def test_generated_scenario_values_are_refused(tmp_path_factory, where, value):
    if where in (("events", "low"), ("name",)) and isinstance(value, str):
        value = value + " <"  # text is valid there; make it an invalid event / name
    assume(not (where == ("conditions", "qe", "sd") and value is None))  # null: a hard path
    data = bad_inputs._set(SCENARIO_BASE, where, value)
    text = bad_inputs._dump(data)
    case = bad_inputs._scenario_case("generated", "gen", text, [])
    outcome = run_case(case, tmp_path_factory.mktemp("gen"))
    assert outcome.verdict == "refused", outcome.explain()


def test_the_small_prior_and_base_scenario_are_valid(tmp_path):
    """The mutations start from valid files, so each refusal is caused by its mutation."""
    from conftest import SHARED_DATA_DIR, run_cli

    code, _, err = run_cli(
        ["fit", "--priors", str(SMALL_PRIOR), "--data-dir", str(SHARED_DATA_DIR)]
    )
    assert code == 0, err
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SCENARIO_BASE).replace("{small}", str(SMALL_PRIOR)))
    code, out, err = run_cli(["run", str(path), "--data-dir", str(SHARED_DATA_DIR)])
    assert code == 0, err
    assert "Scenario probe" in out
