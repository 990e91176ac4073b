"""Adjusting shocks restricted to months: ``adjusting_shocks: [{shock: b, from: .., to: ..}]``.

The reference is independent of the conditioning code: the loadings of the conditioned entry on
each shock are found by simulating the VAR with one shock set to 1, and the minimum-norm
adjustment of the free shocks is solved with ``numpy.linalg.lstsq``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalcliff.errors import InputError
from fiscalcliff.forecasting.conditional import condition_shocks
from fiscalcliff.forecasting.paths import simulate_paths
from fiscalcliff.scenarios.conditions import adjusting_mask, build_conditions
from fiscalcliff.scenarios.spec import Condition, ScenarioSpec, ShockWindow
from test_conditional import make_var

DATES = pd.date_range("2027-01-01", periods=6, freq="MS")
NAMES = ["a", "b"]


def test_a_name_frees_every_month_and_a_window_only_its_own():
    mask = adjusting_mask(
        ["a", ShockWindow.model_validate({"shock": "b", "from": "2027-02", "to": "2027-03"})],
        DATES,
        NAMES,
    ).reshape(len(DATES), 2)
    assert mask[:, 0].all()
    assert mask[:, 1].tolist() == [False, True, True, False, False, False]


def test_windows_of_one_shock_add_up_and_default_to_the_horizon_ends():
    windows = [
        ShockWindow.model_validate({"shock": "b", "to": "2027-01"}),
        ShockWindow.model_validate({"shock": "b", "from": "2027-05"}),
    ]
    mask = adjusting_mask(windows, DATES, NAMES).reshape(len(DATES), 2)
    assert not mask[:, 0].any()
    assert mask[:, 1].tolist() == [True, False, False, False, True, True]


def test_a_window_outside_the_horizon_is_refused_naming_it():
    window = ShockWindow.model_validate({"shock": "b", "from": "2030-01"})
    with pytest.raises(InputError, match=r"adjusting_shocks\[1\] \(b\).*2030-01.*outside"):
        adjusting_mask(["a", window], DATES, NAMES)


def test_an_unknown_shock_in_a_window_is_refused_naming_the_shocks():
    with pytest.raises(InputError, match=r"nope not a shock.*a, b"):
        adjusting_mask([ShockWindow(shock="nope")], DATES, NAMES)


def test_the_file_form_reads_names_and_windows_and_records_them():
    spec = ScenarioSpec.model_validate(
        {
            "name": "w",
            "description": "d",
            "horizon": {"end": "2027-06"},
            "adjusting_shocks": ["a", {"shock": "b", "from": "2027-02", "to": "2027-03"}],
        }
    )
    windows = spec.adjusting_windows
    assert [w.describe() for w in windows] == ["a", "b (2027-02 to 2027-03)"]
    with pytest.raises(ValueError, match="is before"):
        ShockWindow.model_validate({"shock": "b", "from": "2027-03", "to": "2027-02"})


def test_a_windowed_shock_moves_only_in_its_months_by_the_minimum_norm_adjustment():
    rng = np.random.default_rng(3)
    n, h, k, p = 6, len(DATES), 2, 2
    layout, b, root, history = make_var(rng, n, k, p)
    x = np.zeros((h, 0))
    z = rng.standard_normal((n, h, k))
    paths = simulate_paths(b, root, history, x, z, layout)
    window = ShockWindow.model_validate({"shock": "b", "from": "2027-02", "to": "2027-04"})
    cond = Condition.model_validate(
        {"variable": "a", "path": [{"from": "2027-05", "to": "2027-06", "level": 1.5}]}
    )
    conds = build_conditions(
        {"c": cond},
        dates=DATES,
        endogenous=NAMES,
        identities=(),
        last_observed={"a": 0.0, "b": 0.0},
        adjusting_shocks=[window],
    )
    out = condition_shocks(z, paths, b, root, layout, conds, np.random.default_rng(0)).shocks
    free = np.zeros((h, k), bool)
    free[1:4, 1] = True
    np.testing.assert_array_equal(out[:, ~free], z[:, ~free])  # untouched outside the window
    met = simulate_paths(b, root, history, x, out, layout)
    np.testing.assert_allclose(met[:, 4:6, 0], 1.5, atol=1e-10)
    # reference: loadings of a in May and June on each free shock, by simulation
    cells = np.argwhere(free)
    for i in range(n):
        base = simulate_paths(b[i : i + 1], root[i : i + 1], history, x, z[i : i + 1], layout)
        g = np.empty((2, len(cells)))
        for j, (t, s) in enumerate(cells):
            bumped = z[i : i + 1].copy()
            bumped[0, t, s] += 1.0
            moved = simulate_paths(b[i : i + 1], root[i : i + 1], history, x, bumped, layout)
            g[:, j] = (moved - base)[0, 4:6, 0]
        gap = 1.5 - base[0, 4:6, 0]
        dz = np.linalg.lstsq(g, gap, rcond=None)[0]  # minimum-norm solution
        np.testing.assert_allclose(out[i][free] - z[i][free], dz, atol=1e-9)


def test_shocks_is_the_short_name_of_adjusting_shocks_in_files_and_the_api(tmp_path):
    from fiscalcliff.errors import ConfigError
    from fiscalcliff.scenarios.loader import load_scenario

    base = {"name": "w", "description": "d", "horizon": {"end": "2027-06"}}
    spec = ScenarioSpec.model_validate({**base, "shocks": ["a", {"shock": "b", "to": "2027-02"}]})
    assert [w.describe() for w in spec.adjusting_windows] == ["a", "b (start to 2027-02)"]
    with pytest.raises(ValueError, match="short name of 'adjusting_shocks'"):
        ScenarioSpec.model_validate({**base, "shocks": ["a"], "adjusting_shocks": ["a"]})

    (tmp_path / "p.yaml").write_text("name: p\n")
    head = "name: w\ndescription: d\npriors: p.yaml\nhorizon: {end: 2027-06}\n"
    short = tmp_path / "short.yaml"
    short.write_text(head + "shocks:\n  - tga\n  - {shock: rrp_demand, from: 2027-03}\n")
    assert [w.describe() for w in load_scenario(short).spec.adjusting_windows] == [
        "tga",
        "rrp_demand (2027-03 to end)",
    ]
    both = tmp_path / "both.yaml"
    both.write_text(head + "adjusting_shocks: [tga]\nshocks: [tga]\n")
    with pytest.raises(ConfigError, match=r"both\.yaml:6: shocks: .*short name.*keep one"):
        load_scenario(both)
    bad = tmp_path / "bad.yaml"
    bad.write_text(head + "shocks:\n  - tga\n  - {shock: tga, from: 2027-05, to: 2027-01}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml:7: .*is before"):
        load_scenario(bad)


@pytest.mark.parametrize("key", ["shocks", "adjusting_shocks"])
def test_messages_name_the_key_as_the_file_spells_it(tmp_path, key):
    from fiscalcliff.errors import ConfigError
    from fiscalcliff.scenarios.loader import load_scenario

    (tmp_path / "p.yaml").write_text("name: p\n")
    head = "name: w\ndescription: d\npriors: p.yaml\nhorizon: {end: 2027-06}\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text(head + f"{key}:\n  - tga\n  - {{shock: tga, from: 2027-13}}\n")
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    lines = str(info.value).splitlines()
    # one problem, at the window's line, under the file's own key; no "should be a valid
    # string" from the union's other branch (str | window)
    assert lines[0].endswith("1 problem(s) found"), lines
    assert lines[1].startswith(f"{bad}:7: {key}[1].from: ") or lines[1].startswith(
        f"bad.yaml:7: {key}[1].from: "
    ), lines
    assert "2027-13" in lines[1]

    late = tmp_path / "late.yaml"
    late.write_text(head + f"{key}:\n  - {{shock: tga, from: 2030-01}}\n")
    spec = load_scenario(late).spec
    assert spec.shocks_key == key
    assert "shocks_key" not in spec.model_dump()
    with pytest.raises(InputError, match=rf"^{key}\[0\] \(tga\).*2030-01.*outside"):
        adjusting_mask(spec.adjusting_shocks, DATES, ["tga", "rrp"], spec.shocks_key)


def test_a_child_file_keeps_the_key_of_the_file_that_set_the_shocks(tmp_path):
    from fiscalcliff.scenarios.loader import load_scenario

    (tmp_path / "p.yaml").write_text("name: p\n")
    head = "description: d\npriors: p.yaml\nhorizon: {end: 2027-06}\n"
    (tmp_path / "base.yaml").write_text("name: b\n" + head + "shocks: [tga]\n")
    (tmp_path / "child.yaml").write_text("name: c\nextends: base.yaml\ndescription: e\n")
    (tmp_path / "long.yaml").write_text(
        "name: l\nextends: base.yaml\ndescription: e\nadjusting_shocks: [rrp]\n"
    )
    assert load_scenario(tmp_path / "child.yaml").spec.shocks_key == "shocks"
    assert load_scenario(tmp_path / "long.yaml").spec.shocks_key == "adjusting_shocks"
