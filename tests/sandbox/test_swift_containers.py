"""Swift containers and account metadata in the sandbox, and container ACLs."""

from __future__ import annotations

import uuid

import pytest
import requests
from tests.sandbox.swift_helpers import login, new_container

CONFLICT_PAGE = "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>"


@pytest.fixture
def account(sandbox):
    return login(sandbox)


def test_put_creates_then_accepts(account):
    name = f"c-{uuid.uuid4().hex[:8]}"

    first = account.request("PUT", f"/{name}")
    again = account.request("PUT", f"/{name}")

    assert first.status_code == 201
    assert again.status_code == 202
    assert again.text == "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"


def test_delete_non_empty_is_409(account):
    container = new_container(account)
    account.request("PUT", f"/{container}/o", data=b"x")

    refused = account.request("DELETE", f"/{container}")
    account.request("DELETE", f"/{container}/o")
    deleted = account.request("DELETE", f"/{container}")
    missing = account.request("DELETE", f"/{container}")

    assert refused.status_code == 409
    assert refused.text == CONFLICT_PAGE
    assert deleted.status_code == 204
    assert missing.status_code == 404


def test_container_name_too_long_is_400(account):
    response = account.request("PUT", "/" + "c" * 257)

    assert response.status_code == 400
    assert response.text == "Container name length of 257 longer than 256"


def test_encoded_slash_splits_container_name(account):
    container = new_container(account)

    response = account.request("PUT", f"/{container}%2Fobject", data=b"x")

    assert response.status_code == 201
    assert account.request("GET", f"/{container}/object").content == b"x"


def test_container_metadata_set_and_removed(account):
    container = new_container(account)

    account.request("POST", f"/{container}", headers={"X-Container-Meta-Color": "blue", "X-Container-Meta-Size": "L"})
    account.request("POST", f"/{container}", headers={"X-Remove-Container-Meta-Color": "x", "X-Container-Meta-Size": ""})
    account.request("POST", f"/{container}", headers={"X-Container-Meta-Shape": "round"})
    head = account.request("HEAD", f"/{container}")

    assert "X-Container-Meta-Color" not in head.headers
    assert "X-Container-Meta-Size" not in head.headers
    assert head.headers["X-Container-Meta-Shape"] == "round"


def test_container_metadata_total_limit(sandbox, account):
    container = new_container(account)
    sandbox.update_settings(max_meta_count=3)

    account.request("POST", f"/{container}", headers={f"X-Container-Meta-K{i}": "v" for i in range(3)})
    over = account.request("POST", f"/{container}", headers={"X-Container-Meta-Extra": "v"})

    assert over.status_code == 400
    assert over.text == "Too many metadata items; max 3"


def test_post_to_missing_container_is_404(account):
    assert account.request("POST", f"/missing-{uuid.uuid4().hex}").status_code == 404


def test_account_metadata(account):
    account.request("POST", "", headers={"X-Account-Meta-Project": "demo"})
    shown = account.request("HEAD", "").headers.get("X-Account-Meta-Project")
    account.request("POST", "", headers={"X-Remove-Account-Meta-Project": "x"})
    removed = account.request("HEAD", "").headers.get("X-Account-Meta-Project")

    assert shown == "demo"
    assert removed is None


def test_account_put_and_delete_are_403(account):
    assert account.request("PUT", "").status_code == 403
    assert account.request("DELETE", "").status_code == 403


def test_unknown_method_is_405_with_allow(account):
    container = new_container(account)

    on_object = account.request("FOO", f"/{container}/o")
    options = account.request("OPTIONS", f"/{container}/o")

    assert on_object.status_code == 405
    assert on_object.headers["Allow"] == "POST, PUT, OPTIONS, DELETE, GET, HEAD"
    assert options.status_code == 200
    assert "COPY" in options.headers["Allow"]


def test_public_read_acl(account):
    container = new_container(account, "public")
    account.request("PUT", f"/{container}/o", data=b"public bytes")

    before = requests.get(f"{account.url}/{container}/o")
    account.request("POST", f"/{container}", headers={"X-Container-Read": ".r:*"})
    object_read = requests.get(f"{account.url}/{container}/o")
    listing_without_rlistings = requests.get(f"{account.url}/{container}")
    account.request("POST", f"/{container}", headers={"X-Container-Read": ".r:*,.rlistings"})
    listing = requests.get(f"{account.url}/{container}")
    write = requests.put(f"{account.url}/{container}/new", data=b"x")
    acl_shown_to_anonymous = "X-Container-Read" in listing.headers

    assert before.status_code == 401
    assert object_read.content == b"public bytes"
    assert listing_without_rlistings.status_code == 401
    assert listing.text == "o\n"
    assert write.status_code == 401
    assert not acl_shown_to_anonymous
    assert account.request("HEAD", f"/{container}").headers["X-Container-Read"] == ".r:*,.rlistings"


def test_referrer_acl_denies_listed_host(account):
    container = new_container(account, "referrer")
    account.request("PUT", f"/{container}/o", data=b"x")
    account.request("POST", f"/{container}", headers={"X-Container-Read": ".r:*,.r:-bad.example.com"})

    allowed = requests.get(f"{account.url}/{container}/o", headers={"Referer": "https://good.example.com/page"})
    denied = requests.get(f"{account.url}/{container}/o", headers={"Referer": "https://bad.example.com/page"})

    assert allowed.status_code == 200
    assert denied.status_code == 401


def test_invalid_acls_are_400(account):
    container = new_container(account)

    write_referrer = account.request("POST", f"/{container}", headers={"X-Container-Write": ".r:*"})
    unknown = account.request("POST", f"/{container}", headers={"X-Container-Read": ".x:y"})

    assert write_referrer.status_code == 400
    assert write_referrer.text == "Referrers not allowed in write ACL: '.r:*'"
    assert unknown.text == "Unknown designator '.x' in ACL: '.x:y'"


def test_write_acl_lets_other_user_upload(sandbox, account):
    container = new_container(account, "shared")
    swift = sandbox.app.services["swift"]
    other = swift.issue_token([("main", "someone-else")], identities=["team:alice"])
    account.request("POST", f"/{container}", headers={"X-Container-Write": "team:alice", "X-Container-Read": "team"})

    upload = requests.put(f"{account.url}/{container}/from-alice", data=b"hi", headers={"X-Auth-Token": other.value})
    read = requests.get(f"{account.url}/{container}/from-alice", headers={"X-Auth-Token": other.value})
    delete_container = requests.delete(f"{account.url}/{container}", headers={"X-Auth-Token": other.value})

    assert upload.status_code == 201
    assert read.content == b"hi"
    assert delete_container.status_code == 403


def test_container_quotas(account):
    container = new_container(account, "quota")
    account.request("POST", f"/{container}", headers={"X-Container-Meta-Quota-Bytes": "10", "X-Container-Meta-Quota-Count": "2"})

    first = account.request("PUT", f"/{container}/a", data=b"123456")
    over_bytes = account.request("PUT", f"/{container}/b", data=b"123456")
    second = account.request("PUT", f"/{container}/c", data=b"1")
    over_count = account.request("PUT", f"/{container}/d", data=b"1")
    invalid = account.request("POST", f"/{container}", headers={"X-Container-Meta-Quota-Bytes": "ten"})

    assert first.status_code == 201
    assert over_bytes.status_code == 413
    assert over_bytes.text == "Upload exceeds quota."
    assert second.status_code == 201
    assert over_count.status_code == 413
    assert invalid.status_code == 400
    assert invalid.text == "Invalid bytes quota."


def test_cors_preflight_and_response_headers(account):
    container = new_container(account, "cors")
    account.request(
        "POST",
        f"/{container}",
        headers={"X-Container-Meta-Access-Control-Allow-Origin": "https://app.example", "X-Container-Meta-Access-Control-Max-Age": "60"},
    )
    account.request("PUT", f"/{container}/x", data=b"x", headers={"X-Object-Meta-K": "v"})
    preflight_headers = {"Origin": "https://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-auth-token"}

    allowed = requests.options(f"{account.url}/{container}/x", headers=preflight_headers)
    refused = requests.options(f"{account.url}/{container}/x", headers={**preflight_headers, "Origin": "https://evil.example"})
    got = account.request("GET", f"/{container}/x", headers={"Origin": "https://app.example"})
    other_origin = account.request("GET", f"/{container}/x", headers={"Origin": "https://evil.example"})

    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert allowed.headers["Access-Control-Max-Age"] == "60"
    assert allowed.headers["Access-Control-Allow-Headers"] == "x-auth-token"
    assert allowed.headers["Vary"] == "Origin, Access-Control-Request-Headers"
    assert refused.status_code == 401
    assert got.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-object-meta-k" in got.headers["Access-Control-Expose-Headers"].split(", ")
    assert "Access-Control-Allow-Origin" not in other_origin.headers
