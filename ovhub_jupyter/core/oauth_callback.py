"""Receive an OAuth2 authorization code on a loopback redirect URI.

The authorization-code flow ends with the browser sent to the application's registered
redirect URI with ``code`` and ``state`` (or ``error``) in the query string. When that URI
is ``http://localhost:PORT/...``, a small server on this machine can take the code
without the user copying anything. ``%hubic_login`` and ``ovhub hubic-token`` both use
``CallbackServer``; it imports nothing from Jupyter.

The server listens on 127.0.0.1 (and on ::1 when the redirect URI names ``localhost`` and
IPv6 is available, because browsers may resolve ``localhost`` to either), serves from
background threads, takes the first request on the redirect path that carries a code or
an error with the expected ``state``, answers the browser with a short page, and stops.
The code never reaches a log line.

This module also turns the redirect's query parameters into an ``AuthorizationResult``
or the matching error, for pasted URLs as well as for the server.
"""

from __future__ import annotations

import errno
import html
import http.server
import logging
import re
import socket
import socketserver
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import errors
from .errors import secret_prefix

logger = logging.getLogger(__name__)

# Seconds between checks of the stop flag in each server thread.
POLL_INTERVAL = 0.5

# Seconds an idle browser connection may stay open before its thread drops it. Browsers
# open spare connections that never send a request.
CONNECTION_TIMEOUT = 10.0

# Query values hidden in this module's log lines.
_SECRET_IN_QUERY = re.compile(r"((?:^|[?&])(?:code|state)=)[^&\s\"]*", re.IGNORECASE)

# OAuth2 error codes of an authorization redirect -> (exception class, next step).
_REDIRECT_ERRORS: dict[str, tuple[type[errors.ServiceError], str]] = {
    "access_denied": (errors.ForbiddenError, "accept the requested access on the consent page, then try again"),
    "invalid_request": (
        errors.BadRequestError,
        "check that the redirect URI is exactly the one registered for the application",
    ),
    "unsupported_response_type": (errors.BadRequestError, "the sign-in must ask for response_type=code"),
    "invalid_scope": (errors.BadRequestError, "check the scope, or leave it out to request the default one"),
    "unauthorized_client": (
        errors.AuthenticationError,
        "check the client id and that the redirect URI is the one registered for it",
    ),
    "server_error": (errors.ServerError, "the service failed, so try again in a moment"),
    "temporarily_unavailable": (errors.ServerError, "the service is busy, so try again in a moment"),
}


@dataclass(frozen=True, repr=False)
class AuthorizationResult:
    """The outcome of a successful authorization: the code to exchange, and what came with it."""

    code: str
    state: str | None = None
    # Scope the user granted, when the redirect carries it (may be less than requested).
    scope: str | None = None

    def __repr__(self) -> str:
        return f"AuthorizationResult(code={secret_prefix(self.code)!r}, scope={self.scope!r})"


def authorization_error(error: str, description: str | None, *, service: str = "hubic") -> errors.ServiceError:
    """Return the exception for an ``error``/``error_description`` pair of a redirect."""
    cls, hint = _REDIRECT_ERRORS.get(error, (errors.ServiceError, "start the sign-in again"))
    message = description or error or "unknown error"
    return cls(message, operation="sign-in", service=service, code=error or None, hint=hint)


def result_from_query(
    params: Mapping[str, str], expected_state: str | None, *, service: str = "hubic"
) -> AuthorizationResult:
    """Check the query parameters of a redirect and return the code, or raise why not.

    A ``state`` different from ``expected_state`` is rejected before anything else,
    because such a redirect belongs to another sign-in attempt. An ``error`` raises the
    matching ``ServiceError``.
    """
    state = params.get("state")
    if expected_state is not None and state is not None and state != expected_state:
        raise _state_mismatch("its state does not match this sign-in attempt")

    error = params.get("error")
    if error:
        raise authorization_error(error, params.get("error_description"), service=service)

    code = params.get("code")
    if not code:
        raise errors.InvalidInputError(
            "the redirect has no code",
            operation="sign-in",
            hint="paste the whole URL the browser was sent to after the consent page",
        )
    if expected_state is not None and state is None:
        raise _state_mismatch("it has no state")
    return AuthorizationResult(code=code, state=state, scope=params.get("scope"))


def _state_mismatch(reason: str) -> errors.InvalidInputError:
    return errors.InvalidInputError(
        f"rejected the redirect: {reason}",
        operation="sign-in",
        hint="it comes from another or an older sign-in; open the new authorize URL and use the redirect it gives",
    )


def redact_query(text: str) -> str:
    """Return ``text`` with the values of ``code`` and ``state`` parameters replaced by ``***``."""
    return _SECRET_IN_QUERY.sub(r"\1***", text)


class CallbackPortInUseError(errors.ConfigError):
    """The port of the redirect URI is taken, so the browser's redirect cannot be received."""


class CallbackTimeoutError(errors.OvhubError, TimeoutError):
    """No redirect arrived on the loopback callback in time."""


@dataclass(frozen=True)
class LoopbackRedirect:
    """Where a loopback redirect URI sends the browser: hosts to bind, port and path."""

    hosts: tuple[str, ...]
    # Hosts bound only when possible (::1 for "localhost" on a machine without IPv6).
    optional_hosts: tuple[str, ...]
    port: int
    path: str


def parse_loopback_redirect(redirect_uri: str) -> LoopbackRedirect:
    """Split a ``http://localhost:PORT/path`` redirect URI, or raise why it cannot be served here."""
    parts = urlsplit(redirect_uri)
    hint = "register a redirect URI such as http://localhost:53682/ for the application, or paste the redirect by hand"
    if parts.scheme != "http":
        raise errors.InvalidInputError(
            f"the redirect URI {redirect_uri!r} is not an http:// URL on this machine", hint=hint
        )
    host = (parts.hostname or "").lower()
    if host == "localhost":
        hosts, optional = ("127.0.0.1",), ("::1",)
    elif host in ("127.0.0.1", "::1"):
        hosts, optional = (host,), ()
    else:
        raise errors.InvalidInputError(
            f"the redirect URI {redirect_uri!r} does not point to this machine (localhost, 127.0.0.1 or ::1)",
            hint=hint,
        )
    try:
        port = parts.port or 80
    except ValueError:
        raise errors.InvalidInputError(f"the redirect URI {redirect_uri!r} has an invalid port", hint=hint) from None
    return LoopbackRedirect(hosts=hosts, optional_hosts=optional, port=port, path=unquote(parts.path or "/"))


class CallbackServer:
    """A one-shot HTTP server on the loopback redirect URI that waits for the authorization code.

        with CallbackServer(app.redirect_uri, expected_state=state) as callback:
            webbrowser.open(authorize_url)
            result = callback.wait(timeout=300)

    ``on_result`` is called once, from a server thread, with the ``AuthorizationResult``
    or the exception that ``wait`` will raise, for callers that cannot block (widgets).
    """

    def __init__(
        self,
        redirect_uri: str,
        *,
        expected_state: str | None = None,
        service: str = "hubic",
        service_title: str = "hubiC",
        on_result: Callable[[AuthorizationResult | Exception], Any] | None = None,
    ) -> None:
        self.redirect_uri = redirect_uri
        self.redirect = parse_loopback_redirect(redirect_uri)
        self.expected_state = expected_state
        self.service = service
        self.service_title = service_title
        self.on_result = on_result
        self._servers: list[_LoopbackHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._result: AuthorizationResult | None = None
        self._error: Exception | None = None
        self._rejected_states = 0

    def __repr__(self) -> str:
        state = "finished" if self.done else ("listening" if self._servers else "stopped")
        return f"CallbackServer(redirect_uri={self.redirect_uri!r}, {state})"

    def __enter__(self) -> CallbackServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port listened on."""
        return self.redirect.port

    @property
    def done(self) -> bool:
        """True once a redirect with a code or an error has been received."""
        return self._finished.is_set()

    @property
    def result(self) -> AuthorizationResult | None:
        """The authorization received so far, or None."""
        return self._result

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> CallbackServer:
        """Bind the redirect URI's port on loopback and serve from background threads."""
        if self._servers:
            return self
        try:
            for host in self.redirect.hosts:
                self._servers.append(self._bind(host, required=True))
            for host in self.redirect.optional_hosts:
                server = self._bind(host, required=False)
                if server is not None:
                    self._servers.append(server)
        except BaseException:
            self._close_servers()
            raise

        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": POLL_INTERVAL},
                name=f"ovhub-oauth-callback-{server.server_address[0]}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        addresses = ", ".join(f"{s.server_address[0]}:{self.port}" for s in self._servers)
        logger.info("waiting for the %s sign-in redirect on %s (%s)", self.service_title, self.redirect_uri, addresses)
        return self

    def _bind(self, host: str, *, required: bool) -> _LoopbackHTTPServer | None:
        server_class = _LoopbackHTTPServerV6 if ":" in host else _LoopbackHTTPServer
        try:
            return server_class((host, self.port), _CallbackHandler, self)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CallbackPortInUseError(
                    f"port {self.port} on {host} is already in use, so the sign-in redirect to "
                    f"{self.redirect_uri} cannot be received",
                    hint=f"free port {self.port} (another sign-in may still be waiting on it), "
                    "or register another redirect URI such as http://localhost:PORT/ for the application and use it",
                ) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise CallbackPortInUseError(
                    f"not allowed to listen on port {self.port} of {host}",
                    hint="register a redirect URI with a port above 1023, such as http://localhost:53682/",
                ) from None
            if not required:
                # No IPv6 loopback on this machine: browsers will use 127.0.0.1.
                logger.debug("callback server: %s unavailable (%s); listening on IPv4 only", host, exc.strerror)
                return None
            raise errors.ConfigError(
                f"cannot listen on {host}:{self.port}: {exc.strerror}",
                hint="check the redirect URI, or paste the redirect by hand",
            ) from None

    def stop(self) -> None:
        """Stop listening and close the sockets; safe to call more than once, from any thread."""
        with self._lock:
            servers, self._servers = self._servers, []
            threads, self._threads = self._threads, []
        for server in servers:
            server.shutdown()
            server.server_close()
        current = threading.current_thread()
        for thread in threads:
            if thread is not current:
                thread.join(timeout=10)

    def _close_servers(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers = []

    # -- waiting ------------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> AuthorizationResult:
        """Block until the redirect arrives and return its code, or raise.

        Raises the redirect's error (``ServiceError`` subclasses), or
        ``CallbackTimeoutError`` after ``timeout`` seconds. A timeout leaves the server
        running, so a caller may wait again; ``stop()`` ends it.
        """
        if not self._finished.wait(timeout):
            message = f"no sign-in redirect arrived on {self.redirect_uri} within {timeout:g} s"
            if self._rejected_states:
                message += f" ({self._rejected_states} redirect(s) from another sign-in attempt were rejected)"
            raise CallbackTimeoutError(
                message,
                operation="sign-in",
                hint="open the authorize URL in a browser on this machine, or paste the redirected URL instead",
            )
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    # -- request handling ---------------------------------------------------------------

    def handle_redirect(self, request_path: str) -> tuple[int, str]:
        """Handle one GET request; return the status and HTML page to answer the browser with."""
        parts = urlsplit(request_path)
        if unquote(parts.path) != self.redirect.path:
            return 404, self._page("Not found", "This server only receives the sign-in redirect.")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if self.done:
            return 200, self._page("Sign-in already complete", "You can close this tab.")
        if not params.get("code") and not params.get("error"):
            return 400, self._page(
                "No sign-in result",
                f"This address waits for the {self.service_title} sign-in redirect, and this request carried no code.",
            )
        if self._belongs_elsewhere(params):
            self._rejected_states += 1
            logger.warning("callback server: rejected a redirect whose state does not match this sign-in attempt")
            return 400, self._page(
                "Sign-in not accepted",
                "This redirect belongs to another sign-in attempt. Start the sign-in again from the page or "
                "terminal that is waiting.",
            )

        try:
            outcome: AuthorizationResult | Exception = result_from_query(
                params, self.expected_state, service=self.service
            )
        except errors.OvhubError as exc:
            outcome = exc
        return self._finish(outcome)

    def _belongs_elsewhere(self, params: Mapping[str, str]) -> bool:
        if self.expected_state is None:
            return False
        state = params.get("state")
        if state is None:
            # An error redirect may come without state, and reveals nothing; a code may not.
            return bool(params.get("code"))
        return state != self.expected_state

    def _finish(self, outcome: AuthorizationResult | Exception) -> tuple[int, str]:
        with self._lock:
            if self._finished.is_set():
                return 200, self._page("Sign-in already complete", "You can close this tab.")
            if isinstance(outcome, Exception):
                self._error = outcome
            else:
                self._result = outcome
            self._finished.set()

        if isinstance(outcome, Exception):
            logger.info("callback server: the sign-in redirect carried an error: %s", outcome)
            status, page = 400, self._page(f"{self.service_title} sign-in failed", str(outcome))
        else:
            logger.info("callback server: received the authorization code")
            status, page = 200, self._page(
                f"{self.service_title} sign-in complete", "You can close this tab and go back to where you started."
            )

        # The serving threads cannot shut themselves down while this request is in flight.
        threading.Thread(target=self.stop, name="ovhub-oauth-callback-stop", daemon=True).start()
        if self.on_result is not None:
            try:
                self.on_result(outcome)
            except Exception:
                logger.exception("callback server: the on_result callback failed")
        return status, page

    def _page(self, title: str, text: str) -> str:
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>"
            "<body style=\"font-family: sans-serif; margin: 3em;\">"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
        )


class _LoopbackHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type, owner: CallbackServer) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on some resolvers.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


class _LoopbackHTTPServerV6(_LoopbackHTTPServer):
    address_family = socket.AF_INET6


class _CallbackHandler(http.server.BaseHTTPRequestHandler):
    server: _LoopbackHTTPServer
    server_version = "ovhub-oauth-callback"
    timeout = CONNECTION_TIMEOUT

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        status, page = self.server.owner.handle_redirect(self.path)
        body = page.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # The page's URL carries the code: keep it out of any Referer header.
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("callback server: %s %s -> %s", self.command, redact_query(self.path), code)

    def log_message(self, format: str, *args: Any) -> None:
        # http.server writes to standard error by default, request line and code included.
        logger.debug("callback server: %s", redact_query(format % args))
