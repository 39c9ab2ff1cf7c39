"""HttpClient's retries against the sandbox's fault table: what is repeated, how long it waits."""

from __future__ import annotations

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import HttpClient, RetryPolicy

# GET /auth/time returns a bare JSON integer and needs no key.
TIME_PATH = "/1.0/auth/time"


def client_with_recorded_sleeps(max_retries=3):
    sleeps = []
    client = HttpClient("test", retry=RetryPolicy(max_retries=max_retries, backoff_initial=0.01), sleep=sleeps.append)
    return client, sleeps


def json_body(response):
    try:
        response.json()
    except ValueError:
        raise errors.InvalidResponseError("not JSON", service="test") from None


def test_get_retried_after_503_honours_retry_after(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault(TIME_PATH, status=503, count=2, retry_after=7)

    response = client.request("GET", sandbox.url + TIME_PATH)

    assert response.status_code == 200
    assert sleeps == [7.0, 7.0]


def test_post_not_retried_after_503(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault("/1.0/auth/credential", status=503, count=1)

    response = client.request("POST", sandbox.url + "/1.0/auth/credential", data=b"{}")

    assert response.status_code == 503
    assert sleeps == []


def test_post_retried_after_listed_status(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault("/1.0/auth/credential", status=509, count=2)

    response = client.request("POST", sandbox.url + "/1.0/auth/credential", data=b"{}", retry_statuses={509})

    assert response.status_code != 509
    assert len(sleeps) == 2


def test_get_with_html_body_retried_by_validate(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault(TIME_PATH, action="html", count=2)

    response = client.request("GET", sandbox.url + TIME_PATH, validate=json_body)

    assert isinstance(response.json(), int)
    assert len(sleeps) == 2


def test_validate_failure_raised_after_retries(sandbox):
    client, sleeps = client_with_recorded_sleeps(max_retries=2)
    sandbox.add_fault(TIME_PATH, action="html", count=5)

    with pytest.raises(errors.InvalidResponseError):
        client.request("GET", sandbox.url + TIME_PATH, validate=json_body)

    assert len(sleeps) == 2


def test_post_validate_failure_not_retried(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault("/1.0/auth/credential", action="html", count=1)

    with pytest.raises(errors.InvalidResponseError):
        client.request("POST", sandbox.url + "/1.0/auth/credential", data=b"{}", validate=json_body)

    assert sleeps == []


def test_dropped_connection_retried_for_get(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault(TIME_PATH, action="drop", count=1)

    response = client.request("GET", sandbox.url + TIME_PATH)

    assert response.status_code == 200
    assert len(sleeps) == 1


def test_dropped_connection_fails_post_at_once(sandbox):
    client, sleeps = client_with_recorded_sleeps()
    sandbox.add_fault("/1.0/auth/credential", action="drop", count=1)

    with pytest.raises(errors.ConnectionFailedError, match="could not complete"):
        client.request("POST", sandbox.url + "/1.0/auth/credential", data=b"{}")

    assert sleeps == []


def test_refused_connection_retried_briefly():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client, sleeps = client_with_recorded_sleeps(max_retries=5)

    with pytest.raises(errors.ConnectionFailedError, match="connection refused"):
        client.request("GET", f"http://127.0.0.1:{port}/nothing")

    assert len(sleeps) == 2
