"""hubiC's OAuth2 server: client applications, the consent form and the token endpoint.

The flow is the authorization code grant as hubiC ran it. The user accepts on the consent
form with email and password, the browser comes back to the client's redirect URI with a
single-use code, and the client exchanges the code for a refresh token and a 6-hour access
token. Later it trades the refresh token for new access tokens, and keeps the same refresh
token because hubiC never rotated it. Authorizing a client again replaces the user's refresh
token for that client.

Error codes follow hubiC, not the RFC: a bad code or refresh token is ``invalid_request``
(meaning "log in again"), and bad client credentials are ``unauthorized_client``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import string
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

from ..app import raw_path, raw_query
from ..state import SandboxState, Token
from . import pages
from .scopes import ALWAYS_GRANTED, FULL_SCOPE, Scope, ScopeError, format_scope, merge_scopes, parse_scope
from .wire import error_response, json_response

logger = logging.getLogger(__name__)

# Token kinds in the shared token registry.
CODE_KIND = "hubic_code"
ACCESS_KIND = "hubic_access"
REFRESH_KIND = "hubic_refresh"

# How long a consent form stays valid, in seconds of sandbox time (hubiC's limit is unknown).
CONSENT_TTL = 3600
# Maximum number of pending consent forms kept. The oldest are dropped first.
MAX_PENDING_CONSENTS = 1000

# Headers of every token response (RFC 6749, section 5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_SECRET_ALPHABET = string.ascii_letters + string.digits


def new_secret(length: int = 64) -> str:
    """Return a random token of letters and digits."""
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(length))


@dataclass
class Client:
    """A client application registered for the demo user."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    name: str
    # The demo client of sandbox.json, kept by reset().
    seeded: bool = False


@dataclass
class PendingConsent:
    """An authorize request waiting for the user to accept or refuse the consent form."""

    oauth_id: str
    client_id: str
    redirect_uri: str
    requested: Scope
    state: str | None
    created_at: float


class OAuthServer:
    """The authorize and token endpoints, with the clients and pending consent forms."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.user = state.demo["hubic"]
        self._lock = threading.Lock()
        self._clients: dict[str, Client] = {}
        self._pending: dict[str, PendingConsent] = {}
        self.reset()

    def reset(self) -> None:
        """Forget extra clients, pending forms and hubiC tokens, then issue the demo refresh token again."""
        with self._lock:
            self._pending.clear()
            self._clients = {
                self.user["client_id"]: Client(
                    client_id=self.user["client_id"],
                    client_secret=self.user["client_secret"],
                    redirect_uri=self.user["redirect_uri"],
                    name="Sandbox demo application",
                    seeded=True,
                )
            }
        for kind in (CODE_KIND, ACCESS_KIND, REFRESH_KIND):
            self.state.tokens.revoke_where(kind)
        self._issue_refresh_token(self.user["client_id"], parse_scope(FULL_SCOPE), value=self.user["refresh_token"])

    # -- clients and grants, for the control endpoints -----------------------------------

    def register_client(self, redirect_uri: str, name: str) -> Client:
        """Register a client application for the demo user."""
        client = Client(client_id="api_hubic_" + new_secret(32), client_secret=new_secret(64), redirect_uri=redirect_uri, name=name)
        with self._lock:
            self._clients[client.client_id] = client
        logger.info("hubic: registered client %s for %s", client.client_id, redirect_uri)
        return client

    def list_clients(self) -> list[dict[str, Any]]:
        """Return the clients without their secrets."""
        with self._lock:
            return [
                {"client_id": c.client_id, "redirect_uri": c.redirect_uri, "name": c.name, "seeded": c.seeded}
                for c in self._clients.values()
            ]

    def revoke_grant(self, refresh_token: str) -> int:
        """Revoke a refresh token and the access tokens issued from it, and return how many were revoked."""
        _, token = self.state.tokens.check(refresh_token, REFRESH_KIND)
        if token is None:
            return 0
        grant = token.subject["grant"]
        return self.state.tokens.revoke_where(REFRESH_KIND, grant=grant) + self.state.tokens.revoke_where(ACCESS_KIND, grant=grant)

    def revoke_all(self) -> int:
        """Revoke every hubiC refresh and access token, and return how many were revoked."""
        return self.state.tokens.revoke_where(REFRESH_KIND) + self.state.tokens.revoke_where(ACCESS_KIND)

    def _client(self, client_id: str | None) -> Client | None:
        with self._lock:
            return self._clients.get(client_id or "")

    # -- GET and POST /oauth/auth/ -------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        """Handle the authorize URL: show the consent form on GET, process the user's decision on POST."""
        if request.method == "GET":
            return self._show_consent(request)
        if request.method == "POST":
            return self._answer_consent(request)
        return Response("use GET or POST\n", status=405, headers={"Allow": "GET, POST"}, content_type="text/plain")

    def _show_consent(self, request: Request) -> Response:
        args = request.args
        client_id, redirect_uri = args.get("client_id"), args.get("redirect_uri")
        state = args.get("state")

        # Without a client and a matching redirect URI there is nowhere trustworthy to
        # redirect to, so these errors are shown to the user as a page (RFC 6749, 4.1.2.1).
        if not client_id or not redirect_uri:
            return pages.authorize_error_page(400, "invalid_request", "missing arguments")
        client = self._client(client_id)
        if client is None:
            # hubiC did redirect with unauthorized_client for an unknown client id.
            return _redirect_error(redirect_uri, "unauthorized_client", "please verify credentials", state)
        if redirect_uri != client.redirect_uri:
            logger.debug("hubic: authorize for %s with an unregistered redirect URI", client_id)
            return pages.authorize_error_page(400, "invalid_request", "please verify redirect uri")

        # NOTE: which arguments hubiC required is unverified. The sandbox requires
        # response_type and scope, and treats state as optional.
        response_type, scope_text = args.get("response_type"), args.get("scope")
        if not response_type or not scope_text:
            return _redirect_error(redirect_uri, "invalid_request", "missing arguments", state)
        if response_type != "code":
            return _redirect_error(redirect_uri, "unsupported_response_type", "response_type must be code", state)
        try:
            requested = parse_scope(scope_text)
        except ScopeError as exc:
            return _redirect_error(redirect_uri, "invalid_scope", str(exc), state)

        pending = self._add_pending(client, requested, state)
        return pages.consent_page(
            action_url=_same_url(request), oauth_id=pending.oauth_id, application=client.name, requested=requested
        )

    def _add_pending(self, client: Client, requested: Scope, state: str | None) -> PendingConsent:
        now = self.state.now()
        # hubiC's oauth ids were numbers, and scripts that filled the form matched digits.
        pending = PendingConsent(
            oauth_id=str(100000000 + secrets.randbelow(900000000)),
            client_id=client.client_id,
            redirect_uri=client.redirect_uri,
            requested=requested,
            state=state,
            created_at=now,
        )
        with self._lock:
            for oauth_id in [k for k, v in self._pending.items() if now - v.created_at > CONSENT_TTL]:
                del self._pending[oauth_id]
            while len(self._pending) >= MAX_PENDING_CONSENTS:
                del self._pending[next(iter(self._pending))]
            self._pending[pending.oauth_id] = pending
        return pending

    def _answer_consent(self, request: Request) -> Response:
        form = request.form
        oauth_id = form.get("oauth")
        with self._lock:
            pending = self._pending.get(oauth_id or "")
        if pending is not None and self.state.now() - pending.created_at > CONSENT_TTL:
            pending = None
        if pending is None:
            description = "missing arguments" if not oauth_id else "unknown or expired oauth id"
            return pages.authorize_error_page(400, "invalid_request", description)

        action = form.get("action")
        # NOTE: the refuse button's value and hubiC's response to it are unverified. The
        # sandbox redirects with error=access_denied, as RFC 6749 (4.1.2.1) specifies.
        if action == "refused":
            self._drop_pending(pending.oauth_id)
            return _redirect_error(pending.redirect_uri, "access_denied", "the user refused access", pending.state)
        if action != "accepted":
            return pages.authorize_error_page(400, "invalid_request", "missing arguments")

        client = self._client(pending.client_id)
        if client is None:
            return pages.authorize_error_page(400, "unauthorized_client", "please verify credentials")
        login = form.get("login", "")
        if not self._credentials_match(login, form.get("user_pwd", "")):
            logger.debug("hubic: failed login on consent form %s", pending.oauth_id)
            return pages.consent_page(
                action_url=_same_url(request),
                oauth_id=pending.oauth_id,
                application=client.name,
                requested=pending.requested,
                login=login,
                message=pages.LOGIN_FAILED,
            )

        self._drop_pending(pending.oauth_id)
        granted = format_scope(merge_scopes(_checked_scope(form, pending.requested), ALWAYS_GRANTED))
        code = self.state.tokens.issue(
            CODE_KIND,
            self.state.settings["hubic_code_ttl"],
            {"client_id": pending.client_id, "redirect_uri": pending.redirect_uri, "scope": granted},
            value=new_secret(),
        )
        logger.debug("hubic: issued a code to client %s for scope %s", pending.client_id, granted)
        params = {"code": code.value, "scope": granted}
        if pending.state is not None:
            params["state"] = pending.state
        return _redirect(pending.redirect_uri, params)

    def _credentials_match(self, login: str, password: str) -> bool:
        # Email addresses compare without case, passwords exactly.
        email_ok = login.strip().lower() == self.user["email"].lower()
        password_ok = hmac.compare_digest(password.encode("utf-8"), self.user["password"].encode("utf-8"))
        return email_ok and password_ok

    def _drop_pending(self, oauth_id: str) -> None:
        with self._lock:
            self._pending.pop(oauth_id, None)

    # -- POST /oauth/token/ --------------------------------------------------------------

    def token(self, request: Request) -> Response:
        """Handle the token endpoint: the authorization_code and refresh_token grants."""
        if request.method != "POST":
            return error_response(405, "invalid_request", "use POST")
        # hubiC read form bodies only: a JSON body carries no parameters it could see.
        if request.mimetype != "application/x-www-form-urlencoded":
            return error_response(400, "invalid_request", "missing parameters")
        form = request.form
        grant_type = form.get("grant_type")
        if not grant_type:
            return error_response(400, "invalid_request", "missing parameters")

        client = self._authenticate_client(request)
        if client is None:
            return error_response(401, "unauthorized_client", "please verify credentials")

        if grant_type == "authorization_code":
            return self._exchange_code(client, form.get("code"), form.get("redirect_uri"))
        if grant_type == "refresh_token":
            return self._refresh(client, form.get("refresh_token"))
        return error_response(400, "invalid_request", "grant type must be set to authorization_code")

    def _authenticate_client(self, request: Request) -> Client | None:
        """Return the client named by HTTP Basic or by form fields, if its secret matches."""
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            # RFC 6749 (2.3.1) form-encodes both values before Basic encoding them.
            client_id = urllib.parse.unquote_plus(auth.username or "")
            client_secret = urllib.parse.unquote_plus(auth.password or "")
        else:
            client_id = request.form.get("client_id", "")
            client_secret = request.form.get("client_secret", "")
        client = self._client(client_id)
        if client is None or not hmac.compare_digest(client_secret.encode("utf-8"), client.client_secret.encode("utf-8")):
            logger.debug("hubic: token request with bad credentials for client %r", client_id[:40])
            return None
        return client

    def _exchange_code(self, client: Client, code_value: str | None, redirect_uri: str | None) -> Response:
        if not code_value or not redirect_uri:
            return error_response(400, "invalid_request", "missing parameters")
        status, code = self.state.tokens.check(code_value, CODE_KIND)
        if code is None or code.subject["client_id"] != client.client_id or status == "revoked":
            return error_response(400, "invalid_request", "invalid code")
        if status == "expired":
            return error_response(400, "invalid_request", "expired code")
        if redirect_uri != code.subject["redirect_uri"]:
            return error_response(400, "invalid_request", "please verify redirect uri")

        # A code works once; a new refresh token replaces the user's old one for this client.
        self.state.tokens.revoke(code_value)
        scope = parse_scope(code.subject["scope"])
        replaced = self.state.tokens.revoke_where(REFRESH_KIND, client_id=client.client_id, email=self.user["email"])
        refresh = self._issue_refresh_token(client.client_id, scope)
        access = self._issue_access_token(refresh.subject)
        logger.debug("hubic: code exchanged by client %s (%d refresh token(s) replaced)", client.client_id, replaced)
        return json_response(
            {
                "refresh_token": refresh.value,
                "expires_in": self._access_ttl(),
                "access_token": access.value,
                "token_type": "Bearer",
            },
            headers=NO_STORE,
        )

    def _refresh(self, client: Client, refresh_value: str | None) -> Response:
        if not refresh_value:
            return error_response(400, "invalid_request", "missing parameters")
        status, refresh = self.state.tokens.check(refresh_value, REFRESH_KIND)
        if status != "valid" or refresh is None or refresh.subject["client_id"] != client.client_id:
            return error_response(400, "invalid_request", "invalid refresh token")
        access = self._issue_access_token(refresh.subject)
        logger.debug("hubic: access token refreshed for client %s", client.client_id)
        return json_response(
            {"expires_in": self._access_ttl(), "access_token": access.value, "token_type": "Bearer"},
            headers=NO_STORE,
        )

    def _issue_refresh_token(self, client_id: str, scope: Scope, value: str | None = None) -> Token:
        subject = {
            "client_id": client_id,
            "email": self.user["email"],
            "account": self.user["account"],
            "scope": format_scope(scope),
            # Ties the access tokens to the refresh token they came from, without its value.
            "grant": secrets.token_hex(8),
        }
        return self.state.tokens.issue(REFRESH_KIND, None, subject, value=value or new_secret(), expirable=False)

    def _issue_access_token(self, grant: dict[str, Any]) -> Token:
        return self.state.tokens.issue(ACCESS_KIND, self._access_ttl(), dict(grant), value=new_secret())

    def _access_ttl(self) -> int:
        return int(self.state.settings["hubic_access_token_ttl"])


def _checked_scope(form: Any, requested: Scope) -> Scope:
    """Return the rights the user left checked, limited to the ones the client requested."""
    checked: Scope = {}
    for perimeter, rights in requested.items():
        kept = set(form.getlist(perimeter)) & rights
        if kept:
            checked[perimeter] = kept
    return checked


def _same_url(request: Request) -> str:
    query = raw_query(request)
    return raw_path(request) + (f"?{query}" if query else "")


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if "?" in uri else "?"
    # Commas and dots stay readable in the granted scope, as in code=..&scope=usage.r,links.drw.
    location = uri + separator + urllib.parse.urlencode(params, safe=",.")
    return Response(status=302, headers={"Location": location})


def _redirect_error(uri: str, error: str, description: str, state: str | None) -> Response:
    logger.debug("hubic: authorize error %s (%s), redirecting to %s", error, description, uri)
    params = {"error": error, "error_description": description}
    if state is not None:
        params["state"] = state
    return _redirect(uri, params)
