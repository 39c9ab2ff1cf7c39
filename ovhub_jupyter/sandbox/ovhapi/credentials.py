"""The consumer key life cycle: ``/auth/*`` API routes and the validation page.

``POST /auth/credential`` (unsigned) creates a key in ``pendingValidation`` and returns a
validation URL; the account holder opens it, logs in (with a TOTP code when the
``ovh_two_factor`` setting is on), picks a validity and authorizes or refuses. The key
then signs calls until it expires or ``POST /auth/logout`` deletes it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any

from werkzeug.wrappers import Request, Response

from ..state import SandboxState
from . import pages
from .account import credential_view
from .auth import not_authenticated
from .common import request_base_url
from .responses import ApiError, bad_request, legacy_error
from .routing import Call, Router
from .signing import RULE_METHODS, totp_valid
from .store import PENDING, REFUSED, VALIDATED, ConsumerKey, CredentialStore

logger = logging.getLogger(__name__)

HTML_CONTENT_TYPE = "text/html; charset=utf-8"

# Error messages of the validation and createApp pages.
WRONG_LOGIN_MESSAGE = "Invalid account ID or password."
MISSING_TOTP_MESSAGE = "Two-factor login is on: enter the 6-digit code from your authenticator app."
WRONG_TOTP_MESSAGE = "Invalid two-factor code. Enter the current 6-digit code from your authenticator app."
UNKNOWN_TOKEN_MESSAGE = "This validation link is invalid, or the request was already authorized or refused."


def check_login(state: SandboxState, login: str, password: str) -> str | None:
    """Return the account's nic when ``login`` (nic or email) and ``password`` match the demo account."""
    demo = state.demo["ovh"]
    login = login.strip()
    known = login.lower() in (demo["nic"].lower(), demo["email"].lower())
    password_ok = hmac.compare_digest(password.encode("utf-8"), demo["password"].encode("utf-8"))
    return demo["nic"] if known and password_ok else None


def html_response(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type=HTML_CONTENT_TYPE)


class CredentialRoutes:
    """``/auth/time``, ``/auth/credential``, ``/auth/currentCredential``, ``/auth/logout``, and ``/auth/``."""

    def __init__(self, state: SandboxState, store: CredentialStore) -> None:
        self.state = state
        self.store = store

    def register(self, router: Router) -> None:
        router.add("GET", "/auth/time", self.get_time, signed=False)
        router.add("POST", "/auth/credential", self.request_credential, signed=False)
        router.add("GET", "/auth/currentCredential", self.current_credential)
        router.add("POST", "/auth/logout", self.logout)

    # -- API routes -----------------------------------------------------------------------

    def get_time(self, call: Call) -> int:
        return int(call.now)

    def request_credential(self, call: Call) -> dict[str, Any]:
        application_key = call.request.headers.get("X-Ovh-Application")
        if not application_key:
            raise not_authenticated()
        application = self.store.application(application_key)
        if application is None:
            raise ApiError(legacy_error(403, "INVALID_KEY", "This application key is invalid"))

        body = call.body_object()
        rules = _parse_rules(body.get("accessRules"))
        redirection = body.get("redirection")
        if redirection is not None and not isinstance(redirection, str):
            raise ApiError(bad_request("Invalid value for property redirection: expected a URL string"))
        allowed_ips = _parse_allowed_ips(body.get("allowedIPs"))

        consumer_key = self.store.request_consumer_key(application, rules, redirection or None, allowed_ips)
        logger.info("consumer key %d requested by application %d", consumer_key.credential_id, application.application_id)
        return {
            "validationUrl": f"{request_base_url(call.request)}/auth/?credentialToken={consumer_key.credential_token}",
            "consumerKey": consumer_key.consumer_key,
            "state": PENDING,
        }

    def _own_consumer_key(self, call: Call) -> ConsumerKey:
        consumer_key = call.caller.consumer_key if call.caller else None
        if consumer_key is None:
            # NOTE: unverified; an OAuth2 bearer token has no consumer key to describe.
            raise ApiError(legacy_error(403, "NOT_CREDENTIAL", "This credential does not exist"))
        return consumer_key

    def current_credential(self, call: Call) -> dict[str, Any]:
        consumer_key = self._own_consumer_key(call)
        application = self.store.application(consumer_key.application_key)
        return credential_view(consumer_key, application.application_id if application else None, call.now)

    def logout(self, call: Call) -> None:
        # The older routes return 200 with a JSON null for calls that return nothing (the
        # newer ones return 204). NOTE: unverified that a deleted key gets NOT_CREDENTIAL.
        consumer_key = self._own_consumer_key(call)
        self.store.delete_consumer_key(consumer_key)
        logger.info("consumer key %d revoked by logout", consumer_key.credential_id)
        return None

    # -- validation page ------------------------------------------------------------------

    def validation_page(self, request: Request) -> Response:
        """Serve ``/auth/``: the form on GET, the decision on POST."""
        if request.method == "GET":
            consumer_key = self.store.by_credential_token(request.args.get("credentialToken"))
            if consumer_key is None:
                return html_response(pages.message_page("Authorize an application", UNKNOWN_TOKEN_MESSAGE, error=True), 404)
            return html_response(self._form(consumer_key))
        if request.method == "POST":
            return self._decide(request)
        return html_response(pages.message_page("Authorize an application", "Use GET or POST on this page.", error=True), 405)

    def _form(self, consumer_key: ConsumerKey, error: str | None = None, login: str = "", duration: int = 0) -> str:
        application = self.store.application(consumer_key.application_key)
        return pages.validation_form(
            credential_token=consumer_key.credential_token or "",
            application_name=application.name if application else "(deleted application)",
            application_description=application.description if application else "",
            rules=consumer_key.rules,
            two_factor=bool(self.state.settings["ovh_two_factor"]),
            error=error,
            login=login,
            duration=duration,
        )

    def _decide(self, request: Request) -> Response:
        form = request.form
        token = form.get("credentialToken") or request.args.get("credentialToken")
        consumer_key = self.store.by_credential_token(token)
        if consumer_key is None or consumer_key.status != PENDING:
            return html_response(pages.message_page("Authorize an application", UNKNOWN_TOKEN_MESSAGE, error=True), 404)

        action = form.get("action", "")
        if action == "refuse":
            self.store.decide(consumer_key, REFUSED)
            logger.info("consumer key %d refused", consumer_key.credential_id)
            return html_response(pages.message_page("Request refused", "The application's access request was refused."))
        if action != "authorize":
            return html_response(self._form(consumer_key, "Choose Authorize or Refuse."), 400)

        login = form.get("login", "")
        duration_text = form.get("duration", "0").strip()
        if not duration_text.isdigit():
            return html_response(self._form(consumer_key, "Invalid validity: choose one in the list.", login), 400)
        duration = int(duration_text)

        nic = check_login(self.state, login, form.get("password", ""))
        if nic is None:
            return html_response(self._form(consumer_key, WRONG_LOGIN_MESSAGE, login, duration), 401)
        if self.state.settings["ovh_two_factor"]:
            code = form.get("totp", "").strip()
            if not code:
                return html_response(self._form(consumer_key, MISSING_TOTP_MESSAGE, login, duration), 401)
            if not totp_valid(self.state.demo["ovh"]["totp_secret"], code, self.state.now()):
                return html_response(self._form(consumer_key, WRONG_TOTP_MESSAGE, login, duration), 401)

        self.store.decide(consumer_key, VALIDATED, owner=nic, duration=duration)
        logger.info("consumer key %d validated for %s seconds (0: unlimited)", consumer_key.credential_id, duration)
        if consumer_key.redirection:
            return Response(b"", status=302, headers={"Location": consumer_key.redirection})
        return html_response(pages.message_page("Access granted", "The application can now use your account. You can close this page."))


def _parse_rules(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise ApiError(bad_request("Missing or invalid property accessRules: expected a non-empty list of {method, path}"))
    rules = []
    for rule in value:
        if not isinstance(rule, dict) or not isinstance(rule.get("method"), str) or not isinstance(rule.get("path"), str):
            raise ApiError(bad_request("Invalid access rule: each rule needs a method and a path string"))
        method = rule["method"].upper()
        if method not in RULE_METHODS:
            raise ApiError(bad_request(f"Invalid access rule method {rule['method']!r}; expected one of {', '.join(RULE_METHODS)}"))
        if not rule["path"].startswith("/"):
            raise ApiError(bad_request(f"Invalid access rule path {rule['path']!r}: it must start with /"))
        rules.append({"method": method, "path": rule["path"]})
    return rules


def _parse_allowed_ips(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(bad_request("Invalid property allowedIPs: expected a list of IP networks or null"))
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ApiError(bad_request(f"Invalid IP network {item!r} in allowedIPs")) from None
    return list(value) or None

