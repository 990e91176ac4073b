"""The bundled catalogue, user extensions, validation, and the safe formula parser."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fiscalcliff.data import Catalogue, SeriesSpec, load_catalogue
from fiscalcliff.data.formula import Formula, FormulaError
from fiscalcliff.errors import ConfigError, DataError

REQUIRED = {
    # name: (source id or formula, units)
    "fed_assets": ("WALCL", "$bn"),
    "fed_securities": ("fed_treasuries + fed_mbs", "$bn"),
    "reserves": ("WRESBAL", "$bn"),
    "tga": ("WTREGEN", "$bn"),
    "rrp": ("RRPONTSYD", "$bn"),
    "other_absorbing": ("fed_assets - reserves - tga - rrp", "$bn"),
    "policy_rate": ("EFFR", "percent"),
    "bill_3m": ("DGS3MO", "percent"),
    "yield_2y": ("DGS2", "percent"),
    "yield_10y": ("DGS10", "percent"),
    "deficit_12m": ("MTSDS133FMS", "$bn"),
    "deficit": ("MTSDS133FMS", "$bn"),
    "net_issuance": ("DTS_MKT_NET_ISSUANCE", "$bn"),
    "debt_public": ("FYGFDPUN", "$bn"),
    "tariff_rate": ("TARIFF_ETR_CUSTOMS", "percent"),
    "tariff_rate_statutory": ("TARIFF_ETR_YALE", "percent"),
    "inflation": ("CPIAUCSL", "percent"),
    "unemployment": ("UNRATE", "percent"),
    "currency": ("CURRCIR", "$bn"),
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_required_entries() -> None:
    catalogue = load_catalogue()
    for name, (what, units) in REQUIRED.items():
        spec = catalogue[name]
        assert (spec.source or spec.formula) == what, name
        assert spec.units == units, name
        assert spec.description, name


def test_entries_carry_the_documented_rules() -> None:
    c = load_catalogue()
    # $mn source units -> $bn; deficit sign flipped (MTSDS133FMS is negative for a deficit)
    assert c["fed_assets"].scale == 0.001 and c["tga"].scale == 0.001
    assert c["deficit"].scale == -0.001 and c["deficit_12m"].scale == -0.001
    assert c["deficit_12m"].transform == "rolling_sum_12"
    assert c["rrp"].scale == 1.0 and c["rrp"].zero_before == "2013-10"
    assert c["net_issuance"].aggregate == "sum"
    assert c["debt_public"].fill == "ffill"
    # tariff_rate: the realised rate, already in percent and monthly in the source (SOURCES.md:
    # TARIFF_ETR_CUSTOMS, percent, monthly from 1982-01), so no scale and no back-fill
    assert c["tariff_rate"].scale == 1.0
    assert c["tariff_rate"].backfill_before is None and c["tariff_rate"].zero_before is None
    assert c["tariff_rate"].transform is None
    # the statutory Yale model rate: a daily fraction (SOURCES.md: TARIFF_ETR_YALE, 0.10 = 10%),
    # averaged over the month, x100 to percent; it starts 2025-01 and is not back-filled
    assert c["tariff_rate_statutory"].scale == 100
    assert c["tariff_rate_statutory"].aggregate == "mean"
    assert c["tariff_rate_statutory"].backfill_before is None
    assert c["tariff_rate_statutory"].zero_before is None
    assert c["inflation"].transform == "pct_change_12"
    assert c.source_ids("fed_securities") == ("TREAST", "WSHOMCB")


def test_bundled_catalogue_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(DataError, match=r"unknown series 'fed_asset' \(closest: fed_assets"):
        load_catalogue().spec("fed_asset")


def test_extra_entries_are_merged(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
series:
  sofr_spread:
    formula: sofr - policy_rate
    units: percent
    description: SOFR minus EFFR
  tga:
    source: TGA_DTS_CLOSE
    units: $bn
    scale: 0.001
    aggregate: last
""",
    )
    merged = load_catalogue(path)
    assert merged["sofr_spread"].dependencies == ("sofr", "policy_rate")
    assert merged["tga"].source == "TGA_DTS_CLOSE"  # user entry replaces the bundled one
    assert load_catalogue()["tga"].source == "WTREGEN"  # the bundled catalogue is untouched
    assert len(merged) == len(load_catalogue()) + 1


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "series:\n  x:\n    source: A\n    units: $bn\n    scael: 2\n")
    with pytest.raises(ConfigError, match=r"'x'\.scael: Extra inputs are not permitted"):
        load_catalogue(path)


def test_all_problems_are_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
series:
  both:
    source: A
    formula: a + b
    units: $bn
  neither:
    units: $bn
  bad_month:
    source: A
    units: $bn
    zero_before: 2013-13
  bad_agg:
    source: A
    units: $bn
    aggregate: median
""",
    )
    with pytest.raises(ConfigError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert str(path) in message
    for name in ("both", "neither", "bad_month", "bad_agg"):
        assert f"'{name}'" in message


@pytest.mark.parametrize(
    ("formula", "problem"),
    [
        ("fed_assets - nothing", "unknown name"),
        ("fed_assets - policy_rate", "mixes units"),
        ("fed_assets ** 2", "unexpected"),
        ("fed_assets * 2 - policy_rate", "mixes units"),
        ("__import__('os').system('true')", "only names, numbers"),
        ("(fed_assets - tga", "missing"),
        ("1 + 2", "uses no series"),
    ],
)
def test_bad_formulas_are_rejected(tmp_path: Path, formula: str, problem: str) -> None:
    path = _write(tmp_path, f'series:\n  x:\n    formula: "{formula}"\n    units: $bn\n')
    with pytest.raises(ConfigError, match=problem):
        load_catalogue(path)


def test_formula_cycle_is_rejected() -> None:
    specs = [
        SeriesSpec(name="a", formula="b + 1", units="x"),
        SeriesSpec(name="b", formula="a - 1", units="x"),
    ]
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        Catalogue(specs)


def test_formula_rules_for_formula_entries() -> None:
    with pytest.raises(ValueError, match="source series only"):
        SeriesSpec(name="a", formula="b", units="x", aggregate="sum")
    with pytest.raises(ValueError, match="needs a source series"):
        SeriesSpec(name="a", formula="b", units="x", backfill_before={"month": "2020-01"})


def test_formula_parse_and_evaluate() -> None:
    f = Formula.parse("a - (b - -c) + 2.5e1 - a")
    assert f.names == ("a", "b", "c")
    assert f.evaluate({"a": 1.0, "b": 10.0, "c": 100.0}) == 1.0 - (10.0 + 100.0) + 25.0 - 1.0
    index = pd.date_range("2020-01-01", periods=2, freq="MS")
    s = f.evaluate({"a": pd.Series([1.0, 2.0], index), "b": 0.0, "c": pd.Series(1.0, index)})
    np.testing.assert_array_equal(s.to_numpy(), [24.0, 24.0])


def test_formula_products_and_quotients() -> None:
    share = Formula.parse("100 * bills / (bills + coupons)")
    assert not share.is_linear
    assert share.evaluate({"bills": 1.0, "coupons": 3.0}) == 25.0
    scaled = Formula.parse("a / 4 - 2 * (b - 1)")
    assert scaled.is_linear
    assert scaled.evaluate({"a": 8.0, "b": 3.0}) == 2.0 - 4.0


@pytest.mark.parametrize("text", ["", "a +", "a b", "a ** b", "a.b", "(a))", "lambda: 1", "a */ b"])
def test_formula_syntax_errors(text: str) -> None:
    with pytest.raises(FormulaError):
        Formula.parse(text)


def test_treasury_financing_series_follow_the_mspd_files(shared_data_dir: Path) -> None:
    """Bill share and net issuance computed here from the raw MSPD month-end stocks ($mn)."""
    from fiscalcliff.data import OfflineDirectorySource, load_panel

    source = OfflineDirectorySource(shared_data_dir)
    names = ["bills_outstanding", "bill_share", "bills_net", "coupons_net", "marketable_net"]
    frame = load_panel(names, source=source, start="2024-01", end="2026-05").frame

    def raw(sid: str) -> pd.Series:
        table = pd.read_csv(shared_data_dir / f"{sid}.csv", index_col="date", parse_dates=True)
        return table["value"] / 1000.0

    bills, marketable = raw("MSPD_BILLS"), raw("MSPD_MARKETABLE")
    month = pd.Timestamp("2026-05-01")
    previous = pd.Timestamp("2026-04-01")
    assert frame.loc[month, "bills_outstanding"] == pytest.approx(bills[month])
    assert frame.loc[month, "bill_share"] == pytest.approx(100 * bills[month] / marketable[month])
    assert frame.loc[month, "bills_net"] == pytest.approx(bills[month] - bills[previous])
    coupons_net = (marketable[month] - bills[month]) - (marketable[previous] - bills[previous])
    assert frame.loc[month, "coupons_net"] == pytest.approx(coupons_net)
    assert 15 < frame["bill_share"].min() < frame["bill_share"].max() < 30  # bills ~ a fifth
