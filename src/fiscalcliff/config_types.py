"""Number types shared by the configuration schemas (prior files, scenario files).

YAML reads ``yes``/``no``/``on``/``off`` as booleans and pydantic's lax mode would turn them into
``1``/``0``; :data:`Int` and :data:`Real` refuse booleans instead. :data:`CONFIG` makes every
float field of a schema refuse ``.inf`` and ``.nan``. Ranges are set per field with ``Field``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

__all__ = ["CONFIG", "MAX_LEVEL", "Int", "Level", "Real"]


def _number_not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(
            f"expected a number, got {str(value).lower()} (YAML reads yes/no/on/off/true/false "
            "as booleans)"
        )
    return value


#: an integer that is not a boolean
Int = Annotated[int, BeforeValidator(_number_not_bool)]
#: a finite real number that is not a boolean
Real = Annotated[float, BeforeValidator(_number_not_bool), Field(allow_inf_nan=False)]

#: model configuration of every schema: unknown keys rejected, frozen, no inf/nan
CONFIG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

#: largest magnitude accepted for a level, change or bound in a scenario (values are in $bn or %)
MAX_LEVEL = 1e9
#: a finite level, change or bound: ``|x| <= MAX_LEVEL``
Level = Annotated[Real, Field(ge=-MAX_LEVEL, le=MAX_LEVEL)]
