"""Temp URLs: signed links fetched with plain requests, the key set on first use, expiry."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests

from ovhub_jupyter.core import errors
from ovhub_jupyter.core.http import HttpClient
from ovhub_jupyter.core.keystone import KeystoneV3Provider
from ovhub_jupyter.core.swift import SwiftAccount
from ovhub_jupyter.core.swift_tempurl import sign_temp_url

from tests.core.conftest import FAST_RETRY

NAME = "report é #1?.csv"


def test_temp_url_fetched_without_token(account, container):
    account.upload_bytes(container, NAME, b"a,b\n1,2\n")

    url = account.temp_url(container, NAME, expires_in=300)
    fetched = requests.get(url, timeout=10)
    head = requests.head(url, timeout=10)

    assert fetched.status_code == 200
    assert fetched.content == b"a,b\n1,2\n"
    assert head.status_code == 200
    assert "X-Auth-Token" not in fetched.request.headers


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_temp_url_digests(account, container, digest):
    if digest not in (account.limits().tempurl_digests or (digest,)):
        pytest.skip(f"the server does not allow {digest} temp URLs")
    account.upload_bytes(container, "d", b"digest")

    url = account.temp_url(container, "d", digest=digest)

    assert requests.get(url, timeout=10).content == b"digest"


def test_temp_url_for_upload(account, container):
    url = account.temp_url(container, "uploaded by link", method="PUT", expires_in=60)

    response = requests.put(url, data=b"via link", timeout=10)

    assert response.status_code == 201
    assert account.download_bytes(container, "uploaded by link") == b"via link"


def test_temp_url_filename_sets_disposition(account, container):
    account.upload_bytes(container, "o", b"x")

    url = account.temp_url(container, "o", filename="nice name.txt")
    response = requests.get(url, timeout=10)

    disposition = response.headers.get("Content-Disposition", "")
    assert "nice%20name.txt" in disposition or "nice name.txt" in disposition


def test_expired_temp_url_rejected(account, container):
    account.upload_bytes(container, "o", b"x")
    url = account.temp_url(container, "o")
    parts = urlsplit(url)
    expired = int(time.time()) - 10
    path = "/v1/" + parts.path.split("/v1/", 1)[1]

    signature = sign_temp_url(account.temp_url_key(), "GET", expired, unquote(path))
    expired_url = f"{parts.scheme}://{parts.netloc}{parts.path}?temp_url_sig={signature}&temp_url_expires={expired}"

    assert requests.get(expired_url, timeout=10).status_code == 401


def test_temp_url_wrong_method_rejected(account, container):
    account.upload_bytes(container, "o", b"x")

    url = account.temp_url(container, "o", method="GET")

    assert requests.delete(url, timeout=10).status_code == 401
    assert account.object_exists(container, "o")


def test_temp_url_key_set_when_missing(swift_server):
    account = swift_server.account()
    account.set_account_metadata({"temp-url-key": None, "temp-url-key-2": None})

    before = account.temp_url_key(create=False)
    created = account.temp_url_key()
    fresh = swift_server.account()

    assert before is None
    assert created is not None
    assert len(created) == 64
    assert fresh.temp_url_key(create=False) == created
    assert "temp-url-key" not in account.stat().metadata


def test_temp_url_inputs_checked(account, container):
    before = account.http.sent

    with pytest.raises(errors.InvalidInputError, match="method"):
        account.temp_url(container, "o", method="PATCH")
    with pytest.raises(errors.InvalidInputError, match="expiry"):
        account.temp_url(container, "o", expires_in=0)
    with pytest.raises(errors.InvalidInputError, match="digest"):
        account.temp_url(container, "o", digest="md5")

    # Only /info may have been read, to learn the allowed digests.
    assert account.http.sent - before <= 1


def test_signature_matches_python_swiftclient():
    swiftclient_utils = pytest.importorskip("swiftclient.utils")
    path = "/v1/AUTH_test/c/dir/é #?.txt"

    for digest in ("sha1", "sha256", "sha512"):
        peer = swiftclient_utils.generate_temp_url(path, 1_900_000_000, "secret-key", "GET", absolute=True, digest=digest)
        # The peer appends the query to the unencoded path, which may itself contain "?".
        peer_signature = parse_qs(peer.rpartition("?temp_url_sig=")[2].join(["temp_url_sig=", ""]))["temp_url_sig"][0]

        assert sign_temp_url("secret-key", "GET", 1_900_000_000, path, digest) == peer_signature


def test_temp_url_signs_from_v1_with_prefixed_storage_url(sandbox_server):
    config = sandbox_server.sandbox.config["keystone"]
    provider = KeystoneV3Provider(
        config["auth_url"],
        username=config["username"],
        password=config["password"],
        project_id=config["project_id"],
        region=config["regions"][0],
        http=HttpClient("keystone", retry=FAST_RETRY),
    )
    account = SwiftAccount(provider, http=HttpClient("swift", retry=FAST_RETRY))
    container = sandbox_server.new_container(account)
    account.upload_bytes(container, NAME, b"regional")

    url = account.temp_url(container, NAME)

    assert "/storage/" in urlsplit(url).path.split("/v1/")[0]
    assert requests.get(url, timeout=10).content == b"regional"
