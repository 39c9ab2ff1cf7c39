"""Getting keys: access rules, createApp, and the consumer key flow through the validation page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import struct
import time

import pytest

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import RetryPolicy
from ovhub_jupyter.core.ovh import OvhClient, ValidationTimeoutError
from ovhub_jupyter.core.ovh_keys import (
    ACCESS_RULE_PRESETS,
    ApplicationKeys,
    TotpRequiredError,
    create_app_url,
    create_application,
    format_access_rules,
    parse_access_rules,
    read_page,
    validate_consumer_key,
    value_after_label,
    APPLICATION_KEY_PATTERN,
    APPLICATION_SECRET_PATTERN,
)

FAST_RETRY = RetryPolicy(max_retries=1, backoff_initial=0.01, backoff_max=0.05)

# A redirection address that is never requested: the flow only recognizes it.
REDIRECTION = "https://redirect.invalid/done"


def totp_now(secret: str, offset: int = 0) -> str:
    """Return the RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[start:start + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def app_client(sandbox, consumer_key=None):
    config = sandbox.config["ovh"]
    return OvhClient(config["endpoint"], config["application_key"], config["application_secret"], consumer_key,
                     retry=FAST_RETRY)


def unique_name(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"


# -- access rules ---------------------------------------------------------------------------


def test_rule_text_is_parsed():
    rules = parse_access_rules("GET:/*, post:/cloud/*")

    assert rules == [{"method": "GET", "path": "/*"}, {"method": "POST", "path": "/cloud/*"}]


def test_rule_presets():
    assert parse_access_rules("read-only") == [{"method": "GET", "path": "/*"}]
    assert [r["method"] for r in parse_access_rules("full")] == ["GET", "POST", "PUT", "DELETE"]
    storage = parse_access_rules("object-storage")
    assert {"method": "POST", "path": "/cloud/project/*/storage/access"} in storage
    assert all(r["path"] != "/*" for r in storage)


def test_rule_duplicates_are_dropped():
    assert parse_access_rules("GET:/*,read-only") == [{"method": "GET", "path": "/*"}]


def test_rules_round_trip_through_text():
    rules = parse_access_rules("object-storage")

    assert parse_access_rules(format_access_rules(rules)) == rules


@pytest.mark.parametrize("text", ["GET", "PATCH:/*", "GET:me", "", "GET:/*,,HEAD:/x"])
def test_invalid_rules_are_rejected(text):
    with pytest.raises(errors.InvalidInputError):
        parse_access_rules(text)


def test_rules_accept_pairs_and_dicts():
    assert parse_access_rules([("get", "/me"), {"method": "DELETE", "path": "/x/*"}]) == [
        {"method": "GET", "path": "/me"},
        {"method": "DELETE", "path": "/x/*"},
    ]


def test_presets_are_known_names():
    assert set(ACCESS_RULE_PRESETS) == {"read-only", "full", "object-storage"}


# -- reading the createApp page -----------------------------------------------------------

KEY = "AbCdEfGh12345678"
SECRET = "0123456789abcdefABCDEF0123456789"


@pytest.mark.parametrize(
    "page",
    [
        f"<p>Application Key: {KEY}</p><p>Application Secret: {SECRET}</p>",
        f"<table><tr><td>Application Key</td><td>{KEY}</td></tr><tr><td>Application Secret</td><td>{SECRET}</td></tr></table>",
        f"<dl><dt>Application Key</dt><dd><input readonly value='{KEY}'></dd><dt>Application Secret</dt><dd><input value=\"{SECRET}\"></dd></dl>",
        f"<div>application key<br><b>{KEY}</b></div><script>var x='{'Z' * 16}';</script><div>APPLICATION SECRET <code>{SECRET}</code></div>",
    ],
)
def test_keys_are_read_whatever_the_markup(page):
    tokens = read_page(page).tokens

    assert value_after_label(tokens, "Application Key", APPLICATION_KEY_PATTERN) == KEY
    assert value_after_label(tokens, "Application Secret", APPLICATION_SECRET_PATTERN) == SECRET


def test_missing_label_gives_none():
    assert value_after_label(read_page(f"<p>{KEY}</p>").tokens, "Application Key", APPLICATION_KEY_PATTERN) is None


def test_create_app_url_of_named_endpoints():
    assert create_app_url("ovh-eu") == "https://eu.api.ovh.com/createApp/"
    assert create_app_url("ovh-us") == "https://api.us.ovhcloud.com/createApp/"
    assert create_app_url("http://127.0.0.1:9/1.0") == "http://127.0.0.1:9/createApp/"


def test_application_keys_repr_hides_secret():
    keys = ApplicationKeys(KEY, SECRET)

    assert SECRET not in repr(keys)
    assert KEY in repr(keys)


# -- createApp against the sandbox ----------------------------------------------------------


def test_create_application_returns_working_keys(sandbox):
    config = sandbox.config["ovh"]

    keys = create_application(config["endpoint"], config["nic"], config["password"], unique_name("app"), "test app",
                              url=config["create_app_url"])
    client = OvhClient(config["endpoint"], keys.application_key, keys.application_secret, retry=FAST_RETRY)
    answer = client.request_consumer_key("read-only")

    assert len(keys.application_key) == 16
    assert len(keys.application_secret) == 32
    assert answer["state"] == "pendingValidation"


def test_create_application_accepts_email(sandbox):
    config = sandbox.config["ovh"]

    keys = create_application(config["endpoint"], config["email"], config["password"], unique_name("app"), "by email",
                              url=config["create_app_url"])

    assert len(keys.application_key) == 16


def test_create_application_with_taken_name(sandbox):
    config = sandbox.config["ovh"]
    name = unique_name("taken")
    create_application(config["endpoint"], config["nic"], config["password"], name, "first", url=config["create_app_url"])

    with pytest.raises(errors.ConflictError) as caught:
        create_application(config["endpoint"], config["nic"], config["password"], name, "second", url=config["create_app_url"])

    assert name in str(caught.value)
    assert "--appname" in caught.value.hint


def test_create_application_with_wrong_password(sandbox, caplog):
    config = sandbox.config["ovh"]
    caplog.set_level(logging.DEBUG, logger="ovhub_jupyter")

    with pytest.raises(errors.AuthenticationError) as caught:
        create_application(config["endpoint"], config["nic"], "wrong-" + config["password"], unique_name("app"), "x",
                           url=config["create_app_url"])

    assert "password" in str(caught.value)
    assert config["password"] not in str(caught.value)
    assert config["password"] not in caplog.text


def test_create_application_unrecognized_page(sandbox):
    config = sandbox.config["ovh"]
    sandbox.add_fault("/createApp", action="html", body="<html><p>Welcome</p></html>")

    with pytest.raises(errors.InvalidResponseError) as caught:
        create_application(config["endpoint"], config["nic"], config["password"], unique_name("app"), "x",
                           url=config["create_app_url"])

    assert "Welcome" not in str(caught.value)


def test_create_application_checks_input_first(sandbox):
    before = sandbox.request_count()

    with pytest.raises(errors.InvalidInputError):
        create_application("ovh-eu", "nic-1", "", "name", "description")

    assert sandbox.request_count() == before


# -- consumer key validation ----------------------------------------------------------------


def test_consumer_key_flow_end_to_end(sandbox):
    config = sandbox.config["ovh"]
    client = app_client(sandbox)
    answer = client.request_consumer_key("GET:/me,POST:/auth/logout", redirection=REDIRECTION)

    outcome = validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 3600, redirection=REDIRECTION)
    state = client.wait_for_validation(answer["consumerKey"], timeout=10)
    signed = app_client(sandbox, answer["consumerKey"])
    me = signed.whoami()

    assert outcome == "validated"
    assert state == "validated"
    assert me["nichandle"] == config["nic"]


def test_validated_key_is_limited_to_its_rules(sandbox):
    config = sandbox.config["ovh"]
    client = app_client(sandbox)
    answer = client.request_consumer_key("GET:/me")
    validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0)
    signed = app_client(sandbox, answer["consumerKey"])

    with pytest.raises(errors.ForbiddenError) as caught:
        signed.get("/me/bill")

    assert caught.value.code == "NOT_GRANTED_CALL"


def test_logout_revokes_key_with_empty_post(sandbox):
    config = sandbox.config["ovh"]
    answer = app_client(sandbox).request_consumer_key("GET:/me,POST:/auth/logout")
    validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0)
    signed = app_client(sandbox, answer["consumerKey"])

    # POST /auth/logout takes no body, and the API returns 400 when one is sent.
    signed.logout()
    again = app_client(sandbox, answer["consumerKey"])

    with pytest.raises(errors.SignInRequiredError):
        again.whoami()
    assert signed.consumer_key is None


def test_validation_without_redirection_reads_success_page(sandbox):
    config = sandbox.config["ovh"]
    answer = app_client(sandbox).request_consumer_key("read-only")

    outcome = validate_consumer_key(answer["validationUrl"], config["email"], config["password"], 86400)

    assert outcome == "validated"
    assert app_client(sandbox, answer["consumerKey"]).whoami()["email"] == config["email"]


def test_two_factor_asks_for_code_only_when_needed(sandbox):
    config = sandbox.config["ovh"]
    asked = []

    def code():
        asked.append(True)
        return totp_now(config["totp_secret"])

    answer = app_client(sandbox).request_consumer_key("read-only")
    validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0, totp_code=code)
    assert asked == []

    sandbox.update_settings(ovh_two_factor=True)
    answer = app_client(sandbox).request_consumer_key("read-only")
    outcome = validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0, totp_code=code)

    assert outcome == "validated"
    assert asked == [True]
    assert app_client(sandbox, answer["consumerKey"]).whoami()["nichandle"] == config["nic"]


def test_two_factor_without_code_raises(sandbox):
    config = sandbox.config["ovh"]
    sandbox.update_settings(ovh_two_factor=True)
    answer = app_client(sandbox).request_consumer_key("read-only")

    with pytest.raises(TotpRequiredError) as caught:
        validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0)

    assert "two-factor" in str(caught.value)


def test_wrong_totp_code_is_reported(sandbox):
    config = sandbox.config["ovh"]
    sandbox.update_settings(ovh_two_factor=True)
    answer = app_client(sandbox).request_consumer_key("read-only")
    wrong = f"{(int(totp_now(config['totp_secret'])) + 500_000) % 1_000_000:06d}"

    with pytest.raises(errors.AuthenticationError) as caught:
        validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0, totp_code=wrong)

    assert "two-factor code" in str(caught.value)
    assert app_client(sandbox).credential_state(answer["consumerKey"]) == "pendingValidation"


def test_wrong_password_is_reported(sandbox, caplog):
    config = sandbox.config["ovh"]
    caplog.set_level(logging.DEBUG, logger="ovhub_jupyter")
    answer = app_client(sandbox).request_consumer_key("read-only")
    wrong = "not-" + config["password"]

    with pytest.raises(errors.AuthenticationError) as caught:
        validate_consumer_key(answer["validationUrl"], config["nic"], wrong, 0)

    assert "password was rejected" in str(caught.value)
    assert wrong not in str(caught.value)
    assert wrong not in caplog.text
    assert answer["validationUrl"].split("=")[-1] not in caplog.text


def test_wrong_password_with_two_factor_is_reported(sandbox):
    config = sandbox.config["ovh"]
    sandbox.update_settings(ovh_two_factor=True)
    answer = app_client(sandbox).request_consumer_key("read-only")

    with pytest.raises(errors.AuthenticationError) as caught:
        validate_consumer_key(answer["validationUrl"], config["nic"], "bad-password", 0,
                              totp_code=totp_now(config["totp_secret"]))

    assert "password was rejected" in str(caught.value)


def test_refused_key_does_not_work(sandbox):
    config = sandbox.config["ovh"]
    answer = app_client(sandbox).request_consumer_key("read-only", redirection=REDIRECTION)

    outcome = validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0, accept=False,
                                    redirection=REDIRECTION)

    assert outcome == "refused"
    with pytest.raises(errors.SignInRequiredError):
        app_client(sandbox, answer["consumerKey"]).whoami()


def test_unoffered_duration_is_rejected(sandbox):
    config = sandbox.config["ovh"]
    answer = app_client(sandbox).request_consumer_key("read-only")

    with pytest.raises(errors.InvalidInputError) as caught:
        validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 1234)

    assert "3600" in caught.value.hint


def test_wait_times_out_while_pending(sandbox):
    answer = app_client(sandbox).request_consumer_key("read-only")
    client = app_client(sandbox)

    with pytest.raises(ValidationTimeoutError) as caught:
        client.wait_for_validation(answer["consumerKey"], timeout=0.3, interval=0.1)

    assert answer["consumerKey"] not in str(caught.value)


def test_wait_polls_gently_until_validated(sandbox):
    config = sandbox.config["ovh"]
    answer = app_client(sandbox).request_consumer_key("read-only")
    waits = []
    states = []

    def validate_during_wait(seconds):
        waits.append(seconds)
        if len(waits) == 6:
            validate_consumer_key(answer["validationUrl"], config["nic"], config["password"], 0)

    client = OvhClient(config["endpoint"], config["application_key"], config["application_secret"],
                       retry=FAST_RETRY, sleep=validate_during_wait)

    state = client.wait_for_validation(answer["consumerKey"], timeout=120, on_poll=states.append)

    assert state == "validated"
    assert states == ["pendingValidation"] * 6 + ["validated"]
    assert waits == [2.0, 3.0, 4.5, 6.75, 10.0, 10.0]


def test_request_consumer_key_needs_application_key(sandbox):
    client = OvhClient(sandbox.config["ovh"]["endpoint"])

    with pytest.raises(errors.ConfigError):
        client.request_consumer_key("read-only")
