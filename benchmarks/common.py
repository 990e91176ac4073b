"""Shared set-up of the benchmark scripts: the prior file and its data panel."""

from __future__ import annotations

from pathlib import Path

from fiscalcliff.data import DataPanel, default_source, load_panel
from fiscalcliff.model.spec import PriorFile, load_prior_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PRIORS = str(ROOT / "priors" / "default.yaml")


def load_model(priors: str) -> tuple[PriorFile, DataPanel]:
    """The prior file and its panel from the default source (``FISCALCLIFF_DATA_DIR``)."""
    spec = load_prior_file(priors)
    m = spec.model
    panel = load_panel(
        list(m.endogenous) + list(m.exogenous),
        source=default_source(),
        start=m.sample.start,
        end=m.sample.end,
    )
    return spec, panel
