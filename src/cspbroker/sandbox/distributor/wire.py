"""JSON on the wire with exact decimals.

Money and quantities are kept as `Decimal` inside the sandbox and written as JSON *numbers* (not strings, not
floats), the way PRISM returns them; clients parse them back with `json.loads(..., parse_float=Decimal)`.
The standard encoder cannot write a Decimal as a number without going through float, hence this writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response


def dumps(value: Any) -> str:
    """Serialise `value` as compact JSON; Decimals become exact JSON numbers."""
    return "".join(_encode(value))


def _encode(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            if index:
                yield ","
            yield json.dumps(str(key))
            yield ":"
            yield from _encode(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _encode(item)
        yield "]"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as a JSON number")
        yield format(value, "f")
    elif isinstance(value, datetime | date):
        yield json.dumps(value.isoformat())
    else:
        yield json.dumps(value)


class DecimalJSONResponse(Response):
    """A JSON response whose Decimals stay exact."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")


def loads(raw: bytes | str) -> Any:
    """Parse a request body, reading non-integer numbers as Decimal."""
    return json.loads(raw, parse_float=Decimal)
