"""load_panel on the real shared data: values, identities, sample rules and every error path."""

from __future__ import annotations

import csv
from pathlib import Path
from statistics import fmean

import numpy as np
import pandas as pd
import pytest

from fiscalcliff.data import (
    Catalogue,
    DataPanel,
    OfflineDirectorySource,
    SeriesRecord,
    SeriesSpec,
    load_panel,
)
from fiscalcliff.errors import DataError, InputError

HEADLINE = [
    "fed_assets", "tga", "rrp", "other_absorbing", "policy_rate", "bill_3m", "yield_10y",
    "deficit_12m", "tariff_rate",
]  # fmt: skip


@pytest.fixture(scope="module")
def source(shared_data_dir: Path) -> OfflineDirectorySource:
    return OfflineDirectorySource(shared_data_dir)


@pytest.fixture(scope="module")
def headline(source: OfflineDirectorySource) -> DataPanel:
    return load_panel(HEADLINE, source=source, start="2009-01")


def _rows(directory: Path, series_id: str) -> dict[str, float]:
    """The file read with the csv module alone: 'YYYY-MM-DD' -> value."""
    with open(directory / f"{series_id}.csv", newline="") as handle:
        return {date: float(value) for date, value in list(csv.reader(handle))[1:]}


def _in_month(rows: dict[str, float], month: str) -> list[float]:
    return [v for d, v in rows.items() if d.startswith(month)]


def _at(panel: DataPanel, name: str, month: str) -> float:
    return float(panel.frame.loc[pd.Timestamp(f"{month}-01"), name])


def test_headline_panel_shape_and_notes(headline: DataPanel) -> None:
    frame = headline.frame
    assert list(frame.columns) == HEADLINE
    assert frame.shape == (207, 9)  # 2009-01 .. 2026-03
    assert (headline.start, headline.end) == ("2009-01", "2026-03")
    assert headline.notes[0] == (
        "sample ends 2026-03: limited by tariff_rate (others run to 2026-07..2026-09)"
    )
    # Last complete months from the last rows of the raw files (SOURCES.md table): WALCL,
    # WRESBAL 2026-10-07; WTREGEN 2026-09-16 (September not complete); RRPONTSYD 2026-10-09;
    # EFFR, DGS10 2026-10-08; DGS3MO 2026-09-04; MTSDS133FMS 2026-07; TARIFF_ETR_CUSTOMS 2026-03.
    assert headline.last_dates == {
        "fed_assets": "2026-09",
        "tga": "2026-08",
        "rrp": "2026-09",
        "other_absorbing": "2026-08",  # limited by tga
        "policy_rate": "2026-09",
        "bill_3m": "2026-08",
        "yield_10y": "2026-09",
        "deficit_12m": "2026-07",
        "tariff_rate": "2026-03",
    }


def test_frame_layout(headline: DataPanel) -> None:
    frame = headline.frame
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.name == "date" and frame.index.freqstr == "MS"
    assert (frame.index.day == 1).all()
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert not frame.isna().any().any()
    assert set(headline.records) == set(HEADLINE)
    assert all(isinstance(r, SeriesRecord) for r in headline.records.values())


@pytest.mark.parametrize("month", ["2009-01", "2020-03", "2026-02"])
def test_fed_assets_is_mean_of_wednesday_levels(
    headline: DataPanel, shared_data_dir: Path, month: str
) -> None:
    weekly = _in_month(_rows(shared_data_dir, "WALCL"), month)
    assert 4 <= len(weekly) <= 5
    assert _at(headline, "fed_assets", month) == pytest.approx(fmean(weekly) / 1000, abs=1e-9)


def test_balance_sheet_identity_is_exact(source: OfflineDirectorySource) -> None:
    panel = load_panel(["fed_assets", "reserves", "tga", "rrp", "other_absorbing"], source=source)
    f = panel.frame
    total = f["other_absorbing"] + f["reserves"] + f["tga"] + f["rrp"]
    np.testing.assert_allclose(total, f["fed_assets"], rtol=0, atol=1e-9)
    assert panel.start == "2003-01"  # WALCL and WRESBAL start 2002-12-18: first full month
    assert panel.records["other_absorbing"].source_ids == (
        "WALCL",
        "WRESBAL",
        "WTREGEN",
        "RRPONTSYD",
    )
    assert panel.records["other_absorbing"].origin.startswith("derived (offline:")


def test_deficit_12m_matches_fiscal_years(
    source: OfflineDirectorySource, shared_data_dir: Path
) -> None:
    # SOURCES.md cross-check, in whole $mn: MTSDS133FMS summed over FY2025 = -1,775,369 (the
    # MTS Table 1 FY2025 total, -1,775,369.2, after the 2026 revisions of FY2025 months),
    # FY2024 = -1,827,728, FY2021 = -2,772,168. deficit_12m is positive for a deficit, in $bn.
    panel = load_panel(["deficit_12m", "deficit"], source=source, start="2020-10")
    assert _at(panel, "deficit_12m", "2025-09") == pytest.approx(1775.3692, abs=5e-4)
    assert _at(panel, "deficit_12m", "2024-09") == pytest.approx(1827.728, abs=5e-4)
    assert _at(panel, "deficit_12m", "2021-09") == pytest.approx(2772.168, abs=5e-4)
    # and exactly the fiscal-year sum of the monthly file
    mts = _rows(shared_data_dir, "MTSDS133FMS")
    fy2025 = [v for d, v in mts.items() if "2024-10-01" <= d <= "2025-09-01"]
    assert len(fy2025) == 12
    assert _at(panel, "deficit_12m", "2025-09") == pytest.approx(-sum(fy2025) / 1000, abs=1e-9)
    twelve = panel.frame.loc["2024-10-01":"2025-09-01", "deficit"].sum()
    assert twelve == pytest.approx(-sum(fy2025) / 1000, abs=1e-9)
    assert panel.records["deficit_12m"].transform == (
        "monthly values as published, x -0.001, 12-month rolling sum"
    )


def test_incomplete_last_month_is_absent(source: OfflineDirectorySource) -> None:
    # WALCL ends on 2026-10-07 (SOURCES.md), so October 2026 is not a complete month.
    panel = load_panel(["fed_assets"], source=source)
    assert panel.end == "2026-09"
    assert pd.Timestamp("2026-10-01") not in panel.frame.index
    assert any("2026-10 left out as incomplete" in n for n in panel.records["fed_assets"].notes)


def test_rrp_zero_before_facility(
    headline: DataPanel, shared_data_dir: Path, source: OfflineDirectorySource
) -> None:
    rrp = headline.frame["rrp"]
    assert (rrp[:"2013-09-01"] == 0.0).all()
    daily = _in_month(_rows(shared_data_dir, "RRPONTSYD"), "2021-06")
    assert _at(headline, "rrp", "2021-06") == pytest.approx(fmean(daily), abs=1e-9)
    october = _in_month(_rows(shared_data_dir, "RRPONTSYD"), "2013-10")
    assert fmean(october) > 0
    assert _at(headline, "rrp", "2013-10") == pytest.approx(fmean(october), abs=1e-9)
    assert any("set to 0 before 2013-10" in n for n in headline.records["rrp"].notes)
    # zero history reaches back before the source's first observation (2003-02-07)
    early = load_panel(["fed_assets", "rrp"], source=source, start="2003-01")
    assert early.start == "2003-01" and early.frame["rrp"].iloc[0] == 0.0


def test_tariff_rate_is_the_customs_rate_without_backfill(
    headline: DataPanel, shared_data_dir: Path, source: OfflineDirectorySource
) -> None:
    # SOURCES.md: TARIFF_ETR_CUSTOMS is 100 x customs duties / goods imports, in percent,
    # monthly 1982-01-01 .. 2026-03-01 (531 obs); tariff_rate takes it as published.
    rows = _rows(shared_data_dir, "TARIFF_ETR_CUSTOMS")
    window = headline.frame.index  # 2009-01 .. 2026-03
    expected = [rows[f"{m:%Y-%m-%d}"] for m in window]
    np.testing.assert_array_equal(headline.frame["tariff_rate"].to_numpy(), expected)
    # pre-2025 months are the file's own values, not one back-filled level
    assert headline.frame["tariff_rate"][:"2024-12-01"].nunique() > 100
    assert _at(headline, "tariff_rate", "2024-12") == rows["2024-12-01"]
    assert not any("backfill" in n for n in headline.notes)
    record = headline.records["tariff_rate"]
    assert record.source_ids == ("TARIFF_ETR_CUSTOMS",)
    assert record.first == "1982-01"
    assert not any("backfilled" in n for n in record.notes)
    alone = load_panel(["tariff_rate"], source=source)
    assert (alone.start, alone.end) == ("1982-01", "2026-03")
    assert len(alone.frame) == len(rows) == 531
    with pytest.raises(DataError, match=r"\(TARIFF_ETR_CUSTOMS\) starts 1982-01; start=1981-12"):
        load_panel(["tariff_rate"], source=source, start="1981-12")


def test_statutory_tariff_rate_is_the_yale_monthly_mean_without_backfill(
    source: OfflineDirectorySource, shared_data_dir: Path
) -> None:
    # SOURCES.md: TARIFF_ETR_YALE is a daily fraction, 2025-01-01 .. 2026-03-10, so the complete
    # months are 2025-01 .. 2026-02; nothing before 2025-01 is made up.
    rows = _rows(shared_data_dir, "TARIFF_ETR_YALE")
    panel = load_panel(["tariff_rate_statutory"], source=source)
    assert (panel.start, panel.end) == ("2025-01", "2026-02")
    for month in ("2025-01", "2025-04", "2026-02"):
        want = fmean(_in_month(rows, month)) * 100
        assert _at(panel, "tariff_rate_statutory", month) == pytest.approx(want, abs=1e-12)
    assert panel.records["tariff_rate_statutory"].first == "2025-01"
    assert not any("backfill" in n for n in panel.notes)
    with pytest.raises(DataError, match=r"\(TARIFF_ETR_YALE\) starts 2025-01; start=2024-12"):
        load_panel(["tariff_rate_statutory"], source=source, start="2024-12")


def test_backfill_rule(source: OfflineDirectorySource, shared_data_dir: Path) -> None:
    # backfill_before on the Yale file, as the catalogue's tariff_rate had it before it became
    # the customs rate: months before 2025-01 take the first observation (2025-01-01) x scale.
    spec = SeriesSpec(
        name="tariff_yale",
        source="TARIFF_ETR_YALE",
        units="percent",
        scale=100,
        aggregate="mean",
        backfill_before={"month": "2025-01"},
    )
    panel = load_panel(["tariff_yale"], source=source, catalogue=Catalogue([spec]), start="2009-01")
    rows = _rows(shared_data_dir, "TARIFF_ETR_YALE")
    first = rows["2025-01-01"] * 100  # the pre-2025 regime level in the Yale file
    assert (panel.frame["tariff_yale"][:"2024-12-01"] == first).all()
    assert len(panel.frame[:"2024-12-01"]) == 16 * 12  # 2009-01 .. 2024-12
    assert first == pytest.approx(2.546, abs=1e-3)
    jan = fmean(_in_month(rows, "2025-01")) * 100  # tariffs rose on 2025-01-27
    assert _at(panel, "tariff_yale", "2025-01") == pytest.approx(jan, abs=1e-12)
    assert (
        "tariff_yale: backfilled before 2025-01 with first value 2.55% (observation of "
        "2025-01-01)" in panel.notes
    )
    assert panel.records["tariff_yale"].first == "2025-01"


def test_compares_with_monthly_panel(headline: DataPanel, shared_data_dir: Path) -> None:
    panel = pd.read_csv(shared_data_dir / "monthly_panel.csv", index_col="date", parse_dates=True)
    window = headline.frame.index
    np.testing.assert_allclose(
        headline.frame["tga"], panel.loc[window, "WTREGEN"] / 1000, rtol=0, atol=1e-9
    )
    # DGS10 and EFFR are rounded to ~6 decimals in monthly_panel.csv
    np.testing.assert_allclose(
        headline.frame["yield_10y"], panel.loc[window, "DGS10"], rtol=0, atol=5e-7
    )
    np.testing.assert_allclose(
        headline.frame["policy_rate"], panel.loc[window, "EFFR"], rtol=0, atol=5e-7
    )


def test_fed_securities_and_debt(source: OfflineDirectorySource, shared_data_dir: Path) -> None:
    panel = load_panel(["fed_securities", "debt_public"], source=source, start="2024-01")
    treasuries = _in_month(_rows(shared_data_dir, "TREAST"), "2025-06")
    mbs = _in_month(_rows(shared_data_dir, "WSHOMCB"), "2025-06")
    expected = (fmean(treasuries) + fmean(mbs)) / 1000
    assert _at(panel, "fed_securities", "2025-06") == pytest.approx(expected, abs=1e-9)
    assert panel.records["fed_securities"].source_ids == ("TREAST", "WSHOMCB")
    debt = _rows(shared_data_dir, "FYGFDPUN")["2025-04-01"] / 1000
    assert [_at(panel, "debt_public", m) for m in ("2025-04", "2025-05", "2025-06")] == [debt] * 3
    assert panel.last_dates["debt_public"] == "2026-03"  # 2026Q1 filled over its quarter


def test_inflation_is_12_month_percent_change(
    source: OfflineDirectorySource, shared_data_dir: Path
) -> None:
    cpi = _rows(shared_data_dir, "CPIAUCSL")
    panel = load_panel(["inflation"], source=source, start="2024-01", end="2025-06")
    expected = 100 * (cpi["2024-06-01"] / cpi["2023-06-01"] - 1)
    assert _at(panel, "inflation", "2024-06") == pytest.approx(expected, abs=1e-12)
    assert panel.end == "2025-06"
    # CPIAUCSL ends 2026-08-01 (SOURCES.md)
    assert panel.notes[0] == "sample ends 2025-06: limited by end=2025-06 (series run to 2026-08)"


def test_end_is_an_as_of_month(source: OfflineDirectorySource) -> None:
    panel = load_panel(["fed_assets", "tga"], source=source, start="2020-01", end="2025-11-17")
    assert panel.end == "2025-11"
    # WALCL ends 2026-10-07, WTREGEN 2026-09-16 (SOURCES.md): last complete months 09 and 08
    assert panel.last_dates == {"fed_assets": "2026-09", "tga": "2026-08"}
    assert panel.notes[0] == (
        "sample ends 2025-11: limited by end=2025-11 (series run to 2026-08..2026-09)"
    )


def test_start_defaults_to_first_common_month(source: OfflineDirectorySource) -> None:
    panel = load_panel(["fed_assets", "iorb"], source=source)
    assert panel.start == "2021-08"  # IORB starts 2021-07-29: July is incomplete
    assert panel.notes[1] == (
        "sample starts 2021-08: first month where all series have data (limited by iorb)"
    )


def test_unknown_name_suggests(source: OfflineDirectorySource) -> None:
    with pytest.raises(DataError, match=r"unknown series 'fed_asset' \(closest: fed_assets"):
        load_panel(["fed_asset", "tga"], source=source)


def test_stale_series(source: OfflineDirectorySource) -> None:
    with pytest.raises(DataError) as info:
        load_panel(["fed_assets", "currency"], source=source)
    # CURRCIR ends 2024-11-01; WALCL's last complete month is 2026-09 (ends 2026-10-07)
    assert str(info.value) == (
        "series 'currency' (CURRCIR) ends 2024-11, 22 months behind the others (2026-09); "
        "drop it or raise max_staleness_months"
    )
    with pytest.raises(DataError, match="22 months behind"):
        load_panel(["fed_assets", "currency"], source=source, max_staleness_months=21)
    panel = load_panel(["fed_assets", "currency"], source=source, max_staleness_months=22)
    assert panel.end == "2024-11"
    assert panel.notes[0] == "sample ends 2024-11: limited by currency (others run to 2026-09)"
    # with an as-of month before the data ends, staleness is measured from that month
    with pytest.raises(DataError, match="ends 2024-11, 12 months behind the others \\(2025-11\\)"):
        load_panel(["fed_assets", "currency"], source=source, end="2025-11")


def test_real_gap_is_named(source: OfflineDirectorySource) -> None:
    # October 2025 CPI and unemployment were not published (2025 federal shutdown).
    with pytest.raises(DataError) as info:
        load_panel(["unemployment", "inflation", "tga"], source=source, start="2025-01")
    message = str(info.value)
    # sample end 2026-08: UNRATE runs to 2026-09, CPIAUCSL to 2026-08, WTREGEN to 2026-09-16
    assert "missing months inside the sample 2025-01..2026-08" in message
    assert "series 'unemployment' (UNRATE) has no value for 2025-10" in message
    assert "series 'inflation' (CPIAUCSL) has no value for 2025-10" in message


def test_gap_months_are_compressed(tmp_path: Path) -> None:
    months = pd.date_range("2012-01-01", "2014-12-01", freq="MS")
    missing = {"2013-02", "2013-03", "2013-04", "2013-05", "2014-01"}
    lines = ["date,value"] + [
        f"{m:%Y-%m-%d},{i}" for i, m in enumerate(months) if f"{m:%Y-%m}" not in missing
    ]
    (tmp_path / "X.csv").write_text("\n".join(lines) + "\n")
    catalogue = Catalogue([SeriesSpec(name="x", source="X", units="u")])
    with pytest.raises(DataError, match=r"'x' \(X\) has no value for 2013-02..2013-05, 2014-01"):
        load_panel(["x"], source=OfflineDirectorySource(tmp_path), catalogue=catalogue)
    # a sample that avoids the gaps is fine
    panel = load_panel(
        ["x"], source=OfflineDirectorySource(tmp_path), catalogue=catalogue, start="2014-02"
    )
    assert panel.frame.shape == (11, 1)


def test_interpolate_option_fills_only_listed_months(source: OfflineDirectorySource) -> None:
    spec = SeriesSpec(name="u", source="UNRATE", units="percent", interpolate=("2025-10",))
    panel = load_panel(["u"], source=source, catalogue=Catalogue([spec]), start="2025-01")
    assert _at(panel, "u", "2025-10") == pytest.approx((4.4 + 4.5) / 2, abs=1e-12)
    assert "u: missing in the source, linearly interpolated: 2025-10" in panel.notes


def test_start_before_first_observation(source: OfflineDirectorySource) -> None:
    with pytest.raises(DataError) as info:
        load_panel(["reserves", "iorb", "net_issuance"], source=source, start="2020-01")
    assert str(info.value) == (
        "series 'iorb' (IORB) starts 2021-08; start=2020-01 is earlier\n"
        "series 'net_issuance' (DTS_MKT_NET_ISSUANCE) starts 2021-07; start=2020-01 is earlier"
    )


def test_bad_arguments(source: OfflineDirectorySource) -> None:
    with pytest.raises(InputError, match="more than once: tga"):
        load_panel(["tga", "tga"], source=source)
    with pytest.raises(InputError, match="not the string"):
        load_panel("tga", source=source)
    with pytest.raises(InputError, match="start='2009'"):
        load_panel(["tga"], source=source, start="2009")
    with pytest.raises(DataError, match="empty sample"):
        load_panel(["tga", "currency"], source=source, start="2025-01", max_staleness_months=99)


def test_data_hash_is_stable(headline: DataPanel, shared_data_dir: Path) -> None:
    # the canonical serialisation itself is tested in tests/test_provenance.py
    again = load_panel(HEADLINE, source=OfflineDirectorySource(shared_data_dir), start="2009-01")
    assert again.data_hash == headline.data_hash
    pd.testing.assert_frame_equal(again.frame, headline.frame)


def test_data_hash_changes_with_a_value(tmp_path: Path) -> None:
    catalogue = Catalogue([SeriesSpec(name="x", source="X", units="u", scale=0.001)])
    text = "date,value\n2020-01-01,100\n2020-02-01,200\n2020-03-01,300\n"
    (tmp_path / "X.csv").write_text(text)
    before = load_panel(["x"], source=OfflineDirectorySource(tmp_path), catalogue=catalogue)
    (tmp_path / "X.csv").write_text(text.replace("200", "201"))
    after = load_panel(["x"], source=OfflineDirectorySource(tmp_path), catalogue=catalogue)
    assert before.data_hash != after.data_hash
    (tmp_path / "X.csv").write_text(text)
    assert (
        load_panel(["x"], source=OfflineDirectorySource(tmp_path), catalogue=catalogue).data_hash
        == before.data_hash
    )


def test_default_source_from_environment(
    monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path
) -> None:
    monkeypatch.setenv("FISCALCLIFF_DATA_DIR", str(shared_data_dir))
    panel = load_panel(["tga"], start="2025-01")
    assert panel.records["tga"].origin == f"offline:{shared_data_dir / 'WTREGEN.csv'}"
