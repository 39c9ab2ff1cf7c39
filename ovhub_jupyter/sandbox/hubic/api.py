"""hubiC's REST API under ``/1.0``: the account, its usage, Swift credentials and published links.

Every call needs ``Authorization: Bearer <access token>`` and a scope that grants the call's
perimeter and right. Token errors follow hubiC: 401 ``invalid_token`` with ``not found`` or
``expired``, 403 ``invalid_token`` with ``revoked``; a missing right is 400
``insufficient_scope``.

A published link is a public URL to one object that works for 1 to 30 days. Here it
points into the sandbox (``<base>/hubic/l/<id>``) and serves the object's bytes itself.
"""

from __future__ import annotations

import logging
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from werkzeug.wrappers import Request, Response

from ..state import SandboxState, Token
from . import pages
from .oauth import ACCESS_KIND
from .scopes import PERIMETERS, allows, parse_scope
from .wire import error_response, json_response, paris_time

logger = logging.getLogger(__name__)

# The quota of a hubiC free account: 25 GiB.
# NOTE: paid plans had 10 TB; the sandbox's demo account is a free one.
QUOTA_BYTES = 25 * 1024**3

# The demo account's creation date, in the format GET /account returned.
CREATION_DATE = "2013-06-22T20:19:42+02:00"

# Lifetimes a link may have, in days.
LINK_TTL_DAYS = (1, 5, 10, 15, 20, 25, 30)

# The Swift cluster that contains hubiC accounts.
CLUSTER = "main"

# Object headers a published link passes on from Swift.
LINK_HEADERS = ("content-type", "content-length", "etag", "last-modified")

_LINK_PREFIX = "/account/links/"


@dataclass
class Link:
    """A published link to one object."""

    link_id: str
    account: str
    container: str
    uri: str
    type: str
    mode: str
    comment: str
    ttl_days: int
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Route:
    """One API call: its handler and the perimeter and right it needs."""

    handler: Callable[[Request, Token, str], Response]
    perimeter: str
    right: str


class HubicApi:
    """The REST API calls and the published links they manage."""

    def __init__(self, state: SandboxState, swift: Any) -> None:
        self.state = state
        self.swift = swift
        self.user = state.demo["hubic"]
        self._lock = threading.Lock()
        self._links: dict[tuple[str, str], Link] = {}
        self._routes: dict[tuple[str, str], Route] = {
            ("GET", "/account"): Route(self.get_account, "account", "r"),
            ("GET", "/account/usage"): Route(self.get_usage, "usage", "r"),
            ("GET", "/account/credentials"): Route(self.get_credentials, "credentials", "r"),
            ("GET", "/account/links"): Route(self.list_links, "links", "r"),
            ("POST", "/account/links"): Route(self.publish_link, "links", "w"),
            ("GET", "/account/links/"): Route(self.get_link, "links", "r"),
            ("DELETE", "/account/links/"): Route(self.delete_link, "links", "d"),
            ("GET", "/account/getAllLinks"): Route(self.get_all_links, "getAllLinks", "r"),
            # NOTE: the scope /scope/scope needed is unverified; account.r is always granted.
            ("GET", "/scope/scope"): Route(self.get_scopes, "account", "r"),
        }

    def reset(self) -> None:
        """Forget every published link."""
        with self._lock:
            self._links.clear()

    # -- routing and authentication ------------------------------------------------------

    def handle(self, request: Request, path: str) -> Response:
        """Handle ``path``, the raw path after ``/1.0``."""
        route_path, argument = path, ""
        if path.startswith(_LINK_PREFIX):
            route_path, argument = _LINK_PREFIX, path[len(_LINK_PREFIX):]
        methods = [method for method, known in self._routes if known == route_path]
        if not methods:
            return error_response(404, "not_found", f"no API call at {path}")
        route = self._routes.get((request.method, route_path))
        if route is None:
            response = error_response(405, "invalid_request", f"use {' or '.join(methods)}")
            response.headers["Allow"] = ", ".join(methods)
            return response

        token, failure = self._authenticate(request)
        if failure is not None:
            return failure
        if not allows(token.subject["scope"], route.perimeter, route.right):
            return error_response(400, "insufficient_scope", f"this call needs the {route.perimeter}.{route.right} scope")
        return route.handler(request, token, argument)

    def _authenticate(self, request: Request) -> tuple[Token | None, Response | None]:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            value = ""
        status, token = self.state.tokens.check(value.strip(), ACCESS_KIND)
        if status == "valid":
            return token, None
        if status == "expired":
            return None, error_response(401, "invalid_token", "expired")
        if status == "revoked":
            return None, error_response(403, "invalid_token", "revoked")
        return None, error_response(401, "invalid_token", "not found")

    # -- account -------------------------------------------------------------------------

    def get_account(self, request: Request, token: Token, argument: str) -> Response:
        return json_response(
            {
                "email": self.user["email"],
                "creationDate": CREATION_DATE,
                "status": "ok",
                "firstname": self.user["firstname"],
                "lastname": self.user["lastname"],
            }
        )

    def get_usage(self, request: Request, token: Token, argument: str) -> Response:
        account = token.subject["account"]
        self.swift.ensure_account(CLUSTER, account)
        used = self.swift.account_usage(CLUSTER, account)["bytes"]
        return json_response({"quota": QUOTA_BYTES, "used": used})

    def get_credentials(self, request: Request, token: Token, argument: str) -> Response:
        account = token.subject["account"]
        self.swift.ensure_account(CLUSTER, account)
        # NOTE: whether hubiC returned the same Swift token until it expired is unverified.
        # The sandbox issues a new one on every call, so a change of swift_token_ttl applies at once.
        swift_token = self.swift.issue_token([(CLUSTER, account)])
        expires_at = swift_token.expires_at
        if expires_at is None:
            expires_at = self.state.now() + self.state.settings["swift_token_ttl"]
        return json_response(
            {
                "token": swift_token.value,
                "endpoint": self.swift.storage_url(CLUSTER, account),
                "expires": paris_time(expires_at),
            }
        )

    def get_scopes(self, request: Request, token: Token, argument: str) -> Response:
        # NOTE: the shape of hubiC's response is unverified. The sandbox lists every perimeter
        # with the rights it offers and the rights this token grants.
        granted = parse_scope(token.subject["scope"])
        return json_response(
            [
                {
                    "scope": perimeter,
                    "rights": rights,
                    "granted": "".join(sorted(granted.get(perimeter, set()))),
                    "description": description,
                }
                for perimeter, (rights, description) in PERIMETERS.items()
            ]
        )

    # -- links ---------------------------------------------------------------------------

    def publish_link(self, request: Request, token: Token, argument: str) -> Response:
        account = token.subject["account"]
        form = request.form if request.mimetype == "application/x-www-form-urlencoded" else {}
        fields = {name: form.get(name, "") for name in ("container", "uri", "type", "mode", "ttl", "comment")}

        # NOTE: which fields hubiC required is unverified; the sandbox needs all but comment.
        if not all(fields[name] for name in ("container", "uri", "type", "mode", "ttl")):
            return error_response(400, "invalid_request", "missing arguments")
        if not fields["uri"].startswith("/"):
            return error_response(400, "invalid_request", f"uri must start with /, got {fields['uri']!r}")
        if fields["type"] != "file":
            return error_response(400, "invalid_request", f"type must be file, got {fields['type']!r}")
        if fields["mode"] != "ro":
            return error_response(400, "invalid_request", f"mode must be ro, got {fields['mode']!r}")
        if not fields["ttl"].isdigit() or int(fields["ttl"]) not in LINK_TTL_DAYS:
            return error_response(400, "invalid_request", f"ttl must be 1, 5, 10, 15, 20, 25 or 30 days, got {fields['ttl']!r}")
        if not self._object_exists(account, fields["container"], fields["uri"]):
            return error_response(404, "not_found", f"no object {fields['uri']} in container {fields['container']}")

        now = self.state.now()
        ttl_days = int(fields["ttl"])
        link = Link(
            link_id=secrets.token_urlsafe(18),
            account=account,
            container=fields["container"],
            uri=fields["uri"],
            type=fields["type"],
            mode=fields["mode"],
            comment=fields["comment"],
            ttl_days=ttl_days,
            created_at=now,
            expires_at=now + ttl_days * 86400,
        )
        # NOTE: hubiC's answer to publishing a uri twice is unverified; the new link replaces the old one.
        with self._lock:
            self._links[_link_key(account, link.uri)] = link
        logger.debug("hubic: published %s/%s for %d days", link.container, link.uri, ttl_days)
        return json_response(self._describe(link))

    def list_links(self, request: Request, token: Token, argument: str) -> Response:
        return json_response([self._describe(link) for link in self._live_links(token.subject["account"])])

    def get_all_links(self, request: Request, token: Token, argument: str) -> Response:
        return json_response([self._describe(link, details=True) for link in self._live_links(token.subject["account"])])

    def get_link(self, request: Request, token: Token, argument: str) -> Response:
        link = self._find_link(token.subject["account"], argument)
        if link is None:
            return error_response(404, "not_found", "no published link for this uri")
        return json_response(self._describe(link, details=True))

    def delete_link(self, request: Request, token: Token, argument: str) -> Response:
        link = self._find_link(token.subject["account"], argument)
        if link is None:
            return error_response(404, "not_found", "no published link for this uri")
        with self._lock:
            self._links.pop(_link_key(link.account, link.uri), None)
        logger.debug("hubic: deleted the link to %s/%s", link.container, link.uri)
        # NOTE: hubiC's status for a deleted link is unverified; the sandbox answers 204.
        return Response(status=204)

    def serve_link(self, request: Request, link_id: str) -> Response:
        """Answer a link's public URL with the object's bytes while the link lives."""
        if request.method not in ("GET", "HEAD"):
            return Response("use GET or HEAD\n", status=405, headers={"Allow": "GET, HEAD"}, content_type="text/plain")
        with self._lock:
            link = next((link for link in self._links.values() if link.link_id == link_id), None)
        if link is None or self.state.now() >= link.expires_at:
            return pages.link_not_found_page()
        opened = self.swift.open_object(CLUSTER, link.account, link.container, link.uri[1:])
        if opened is None:
            return pages.link_not_found_page()

        object_headers, chunks = opened
        lowered = {name.lower(): value for name, value in object_headers.items()}
        headers = {name: lowered[name] for name in LINK_HEADERS if name in lowered}
        headers.setdefault("content-type", "application/octet-stream")
        filename = link.uri.rsplit("/", 1)[-1] or "download"
        headers["Content-Disposition"] = "attachment; filename*=UTF-8''" + urllib.parse.quote(filename, safe="")
        if request.method == "HEAD":
            _close(chunks)
            # No body argument, so werkzeug keeps the object's Content-Length.
            return Response(headers=headers)
        return Response(chunks, headers=headers, direct_passthrough=True)

    def _object_exists(self, account: str, container: str, uri: str) -> bool:
        opened = self.swift.open_object(CLUSTER, account, container, uri[1:])
        if opened is None:
            return False
        _close(opened[1])
        return True

    def _find_link(self, account: str, raw_uri: str) -> Link | None:
        # The uri is one percent-encoded path segment, "/" sent as %2F; a literal "/" does not match.
        if not raw_uri or "/" in raw_uri:
            return None
        try:
            uri = urllib.parse.unquote_to_bytes(raw_uri.encode("latin-1")).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return None
        with self._lock:
            link = self._links.get(_link_key(account, uri))
        if link is None or self.state.now() >= link.expires_at:
            return None
        return link

    def _live_links(self, account: str) -> list[Link]:
        now = self.state.now()
        with self._lock:
            return [link for link in self._links.values() if link.account == account and now < link.expires_at]

    def _describe(self, link: Link, details: bool = False) -> dict[str, Any]:
        # NOTE: the fields of listings are unverified beyond the four POST answered; the
        # detailed form adds the ones the link was published with.
        described: dict[str, Any] = {
            "indirectUrl": f"{self.state.base_url}/hubic/l/{link.link_id}",
            "expirationDate": paris_time(link.expires_at),
            "creationDate": paris_time(link.created_at),
            "uri": link.uri,
        }
        if details:
            described.update(
                {"container": link.container, "type": link.type, "mode": link.mode, "ttl": link.ttl_days, "comment": link.comment}
            )
        return described


def _link_key(account: str, uri: str) -> tuple[str, str]:
    return (account, uri)


def _close(chunks: Iterator[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
