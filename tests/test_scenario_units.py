"""Unit tests of the scenario building blocks, without data: path segments, events, validation.

Expected paths are written out month by month from the rules in
:mod:`fiscalcliff.scenarios.spec`; expected event truths are read off small hand-made arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from fiscalcliff.errors import InputError
from fiscalcliff.scenarios.events import event_indicator, parse_event
from fiscalcliff.scenarios.paths import build_path
from fiscalcliff.scenarios.spec import Condition, Segment

#: ten forecast months, 2026-03..2026-12 (positions 0..9)
DATES = pd.date_range("2026-03-01", "2026-12-01", freq="MS")
LAST = 100.0
NAN = np.nan


def seg(**kw) -> Segment:
    """A segment from YAML-style keys (``from``/``to`` are aliases)."""
    return Segment.model_validate(kw)


def path(*segments: Segment, last: float = LAST, hold_last: bool = True) -> np.ndarray:
    return build_path(segments, DATES, last, what="test", hold_last=hold_last)


# -- build_path: one segment of each kind ----------------------------------------------------


def test_level_is_a_step_from_its_first_month_to_the_horizon_end():
    got = path(seg(**{"from": "2026-05", "level": 7}))
    np.testing.assert_array_equal(got, [100, 100, 7, 7, 7, 7, 7, 7, 7, 7])


def test_level_with_to_then_holds_its_value_for_exogenous_paths():
    got = path(seg(**{"from": "2026-04", "to": "2026-05", "level": 7}))
    np.testing.assert_array_equal(got, [100, 7, 7, 7, 7, 7, 7, 7, 7, 7])


def test_level_with_to_leaves_other_months_free_for_conditions():
    got = path(seg(**{"from": "2026-04", "to": "2026-05", "level": 7}), hold_last=False)
    np.testing.assert_array_equal(got, [NAN, 7, 7, NAN, NAN, NAN, NAN, NAN, NAN, NAN])


def test_no_segment_keeps_the_last_observed_value():
    np.testing.assert_array_equal(path(), np.full(10, LAST))
    assert np.isnan(path(hold_last=False)).all()


def test_change_is_relative_to_the_last_observed_value():
    got = path(seg(**{"from": "2026-06", "to": "2026-07", "change": -15}))
    np.testing.assert_array_equal(got, [100, 100, 100, 85, 85, 85, 85, 85, 85, 85])


def test_change_ignores_earlier_segments():
    got = path(
        seg(**{"to": "2026-04", "level": 500}),
        seg(**{"from": "2026-05", "to": "2026-05", "change": 3}),
    )
    np.testing.assert_array_equal(got, [500, 500, 103, 103, 103, 103, 103, 103, 103, 103])


def test_per_month_adds_a_fixed_amount_each_month_from_the_value_before():
    got = path(seg(**{"from": "2026-04", "to": "2026-06", "per_month": 5}))
    np.testing.assert_array_equal(got, [100, 105, 110, 115, 115, 115, 115, 115, 115, 115])


def test_per_month_over_the_whole_horizon_by_default():
    # e.g. $80bn a month from the first forecast month: 2026-12 is ten months on
    got = path(seg(per_month=80), last=6000)
    np.testing.assert_array_equal(got, 6000 + 80 * np.arange(1, 11))


def test_ramp_to_is_a_straight_line_reaching_the_target_at_to():
    got = path(seg(**{"from": "2026-04", "to": "2026-07", "ramp_to": 120}))
    np.testing.assert_allclose(got, [100, 105, 110, 115, 120, 120, 120, 120, 120, 120])


def test_ramp_to_defaults_to_the_horizon_end():
    got = path(seg(ramp_to=0), last=50)  # ten equal steps of -5
    np.testing.assert_allclose(got, 50 - 5 * np.arange(1, 11), atol=1e-12)


def test_values_are_explicit_monthly_values_from_their_first_month():
    got = path(seg(**{"from": "2026-05", "values": [1, 2, 3]}))
    np.testing.assert_array_equal(got, [100, 100, 1, 2, 3, 3, 3, 3, 3, 3])
    free = path(seg(**{"from": "2026-05", "values": [1, 2, 3]}), hold_last=False)
    np.testing.assert_array_equal(free, [NAN, NAN, 1, 2, 3, NAN, NAN, NAN, NAN, NAN])


def test_values_filling_the_horizon_exactly_are_accepted():
    np.testing.assert_array_equal(path(seg(values=list(range(10)))), np.arange(10.0))


def test_values_running_past_the_horizon_are_an_input_error():
    with pytest.raises(InputError) as info:
        path(seg(**{"from": "2026-10", "values": [1, 2, 3, 4]}))
    msg = str(info.value)
    assert "test" in msg and "4 values from 2026-10" in msg
    assert "past the horizon end 2026-12" in msg


@pytest.mark.parametrize(
    ("key", "month"), [("from", "2026-01"), ("from", "2027-01"), ("to", "2027-03")]
)
def test_months_outside_the_horizon_are_an_input_error(key, month):
    with pytest.raises(
        InputError, match=rf"'{key}' {month} is outside the horizon 2026-03..2026-12"
    ):
        path(seg(**{key: month, "level": 1}))


# -- build_path: chained segments ------------------------------------------------------------


def test_segments_chain_each_starting_from_the_previous_value():
    got = path(
        seg(**{"to": "2026-04", "level": 9}),  # 2026-03..04 at 9
        seg(**{"from": "2026-05", "to": "2026-07", "ramp_to": 15}),  # 11, 13, 15
        seg(**{"from": "2026-08", "to": "2026-09", "per_month": -1}),  # 14, 13
        seg(**{"from": "2026-11", "values": [40]}),  # 2026-10 holds 13; 2026-11 is 40
    )
    np.testing.assert_allclose(got, [9, 9, 11, 13, 15, 14, 13, 13, 40, 40])


def test_overlapping_segments_are_refused_naming_both():
    # the first segment runs to the horizon end by default, so it overlaps the second's 2026-12
    with pytest.raises(InputError, match=r"test\[1\] \(2026-12..2026-12\) overlaps test\[0\] "):
        path(seg(level=1), seg(**{"from": "2026-12", "level": 2}))


def test_adjacent_segments_are_fine():
    got = path(seg(**{"to": "2026-11", "level": 1}), seg(**{"from": "2026-12", "level": 2}))
    np.testing.assert_array_equal(got, [1] * 9 + [2])


def test_per_month_after_a_gap_in_a_condition_starts_from_the_last_observed_value():
    # with hold_last=False the value before the segment is unknown (NaN): the last observed
    # value is used instead
    got = path(seg(**{"from": "2026-06", "to": "2026-07", "per_month": 10}), hold_last=False)
    np.testing.assert_array_equal(got, [NAN, NAN, NAN, 110, 120, NAN, NAN, NAN, NAN, NAN])


def test_tariffs_struck_down_style_path():
    # 9 in the first month, then a ramp to 14 at the horizon end over nine months
    got = path(
        seg(**{"from": "2026-03", "to": "2026-03", "level": 9}),
        seg(**{"from": "2026-04", "to": "2026-12", "ramp_to": 14}),
        last=13.9,
    )
    np.testing.assert_allclose(got, 9 + 5 * np.arange(10) / 9)


# -- Segment and Condition validation --------------------------------------------------------


def test_segment_kind():
    assert seg(level=1).kind == "level"
    assert seg(values=[1, 2]).kind == "values"
    assert seg(ramp_to=0).kind == "ramp_to"
    assert seg(**{"from": "2026-04", "per_month": 0}).kind == "per_month"  # zero is a value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": 1, "change": 2}, "exactly one of level, change, per_month, ramp_to, values"),
        ({"level": 1, "change": 2}, "(got level, change)"),
        ({"from": "2026-04"}, "exactly one of level, change, per_month, ramp_to, values"),
        ({"values": [1], "to": "2026-05"}, "'values' sets its own length; leave out 'to'"),
        ({"values": []}, "'values' is empty"),
        ({"from": "2026-07", "to": "2026-06", "level": 1}, "'to' (2026-06) is before 'from'"),
        ({"from": "2026-13", "level": 1}, "'2026-13' is not a month; write YYYY-MM"),
        ({"from": "2026-4", "level": 1}, "'2026-4' is not a month"),
        ({"to": "2026-06-01", "level": 1}, "'2026-06-01' is not a month"),
        ({"level": 1, "sd": 2}, "Extra inputs are not permitted"),
    ],
)
def test_segment_validation_messages(data, message):
    with pytest.raises(ValidationError) as info:
        Segment.model_validate(data)
    assert message in str(info.value)


def test_no_kind_does_not_list_what_it_got():
    with pytest.raises(ValidationError) as info:
        Segment.model_validate({"from": "2026-04"})
    assert "(got" not in str(info.value)


def _cond(**kw) -> Condition:
    return Condition.model_validate({"variable": "tga", **kw})


def test_condition_kinds():
    assert _cond(path=[{"level": 800}]).kind == "hard"
    assert _cond(path=[{"level": 800}], sd=50).kind == "soft"
    assert _cond(floor=0).kind == "bound"
    assert _cond(ceiling=900, **{"from": "2026-05", "to": "2026-06"}).kind == "bound"
    assert _cond(floor=-1, ceiling=1).kind == "bound"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "needs either 'path' (hard/soft) or 'floor'/'ceiling'"),
        ({"path": [{"level": 1}], "floor": 0}, "needs either 'path' (hard/soft) or 'floor'"),
        ({"floor": 0, "sd": 5}, "'sd' makes a path soft; it needs 'path'"),
        ({"path": [{"level": 1}], "sd": 0}, "greater than 0"),
        ({"path": [{"level": 1}], "sd": -3}, "greater than 0"),
        ({"floor": 10, "ceiling": 5}, "floor (10.0) must be below ceiling (5.0)"),
        ({"floor": 5, "ceiling": 5}, "floor (5.0) must be below ceiling (5.0)"),
        ({"path": [{"level": 1}], "from": "2026-04"}, "'from'/'to' are for bounds"),
        ({"floor": 0, "to": "2026-99"}, "'2026-99' is not a month"),
        ({"floor": 0, "varaible": "tga"}, "Extra inputs are not permitted"),
        ({"path": [{"level": 1, "change": 1}]}, "(got level, change)"),
    ],
)
def test_condition_validation_messages(data, message):
    with pytest.raises(ValidationError) as info:
        _cond(**data)
    assert message in str(info.value)


def test_condition_needs_a_variable():
    with pytest.raises(ValidationError, match="variable"):
        Condition.model_validate({"floor": 0})


# -- events ----------------------------------------------------------------------------------

#: four months spanning a year end
EV_DATES = pd.date_range("2025-11-01", "2026-02-01", freq="MS")
SERIES = ("a", "b", "reserves")
#: three draws (rows) of series a and b over EV_DATES (columns)
A = np.array(
    [
        [1.0, 6.0, 6.0, 6.0],  # below 5 only in 2025-11
        [6.0, 6.0, 4.0, 6.0],  # below 5 only in 2026-01
        [4.0, 4.0, 4.0, 4.0],  # always below 5
    ]
)
B = np.array(
    [
        [0.0, 7.0, 5.0, 5.0],
        [7.0, 5.0, 5.0, 5.0],
        [5.0, 3.0, 3.0, 3.0],
    ]
)
VALUES = {"a": A, "b": B, "reserves": A * 1000}


def truth(text: str) -> list[bool]:
    event = parse_event("e", text, SERIES)
    return event_indicator(event, VALUES, EV_DATES).tolist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < 5", [True, True, True]),  # any month of the horizon by default
        ("a < 5 any", [True, True, True]),
        ("a < 5 all", [False, False, True]),
        ("a < 5 any 2026", [False, True, True]),  # 2025-11 is not in 2026
        ("a < 5 all 2026", [False, False, True]),
        ("a < 5 any 2025", [True, False, True]),
        ("a < 5 at 2026-01", [False, True, True]),
        ("a < 5 at 2025-12", [False, False, True]),
        ("a < 5 any 2025-12..2026-01", [False, True, True]),
        ("a < 5 all 2025-12..2026-01", [False, False, True]),
        ("a < 5 any 2026-02", [False, False, True]),
        # a - b per draw: [1, -1, 1, 1], [-1, 1, -1, 1], [-1, 1, 1, 1]
        ("a - b < 0", [True, True, True]),
        ("a - b < 0 all", [False, False, False]),
        ("a - b > 0 at 2026-02", [True, True, True]),
        ("a - b >= 1 all 2026", [True, False, True]),
        ("a <= 4 all", [False, False, True]),
        ("a < 4 any", [True, False, False]),
        ("a > 5.5 all 2025-12..2026-02", [True, False, False]),
        ("(a + b) - 10 >= 2 any", [True, True, False]),
        ("-a > -2 any", [True, False, False]),
        ("a + 1 < 2", [False, False, False]),  # strict: a == 1 is not below
        ("a + 1 <= 2", [True, False, False]),
        ("reserves < 2e3", [True, False, False]),
        ("b > -1 all", [True, True, True]),
    ],
)
def test_event_truth_on_hand_made_draws(text, expected):
    assert truth(text) == expected


def test_event_keeps_the_leading_dimensions():
    event = parse_event("e", "a < 5 all 2026", SERIES)
    stacked = {"a": np.stack([A, A + 10])[None]}  # (1, 2, 3, 4)
    got = event_indicator(event, stacked, EV_DATES)
    assert got.shape == (1, 2, 3) and got.dtype == bool
    np.testing.assert_array_equal(got[0, 0], [False, False, True])
    assert not got[0, 1].any()


def test_parsed_event_fields():
    event = parse_event("curve", "a - b < 0 any 2026", SERIES)
    assert (event.label, event.text, event.op, event.threshold) == (
        "curve",
        "a - b < 0 any 2026",
        "<",
        0.0,
    )
    assert event.quantifier == "any"
    assert (event.first, event.last) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-01"))
    assert event.expression.names == ("a", "b")
    assert event.describe_period() == "any of 2026-01..2026-12"
    at = parse_event("x", "reserves <= -2.5 at 2026-02", SERIES)
    assert (at.op, at.threshold, at.quantifier) == ("<=", -2.5, "any")
    assert at.first == at.last == pd.Timestamp("2026-02-01")
    whole = parse_event("y", "a >= 1 all", SERIES)
    assert whole.first is None and whole.describe_period() == "every month"
    assert parse_event("z", "a > 1", SERIES).describe_period() == "any month of the horizon"


@pytest.mark.parametrize(
    "text",
    ["reserves below 2700", "reserves < ", "< 5", "a < 5 sometimes", "a < b", "a = 5", ""],
)
def test_unreadable_events_are_input_errors(text):
    with pytest.raises(InputError, match=r"events\.e: cannot read"):
        parse_event("e", text, SERIES)


def test_unknown_series_in_an_event_is_named_with_the_available_ones():
    with pytest.raises(InputError) as info:
        parse_event("e", "a - reservez < 0", SERIES)
    msg = str(info.value)
    assert "events.e: unknown series 'reservez'" in msg
    assert "available: a, b, reserves" in msg


def test_bad_expression_in_an_event_is_an_input_error():
    with pytest.raises(InputError, match=r"^events\.e: "):
        parse_event("e", "a + * b < 0", SERIES)


@pytest.mark.parametrize("period", ["any 2026-13", "at 2026-00", "all 2026-01..2026-13"])
def test_bad_event_periods_are_input_errors(period):
    with pytest.raises(InputError, match=r"events\.e: period .* should be YYYY, YYYY-MM"):
        parse_event("e", f"a < 5 {period}", SERIES)


def test_event_period_outside_the_horizon_is_an_input_error():
    event = parse_event("e", "a < 5 any 2027", SERIES)
    with pytest.raises(InputError) as info:
        event_indicator(event, VALUES, EV_DATES)
    msg = str(info.value)
    assert "events.e" in msg and "outside the horizon 2025-11..2026-02" in msg
