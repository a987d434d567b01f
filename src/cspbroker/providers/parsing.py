"""Tolerant readers for provider JSON: money as Decimal, aware datetimes, enums that survive new values.

Providers add fields and enum values without notice (Partner Center's `disabled` and `expired`
subscription statuses broke several SDKs), so a reader never fails on an unexpected value: it
returns None / the enum's UNKNOWN member and the caller keeps the raw text alongside.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Self

__all__ = [
    "TolerantEnum",
    "as_bool",
    "as_decimal",
    "as_int",
    "as_list",
    "as_mapping",
    "as_str",
    "decode_json",
    "encode_json",
    "opt_bool",
    "opt_date",
    "opt_datetime",
    "opt_decimal",
    "opt_int",
    "opt_str",
    "str_tuple",
]

logger = logging.getLogger(__name__)


def decode_json(content: bytes) -> Any:
    """Decode a JSON body; numbers with a fraction become Decimal (never float).

    Partner Center prefixes some bodies with a UTF-8 byte-order mark, hence `utf-8-sig`.
    An empty body decodes to None.
    """
    text = content.decode("utf-8-sig")
    if not text.strip():
        return None
    return json.loads(text, parse_float=Decimal)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        # The stdlib encoder cannot write a Decimal as a JSON number without going through float,
        # so an exact decimal string is sent instead (no request we send carries money today).
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def encode_json(value: Any) -> bytes:
    """Encode a request body. Refuses floats so that money never travels as binary fractions."""
    _refuse_floats(value)
    return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False).encode()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in provider requests: use Decimal or int")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(item)


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def as_str(value: Any, default: str = "") -> str:
    text = opt_str(value)
    return default if text is None else text


def str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(text for text in (opt_str(item) for item in as_list(value)) if text is not None)


def opt_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_bool(value: Any, default: bool = False) -> bool:
    parsed = opt_bool(value)
    return default if parsed is None else parsed


def opt_decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as Decimal. Partner Center sends recon amounts as strings."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        raise TypeError("float reached a money parser: decode JSON with parse_float=Decimal")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            logger.warning("ignoring a non-numeric amount from a provider: %r", text[:40])
            return None
        return number if number.is_finite() else None
    return None


def as_decimal(value: Any, default: Decimal = Decimal(0)) -> Decimal:
    parsed = opt_decimal(value)
    return default if parsed is None else parsed


def opt_int(value: Any) -> int | None:
    number = opt_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def as_int(value: Any, default: int = 0) -> int:
    parsed = opt_int(value)
    return default if parsed is None else parsed


def opt_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime; a timestamp without offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        logger.warning("ignoring an unreadable timestamp from a provider: %r", value[:40])
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def opt_date(value: Any) -> date | None:
    """A calendar date, from `2024-09-13` or the date part of `2024-09-13T00:00:00Z` as written."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        logger.warning("ignoring an unreadable date from a provider: %r", text[:40])
        return None


class TolerantEnum(StrEnum):
    """A string enum that maps unknown values to its UNKNOWN member instead of raising.

    Matching ignores case, underscores and dashes, so `one_time`, `OneTime` and `onetime` are the
    same value. Subclasses must define `UNKNOWN = "unknown"`. Keep the raw text next to the enum
    when the value matters (models do: `status` and `status_raw`).
    """

    @classmethod
    def _missing_(cls, value: object) -> Self:
        wanted = _normalise(value)
        for member in cls:
            if _normalise(member.value) == wanted:
                return member
        return cls["UNKNOWN"]

    @classmethod
    def parse(cls, value: Any) -> Self:
        return cls(value) if isinstance(value, str) else cls["UNKNOWN"]


def _normalise(value: object) -> str:
    return str(value).strip().lower().replace("_", "").replace("-", "").replace(" ", "")
