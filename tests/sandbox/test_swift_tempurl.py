"""Temporary URLs in the sandbox: signatures, digests, scopes, expiry and response headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

import pytest
import requests
from tests.sandbox.swift_helpers import login, new_container

INVALID = "401 Unauthorized: Temp URL invalid\n"


def sign(key: str, method: str, path: str, expires: int, digest: str = "sha256") -> str:
    return hmac.new(key.encode(), f"{method}\n{expires}\n{path}".encode(), getattr(hashlib, digest)).hexdigest()


@pytest.fixture
def account(sandbox):
    account = login(sandbox)
    account.request("POST", "", headers={"X-Account-Meta-Temp-URL-Key": "account-key"})
    return account


@pytest.fixture
def stored(account):
    container = new_container(account, "tempurl")
    account.request("PUT", f"/{container}/ré sumé.txt", data=b"temp data", headers={"X-Object-Meta-Secret": "1", "X-Object-Meta-Public-Note": "2"})
    return container


def signed_path(account, container, name):
    return urllib.parse.urlsplit(account.url).path + f"/{container}/{name}"


def test_get_with_sha256_signature(account, stored):
    expires = int(time.time()) + 300
    signature = sign("account-key", "GET", signed_path(account, stored, "ré sumé.txt"), expires)

    response = requests.get(f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt", params={"temp_url_sig": signature, "temp_url_expires": expires})

    assert response.status_code == 200
    assert response.content == b"temp data"
    assert response.headers["Content-Disposition"] == "attachment; filename=\"r%C3%A9 sum%C3%A9.txt\"; filename*=UTF-8''r%C3%A9%20sum%C3%A9.txt"
    assert response.headers["Expires"] == time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(expires))
    assert "X-Object-Meta-Secret" not in response.headers
    assert response.headers["X-Object-Meta-Public-Note"] == "2"


@pytest.mark.parametrize("digest", ["sha1", "sha512"])
def test_other_digests_are_accepted(account, stored, digest):
    expires = int(time.time()) + 300
    signature = sign("account-key", "GET", signed_path(account, stored, "ré sumé.txt"), expires, digest)

    response = requests.get(f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt", params={"temp_url_sig": signature, "temp_url_expires": expires})

    assert response.status_code == 200


def test_base64_sha512_signature_with_filename_inline(account, stored):
    expires = int(time.time()) + 300
    digest = bytes.fromhex(sign("account-key", "GET", signed_path(account, stored, "ré sumé.txt"), expires, "sha512"))
    signature = "sha512:" + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    response = requests.get(
        f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt",
        params={"temp_url_sig": signature, "temp_url_expires": expires, "filename": "report.txt", "inline": ""},
    )

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "inline; filename=\"report.txt\"; filename*=UTF-8''report.txt"


def test_wrong_or_expired_signature_is_401(sandbox, account, stored):
    expires = int(time.time()) + 60
    signature = sign("account-key", "GET", signed_path(account, stored, "ré sumé.txt"), expires)
    url = f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt"

    tampered = requests.get(url, params={"temp_url_sig": signature, "temp_url_expires": expires + 1})
    wrong_method = requests.put(url, params={"temp_url_sig": signature, "temp_url_expires": expires}, data=b"x")
    sandbox.shift_clock(120)
    expired = requests.get(url, params={"temp_url_sig": signature, "temp_url_expires": expires})

    for response in (tampered, wrong_method, expired):
        assert response.status_code == 401
        assert response.text == INVALID
        assert response.headers["Www-Authenticate"] == 'Swift realm="unknown"'


def test_put_signature_uploads(account, stored):
    expires = int(time.time()) + 300
    signature = sign("account-key", "PUT", signed_path(account, stored, "upload.bin"), expires)
    url = f"{account.url}/{stored}/upload.bin"

    upload = requests.put(url, params={"temp_url_sig": signature, "temp_url_expires": expires}, data=b"uploaded")
    manifest = requests.put(url, params={"temp_url_sig": signature, "temp_url_expires": expires}, data=b"", headers={"X-Object-Manifest": "a/b"})

    assert upload.status_code == 201
    assert account.request("GET", f"/{stored}/upload.bin").content == b"uploaded"
    assert manifest.status_code == 400
    assert manifest.text == "The header 'X-Object-Manifest' is not allowed in this tempurl"


def test_container_key_opens_only_its_container(account, stored):
    other = new_container(account, "other")
    account.request("PUT", f"/{other}/o", data=b"x")
    account.request("POST", f"/{stored}", headers={"X-Container-Meta-Temp-URL-Key-2": "container-key"})
    expires = int(time.time()) + 300

    inside = requests.get(
        f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt",
        params={"temp_url_sig": sign("container-key", "GET", signed_path(account, stored, "ré sumé.txt"), expires), "temp_url_expires": expires},
    )
    outside = requests.get(
        f"{account.url}/{other}/o",
        params={"temp_url_sig": sign("container-key", "GET", signed_path(account, other, "o"), expires), "temp_url_expires": expires},
    )

    assert inside.status_code == 200
    assert outside.status_code == 401


def test_prefix_signature(account, stored):
    expires = int(time.time()) + 300
    path = "prefix:" + signed_path(account, stored, "ré")
    signature = sign("account-key", "GET", path, expires)

    response = requests.get(
        f"{account.url}/{stored}/r%C3%A9%20sum%C3%A9.txt",
        params={"temp_url_sig": signature, "temp_url_expires": expires, "temp_url_prefix": "ré"},
    )

    assert response.status_code == 200


def test_region_url_signs_path_from_v1(sandbox):
    swift = sandbox.app.services["swift"]
    project = sandbox.config["keystone"]["project_id"]
    token = swift.issue_token([("gra", project)])
    base = f"{sandbox.url}/storage/gra/v1/AUTH_{project}"
    requests.post(base, headers={"X-Auth-Token": token.value, "X-Account-Meta-Temp-URL-Key": "region-key"})
    expires = int(time.time()) + 300
    signature = sign("region-key", "GET", f"/v1/AUTH_{project}/notebooks-data/sales.csv", expires)

    response = requests.get(f"{base}/notebooks-data/sales.csv", params={"temp_url_sig": signature, "temp_url_expires": expires})

    assert response.status_code == 200
    assert response.content.startswith(b"order_id,date,region")
