"""The announced-policy layer: vendored files, schema, real-time selection, paths and the CLI.

Expected numbers come from the announcements themselves (quoted next to each test), not from the
code under test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fiscalcliff.errors import ConfigError, InputError
from fiscalcliff.policy import (
    announced_by,
    fed_holdings_path,
    holdings_rules,
    load_policy,
    treasury_cash_path,
)
from fiscalcliff.policy import loader as policy_loader

POLICY_DIR = Path(__file__).resolve().parents[1] / "policy"
FED = "fed-balance-sheet.yaml"
TSY = "treasury-cash-balance.yaml"
LEVEL = {"treasuries": 4200.0, "mbs": 2050.0}


@pytest.fixture(scope="module")
def policy():
    return load_policy(POLICY_DIR)


@pytest.fixture
def copy_dir(tmp_path) -> Path:
    """A writable copy of the vendored policy directory."""
    target = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, target)
    return target


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line(path: Path, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing *needle* (after the line containing *after*)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    begin = 0 if after is None else next(i for i, t in enumerate(lines) if after in t)
    return next(i for i, t in enumerate(lines) if i >= begin and needle in t) + 1


def _entry_yaml(**fields) -> str:
    base = {
        "id": "2025-11-20-user-purchases",
        "announced": "2025-11-20",
        "effective": '"2026-03"',
        "until": "null",
        "kind": "purchases",
        "action": "start",
        "direction": "increase",
        "basis": "pace",
        "monthly_bn": "{treasuries: 50, agency: null, bills: null}",
        "quote": "A hypothetical purchase programme of $50 billion a month of Treasuries.",
        "source_quality": "secondary",
    }
    base.update(fields)
    body = "\n".join(f"  {k}: {v}" for k, v in base.items())
    return f"- {body[2:]}\n  sources:\n  - where: test\n    what: a test entry\n"


# ---------------------------------------------------------------------------
# files and schema
# ---------------------------------------------------------------------------


def test_vendored_files_validate_with_the_counts_of_their_readme(policy):
    # policy/README.md: "fed-balance-sheet.yaml | 51 | 2008-11-25 to 2026-02-12" and
    # "treasury-cash-balance.yaml | 152 (76 releases x 2 quarters) | 2007-10-29 to 2026-08-03"
    assert len(policy.fed) == 51
    assert len(policy.treasury) == 152
    assert min(e.announced for e in policy.fed) == dt.date(2008, 11, 25)
    assert max(e.announced for e in policy.fed) == dt.date(2026, 2, 12)
    assert min(e.announced for e in policy.treasury) == dt.date(2007, 10, 29)
    assert max(e.announced for e in policy.treasury) == dt.date(2026, 8, 3)
    assert len({e.id for e in policy.fed}) == 51
    assert {f.path.name for f in policy.files} == {FED, TSY}
    assert all(re.fullmatch(r"[0-9a-f]{64}", f.sha256) for f in policy.files)


def test_vendored_readme_says_where_it_came_from():
    text = (POLICY_DIR / "README.md").read_text(encoding="utf-8")
    assert "copied verbatim from `../shared/policy/`" in text.split("\n\n")[0].replace("\n> ", " ")
    assert "You may add entries" in text


def test_default_directory_is_the_repository_policy_folder(monkeypatch, copy_dir):
    monkeypatch.delenv(policy_loader.POLICY_DIR_ENV, raising=False)
    assert load_policy().directory == POLICY_DIR.resolve()
    (copy_dir / TSY).unlink()
    monkeypatch.setenv(policy_loader.POLICY_DIR_ENV, str(copy_dir))
    assert load_policy().directory == copy_dir.resolve()
    assert load_policy().treasury == ()


def test_missing_default_directory_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv(policy_loader.POLICY_DIR_ENV, raising=False)
    monkeypatch.setattr(policy_loader, "DEFAULT_POLICY_DIR", tmp_path / "nowhere")
    with pytest.raises(InputError, match=r"policy/ of the repository.*--policy-dir DIR"):
        load_policy()
    monkeypatch.setenv(policy_loader.POLICY_DIR_ENV, str(tmp_path / "gone"))
    with pytest.raises(InputError, match=r"\$FISCALCLIFF_POLICY_DIR=.*gone"):
        load_policy()
    with pytest.raises(InputError, match="does not exist"):
        load_policy(tmp_path / "gone")


def test_a_file_of_unknown_content_is_refused(copy_dir):
    (copy_dir / "notes.yaml").write_text("[]\n")
    with pytest.raises(InputError, match=r"notes\.yaml.*fed-\*\.yaml"):
        load_policy(copy_dir)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "kind: end of runoff\n  action: end\n",
            "kind: end of QT\n  action: end\n",
            "kind: end of QT",
            r"\[48\]\.kind: Input should be 'purchases', 'reinvestment', 'runoff caps'",
        ),
        (
            'effective: "2025-12"\n  until: null\n  kind: end of runoff',
            'effective: "2025-12"\n  until: "2025-11"\n  kind: end of runoff',
            "- id: 2025-10-29-conclude-runoff-dec1",
            r"\[48\]: Value error, until \(2025-11\) is before effective \(2025-12\)",
        ),
        (
            "  quote: The Committee decided to conclude the reduction of its aggregate securities "
            "holdings on December 1.\n",
            "",
            "- id: 2025-10-29-conclude-runoff-dec1",
            r"\[48\]: missing required key 'quote'",
        ),
        (
            "  quote: The Committee decided to conclude",
            "  quote: ' '\n  note2: The Committee decided to conclude",
            "quote: ' '",
            r"\[48\]\.quote: String should have at least 1 character",
        ),
        (
            "monthly_bn: {treasuries: 5, agency: 35, bills: null}",
            "monthly_bn: {treasuries: .nan, agency: 35, bills: null}",
            "treasuries: .nan",
            r"\[47\]\.monthly_bn\.treasuries: Input should be a finite number",
        ),
        (
            "monthly_bn: {treasuries: 5, agency: 35, bills: null}",
            "monthly_bn: {treasuries: -5, agency: 35, bills: null}",
            "treasuries: -5",
            r"\[47\]\.monthly_bn\.treasuries: Input should be greater than or equal to 0",
        ),
        (
            "  source_quality: mixed\n  sources:\n",
            "  source_quality: mixed\n  sources: []\n  sources_old:\n",
            "sources: []",
            r"\[49\]\.sources: Tuple should have at least 1 item",
        ),
        (
            "  quote: She said officials",
            "  qoute: She said officials",
            "qoute: She said",
            r"\[50\]\.qoute: unknown key 'qoute' \(did you mean 'quote'\?\)",
        ),
        (
            "announced: 2025-03-19\n",
            "announced: 2025-03-20\n",
            "- id: 2025-03-19-treasury-cap-5",
            r"\[47\]: Value error, id '2025-03-19-treasury-cap-5' does not start with its "
            "announced date 2025-03-20",
        ),
    ],
    ids=[
        "unknown-kind",
        "until-before-effective",
        "missing-quote",
        "blank-quote",
        "nan-amount",
        "negative-cap",
        "no-source",
        "misspelt-key",
        "id-date",
    ],
)
def test_bad_fed_file_fails_with_file_and_line(copy_dir, old, new, at, message):
    path = copy_dir / FED
    _edit(path, old, new)
    line = _line(path, at)
    with pytest.raises(ConfigError) as info:
        load_policy(copy_dir)
    text = str(info.value)
    assert re.search(rf"{re.escape(str(path))}:{line}: {message}", text), text


def test_duplicate_id_across_files_names_both_places(copy_dir):
    user = copy_dir / "fed-user.yaml"
    user.write_text(
        "# my additions\n"
        + _entry_yaml(id="2025-10-29-conclude-runoff-dec1", announced="2025-10-29")
    )
    first = _line(copy_dir / FED, "- id: 2025-10-29-conclude-runoff-dec1")
    with pytest.raises(ConfigError) as info:
        load_policy(copy_dir)
    assert (
        f"{user}:2: [0].id: duplicate id '2025-10-29-conclude-runoff-dec1' "
        f"(first at {copy_dir / FED}:{first})"
    ) in str(info.value)


def test_every_problem_of_every_file_is_reported_at_once(copy_dir):
    _edit(copy_dir / FED, "kind: end of runoff\n", "kind: end of QT\n")
    _edit(copy_dir / FED, "basis: approximately", "basis: roughly")
    _edit(copy_dir / TSY, "cash_balance_bn: 850", "cash_balance_bn: -850")
    with pytest.raises(ConfigError) as info:
        load_policy(copy_dir)
    text = str(info.value)
    assert f"{copy_dir / FED}: 2 problem(s) found" in text
    assert f"{copy_dir / TSY}: 1 problem(s) found" in text
    assert f"{copy_dir / TSY}:{_line(copy_dir / TSY, 'cash_balance_bn: -850')}:" in text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "quarter: 2025Q2\n  quarter_end: 2025-06-30\n  horizon: next",
            "quarter: 2025Q2\n  quarter_end: 2025-06-30\n  horizon: current",
            r"horizon 'current' of a release of 2025-02-03 is 2025Q1, not 2025Q2",
        ),
        (
            "quarter_end: 2025-12-31",
            "quarter_end: 2025-12-30",
            r"quarter_end of 2025Q4 is 2025-12-31, not 2025-12-30",
        ),
        ("sfp_included_bn: 260", "sfp_included_bn: 360", r"sfp_included_bn \(360.0\) exceeds"),
        (
            "borrowing_concept: privately-held net marketable borrowing",
            "borrowing_concept: gross borrowing",
            r"Input should be 'net marketable borrowing'",
        ),
    ],
    ids=["horizon", "quarter-end", "sfp", "concept"],
)
def test_bad_treasury_file_fails_with_file_and_line(copy_dir, old, new, message):
    path = copy_dir / TSY
    _edit(path, old, new)
    with pytest.raises(ConfigError) as info:
        load_policy(copy_dir)
    assert re.search(rf"{re.escape(str(path))}:\d+: \[\d+\][.a-z_]*: .*{message}", str(info.value))


def test_duplicate_treasury_assumption_is_refused(copy_dir):
    text = (copy_dir / TSY).read_text(encoding="utf-8")
    block = text[text.index("- announced: 2025-11-03") :].split("\n\n")[0]
    (copy_dir / "treasury-user.yaml").write_text(block + "\n")
    with pytest.raises(
        ConfigError,
        match=r"treasury-user\.yaml:2: \[0\]\.quarter: a second "
        r"assumption for 2025Q4 from the release of 2025-11-03",
    ):
        load_policy(copy_dir)


# ---------------------------------------------------------------------------
# real time: later announcements never matter
# ---------------------------------------------------------------------------


def _perturbed(policy, as_of: str):
    """Every entry announced after *as_of* changed beyond recognition, plus a new one."""
    last_day = pd.Period(as_of, "M").end_time.date()
    wild = {"treasuries": 999.0, "agency": 777.0, "bills": 555.0}
    fed = [
        e.model_copy(
            update={
                "monthly_bn": e.monthly_bn.model_copy(update=wild),
                "kind": "purchases",
                "basis": "pace",
                "effective": "2000-01",
                "until": None,
            }
        )
        if e.announced > last_day
        else e
        for e in policy.fed
    ]
    template = policy.fed[-1]
    fed.append(
        template.model_copy(
            update={
                "id": "later",
                "announced": last_day + dt.timedelta(days=1),
                "effective": "2000-01",
                "kind": "purchases",
                "basis": "pace",
                "issuer": "FOMC",
                "monthly_bn": template.monthly_bn.model_copy(update=wild),
            }
        )
    )
    tsy = [
        e.model_copy(update={"cash_balance_bn": 12345.0}) if e.announced > last_day else e
        for e in policy.treasury
    ]
    tsy.append(
        policy.treasury[-1].model_copy(
            update={
                "announced": last_day + dt.timedelta(days=1),
                "cash_balance_bn": 999.0,
            }
        )
    )
    return type(policy)(fed=tuple(fed), treasury=tuple(tsy))


@pytest.mark.parametrize(
    "as_of",
    [
        "2009-06",
        "2013-12",
        "2017-09",
        "2019-09",
        "2020-03",
        "2022-06",
        "2025-11",
        "2025-12",
        "2026-01",
    ],
)
def test_an_announcement_dated_after_the_as_of_month_never_affects_the_path(policy, as_of):
    changed = _perturbed(policy, as_of)
    start = str(pd.Period(as_of, "M") - 3)
    for kwargs in ({}, {"mbs_runoff_bn": 15.0}, {"decisions_only": False}):
        a = fed_holdings_path(policy, as_of, start, 24, LEVEL, **kwargs)
        b = fed_holdings_path(changed, as_of, start, 24, LEVEL, **kwargs)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert a[["treasuries", "mbs", "total"]].to_numpy().tobytes() == (
            b[["treasuries", "mbs", "total"]].to_numpy().tobytes()
        )
    months = pd.date_range(start, periods=24, freq="MS")
    pd.testing.assert_frame_equal(
        treasury_cash_path(policy, as_of, months),
        treasury_cash_path(changed, as_of, months),
        check_exact=True,
    )
    # and the perturbation is visible once the as-of month has passed it
    later = str(pd.Period(as_of, "M") + 1)
    assert not fed_holdings_path(changed, later, start, 24, LEVEL).equals(
        fed_holdings_path(policy, later, start, 24, LEVEL)
    )


def test_a_later_entry_in_a_user_file_is_invisible_until_announced(policy, copy_dir):
    # announced 2025-12-20, after the as-of month 2025-11 (and after the 2025-12-10 RMPs)
    (copy_dir / "fed-user.yaml").write_text(
        _entry_yaml(id="2025-12-20-user-qe", announced="2025-12-20", effective='"2025-12"')
    )
    user = load_policy(copy_dir)
    a = fed_holdings_path(policy, "2025-11", "2025-12", 14, LEVEL)
    b = fed_holdings_path(user, "2025-11", "2025-12", 14, LEVEL)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not fed_holdings_path(user, "2025-12", "2025-12", 14, LEVEL).equals(
        fed_holdings_path(policy, "2025-12", "2025-12", 14, LEVEL)
    )


def test_rules_only_name_entries_announced_by_the_as_of_month(policy):
    announced = {e.id: e.announced for e in policy.fed}
    for as_of in pd.period_range("2008-06", "2026-10", freq="4M"):
        rules = holdings_rules(policy, str(as_of), str(as_of + 1), 12)
        ids = set(rules["treasuries_entry"]) | set(rules["mbs_entry"])
        ids.discard("")
        assert all(announced[i] <= as_of.end_time.date() for i in ids), (as_of, ids)


def test_announced_by_keeps_entries_to_the_last_day_of_the_month(policy):
    nov = announced_by(policy, "2025-11")
    assert nov.as_of == "2025-11"
    assert max(e.announced for e in nov.fed) == dt.date(2025, 10, 29)
    assert max(e.announced for e in nov.treasury) == dt.date(2025, 11, 3)
    dec = announced_by(policy, "2025-12")
    assert "2025-12-10-reserve-management-purchases" in {e.id for e in dec.fed}
    # filtering again at a later month cannot bring entries back
    assert announced_by(nov, "2026-06").fed == nov.fed
    with pytest.raises(InputError, match="not a month"):
        announced_by(policy, "2025-13")
    with pytest.raises(InputError, match="not a month"):
        announced_by(policy, "2025/11")


# ---------------------------------------------------------------------------
# the paths
# ---------------------------------------------------------------------------


def test_as_of_2025_11_runoff_at_the_caps_then_total_flat_without_rmps(policy):
    # 2025-03-19: "Beginning in April, the Committee will slow the pace of decline of its
    # securities holdings by reducing the monthly redemption cap on Treasury securities from
    # $25 billion to $5 billion." (agency cap kept at $35 billion)
    # 2025-10-29: "The Committee decided to conclude the reduction of its aggregate securities
    # holdings on December 1." Agency principal is then reinvested in Treasury bills.
    # 2025-12-10 (RMPs) is after the as-of month.
    path = fed_holdings_path(policy, "2025-11", "2025-09", 14, LEVEL)
    t0, m0 = LEVEL["treasuries"], LEVEL["mbs"]
    runoff = path.loc["2025-09":"2025-11"]
    assert runoff["treasuries"].tolist() == [t0 - 5, t0 - 10, t0 - 15]
    assert runoff["mbs"].tolist() == [m0 - 35, m0 - 70, m0 - 105]
    assert runoff["rule"].str.startswith("2025-03-19-treasury-cap-5").all()
    flat = path.loc["2025-12":]
    assert (flat["total"] == t0 + m0 - 3 * 40).all()
    assert np.diff(flat["mbs"].to_numpy()).tolist() == [-35.0] * (len(flat) - 1)
    assert flat["treasuries"].iloc[0] == t0 - 15 + 35
    assert flat["rule"].str.startswith("2025-10-29-conclude-runoff-dec1").all()
    assert not path["rule"].str.contains("reserve-management").any()
    assert list(path.columns) == ["treasuries", "mbs", "total", "rule"]
    assert path.index.freqstr == "MS" and path.index.name == "date"
    assert path.index[0] == pd.Timestamp("2025-09-01")


def test_as_of_2025_12_reserve_management_purchases_appear(policy):
    # 2025-12-10: "will initiate purchases of shorter-term Treasury securities as needed to
    # maintain an ample supply of reserves"; initial amount about $40 billion (Reuters), on top
    # of the reinvestment of agency principal in bills (35 = the last agency cap).
    path = fed_holdings_path(policy, "2025-12", "2025-12", 6, LEVEL)
    assert np.diff(path["total"].to_numpy(), prepend=sum(LEVEL.values())).tolist() == [40.0] * 6
    assert np.diff(path["treasuries"].to_numpy(), prepend=LEVEL["treasuries"]).tolist() == (
        [75.0] * 6
    )
    assert np.diff(path["mbs"].to_numpy(), prepend=LEVEL["mbs"]).tolist() == [-35.0] * 6
    assert (
        path["rule"]
        .str.contains(
            "treasuries 2025-12-10-reserve-management-purchases: +40 "
            "bills, +35 MBS principal reinvested",
            regex=False,
        )
        .all()
    )


def test_the_2026_02_12_speech_is_ignored_unless_asked_for(policy):
    # 2026-02-12: issuer "NY Fed Desk (official speech, not an FOMC decision)"
    default = fed_holdings_path(policy, "2026-03", "2026-02", 6, LEVEL)
    assert not default["rule"].str.contains("2026-02-12").any()
    speech = fed_holdings_path(policy, "2026-03", "2026-02", 6, LEVEL, decisions_only=False)
    assert speech.loc["2026-02":"2026-04", "rule"].str.contains("2026-02-12-rmp-guidance").all()
    assert not speech.loc["2026-05":, "rule"].str.contains("2026-02-12").any()
    # "purchases to remain around elevated levels": the same $40bn as the December decision
    pd.testing.assert_frame_equal(default.drop(columns="rule"), speech.drop(columns="rule"))


def test_as_of_2022_06_the_qt_phase_in_caps_apply(policy):
    # 2022-05-04: "For Treasury securities, the cap will initially be set at $30 billion per
    # month and after three months will increase to $60 billion per month"; agency "$17.5 billion
    # per month ... after three months will increase to $35 billion per month". Runoff began
    # June 1, 2022.
    path = fed_holdings_path(policy, "2022-06", "2022-06", 6, LEVEL)
    dt_ = np.diff(path["treasuries"].to_numpy(), prepend=LEVEL["treasuries"])
    dm = np.diff(path["mbs"].to_numpy(), prepend=LEVEL["mbs"])
    assert dt_.tolist() == [-30.0, -30.0, -30.0, -60.0, -60.0, -60.0]
    assert dm.tolist() == [-17.5, -17.5, -17.5, -35.0, -35.0, -35.0]
    assert path.loc["2022-06":"2022-08", "rule"].str.startswith("2022-05-04-qt-caps-phase-in").all()
    assert path.loc["2022-09":, "rule"].str.startswith("2022-05-04-qt-caps-full").all()


def test_mbs_paydowns_below_the_cap(policy):
    # Perli (2025-03-05): MBS principal "running around $15 billion per month" vs a $35bn cap
    path = fed_holdings_path(policy, "2025-11", "2025-10", 4, LEVEL, mbs_runoff_bn=15)
    assert np.diff(path["mbs"].to_numpy(), prepend=LEVEL["mbs"]).tolist() == [-15.0] * 4
    assert np.diff(path["treasuries"].to_numpy(), prepend=LEVEL["treasuries"]).tolist() == [
        -5.0,
        -5.0,
        15.0,
        15.0,
    ]
    assert "paydowns below the cap of 35" in path["rule"].iloc[0]


def test_a_user_added_entry_changes_the_path_from_its_effective_month(policy, copy_dir):
    (copy_dir / "fed-user.yaml").write_text(_entry_yaml())  # +50 Treasuries a month from 2026-03
    user = load_policy(copy_dir)
    base = fed_holdings_path(policy, "2025-11", "2025-12", 8, LEVEL)
    mine = fed_holdings_path(user, "2025-11", "2025-12", 8, LEVEL)
    pd.testing.assert_frame_equal(base.loc[:"2026-02"], mine.loc[:"2026-02"], check_exact=True)
    assert (mine.loc["2026-03":, "total"] - base.loc["2026-03":, "total"]).tolist() == [
        50.0,
        100.0,
        150.0,
        200.0,
        250.0,
    ]
    assert (
        mine.loc["2026-03":, "rule"]
        .str.startswith("treasuries 2025-11-20-user-purchases: +50 a month")
        .all()
    )


def test_same_day_entries_later_file_wins(policy, copy_dir):
    # same announcement day as the 2025-10-29 decision: file order (name order) breaks the tie
    (copy_dir / "fed-user.yaml").write_text(
        _entry_yaml(id="2025-10-29-user-purchases", announced="2025-10-29", effective='"2025-12"')
    )
    path = fed_holdings_path(load_policy(copy_dir), "2025-11", "2025-12", 2, LEVEL)
    assert path["rule"].str.startswith("treasuries 2025-10-29-user-purchases").all()


def test_programme_totals_are_spread_over_their_months(policy):
    # 2009-03-18: "up to $300 billion of longer-term Treasury securities" and agency MBS "up to
    # $1.25 trillion this year"; effective 2009-03 until 2009-12: 10 months.
    path = fed_holdings_path(policy, "2009-03", "2009-04", 3, LEVEL)
    assert (
        np.diff(path["treasuries"].to_numpy(), prepend=LEVEL["treasuries"]).tolist() == [30.0] * 3
    )
    assert np.diff(path["mbs"].to_numpy(), prepend=LEVEL["mbs"]).tolist() == [125.0] * 3
    assert "total 300 spread over 10 months" in path["rule"].iloc[0]


def test_holdings_never_fall_below_zero_and_only_real_paydowns_are_reinvested(policy):
    path = fed_holdings_path(policy, "2025-11", "2025-10", 5, {"treasuries": 100.0, "mbs": 50.0})
    assert path["mbs"].tolist() == [15.0, 0.0, 0.0, 0.0, 0.0]
    # Nov: cap -5; Dec: MBS 0 left to reinvest: Treasuries stay; total flat from Dec
    assert path["treasuries"].tolist() == [95.0, 90.0, 90.0, 90.0, 90.0]


def test_after_the_last_entry_holdings_are_held(policy):
    # as of 2009-12 the Treasury purchases of 2009-03-18 end with 2009 ("until" 2009-12) and the
    # next entry that covers Treasuries, the QE1 completion of 2010-03-16, was not yet announced
    path = fed_holdings_path(policy, "2009-12", "2010-01", 3, LEVEL)
    assert path["treasuries"].tolist() == [LEVEL["treasuries"]] * 3
    assert path["rule"].str.contains("treasuries: held (no entry in force)", regex=False).all()
    # MBS: 2009-11-04 "a total of $1.25 trillion of agency mortgage-backed securities",
    # 2009-11..2010-03 (5 months)
    assert path["rule"].str.contains("mbs 2009-11-04-agency-debt-175: +250", regex=False).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": {"treasuries": 1.0}}, "keys 'treasuries' and 'mbs'"),
        ({"level": {"treasuries": -1.0, "mbs": 1.0}}, "finite and >= 0"),
        ({"level": {"treasuries": float("nan"), "mbs": 1.0}}, "finite and >= 0"),
        ({"level": {"treasuries": True, "mbs": 1.0}}, "must be a number"),
        ({"months": 0}, "months must be an integer"),
        ({"start": "2025"}, "start='2025' is not a month"),
        ({"mbs_runoff_bn": -1}, "mbs_runoff_bn must be finite"),
    ],
)
def test_bad_arguments_are_input_errors(policy, kwargs, message):
    args = {"as_of": "2025-11", "start": "2025-12", "months": 3, "level": LEVEL}
    with pytest.raises(InputError, match=re.escape(message)):
        fed_holdings_path(policy, **{**args, **kwargs})


def test_the_docs_example_entry_loads_and_acts_from_its_effective_month(policy, copy_dir):
    page = Path(__file__).resolve().parents[1] / "docs" / "concepts" / "announced-policy.md"
    block = page.read_text(encoding="utf-8").split("```yaml\n")[1].split("```")[0]
    (copy_dir / "fed-docs-example.yaml").write_text(block, encoding="utf-8")
    mine = load_policy(copy_dir)
    base = fed_holdings_path(policy, "2026-12", "2026-11", 4, LEVEL)
    new = fed_holdings_path(mine, "2026-12", "2026-11", 4, LEVEL)
    # from 2027-01 Treasuries rise by the new $50bn a month instead of the $40bn of the
    # 2025-12-10 reserve management purchases: the latest announcement wins for Treasuries
    assert (new["total"] - base["total"]).tolist() == [0.0, 0.0, 10.0, 20.0]
    assert np.diff(new["total"].to_numpy()).tolist() == [40.0, 50.0, 50.0]
    pd.testing.assert_frame_equal(
        fed_holdings_path(mine, "2026-11", "2026-11", 4, LEVEL), base, check_exact=True
    )


# ---------------------------------------------------------------------------
# Treasury cash balance
# ---------------------------------------------------------------------------


def test_treasury_cash_as_of_2025_11_is_the_2025_11_03_release(policy):
    # 2025-11-03: "assuming an end-of-December cash balance of $850 billion" (2025Q4) and
    # "assuming an end-of-March cash balance of $850 billion" (2026Q1)
    months = pd.date_range("2025-10", periods=9, freq="MS")
    cash = treasury_cash_path(policy, "2025-11", months)
    assert cash.loc["2025-12-01", "tga"] == 850.0
    assert cash.loc["2026-03-01", "tga"] == 850.0
    assert cash.loc["2025-12-01", "announced"] == dt.date(2025, 11, 3)
    assert cash.loc["2026-03-01", "announced"] == dt.date(2025, 11, 3)
    assert cash.loc["2026-03-01", "quarter"] == "2026Q1"
    # not quarter ends, or no assumption yet (2026Q2 first appears in the 2026-02-02 release)
    assert cash["tga"].isna().tolist() == [True, True, False, True, True, False, True, True, True]
    assert cash.index.equals(pd.DatetimeIndex(months, name="date"))


def test_treasury_cash_latest_release_wins(policy):
    # 2021-02-01: "assuming an end-of-June cash balance of $500 billion";
    # 2021-05-03: "assuming an end-of-June cash balance of $800 billion"
    assert treasury_cash_path(policy, "2021-04", ["2021-06"])["tga"].tolist() == [500.0]
    assert treasury_cash_path(policy, "2021-05", ["2021-06"])["tga"].tolist() == [800.0]


def test_treasury_cash_excludes_the_supplementary_financing_program(policy):
    # 2009-02-02: "an end-of-March cash balance of $225 billion, which includes $200 billion for
    # the Supplementary Financing Program (SFP)"; 2008-11-03: end-of-March $75 billion, no SFP
    feb = treasury_cash_path(policy, "2009-02", ["2009-03"]).iloc[0]
    assert (feb["tga"], feb["stated"], feb["sfp"]) == (25.0, 225.0, 200.0)
    nov = treasury_cash_path(policy, "2008-11", ["2009-03"]).iloc[0]
    assert (nov["tga"], nov["sfp"]) == (75.0, 0.0)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _nov_2025_mean_bn(data_dir: Path, series: str) -> float:
    frame = pd.read_csv(data_dir / f"{series}.csv", parse_dates=["date"])
    inside = frame[(frame["date"] >= "2025-11-01") & (frame["date"] < "2025-12-01")]
    return inside["value"].mean() / 1000


def test_cli_policy_check_passes_on_the_vendored_files(cli):
    code, out, err = cli(["policy", "check", "--policy-dir", str(POLICY_DIR)])
    assert code == 0, err
    assert "OK" in out and "51 Fed decisions" in out and "152 Treasury" in out


def test_cli_policy_show(cli, shared_data_dir):
    code, out, err = cli(
        [
            "policy",
            "show",
            "--as-of",
            "2025-11",
            "--policy-dir",
            str(POLICY_DIR),
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert code == 0, err
    treasuries = _nov_2025_mean_bn(shared_data_dir, "TREAST")
    mbs = _nov_2025_mean_bn(shared_data_dir, "WSHOMCB")
    assert f"treasuries {treasuries:,.1f}, mbs {mbs:,.1f}" in out
    rows = [line for line in out.splitlines() if re.match(r"\d{4}-\d{2} ", line)]
    assert [r[:7] for r in rows] == [
        f"{m:%Y-%m}" for m in pd.date_range("2025-12", periods=14, freq="MS")
    ]
    # total flat at the November level from December (2025-10-29 decision)
    assert all(f"{treasuries + mbs:,.1f}  2025-10-29-conclude-runoff-dec1" in r for r in rows)
    assert "2025Q4: 850, release of 2025-11-03" in out
    assert "2026Q1: 850, release of 2025-11-03" in out


def test_cli_policy_show_notes_the_ignored_speech(cli, shared_data_dir):
    code, out, _ = cli(
        [
            "policy",
            "show",
            "--as-of",
            "2026-03",
            "--start",
            "2026-02",
            "--months",
            "3",
            "--data-dir",
            str(shared_data_dir),
        ]
    )
    assert code == 0
    assert "ignored (not an FOMC or Board decision): 2026-02-12-rmp-guidance" in out


def test_cli_broken_copy_exits_2_with_a_named_message(cli, copy_dir, shared_data_dir):
    _edit(
        copy_dir / FED, "kind: end of runoff\n  action: end\n", "kind: end of QT\n  action: end\n"
    )
    line = _line(copy_dir / FED, "kind: end of QT")
    for argv in (
        ["policy", "check", "--policy-dir", str(copy_dir)],
        [
            "policy",
            "show",
            "--as-of",
            "2025-11",
            "--policy-dir",
            str(copy_dir),
            "--data-dir",
            str(shared_data_dir),
        ],
    ):
        code, out, err = cli(argv)
        assert code == 2, (argv, out, err)
        assert f"{copy_dir / FED}:{line}: [48].kind: Input should be" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "2025-13"], "--as-of='2025-13' is not a month"),
        (["--as-of", "2025-11", "--months", "0"], "--months must be from 1"),
        (["--as-of", "2025-11", "--start", "2031-01"], "TREAST has no observation in 2030-12"),
        (["--as-of", "2025-11", "--mbs-runoff", "-3"], "--mbs-runoff must be"),
        (["--as-of", "2025-11", "--policy-dir", "/nonexistent/dir"], "does not exist"),
    ],
)
def test_cli_policy_show_bad_arguments(cli, shared_data_dir, argv, message):
    code, _, err = cli(["policy", "show", "--data-dir", str(shared_data_dir), *argv])
    assert code == 2, err
    assert message in err


def test_policy_files_are_parsed_once_until_one_changes(copy_dir):
    import os

    first = load_policy(copy_dir)
    assert load_policy(copy_dir) is first  # unchanged files: the cached, immutable result
    fed = next(copy_dir.glob("fed-*.yaml"))
    before = len(first.fed)
    text = fed.read_text(encoding="utf-8")
    # drop the last entry: another size and modification time, so the files are read again
    cut = text.rstrip().rfind("\n- ")
    fed.write_text(text[:cut] + "\n", encoding="utf-8")
    stat = fed.stat()
    os.utime(fed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    again = load_policy(copy_dir)
    assert again is not first and len(again.fed) == before - 1
