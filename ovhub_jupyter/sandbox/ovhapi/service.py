"""The OVHcloud API service of the sandbox: dispatch, request checks, and responses.

Paths routed here by the sandbox application:

| path | served by |
|---|---|
| ``/1.0/...``, ``/v1/...`` | the API (the two prefixes are aliases) |
| ``/v2/...`` | the v2 API, a separate route table; access rules see its paths with ``/v2`` |
| ``/auth/``, ``/auth/oauth2/token`` | the consumer key validation page, the OAuth2 token endpoint |
| ``/createApp/`` | the application creation page |

An API call goes through these steps in order:

1. reject a body on GET and DELETE;
2. authenticate and apply access rules (``auth.py``);
3. look up the route, so an unknown path returns 404 only to an authenticated caller
   (NOTE: the real API's order of these checks is unverified);
4. decode the JSON body;
5. run the route handler.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from werkzeug.wrappers import Request, Response

from ..app import Service, status_line
from ..faults import FaultRule
from ..state import SandboxState
from . import pages
from .account import AccountRoutes
from .auth import authenticate, oauth2_error
from .cloud import CloudRoutes
from .createapp import CreateAppPage
from .credentials import CredentialRoutes, html_response
from .iam import IamRoutes
from .oauth2 import OAuth2TokenEndpoint
from .responses import ApiError, bad_request, class_error, json_response, not_found, query_id
from .routing import Call, Router, split_path
from .store import CredentialStore
from .webstorage import WebstorageRoutes

logger = logging.getLogger(__name__)

# Path prefixes of the API: /1.0 and its alias /v1 share one route table, /v2 has its own.
_V1_PREFIXES = ("/1.0", "/v1")
_V2_PREFIX = "/v2"

# Methods that must come without a body.
_BODYLESS_METHODS = ("GET", "DELETE", "HEAD")


class OvhApiService(Service):
    """The OVHcloud API, its createApp and validation pages, and its OAuth2 token endpoint."""

    name = "ovh"

    def __init__(self, state: SandboxState, swift: Any, keystone: Any) -> None:
        super().__init__(state)
        self.swift = swift
        self.keystone = keystone
        self.store = CredentialStore(state)
        self.credentials = CredentialRoutes(state, self.store)
        self.account = AccountRoutes(state, self.store)
        self.cloud = CloudRoutes(state, swift, keystone)
        self.webstorage = WebstorageRoutes(state, swift, keystone)
        self.iam = IamRoutes(state)
        self.create_app = CreateAppPage(state, self.store)
        self.oauth2 = OAuth2TokenEndpoint(state)
        # Routes of /1.0 (alias /v1), and routes of /v2 written without their prefix.
        self.router = Router()
        for routes in (self.credentials, self.account, self.cloud, self.webstorage):
            routes.register(self.router)
        self.router_v2 = Router()
        self.iam.register(self.router_v2)

    # -- Service interface ----------------------------------------------------------------

    def handle(self, request: Request, path: str) -> Response:
        response = self._dispatch(request, path)
        response.headers["X-Ovh-Queryid"] = query_id(self.state.now())
        return response

    def error_response(self, request: Request, status: int, rule: FaultRule) -> Response:
        """Return an injected error: JSON for the API, HTML for pages, RFC 6749 for the token URL."""
        path = request.path
        if path == "/auth/oauth2/token":
            error = "temporarily_unavailable" if status >= 500 else "invalid_request"
            response = oauth2_error(status, error, f"Injected by the sandbox: {status_line(status)}").response
        elif self._is_page(path):
            response = html_response(pages.message_page(status_line(status), "Injected by the sandbox.", error=True), status)
        else:
            response = class_error(status, status_line(status).split(" ", 1)[1])
        response.headers["X-Ovh-Queryid"] = query_id(self.state.now())
        return response

    def reset(self) -> None:
        self.store.reset()
        self.account.reset()
        self.cloud.reset()

    # -- dispatch -------------------------------------------------------------------------

    @staticmethod
    def _is_page(path: str) -> bool:
        return path in ("/createApp", "/createApp/", "/auth", "/auth/")

    def _dispatch(self, request: Request, path: str) -> Response:
        if path in ("/createApp", "/createApp/"):
            return self.create_app.handle(request)
        if path in ("/auth", "/auth/"):
            return self.credentials.validation_page(request)
        if path == "/auth/oauth2/token":
            return self.oauth2.handle(request)

        for prefix in _V1_PREFIXES:
            if path.startswith(prefix + "/"):
                return self._api_call(request, path[len(prefix):], self.router, "")
        if path.startswith(_V2_PREFIX + "/"):
            return self._api_call(request, path[len(_V2_PREFIX):], self.router_v2, _V2_PREFIX)
        return not_found()

    def _api_call(self, request: Request, api_path: str, router: Router, rule_prefix: str) -> Response:
        """Run one API call and return its response; ``api_path`` is the raw path after the version prefix.

        Access rules see ``rule_prefix`` + the decoded path: ``/me`` for ``/1.0/me``,
        ``/v2/iam/policy`` for ``/v2/iam/policy``.
        """
        try:
            result = self._run(request, api_path, router, rule_prefix)
        except ApiError as exc:
            logger.debug("%s %s rejected: %s", request.method, api_path, exc.response.status)
            return exc.response
        if isinstance(result, Response):
            return result
        return json_response(result)

    def _run(self, request: Request, api_path: str, router: Router, rule_prefix: str) -> Any:
        method = request.method
        body_bytes = request.get_data(cache=True)
        if method in _BODYLESS_METHODS and body_bytes:
            raise ApiError(bad_request("You provided an input body while none was expected"))

        segments = split_path(api_path)
        found = router.find(method, segments)
        caller = None
        if found is None or found[0].signed:
            # NOTE: unverified whether real access rules see /v2 paths with their prefix.
            caller = authenticate(request, self.state, self.store, rule_prefix + "/" + "/".join(segments))
        if found is None:
            # NOTE: an existing path called with another method also lands here, as a 404.
            raise ApiError(not_found())

        route, params = found
        call = Call(request=request, caller=caller, params=params, body=_decode_body(body_bytes), now=self.state.now())
        return route.handler(call)


def _decode_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(bad_request(f"The request body is not valid JSON: {exc}")) from None
