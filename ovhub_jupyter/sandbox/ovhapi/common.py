"""Helpers the API route modules share: dates, base URLs, and checks on the caller."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from werkzeug.wrappers import Request

from .responses import ApiError, bad_request
from .routing import Call


def iso_datetime(timestamp: float | None) -> str | None:
    """Format a Unix time the way the API does (ISO 8601 with an offset), or None."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(int(timestamp), timezone.utc).isoformat()


def parse_datetime(name: str, value: str) -> datetime:
    """Parse an ISO 8601 date or date-time query parameter; a value without offset is UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(bad_request(f"Invalid value for parameter {name}: {value!r} is not an ISO 8601 date")) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def request_base_url(request: Request) -> str:
    """Return the scheme and host the client used, so links it gets back reach it the same way."""
    host = request.environ.get("HTTP_HOST") or request.host
    return f"{request.scheme}://{host}"


def caller_account(call: Call) -> str:
    """Return the account the call acts for."""
    assert call.caller is not None, "route registered without signature"
    return call.caller.account


def optional_string(body: dict[str, Any], name: str) -> str | None:
    """Return ``body[name]`` when it is a string or absent; a 400 otherwise."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(bad_request(f"Invalid value for property {name}: expected a string"))
    return value
