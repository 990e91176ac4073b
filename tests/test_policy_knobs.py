"""The scenario language's policy knobs (``policy:``): validation, and the paths they make.

Expected paths are worked out here by hand from the knob's definition (a Fed action replaces
the monthly change of the baseline path in its months; the financing mix issues a share of
each month's new borrowing, deficit_12m / 12, as bills), never from the package's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from fiscalcliff.errors import InputError
from fiscalcliff.scenarios.policy_knobs import (
    apply_fed_actions,
    apply_financing,
    treasury_cash_conditions,
)
from fiscalcliff.scenarios.spec import FedAction, Financing, PolicySpec, ScenarioSpec

DATES = pd.date_range("2026-10-01", "2027-03-01", freq="MS", name="date")
EXOG = ["fed_treasuries", "fed_mbs", "deficit_12m", "tariff_rate", "bill_share"]


def _baseline() -> np.ndarray:
    """Announced-like baseline: Treasuries +75 a month from 4,500, MBS -35 from 1,900."""
    x = np.zeros((len(DATES), len(EXOG)))
    x[:, 0] = 4500 + 75 * np.arange(1, 7)
    x[:, 1] = 1900 - 35 * np.arange(1, 7)
    x[:, 2] = 1800.0
    x[:, 3] = 7.3
    x[:, 4] = 22.0
    return x


LAST = {"fed_treasuries": 4500.0, "fed_mbs": 1900.0}


def _action(**kw) -> FedAction:
    return FedAction.model_validate(kw)


def test_purchases_replace_the_baseline_change_only_in_their_months():
    actions = [_action(of="treasuries", purchases=80, **{"from": "2026-12", "to": "2027-01"})]
    x, notes = apply_fed_actions(_baseline(), EXOG, actions, DATES, LAST)
    # Oct, Nov: +75 (baseline); Dec, Jan: +80; Feb, Mar: +75 again
    want = 4500 + np.cumsum([75, 75, 80, 80, 75, 75])
    np.testing.assert_array_equal(x[:, 0], want)
    np.testing.assert_array_equal(x[:, 1], _baseline()[:, 1])  # MBS untouched
    assert "purchases of 80 $bn a month of treasuries 2026-12..2027-01" in notes["fed_treasuries"]


def test_bills_move_treasury_holdings_and_runoff_and_reinvest_do_what_they_say():
    actions = [
        _action(of="bills", purchases=20, **{"from": "2026-10", "to": "2026-10"}),
        _action(of="mbs", runoff_cap=15, **{"from": "2026-10", "to": "2026-12"}),
        _action(of="mbs", reinvest=True, **{"from": "2027-01"}),  # to the horizon end
    ]
    x, _ = apply_fed_actions(_baseline(), EXOG, actions, DATES, LAST)
    np.testing.assert_array_equal(x[:, 0], 4500 + np.cumsum([20, 75, 75, 75, 75, 75]))
    np.testing.assert_array_equal(x[:, 1], 1900 - np.cumsum([15, 15, 15, 0, 0, 0]))


def test_holdings_never_go_below_zero():
    actions = [_action(of="mbs", runoff_cap=1000, **{"from": "2026-10"})]
    x, _ = apply_fed_actions(_baseline(), EXOG, actions, DATES, LAST)
    np.testing.assert_array_equal(x[:, 1], [900, 0, 0, 0, 0, 0])


def test_overlapping_actions_on_one_holding_are_refused_naming_both():
    actions = [
        _action(of="treasuries", purchases=80, **{"from": "2026-10", "to": "2026-12"}),
        _action(of="bills", purchases=40, **{"from": "2026-12"}),
    ]
    with pytest.raises(InputError, match=r"policy.fed\[1\] \(bills\) overlaps policy.fed\[0\]"):
        apply_fed_actions(_baseline(), EXOG, actions, DATES, LAST)


def test_an_action_before_the_forecast_or_after_the_horizon_is_refused():
    early = [_action(of="mbs", reinvest=True, **{"from": "2026-09"})]
    with pytest.raises(InputError, match="before the first forecast month 2026-10"):
        apply_fed_actions(_baseline(), EXOG, early, DATES, LAST)
    late = [_action(of="mbs", reinvest=True, **{"from": "2028-01"})]
    with pytest.raises(InputError, match=r"outside the horizon 2026-10\.\.2027-03"):
        apply_fed_actions(_baseline(), EXOG, late, DATES, LAST)


def test_a_model_without_the_holdings_is_told_which_prior_file_has_them():
    actions = [_action(of="mbs", reinvest=True, **{"from": "2026-10"})]
    with pytest.raises(InputError, match="fed_mbs, which the model does not have"):
        apply_fed_actions(np.zeros((6, 2)), ["deficit_12m", "tariff_rate"], actions, DATES, LAST)


def test_financing_mix_by_hand():
    # stock: 30,000 of marketable debt with 22% bills; deficit_12m 1,800 -> 150 a month of new
    # borrowing; all of it in bills from 2027-01, the stock's share before
    mixes = [Financing.model_validate({"bill_share": 1.0, "from": "2027-01"})]
    x, notes = apply_financing(_baseline(), EXOG, mixes, DATES, 22.0, 30000.0)
    debt, bills = 30000.0, 6600.0
    want = []
    for month in range(6):
        share = 1.0 if month >= 3 else bills / debt
        bills += share * 150.0
        debt += 150.0
        want.append(100 * bills / debt)
    np.testing.assert_allclose(x[:, 4], want, rtol=1e-12)
    np.testing.assert_allclose(x[:3, 4], 22.0, rtol=1e-12)  # the stock's mix keeps the share
    assert x[-1, 4] > 22.0
    assert "100% of new borrowing in bills 2027-01..2027-03" in notes["bill_share"]


def test_all_coupons_lowers_the_bill_share():
    mixes = [Financing.model_validate({"bill_share": 0.0, "from": "2026-10"})]
    x, _ = apply_financing(_baseline(), EXOG, mixes, DATES, 22.0, 30000.0)
    np.testing.assert_allclose(x[-1, 4], 100 * 6600 / (30000 + 6 * 150))


def test_spec_refuses_an_action_with_two_kinds_or_reinvest_false():
    with pytest.raises(ValidationError, match="exactly one of purchases, runoff_cap, reinvest"):
        _action(of="mbs", purchases=10, runoff_cap=5, **{"from": "2026-10"})
    with pytest.raises(ValidationError, match="'reinvest: false' says nothing"):
        _action(of="mbs", reinvest=False, **{"from": "2026-10"})
    with pytest.raises(ValidationError, match="treasuries"):
        _action(of="gold", purchases=10, **{"from": "2026-10"})
    with pytest.raises(ValidationError):
        _action(of="mbs", purchases=-5, **{"from": "2026-10"})
    with pytest.raises(ValidationError):
        Financing.model_validate({"bill_share": 1.5, "from": "2026-10"})


def test_spec_refuses_the_same_input_set_twice():
    with pytest.raises(ValidationError, match=r"policy\.deficit and exogenous\.deficit_12m"):
        ScenarioSpec.model_validate(
            {
                "name": "x",
                "description": "d",
                "horizon": {"end": "2027-12"},
                "exogenous": {"deficit_12m": [{"level": 2000}]},
                "policy": {"deficit": [{"level": 2000}]},
            }
        )


def test_treasury_cash_conditions_use_only_announcements_by_the_data_month():
    policy = PolicySpec.model_validate({"treasury_cash": {"announced": True, "sd": 100}})
    dates = pd.date_range("2025-12-01", "2026-06-01", freq="MS")
    # policy/treasury-cash-balance.yaml: the release of 2025-11-03 assumes 850 for the end of
    # 2025Q4 and of 2026Q1; 2026Q2 (900) was first announced on 2026-02-02
    conds, note = treasury_cash_conditions(policy, "2025-11", dates)
    assert set(conds) == {"treasury_cash_2025Q4", "treasury_cash_2026Q1"}
    q4 = conds["treasury_cash_2025Q4"]
    assert q4.variable == "tga" and q4.kind == "soft" and q4.sd == 100
    assert (q4.path[0].start, q4.path[0].end, q4.path[0].level) == ("2025-12", "2025-12", 850)
    assert conds["treasury_cash_2026Q1"].path[0].start == "2026-03"
    later, _ = treasury_cash_conditions(policy, "2026-02", dates)
    assert later["treasury_cash_2026Q2"].path[0].level == 900
    assert "2025Q4 850" in note
