"""One storage request on its way through the Swift emulation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from .access import Caller
from .paths import SwiftPath

if TYPE_CHECKING:
    from .service import SwiftService


@dataclass
class Call:
    """A request with its parsed path, its caller and the service's clock reading."""

    service: "SwiftService"
    request: Request
    path: SwiftPath
    caller: Caller
    # Query parameters in their WSGI (latin-1) form; see ``listing.text_param``.
    params: dict[str, str]
    now: float
    # Set when a temp URL signature authorized the request (owner headers stay hidden).
    temp_url: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.request.method

    @property
    def head(self) -> bool:
        """True for a HEAD request, whose response has no body."""
        return self.request.method == "HEAD"

    @property
    def settings(self) -> dict[str, Any]:
        """The sandbox settings (Swift's constraints among them)."""
        return self.service.state.settings

    @property
    def cluster(self) -> str:
        """The cluster: ``main`` or a region."""
        return self.path.cluster

    @property
    def account(self) -> str:
        """The account name without ``AUTH_``."""
        return self.path.account
