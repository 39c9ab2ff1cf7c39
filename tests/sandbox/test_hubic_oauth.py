"""The sandbox's hubiC OAuth2 server over real HTTP: consent form, authorize errors, token grants.

Consent flows use client applications registered for the test, so they never replace the
demo client's refresh token that other tests rely on. Redirects are read, never followed:
nothing listens on the redirect URIs.
"""

from __future__ import annotations

import urllib.parse

import pytest
import requests
from bs4 import BeautifulSoup

FULL_SCOPE = "usage.r,account.r,getAllLinks.r,credentials.r,sponsorCode.r,activate.w,sponsored.r,links.drw"
CALLBACK = "http://127.0.0.1:53682/callback"


# -- helpers ----------------------------------------------------------------------------


@pytest.fixture
def hubic(sandbox):
    return sandbox.config["hubic"]


@pytest.fixture
def client(sandbox):
    """A client application registered for this test, with its own redirect URI."""
    return sandbox.control("POST", "hubic/clients", {"redirect_uri": CALLBACK, "name": "Test app"})


def open_consent(hubic, client, scope=FULL_SCOPE, state="state-42", **overrides):
    params = {
        "client_id": client["client_id"],
        "redirect_uri": client["redirect_uri"],
        "scope": scope,
        "response_type": "code",
        "state": state,
    }
    params.update(overrides)
    params = {key: value for key, value in params.items() if value is not None}
    return requests.get(hubic["auth_url"], params=params, allow_redirects=False, timeout=30)


def parse_consent(page):
    """Return the consent form's action URL, hidden fields and checkboxes."""
    form = BeautifulSoup(page.text, "html.parser").find("form")
    assert form is not None, page.text
    hidden = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    boxes = [
        (box["name"], box["value"], box.has_attr("checked"), box.has_attr("disabled"))
        for box in form.find_all("input", type="checkbox")
    ]
    return {
        "action": urllib.parse.urljoin(page.url, form["action"]),
        "method": form.get("method", "").lower(),
        "hidden": hidden,
        "boxes": boxes,
        "inputs": {field.get("name") for field in form.find_all("input")},
        "buttons": {(button["name"], button["value"]) for button in form.find_all("button")},
    }


def submit_consent(page, *, login, password, action="accepted", keep=None):
    """Post the form as a browser would. ``keep`` limits the checked boxes to these scope items."""
    form = parse_consent(page)
    data = [("oauth", form["hidden"]["oauth"]), ("action", action), ("login", login), ("user_pwd", password)]
    for name, value, checked, disabled in form["boxes"]:
        if checked and not disabled and (keep is None or f"{name}.{value}" in keep):
            data.append((name, value))
    return requests.post(form["action"], data=data, allow_redirects=False, timeout=30)


def redirect_params(response):
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    return location.split("?", 1)[0], dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def authorize(hubic, client, scope=FULL_SCOPE, keep=None):
    """Run the consent flow to the end and return the redirect's query parameters."""
    page = open_consent(hubic, client, scope)
    response = submit_consent(page, login=hubic["email"], password=hubic["password"], keep=keep)
    return redirect_params(response)[1]


def exchange_code(hubic, client, code, redirect_uri=None):
    return requests.post(
        hubic["token_url"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri or client["redirect_uri"]},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )


def refresh(hubic, client_id, client_secret, refresh_token):
    return requests.post(
        hubic["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(client_id, client_secret),
        timeout=30,
    )


def assert_token_error(response, status, error, description):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf8"
    assert response.json() == {"error_description": description, "error": error}


def assert_error_page(response, description):
    assert response.status_code == 400
    assert "Location" not in response.headers
    message = BeautifulSoup(response.text, "html.parser").find(class_="text-error")
    assert message is not None, response.text
    assert description in message.get_text()


# -- consent form -----------------------------------------------------------------------


def test_consent_form_fields(hubic, client):
    page = open_consent(hubic, client, scope="credentials.r,links.drw")

    assert page.status_code == 200
    form = parse_consent(page)
    assert form["method"] == "post"
    assert form["action"] == page.url
    assert form["hidden"]["oauth"].isdigit()
    assert {"login", "user_pwd", "oauth"} <= form["inputs"]
    assert form["buttons"] == {("action", "accepted"), ("action", "refused")}
    offered = {(name, value) for name, value, _, _ in form["boxes"]}
    assert offered == {("account", "r"), ("credentials", "r"), ("links", "d"), ("links", "r"), ("links", "w")}


def test_consent_grants_checked_scopes(hubic, client):
    page = open_consent(hubic, client, scope="usage.r,credentials.r,links.drw", state="abc 123")

    response = submit_consent(page, login=hubic["email"], password=hubic["password"], keep={"credentials.r", "links.r"})

    target, params = redirect_params(response)
    assert target == CALLBACK
    assert params["scope"] == "account.r,credentials.r,links.r"
    assert params["state"] == "abc 123"
    assert len(params["code"]) >= 32
    assert response.headers["Location"].startswith(CALLBACK + "?code=")


def test_consent_always_grants_account(hubic, client):
    params = authorize(hubic, client, scope="usage.r", keep=set())

    assert params["scope"] == "account.r"


def test_consent_login_ignores_email_case(hubic, client):
    page = open_consent(hubic, client)

    response = submit_consent(page, login=hubic["email"].upper(), password=hubic["password"])

    assert "code" in redirect_params(response)[1]


def test_consent_bad_password_shows_page_again(hubic, client):
    page = open_consent(hubic, client)
    oauth_id = parse_consent(page)["hidden"]["oauth"]

    failed = submit_consent(page, login=hubic["email"], password=hubic["password"] + "x")

    assert failed.status_code == 200
    message = BeautifulSoup(failed.text, "html.parser").find(class_="text-error")
    assert message is not None
    assert message.get_text().strip() == "Authentication failed, please check your credentials"
    assert parse_consent(failed)["hidden"]["oauth"] == oauth_id
    retried = submit_consent(failed, login=hubic["email"], password=hubic["password"])
    assert "code" in redirect_params(retried)[1]


def test_consent_refused_redirects_access_denied(hubic, client):
    page = open_consent(hubic, client, state="s1")

    response = submit_consent(page, login="", password="", action="refused")

    target, params = redirect_params(response)
    assert target == CALLBACK
    assert params["error"] == "access_denied"
    assert params["state"] == "s1"
    assert "code" not in params


def test_consent_form_single_use(hubic, client):
    page = open_consent(hubic, client)
    submit_consent(page, login=hubic["email"], password=hubic["password"])

    again = submit_consent(page, login=hubic["email"], password=hubic["password"])

    assert_error_page(again, "unknown or expired oauth id")


# -- authorize errors -------------------------------------------------------------------


def test_authorize_redirect_uri_mismatch_shows_page(hubic, client):
    response = open_consent(hubic, client, redirect_uri="http://127.0.0.1:53682/other")

    assert_error_page(response, "please verify redirect uri")


def test_authorize_missing_redirect_uri_shows_page(hubic, client):
    response = open_consent(hubic, client, redirect_uri=None)

    assert_error_page(response, "missing arguments")


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [
        ({"scope": None}, "invalid_request", "missing arguments"),
        ({"response_type": None}, "invalid_request", "missing arguments"),
        ({"response_type": "token"}, "unsupported_response_type", None),
        ({"scope": "credentials.w"}, "invalid_scope", None),
        ({"scope": "bogus.r"}, "invalid_scope", None),
        ({"scope": "credentials.r,"}, "invalid_scope", None),
    ],
)
def test_authorize_error_redirects(hubic, client, overrides, error, description):
    response = open_consent(hubic, client, state="st", **overrides)

    target, params = redirect_params(response)
    assert target == CALLBACK
    assert params["error"] == error
    assert params["state"] == "st"
    if description is not None:
        assert params["error_description"] == description
    else:
        assert params["error_description"]


def test_authorize_unknown_client_redirects(hubic, client):
    response = open_consent(hubic, {**client, "client_id": "api_hubic_unknown"})

    target, params = redirect_params(response)
    assert target == CALLBACK
    assert params["error"] == "unauthorized_client"
    assert params["error_description"] == "please verify credentials"


# -- authorization_code grant -----------------------------------------------------------


def test_code_exchange_returns_tokens(hubic, client):
    code = authorize(hubic, client)["code"]

    response = exchange_code(hubic, client, code)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf8"
    body = response.json()
    assert list(body) == ["refresh_token", "expires_in", "access_token", "token_type"]
    assert body["expires_in"] == 21600
    assert body["token_type"] == "Bearer"
    account = requests.get(
        hubic["api_url"] + "/account", headers={"Authorization": "Bearer " + body["access_token"]}, timeout=30
    )
    assert account.status_code == 200


def test_code_works_once(hubic, client):
    code = authorize(hubic, client)["code"]
    assert exchange_code(hubic, client, code).status_code == 200

    again = exchange_code(hubic, client, code)

    assert_token_error(again, 400, "invalid_request", "invalid code")


def test_code_expires(sandbox, hubic, client):
    code = authorize(hubic, client)["code"]
    ttl = sandbox.update_settings()["hubic_code_ttl"]

    sandbox.shift_clock(ttl + 1)
    response = exchange_code(hubic, client, code)

    assert_token_error(response, 400, "invalid_request", "expired code")


def test_code_needs_same_redirect_uri(hubic, client):
    code = authorize(hubic, client)["code"]

    response = exchange_code(hubic, client, code, redirect_uri="http://127.0.0.1:53682/other")

    assert_token_error(response, 400, "invalid_request", "please verify redirect uri")


def test_code_of_other_client_rejected(sandbox, hubic, client):
    other = sandbox.control("POST", "hubic/clients", {"redirect_uri": CALLBACK})
    code = authorize(hubic, client)["code"]

    response = exchange_code(hubic, other, code)

    assert_token_error(response, 400, "invalid_request", "invalid code")


def test_code_unknown_rejected(hubic, client):
    response = exchange_code(hubic, client, "not-a-code")

    assert_token_error(response, 400, "invalid_request", "invalid code")


def test_code_exchange_missing_code(hubic, client):
    response = requests.post(
        hubic["token_url"],
        data={"grant_type": "authorization_code", "redirect_uri": client["redirect_uri"]},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )

    assert_token_error(response, 400, "invalid_request", "missing parameters")


def test_reauthorization_replaces_refresh_token(hubic, client):
    first = exchange_code(hubic, client, authorize(hubic, client)["code"]).json()["refresh_token"]
    second = exchange_code(hubic, client, authorize(hubic, client)["code"]).json()["refresh_token"]

    old = refresh(hubic, client["client_id"], client["client_secret"], first)
    new = refresh(hubic, client["client_id"], client["client_secret"], second)

    assert second != first
    assert_token_error(old, 400, "invalid_request", "invalid refresh token")
    assert new.status_code == 200


# -- refresh_token grant ----------------------------------------------------------------


def test_refresh_gives_no_new_refresh_token(hubic):
    response = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["expires_in", "access_token", "token_type"]
    assert body["expires_in"] == 21600
    assert body["token_type"] == "Bearer"
    assert response.headers["Cache-Control"] == "no-store"


def test_refresh_token_reusable(hubic):
    first = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])
    second = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])

    assert first.status_code == 200
    assert second.status_code == 200
    assert first.json()["access_token"] != second.json()["access_token"]


def test_refresh_with_form_credentials(hubic):
    response = requests.post(
        hubic["token_url"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": hubic["refresh_token"],
            "client_id": hubic["client_id"],
            "client_secret": hubic["client_secret"],
        },
        timeout=30,
    )

    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_refresh_expires_in_follows_setting(sandbox, hubic):
    sandbox.update_settings(hubic_access_token_ttl=120)

    response = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])

    assert response.json()["expires_in"] == 120


def test_refresh_unknown_token_is_invalid_request(hubic):
    response = refresh(hubic, hubic["client_id"], hubic["client_secret"], "no-such-token")

    assert_token_error(response, 400, "invalid_request", "invalid refresh token")


def test_refresh_token_of_other_client_rejected(hubic, client):
    response = refresh(hubic, client["client_id"], client["client_secret"], hubic["refresh_token"])

    assert_token_error(response, 400, "invalid_request", "invalid refresh token")


def test_token_rejects_json_body(hubic):
    response = requests.post(
        hubic["token_url"],
        json={"grant_type": "refresh_token", "refresh_token": hubic["refresh_token"]},
        auth=(hubic["client_id"], hubic["client_secret"]),
        timeout=30,
    )

    assert_token_error(response, 400, "invalid_request", "missing parameters")


def test_token_wrong_client_secret(hubic):
    response = refresh(hubic, hubic["client_id"], hubic["client_secret"] + "x", hubic["refresh_token"])

    assert_token_error(response, 401, "unauthorized_client", "please verify credentials")


def test_token_without_client_credentials(hubic):
    response = requests.post(
        hubic["token_url"], data={"grant_type": "refresh_token", "refresh_token": hubic["refresh_token"]}, timeout=30
    )

    assert_token_error(response, 401, "unauthorized_client", "please verify credentials")


def test_token_unknown_grant_type(hubic):
    response = requests.post(
        hubic["token_url"],
        data={"grant_type": "password", "username": hubic["email"], "password": hubic["password"]},
        auth=(hubic["client_id"], hubic["client_secret"]),
        timeout=30,
    )

    assert_token_error(response, 400, "invalid_request", "grant type must be set to authorization_code")


def test_token_missing_grant_type(hubic):
    response = requests.post(
        hubic["token_url"], data={"refresh_token": hubic["refresh_token"]}, auth=(hubic["client_id"], hubic["client_secret"]), timeout=30
    )

    assert_token_error(response, 400, "invalid_request", "missing parameters")


# -- control endpoints and reset --------------------------------------------------------


def test_revoke_control_invalidates_grant(sandbox, hubic, client):
    tokens = exchange_code(hubic, client, authorize(hubic, client)["code"]).json()

    answer = sandbox.control("POST", "hubic/revoke", {"refresh_token": tokens["refresh_token"]})

    assert answer["revoked"] == 2
    again = refresh(hubic, client["client_id"], client["client_secret"], tokens["refresh_token"])
    assert_token_error(again, 400, "invalid_request", "invalid refresh token")


def test_registered_clients_listed_without_secrets(sandbox, client):
    listed = sandbox.control("GET", "hubic/clients")

    mine = [entry for entry in listed if entry["client_id"] == client["client_id"]]
    assert mine == [{"client_id": client["client_id"], "redirect_uri": CALLBACK, "name": "Test app", "seeded": False}]


def test_register_client_needs_absolute_uri(sandbox):
    with pytest.raises(RuntimeError, match="HTTP 400"):
        sandbox.control("POST", "hubic/clients", {"redirect_uri": "/callback"})


def test_reset_restores_demo_refresh_token(sandbox, hubic, client):
    demo = {"client_id": hubic["client_id"], "client_secret": hubic["client_secret"], "redirect_uri": hubic["redirect_uri"]}
    exchange_code(hubic, demo, authorize(hubic, demo)["code"])
    replaced = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])
    assert_token_error(replaced, 400, "invalid_request", "invalid refresh token")

    sandbox.reset()

    restored = refresh(hubic, hubic["client_id"], hubic["client_secret"], hubic["refresh_token"])
    assert restored.status_code == 200
    listed = {entry["client_id"] for entry in sandbox.control("GET", "hubic/clients")}
    assert listed == {hubic["client_id"]}
