"""The sandbox's WSGI application: routes each request to the service it belongs to.

One server responds for every emulated service, and the path selects the service:

| path | service |
|---|---|
| ``/_sandbox/...`` | control endpoints for tests (loopback clients only) |
| ``/auth/v1.0``, ``/info``, ``/v1/AUTH_*`` | Swift main cluster (v1 auth, hubiC and plain accounts) |
| ``/storage/<region>/info``, ``/storage/<region>/v1/AUTH_*`` | Swift of an OVHcloud Public Cloud region |
| ``/v3/...``, ``/v2.0/...`` | Keystone v3, and v2.0 for legacy CDN webstorage |
| ``/hubic/...`` | hubiC: OAuth2 under ``/hubic/oauth/``, REST API under ``/hubic/1.0/`` |
| ``/1.0/...``, ``/v1/...``, ``/v2/...`` | OVHcloud API (``/v1/AUTH_*`` is Swift, not the API) |
| ``/createApp/``, ``/auth/`` | OVHcloud pages: application creation and consumer key validation |

Every request passes through the fault table first, and is recorded in a short request
log that tests read through ``/_sandbox/requests``.
"""

from __future__ import annotations

import collections
import ipaddress
import json
import logging
import re
import socket
import threading
import time
from typing import Any, Callable

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from .faults import FaultRule, FaultRuleError, FaultTable
from .state import DEFAULT_SETTINGS, SandboxState

logger = logging.getLogger(__name__)

# Requests kept in the log that /_sandbox/requests returns.
REQUEST_LOG_SIZE = 5000

# Query parameters whose values the request log replaces with "***".
_SECRET_QUERY = re.compile(
    r"((?:^|&)(?:temp_url_sig|code|access_token|refresh_token|client_secret|credentialToken|password)=)[^&]*",
    re.IGNORECASE,
)

_REGION_PATH = re.compile(r"^/storage/([a-z0-9-]+)(/.*)?$")

HTTP_STATUS_PHRASES = {
    408: "Request Timeout",
    429: "Too Many Requests",
    498: "Rate Limited",
    509: "Bandwidth Limit Exceeded",
}


def raw_path(request: Request) -> str:
    """Return the path exactly as the client sent it, still percent-encoded."""
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    if "://" in uri.split("?", 1)[0]:
        uri = "/" + uri.split("://", 1)[1].split("/", 1)[-1]
    # WSGI carries the request line as latin-1 text, so a byte sent without percent-encoding
    # shows as the latin-1 character of that byte: path.encode("latin-1") gives the bytes back.
    return uri.split("?", 1)[0]


def raw_query(request: Request) -> str:
    """Return the query string exactly as the client sent it (without the ``?``)."""
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    return uri.split("?", 1)[1] if "?" in uri else request.environ.get("QUERY_STRING", "")


def status_line(status: int) -> str:
    """Return ``"CODE Phrase"``, with phrases for codes werkzeug does not know (498, 509)."""
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = HTTP_STATUS_PHRASES.get(status, "Error")
    return f"{status} {HTTP_STATUS_PHRASES.get(status, phrase)}"


class Service:
    """One emulated service. Subclasses implement ``handle`` for the paths routed to them."""

    name = "service"

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def handle(self, request: Request, path: str) -> Response:
        """Respond to one request; ``path`` is the raw (percent-encoded) path."""
        return Response(f"{self.name} is not emulated yet\n", status=501, content_type="text/plain")

    def error_response(self, request: Request, status: int, rule: FaultRule) -> Response:
        """Return an injected error status in this service's own error format."""
        body = f"<html><h1>{status_line(status)}</h1><p>Injected by the sandbox.</p></html>"
        return Response(body, status=status_line(status), content_type="text/html; charset=UTF-8")

    def finish_fault_response(self, request: Request, response: Response) -> None:
        """Add the headers this service puts on every answer (a request id) to an injected one."""

    def reset(self) -> None:
        """Return to the freshly seeded state (storage, issued keys, pending flows)."""

    def control(self, request: Request, name: str) -> Response:
        """Answer ``/_sandbox/<service>/<name>``, a control endpoint of this service."""
        return Response(f"no control endpoint {name!r} in {self.name}\n", status=404, content_type="text/plain")


class SandboxApp:
    """The WSGI callable of the sandbox."""

    def __init__(self, state: SandboxState, services: dict[str, Service]) -> None:
        self.state = state
        self.services = services
        self.faults = FaultTable()
        self.request_log: collections.deque[dict[str, Any]] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self.request_count = 0
        self._log_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        started = time.monotonic()
        path = raw_path(request)
        try:
            response = self.dispatch(request, path)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except Exception:
            logger.exception("sandbox failed on %s %s", request.method, path)
            response = Response("sandbox internal error\n", status=500, content_type="text/plain")
        self._record(request, path, response, time.monotonic() - started)
        return response(environ, start_response)

    def dispatch(self, request: Request, path: str) -> Response:
        if path.startswith("/_sandbox/") or path == "/_sandbox":
            return self.control(request, path)

        service_name = self.route(path)
        service = self.services.get(service_name) if service_name else None
        if service is None:
            return Response(f"no sandbox service at {path}\n", status=404, content_type="text/plain")

        rule = self.faults.take(request.method, path)
        if rule is not None:
            response = self.apply_fault(request, path, service, rule)
            if response is not None:
                return response
        return service.handle(request, path)

    @staticmethod
    def route(path: str) -> str | None:
        """Return the name of the service that answers ``path``."""
        if path.startswith("/v1/AUTH_") or path in ("/info", "/auth/v1.0", "/auth/v1.0/"):
            return "swift"
        region = _REGION_PATH.match(path)
        if region:
            return "swift"
        if path.startswith(("/v3/", "/v2.0/")) or path in ("/v3", "/v2.0"):
            return "keystone"
        if path.startswith("/hubic/"):
            return "hubic"
        for prefix in ("/1.0/", "/v1/", "/v2/", "/createApp", "/auth/"):
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return "ovh"
        if path == "/":
            return "index"
        return None

    def apply_fault(self, request: Request, path: str, service: Service, rule: FaultRule) -> Response | None:
        """Carry out ``rule``; return the answer, or None to handle the request normally."""
        logger.debug("fault %d (%s) on %s %s", rule.id, rule.action, request.method, path)
        if rule.action == "delay":
            time.sleep(rule.delay)
            return None
        if rule.action == "expire_tokens":
            self.state.tokens.expire_all()
            return None
        if rule.action == "drop":
            _drop_connection(request)
            return Response(b"", status=500)

        status = rule.status or (200 if rule.action == "html" else 500)
        if rule.action == "html":
            body = rule.body or "<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Service temporarily unavailable</h1></body></html>"
            response = Response(body, status=status_line(status), content_type="text/html; charset=UTF-8")
        elif rule.body is not None:
            response = Response(rule.body, status=status_line(status), content_type=rule.content_type or "text/plain")
        else:
            response = service.error_response(request, status, rule)
            response.status = status_line(status)
        if rule.retry_after is not None:
            response.headers["Retry-After"] = rule.retry_after
        for name, value in (rule.headers or {}).items():
            response.headers[name] = value
        service.finish_fault_response(request, response)
        # Read and drop the request body so the client sees the answer, not a reset.
        _discard_body(request)
        return response

    # -- control endpoints -------------------------------------------------------------

    def control(self, request: Request, path: str) -> Response:
        if not _is_loopback(request.remote_addr):
            return _json({"error": "the sandbox control endpoints answer loopback clients only"}, 403)

        name = path[len("/_sandbox/"):].strip("/")
        method = request.method
        if name == "config" and method == "GET":
            return _json(self.state.public_config())
        if name == "faults":
            return self._control_faults(request)
        if name == "tokens/expire" and method == "POST":
            self.state.tokens.expire_all()
            return _json({"expired": True})
        if name == "clock":
            return self._control_clock(request)
        if name == "settings":
            return self._control_settings(request)
        if name == "requests":
            return self._control_requests(request)
        if name == "reset" and method == "POST":
            self.reset()
            return _json({"reset": True})
        service_name, _, rest = name.partition("/")
        if service_name in self.services and rest:
            return self.services[service_name].control(request, rest)
        return _json({"error": f"unknown control endpoint {method} {path}"}, 404)

    def reset(self) -> None:
        """Clear faults, the clock shift, settings and tokens, then reset every service."""
        self.faults.clear()
        with self.state.lock:
            self.state.clock_shift = 0.0
            self.state.settings = dict(DEFAULT_SETTINGS)
        self.state.tokens.clear()
        for service in self.services.values():
            service.reset()
        with self._log_lock:
            self.request_log.clear()

    def _control_faults(self, request: Request) -> Response:
        if request.method == "GET":
            return _json(self.faults.describe())
        if request.method == "DELETE":
            self.faults.clear()
            return _json({"cleared": True})
        if request.method == "POST":
            try:
                rule = self.faults.add(_read_json(request))
            except FaultRuleError as exc:
                return _json({"error": str(exc)}, 400)
            return _json({"id": rule.id}, 201)
        return _json({"error": "use GET, POST or DELETE"}, 405)

    def _control_clock(self, request: Request) -> Response:
        if request.method == "POST":
            data = _read_json(request)
            shift = data.get("shift") if isinstance(data, dict) else None
            if not isinstance(shift, (int, float)):
                return _json({"error": "post {\"shift\": SECONDS}, the offset from the real clock"}, 400)
            with self.state.lock:
                self.state.clock_shift = float(shift)
        return _json({"shift": self.state.clock_shift, "now": self.state.now()})

    def _control_settings(self, request: Request) -> Response:
        if request.method == "POST":
            data = _read_json(request)
            if not isinstance(data, dict):
                return _json({"error": "post a JSON object of settings"}, 400)
            unknown = set(data) - set(DEFAULT_SETTINGS)
            if unknown:
                return _json({"error": f"unknown settings: {', '.join(sorted(unknown))}"}, 400)
            with self.state.lock:
                self.state.settings.update(data)
        return _json(self.state.settings)

    def _control_requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self._log_lock:
                self.request_log.clear()
            return _json({"cleared": True})
        with self._log_lock:
            return _json({"count": self.request_count, "requests": list(self.request_log)})

    def _record(self, request: Request, path: str, response: Response, elapsed: float) -> None:
        if path.startswith("/_sandbox/"):
            return
        entry = {
            "method": request.method,
            "path": path,
            "query": _SECRET_QUERY.sub(r"\1***", raw_query(request)),
            "status": response.status_code,
            "seconds": round(elapsed, 4),
        }
        with self._log_lock:
            self.request_count += 1
            self.request_log.append(entry)
        logger.debug("%s %s -> %s", entry["method"], entry["path"], entry["status"])


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _read_json(request: Request) -> Any:
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        return None


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _discard_body(request: Request) -> None:
    stream = request.stream
    while stream.read(1 << 20):
        pass


def _drop_connection(request: Request) -> None:
    connection = request.environ.get("werkzeug.socket")
    if connection is None:
        return
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
