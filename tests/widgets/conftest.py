"""Fixtures and helpers of the panel tests: a browser stand-in, a TOTP, and the secret checks.

The tests drive the panels from Python the way the front end would: set widget values,
click buttons, send the open button's message. Where a person would use a browser, the
tests fetch and fill the page over HTTP with requests and BeautifulSoup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import struct
import time
from collections.abc import Callable, Iterable
from urllib.parse import urljoin

import pytest
import requests
from bs4 import BeautifulSoup

from tests.magics.conftest import isolated_config, shell  # noqa: F401 - fixtures used by the tests here

# Upper bound on any wait for a panel's background work, so a broken flow fails instead of hanging.
WAIT_TIMEOUT = 60.0


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Return True when nothing listens on 127.0.0.1:``port``.

    SO_REUSEADDR lets the probe bind next to closed connections in TIME_WAIT, as the
    callback server itself does, so only a listening socket makes the port taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_free_port(port: int) -> None:
    """Wait until the callback server, which stops in a thread of its own, lets go of ``port``."""
    wait_until(lambda: port_is_free(port), f"port {port} to be free")


def wait_until(condition: Callable[[], bool], description: str, timeout: float = WAIT_TIMEOUT) -> None:
    """Wait until ``condition()`` is true; fail naming ``description`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {description}")
        time.sleep(0.05)


def browser() -> requests.Session:
    """Return a session that ignores proxy variables, as a local browser tab would reach loopback."""
    session = requests.Session()
    session.trust_env = False
    return session


def click_open_button(button, url: str | None = None) -> None:
    """Send what js/open_button.js sends after a click: ``{"event": "click", "url": URL}``."""
    button._handle_custom_msg({"event": "click", "url": button.url if url is None else url}, [])


# -- hubiC ------------------------------------------------------------------------------------


def register_hubic_client(sandbox, port: int | None = None) -> dict[str, str]:
    """Register a hubiC application in the sandbox with a loopback redirect URI of our own."""
    redirect_uri = f"http://localhost:{port or free_port()}/"
    registered = sandbox.control("POST", "hubic/clients", {"redirect_uri": redirect_uri})
    return {"client_id": registered["client_id"], "client_secret": registered["client_secret"],
            "redirect_uri": redirect_uri}


def accept_hubic_consent(authorize_url: str, email: str, password: str) -> requests.Response:
    """Open the consent page, keep the boxes it checks, log in and accept; return the POST's response.

    The redirect is not followed, so the test decides where the code goes.
    """
    with browser() as session:
        page = session.get(authorize_url, timeout=30)
        assert page.status_code == 200, page.text[:200]
        form = BeautifulSoup(page.text, "html.parser").find("form")
        assert form is not None, "the consent page has no form"
        fields = []
        for field in form.find_all("input"):
            kind = (field.get("type") or "text").lower()
            name = field.get("name")
            if not name or field.has_attr("disabled"):
                continue
            if kind == "hidden" or (kind == "checkbox" and field.has_attr("checked")):
                fields.append((name, field.get("value", "")))
        fields += [("login", email), ("user_pwd", password), ("action", "accepted")]
        action = urljoin(page.url, form.get("action") or page.url)
        return session.post(action, data=fields, allow_redirects=False, timeout=30)


# -- OVHcloud -------------------------------------------------------------------------------------


def totp_code(secret: str, at: float | None = None) -> str:
    """Return the RFC 6238 code (SHA-1, 30 s steps, 6 digits) of a base32 secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[start:start + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def wrong_totp_code(secret: str) -> str:
    """Return a 6-digit code that is not valid now, nor one step before or after."""
    now = time.time()
    valid = {totp_code(secret, now + 30 * step) for step in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def fill_validation_page(validation_url: str, login: str, password: str, *, totp: str | None = None,
                         action: str = "authorize", duration: str = "0") -> requests.Response:
    """Fill the consumer key validation page as a person would; return the response to the POST."""
    with browser() as session:
        page = session.get(validation_url, timeout=30)
        assert page.status_code == 200, page.text[:200]
        form = BeautifulSoup(page.text, "html.parser").find("form")
        assert form is not None, "the validation page has no form"
        fields = {}
        for field in form.find_all(["input", "select"]):
            name = field.get("name")
            if name:
                fields[name] = field.get("value", "")
        fields.update(login=login, password=password, duration=duration, action=action)
        if "totp" in fields:
            assert totp is not None, "the validation page asks for a two-factor code"
            fields["totp"] = totp
        action_url = urljoin(page.url, form.get("action") or page.url)
        return session.post(action_url, data=fields, allow_redirects=False, timeout=30)


# -- secrets ---------------------------------------------------------------------------------------


def sandbox_secrets(sandbox) -> list[str]:
    """Return every secret of the sandbox's demo accounts."""
    config = sandbox.config
    return [
        config["hubic"]["client_secret"],
        config["hubic"]["refresh_token"],
        config["hubic"]["password"],
        config["ovh"]["application_secret"],
        config["ovh"]["consumer_key"],
        config["ovh"]["password"],
        config["ovh"]["totp_secret"],
        config["ovh"]["client_secret"],
        config["swift"]["key"],
        config["keystone"]["password"],
    ]


def widget_states(panel) -> str:
    """Return the synced state of every widget in the panel, as one JSON text."""
    states = [widget.get_state() for widget in panel.widgets()]
    return json.dumps(states, default=str)


def assert_no_secret_in_state(panel, secrets: Iterable[str | None]) -> None:
    """Fail when any of ``secrets`` appears in the synced state of a widget of ``panel``."""
    text = widget_states(panel)
    for secret in secrets:
        if secret:
            assert secret not in text, f"a secret starting {secret[:3]!r} is in the widgets' state"


def assert_no_secret_logged(records: Iterable[logging.LogRecord], secrets: Iterable[str | None]) -> None:
    """Fail when any of ``secrets`` appears in a log line of ovhub_jupyter."""
    lines = [record.getMessage() for record in records if record.name.startswith("ovhub_jupyter")]
    assert lines, "nothing was logged, so the check would prove nothing"
    text = "\n".join(lines)
    for secret in secrets:
        if secret:
            assert secret not in text, f"a secret starting {secret[:3]!r} was logged"


# Host names the panels may resolve in these tests: the sandbox and the callback servers.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Make any name lookup other than loopback fail, so a panel pointed elsewhere fails, unsent."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_HOSTS:
            raise socket.gaierror(socket.EAI_NONAME, f"the tests reach loopback only, not {name!r}")
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def debug_logs(caplog):
    """Capture every log record at DEBUG."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def panels():
    """A list to put panels in; each one is closed after the test (servers and waits stopped)."""
    opened: list = []
    yield opened
    for panel in opened:
        panel.close()
        panel.wait_idle(WAIT_TIMEOUT)
