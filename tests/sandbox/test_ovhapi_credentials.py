"""The sandbox's OVHcloud key flows over HTTP: consumer key validation page, access rules, createApp."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from ovhub_jupyter.sandbox import Sandbox

FULL_ACCESS = [{"method": method, "path": "/*"} for method in ("GET", "POST", "PUT", "DELETE")]


# -- a client's side of the flows, written independently of the sandbox -----------------------


def sign(secret, consumer_key, method, url, body, timestamp):
    return "$1$" + hashlib.sha1("+".join([secret, consumer_key, method, url, body, timestamp]).encode("utf-8")).hexdigest()


def signed_request(application_key, application_secret, consumer_key, method, url, body=None):
    data = "" if body is None else json.dumps(body, separators=(",", ":"))
    stamp = str(int(requests.get(url.split("/1.0/")[0] + "/1.0/auth/time", timeout=30).json()))
    headers = {
        "X-Ovh-Application": application_key,
        "X-Ovh-Consumer": consumer_key,
        "X-Ovh-Timestamp": stamp,
        "X-Ovh-Signature": sign(application_secret, consumer_key, method, url, data, stamp),
    }
    if data:
        headers["Content-Type"] = "application/json"
    return requests.request(method, url, headers=headers, data=data.encode("utf-8") or None, timeout=30)


def totp(secret_base32, at):
    """RFC 6238 code (SHA-1, 30 s, 6 digits) of Unix time ``at``."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000).zfill(6)


class FormFields(HTMLParser):
    """Collect the names of a page's form fields and the text of its error element."""

    def __init__(self):
        super().__init__()
        self.names = set()
        self.error = None
        self._in_error = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("input", "select", "button") and "name" in attributes:
            self.names.add(attributes["name"])
        if "ovhub-error" in (attributes.get("class") or "").split():
            self._in_error = True
            self.error = ""

    def handle_endtag(self, tag):
        self._in_error = False

    def handle_data(self, data):
        if self._in_error:
            self.error += data


def parse_page(html):
    parser = FormFields()
    parser.feed(html)
    return parser


class Account:
    """The demo account's keys, and a client's steps through the flows."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.config = sandbox.config["ovh"]
        self.api = f"{sandbox.url}/1.0"

    def request_key(self, rules=FULL_ACCESS, application_key=None, **extra):
        response = requests.post(
            f"{self.api}/auth/credential",
            headers={"X-Ovh-Application": application_key or self.config["application_key"]},
            json={"accessRules": rules, **extra},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def submit(self, validation_url, **form):
        token = parse_qs(urlparse(validation_url).query)["credentialToken"][0]
        data = {"credentialToken": token, "login": self.config["nic"], "password": self.config["password"], "duration": "0", "action": "authorize"}
        data.update(form)
        return requests.post(f"{self.sandbox.url}/auth/", data=data, allow_redirects=False, timeout=30)

    def validated_key(self, rules=FULL_ACCESS, **form):
        requested = self.request_key(rules)
        assert self.submit(requested["validationUrl"], **form).status_code == 200
        return requested["consumerKey"]

    def call(self, consumer_key, method, path, body=None, application_key=None, application_secret=None):
        return signed_request(
            application_key or self.config["application_key"],
            application_secret or self.config["application_secret"],
            consumer_key,
            method,
            f"{self.api}{path}",
            body,
        )


@pytest.fixture
def account(sandbox):
    return Account(sandbox)


# -- requesting a consumer key ----------------------------------------------------------------


def test_credential_request_shape(account):
    requested = account.request_key(redirection="https://example.invalid/back")
    assert requested["state"] == "pendingValidation"
    assert re.fullmatch(r"[A-Za-z0-9]{32}", requested["consumerKey"])
    assert re.fullmatch(rf"{re.escape(account.sandbox.url)}/auth/\?credentialToken=[A-Za-z0-9]{{64}}", requested["validationUrl"])


def test_credential_request_needs_application(account):
    response = requests.post(f"{account.api}/auth/credential", json={"accessRules": FULL_ACCESS}, timeout=30)
    assert response.status_code == 401
    unknown = requests.post(f"{account.api}/auth/credential", headers={"X-Ovh-Application": "Z" * 16}, json={"accessRules": FULL_ACCESS}, timeout=30)
    assert unknown.status_code == 403
    assert unknown.json()["errorCode"] == "INVALID_KEY"


@pytest.mark.parametrize(
    "rules",
    [[], [{"method": "PATCH", "path": "/*"}], [{"method": "GET", "path": "me"}], [{"method": "GET"}], "GET /*"],
)
def test_credential_request_invalid_rules(account, rules):
    response = requests.post(
        f"{account.api}/auth/credential", headers={"X-Ovh-Application": account.config["application_key"]}, json={"accessRules": rules}, timeout=30
    )
    assert response.status_code == 400
    assert response.json()["class"] == "Client::BadRequest"


def test_pending_key_invalid_credential(account):
    pending = account.request_key()["consumerKey"]
    response = account.call(pending, "GET", "/auth/currentCredential")
    assert response.status_code == 403
    assert response.json()["errorCode"] == "INVALID_CREDENTIAL"
    assert response.json()["message"] == "This credential is not valid"


# -- the validation page --------------------------------------------------------------------------


def test_validation_page_form_fields(account):
    page = requests.get(account.request_key()["validationUrl"], timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    fields = parse_page(page.text)
    assert fields.names == {"credentialToken", "login", "password", "duration", "action"}
    assert "Authorize" in page.text
    assert "Refuse" in page.text
    assert "<option value='0' selected>Unlimited</option>" in page.text


def test_validation_redirects_and_validates(account):
    rules = [{"method": "GET", "path": "/me"}, {"method": "GET", "path": "/auth/currentCredential"}]
    requested = account.request_key(rules=rules, redirection="https://example.invalid/done?x=1")
    response = account.submit(requested["validationUrl"])
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.invalid/done?x=1"

    current = account.call(requested["consumerKey"], "GET", "/auth/currentCredential")
    assert current.status_code == 200
    credential = current.json()
    assert credential["status"] == "validated"
    assert credential["rules"] == rules
    assert credential["expiration"] is None
    assert credential["allowedIPs"] is None
    assert credential["ovhSupport"] is False
    assert set(credential) == {"credentialId", "status", "applicationId", "creation", "expiration", "lastUse", "ovhSupport", "rules", "allowedIPs"}
    assert account.call(requested["consumerKey"], "GET", "/me").json()["nichandle"] == account.config["nic"]


def test_validation_accepts_email_login(account):
    requested = account.request_key()
    assert account.submit(requested["validationUrl"], login=account.config["email"].upper()).status_code == 200
    assert account.call(requested["consumerKey"], "GET", "/me").status_code == 200


def test_validation_wrong_password_shows_error(account):
    requested = account.request_key()
    response = account.submit(requested["validationUrl"], password="not-the-password")
    assert response.status_code == 401
    assert parse_page(response.text).error == "Invalid account ID or password."
    assert account.config["password"] not in response.text
    assert account.call(requested["consumerKey"], "GET", "/me").json()["errorCode"] == "INVALID_CREDENTIAL"

    # The link still works after a failed attempt.
    assert account.submit(requested["validationUrl"]).status_code == 200


def test_validation_refuse(account):
    requested = account.request_key()
    response = account.submit(requested["validationUrl"], action="refuse", login="", password="")
    assert response.status_code == 200
    assert "refused" in response.text
    assert account.call(requested["consumerKey"], "GET", "/me").json()["errorCode"] == "INVALID_CREDENTIAL"

    used_link = requests.get(requested["validationUrl"], timeout=30)
    assert used_link.status_code == 404
    assert parse_page(used_link.text).error


def test_validation_unknown_token(account):
    response = requests.get(f"{account.sandbox.url}/auth/?credentialToken={'x' * 64}", timeout=30)
    assert response.status_code == 404
    assert "invalid" in parse_page(response.text).error


def test_two_factor_page_asks_code(sandbox, account):
    sandbox.update_settings(ovh_two_factor=True)
    page = requests.get(account.request_key()["validationUrl"], timeout=30)
    assert "totp" in parse_page(page.text).names


def test_two_factor_missing_and_wrong_code(sandbox, account):
    sandbox.update_settings(ovh_two_factor=True)
    requested = account.request_key()

    missing = account.submit(requested["validationUrl"])
    assert missing.status_code == 401
    assert "two-factor" in parse_page(missing.text).error.lower()

    good = totp(account.config["totp_secret"], time.time())
    wrong = str((int(good) + 1) % 1_000_000).zfill(6)
    rejected = account.submit(requested["validationUrl"], totp=wrong)
    assert rejected.status_code == 401
    assert parse_page(rejected.text).error.startswith("Invalid two-factor code")
    assert account.call(requested["consumerKey"], "GET", "/me").status_code == 403


def test_two_factor_valid_code(sandbox, account):
    sandbox.update_settings(ovh_two_factor=True)
    sandbox.shift_clock(86400)
    requested = account.request_key()
    # The code follows the sandbox clock, not the real one.
    code = totp(account.config["totp_secret"], time.time() + 86400)
    assert account.submit(requested["validationUrl"], totp=code).status_code == 200
    assert account.call(requested["consumerKey"], "GET", "/me").status_code == 200


def test_key_expires_after_duration(sandbox, account):
    consumer_key = account.validated_key(duration="3600")
    credential = account.call(consumer_key, "GET", "/auth/currentCredential").json()
    assert credential["expiration"] is not None

    sandbox.shift_clock(3601)
    expired = account.call(consumer_key, "GET", "/me")
    assert expired.status_code == 403
    assert expired.json()["errorCode"] == "INVALID_CREDENTIAL"

    # The account still sees the key, now expired.
    listed = account.call(account.config["consumer_key"], "GET", f"/me/api/credential/{credential['credentialId']}")
    assert listed.json()["status"] == "expired"


def test_unlimited_key_does_not_expire(sandbox, account):
    consumer_key = account.validated_key(duration="0")
    sandbox.shift_clock(86400 * 400)
    assert account.call(consumer_key, "GET", "/me").status_code == 200


# -- access rules, logout, allowed IPs --------------------------------------------------------------


def test_access_rule_exact_path(account):
    consumer_key = account.validated_key(rules=[{"method": "GET", "path": "/me"}])
    assert account.call(consumer_key, "GET", "/me").status_code == 200

    denied_calls = [("GET", "/me/bill", None), ("PUT", "/me", {"firstname": "X"}), ("GET", "/cloud/project", None), ("GET", "/auth/currentCredential", None)]
    for method, path, body in denied_calls:
        denied = account.call(consumer_key, method, path, body)
        assert denied.status_code == 403, path
        assert denied.json() == {"errorCode": "NOT_GRANTED_CALL", "httpCode": "403 Forbidden", "message": "This call has not been granted"}


def test_access_rule_wildcard(account):
    consumer_key = account.validated_key(rules=[{"method": "GET", "path": "/me/*"}])
    assert account.call(consumer_key, "GET", "/me/bill").status_code == 200
    assert account.call(consumer_key, "GET", "/me").status_code == 403
    assert account.call(consumer_key, "DELETE", "/me/api/credential/1").status_code == 403


def test_logout_revokes_key(account):
    consumer_key = account.validated_key()
    logout = account.call(consumer_key, "POST", "/auth/logout")
    assert logout.status_code == 200
    assert logout.json() is None
    after = account.call(consumer_key, "GET", "/me")
    assert after.status_code == 403
    assert after.json()["errorCode"] == "NOT_CREDENTIAL"


def test_allowed_ips_enforced(account):
    elsewhere = account.request_key(allowedIPs=["10.0.0.0/8"])
    assert account.submit(elsewhere["validationUrl"]).status_code == 200
    assert account.call(elsewhere["consumerKey"], "GET", "/me").status_code == 403

    loopback = account.request_key(allowedIPs=["127.0.0.1/32", "::1/128"])
    assert account.submit(loopback["validationUrl"]).status_code == 200
    assert account.call(loopback["consumerKey"], "GET", "/me").status_code == 200


def test_account_lists_its_credentials(account):
    consumer_key = account.validated_key()
    credential_id = account.call(consumer_key, "GET", "/auth/currentCredential").json()["credentialId"]
    listed = account.call(consumer_key, "GET", "/me/api/credential?status=validated").json()
    assert credential_id in listed
    one = account.call(consumer_key, "GET", f"/me/api/credential/{credential_id}").json()
    assert one["status"] == "validated"


# -- createApp ------------------------------------------------------------------------------------


def create_app(sandbox, config, name, login=None, password=None, description="Made by a test"):
    form = {
        "nic": login or config["nic"],
        "password": password or config["password"],
        "applicationName": name,
        "applicationDescription": description,
    }
    return requests.post(f"{sandbox.url}/createApp/", data=form, timeout=30)


def read_keys(html):
    application_key = re.search(r"Application Key</th><td[^>]*>([^<]*)</td>", html).group(1)
    application_secret = re.search(r"Application Secret</th><td[^>]*>([^<]*)</td>", html).group(1)
    return application_key, application_secret


def test_create_app_form_fields(sandbox):
    page = requests.get(f"{sandbox.url}/createApp/", timeout=30)
    assert page.status_code == 200
    assert {"nic", "password", "applicationName", "applicationDescription"} <= parse_page(page.text).names


def test_create_app_keys_sign_calls(sandbox, account):
    name = f"notebook-{time.time_ns()}"
    page = create_app(sandbox, account.config, name)
    assert page.status_code == 200
    application_key, application_secret = read_keys(page.text)
    assert re.fullmatch(r"[A-Za-z0-9]{16}", application_key)
    assert re.fullmatch(r"[A-Za-z0-9]{32}", application_secret)

    requested = account.request_key(application_key=application_key)
    assert account.submit(requested["validationUrl"]).status_code == 200
    me = account.call(requested["consumerKey"], "GET", "/me", application_key=application_key, application_secret=application_secret)
    assert me.status_code == 200

    # The key belongs to the new application only.
    assert account.call(requested["consumerKey"], "GET", "/me").json()["errorCode"] == "NOT_CREDENTIAL"


def test_create_app_accepts_email(sandbox, account):
    page = create_app(sandbox, account.config, f"by-email-{time.time_ns()}", login=account.config["email"])
    assert page.status_code == 200
    assert read_keys(page.text)[0]


def test_create_app_name_taken(sandbox, account):
    name = f"taken-{time.time_ns()}"
    assert create_app(sandbox, account.config, name).status_code == 200
    again = create_app(sandbox, account.config, name)
    assert again.status_code == 409
    assert "already exists" in parse_page(again.text).error
    assert "Application Secret" not in again.text


def test_create_app_wrong_password(sandbox, account):
    page = create_app(sandbox, account.config, f"x-{time.time_ns()}", password="wrong-password")
    assert page.status_code == 401
    assert parse_page(page.text).error == "Invalid account ID or password."
    assert "Application Key" not in page.text


def test_create_app_missing_field(sandbox, account):
    page = create_app(sandbox, account.config, "")
    assert page.status_code == 400
    assert "applicationName" in parse_page(page.text).error


def test_created_keys_survive_restart_until_reset(tmp_path):
    with Sandbox(data_dir=tmp_path) as first:
        account = Account(first)
        application_key, application_secret = read_keys(create_app(first, account.config, "kept").text)
        requested = account.request_key(application_key=application_key)
        assert account.submit(requested["validationUrl"]).status_code == 200

    with Sandbox(data_dir=tmp_path) as second:
        account = Account(second)
        signed = dict(application_key=application_key, application_secret=application_secret)
        assert account.call(requested["consumerKey"], "GET", "/me", **signed).status_code == 200

        second.reset()
        forgotten = account.call(requested["consumerKey"], "GET", "/me", **signed)
        assert forgotten.status_code == 403
        assert forgotten.json()["errorCode"] == "INVALID_KEY"
        assert account.call(account.config["consumer_key"], "GET", "/me").status_code == 200
