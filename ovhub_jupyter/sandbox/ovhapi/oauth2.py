"""The OAuth2 token endpoint of OVHcloud service accounts (client credentials grant).

``POST /auth/oauth2/token`` with ``grant_type=client_credentials&scope=all`` and the
client id and secret (HTTP Basic, or form fields as RFC 6749 section 2.3.1 allows)
returns a bearer token that API calls carry instead of a signature. Errors follow RFC 6749
section 5.2.
"""

from __future__ import annotations

import hmac
import logging

from werkzeug.wrappers import Request, Response

from ..state import SandboxState
from .auth import OAUTH2_TOKEN_KIND, oauth2_error
from .responses import ApiError, json_response

logger = logging.getLogger(__name__)

# Lifetime of an access token in seconds. The response reports one second less, as OVHcloud's does.
ACCESS_TOKEN_TTL = 3600
REPORTED_EXPIRES_IN = 3599

# The only scope OVHcloud service accounts ask for.
SCOPE = "all"


class OAuth2TokenEndpoint:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        try:
            return self._token(request)
        except ApiError as exc:
            return exc.response

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            raise oauth2_error(405, "invalid_request", "Use POST on the token endpoint")

        client_id, client_secret = self._client_credentials(request)
        demo = self.state.demo["ovh"]
        id_ok = hmac.compare_digest(client_id.encode("utf-8"), demo["oauth2_client_id"].encode("utf-8"))
        secret_ok = hmac.compare_digest(client_secret.encode("utf-8"), demo["oauth2_client_secret"].encode("utf-8"))
        if not (id_ok and secret_ok):
            raise oauth2_error(401, "invalid_client", "Client authentication failed")

        grant_type = request.form.get("grant_type")
        if not grant_type:
            raise oauth2_error(400, "invalid_request", "Missing grant_type")
        if grant_type != "client_credentials":
            raise oauth2_error(400, "unsupported_grant_type", f"Grant type {grant_type!r} is not supported; use client_credentials")
        scope = request.form.get("scope") or SCOPE
        if scope != SCOPE:
            raise oauth2_error(400, "invalid_scope", f"Scope {scope!r} is not supported; use {SCOPE}")

        token = self.state.tokens.issue(OAUTH2_TOKEN_KIND, ACCESS_TOKEN_TTL, {"client_id": client_id, "account": demo["nic"]})
        logger.info("OAuth2 access token issued to client %s", client_id)
        response = json_response({"access_token": token.value, "token_type": "Bearer", "expires_in": REPORTED_EXPIRES_IN, "scope": SCOPE})
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response

    @staticmethod
    def _client_credentials(request: Request) -> tuple[str, str]:
        authorization = request.authorization
        if authorization is not None and authorization.type == "basic":
            return authorization.username or "", authorization.password or ""
        client_id = request.form.get("client_id")
        client_secret = request.form.get("client_secret")
        if client_id is None or client_secret is None:
            raise oauth2_error(401, "invalid_client", "Send the client id and secret with HTTP Basic authentication")
        return client_id, client_secret
