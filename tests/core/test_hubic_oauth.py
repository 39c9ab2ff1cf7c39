"""hubiC sign-in and token handling against the sandbox, over real HTTP."""

from __future__ import annotations

import logging
import time

import pytest

from ovhub_jupyter.core import errors, hubic
from ovhub_jupyter.core.oauth_callback import CallbackServer
from tests.core.hubic_helpers import (
    FAST_RETRY,
    accept_consent,
    api_requests,
    browser_get,
    register_app,
    sign_in,
    token_requests,
)

# Seconds the sandbox lets a Swift token live (its swift_token_ttl setting).
SWIFT_TOKEN_TTL = 86400


def test_full_sign_in_flow(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    request = hubic.start_authorization(app)

    with CallbackServer(app.redirect_uri, expected_state=request.state) as callback:
        consent = accept_consent(request.url, config["email"], config["password"])
        assert consent.status_code == 302
        landing = browser_get(consent.headers["Location"])
        result = callback.wait(30)
    assert landing.status_code == 200
    assert "sign-in complete" in landing.text

    client = hubic.HubicClient(app, retry=FAST_RETRY)
    tokens = client.exchange_code(result)
    assert tokens.refresh_token
    assert client.refresh_token == tokens.refresh_token
    assert client.account()["email"] == config["email"]
    usage = client.usage()
    assert usage["quota"] >= usage["used"] >= 0

    provider = client.swift_provider()
    credentials = provider.get()
    assert credentials.storage_url.startswith(sandbox.url)
    assert "/v1/AUTH_" in credentials.storage_url
    assert credentials.expires_at == pytest.approx(time.time() + SWIFT_TOKEN_TTL, abs=600)
    assert provider.kind == "hubic"


def test_refresh_token_signs_in_new_client(sandbox):
    app = register_app(sandbox)
    first = sign_in(sandbox, app)

    second = hubic.HubicClient(app, first.refresh_token, retry=FAST_RETRY)
    assert second.account()["email"] == sandbox.config["hubic"]["email"]
    assert second.refresh_token == first.refresh_token


def test_pasted_url_with_wrong_state_rejected(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    stale = hubic.start_authorization(app)
    current = hubic.start_authorization(app)

    consent = accept_consent(stale.url, config["email"], config["password"])
    with pytest.raises(errors.InvalidInputError, match="state does not match"):
        hubic.parse_redirect(consent.headers["Location"], current.state)


def test_expired_code_rejected(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    client = hubic.HubicClient(app, retry=FAST_RETRY)

    sandbox.shift_clock(sandbox.control("GET", "settings")["hubic_code_ttl"] + 60)
    before = sandbox.request_count()
    with pytest.raises(errors.BadRequestError) as caught:
        client.exchange_code(result)

    assert "expired" in str(caught.value)
    assert "start the sign-in again" in str(caught.value)
    assert len(token_requests(sandbox, before)) == 1


def test_code_works_once(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    hubic.HubicClient(app, retry=FAST_RETRY).exchange_code(result)

    with pytest.raises(errors.BadRequestError):
        hubic.HubicClient(app, retry=FAST_RETRY).exchange_code(result)


def test_wrong_password_shows_page_message(sandbox):
    app = register_app(sandbox)
    password = "not-the-password-0123"
    with pytest.raises(errors.AuthenticationError) as caught:
        hubic.authorize_with_password(app, sandbox.config["hubic"]["email"], password, retry=FAST_RETRY)

    assert "Authentication failed" in str(caught.value)
    assert password not in str(caught.value)


def test_wrong_redirect_uri_raises_redirect_error(sandbox):
    app = register_app(sandbox)
    wrong = hubic.HubicApp(
        app.client_id,
        app.client_secret,
        "http://localhost:1/elsewhere",
        auth_url=app.auth_url,
        token_url=app.token_url,
        api_url=app.api_url,
    )
    with pytest.raises(errors.ServiceError) as caught:
        hubic.authorize_with_password(wrong, "x@example.com", "pw", retry=FAST_RETRY)
    assert "redirect" in str(caught.value).lower()


def test_wrong_client_secret_rejected(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    impostor = hubic.HubicApp(
        app.client_id,
        "wrong-secret-0123456789",
        app.redirect_uri,
        auth_url=app.auth_url,
        token_url=app.token_url,
        api_url=app.api_url,
    )
    with pytest.raises(errors.AuthenticationError, match="client id and secret"):
        hubic.HubicClient(impostor, retry=FAST_RETRY).exchange_code(result)


# -- access tokens ---------------------------------------------------------------------------


def test_expired_access_token_refreshed_on_401(sandbox):
    client = sign_in(sandbox, register_app(sandbox))
    client.account()

    sandbox.expire_tokens()
    before = sandbox.request_count()
    assert client.account()["email"] == sandbox.config["hubic"]["email"]

    statuses = [r["status"] for r in api_requests(sandbox, before, "/account")]
    assert statuses == [401, 200]
    assert len(token_requests(sandbox, before)) == 1


def test_access_token_refreshed_before_expiry(sandbox):
    offset = [0.0]
    client = sign_in(sandbox, register_app(sandbox), clock=lambda: time.time() + offset[0])
    client.account()

    # Six hours later by the client's clock and the server's.
    offset[0] = 6 * 3600
    sandbox.shift_clock(6 * 3600)
    before = sandbox.request_count()
    client.account()

    statuses = [r["status"] for r in api_requests(sandbox, before, "/account")]
    assert statuses == [200]
    assert len(token_requests(sandbox, before)) == 1


def test_repeated_401_fails_after_one_refresh(sandbox):
    client = sign_in(sandbox, register_app(sandbox))
    client.account()
    sandbox.add_fault("/hubic/1.0/account", status=401, count=10)

    before = sandbox.request_count()
    with pytest.raises(errors.AuthenticationError) as caught:
        client.account()

    assert "sign in again" in str(caught.value)
    assert len(api_requests(sandbox, before, "/account")) == 2
    assert len(token_requests(sandbox, before)) == 1


def test_replaced_refresh_token_requires_sign_in(sandbox):
    app = register_app(sandbox)
    old = sign_in(sandbox, app)
    sign_in(sandbox, app)  # authorizing again replaces the refresh token

    stale = hubic.HubicClient(app, old.refresh_token, retry=FAST_RETRY)
    before = sandbox.request_count()
    with pytest.raises(errors.SignInRequiredError) as caught:
        stale.account()

    assert "%hubic_login" in str(caught.value)
    assert len(token_requests(sandbox, before)) == 1


def test_missing_refresh_token_requires_sign_in(sandbox):
    client = hubic.HubicClient(register_app(sandbox), retry=FAST_RETRY)
    before = sandbox.request_count()
    with pytest.raises(errors.SignInRequiredError, match="%hubic_login"):
        client.usage()
    assert sandbox.request_count() == before


# -- rate limits and broken bodies ------------------------------------------------------------


def test_refresh_retries_509_burst(sandbox):
    app = register_app(sandbox)
    refresh_token = sign_in(sandbox, app).refresh_token
    client = hubic.HubicClient(app, refresh_token, retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", status=509, count=3)

    before = sandbox.request_count()
    client.refresh()

    assert [r["status"] for r in token_requests(sandbox, before)] == [509, 509, 509, 200]


def test_long_509_burst_raises_rate_limited(sandbox):
    app = register_app(sandbox)
    client = hubic.HubicClient(app, sign_in(sandbox, app).refresh_token, retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", status=509, count=20)

    before = sandbox.request_count()
    with pytest.raises(errors.RateLimitedError) as caught:
        client.refresh()

    assert "HTTP 509" in str(caught.value)
    assert "wait a moment" in str(caught.value)
    assert len(token_requests(sandbox, before)) == FAST_RETRY.max_retries + 1


def test_code_exchange_retries_509(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", status=509, count=2)

    before = sandbox.request_count()
    tokens = hubic.HubicClient(app, retry=FAST_RETRY).exchange_code(result)

    assert tokens.refresh_token
    assert len(token_requests(sandbox, before)) == 3


def test_code_exchange_not_repeated_after_500(sandbox):
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    result = hubic.authorize_with_password(app, config["email"], config["password"], retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", status=500, count=1)

    before = sandbox.request_count()
    with pytest.raises(errors.ServerError):
        hubic.HubicClient(app, retry=FAST_RETRY).exchange_code(result)
    assert len(token_requests(sandbox, before)) == 1


def test_refresh_retries_500(sandbox):
    app = register_app(sandbox)
    client = hubic.HubicClient(app, sign_in(sandbox, app).refresh_token, retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", status=500, count=2)

    client.refresh()
    assert client.signed_in


def test_html_token_body_retried(sandbox):
    app = register_app(sandbox)
    client = hubic.HubicClient(app, sign_in(sandbox, app).refresh_token, retry=FAST_RETRY)
    sandbox.add_fault("/hubic/oauth/token/", action="html", count=2)

    before = sandbox.request_count()
    client.refresh()
    assert len(token_requests(sandbox, before)) == 3


# -- secrets ------------------------------------------------------------------------------------


def test_no_secret_in_logs_or_reprs(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    config = sandbox.config["hubic"]
    app = register_app(sandbox)
    request = hubic.start_authorization(app)

    with CallbackServer(app.redirect_uri, expected_state=request.state) as callback:
        consent = accept_consent(request.url, config["email"], config["password"])
        browser_get(consent.headers["Location"])
        result = callback.wait(30)
    client = hubic.HubicClient(app, retry=FAST_RETRY)
    tokens = client.exchange_code(result)
    sandbox.expire_tokens()
    client.account()
    credentials = client.swift_provider().get()
    with pytest.raises(errors.SignInRequiredError) as caught:
        hubic.HubicClient(app, "stale-refresh-token-0123456789", retry=FAST_RETRY).refresh()

    secrets = {
        "client secret": app.client_secret,
        "password": config["password"],
        "code": result.code,
        "refresh token": tokens.refresh_token,
        "access token": tokens.access_token,
        "Swift token": credentials.token,
    }
    ours = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("ovhub_jupyter") and not record.name.startswith("ovhub_jupyter.sandbox")
    )
    displayed = [ours, repr(client), repr(tokens), repr(result), repr(credentials), repr(app), str(caught.value)]
    assert "hubic" in ours.lower()
    for label, secret in secrets.items():
        for text in displayed:
            assert secret not in text, f"the {label} appears in {text[:80]!r}"
