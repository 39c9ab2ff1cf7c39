"""Swift v1 auth and token checks: tempauth's responses, token reuse, expiry."""

from __future__ import annotations

import requests

from tests.sandbox.swift_helpers import login

UNAUTHORIZED_PAGE = (
    "<html><h1>Unauthorized</h1><p>This server could not verify that you are authorized to access "
    "the document you requested.</p></html>"
)


def test_v1_auth_returns_storage_url_and_token(sandbox):
    config = sandbox.config["swift"]

    response = requests.get(config["auth_url"], headers={"X-Auth-User": config["user"], "X-Auth-Key": config["key"]})

    assert response.status_code == 200
    assert response.headers["X-Storage-Url"] == config["storage_url"]
    assert response.headers["X-Auth-Token"].startswith("AUTH_tk")
    assert response.headers["X-Storage-Token"] == response.headers["X-Auth-Token"]
    assert 0 < int(response.headers["X-Auth-Token-Expires"]) <= 86400


def test_v1_auth_reuses_valid_token(sandbox):
    first = login(sandbox)
    second = login(sandbox)
    assert second.token == first.token


def test_v1_auth_bad_key_is_401(sandbox):
    config = sandbox.config["swift"]

    response = requests.get(config["auth_url"], headers={"X-Auth-User": config["user"], "X-Auth-Key": "wrong"})

    assert response.status_code == 401
    assert response.text == UNAUTHORIZED_PAGE
    assert response.headers["Www-Authenticate"] == 'Swift realm="demo"'
    assert "wrong" not in response.text


def test_unknown_token_is_401_with_realm(sandbox):
    account = login(sandbox)

    response = requests.get(account.url, headers={"X-Auth-Token": "AUTH_tk" + "0" * 32})

    assert response.status_code == 401
    assert response.text == UNAUTHORIZED_PAGE
    assert response.headers["Www-Authenticate"] == 'Swift realm="AUTH_demo"'
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"


def test_expired_tokens_get_401_then_new_login_works(sandbox):
    account = login(sandbox)
    assert account.request("HEAD").status_code == 204

    sandbox.expire_tokens()
    expired = account.request("HEAD")
    fresh = login(sandbox)

    assert expired.status_code == 401
    assert fresh.token != account.token
    assert fresh.request("HEAD").status_code == 204


def test_token_expires_with_clock(sandbox):
    account = login(sandbox)

    sandbox.shift_clock(86400 + 5)

    assert account.request("HEAD").status_code == 401


def test_missing_token_is_401(sandbox):
    account = login(sandbox)

    response = requests.get(account.url + "/data")

    assert response.status_code == 401
    assert response.headers["Www-Authenticate"] == 'Swift realm="AUTH_demo"'


def test_token_of_other_account_is_403(sandbox):
    account = login(sandbox)
    hubic_account = sandbox.app.state.demo["hubic"]["account"]

    response = requests.get(account.url.rsplit("/", 1)[0] + f"/AUTH_{hubic_account}", headers=account.headers)

    assert response.status_code == 403
    assert response.text == "<html><h1>Forbidden</h1><p>Access was denied to this resource.</p></html>"


def test_every_answer_has_transaction_id(sandbox):
    account = login(sandbox)

    response = account.request("GET", "/no-such-container")

    trans_id = response.headers["X-Trans-Id"]
    assert response.status_code == 404
    assert trans_id == response.headers["X-Openstack-Request-Id"]
    assert trans_id.startswith("tx")
    assert len(trans_id) == 34
    assert trans_id[23] == "-"
    assert int(trans_id[24:], 16) > 0
