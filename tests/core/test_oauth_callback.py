"""The loopback OAuth callback server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import socket

import pytest
import requests

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.oauth_callback import (
    CallbackPortInUseError,
    CallbackServer,
    CallbackTimeoutError,
    parse_loopback_redirect,
    redact_query,
)

CODE = "code-0123456789abcdefghij"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def browser_get(url: str) -> requests.Response:
    # A browser on this machine: no proxy from the environment.
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url, timeout=10)


@pytest.fixture
def redirect_uri():
    return f"http://127.0.0.1:{free_port()}/callback"


def test_code_received_and_page_answered(redirect_uri):
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        response = browser_get(f"{redirect_uri}?code={CODE}&scope=credentials.r&state=S1")
        result = callback.wait(10)

    assert response.status_code == 200
    assert "sign-in complete" in response.text
    assert "close this tab" in response.text
    assert CODE not in response.text
    assert result.code == CODE
    assert result.scope == "credentials.r"


def test_server_stops_after_code(redirect_uri):
    callback = CallbackServer(redirect_uri, expected_state="S1").start()
    browser_get(f"{redirect_uri}?code={CODE}&state=S1")
    callback.wait(10)
    callback.stop()

    with pytest.raises(requests.ConnectionError):
        browser_get(f"{redirect_uri}?code={CODE}&state=S1")


def test_wrong_state_ignored_until_right_one(redirect_uri):
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        rejected = browser_get(f"{redirect_uri}?code=stolen&state=OTHER")
        assert not callback.done
        accepted = browser_get(f"{redirect_uri}?code={CODE}&state=S1")
        result = callback.wait(10)

    assert rejected.status_code == 400
    assert "another sign-in attempt" in rejected.text
    assert accepted.status_code == 200
    assert result.code == CODE


def test_code_without_state_ignored(redirect_uri):
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        response = browser_get(f"{redirect_uri}?code={CODE}")
        assert response.status_code == 400
        assert not callback.done


def test_error_redirect_raised_by_wait(redirect_uri):
    url = f"{redirect_uri}?error=access_denied&error_description=the+user+declined&state=S1"
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        response = browser_get(url)
        with pytest.raises(errors.ForbiddenError, match="the user declined"):
            callback.wait(10)

    assert response.status_code == 400
    assert "sign-in failed" in response.text
    assert "the user declined" in response.text


def test_other_paths_do_not_end_wait(redirect_uri):
    root = redirect_uri.rsplit("/", 1)[0]
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        assert browser_get(f"{root}/favicon.ico").status_code == 404
        assert browser_get(redirect_uri).status_code == 400
        assert not callback.done


def test_on_result_called_with_result(redirect_uri):
    received = []
    with CallbackServer(redirect_uri, expected_state="S1", on_result=received.append) as callback:
        browser_get(f"{redirect_uri}?code={CODE}&state=S1")
        callback.wait(10)
    assert [result.code for result in received] == [CODE]


def test_wait_timeout_keeps_server_running(redirect_uri):
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        with pytest.raises(CallbackTimeoutError, match="no sign-in redirect arrived"):
            callback.wait(0.05)
        browser_get(f"{redirect_uri}?code={CODE}&state=S1")
        assert callback.wait(10).code == CODE


def test_taken_port_named_in_error():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(CallbackPortInUseError) as caught:
            CallbackServer(f"http://localhost:{port}/").start()

    message = str(caught.value)
    assert f"port {port}" in message
    assert "register another redirect URI" in message


def test_localhost_listens_on_ipv4():
    port = free_port()
    with CallbackServer(f"http://localhost:{port}/", expected_state="S1") as callback:
        response = browser_get(f"http://127.0.0.1:{port}/?code={CODE}&state=S1")
        assert callback.wait(10).code == CODE
    assert response.status_code == 200


def test_code_never_logged(redirect_uri, caplog):
    caplog.set_level(logging.DEBUG, logger="ovhub_jupyter")
    with CallbackServer(redirect_uri, expected_state="S1") as callback:
        browser_get(f"{redirect_uri}?code={CODE}&state=S1")
        callback.wait(10)

    assert "callback server" in caplog.text
    assert CODE not in caplog.text


@pytest.mark.parametrize(
    "uri", ["https://localhost:8080/", "http://example.com:8080/", "http://192.0.2.1:8080/", "http://localhost:x/"]
)
def test_non_loopback_redirect_rejected(uri):
    with pytest.raises(errors.InvalidInputError):
        parse_loopback_redirect(uri)


def test_loopback_redirect_parts():
    redirect = parse_loopback_redirect("http://localhost:53682/")
    assert redirect.hosts == ("127.0.0.1",)
    assert redirect.optional_hosts == ("::1",)
    assert redirect.port == 53682
    assert redirect.path == "/"


def test_redact_query_hides_code_and_state():
    assert redact_query("GET /cb?code=abc&state=xyz&scope=r HTTP/1.1") == "GET /cb?code=***&state=***&scope=r HTTP/1.1"
