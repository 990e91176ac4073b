"""``fiscalcliff policy``: the announced-policy baseline in real time, and a check of its files."""

from __future__ import annotations

import argparse

from fiscalcliff.errors import InputError

#: the H.4.1 series the starting level is read from ($mn, Wednesday levels)
LEVEL_SERIES = {"treasuries": "TREAST", "mbs": "WSHOMCB"}


def add_policy_parser(sub) -> None:
    """Register ``policy show`` and ``policy check`` on the CLI's subcommand parser."""
    pol = sub.add_parser(
        "policy",
        help="announced Fed balance-sheet and Treasury cash policy, as known at a month",
    )
    actions = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="the Fed holdings path and Treasury cash assumptions announced by --as-of",
    )
    show.add_argument(
        "--as-of",
        required=True,
        metavar="YYYY-MM",
        help="use only announcements made by the end of this month",
    )
    show.add_argument(
        "--start", metavar="YYYY-MM", help="first month of the path (default: after --as-of)"
    )
    show.add_argument(
        "--months", type=int, default=14, metavar="N", help="months to show (default 14)"
    )
    show.add_argument(
        "--mbs-runoff",
        type=float,
        metavar="BN",
        help="monthly MBS paydowns in $bn (default: the cap, a ceiling; realised paydowns "
        "were lower, about 15 in 2025)",
    )
    show.add_argument(
        "--include-non-decisions",
        action="store_true",
        help="also apply entries not decided by the FOMC or the Board (the 2026-02-12 speech)",
    )
    _add_policy_dir(show)
    show.add_argument(
        "--data-dir",
        metavar="DIR",
        help="read TREAST and WSHOMCB (the starting level) from DIR "
        "(default: $FISCALCLIFF_DATA_DIR, else live FRED)",
    )
    check = actions.add_parser("check", help="validate the announcement files")
    _add_policy_dir(check)


def _add_policy_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-dir",
        metavar="DIR",
        help="announcement files (fed-*.yaml, treasury-*.yaml) in DIR "
        "(default: $FISCALCLIFF_POLICY_DIR, else policy/ of the repository)",
    )


def policy_cmd(args: argparse.Namespace) -> int:
    """Run ``policy show`` or ``policy check``."""
    return {"show": _show, "check": _check}[args.policy_command](args)


def _check(args: argparse.Namespace) -> int:
    from fiscalcliff.policy import load_policy

    policy = load_policy(args.policy_dir)
    print(f"policy directory {policy.directory}: OK")
    for f in policy.files:
        what = "Fed decisions" if f.kind == "fed" else "Treasury cash-balance assumptions"
        print(f"  {f.path.name}: {f.entries} {what}")
    print(f"  {policy.summary()}")
    return 0


def starting_level(source, month) -> tuple[dict[str, float], int]:
    """Holdings in $bn in *month* (a ``pandas.Period``): monthly means of the Wednesday levels.

    Returns the levels and the number of weekly observations averaged (the fewest of the two).
    """
    level, counts = {}, []
    for component, series_id in LEVEL_SERIES.items():
        obs = source.fetch(series_id).observations
        inside = obs[obs.index.to_period("M") == month]
        if inside.empty:
            last = f"{obs.index[-1]:%Y-%m-%d}" if len(obs) else "no data"
            raise InputError(
                f"{series_id} has no observation in {month} (its data end {last}); the starting "
                "level is the month before --start: choose an earlier --start or --as-of"
            )
        level[component] = float(inside.mean()) / 1000.0
        counts.append(len(inside))
    return level, min(counts)


def _show(args: argparse.Namespace) -> int:
    import pandas as pd

    from fiscalcliff.cli.commands import _source
    from fiscalcliff.policy import announced_by, fed_holdings_path, load_policy, treasury_cash_path
    from fiscalcliff.policy.paths import DECISION_ISSUERS, MAX_MONTHS, parse_month

    as_of = parse_month(args.as_of, "--as-of")
    start = parse_month(args.start, "--start") if args.start else as_of + 1
    if not 1 <= args.months <= MAX_MONTHS:
        raise InputError(f"--months must be from 1 to {MAX_MONTHS} (got {args.months})")
    if args.mbs_runoff is not None and not (0 <= args.mbs_runoff < 1e6):
        raise InputError(f"--mbs-runoff must be a finite amount >= 0 $bn (got {args.mbs_runoff})")
    policy = load_policy(args.policy_dir)
    source = _source(args)
    level, weeks = starting_level(source, start - 1)
    path = fed_holdings_path(
        policy,
        str(as_of),
        str(start),
        args.months,
        level,
        mbs_runoff_bn=args.mbs_runoff,
        decisions_only=not args.include_non_decisions,
    )
    known = announced_by(policy, str(as_of))
    print(f"announced policy as of {as_of}: entries announced by {as_of.end_time.date()}")
    print(f"policy files: {policy.directory}; {known.summary()}")
    print(
        f"starting level {start - 1} (mean of {weeks} Wednesday levels of "
        f"{' and '.join(LEVEL_SERIES.values())}, $bn): treasuries {level['treasuries']:,.1f}, "
        f"mbs {level['mbs']:,.1f}, total {level['treasuries'] + level['mbs']:,.1f}"
    )
    print("\nFed securities holdings, $bn (treasuries include bills)")
    print(f"{'month':<8}{'treasuries':>11}{'mbs':>10}{'total':>10}  rule")
    for d, row in path.iterrows():
        print(
            f"{d:%Y-%m}  {row['treasuries']:>9,.1f}{row['mbs']:>10,.1f}{row['total']:>10,.1f}"
            f"  {row['rule']}"
        )
    notes = []
    if args.mbs_runoff is None:
        notes.append("runoff caps are ceilings: MBS fall by the cap unless --mbs-runoff BN")
    skipped = [e.id for e in known.fed if e.issuer not in DECISION_ISSUERS]
    if skipped and not args.include_non_decisions:
        notes.append(
            f"ignored (not an FOMC or Board decision): {', '.join(skipped)}; "
            "--include-non-decisions applies them"
        )
    for note in notes:
        print(f"note: {note}")

    months = pd.date_range(start.to_timestamp(), periods=args.months, freq="MS")
    cash = treasury_cash_path(policy, str(as_of), months)
    cash = cash[cash.index.month.isin((3, 6, 9, 12))]
    print("\nTreasury end-of-quarter cash balance assumptions in force (TGA, $bn)")
    if cash.empty:
        print("  (no quarter end in the path)")
    for _, row in cash.iterrows():
        if not row["quarter"]:
            print(f"  {_quarter(row.name)}: none announced by {as_of}")
            continue
        sfp = f" (stated {row['stated']:,.0f} less SFP {row['sfp']:,.0f})" if row["sfp"] else ""
        print(f"  {row['quarter']}: {row['tga']:,.0f}{sfp}, release of {row['announced']}")
    return 0


def _quarter(ts) -> str:
    return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
