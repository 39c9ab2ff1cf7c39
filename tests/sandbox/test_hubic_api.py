"""The sandbox's hubiC REST API over real HTTP: tokens, scopes, credentials, links and faults.

Access tokens come from the demo refresh token (full scope) or from a consent flow run by
a client registered for the test (narrower scopes). Objects behind links are uploaded
through the Swift credentials that the API hands out.
"""

from __future__ import annotations

import calendar
import datetime
import time
import urllib.parse
import uuid

import pytest
import requests
from bs4 import BeautifulSoup

CALLBACK = "http://127.0.0.1:53682/callback"
JSON_TYPE = "application/json; charset=utf8"


# -- helpers ----------------------------------------------------------------------------


@pytest.fixture
def hubic(sandbox):
    return sandbox.config["hubic"]


@pytest.fixture
def token(hubic):
    return demo_access_token(hubic)


def demo_access_token(hubic):
    """Return a full-scope access token from the demo refresh token."""
    response = requests.post(
        hubic["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": hubic["refresh_token"]},
        auth=(hubic["client_id"], hubic["client_secret"]),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def scoped_tokens(sandbox, hubic, scope):
    """Authorize a new client for ``scope`` through the consent form, and return the token response."""
    client = sandbox.control("POST", "hubic/clients", {"redirect_uri": CALLBACK})
    page = requests.get(
        hubic["auth_url"],
        params={"client_id": client["client_id"], "redirect_uri": CALLBACK, "scope": scope, "response_type": "code"},
        timeout=30,
    )
    oauth_id = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "oauth"})["value"]
    data = [("oauth", oauth_id), ("action", "accepted"), ("login", hubic["email"]), ("user_pwd", hubic["password"])]
    for item in scope.split(","):
        perimeter, rights = item.split(".")
        data.extend((perimeter, right) for right in rights)
    consent = requests.post(page.url, data=data, allow_redirects=False, timeout=30)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(consent.headers["Location"]).query)["code"][0]
    exchanged = requests.post(
        hubic["token_url"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert exchanged.status_code == 200, exchanged.text
    return exchanged.json()


def call(hubic, method, path, access_token, **kwargs):
    headers = {"Authorization": f"Bearer {access_token}"} if access_token is not None else {}
    return requests.request(method, hubic["api_url"] + path, headers=headers, timeout=30, **kwargs)


def assert_api_error(response, status, error, description=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == JSON_TYPE
    assert response.json()["error"] == error
    if description is not None:
        assert response.json()["error_description"] == description


def swift_credentials(hubic, access_token):
    response = call(hubic, "GET", "/account/credentials", access_token)
    assert response.status_code == 200, response.text
    return response.json()


def put_object(credentials, container, name, data):
    headers = {"X-Auth-Token": credentials["token"]}
    created = requests.put(f"{credentials['endpoint']}/{urllib.parse.quote(container)}", headers=headers, timeout=30)
    assert created.status_code in (201, 202), created.text
    url = f"{credentials['endpoint']}/{urllib.parse.quote(container)}/{urllib.parse.quote(name)}"
    stored = requests.put(url, data=data, headers=headers, timeout=30)
    assert stored.status_code == 201, stored.text


def publish(hubic, access_token, uri, container="default", ttl="5", **fields):
    data = {"container": container, "uri": uri, "type": "file", "mode": "ro", "ttl": ttl, "comment": "test link"}
    data.update(fields)
    return call(hubic, "POST", "/account/links", access_token, data={k: v for k, v in data.items() if v is not None})


def link_path(uri):
    return "/account/links/" + urllib.parse.quote(uri, safe="")


def unique_name(stem="file"):
    return f"{stem}-{uuid.uuid4().hex[:8]}.txt"


def utc_epoch(*fields):
    return calendar.timegm(datetime.datetime(*fields).timetuple())


# -- authentication ---------------------------------------------------------------------


def test_account_returns_user(hubic, token):
    response = call(hubic, "GET", "/account", token)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    body = response.json()
    assert list(body) == ["email", "creationDate", "status", "firstname", "lastname"]
    assert body["email"] == hubic["email"]
    assert body["status"] == "ok"
    assert datetime.datetime.fromisoformat(body["creationDate"]).utcoffset() is not None


def test_missing_token_not_found(hubic):
    assert_api_error(call(hubic, "GET", "/account", None), 401, "invalid_token", "not found")


def test_unknown_token_not_found(hubic):
    assert_api_error(call(hubic, "GET", "/account", "made-up-token"), 401, "invalid_token", "not found")


def test_access_token_expires_with_clock(sandbox, hubic, token):
    sandbox.shift_clock(21600 + 1)

    assert_api_error(call(hubic, "GET", "/account", token), 401, "invalid_token", "expired")


def test_access_token_valid_until_expiry(sandbox, hubic, token):
    sandbox.shift_clock(21600 - 60)

    assert call(hubic, "GET", "/account", token).status_code == 200


def test_access_token_expired_by_control(sandbox, hubic, token):
    sandbox.expire_tokens()

    assert_api_error(call(hubic, "GET", "/account", token), 401, "invalid_token", "expired")
    assert call(hubic, "GET", "/account", demo_access_token(hubic)).status_code == 200


def test_revoked_grant_gives_403(sandbox, hubic):
    tokens = scoped_tokens(sandbox, hubic, "account.r")

    sandbox.control("POST", "hubic/revoke", {"refresh_token": tokens["refresh_token"]})

    assert_api_error(call(hubic, "GET", "/account", tokens["access_token"]), 403, "invalid_token", "revoked")


def test_unknown_api_path_404(hubic, token):
    assert call(hubic, "GET", "/account/nothing", token).status_code == 404


def test_wrong_method_405(hubic, token):
    response = call(hubic, "DELETE", "/account", token)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"


# -- scopes -----------------------------------------------------------------------------


def test_insufficient_scope(sandbox, hubic):
    access_token = scoped_tokens(sandbox, hubic, "credentials.r")["access_token"]

    assert call(hubic, "GET", "/account", access_token).status_code == 200
    assert_api_error(call(hubic, "GET", "/account/links", access_token), 400, "insufficient_scope")
    assert_api_error(call(hubic, "GET", "/account/usage", access_token), 400, "insufficient_scope")


def test_links_read_without_write(sandbox, hubic):
    access_token = scoped_tokens(sandbox, hubic, "links.r")["access_token"]

    assert call(hubic, "GET", "/account/links", access_token).status_code == 200
    assert_api_error(publish(hubic, access_token, "/x.txt"), 400, "insufficient_scope")
    assert_api_error(call(hubic, "DELETE", link_path("/x.txt"), access_token), 400, "insufficient_scope")


def test_scope_lists_granted_rights(sandbox, hubic):
    access_token = scoped_tokens(sandbox, hubic, "usage.r,links.rw")["access_token"]

    response = call(hubic, "GET", "/scope/scope", access_token)

    assert response.status_code == 200
    granted = {entry["scope"]: entry["granted"] for entry in response.json()}
    assert granted["usage"] == "r"
    assert granted["links"] == "rw"
    assert granted["account"] == "r"
    assert granted["credentials"] == ""


# -- usage and credentials --------------------------------------------------------------


def test_usage_counts_stored_bytes(hubic, token):
    before = call(hubic, "GET", "/account/usage", token).json()
    put_object(swift_credentials(hubic, token), "default", unique_name("usage"), b"x" * 1000)

    after = call(hubic, "GET", "/account/usage", token).json()

    assert after["quota"] == 26843545600
    assert after["used"] - before["used"] == 1000


def test_credentials_open_swift_account(sandbox, hubic, token):
    credentials = swift_credentials(hubic, token)

    assert list(credentials) == ["token", "endpoint", "expires"]
    assert credentials["endpoint"].startswith(sandbox.url + "/v1/AUTH_")
    head = requests.head(credentials["endpoint"], headers={"X-Auth-Token": credentials["token"]}, timeout=30)
    assert head.status_code in (200, 204)
    rejected = requests.head(credentials["endpoint"], headers={"X-Auth-Token": "wrong"}, timeout=30)
    assert rejected.status_code == 401


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc_epoch(2031, 1, 15, 10, 0, 0), "2031-01-16T11:00:00+01:00"),
        (utc_epoch(2031, 7, 15, 10, 0, 0), "2031-07-16T12:00:00+02:00"),
        # Summer time starts on 2031-03-30 at 01:00 UTC and ends on 2031-10-26 at 01:00 UTC.
        (utc_epoch(2031, 3, 29, 12, 0, 0), "2031-03-30T14:00:00+02:00"),
        (utc_epoch(2031, 10, 25, 12, 0, 0), "2031-10-26T13:00:00+01:00"),
    ],
    ids=["winter", "summer", "spring-forward", "fall-back"],
)
def test_credentials_expiry_paris_offset(sandbox, hubic, now, expected):
    sandbox.shift_clock(now - time.time())

    credentials = swift_credentials(hubic, demo_access_token(hubic))

    assert credentials["expires"][-6:] == expected[-6:]
    drift = datetime.datetime.fromisoformat(credentials["expires"]) - datetime.datetime.fromisoformat(expected)
    assert abs(drift.total_seconds()) < 60


def test_credentials_expiry_follows_swift_ttl(sandbox, hubic, token):
    sandbox.update_settings(swift_token_ttl=3600)

    credentials = swift_credentials(hubic, token)

    expires = datetime.datetime.fromisoformat(credentials["expires"]).timestamp()
    assert abs(expires - (time.time() + 3600)) < 60


# -- links ------------------------------------------------------------------------------


@pytest.fixture
def stored(hubic, token):
    """An object in the default container: its uri and bytes."""
    name = unique_name("linked")
    data = b"published bytes\n" + uuid.uuid4().bytes
    put_object(swift_credentials(hubic, token), "default", name, data)
    return "/" + name, data


def test_publish_link_serves_bytes(hubic, token, stored):
    uri, data = stored

    response = publish(hubic, token, uri, ttl="5")

    assert response.status_code == 200, response.text
    link = response.json()
    assert list(link) == ["indirectUrl", "expirationDate", "creationDate", "uri"]
    assert link["uri"] == uri
    created = datetime.datetime.fromisoformat(link["creationDate"])
    expires = datetime.datetime.fromisoformat(link["expirationDate"])
    assert expires - created == datetime.timedelta(days=5)
    download = requests.get(link["indirectUrl"], timeout=30)
    assert download.status_code == 200
    assert download.content == data
    assert uri[1:] in urllib.parse.unquote(download.headers["Content-Disposition"])
    head = requests.head(link["indirectUrl"], timeout=30)
    assert head.status_code == 200
    assert head.headers["Content-Length"] == str(len(data))


def test_links_listed_and_detailed(hubic, token, stored):
    uri, _ = stored
    indirect_url = publish(hubic, token, uri, comment="for the listing").json()["indirectUrl"]

    listed = call(hubic, "GET", "/account/links", token).json()
    detailed = call(hubic, "GET", "/account/getAllLinks", token).json()

    assert [link["indirectUrl"] for link in listed if link["uri"] == uri] == [indirect_url]
    mine = [link for link in detailed if link["uri"] == uri]
    assert len(mine) == 1
    assert mine[0]["container"] == "default"
    assert mine[0]["comment"] == "for the listing"
    assert mine[0]["ttl"] == 5


def test_get_link_by_encoded_uri(hubic, token):
    uri = f"/dossier {uuid.uuid4().hex[:6]}/été 2024.txt"
    put_object(swift_credentials(hubic, token), "default", uri[1:], b"summer")
    publish(hubic, token, uri)

    response = call(hubic, "GET", link_path(uri), token)

    assert link_path(uri).count("%2F") == 2
    assert response.status_code == 200, response.text
    assert response.json()["uri"] == uri
    assert requests.get(response.json()["indirectUrl"], timeout=30).content == b"summer"


def test_get_link_with_literal_slash_404(hubic, token, stored):
    uri, _ = stored
    publish(hubic, token, uri)

    response = call(hubic, "GET", "/account/links" + uri, token)

    assert response.status_code == 404


def test_delete_link(hubic, token, stored):
    uri, _ = stored
    indirect_url = publish(hubic, token, uri).json()["indirectUrl"]

    deleted = call(hubic, "DELETE", link_path(uri), token)

    assert deleted.status_code == 204
    assert call(hubic, "GET", link_path(uri), token).status_code == 404
    assert requests.get(indirect_url, timeout=30).status_code == 404
    assert call(hubic, "DELETE", link_path(uri), token).status_code == 404


def test_link_expires_after_ttl(sandbox, hubic, token, stored):
    uri, _ = stored
    indirect_url = publish(hubic, token, uri, ttl="1").json()["indirectUrl"]

    sandbox.shift_clock(86400 + 60)
    fresh = demo_access_token(hubic)

    assert requests.get(indirect_url, timeout=30).status_code == 404
    assert call(hubic, "GET", link_path(uri), fresh).status_code == 404
    assert uri not in [link["uri"] for link in call(hubic, "GET", "/account/links", fresh).json()]


def test_publish_missing_object_404(hubic, token):
    response = publish(hubic, token, "/" + unique_name("missing"))

    assert_api_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"ttl": "7"}, None),
        ({"ttl": "0"}, None),
        ({"type": "folder"}, None),
        ({"mode": "rw"}, None),
        ({"uri": "file.txt"}, None),
        ({"container": None}, "missing arguments"),
        ({"ttl": None}, "missing arguments"),
    ],
)
def test_publish_rejects_bad_fields(hubic, token, fields, description):
    response = publish(hubic, token, fields.pop("uri", "/file.txt"), **fields)

    assert_api_error(response, 400, "invalid_request", description)


def test_unknown_link_url_404(sandbox):
    assert requests.get(f"{sandbox.url}/hubic/l/no-such-link", timeout=30).status_code == 404


# -- injected faults --------------------------------------------------------------------


def test_token_endpoint_509_page(sandbox, hubic):
    sandbox.add_fault("/hubic/oauth/token/", status=509)

    limited = requests.post(
        hubic["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": hubic["refresh_token"]},
        auth=(hubic["client_id"], hubic["client_secret"]),
        timeout=30,
    )

    assert limited.status_code == 509
    assert limited.reason == "Bandwidth Limit Exceeded"
    assert limited.headers["Content-Type"].startswith("text/html")
    assert "Bandwidth Limit Exceeded" in limited.text
    assert demo_access_token(hubic)


def test_token_endpoint_500_json(sandbox, hubic):
    sandbox.add_fault("/hubic/oauth/token/", status=500)

    failed = requests.post(
        hubic["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": hubic["refresh_token"]},
        auth=(hubic["client_id"], hubic["client_secret"]),
        timeout=30,
    )

    assert_api_error(failed, 500, "server_error", "please retry")


def test_api_injected_401_is_expired(sandbox, hubic, token):
    sandbox.add_fault("/hubic/1.0/account", status=401)

    assert_api_error(call(hubic, "GET", "/account", token), 401, "invalid_token", "expired")
    assert call(hubic, "GET", "/account", token).status_code == 200
