"""The hubiC REST API client against the sandbox: credentials, links, scopes, broken responses."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import quote

import pytest
import requests

from ovhub_jupyter.core import errors, hubic
from tests.core.hubic_helpers import FAST_RETRY, api_requests, register_app, sign_in


@pytest.fixture
def client(sandbox):
    signed_in = sign_in(sandbox, register_app(sandbox))
    yield signed_in
    signed_in.close()


def put_object(credentials, container: str, name: str, body: bytes) -> None:
    """Store an object straight through Swift, as another client would."""
    with requests.Session() as session:
        session.trust_env = False
        headers = {"X-Auth-Token": credentials.token}
        session.put(f"{credentials.storage_url}/{quote(container)}", headers=headers, timeout=30).raise_for_status()
        url = f"{credentials.storage_url}/{quote(container)}/{quote(name)}"
        session.put(url, data=body, headers=headers, timeout=30).raise_for_status()


def test_credentials_expiry_has_paris_offset(sandbox, client):
    raw = client.call("GET", "/account/credentials")
    credentials = client.credentials()

    assert re.search(r"[+-]0[12]:00$", raw["expires"])
    assert credentials.expires_at == hubic.parse_expiry(raw["expires"])
    assert credentials.storage_url == raw["endpoint"]


def test_credentials_open_swift(sandbox, client):
    credentials = client.swift_provider().get()
    with requests.Session() as session:
        session.trust_env = False
        response = session.head(credentials.storage_url, headers={"X-Auth-Token": credentials.token}, timeout=30)
    assert response.status_code in (200, 204)


def test_html_credentials_body_retried(sandbox, client):
    sandbox.add_fault("/hubic/1.0/account/credentials", action="html", count=2)

    before = sandbox.request_count()
    credentials = client.credentials()

    assert credentials.token
    assert len(api_requests(sandbox, before, "/account/credentials")) == 3


def test_html_credentials_body_fails_clearly(sandbox, client):
    sandbox.add_fault("/hubic/1.0/account/credentials", action="html", count=20)

    before = sandbox.request_count()
    with pytest.raises(errors.InvalidResponseError) as caught:
        client.credentials()

    message = str(caught.value)
    assert "HTML page where JSON was expected" in message
    assert "Traceback" not in message
    assert caught.value.__cause__ is None
    assert len(api_requests(sandbox, before, "/account/credentials")) == FAST_RETRY.max_retries + 1


def test_api_509_burst_retried(sandbox, client):
    sandbox.add_fault("/hubic/1.0/account/usage", status=509, count=2)
    usage = client.usage()
    assert set(usage) >= {"quota", "used"}


def test_provider_fetches_again_after_invalidate(sandbox, client):
    provider = client.swift_provider()
    first = provider.get()
    provider.invalidate(first.token)

    before = sandbox.request_count()
    provider.get()
    assert len(api_requests(sandbox, before, "/account/credentials")) == 1


def test_links_publish_list_get_unpublish(sandbox, client):
    name = f"links-{uuid.uuid4().hex[:8]}/rapport été.txt"
    put_object(client.credentials(), "default", name, b"published bytes")

    link = client.publish("default", name, 5, "for the team")
    uri = link["uri"]
    assert uri == "/" + name
    assert link["indirectUrl"].startswith("http")
    assert {"expirationDate", "creationDate"} <= set(link)

    listed = client.links()
    assert uri in str(listed)
    assert uri in str(client.all_links())
    assert client.link(uri)["indirectUrl"] == link["indirectUrl"]

    before = sandbox.request_count()
    client.unpublish(uri)
    assert [r["status"] for r in api_requests(sandbox, before, "")] == [204]
    with pytest.raises(errors.NotFoundError):
        client.link(uri)


@pytest.mark.parametrize("ttl", [0, 2, 7, 31, "forever"])
def test_bad_ttl_rejected_before_request(sandbox, client, ttl):
    before = sandbox.request_count()
    with pytest.raises(errors.InvalidInputError, match="1, 5, 10, 15, 20, 25, 30"):
        client.publish("default", "/file.txt", ttl)
    assert sandbox.request_count() == before


@pytest.mark.parametrize(("container", "path"), [("", "/file.txt"), ("a/b", "/file.txt"), ("default", "/")])
def test_bad_link_target_rejected_before_request(sandbox, client, container, path):
    before = sandbox.request_count()
    with pytest.raises(errors.InvalidInputError):
        client.publish(container, path, 5)
    assert sandbox.request_count() == before


def test_missing_scope_explained(sandbox):
    app = register_app(sandbox, scope="credentials.r,account.r")
    limited = sign_in(sandbox, app)

    with pytest.raises(errors.ServiceError) as caught:
        limited.links()
    assert "scope" in str(caught.value)


def test_scopes_listed(sandbox, client):
    scopes = client.scopes()
    assert "credentials" in str(scopes)
    assert "links" in str(scopes)


def test_sandbox_account_from_environment(sandbox, client, tmp_path, monkeypatch):
    monkeypatch.setenv("OVHUB_CONFIG", str(tmp_path / "ovhub.conf"))
    app = client.app
    environ = {
        "HUBIC_CLIENT_ID": app.client_id,
        "HUBIC_CLIENT_SECRET": app.client_secret,
        "HUBIC_REFRESH_TOKEN": client.refresh_token,
        "HUBIC_REDIRECT_URI": app.redirect_uri,
        "HUBIC_AUTH_URL": app.auth_url,
        "HUBIC_TOKEN_URL": app.token_url,
        "HUBIC_API_URL": app.api_url,
    }
    account = hubic.load_account(environ=environ, retry=FAST_RETRY)

    assert account.client.account()["email"] == sandbox.config["hubic"]["email"]
    assert account.provider.get().expires_at > time.time()
    assert account.signed_in


def test_saved_account_signs_in(sandbox, client, tmp_path, monkeypatch):
    path = tmp_path / "ovhub.conf"
    monkeypatch.setenv("OVHUB_CONFIG", str(path))

    hubic.save_refresh_token(client.app, client.refresh_token, "hubic-saved")
    account = hubic.load_account("hubic-saved", environ={}, retry=FAST_RETRY)

    assert path.stat().st_mode & 0o777 == 0o600
    assert account.client.usage()["quota"] > 0
