"""Helpers for the hubiC tests (no tests here): a client of our own in the sandbox, a browser stand-in."""

from __future__ import annotations

import html.parser
import socket

import requests

from ovhub_jupyter.core import hubic
from ovhub_jupyter.core.http import RetryPolicy

# Fast retries so that a burst of faults costs milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_retries=3, backoff_initial=0.01, backoff_max=0.05, retry_after_max=0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def register_app(sandbox, redirect_uri: str | None = None, **overrides) -> hubic.HubicApp:
    """Register a new hubiC client in the sandbox, so that signing in again leaves the demo one alone."""
    redirect_uri = redirect_uri or f"http://localhost:{free_port()}/"
    registered = sandbox.control("POST", "hubic/clients", {"redirect_uri": redirect_uri})
    config = sandbox.config["hubic"]
    values = {
        "client_id": registered["client_id"],
        "client_secret": registered["client_secret"],
        "redirect_uri": redirect_uri,
        "auth_url": config["auth_url"],
        "token_url": config["token_url"],
        "api_url": config["api_url"],
    }
    values.update(overrides)
    return hubic.HubicApp(**values)


def sign_in(sandbox, app: hubic.HubicApp, **client_options) -> hubic.HubicClient:
    """Return a client of ``app`` holding a fresh refresh token."""
    config = sandbox.config["hubic"]
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    client = hubic.HubicClient(app, retry=FAST_RETRY, **client_options)
    client.exchange_code(result)
    return client


class _FormInputs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))


def accept_consent(authorize_url: str, email: str, password: str) -> requests.Response:
    """Do what a person does in a browser: open the consent page, keep the checked boxes, sign in.

    Returns the response to the form POST without following its redirect.
    """
    with requests.Session() as session:
        session.trust_env = False
        page = session.get(authorize_url, timeout=30)
        page.raise_for_status()
        reader = _FormInputs()
        reader.feed(page.text)

        fields = []
        for attributes in reader.inputs:
            kind = (attributes.get("type") or "text").lower()
            name = attributes.get("name")
            if not name:
                continue
            if kind == "hidden" or (kind == "checkbox" and "checked" in attributes):
                fields.append((name, attributes.get("value") or ""))
        fields += [("action", "accepted"), ("login", email), ("user_pwd", password)]
        return session.post(page.url, data=fields, allow_redirects=False, timeout=30)


def browser_get(url: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, timeout=30)


def requests_since(sandbox, count_before: int) -> list[dict]:
    """Return the requests the sandbox handled since ``sandbox.request_count()`` was ``count_before``."""
    log = sandbox.requests()
    new = sandbox.request_count() - count_before
    return log[-new:] if new > 0 else []


def token_requests(sandbox, count_before: int) -> list[dict]:
    """Return the requests to the hubiC token endpoint since ``count_before``."""
    return [r for r in requests_since(sandbox, count_before) if r["path"].endswith("/oauth/token/")]


def api_requests(sandbox, count_before: int, suffix: str) -> list[dict]:
    """Return the requests to the hubiC API path ending with ``suffix`` since ``count_before``."""
    return [r for r in requests_since(sandbox, count_before) if "/hubic/1.0/" in r["path"] and r["path"].endswith(suffix)]
