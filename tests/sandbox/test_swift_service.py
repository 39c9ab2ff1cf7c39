"""The Swift service's /info, injected faults, and the interface the other emulations call."""

from __future__ import annotations

import requests
from tests.sandbox.swift_helpers import login, new_container


def test_info_lists_swift_2_38_sections_with_settings(sandbox):
    sandbox.update_settings(container_listing_limit=1000)

    info = requests.get(sandbox.url + "/info").json()
    regional = requests.get(sandbox.url + "/storage/gra/info").json()

    assert info["swift"]["version"] == "2.38.3"
    assert info["swift"]["container_listing_limit"] == 1000
    assert info["swift"]["max_file_size"] == 5368709122
    assert info["slo"]["max_manifest_segments"] == 1000
    assert info["tempurl"]["allowed_digests"] == ["sha1", "sha256", "sha512"]
    assert info["bulk_delete"]["max_deletes_per_request"] == 10000
    assert regional == info


def test_info_without_bulk_delete(sandbox):
    sandbox.update_settings(bulk_delete=False)

    assert "bulk_delete" not in requests.get(sandbox.url + "/info").json()


def test_unknown_region_is_404(sandbox):
    assert requests.get(sandbox.url + "/storage/xyz/info").status_code == 404


def test_injected_503_looks_like_swift(sandbox):
    account = login(sandbox)
    sandbox.add_fault("/v1/AUTH_demo/", status=503, retry_after=2)

    response = account.request("GET", "/data")

    assert response.status_code == 503
    assert response.text == (
        "<html><h1>Service Unavailable</h1><p>The server is currently unavailable. Please try again at a later time.</p></html>"
    )
    assert response.headers["Retry-After"] == "2"
    assert response.headers["X-Trans-Id"].startswith("tx")
    assert account.request("GET", "/data").status_code == 200


def test_injected_401_and_498(sandbox):
    account = login(sandbox)
    sandbox.add_fault("/v1/AUTH_demo", status=401)
    sandbox.add_fault("/v1/AUTH_demo", status=498)

    unauthorized = account.request("GET", "/data")
    limited = account.request("GET", "/data")

    assert unauthorized.headers["Www-Authenticate"] == 'Swift realm="AUTH_demo"'
    assert limited.status_code == 498
    assert limited.reason == "Rate Limited"
    assert limited.text == "Slow down"


def test_expire_tokens_fault_gives_real_401(sandbox):
    account = login(sandbox)
    sandbox.add_fault("/v1/AUTH_demo/data", action="expire_tokens")

    response = account.request("GET", "/data")

    assert response.status_code == 401
    assert response.headers["Www-Authenticate"] == 'Swift realm="AUTH_demo"'


def test_interface_issue_token_and_usage(sandbox):
    swift = sandbox.app.services["swift"]
    token = swift.issue_token([("sbg", "interface-test")], ttl=60)

    before = swift.account_usage("sbg", "interface-test")
    url = swift.storage_url("sbg", "interface-test")
    requests.put(url + "/box", headers={"X-Auth-Token": token.value})
    requests.put(url + "/box/o", headers={"X-Auth-Token": token.value}, data=b"12345")

    assert url == f"{sandbox.url}/storage/sbg/v1/AUTH_interface-test"
    assert before == {"containers": 0, "objects": 0, "bytes": 0}
    assert swift.account_usage("sbg", "interface-test") == {"containers": 1, "objects": 1, "bytes": 5}
    assert [(entry["name"], entry["count"], entry["bytes"]) for entry in swift.account_containers("sbg", "interface-test")] == [("box", 1, 5)]
    assert swift.account_containers("gra", "interface-test") == []


def test_interface_open_object(sandbox):
    swift = sandbox.app.services["swift"]
    account = login(sandbox)
    container = new_container(account)
    account.request("PUT", f"/{container}/file.txt", data=b"opened", headers={"X-Object-Meta-K": "v"})

    headers, chunks = swift.open_object("main", "demo", container, "file.txt")
    missing = swift.open_object("main", "demo", container, "nope")

    assert b"".join(chunks) == b"opened"
    assert headers["Content-Length"] == "6"
    assert headers["X-Object-Meta-K"] == "v"
    assert missing is None


def test_interface_ensure_account(sandbox):
    swift = sandbox.app.services["swift"]

    swift.ensure_account("gra", "fresh-account")
    token = swift.issue_token([("gra", "fresh-account")])
    head = requests.head(swift.storage_url("gra", "fresh-account"), headers={"X-Auth-Token": token.value})

    assert head.status_code == 204
    assert head.headers["X-Account-Container-Count"] == "0"


def test_trans_id_extra_is_appended(sandbox):
    account = login(sandbox)

    response = account.request("HEAD", "", headers={"X-Trans-Id-Extra": "nightly job/42"})

    assert response.headers["X-Trans-Id"].endswith("-nightly%20job/42")
    assert response.headers["X-Openstack-Request-Id"] == response.headers["X-Trans-Id"]
