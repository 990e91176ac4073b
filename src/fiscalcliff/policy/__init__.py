"""Announced policy: the vendored announcement files and the paths they imply in real time.

Typical use::

    from fiscalcliff.policy import fed_holdings_path, load_policy, treasury_cash_path

    policy = load_policy()                       # policy/ of the repository, validated
    path = fed_holdings_path(policy, "2025-11", "2025-12", 14,
                             {"treasuries": 4190.0, "mbs": 2060.0})
    path[["treasuries", "mbs", "total", "rule"]]

Only announcements dated on or before the last day of the as-of month are used
(:func:`announced_by`). Names are imported lazily, so ``import fiscalcliff.policy`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fiscalcliff.policy.loader import Policy, PolicyFile, load_policy
    from fiscalcliff.policy.paths import (
        announced_by,
        fed_holdings_path,
        holdings_rules,
        treasury_cash_path,
    )
    from fiscalcliff.policy.schema import CashBalanceAssumption, FedDecision

_EXPORTS = {
    "CashBalanceAssumption": "schema",
    "FedDecision": "schema",
    "Policy": "loader",
    "PolicyFile": "loader",
    "load_policy": "loader",
    "announced_by": "paths",
    "fed_holdings_path": "paths",
    "holdings_rules": "paths",
    "treasury_cash_path": "paths",
}

__all__ = [
    "CashBalanceAssumption",
    "FedDecision",
    "Policy",
    "PolicyFile",
    "announced_by",
    "fed_holdings_path",
    "holdings_rules",
    "load_policy",
    "treasury_cash_path",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
