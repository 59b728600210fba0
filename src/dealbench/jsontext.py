"""JSON for scripts and files: one rounding of figures for every command, file and shell.

The library objects keep full precision; what is written as JSON (`--json`, result.json,
comparison.json, sweep.json, a document's JSON) goes through `to_json`.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["JSON_DIGITS", "finite", "to_json"]

#: Significant digits of a figure in JSON: finer than anything the model resolves (the
#: checker's tolerances are 0.5 H100e, USD 10,000 and 1e-6 relative), coarser than the
#: float noise of the arithmetic (`149999.99999999997` is written `150000.0`).
JSON_DIGITS = 12


def to_json(data: Any) -> str:
    """Strict JSON (RFC 8259): figures to JSON_DIGITS, and null (never NaN) when not finite.

    The one place figures are rounded for scripts; the library objects keep full precision.
    """
    return json.dumps(finite(data), indent=2, ensure_ascii=False, allow_nan=False)


def finite(data: Any) -> Any:
    """`data` with every float to JSON_DIGITS significant digits, and None when not finite."""
    if isinstance(data, float):
        return float(f"{data:.{JSON_DIGITS}g}") if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data
