"""Run the sandbox: a threaded HTTP server in this process, as a context manager or a command.

``Sandbox`` binds a free loopback port by default, serves from a background thread, and
offers the control endpoints (faults, token expiry, clock, settings, reset) as methods so
tests read as a story. The control helpers go over HTTP with the standard library, so they
work the same against a sandbox started in another process (``Sandbox.attach``).

NOTE: werkzeug's development server closes the connection after every response, so
clients cannot keep connections alive against the sandbox as they can against a real
Swift. Behaviour is the same; only connection reuse differs.
"""

from __future__ import annotations

import atexit
import ipaddress
import json
import logging
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SandboxApp, Service
from .state import SandboxState

logger = logging.getLogger(__name__)


class SandboxControlError(RuntimeError):
    """A control endpoint returned an error status, or the server is not a sandbox."""

    def __init__(self, method: str, name: str, status: int, body: bytes) -> None:
        # Only a JSON error message is kept, because a server that is not the sandbox may
        # return a whole HTML page.
        try:
            detail = str(json.loads(body).get("error", ""))
        except (ValueError, AttributeError):
            detail = ""
        super().__init__(f"sandbox control {method} {name} failed: HTTP {status}" + (f": {detail}" if detail else ""))
        self.status = status


class _QuietRequestHandler(WSGIRequestHandler):
    """Send werkzeug's per-request lines to the DEBUG log instead of standard error."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # SandboxApp already logs each request with secrets removed from the query string.
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            logger.warning("sandbox server: " + message, *args)


def build_services(state: SandboxState) -> dict[str, Service]:
    """Create one instance of every emulated service, sharing ``state``."""
    from .hubic import HubicService
    from .index import IndexService
    from .keystone import KeystoneService
    from .ovhapi import OvhApiService
    from .swift import SwiftService

    swift = SwiftService(state)
    keystone = KeystoneService(state, swift)
    return {
        "swift": swift,
        "keystone": keystone,
        "hubic": HubicService(state, swift),
        "ovh": OvhApiService(state, swift, keystone),
        "index": IndexService(state),
    }


class Sandbox:
    """A running sandbox: the URL, the demo accounts, and the test controls."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: str | Path | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._owned_data_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="ovhub-sandbox-"))
        self._initial_settings = dict(settings or {})
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.app: SandboxApp | None = None
        self.url: str | None = None

    @classmethod
    def attach(cls, url: str) -> "Sandbox":
        """Return a handle on a sandbox already running at ``url`` (for its control helpers)."""
        handle = cls.__new__(cls)
        handle.url = url.rstrip("/")
        handle.app = None
        handle._server = None
        handle._thread = None
        handle._owned_data_dir = False
        return handle

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r})"

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "Sandbox":
        """Bind the port, seed the data on first use, and serve from a background thread."""
        if self._server is not None:
            return self
        try:
            state = SandboxState(self.data_dir)
            state.settings.update(self._initial_settings)
            self.app = SandboxApp(state, build_services(state))
            self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietRequestHandler)
        except BaseException:
            # werkzeug exits (SystemExit) when the port is taken, and the folder contains secrets.
            self._close_services()
            if self._owned_data_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            raise
        self.port = self._server.server_port
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self.url = f"http://{host}:{self.port}"
        state.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, name="ovhub-sandbox", daemon=True)
        self._thread.start()
        logger.info("sandbox running at %s (data in %s)", self.url, self.data_dir)
        return self

    def stop(self) -> None:
        """Stop serving and remove the data folder when the sandbox created it."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._close_services()
        self._server = None
        self._thread = None
        if self._owned_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        logger.info("sandbox at %s stopped", self.url)

    def _close_services(self) -> None:
        if self.app is None:
            return
        for service in self.app.services.values():
            close = getattr(service, "close", None)
            if close is not None:
                close()

    @property
    def running(self) -> bool:
        """True while this object's server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- demo accounts and test controls --------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """The demo accounts, as ``GET /_sandbox/config`` returns them."""
        if self.app is not None:
            return self.app.state.public_config()
        return self.control("GET", "config")

    def control(self, method: str, name: str, payload: Any = None) -> Any:
        """Call a control endpoint and return its decoded JSON response."""
        if self.url is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(f"{self.url}/_sandbox/{name}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SandboxControlError(method, name, exc.code, exc.read()) from None

    def add_fault(self, path: str, **rule: Any) -> int:
        """Make matching requests fail; see ``faults.py`` for the rule fields. Return its id."""
        return self.control("POST", "faults", {"path": path, **rule})["id"]

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.control("DELETE", "faults")

    def expire_tokens(self) -> None:
        """Expire every token issued until now (Swift, Keystone, hubiC access tokens)."""
        self.control("POST", "tokens/expire")

    def shift_clock(self, seconds: float) -> None:
        """Set the server clock to the real time plus ``seconds``."""
        self.control("POST", "clock", {"shift": seconds})

    def update_settings(self, **settings: Any) -> dict[str, Any]:
        """Change settings such as ``container_listing_limit``; return them all."""
        return self.control("POST", "settings", settings)

    def reset(self) -> None:
        """Return to the seeded state: faults, clock, settings, tokens and data."""
        self.control("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        """Return the logged requests (method, path, query without secrets, status)."""
        return self.control("GET", "requests")["requests"]

    def request_count(self) -> int:
        """Return how many requests the services have answered since the start."""
        return self.control("GET", "requests")["count"]


def is_loopback_host(host: str) -> bool:
    """Return True when ``host`` names a loopback address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# The sandbox started by ``shared_sandbox``, reused by every later call in this process.
_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """Return this process's in-process sandbox, starting it on first use."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = Sandbox().start()
            # A kernel that exits without %unload_ext would leave the data folder behind.
            atexit.register(stop_shared_sandbox)
        return _shared


def stop_shared_sandbox() -> bool:
    """Stop the in-process sandbox; return False when none was running."""
    global _shared
    with _shared_lock:
        if _shared is None:
            return False
        _shared.stop()
        _shared = None
        return True
