"""The sandbox's OVHcloud API: signature checks, error responses, OAuth2, and python-ovh as an oracle.

The tests sign with their own few lines of hashlib, independent of the sandbox's verifier.
"""

from __future__ import annotations

import hashlib
import json
import re
import time

import pytest
import requests

from ovhub_jupyter.sandbox.ovhapi.signing import compute_signature, rule_allows, totp_code, totp_valid

# Official test vectors of the OVHcloud signature (python-ovh, go-ovh and php-ovh test suites).
VECTOR_SECRET = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk"
VECTOR_CONSUMER_KEY = "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY"
VECTOR_TIMESTAMP = "1457018875"
VECTOR_URL = "https://eu.api.ovh.com/1.0/auth"
VECTOR_BODY = '{"a":"b","c":"d"}'
VECTORS = {
    "GET": ("", "$1$e9556054b6309771395efa467c22e627407461ad"),
    "POST": (VECTOR_BODY, "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1"),
    "PUT": (VECTOR_BODY, "$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b"),
    "DELETE": ("", "$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85"),
}

QUERY_ID = re.compile(r"^EU\.ext-\d\.[0-9a-f]{8}\.\d+\.[0-9a-f]{32}$")


def sign(secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: str) -> str:
    """Sign as a client does: SHA-1 of the '+'-joined fields, UTF-8."""
    return "$1$" + hashlib.sha1("+".join([secret, consumer_key, method, url, body, timestamp]).encode("utf-8")).hexdigest()


def signed_request(keys, method, url, body=None, *, secret=None, timestamp=None, signed_url=None):
    """Send a signed call; ``signed_url`` signs another spelling than the one sent."""
    data = "" if body is None else json.dumps(body, separators=(",", ":"))
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "X-Ovh-Application": keys["application_key"],
        "X-Ovh-Consumer": keys["consumer_key"],
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(secret or keys["application_secret"], keys["consumer_key"], method, signed_url or url, data, stamp),
    }
    if data:
        headers["Content-Type"] = "application/json"
    return requests.request(method, url, headers=headers, data=data.encode("utf-8") or None, timeout=30)


@pytest.fixture
def keys(sandbox):
    return sandbox.config["ovh"]


@pytest.fixture
def api(sandbox):
    return f"{sandbox.url}/1.0"


# -- the verifier against the official vectors ------------------------------------------------


@pytest.mark.parametrize("method", sorted(VECTORS))
def test_signature_official_vectors(method):
    body, expected = VECTORS[method]
    assert compute_signature(VECTOR_SECRET, VECTOR_CONSUMER_KEY, method, VECTOR_URL, body, VECTOR_TIMESTAMP) == expected


def test_signature_bytes_equal_text():
    as_text = compute_signature("s", "c", "get", "https://h/1.0/caf%C3%A9", "", 1)
    as_bytes = compute_signature("s", "c", "GET", b"https://h/1.0/caf%C3%A9", b"", "1")
    assert as_text == as_bytes


@pytest.mark.parametrize(
    ("rule_path", "api_path", "allowed"),
    [
        ("/*", "/me", True),
        ("/me", "/me", True),
        ("/me", "/me/bill", False),
        ("/me/*", "/me/bill/FR1", True),
        ("/me/*", "/me", False),
        ("/cloud/project/*/storage", "/cloud/project/abc/storage", True),
        ("/cloud/project/*/storage", "/cloud/project/abc/user", False),
        ("/me.json", "/meXjson", False),
    ],
)
def test_access_rule_patterns(rule_path, api_path, allowed):
    assert rule_allows([{"method": "GET", "path": rule_path}], "GET", api_path) is allowed


def test_access_rule_method_must_match():
    assert not rule_allows([{"method": "GET", "path": "/*"}], "DELETE", "/me")


def test_totp_rfc6238_vectors():
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last 6 digits of the 8-digit codes.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp_code(secret, 59 // 30) == "287082"
    assert totp_code(secret, 1111111109 // 30) == "081804"
    assert totp_code(secret, 2000000000 // 30) == "279037"


def test_totp_accepts_one_step_of_drift():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    code = totp_code(secret, 1111111109 // 30)
    assert totp_valid(secret, code, 1111111109 + 30)
    assert not totp_valid(secret, code, 1111111109 + 90)
    assert not totp_valid(secret, "12345", 1111111109)


# -- signed calls over HTTP -----------------------------------------------------------------------


def test_auth_time_is_bare_integer(sandbox, api):
    sandbox.shift_clock(1000)
    response = requests.get(f"{api}/auth/time", timeout=30)
    assert response.status_code == 200
    assert re.fullmatch(r"\d+", response.text)
    assert abs(int(response.text) - (time.time() + 1000)) < 5
    assert QUERY_ID.match(response.headers["X-Ovh-Queryid"])


def test_signed_get_accepted(keys, api):
    response = signed_request(keys, "GET", f"{api}/me")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["nichandle"] == keys["nic"]
    assert QUERY_ID.match(response.headers["X-Ovh-Queryid"])


def test_signed_put_accepted_and_body_signed(keys, api):
    response = signed_request(keys, "PUT", f"{api}/me", {"firstname": "Ada"})
    assert response.status_code == 200
    assert response.json() is None
    assert signed_request(keys, "GET", f"{api}/me").json()["firstname"] == "Ada"

    # A body other than the one signed fails.
    stamp = str(int(time.time()))
    headers = {
        "X-Ovh-Application": keys["application_key"],
        "X-Ovh-Consumer": keys["consumer_key"],
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(keys["application_secret"], keys["consumer_key"], "PUT", f"{api}/me", '{"firstname":"Ada"}', stamp),
        "Content-Type": "application/json",
    }
    tampered = requests.put(f"{api}/me", headers=headers, data=b'{"firstname":"Eve"}', timeout=30)
    assert tampered.status_code == 400
    assert tampered.json()["errorCode"] == "INVALID_SIGNATURE"
    signed_request(keys, "PUT", f"{api}/me", {"firstname": "Demo"})


def test_signed_post_and_delete_accepted(sandbox, keys, api):
    # A fresh consumer key, validated on the page, then revoked with DELETE.
    consumer_key = _validated_consumer_key(sandbox, keys)
    own = {**keys, "consumer_key": consumer_key}
    credential_id = signed_request(own, "GET", f"{api}/auth/currentCredential").json()["credentialId"]

    deleted = signed_request(keys, "DELETE", f"{api}/me/api/credential/{credential_id}")
    assert deleted.status_code == 200
    after = signed_request(own, "GET", f"{api}/me")
    assert after.status_code == 403
    assert after.json()["errorCode"] == "NOT_CREDENTIAL"

    # Signed POST without a body: logout of another fresh key.
    other = {**keys, "consumer_key": _validated_consumer_key(sandbox, keys)}
    logout = signed_request(other, "POST", f"{api}/auth/logout")
    assert logout.status_code == 200
    assert logout.json() is None


def test_signed_post_with_body_accepted(keys, api):
    project = keys["project_id"]
    created = signed_request(keys, "POST", f"{api}/cloud/project/{project}/user", {"description": "signed post", "role": "objectstore_operator"})
    assert created.status_code == 200, created.text
    assert created.json()["description"] == "signed post"
    signed_request(keys, "DELETE", f"{api}/cloud/project/{project}/user/{created.json()['id']}")


def test_v1_prefix_is_alias(sandbox, keys):
    response = signed_request(keys, "GET", f"{sandbox.url}/v1/me")
    assert response.status_code == 200
    assert response.json()["nichandle"] == keys["nic"]


def test_v2_routes_only_under_v2(sandbox, keys):
    policies = signed_request(keys, "GET", f"{sandbox.url}/v2/iam/policy")
    assert policies.status_code == 200
    assert policies.json()[0]["identities"] == [f"urn:v1:eu:identity:account:{keys['nic']}"]
    one = signed_request(keys, "GET", f"{sandbox.url}/v2/iam/policy/{policies.json()[0]['id']}")
    assert one.json()["name"] == policies.json()[0]["name"]
    assert signed_request(keys, "GET", f"{sandbox.url}/1.0/v2/iam/policy").status_code == 404


def test_query_string_is_signed(keys, api):
    url = f"{api}/me/bill?date.from=2000-01-01&date.to=2100-01-01"
    assert signed_request(keys, "GET", url).status_code == 200
    unsigned_query = signed_request(keys, "GET", url, signed_url=f"{api}/me/bill")
    assert unsigned_query.status_code == 400
    assert unsigned_query.json()["errorCode"] == "INVALID_SIGNATURE"


def test_percent_encoded_path_signed_as_sent(keys, api):
    encoded = f"{api}/me/bill/caf%C3%A9%20noir"
    response = signed_request(keys, "GET", encoded)
    # The signature passed; the bill does not exist, and the name came through decoded.
    assert response.status_code == 404
    assert response.json()["message"] == "The requested object (billId = café noir) does not exist"

    # Signing the unencoded text while sending the encoded URL fails, as on the real API.
    mismatched = signed_request(keys, "GET", encoded, signed_url=f"{api}/me/bill/café noir")
    assert mismatched.status_code == 400
    assert mismatched.json()["errorCode"] == "INVALID_SIGNATURE"


def test_wrong_secret_invalid_signature(keys, api):
    response = signed_request(keys, "GET", f"{api}/me", secret="x" * 32)
    assert response.status_code == 400
    assert response.json() == {"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "Invalid signature"}
    assert QUERY_ID.match(response.headers["X-Ovh-Queryid"])


def test_stale_timestamp_query_time_out(keys, api):
    response = signed_request(keys, "GET", f"{api}/me", timestamp=int(time.time()) - 3600)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "QUERY_TIME_OUT"
    assert response.json()["message"] == "Query out of time"


def test_timestamp_follows_server_clock(sandbox, keys, api):
    sandbox.shift_clock(-7200)
    server_time = int(requests.get(f"{api}/auth/time", timeout=30).text)
    assert signed_request(keys, "GET", f"{api}/me").json()["errorCode"] == "QUERY_TIME_OUT"
    assert signed_request(keys, "GET", f"{api}/me", timestamp=server_time).status_code == 200


def test_tolerance_setting_applies(sandbox, keys, api):
    sandbox.update_settings(ovh_timestamp_tolerance=10)
    assert signed_request(keys, "GET", f"{api}/me", timestamp=int(time.time()) - 60).status_code == 400
    sandbox.update_settings(ovh_timestamp_tolerance=300)
    assert signed_request(keys, "GET", f"{api}/me", timestamp=int(time.time()) - 60).status_code == 200


def test_missing_headers_not_authenticated(keys, api):
    bare = requests.get(f"{api}/me", timeout=30)
    assert bare.status_code == 401
    assert bare.json()["errorCode"] == "NOT_AUTHENTICATED"
    assert bare.json()["message"] == "You must login first"

    application_only = requests.get(f"{api}/me", headers={"X-Ovh-Application": keys["application_key"]}, timeout=30)
    assert application_only.status_code == 401


def test_unknown_application_key_invalid_key(keys, api):
    response = signed_request({**keys, "application_key": "A" * 16}, "GET", f"{api}/me")
    assert response.status_code == 403
    assert response.json()["errorCode"] == "INVALID_KEY"
    assert response.json()["message"] == "This application key is invalid"


def test_unknown_consumer_key_not_credential(keys, api):
    response = signed_request({**keys, "consumer_key": "C" * 32}, "GET", f"{api}/me")
    assert response.status_code == 403
    assert response.json() == {"errorCode": "NOT_CREDENTIAL", "httpCode": "403 Forbidden", "message": "This credential does not exist"}


def test_body_on_get_rejected(keys, api):
    stamp = str(int(time.time()))
    headers = {
        "X-Ovh-Application": keys["application_key"],
        "X-Ovh-Consumer": keys["consumer_key"],
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(keys["application_secret"], keys["consumer_key"], "GET", f"{api}/me", "{}", stamp),
    }
    response = requests.get(f"{api}/me", headers=headers, data=b"{}", timeout=30)
    assert response.status_code == 400
    assert response.json()["message"] == "You provided an input body while none was expected"


def test_invalid_json_body_rejected(keys, api):
    stamp = str(int(time.time()))
    body = "{not json"
    headers = {
        "X-Ovh-Application": keys["application_key"],
        "X-Ovh-Consumer": keys["consumer_key"],
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(keys["application_secret"], keys["consumer_key"], "PUT", f"{api}/me", body, stamp),
        "Content-Type": "application/json",
    }
    response = requests.put(f"{api}/me", headers=headers, data=body.encode(), timeout=30)
    assert response.status_code == 400
    assert response.json()["class"] == "Client::BadRequest"
    assert "not valid JSON" in response.json()["message"]


def test_unknown_path_not_found(keys, api):
    response = signed_request(keys, "GET", f"{api}/no/such/route")
    assert response.status_code == 404
    assert response.json() == {"class": "Client::NotFound", "message": "Got an invalid (or empty) URL"}
    assert QUERY_ID.match(response.headers["X-Ovh-Queryid"])


def test_injected_fault_in_api_format(sandbox, keys, api):
    sandbox.add_fault("/1.0/me", status=503, retry_after=7)
    response = signed_request(keys, "GET", f"{api}/me")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["class"] == "Server::ServiceUnavailable"
    assert response.headers["Retry-After"] == "7"
    assert QUERY_ID.match(response.headers["X-Ovh-Queryid"])


def test_injected_html_fault_stays_html(sandbox, keys, api):
    sandbox.add_fault("/1.0/me", action="html", status=502)
    response = signed_request(keys, "GET", f"{api}/me")
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")


# -- OAuth2 service accounts ---------------------------------------------------------------------


def _oauth2_token(sandbox, keys, **form):
    data = {"grant_type": "client_credentials", "scope": "all", **form}
    return requests.post(f"{sandbox.url}/auth/oauth2/token", auth=(keys["client_id"], keys["client_secret"]), data=data, timeout=30)


def test_oauth2_token_and_bearer_call(sandbox, keys, api):
    response = _oauth2_token(sandbox, keys)
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3599
    assert token["scope"] == "all"

    me = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
    assert me.status_code == 200
    assert me.json()["nichandle"] == keys["nic"]


def test_oauth2_wrong_secret_invalid_client(sandbox, keys):
    response = requests.post(
        f"{sandbox.url}/auth/oauth2/token",
        auth=(keys["client_id"], "wrong"),
        data={"grant_type": "client_credentials", "scope": "all"},
        timeout=30,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_oauth2_other_grant_unsupported(sandbox, keys):
    response = _oauth2_token(sandbox, keys, grant_type="password")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_oauth2_expired_token_rejected(sandbox, keys, api):
    access_token = _oauth2_token(sandbox, keys).json()["access_token"]
    sandbox.expire_tokens()
    response = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {access_token}"}, timeout=30)
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


# -- python-ovh as an oracle ----------------------------------------------------------------------


@pytest.fixture
def ovh_module(sandbox, monkeypatch):
    """python-ovh with a "sandbox" endpoint (it only takes endpoint names from its table)."""
    ovh = pytest.importorskip("ovh", reason="python-ovh is the test-only oracle")
    monkeypatch.setitem(ovh.client.ENDPOINTS, "sandbox", f"{sandbox.url}/1.0")
    monkeypatch.setitem(ovh.client.OAUTH2_TOKEN_URLS, "sandbox", f"{sandbox.url}/auth/oauth2/token")
    for name in ("OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_ID", "OVH_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return ovh


def _python_ovh_client(ovh, keys, secret=None):
    return ovh.Client(
        endpoint="sandbox",
        application_key=keys["application_key"],
        application_secret=secret or keys["application_secret"],
        consumer_key=keys["consumer_key"],
    )


def test_python_ovh_signed_calls_accepted(sandbox, ovh_module, keys):
    sandbox.shift_clock(-900)
    client = _python_ovh_client(ovh_module, keys)
    assert client.get("/me")["nichandle"] == keys["nic"]
    assert client.get("/me/bill", **{"date.from": "2000-01-01", "date.to": "2100-01-01"})
    assert client.put("/me", firstname="Grace") is None
    assert client.get("/me")["firstname"] == "Grace"
    client.put("/me", firstname="Demo")
    assert client.get("/auth/currentCredential")["status"] == "validated"
    assert client.get("/v2/iam/policy")[0]["owner"] == keys["nic"]


def test_python_ovh_wrong_secret_rejected(ovh_module, keys):
    client = _python_ovh_client(ovh_module, keys, secret="y" * 32)
    with pytest.raises(ovh_module.exceptions.BadParametersError) as raised:
        client.get("/me")
    assert str(raised.value).startswith("Invalid signature")
    assert QUERY_ID.match(raised.value.query_id)


def test_python_ovh_oauth2_accepted(ovh_module, keys, monkeypatch):
    # oauthlib rejects http:// token URLs unless OAUTHLIB_INSECURE_TRANSPORT is set.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = ovh_module.Client(endpoint="sandbox", client_id=keys["client_id"], client_secret=keys["client_secret"])
    assert client.get("/me")["nichandle"] == keys["nic"]


# -- helpers ------------------------------------------------------------------------------------


def _validated_consumer_key(sandbox, keys, rules=None):
    """Request a consumer key and validate it on the page; return the key."""
    requested = requests.post(
        f"{sandbox.url}/1.0/auth/credential",
        headers={"X-Ovh-Application": keys["application_key"]},
        json={"accessRules": rules or [{"method": m, "path": "/*"} for m in ("GET", "POST", "PUT", "DELETE")]},
        timeout=30,
    ).json()
    token = requests.utils.urlparse(requested["validationUrl"]).query.split("=", 1)[1]
    form = {"credentialToken": token, "login": keys["nic"], "password": keys["password"], "duration": "0", "action": "authorize"}
    assert requests.post(f"{sandbox.url}/auth/", data=form, timeout=30).status_code == 200
    return requested["consumerKey"]
