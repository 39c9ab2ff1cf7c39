"""hubiC emulation: OAuth2 under ``/hubic/oauth/``, the REST API under ``/hubic/1.0``.

hubiC shut down in 2022, so this is the only hubiC server left. It follows the wire
behaviour that hubiC's clients relied on, quirks included: ``invalid_request`` for a bad
refresh token, refresh tokens that never rotate, ``charset=utf8`` and Paris-time dates.
Where a behaviour could not be verified, a NOTE in the module that implements it states
which choice the sandbox made.

| path | what |
|---|---|
| ``/hubic/oauth/auth/`` | consent form (GET) and the user's answer (POST) |
| ``/hubic/oauth/token/`` | authorization_code and refresh_token grants |
| ``/hubic/1.0/...`` | REST API, bearer access tokens |
| ``/hubic/l/<id>`` | a published link's public URL |

Control endpoints under ``/_sandbox/hubic/``: ``POST clients`` registers another client
application for the demo user (``{"redirect_uri": ..., "name": ...}``), ``GET clients``
lists them, and ``POST revoke`` revokes a refresh token with its access tokens
(``{"refresh_token": ...}``) or every hubiC token (``{"all": true}``).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from werkzeug.wrappers import Request, Response

from ..app import Service, raw_path
from ..faults import FaultRule
from ..state import SandboxState
from . import pages
from .api import HubicApi
from .oauth import OAuthServer
from .wire import error_response as json_error

OAUTH_PREFIX = "/hubic/oauth/"
API_PREFIX = "/hubic/1.0"
LINK_PREFIX = "/hubic/l/"


class HubicService(Service):
    name = "hubic"

    def __init__(self, state: SandboxState, swift: Any) -> None:
        super().__init__(state)
        self.swift = swift
        self.oauth = OAuthServer(state)
        self.api = HubicApi(state, swift)

    def handle(self, request: Request, path: str) -> Response:
        if path == OAUTH_PREFIX + "auth/":
            return self.oauth.authorize(request)
        if path == OAUTH_PREFIX + "token/":
            return self.oauth.token(request)
        if path.startswith(API_PREFIX + "/"):
            return self.api.handle(request, path[len(API_PREFIX):])
        if path.startswith(LINK_PREFIX) and "/" not in path[len(LINK_PREFIX):]:
            return self.api.serve_link(request, path[len(LINK_PREFIX):])
        return Response(f"no hubiC endpoint at {path}\n", status=404, content_type="text/plain")

    def error_response(self, request: Request, status: int, rule: FaultRule) -> Response:
        """Build the response to an injected status as hubiC's host sent it: 509 as a plain page, errors as JSON."""
        path = raw_path(request)
        if not path.startswith((OAUTH_PREFIX, API_PREFIX + "/")):
            return super().error_response(request, status, rule)
        if status == 509:
            return pages.bandwidth_limit_page()
        if status >= 500:
            return json_error(status, "server_error", "please retry")
        if path.startswith(OAUTH_PREFIX):
            if status == 401:
                return json_error(status, "unauthorized_client", "please verify credentials")
            if status == 400:
                return json_error(status, "invalid_request", "missing parameters")
        else:
            if status == 401:
                return json_error(status, "invalid_token", "expired")
            if status == 403:
                return json_error(status, "invalid_token", "revoked")
            if status == 400:
                return json_error(status, "invalid_request", "missing arguments")
        return super().error_response(request, status, rule)

    def reset(self) -> None:
        """Forget codes, tokens, links and extra clients, and make the demo refresh token work again."""
        self.oauth.reset()
        self.api.reset()

    def control(self, request: Request, name: str) -> Response:
        if name == "clients" and request.method == "POST":
            return self._register_client(request)
        if name == "clients" and request.method == "GET":
            return _control_json(self.oauth.list_clients())
        if name == "revoke" and request.method == "POST":
            return self._revoke(request)
        return _control_json({"error": f"unknown hubic control endpoint {request.method} {name}"}, 404)

    def _register_client(self, request: Request) -> Response:
        data = _read_json(request)
        redirect_uri = data.get("redirect_uri") if isinstance(data, dict) else None
        parsed = urllib.parse.urlsplit(redirect_uri) if isinstance(redirect_uri, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            return _control_json({"error": 'post {"redirect_uri": "http://127.0.0.1:PORT/..."}, an absolute http(s) URL'}, 400)
        name = data.get("name") or "Sandbox test application"
        client = self.oauth.register_client(redirect_uri, str(name))
        return _control_json(
            {"client_id": client.client_id, "client_secret": client.client_secret, "redirect_uri": client.redirect_uri},
            201,
        )

    def _revoke(self, request: Request) -> Response:
        data = _read_json(request)
        if isinstance(data, dict) and isinstance(data.get("refresh_token"), str):
            return _control_json({"revoked": self.oauth.revoke_grant(data["refresh_token"])})
        if isinstance(data, dict) and data.get("all") is True:
            return _control_json({"revoked": self.oauth.revoke_all()})
        return _control_json({"error": 'post {"refresh_token": "..."} or {"all": true}'}, 400)


def _read_json(request: Request) -> Any:
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        return None


def _control_json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
