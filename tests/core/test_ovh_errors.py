"""API errors become the core.errors hierarchy with status, code and query id; retries are bounded."""

from __future__ import annotations

import json
import logging

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import RetryPolicy
from ovhub_jupyter.core.ovh import OvhClient, OvhServerPageError

FAST_RETRY = RetryPolicy(max_retries=2, backoff_initial=0.01, backoff_max=0.05)


def make_client(sandbox, **overrides):
    ovh = sandbox.config["ovh"]
    options = {
        "application_key": ovh["application_key"],
        "application_secret": ovh["application_secret"],
        "consumer_key": ovh["consumer_key"],
        "retry": FAST_RETRY,
    }
    options.update(overrides)
    return OvhClient(ovh["endpoint"], **options)


def api_error_body(code, message, status_text):
    return json.dumps({"errorCode": code, "httpCode": status_text, "message": message})


# Every error of the reference: the code (or None), the status, the class expected.
ERROR_CASES = [
    ("INVALID_SIGNATURE", 400, "Invalid signature", errors.AuthenticationError),
    (None, 400, "You provided an input body while none was expected", errors.BadRequestError),
    (None, 401, "You must login first", errors.AuthenticationError),
    ("NOT_CREDENTIAL", 403, "This credential does not exist", errors.SignInRequiredError),
    ("INVALID_CREDENTIAL", 403, "This credential is not valid", errors.SignInRequiredError),
    ("NOT_GRANTED_CALL", 403, "This call has not been granted", errors.ForbiddenError),
    ("INVALID_KEY", 403, "This application key is invalid", errors.AuthenticationError),
    (None, 404, "The requested object does not exist", errors.NotFoundError),
    (None, 409, "The object already exists", errors.ConflictError),
    (None, 460, "The service is expired", errors.ForbiddenError),
    (None, 429, "Too many requests", errors.RateLimitedError),
]


@pytest.mark.parametrize("code,status,message,expected", ERROR_CASES)
def test_error_codes_are_mapped(sandbox, code, status, message, expected):
    sandbox.add_fault("/1.0/me/bill", status=status, body=api_error_body(code, message, f"{status} X"),
                      content_type="application/json", count=5)
    client = make_client(sandbox, retry=RetryPolicy(max_retries=0))

    with pytest.raises(expected) as caught:
        client.get("/me/bill")

    error = caught.value
    assert error.status == status
    assert error.code == code
    assert message in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_permission_errors(sandbox, status):
    sandbox.add_fault("/1.0/me", status=status, body=api_error_body("INVALID_CREDENTIAL", "no", "x"),
                      content_type="application/json")
    client = make_client(sandbox)

    with pytest.raises(PermissionError):
        client.get("/me")


def test_newer_error_body_keeps_class(sandbox):
    body = json.dumps({"class": "Client::Forbidden", "message": "Access denied", "details": {}})
    sandbox.add_fault("/1.0/me", status=403, body=body, content_type="application/json")
    client = make_client(sandbox)

    with pytest.raises(errors.ForbiddenError) as caught:
        client.get("/me")

    assert caught.value.code == "Client::Forbidden"
    assert "Access denied" in str(caught.value)


def test_not_granted_call_hints_at_access_rules(sandbox):
    client = make_client(sandbox)
    answer = client.request_consumer_key("GET:/me")
    sandbox_client = make_client(sandbox, consumer_key=answer["consumerKey"])
    sandbox.add_fault("/1.0/me/bill", status=403, body=api_error_body("NOT_GRANTED_CALL", "This call has not been granted", "403"),
                      content_type="application/json")

    with pytest.raises(errors.ForbiddenError) as caught:
        sandbox_client.get("/me/bill")

    assert "access rules" in caught.value.hint
    assert "NOT_GRANTED_CALL" in str(caught.value)


def test_unknown_consumer_key_requires_sign_in(sandbox):
    client = make_client(sandbox, consumer_key="Z" * 32)

    with pytest.raises(errors.SignInRequiredError) as caught:
        client.whoami()

    assert caught.value.code in ("NOT_CREDENTIAL", "INVALID_CREDENTIAL")
    assert "%ovh_login" in str(caught.value)
    assert caught.value.request_id
    assert "X-Ovh-Queryid " + caught.value.request_id in str(caught.value)
    assert not client.signed_in
    assert "ZZZZZZZZZZZZ" not in str(caught.value)
    client.consumer_key = sandbox.config["ovh"]["consumer_key"]
    assert client.signed_in


def test_wrong_application_key_is_reported(sandbox):
    client = make_client(sandbox, application_key="A" * 16)

    with pytest.raises(errors.AuthenticationError) as caught:
        client.whoami()

    assert caught.value.code == "INVALID_KEY"
    assert "application_key" in caught.value.hint


def test_html_503_is_retried_then_raised(sandbox):
    client = make_client(sandbox)
    sandbox.add_fault("/1.0/me", action="html", status=503, count=10)
    before = sandbox.request_count()

    with pytest.raises(OvhServerPageError) as caught:
        client.whoami()

    error = caught.value
    assert isinstance(error, errors.ServerError)
    assert isinstance(error, errors.InvalidResponseError)
    assert error.status == 503
    assert sandbox.request_count() - before == 1 + FAST_RETRY.max_retries + 1  # /auth/time, then each attempt
    assert "<html" not in str(error).lower()
    # NOTE: the sandbox's injected HTML pages carry no X-Ovh-Queryid; the API's do.
    if error.request_id:
        assert error.request_id in str(error)


def test_html_503_then_success_returns_answer(sandbox):
    client = make_client(sandbox)
    client.time_delta
    sandbox.add_fault("/1.0/me", action="html", status=503, count=2)

    me = client.whoami()

    assert me["nichandle"] == sandbox.config["ovh"]["nic"]


def test_html_200_page_is_retried_for_get(sandbox):
    client = make_client(sandbox)
    sandbox.add_fault("/1.0/me", action="html", count=1)

    assert client.whoami()["nichandle"] == sandbox.config["ovh"]["nic"]


def test_html_200_page_is_invalid_response_after_retries(sandbox):
    client = make_client(sandbox)
    sandbox.add_fault("/1.0/me", action="html", count=10)

    with pytest.raises(errors.InvalidResponseError) as caught:
        client.whoami()

    assert caught.value.status == 200
    assert caught.value.request_id is None or caught.value.request_id in str(caught.value)


def test_post_is_not_retried_on_5xx(sandbox):
    client = make_client(sandbox)
    client.time_delta
    sandbox.add_fault("/1.0/auth/credential", status=503, count=5)
    before = sandbox.request_count()

    with pytest.raises(errors.ServerError):
        client.request_consumer_key("GET:/*")

    assert sandbox.request_count() - before == 1


def test_get_is_retried_on_429(sandbox):
    client = make_client(sandbox)
    client.time_delta
    sandbox.add_fault("/1.0/me", status=429, retry_after="0", count=2)
    before = sandbox.request_count()

    me = client.whoami()

    assert me["nichandle"] == sandbox.config["ovh"]["nic"]
    assert sandbox.request_count() - before == 3


def test_retries_are_bounded(sandbox):
    client = make_client(sandbox)
    client.time_delta
    sandbox.add_fault("/1.0/me", status=500, count=50)
    before = sandbox.request_count()

    with pytest.raises(errors.ServerError):
        client.whoami()

    assert sandbox.request_count() - before == FAST_RETRY.max_retries + 1


def test_no_secret_in_repr_logs_or_errors(sandbox, caplog):
    config = sandbox.config["ovh"]
    client = make_client(sandbox)
    secrets = [config["application_secret"], config["consumer_key"]]
    caplog.set_level(logging.DEBUG, logger="ovhub_jupyter")

    client.whoami()
    sandbox.add_fault("/1.0/me", status=403, body=api_error_body("INVALID_CREDENTIAL", f"credential {config['consumer_key']} is not valid", "403"),
                      content_type="application/json")
    with pytest.raises(errors.SignInRequiredError) as caught:
        client.whoami()

    shown = [repr(client), str(caught.value), caplog.text]
    assert any("GET" in record.getMessage() and "/1.0/me" in record.getMessage() for record in caplog.records)
    for text in shown:
        for secret in secrets:
            assert secret not in text
    assert config["consumer_key"][:4] in str(caught.value)


def test_signed_in_needs_no_request(sandbox):
    before = sandbox.request_count()

    signed = make_client(sandbox).signed_in
    unsigned = make_client(sandbox, consumer_key=None).signed_in

    assert signed is True
    assert unsigned is False
    assert sandbox.request_count() == before


def test_missing_consumer_key_fails_before_request(sandbox):
    client = make_client(sandbox, consumer_key=None)
    before = sandbox.request_count()

    with pytest.raises(errors.SignInRequiredError):
        client.whoami()

    assert sandbox.request_count() == before


def test_half_configured_keys_are_rejected():
    with pytest.raises(errors.ConfigError):
        OvhClient("ovh-eu", "a" * 16, None, "c" * 32)
    with pytest.raises(errors.ConfigError):
        OvhClient("ovh-eu", client_id="id")
    with pytest.raises(errors.ConfigError):
        OvhClient("ovh-eu", "a" * 16, "b" * 32, client_id="id", client_secret="secret")


def test_oauth2_service_account_calls_with_bearer(sandbox):
    config = sandbox.config["ovh"]
    client = OvhClient(config["endpoint"], client_id=config["client_id"], client_secret=config["client_secret"],
                       token_url=config["oauth2_token_url"], retry=FAST_RETRY)

    me = client.whoami()

    assert me["nichandle"] == config["nic"]
    assert client.oauth2.has_token
    assert config["client_secret"] not in repr(client)


def test_oauth2_token_is_renewed_once_on_401(sandbox):
    config = sandbox.config["ovh"]
    client = OvhClient(config["endpoint"], client_id=config["client_id"], client_secret=config["client_secret"],
                       token_url=config["oauth2_token_url"], retry=FAST_RETRY)
    client.whoami()
    first = client.oauth2._token

    sandbox.expire_tokens()
    me = client.whoami()

    assert me["nichandle"] == config["nic"]
    assert client.oauth2._token != first


def test_oauth2_wrong_secret_is_authentication_error(sandbox):
    config = sandbox.config["ovh"]
    client = OvhClient(config["endpoint"], client_id=config["client_id"], client_secret="wrong-secret-value-123",
                       token_url=config["oauth2_token_url"], retry=FAST_RETRY)

    with pytest.raises(errors.AuthenticationError) as caught:
        client.whoami()

    assert "wrong-secret-value-123" not in str(caught.value)
    assert "client_secret" in caught.value.hint


def test_invalid_signature_after_clock_drift_is_retried(sandbox):
    client = make_client(sandbox)
    client.whoami()
    sandbox.shift_clock(600)
    sandbox.add_fault("/1.0/me", status=400, body=api_error_body("INVALID_SIGNATURE", "Invalid signature", "400"),
                      content_type="application/json")

    me = client.whoami()

    assert me["nichandle"] == sandbox.config["ovh"]["nic"]
    assert 598 <= client.time_delta <= 602


def test_invalid_signature_without_drift_is_raised(sandbox):
    client = make_client(sandbox)
    client.whoami()
    sandbox.add_fault("/1.0/me", status=400, body=api_error_body("INVALID_SIGNATURE", "Invalid signature", "400"),
                      content_type="application/json", count=2)
    before = sandbox.request_count()

    with pytest.raises(errors.AuthenticationError) as caught:
        client.whoami()

    # One call, one clock check, and no second call.
    assert sandbox.request_count() - before == 2
    assert caught.value.code == "INVALID_SIGNATURE"
