"""Swift listings in the sandbox: formats, paging parameters, delimiters and empty listings."""

from __future__ import annotations

import urllib.parse

import pytest
from tests.sandbox.swift_helpers import login, new_container

NAMES = ["a/1", "a/2", "b", "c/d/e", "dir/", "/abs", "a//b", "é"]


@pytest.fixture
def account(sandbox):
    return login(sandbox)


@pytest.fixture
def filled(account):
    container = new_container(account, "listing")
    for name in NAMES:
        account.request("PUT", f"/{container}/" + urllib.parse.quote(name), data=b"x")
    return container


def names(response):
    return [entry.get("name", entry.get("subdir")) for entry in response.json()]


def test_plain_listing_is_sorted_by_utf8_bytes(account, filled):
    response = account.request("GET", f"/{filled}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    assert response.content.decode("utf-8").splitlines() == sorted(NAMES, key=lambda name: name.encode("utf-8"))


def test_json_entries_have_swift_keys(account, filled):
    response = account.request("GET", f"/{filled}", params={"format": "json"})

    entry = response.json()[0]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "Vary" not in response.headers
    assert list(entry) == ["bytes", "hash", "name", "content_type", "last_modified"]
    assert entry["hash"] == "9dd4e461268c8034f5c8564e155c67a6"
    assert len(entry["last_modified"]) == 26
    assert entry["last_modified"][10] == "T"
    assert b"\\u00e9" in response.content


def test_delimiter_folds_folders_into_subdirs(account, filled):
    top = account.request("GET", f"/{filled}", params={"format": "json", "delimiter": "/"})
    inside = account.request("GET", f"/{filled}", params={"format": "json", "delimiter": "/", "prefix": "a/"})

    assert names(top) == ["/", "a/", "b", "c/", "dir/", "é"]
    assert {"subdir": "a/"} in top.json()
    assert names(inside) == ["a//", "a/1", "a/2"]


def test_marker_end_marker_and_reverse(account, filled):
    def listing(**params):
        return names(account.request("GET", f"/{filled}", params={"format": "json", **params}))

    assert listing(marker="b") == ["c/d/e", "dir/", "é"]
    assert listing(end_marker="a/2") == ["/abs", "a//b", "a/1"]
    assert listing(reverse="true", limit=3) == ["é", "dir/", "c/d/e"]
    assert listing(reverse="true", marker="b") == ["a/2", "a/1", "a//b", "/abs"]
    assert listing(reverse="on", delimiter="/", prefix="a") == ["a/"]


def test_paging_with_limit_and_marker_visits_every_name(account, filled):
    seen, marker = [], ""
    while True:
        page = names(account.request("GET", f"/{filled}", params={"format": "json", "limit": 3, "marker": marker}))
        if not page:
            break
        seen += page
        marker = page[-1]

    assert seen == sorted(NAMES, key=lambda name: name.encode("utf-8"))


def test_limit_above_maximum_is_412(sandbox, account, filled):
    sandbox.update_settings(container_listing_limit=5, account_listing_limit=5)

    too_big = account.request("GET", f"/{filled}", params={"limit": 6})
    default_page = account.request("GET", f"/{filled}", params={"format": "json"})
    account_too_big = account.request("GET", "", params={"limit": 6})

    assert too_big.status_code == 412
    assert too_big.text == "Maximum limit is 5"
    assert len(default_page.json()) == 5
    assert account_too_big.status_code == 412


def test_empty_listings(account, filled):
    plain = account.request("GET", f"/{filled}", params={"prefix": "zzz"})
    as_json = account.request("GET", f"/{filled}", params={"prefix": "zzz", "format": "json"})
    as_xml = account.request("GET", f"/{filled}", params={"prefix": "zzz", "format": "xml"})

    assert plain.status_code == 204
    assert plain.content == b""
    assert as_json.status_code == 200
    assert as_json.content == b"[]"
    assert as_xml.status_code == 200
    assert as_xml.content == f'<?xml version="1.0" encoding="UTF-8"?>\n<container name="{filled}" />'.encode()


def test_xml_listing_with_subdir(account, filled):
    response = account.request("GET", f"/{filled}", params={"format": "xml", "delimiter": "/", "prefix": "c/"})

    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content == (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<container name="{filled}">'
        '<subdir name="c/d/"><name>c/d/</name></subdir></container>'
    ).encode()


def test_accept_header_picks_format(account, filled):
    json_answer = account.request("GET", f"/{filled}", headers={"Accept": "application/json"})
    refused = account.request("GET", f"/{filled}", headers={"Accept": "image/png"})

    assert json_answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert refused.status_code == 406


def test_parameter_not_utf8_is_400(account, filled):
    response = account.request("GET", f"/{filled}?marker=%FF")

    assert response.status_code == 400
    assert response.text == '"marker" parameter not valid UTF-8'


def test_container_headers_count_objects(account, filled):
    head = account.request("HEAD", f"/{filled}")

    assert head.status_code == 204
    assert head.headers["X-Container-Object-Count"] == str(len(NAMES))
    assert head.headers["X-Container-Bytes-Used"] == str(len(NAMES))
    assert head.headers["X-Storage-Policy"] == "Policy-0"
    assert head.headers["Content-Length"] == "0"


def test_account_listing_and_counters(account):
    first = new_container(account, "acct")
    account.request("PUT", f"/{first}/o", data=b"12345")

    listing = account.request("GET", "", params={"format": "json", "prefix": first})
    head = account.request("HEAD", "")

    assert listing.json() == [
        {
            "name": first,
            "count": 1,
            "bytes": 5,
            "last_modified": listing.json()[0]["last_modified"],
            "storage_policy": "Policy-0",
        }
    ]
    assert int(head.headers["X-Account-Object-Count"]) >= 1
    assert int(head.headers["X-Account-Container-Count"]) >= 2
    assert head.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_account_xml_listing(account):
    container = new_container(account, "xmlacct")

    response = account.request("GET", "", params={"format": "xml", "prefix": container})

    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_demo">\n<container><name>')
    assert f"<name>{container}</name><count>0</count><bytes>0</bytes>" in body
    assert body.endswith("<storage_policy>Policy-0</storage_policy></container>\n</account>")
