"""The "Why this default" table is the stored backtests' numbers, not hand-typed ones."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_committed_candidates_table_is_what_the_stored_backtests_give(tmp_path, capsys):
    script = runpy.run_path(str(ROOT / "docs" / "scripts" / "default_candidates.py"))
    out = tmp_path / "table.md"
    script["main"](out)
    committed = (ROOT / "docs" / "concepts" / "default-candidates.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed
    # the default's row is the first column and meets 13 of the 18 skill targets
    assert "| **skill targets met** | **13/18** |" in committed
