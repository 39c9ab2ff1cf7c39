"""A small route table for the API: method and path template to handler.

Templates are written as in the API documentation (``/me/bill/{billId}``). Each
``{name}`` matches one path segment, which the handler receives percent-decoded as UTF-8
under that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote_to_bytes

from werkzeug.wrappers import Request

from .auth import Caller


def decode_segment(segment: str) -> str:
    """Percent-decode one raw path segment as UTF-8.

    WSGI hands the path over as latin-1 text, so a byte a client sent without
    percent-encoding comes back as that byte before decoding.
    """
    return unquote_to_bytes(segment.encode("latin-1", "replace")).decode("utf-8", "replace")


def split_path(path: str) -> list[str]:
    """Split a raw ``/a/b`` path into decoded segments, keeping empty ones (``//``, a trailing ``/``)."""
    return [decode_segment(segment) for segment in path.split("/")[1:]]


@dataclass
class Call:
    """The data a route handler receives for one API call."""

    request: Request
    caller: Caller | None
    # Path parameters by template name, decoded.
    params: dict[str, str]
    # Decoded JSON body of a POST or PUT, None when the request has no body.
    body: Any
    now: float

    @property
    def query(self) -> Any:
        """The query string parameters (a werkzeug ``MultiDict``)."""
        return self.request.args

    def body_object(self) -> dict[str, Any]:
        """Return the body as a JSON object; an absent body is an empty one."""
        from .responses import ApiError, bad_request

        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(bad_request("The request body must be a JSON object"))
        return self.body


Handler = Callable[[Call], Any]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    # False for the calls that carry no signature: /auth/time and /auth/credential.
    signed: bool = True
    segments: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.segments = self.template.split("/")[1:]

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """Return the path parameters when ``segments`` fit the template, else None."""
        if len(segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for expected, actual in zip(self.segments, segments):
            if expected.startswith("{") and expected.endswith("}"):
                if not actual:
                    return None
                params[expected[1:-1]] = actual
            elif expected != actual:
                return None
        return params


class Router:
    """Routes in the order added; a template with fewer parameters wins over one with more."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, signed: bool = True) -> None:
        self.routes.append(Route(method, template, handler, signed))

    def find(self, method: str, segments: list[str]) -> tuple[Route, dict[str, str]] | None:
        """Return the route for ``method`` and the decoded ``segments``, with its parameters."""
        best: tuple[Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method != method:
                continue
            params = route.match(segments)
            if params is not None and (best is None or len(params) < len(best[1])):
                best = (route, params)
        return best
